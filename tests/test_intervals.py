"""Coverage of core.stats' intervals, simulated (core.coverage, fixed seed, 4000 samples per cell): every
method that claims the nominal 95% must cover the truth 93-97% of the time, and a one-sided `ci_low > truth`
error must stay near 2.5%, at 8 and 16 seeds and at the full config's seed counts. The table is printed
(`pytest -s tests/test_intervals.py`)."""

import math

import numpy as np
import pandas as pd
import pytest
import yaml

from relulab.core import coverage, stats
from relulab.core.evidence import claim_row, validate_claims
from relulab.reporting.intervals import seed_counts

FULL = yaml.safe_load(open("config/config.yaml"))
NS = sorted(set(seed_counts(FULL)) | {8, 16})


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    t = coverage.coverage_table(NS)
    with pd.option_context("display.width", 200, "display.max_rows", 200):
        print("\n" + t.round(4).to_string(index=False))
    return t


def test_every_claimed_method_covers_93_to_97_percent_where_it_is_defined(table):
    claimed = table[table["claimed"] & (table["defined"] > 0)]
    assert set(claimed["n"]) >= {8, 16} and set(claimed["method"]) == set(coverage.CLAIMS)
    bad = claimed[(claimed["coverage"] < 0.93) | (claimed["coverage"] > 0.97)]
    assert bad.empty, bad.to_string()


def test_one_sided_errors_stay_near_two_and_a_half_percent(table):
    claimed = table[table["claimed"] & (table["defined"] > 0)]
    for col in ("low_above_truth", "high_below_truth"):
        assert claimed[col].between(0.01, 0.04).all(), claimed[["method", "distribution", "n", col]].to_string()


def test_the_median_interval_is_defined_from_six_seeds_and_never_below(table):
    # [min, max] covers the median with 1 - 2 / 2**n: 93.75% at n = 5, 96.9% at n = 6
    assert stats.MIN_N_MEDIAN == 6 and stats.order_coverage(5, 1) == 1 - 2 / 32
    for method in ("median", "paired median", "ratio of medians"):
        rows = table[table["method"] == method]
        assert (rows[rows["n"] < 6]["defined"] == 0).all() and (rows[rows["n"] >= 6]["defined"] == 1).all()


def test_student_t_is_exact_for_normal_data_and_the_table_says_where_it_is_not_claimed(table):
    t = table[table["method"] == "mean"]
    assert t[t["distribution"] == "normal"]["claimed"].all() and not t[t["distribution"] != "normal"]["claimed"].any()


@pytest.mark.parametrize("n, d, lam", [(6, 1, 0.3571), (8, 1, 0.9356), (9, 2, 0.2279)])
def test_hettmansperger_sheather_weights_by_hand(n, d, lam):
    # n = 8: g1 = 1 - 2/256, g2 = 1 - 18/256, I = (g1 - .95)/(g1 - g2), lam = (n - d) I / (d + (n - 2d) I)
    g1, g2 = stats.order_coverage(n, d), stats.order_coverage(n, d + 1)
    i = (g1 - 0.95) / (g1 - g2)
    assert stats.hs_weights(n) == pytest.approx((d, (n - d) * i / (d + (n - 2 * d) * i)))
    assert stats.hs_weights(n)[1] == pytest.approx(lam, abs=1e-4)


def test_public_functions_agree_with_the_vectorised_ones_the_simulation_uses():
    rng = np.random.default_rng(0)
    for n in (6, 8, 11, 16):
        x, y = rng.lognormal(size=(50, n)), rng.lognormal(size=(50, n))
        lo, hi = stats.median_ci_sorted(np.sort(x, axis=1))
        mlo, mhi = stats.mean_ci(x)
        rlo, rhi = stats.ratio_ci_sorted(np.sort(x, axis=1), np.sort(y, axis=1))
        for i in range(50):
            assert stats.bootstrap_ci(x[i]) == pytest.approx((np.median(x[i]), lo[i], hi[i]))
            assert stats.bootstrap_ci(x[i], "mean") == pytest.approx((x[i].mean(), mlo[i], mhi[i]))
            assert stats.paired_bootstrap_ci(x[i], y[i], "log_ratio") == pytest.approx(
                stats.bootstrap_ci(np.log(x[i] / y[i])))
            assert stats.ratio_of_medians_ci(x[i], y[i]) == pytest.approx(
                (np.median(x[i]) / np.median(y[i]), rlo[i], rhi[i]))


def test_too_few_values_give_no_interval_and_a_constant_sample_an_exact_one():
    for v in ([1.0], [1.0, 2.0], [1.0, 2.0, 3.0, 4.0, 5.0]):
        est, lo, hi = stats.bootstrap_ci(v)
        assert est == np.median(v) and math.isnan(lo) and math.isnan(hi)
    assert tuple(stats.bootstrap_ci([2.0] * 3)) == (2.0, 2.0, 2.0)
    assert stats.bootstrap_ci([2.0] * 3).method.startswith("collapsed")
    assert all(math.isnan(x) for x in stats.bootstrap_ci([np.nan, np.inf]))
    assert math.isnan(stats.ratio_of_medians_ci([-1.0, 1, 2, 3, 4, 5], [1.0] * 6)[1])
    assert all(math.isnan(x) for x in stats.bootstrap_ci([1.5], "mean")[1:])


def test_n_counts_finite_values_and_dropped_seeds_reach_the_claim_row():
    ci = stats.bootstrap_ci([1.0, 2, 3, 4, 5, 6, np.nan, np.inf])
    assert (ci.n, ci.n_dropped) == (6, 2)
    row = claim_row("X1", "s", ci[0], ci, note="median over seeds")
    assert row["n_seeds"] == 6 and row["interval"] == stats.METHODS["median"]
    assert row["note"] == "median over seeds; 2 of 8 seeds gave a non-finite value (diverged or undefined) and were dropped"
    pair = stats.paired_bootstrap_ci([1.0, 2, 3, 4, 5, 6, 7], [1.0, 1, 1, 1, 1, 1, np.nan])
    assert (pair.n, pair.n_dropped) == (6, 1) and pair.method == stats.METHODS["median"] + " (paired by seed, diff)"
    assert stats.paired_bootstrap_ci([1.0, 2, 3], [0.0, 0, 0]).method.startswith("none (3 values")
    s = stats.summarize(pd.DataFrame({"g": [0] * 8, "x": [1.0, 2, 3, 4, 5, 6, 7, np.nan]}), ["g"], "x")
    assert s[["n", "n_dropped"]].iloc[0].tolist() == [7, 1]
    # an old-style row (a tuple CI, no Interval) still validates; its interval column is empty
    old = pd.DataFrame([{k: v for k, v in claim_row("X1", "s", 1.0, (0.5, 2.0), 8).items() if k != "interval"}])
    assert validate_claims(old)["interval"].tolist() == [""]


def test_a_proportion_of_binary_outcomes_gets_clopper_pearson():
    # k = 2 of n = 3: lower = Beta(0.025; 2, 2), upper = Beta(0.975; 3, 1) = 0.975 ** (1 / 3)
    est, lo, hi = stats.bootstrap_ci([1.0, 1.0, 0.0], "mean")
    assert est == pytest.approx(2 / 3) and hi == pytest.approx(0.975 ** (1 / 3))
    assert lo == pytest.approx(0.094299, abs=1e-6) and 0 <= lo < est < hi <= 1
    assert stats.bootstrap_ci([0.0, 0.0, 0.0, 1.0], "mean")[1] > 0  # 1 of 4
    assert stats.proportion_ci(0, 4) == (0.0, pytest.approx(1 - 0.025 ** (1 / 4)))
