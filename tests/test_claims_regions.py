"""Claim statistics of the regions family on hand-made result tables whose values are known by hand."""
import numpy as np
import pandas as pd
import pytest

from relulab.studies.regions import claims
from claim_checks import by_pair as _by, check_close as _check

def theory():
    rows = [(6, 1, "shallow_max", 1), (6, 1, "montufar_lower", 1000),        # smaller budget: ignored
            (12, 1, "shallow_max", 10), (12, 1, "montufar_lower", 10),       # ratio 1
            (12, 2, "shallow_max", 10), (12, 2, "montufar_lower", 30)]       # ratio 3 -> max 3
    return pd.DataFrame(rows, columns=["budget", "depth", "bound", "value"])


def cons():
    rows = [("montufar_folding", 1, 20, 10), ("montufar_folding", 2, 40, 10),   # ratios 2, 4 -> max 4
            ("tent_fold", 1, 4, 1), ("tent_fold", 2, 16, 1), ("tent_fold", 3, 64, 1)]  # x4 per layer
    return pd.DataFrame(rows, columns=["construction", "depth", "n_linear", "shallow_max_same_units"])


def maxout():
    return pd.DataFrame({"n_linear": [6, 9], "theorem8": [4, 8],          # 1.5, 1.125 -> min 1.125
                         "n_regions": [4, 16], "serra_upper": [8.0, 20.0]})  # 0.5, 0.8 -> max 0.8


def budget():
    # per seed exp(least-squares slope of ln count on depth): 2 (4, 8, 16), 3 (4 -> 36 over two layers), 1;
    # median 2; seed 3 has one depth only and gives no value (dropped, counted in the note)
    rows = [(0, 1, 4), (0, 2, 8), (0, 3, 16), (1, 1, 4), (1, 3, 36), (2, 3, 4), (2, 1, 4), (3, 2, 7)]
    return pd.DataFrame(rows, columns=["seed", "depth", "n_linear"])


def grid():
    # n = (seed + 1) * neurons^2 * 2^depth: every seed has depth factor exactly 2, whatever seeds are resampled
    rows = [{"seed": s, "width": w, "depth": d, "neurons": w * d, "n_regions": (s + 1) * (w * d) ** 2 * 2 ** d}
            for s in range(3) for w in (2, 4) for d in (1, 2)]
    return pd.DataFrame(rows)


def trained():
    rows = []
    # train losses: deep / shallow = 0.5, 1, 4 per (task, seed)
    for task, seed, shallow, deep, init, loss in [("smooth", 0, 10, 40, 20, 0.5), ("smooth", 1, 10, 40, 10, 1.0),
                                                  ("fold", 0, 10, 90, 30, 4.0)]:
        rows += [("relu", "trained", 1, task, seed, shallow, 0.1), ("relu", "trained", 3, task, seed, deep, 0.1 * loss),
                 ("relu", "init", 1, task, seed, 1, None), ("relu", "init", 3, task, seed, init, None),
                 ("sigmoid", "trained", 3, task, seed, 10 ** 6, 99.0)]
    return pd.DataFrame(rows, columns=["activation", "stage", "depth", "task", "seed", "n_linear", "train_loss"])


def fixed():
    # 5 * 3^(d-1) regions: exactly exponential, growth 3 per layer; one-layer maxima 5, 9, 15, 20 at equal units
    return pd.DataFrame({"width": 4, "depth": [1, 2, 3, 4], "n_linear": [5, 15, 45, 135],
                         "shallow_max_same_units": [5, 9, 15, 20]})


def approx_sweep():
    # ln regions = ln(s + 1) + 2 ln(units) + ln(2) depth, every seed: depth factor 2, neuron exponent 2 exactly.
    # one-layer nets: nmse = 1 / n_params; deepest: nmse = r_s / n_params with r = 0.5, 1, 1.5 per seed (over an
    # overlapping parameter range 20..100), slope error 0.5 (deep) vs 1 (shallow) at every size
    rows = []
    for s, r in enumerate([0.5, 1.0, 1.5]):
        for d, w, p in [(1, 4, 10), (1, 40, 100), (3, 4, 20), (3, 40, 200)]:
            rows.append({"task": "smooth", "seed": s, "depth": d, "width": w, "units": w * d, "n_params": p,
                         "n_linear": (s + 1) * (w * d) ** 2 * 2 ** d, "nmse": (r if d == 3 else 1.0) / p,
                         "slope_error": 0.5 if d == 3 else 1.0, "tv_ratio": 1.0 + s})
    return pd.DataFrame(rows)


def digits():
    rows = [(0, 0, "init", 200), (0, 0, "trained", 100), (0, 1, "init", 100), (0, 1, "trained", 100),
            (1, 0, "init", 100), (1, 0, "trained", 300)]    # ratios 0.5, 1, 3 -> median 1
    return pd.DataFrame(rows, columns=["seed", "slice", "stage", "n_linear"])


def folding():
    rows = [("folding", -1, 2, 0, 4, 4), ("folding", -1, 3, 1, 16, 16),      # 4 per layer
            ("random", 0, 2, 0, 2, 2), ("random", 0, 3, 1, 4, 1),            # rates 2, 2; folds 2, 1
            ("random", 1, 2, 0, 3, 1), ("random", 1, 3, 1, 9, 1),            # rates 3, 3; folds 1, 1
            ("random", 2, 2, 0, 0, 0), ("random", 2, 3, 1, 1, 1)]            # rates 1, 1 (0 clipped to 1)
    return pd.DataFrame(rows, columns=["net", "seed", "layer", "point", "preimages", "full_rank_preimages"])


def approx():
    rows = []
    for seed, slope in enumerate([-1, -2, -3]):
        # one-layer nets: log10 nmse falls by |slope| per decade of linear regions, from 0.1 at 10 regions
        rows += [("smooth", 1, 4, 4, seed, 0.1, 10), ("smooth", 1, 40, 40, seed, 0.1 * 10.0 ** slope, 100)]
        # deepest nets: slope -1 on units for every seed; the widest reach nmse 0.01
        rows += [("smooth", 3, 10, 30, seed, 0.1, 50), ("smooth", 3, 100, 300, seed, 0.01, 500)]
    return pd.DataFrame(rows, columns=["task", "depth", "width", "units", "seed", "nmse", "n_linear"])


def test_bound_rows():
    rows = _by(claims._bound_rows(theory(), cons()))
    _check(rows["R1", "construction_over_shallow"], 4.0, 1, 4.0, 4.0)
    _check(rows["R1", "bound_over_shallow"], 3.0, 1, 3.0, 3.0)


def test_typical_growth_rows():
    rows = _by(claims._typical_growth_rows(budget()))
    _check(rows["R1", "typical_growth_per_layer"], 2.0, 3, 1.0, 3.0)
    assert "1 of 4 seeds gave a non-finite value" in rows["R1", "typical_growth_per_layer"]["note"]
    # grid(): n = (s + 1) * (w d)^2 * 2^d at depths 1, 2: per (seed, width) growth 2^2 * 2 = 8 exactly
    rows = _by(claims._typical_growth_rows(budget(), grid()))
    _check(rows["R1", "random_fixed_width_growth"], 8.0, 6, 8.0, 8.0)


def test_fixed_width_rows_exact_exponential():
    rows = _by(claims._fixed_width_rows(fixed()))
    _check(rows["R1", "construction_growth_per_layer"], 3.0, 1, 3.0, 3.0)    # zero-width: exactly log-linear
    _check(rows["R1", "construction_last_step_growth"], 3.0, 1, 3.0, 3.0)    # 135 / 45
    _check(rows["R1", "shallow_last_step_growth"], 20 / 15, 1, 20 / 15, 20 / 15)
    _check(rows["R1", "fixed_width_over_shallow"], 135 / 20, 1, 135 / 20, 135 / 20)


def test_fixed_width_rows_polynomial_growth_widens_the_interval():
    """Counts d^2 (polynomial): the fitted factor with its t-interval against scipy's linregress (an oracle)."""
    from scipy import stats as sst

    d = [1, 2, 3, 4, 6]
    tab = pd.DataFrame({"width": 4, "depth": d, "n_linear": [x * x for x in d],
                        "shallow_max_same_units": [1] * 5})
    row = _by(claims._fixed_width_rows(tab))["R1", "construction_growth_per_layer"]
    fit = sst.linregress(d, np.log([x * x for x in d]))
    q = sst.t.ppf(0.975, len(d) - 2)
    _check(row, np.exp(fit.slope), 1, np.exp(fit.slope - q * fit.stderr) - 1e-9, np.exp(fit.slope + q * fit.stderr) + 1e-9)
    assert row["ci_low"] == pytest.approx(np.exp(fit.slope - q * fit.stderr))
    assert row["ci_high"] - row["ci_low"] > 0.1
    # last step (36 / 16)^(1/2) = 1.5 per layer
    _check(_by(claims._fixed_width_rows(tab))["R1", "construction_last_step_growth"], 1.5, 1, 1.5, 1.5)


def test_trained_loss_rows():
    rows = _by(claims._trained_loss_rows(trained()))
    _check(rows["R5", "deep_over_shallow_train_loss"], 1.0, 3, 0.5, 4.0)   # ratios 0.5, 1, 4 (sigmoid ignored)


def test_trained_scaling_rows():
    rows = _by(claims._trained_scaling_rows(approx_sweep()))
    _check(rows["R5", "trained_depth_factor"], 2.0, 3, 2.0, 2.0, order_slack=1e-9)
    _check(rows["R5", "trained_neuron_exponent"], 2.0, 3, 2.0, 2.0, order_slack=1e-9)


def test_equal_params_rows():
    rows = _by(claims._equal_params_rows(approx_sweep()))
    _check(rows["R5", "deep_over_shallow_nmse"], 1.0, 3, 0.5, 1.5)          # per seed 0.5, 1, 1.5
    _check(rows["R5", "deep_over_shallow_slope_error"], 0.5, 3, 0.5, 0.5)
    _check(rows["R5", "deep_slope_error"], 0.5, 3, 0.5, 0.5)               # widest deepest nets
    _check(rows["R5", "deep_tv_ratio"], 2.0, 3, 1.0, 3.0)
    # a seed whose deep nets share no parameter range with the shallow ones gives no ratio (dropped)
    t = approx_sweep()
    t.loc[(t["seed"] == 2) & (t["depth"] == 3), "n_params"] *= 100
    row = _by(claims._equal_params_rows(t))["R5", "deep_over_shallow_nmse"]
    assert row["n_seeds"] == 2 and "1 of 3 seeds gave a non-finite value" in row["note"]


def test_trained_growth_rows_for_r1_and_r5():
    rows = claims._trained_growth_rows(trained())
    assert [r["claim_id"] for r in rows] == ["R1", "R5"]
    for r in rows:   # per (task, seed) growth 2, 2, 3 -> median 2; n = 3 (task, seed) pairs entered
        _check(r, 2.0, 3, 2.0, 3.0)


def test_trained_over_init_rows():
    rows = _by(claims._trained_over_init_rows(trained(), digits()))
    _check(rows["R5", "trained_over_init"], 3.0, 3, 2.0, 4.0)           # 40/20, 40/10, 90/30 at depth 3
    _check(rows["R5", "digits_trained_over_init"], 1.0, 3, 0.5, 3.0)    # three (seed, plane) pairs


def test_folding_rows():
    rows = _by(claims._folding_rows(folding()))
    _check(rows["R2", "folding_preimages_per_layer"], 4.0, 1, 4.0, 4.0)
    _check(rows["R2", "random_preimages_per_layer"], 2.0, 3, 1.0, 3.0)  # per-seed medians 2, 3, 1
    _check(rows["R2", "random_folds_per_layer"], 1.0, 3, 1.0, 1.5)      # per-seed medians 1.5, 1, 1


def test_maxout_rows():
    rows = _by(claims._maxout_rows(maxout()))
    _check(rows["R3", "min_count_over_theorem8"], 1.125, 1, 1.125, 1.125)
    _check(rows["R3", "max_count_over_upper"], 0.8, 1, 0.8, 0.8)


def test_tent_rows():
    rows = _by(claims._tent_rows(cons(), grid()))
    _check(rows["F10", "tent_fold_growth_per_layer"], 4.0, 1, 4.0, 4.0)
    _check(rows["F10", "random_depth_factor"], 2.0, 3, 2.0, 2.0)


def test_approx_rows():
    rows = _by(claims._shallow_approx_rows(approx()) + claims._deep_approx_rows(approx()))
    _check(rows["A2", "nmse_per_regions_slope"], -2.0, 3, -3.0, -1.0)
    _check(rows["A2", "min_nmse"], 1e-3, 3, 1e-4, 1e-2)
    _check(rows["F11", "deep_nmse_per_units_slope"], -1.0, 3, -1.0, -1.0)
    _check(rows["F11", "deep_min_nmse"], 0.01, 3, 0.01, 0.01)


def test_claim_rows_emits_every_statistic_once():
    rows = claims.claim_rows(theory(), cons(), maxout(), budget(), grid(), trained(), folding(), digits(),
                             pd.concat([approx(), approx_sweep()]), fixed())
    got = [(r["claim_id"], r["statistic"]) for r in rows]
    assert len(got) == len(set(got)) == 30


def test_prose_words_follow_the_data():
    from relulab.studies.regions import prose

    row = lambda lo, hi: {"value": (lo + hi) / 2, "ci_low": lo, "ci_high": hi}   # noqa: E731
    assert prose.versus(row(1.5, 3.0), 1.0, "higher", "lower") == "higher"
    assert prose.versus(row(0.2, 0.5), 1.0, "higher", "lower") == "lower"
    assert prose.versus(row(0.5, 1.5), 1.0, "higher", "lower").startswith("not distinguishable")
    assert prose.num(float("nan")) == "n/a" and prose.ci(row(0.12345, 2.0)) == "[0.123, 2]"
    exact = _by(claims._fixed_width_rows(fixed()))
    tab = fixed().assign(formula=fixed()["n_linear"])
    rows = list(exact.values())
    s = prose._fixed_width(_by(rows), tab)
    assert "equal to Theorem 4" in s and "exactly linear in depth" in s and "(faster for the construction)" in s
    # polynomial counts, slower than a (fake) shallow maximum, and a formula that disagrees at one depth
    poly = pd.DataFrame({"width": 4, "depth": [1, 2, 3, 4], "n_linear": [1, 4, 9, 16],
                         "shallow_max_same_units": [1, 10, 100, 1000], "formula": [1, 4, 9, 17]})
    s = prose._fixed_width(_by(claims._fixed_width_rows(poly)), poly)
    assert "different from Theorem 4" in s and "not exactly linear" in s and "(not faster" in s
