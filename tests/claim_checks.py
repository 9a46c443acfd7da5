"""Shared checks of the claim-statistic tests (tests/test_claims_<family>.py): one emitted row against a value
known by hand, its interval and its seed count."""
import functools
import math

import pandas as pd
import pytest

from relulab.core.stats import MIN_N_MEDIAN


def check(row, value, n_seeds, lo=None, hi=None, *, rel=None, abs=1e-12, order_slack=0.0, bound_slack=1e-9):
    """value as computed by hand; ci_low <= value <= ci_high (within order_slack); n_seeds; and, given lo and hi,
    the interval inside [lo, hi] (within bound_slack). An interval left undefined (NaN bounds) is accepted only
    for fewer seeds than a median's interval needs (core.stats.MIN_N_MEDIAN); then only value and n are checked."""
    assert row["value"] == pytest.approx(value, rel=rel, abs=abs)
    if math.isnan(row["ci_low"]) or math.isnan(row["ci_high"]):
        assert row["n_seeds"] == n_seeds and n_seeds < MIN_N_MEDIAN
        return
    assert row["ci_low"] <= row["value"] + order_slack and row["value"] <= row["ci_high"] + order_slack
    assert row["n_seeds"] == n_seeds
    if lo is not None:
        assert row["ci_low"] >= lo - bound_slack and row["ci_high"] <= hi + bound_slack


# the tolerance the gradients, regions and second_order tests use
check_close = functools.partial(check, rel=1e-9, abs=1e-12, order_slack=1e-12)


def by_pair(rows) -> dict:
    """Rows keyed by (claim_id, statistic); a pair emitted twice fails."""
    out = {(r["claim_id"], r["statistic"]): r for r in rows}
    assert len(out) == len(rows), "a (claim, statistic) pair is emitted twice"
    return out


def frame(cols: str, rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=cols.split())
