"""Regions-family experiment code against theory and independent computations, on tiny inputs."""

import math

import numpy as np
import pandas as pd
import pytest
import torch
import yaml

from relulab.core import models
from relulab.studies.regions import count as regions_count, claims as regions_evidence, folding as regions_folding
from relulab.studies.regions import growth as regions_growth
from relulab.core.evidence import validate_claims, validate_manifest
from relulab.regions import Box, Slice, count_regions
from relulab.regions import bounds as B
from relulab.regions import constructions as C
from relulab.studies.regions.manifest import MANIFEST


def test_zero_bias_shallow_net_has_2n_cones():
    """The skeleton's He init has zero biases: N lines through the origin cut the square into 2N cones."""
    spec = models.MLPSpec(2, (7,), 1, "relu", "he")
    ckpt = models.Checkpoint(spec, models.init_params(spec, [0, 1]), [0, 1], models.init_params(spec, [0, 1]))
    df = regions_count.checkpoint_counts(ckpt)
    assert set(df["stage"]) == {"init", "trained"}
    assert (df["n_regions"] == 14).all()


def test_checkpoint_counts_match_engine_and_bound():
    spec = models.MLPSpec(2, (6, 6), 1, "relu", "torch_default")
    params = models.init_params(spec, [3, 4])
    df = regions_count.checkpoint_counts(models.Checkpoint(spec, params, [3, 4], None))
    for i in range(2):
        direct = count_regions(models.layers_of(spec, params, i), Box(-1, 1, -1, 1))
        assert df["n_regions"].iloc[i] == direct <= B.serra_upper(2, (6, 6))


def test_leaky_checkpoint_counted_with_its_slope():
    """A leaky ReLU net has the same breakpoints as its ReLU twin (same weights), so the same regions."""
    spec = models.MLPSpec(2, (5, 5), 1, "leaky_relu", "torch_default")
    twin = models.MLPSpec(2, (5, 5), 1, "relu", "torch_default")
    p = models.init_params(spec, [0])
    a = regions_count.checkpoint_counts(models.Checkpoint(spec, p, [0], None))["n_regions"].iloc[0]
    layers = models.layers_of(twin, p, 0)
    # breakpoints of layer 2 move with the slope, so only the first layer is a shared oracle: a >= its count
    assert a >= count_regions(layers[:1] + [(np.ones((1, 5)), np.zeros(1))], Box(-1, 1, -1, 1))


def test_fit_scaling_recovers_synthetic_law():
    rows = [{"neurons": n * L, "depth": L, "seed": s, "n_regions": 3.0 * (n * L) ** 2 * 1.1**L}
            for n in (4, 8, 16) for L in (1, 2, 3) for s in (0, 1)]
    fit = regions_count.fit_scaling(pd.DataFrame(rows))
    assert fit["neuron_exponent"] == pytest.approx(2.0)
    assert fit["depth_factor"] == pytest.approx(1.1)
    assert math.exp(fit["intercept"]) == pytest.approx(3.0)


def test_random_layers_shapes_and_scale():
    layers = regions_count.random_layers((50, 50), 0, 0.5)
    assert [W.shape for W, _ in layers] == [(50, 2), (50, 50), (1, 50)]
    assert np.var(layers[1][0]) == pytest.approx(2 / 50, rel=0.1)
    assert np.std(layers[1][1]) == pytest.approx(0.5, rel=0.3)


@pytest.mark.parametrize("depth", [2, 3])
def test_tent_fold_preimages_are_four_per_layer(depth):
    pts = np.array([[0.1234, 0.3456], [0.77, 0.61]])
    pre = regions_folding.preimages(C.tent_fold_2d(depth), Box(0, 1, 0, 1), depth, pts)
    for p, x in zip(pre, pts):
        assert len(p) == 4 ** (depth - 1)
        assert np.min(np.abs(p - x).sum(1)) < 1e-8  # the probe itself is one of them
        # the oracle: every preimage maps to the same hidden vector
        H, _ = regions_folding.hidden(C.tent_fold_2d(depth), p, depth)
        assert np.allclose(H, H[0])


def test_random_net_probe_is_its_own_preimage():
    layers = regions_count.random_layers((5, 5, 5), 1, 0.5)
    pts = np.random.default_rng(0).uniform(-0.9, 0.9, (6, 2))
    for p, x in zip(regions_folding.preimages(layers, Box(-1, 1, -1, 1), 2, pts), pts):
        H, pats = regions_folding.hidden(layers, p, 2)
        hx, px = regions_folding.hidden(layers, x[None], 2)
        assert np.allclose(H, hx, atol=1e-8)  # every preimage maps onto the probe's hidden vector
        assert (pats == px).all(axis=1).any()  # and the probe's own region is among them


def test_folding_table_construction_is_exact():
    df = regions_folding.folding_table((4, 4, 4), [0], 3, 0.5)
    con = df[df["net"] == "folding"]
    assert (con["preimages"] == (4 // 2) ** 2).all()  # one folding layer of p = 2 per coordinate
    assert (con["full_rank_preimages"] == con["preimages"]).all()  # folds keep both directions
    assert (df["full_rank_preimages"] <= df["preimages"]).all()


def test_jacobian_rank_against_finite_differences():
    layers = regions_count.random_layers((4, 4), 2, 0.5)
    for x in np.random.default_rng(1).uniform(-1, 1, (5, 2)):
        h = lambda u: regions_folding.hidden(layers, u[None], 2)[0][0]  # noqa: E731
        J = np.stack([(h(x + 1e-6 * e) - h(x - 1e-6 * e)) / 2e-6 for e in np.eye(2)], 1)
        assert regions_folding.jacobian_rank(layers, x, 2) == np.linalg.matrix_rank(J, tol=1e-6)


def test_slice_counts_plane_through_points():
    spec = models.MLPSpec(5, (6,), 2, "relu", "torch_default")
    p = models.init_params(spec, [0])
    x = np.random.default_rng(0).normal(size=(10, 5))
    rows = regions_count.slice_counts((spec, p, [0]), x, [(0, 1, 2)], "init")
    sl = Slice.through_points(x[0], x[1], x[2])
    assert rows[0]["n_regions"] == count_regions(models.layers_of(spec, p, 0), sl) <= B.shallow_max(2, 6)


def test_growth_per_group_fits_all_depths():
    # seed 0: 10 * 3^(d-1) exactly; seed 1: 10, 40 at depths 1, 3 (factor 2); seed 2: one depth only (dropped)
    df = pd.DataFrame({"seed": [0, 0, 0, 1, 1, 2], "depth": [1, 2, 3, 1, 3, 1], "n_linear": [10, 30, 90, 10, 40, 5]})
    v, dropped = regions_growth.growth_per_group(df, ("seed",))
    assert v == pytest.approx([3.0, 2.0]) and dropped == 1


def test_fixed_width_construction_matches_montufar_formula():
    """Engine counts of the folding construction at width n per layer vs Montufar et al. 2014's Theorem 4,
    prod_{l<L} floor(n/2)^2 * (1 + n + C(n, 2)), written out here by hand."""
    from relulab.studies.regions.theory import fixed_width_table

    for n in (4, 6):
        tab = fixed_width_table(n, [1, 2, 3], 10**6)
        hand = [(n // 2) ** (2 * (L - 1)) * (1 + n + n * (n - 1) // 2) for L in (1, 2, 3)]
        assert tab["n_linear"].tolist() == tab["n_regions"].tolist() == tab["formula"].tolist() == hand
        assert tab["shallow_max_same_units"].tolist() == [1 + u + u * (u - 1) // 2 for u in (n, 2 * n, 3 * n)]
    # exactly exponential: growth per layer (n/2)^2 with a zero-width fit interval
    e, lo, hi = regions_growth.log_linear_fit(tab["depth"], tab["n_linear"])
    assert e == pytest.approx(9.0) and lo == pytest.approx(9.0) and hi == pytest.approx(9.0)
    assert len(fixed_width_table(4, [1, 2, 3, 9], 1000)) == 3  # 4^8 * 11 regions: skipped


def test_gradient_tv_of_known_functions():
    from relulab.studies.regions.approx import gradient_tv, slope_error

    t = np.linspace(-1, 1, 5)
    x1, x2 = np.meshgrid(t, t)
    assert gradient_tv(3 * x1 - x2 + 1) == pytest.approx(0.0, abs=1e-12)  # affine: no slope changes
    # |x1| on a 5-point grid: the x1 difference jumps by 2 * 0.5 = 1 once per row, 5 rows
    assert gradient_tv(np.abs(x1)) == pytest.approx(5.0)
    g = x1 ** 2 + x2
    assert slope_error(g, g) == 0.0 and slope_error(np.zeros_like(g), g) == pytest.approx(1.0)
    # f = g + x1: the x1 differences are off by 0.5 on 5 x 4 edges; |diff g|^2 sums to 5*(0^2+... ) by hand below
    dg = sum((np.diff(g, axis=a) ** 2).sum() for a in (0, 1))
    assert slope_error(g + x1, g) == pytest.approx(np.sqrt(20 * 0.25 / dg))


def _synthetic_tables():
    rng = np.random.default_rng(0)
    from relulab.studies.regions.theory import bounds_table, construction_table, fixed_width_table, maxout_table

    theory = bounds_table([12], [1, 2, 3])
    cons = construction_table([12], [1, 2, 3], 2000)
    maxout = maxout_table([2], [1, 2], 1000)
    seeds = [0, 1, 2]
    budget = regions_count.random_grid([12], [1], seeds, 0.5)
    budget = pd.concat([budget, regions_count.random_grid([4], [3], seeds, 0.5)])
    grid = regions_count.random_grid([4, 8], [1, 2], seeds, 0.5)
    trained = pd.DataFrame([{"activation": "relu", "arch": a, "depth": d, "units": 12, "seed": s, "stage": st,
                             "n_regions": n, "n_linear": n, "task": t, "train_loss": 0.01 * d}
                            for a, d in (("12", 1), ("4x4x4", 3)) for s in seeds for st in ("init", "trained")
                            for t in ("smooth", "fold") for n in [int(rng.integers(10, 100))]])
    folding = regions_folding.folding_table((4, 4, 4), seeds, 2, 0.5)
    digits = pd.DataFrame([{"seed": s, "slice": k, "stage": st, "n_regions": n, "n_linear": n, "area": 1.0,
                            "arch": "8x8"} for s in seeds for k in (0, 1) for st in ("init", "trained")
                           for n in [int(rng.integers(5, 50))]])
    approx = pd.DataFrame([{"task": "smooth", "depth": d, "width": w, "units": w * d, "seed": s,
                            "nmse": 1.0 / (w * d) * (1 + 0.1 * s), "n_linear": w * w * d, "test_mse": 0.1,
                            "n_params": 4 * w * d, "n_regions": w * w * d, "slope_error": 1.0 / w,
                            "tv_ratio": 1.0 + 1.0 / w}
                           for d in (1, 2) for w in (4, 8) for s in seeds])
    fixed = fixed_width_table(4, [1, 2, 3], 2000)
    return theory, cons, maxout, budget, grid, trained, folding, digits, approx, fixed


def test_claim_rows_cover_every_statistic_the_ledger_names():
    tabs = _synthetic_tables()
    rows = pd.DataFrame(regions_evidence.claim_rows(*tabs))
    validate_claims(rows)
    ledger = yaml.safe_load(open("config/claims.yaml"))["claims"]
    mine = {c["id"]: c for c in ledger if c.get("family") == "regions" and c.get("status") == "active"}
    assert set(mine) == {"R1", "R2", "R3", "R5", "F10", "A2", "F11"}
    for cid, c in mine.items():
        stats = set(rows[rows["claim_id"] == cid]["statistic"])
        assert c["statistic"] in stats, cid
        text = " ".join(c["decision"].values())
        for name in set(w.split(".")[0] for w in text.replace("(", " ").split() if "." in w and w[0].isalpha()):
            assert name in stats, (cid, name)
        ids = set(" ".join(rows[rows["claim_id"] == cid]["evidence"]).split())
        assert ids <= {m["id"] for m in MANIFEST}, cid
    # exact statistics carry a collapsed CI, and the synthetic approx law (error ~ 1/units) has slope -1
    r3 = rows[rows["statistic"] == "min_count_over_theorem8"].iloc[0]
    assert r3["ci_low"] == r3["ci_high"] == r3["value"] >= 1
    f11 = rows[rows["statistic"] == "deep_nmse_per_units_slope"].iloc[0]
    assert f11["value"] == pytest.approx(-1.0)
    validate_manifest(pd.DataFrame(MANIFEST))


def test_summary_tables_build():
    theory, cons, maxout, budget, grid, trained, folding, digits, approx, fixed = _synthetic_tables()
    tabs = regions_evidence.summary_tables(theory, cons, maxout, trained, digits, grid, approx, folding, fixed)
    paths = {m["path"].rsplit("/", 1)[1][:-4] for m in MANIFEST if m["kind"] == "table"}
    assert paths <= set(tabs)


def test_sweep_runs_and_counts(tmp_path):
    from relulab.studies.regions import approx as regions_approx

    torch.set_num_threads(1)
    sw = regions_approx.SweepSpec(("smooth",), (2, 4), (1,), (0, 1), 32, 32, 3, (0.01, 0.001), 21, (1000,))
    df = regions_approx.run_sweep(sw)
    assert len(df) == 4 and (df["n_linear"] <= df["width"].map(lambda w: B.shallow_max(2, w))).all()
    assert set(df["lr"]) <= {0.01, 0.001} and (df["nmse"] > 0).all() and (df["train_nmse"] > 0).all() and (df["slope_error"] >= 0).all() and (df["tv_ratio"] >= 0).all()


def test_values_quote_every_statistic():
    tabs = _synthetic_tables()
    rows = regions_evidence.claim_rows(*tabs)
    vals = regions_evidence.values(tabs[0], tabs[1], tabs[4], rows, tabs[9])
    assert all(f"{r['claim_id']}_{r['statistic']}" in vals for r in rows)
    assert vals["budget"] == 12 and vals["R3_min_count_over_theorem8"] >= 1
    # every value the chapter quotes exists and is not empty (a missing one would fail the strict render)
    import re
    from pathlib import Path

    qmd = (Path(__file__).resolve().parents[1] / "report" / "families" / "regions.qmd").read_text()
    for key in re.findall(r"\{\{< var regions\.(\w+) >\}\}", qmd):
        assert vals.get(key) is not None, key
