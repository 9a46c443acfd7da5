"""The methods section's interval part, computed at build time: which interval each kind of statistic gets and
its simulated coverage (core.coverage, the simulation tests/test_intervals.py asserts on) at the seed counts of
this build's configuration and at 8 and 16 seeds."""

from __future__ import annotations

import pandas as pd

from relulab.core import coverage, stats
from relulab.reporting.markdown import CI_LABEL, markdown_table

REFERENCE_NS = (8, 16)


def seed_counts(config: dict) -> list[int]:
    """The evaluation seed counts a configuration uses: the top-level `seeds` and any section's own `seeds`."""
    found = [config.get("seeds")] + [v.get("seeds") for v in config.values() if isinstance(v, dict)]
    return sorted({int(n) for n in found if isinstance(n, int) and not isinstance(n, bool) and n > 0})


def _pct(x: float) -> str:
    return "—" if pd.isna(x) else f"{100 * x:.1f}%"


def coverage_markdown(table: pd.DataFrame, used: list[int]) -> str:
    """The coverage table as a pipe table (tbl-interval-coverage)."""
    shown = pd.DataFrame({
        "Interval": table["method"], "Data": table["distribution"],
        "Seeds": [f"{n}" + (" (this build)" if n in used else "") for n in table["n"]],
        "Interval defined": [_pct(x) for x in table["defined"]],
        "Coverage": [_pct(x) for x in table["coverage"]],
        "ci_low above truth": [_pct(x) for x in table["low_above_truth"]],
        "ci_high below truth": [_pct(x) for x in table["high_below_truth"]],
        "Nominal claimed": ["yes" if c else "no" for c in table["claimed"]]})
    return markdown_table(shown, f"Simulated coverage of the nominal {CI_LABEL}s ({coverage.REPS} samples per "
                          "row, fixed random seed; normal N(5, 1), lognormal(0, 1), exponential(1) data; the "
                          "ratio of medians compares two independent groups, one scaled by 2). A one-sided rule "
                          "such as `ci_low > 0` wrongly passes at the rate in the column *ci_low above truth* "
                          "(nominal 2.5%).", "tbl-interval-coverage")


def intervals_part(config: dict, reps: int = coverage.REPS) -> str:
    """Markdown for the methods section: the interval methods and their simulated coverage at this build's seed
    counts (numbers computed here, by the same functions the statistics use)."""
    used = seed_counts(config)
    table = coverage.coverage_table(sorted(set(used) | set(REFERENCE_NS)), reps=reps)
    short = [n for n in used if n < stats.MIN_N_MEDIAN]
    few = (f" This build's configuration uses {', '.join(map(str, short))} seeds in places: too few for a "
           "median's interval, so statistics there have no interval and no rule on a CI can hold for them."
           if short else "")
    return "\n\n".join([
        f"Intervals are {CI_LABEL}s. For a median over seeds (the default) the interval is the "
        f"{stats.METHODS['median']} (Hettmansperger and Sheather, 1986): two neighbouring order statistics at each "
        "end, interpolated so that the coverage is the nominal one for any continuous distribution. For a paired "
        "comparison it is the same interval of the per-seed differences or ratios; for a mean, the "
        f"{stats.METHODS['mean']}; for a ratio of medians of two independent groups, the {stats.METHODS['ratio']}. "
        f"A median needs at least {stats.MIN_N_MEDIAN} finite values (with fewer, even the range of the sample "
        "covers the median less often than nominal): below that the interval is left undefined, which no rule "
        "on `ci_low` or `ci_high` can pass. Where every seed gives the same value the interval collapses onto it. "
        "Seeds whose value is not finite (a diverged run) are dropped and counted: `n_seeds` is the number of "
        "seeds that entered the statistic, and the note says how many were dropped." + few,
        f"@tbl-interval-coverage gives the coverage of each interval as simulated when this report was built, "
        f"at the seed counts of this build and at {' and '.join(map(str, REFERENCE_NS))} seeds; the test suite "
        "requires 93–97% wherever a method claims the nominal 95%.",
        coverage_markdown(table, used)]) + "\n"
