"""Evidence of the second_order family: claim statistics (H1-H7, F3, R7), the summary tables shown in the report,
the quoted values and the manifest of figures and tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from relulab.core.evidence import claim_row
from relulab.core.stats import bootstrap_ci, paired_bootstrap_ci, summarize
from relulab.studies.second_order.experiments import affine_cost, explicit_hours, extrapolate
from relulab.studies.second_order.training import best_runs

NEG_TOL = -1e-10  # an eigenvalue below this counts as negative (float64 round-off is ~1e-16 here)

# Figure and table ids that carry each claim's evidence.
EVIDENCE = {"H1": "tbl-second_order-derivatives", "H2": "fig-second_order-newton tbl-second_order-newton",
            "H3": "fig-second_order-hessian tbl-second_order-norms fig-second_order-training "
                  "tbl-second_order-training",
            "H4": "fig-second_order-scaling tbl-second_order-scaling",
            "H5": "fig-second_order-hessian tbl-second_order-zeros",
            "H6": "fig-second_order-rmsprop tbl-second_order-rmsprop",
            "H7": "fig-second_order-training tbl-second_order-training fig-second_order-spectra",
            "F3": "fig-second_order-convexity", "R7": "tbl-second_order-gradcheck"}


def _ci(values, stat="median"):
    est, lo, hi = bootstrap_ci(np.asarray(values, float), stat)
    return est, (lo, hi), int(np.isfinite(np.asarray(values, float)).sum())


def training_per_seed(history: pd.DataFrame, budget: float) -> pd.DataFrame:
    """Loss at the budget per seed (columns: methods at their best learning rate)."""
    best = best_runs(history, budget)
    return best.pivot_table(index="seed", columns="method", values="loss")


def _paired(a, b, paired_bootstrap_ci):
    """Median log ratio a/b over paired seeds with its CI, and the number of pairs."""
    a, b = np.asarray(a, float), np.asarray(b, float)
    est, lo, hi = paired_bootstrap_ci(a, b, kind="log_ratio")
    return est, (lo, hi), int(np.isfinite(np.log(a / b)).sum())


class _Rows:
    """The claim rows collected so far, with the evidence ids of each claim."""

    def __init__(self, ev: dict[str, str]):
        self.rows, self.ev = [], ev

    def add(self, cid, stat, values=None, value=None, note="", kind="median"):
        """A statistic over seeds (values: bootstrap CI) or a single deterministic value."""
        if values is not None:
            est, ci, n = _ci(values, kind)
            self.rows.append(claim_row(cid, stat, est, ci, n, self.ev[cid], note))
        else:
            self.rows.append(claim_row(cid, stat, value, None, 1, self.ev[cid], note or "deterministic: no seed enters"))

    def paired(self, cid, stat, a, b, note):
        """Median log ratio a/b over paired seeds with its paired bootstrap CI."""
        self.rows.append(claim_row(cid, stat, *_paired(a, b, paired_bootstrap_ci), self.ev[cid], note))


def _h1(r: _Rows, t):
    d = t["derivatives"]
    relu = d[d.activation == "relu"]
    away = relu[relu.away_from_kink]
    r.add("H1", "relu_max_abs_second_derivative", value=float(away.autograd.abs().max()),
          note="autograd (double back-prop) at every grid point with |x| > 2h; deterministic")
    r.add("H1", "relu_fd_max_abs", value=float(away.finite_difference.abs().max()),
          note="central second difference away from the kink; deterministic")
    r.add("H1", "relu_fd_at_zero", value=float(relu[relu.x.abs() < 1e-12].finite_difference.abs().max()),
          note="second difference straddling the kink: 1/h, a Dirac delta in the limit, not a finite value")


def _h2(r: _Rows, t):
    n = t["newton"]
    runs = n.groupby(["activation", "x0"]).stationary.first()
    r.add("H2", "stationary_fraction", value=float(runs.mean()),
          note=f"Newton runs (transfer function x start) that reached a stationary point, of {len(runs)}")
    r.add("H2", "relu_stationary_fraction",
          value=float(runs.loc["relu"].mean()) if "relu" in runs.index else math.nan,
          note="ReLU runs only; deterministic")


def _h3_structure(r: _Rows, t):
    b = t["blocks"]
    full = b[(b.part == "full") & (b.activation == "relu")]
    nonzero = lambda s: float((s > 0).mean())  # noqa: E731
    r.add("H3", "nonzero_block_fraction", full[full.state == "init"].groupby("seed").frobenius.apply(nonzero),
          note="ReLU digits network, loss Hessian at initialization: layer-pair blocks with non-zero norm")
    if (full.state == "trained").any():
        r.add("H3", "trained_nonzero_block_fraction",
              full[full.state == "trained"].groupby("seed").frobenius.apply(nonzero), note="same after Adam training")
    nn_ = t["neuron"]
    r.add("H3", "neuron_hessian_norm", nn_.groupby("seed").hessian_norm_init.first(),
          note="one ReLU neuron, mean squared error, Hessian w.r.t. (w, b) at a random start")
    r.add("H3", "neuron_newton_converged", nn_.groupby("seed").loss.last() < 1e-10, kind="mean",
          note="fraction of seeds where damped Newton drove the one-neuron loss below 1e-10")


def _h3_training(r: _Rows, t, tiny_passes: float):
    nn_ = t["neuron"]
    tiny, ae = t["tiny"], t["autoencoder"]
    second = pd.concat([tiny[tiny.method.isin(["newton", "hessian_free"])], ae[ae.method == "hessian_free"]])
    bad = second.groupby(["method", "seed", "n_params"]).loss.apply(lambda s: not np.isfinite(s).all()).sum()
    bad += int(nn_.groupby("seed").finite.all().eq(False).sum())
    r.add("H3", "nonfinite_runs", value=float(bad), note="second-order runs (Newton, HF, every seed) with a NaN/inf loss")
    per = training_per_seed(tiny, tiny_passes)
    first, sec = per[["sgd", "adam"]].min(axis=1), per[["newton", "hessian_free"]].min(axis=1)
    r.paired("H3", "second_vs_first_log_ratio", sec, first,
             "log(best second-order loss / best first-order loss) at equal passes, tiny net; < 0: "
             "second order lower")
    for m in ("newton", "hessian_free"):
        r.paired("H3", f"{m}_vs_first_log_ratio", per[m], first, f"log({m} loss / best first-order loss) at equal passes")


def _h4(r: _Rows, t, extrapolate_params: float):
    sc = t["scaling"]
    big = sc[sc.n_params >= sc.n_params.median()]
    gib, _ = extrapolate(big, "hessian_bytes", extrapolate_params)
    fit_hours, k_h = extrapolate(big, "hessian_s", extrapolate_params)
    a, b_ = affine_cost(sc, "hvp_s")
    r.add("H4", "hessian_gib_at_1m", value=gib / 2 ** 30, note="power-law fit of the measured Hessian bytes")
    r.add("H4", "cross_term_fraction", value=1 - 1 / extrapolate_params, note="(N^2 - N) / N^2")
    r.add("H4", "explicit_hours_at_1m", value=explicit_hours(sc, extrapolate_params),
          note="N Hessian-vector products, each costing a + b N seconds (non-negative least-squares fit of the "
               "measured HVP seconds: fixed overhead plus per-parameter cost)")
    r.add("H4", "explicit_hours_powerlaw", value=fit_hours / 3600,
          note=f"power-law fit of the measured explicit-Hessian seconds over the larger half of the sizes "
               f"(exponent {k_h:.2f}); small sizes are dominated by fixed overheads")
    r.add("H4", "hvp_seconds_at_1m", value=a + b_ * extrapolate_params,
          note=f"affine fit of the HVP seconds: {a:.3g} s overhead + {b_:.3g} s per parameter")
    r.add("H4", "largest_measured_params", value=float(sc.n_params.max()))


def _h5_trained(r: _Rows, z):
    zt_ = z[(z.activation == "relu") & (z.state == "trained")]
    r.add("H5", "trained_loss_within_zero_fraction", zt_[zt_.object == "loss_full"].groupby("seed").within.first(),
          note="within-layer exact zeros of the ReLU loss Hessian after Adam training")
    r.add("H5", "trained_output_within_zero_fraction", zt_[zt_.object == "output"].groupby("seed").within.mean(),
          note="within-layer exact zeros of the ReLU output Hessian after Adam training")


def _h5(r: _Rows, t):
    z = t["zeros"]
    if (z.state == "trained").any():
        _h5_trained(r, z)
    z = z[z.state == "init"]
    zr = z[z.activation == "relu"]
    lf = zr[zr.object == "loss_full"].groupby("seed")
    r.add("H5", "loss_within_zero_fraction", lf.within.first(),
          note="exact zeros in within-layer blocks of the ReLU network's loss Hessian")
    r.add("H5", "loss_within_live_zero_fraction", lf.within_live.first(),
          note="same, leaving out parameters whose whole Hessian row is zero (zero pixels, dead units)")
    r.add("H5", "loss_cross_zero_fraction", lf.cross.first())
    out = zr[zr.object == "output"].groupby("seed")
    r.add("H5", "output_within_zero_fraction", out.within.mean(),
          note="exact zeros in within-layer blocks of the Hessian of one network output at one example")
    r.add("H5", "output_cross_zero_fraction", out.cross.mean())
    zt = z[(z.activation != "relu") & (z.object == "output")]
    if len(zt):
        r.add("H5", "smooth_output_within_zero_fraction", zt.groupby("seed").within.mean(),
              note=f"same for {zt.activation.iloc[0]}")


def _h6(r: _Rows, t):
    rms = t["rmsprop"]
    r.add("H6", "spearman_rms_gn", rms.groupby("seed").spearman_gn.median(),
          note="Spearman rank correlation across parameters, RMSProp square_avg vs Gauss-Newton diagonal, median "
               "over checkpoints per seed")
    r.add("H6", "spearman_rms_empirical_fisher", rms.groupby("seed").spearman_empirical_fisher.median())


def _h7(r: _Rows, t, ae_passes: float):
    p = t["products"]
    r.add("H7", "hvp_rel_error", value=float(p.hvp_rel_error.max()),
          note="maximum over seeds, probes and activations of |Hv (double back-prop) - H v| / |H v|")
    r.add("H7", "gnvp_rel_error", value=float(p.gnvp_rel_error.max()),
          note="maximum over seeds, probes and activations of |G v (forward + reverse pass) - G v| / |G v|")
    ae = t["autoencoder"]
    per = training_per_seed(ae, ae_passes)
    for m in ("sgd", "adam"):
        r.paired("H7", f"hf_vs_{m}_log_ratio", per["hessian_free"], per[m],
                 f"log(HF loss / {m} loss) on the autoencoder at equal passes; < 0: HF lower")
    init = ae[ae.method == "hessian_free"].sort_values("passes").groupby("seed").loss.first()
    ratio = per["hessian_free"] / init
    r.add("H7", "hf_loss_reduction", ratio, note="HF loss at the budget / initial loss")


def _f3(r: _Rows, t):
    c = t["convexity"]
    r.add("F3", "mse_local_minima", value=float(len(t["minima"])),
          note="local minima of sigmoid + squared error on the constructed 1-D data set (grid, refined, f''>0)")
    r.add("F3", "ce_min_eigenvalue", value=float(c[c.loss == "ce"].min_eig.min()),
          note="smallest Hessian eigenvalue of sigmoid + cross-entropy over all sampled points and seeds")
    negative = c[c.loss == "mse"].groupby("seed").min_eig.apply(lambda s: float((s < NEG_TOL).mean()))
    r.add("F3", "mse_negative_fraction", negative,
          note="fraction of sampled points where sigmoid + squared error has a negative Hessian eigenvalue")


def _r7(r: _Rows, t):
    g = t["gradcheck"]
    r.add("R7", "max_rel_error", value=float(g.rel_error.max()),
          note="hand-written NumPy back-prop vs central differences: maximum over layers, activations and seeds")
    r.add("R7", "autograd_max_rel_error", value=float(g.autograd_rel_error.max()),
          note="hand-written back-prop vs torch autograd: maximum over layers, activations and seeds")


def claim_rows(t: dict[str, pd.DataFrame], ev: dict[str, str], extrapolate_params: float, tiny_passes: float,
               ae_passes: float) -> list[dict]:
    """Every claim statistic of the family from its tables (t: name -> frame), named as in config/claims.yaml."""
    r = _Rows(ev)
    _h1(r, t)
    _h2(r, t)
    _h3_structure(r, t)
    _h3_training(r, t, tiny_passes)
    _h4(r, t, extrapolate_params)
    _h5(r, t)
    _h6(r, t)
    _h7(r, t, ae_passes)
    _f3(r, t)
    _r7(r, t)
    return r.rows


def quoted(value: float) -> str:
    """A statistic as the report text quotes it: integers whole, fractions near 1 with 7 digits, else 3."""
    if math.isfinite(value) and value == round(value) and abs(value) < 1e7:
        return str(int(value))
    return f"{value:.7g}" if 0.99 < value < 1 else f"{value:.3g}"


def values(rows: list[dict]) -> dict[str, str]:
    """The quoted value of each claim statistic, keyed claim_statistic."""
    return {f"{r['claim_id']}_{r['statistic']}": quoted(r["value"]) for r in rows}


# --- summary tables -----------------------------------------------------------------------------------

def _scaling_summary(t: dict[str, pd.DataFrame], extrapolate_params: float) -> pd.DataFrame:
    """The measured sizes plus one row extrapolated to extrapolate_params parameters."""
    sc = t["scaling"].copy()
    sc["source"] = "measured"
    ext = {"n_params": extrapolate_params, "source": "extrapolated", "entries": extrapolate_params ** 2,
           "cross_term_fraction": 1 - 1 / extrapolate_params, "vector_bytes": 8 * extrapolate_params}
    big = sc[sc.n_params >= sc.n_params.median()]
    for col in ("hessian_bytes", "gradient_s", "hvp_s", "hessian_s"):
        ext[col] = extrapolate(big, col, extrapolate_params)[0]
    ext["hessian_s_as_hvps"] = explicit_hours(t["scaling"], extrapolate_params) * 3600
    scaling = pd.concat([sc, pd.DataFrame([ext])], ignore_index=True)
    scaling["hessian_gib"] = scaling.hessian_bytes / 2 ** 30
    return scaling


def _training_summary(t: dict[str, pd.DataFrame], tiny_passes: float, ae_passes: float) -> pd.DataFrame:
    """Loss at the pass budget per method (at its best learning rate), tiny network and autoencoder."""
    train = []
    for name, budget in (("tiny", tiny_passes), ("autoencoder", ae_passes)):
        best = best_runs(t[name], budget)
        s = summarize(best, ["method", "lr"], "loss") if best.lr.notna().any() else pd.DataFrame()
        s2 = summarize(best[best.lr.isna()], ["method"], "loss")
        train.append(pd.concat([s, s2], ignore_index=True).assign(experiment=name, passes=budget))
    return pd.concat(train, ignore_index=True)


def _elementary_summaries(t: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Gradient check per layer, second derivatives per activation and Newton runs per start."""
    g = t["gradcheck"].groupby(["activation", "layer"], as_index=False).agg(
        n_params=("n_params", "first"), max_rel_error_fd=("rel_error", "max"),
        max_rel_error_autograd=("autograd_rel_error", "max"), seeds=("seed", "nunique"))
    d = t["derivatives"].assign(abs_autograd=lambda f: f.autograd.abs(), abs_fd=lambda f: f.finite_difference.abs())
    derivs = d.groupby(["activation", "away_from_kink"], as_index=False).agg(
        points=("x", "size"), max_abs_autograd=("abs_autograd", "max"), max_abs_finite_difference=("abs_fd", "max"))
    nw = t["newton"]
    newton_tbl = nw.groupby(["activation", "x0"], as_index=False).agg(
        iterations=("iter", "max"), last_x=("x", "last"), last_df=("df", "last"), stationary=("stationary", "first"))
    return g, derivs, newton_tbl


def summaries(t: dict[str, pd.DataFrame], extrapolate_params: float, tiny_passes: float,
              ae_passes: float) -> dict[str, pd.DataFrame]:
    """The tables shown in the report."""
    b = t["blocks"]
    loss_blocks = b[b.part != "output"]
    norms = summarize(loss_blocks, ["activation", "state", "part", "layer_i", "layer_j"], "frobenius")
    z = t["zeros"].groupby(["activation", "state", "object", "seed"], as_index=False)[
        ["within", "within_live", "cross", "all"]].mean()
    zeros = pd.concat([summarize(z, ["activation", "state", "object"], c).assign(statistic=c)
                       for c in ("within", "within_live", "cross")], ignore_index=True)
    scaling = _scaling_summary(t, extrapolate_params)
    training = _training_summary(t, tiny_passes, ae_passes)
    r = t["rmsprop"]
    rms = pd.concat([summarize(r, ["step"], c).assign(statistic=c)
                     for c in ("spearman_gn", "spearman_empirical_fisher", "spearman_gn_fisher")], ignore_index=True)
    g, derivs, newton_tbl = _elementary_summaries(t)
    return {"hessian_norms": norms, "zeros": zeros, "scaling": scaling,
            "training": training, "rmsprop": rms, "gradcheck": g, "newton": newton_tbl,
            "derivatives": derivs}
