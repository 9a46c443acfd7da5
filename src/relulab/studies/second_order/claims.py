"""Evidence of the second_order family: claim statistics (H1-H7, F3, R7), the summary tables shown in the report,
the quoted values and the manifest of figures and tables."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from relulab.core.evidence import claim_row
from relulab.core.stats import bootstrap_ci, paired_bootstrap_ci, summarize
from relulab.studies.second_order.experiments import (affine_cost, explicit_flops_per_example,
                                                       explicit_gradient_equivalents, explicit_hours, extrapolate)
from relulab.studies.second_order import prose
from relulab.studies.second_order.prose import quoted
from relulab.studies.second_order.rmsprop import BASELINES, best_baseline
from relulab.studies.second_order.training import best_runs

NAMES = {"relu": "ReLU", "tanh": "tanh"}
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


def training_per_seed(history: pd.DataFrame, budget: float) -> pd.DataFrame:
    """Loss at the budget per evaluation seed (columns: methods at the learning rate the tuning seeds chose)."""
    best = best_runs(history, budget)
    return best.pivot_table(index="seed", columns="method", values="loss")


class _Rows:
    """The claim rows collected so far, with the evidence ids of each claim."""

    def __init__(self, ev: dict[str, str]):
        self.rows, self.ev = [], ev

    def add(self, cid, stat, values=None, value=None, note="", kind="median"):
        """A statistic over seeds (values: core.stats interval; its n, dropped count and method enter the row) or
        a single value; the note starts with the kind of number (a single value's note names its own kind: exact,
        fixed by construction, extrapolated, wall-clock)."""
        if values is not None:
            ci = bootstrap_ci(np.asarray(values, float), kind)
            self.rows.append(claim_row(cid, stat, ci[0], ci, None, self.ev[cid],
                                       f"{kind} over seeds with a 95% interval: {note}".rstrip(": ")))
        else:
            self.rows.append(claim_row(cid, stat, value, None, 1, self.ev[cid], note or "exact: no seed enters"))

    def paired(self, cid, stat, a, b, note, kind="log_ratio"):
        """Median log ratio (or difference) a vs b over paired seeds with its paired interval (core.stats)."""
        ci = paired_bootstrap_ci(np.asarray(a, float), np.asarray(b, float), kind=kind)
        self.rows.append(claim_row(cid, stat, ci[0], ci, None, self.ev[cid],
                                   f"median of per-seed paired {kind.replace('_', ' ')}s over seeds, 95% paired "
                                   f"interval: {note}"))


def _h1(r: _Rows, t):
    d = t["derivatives"]
    relu = d[d.activation == "relu"]
    away = relu[relu.away_from_kink]
    r.add("H1", "relu_max_abs_second_derivative", value=float(away.autograd.abs().max()),
          note="exact: autograd (double back-prop) at every grid point with |x| > 2h")
    r.add("H1", "relu_fd_max_abs", value=float(away.finite_difference.abs().max()),
          note="exact (deterministic): central second difference away from the kink")
    r.add("H1", "relu_fd_at_zero", value=float(relu[relu.x.abs() < 1e-12].finite_difference.abs().max()),
          note="exact (deterministic): second difference straddling the kink: 1/h, a Dirac delta in the limit, "
               "not a finite value")


def _h2(r: _Rows, t):
    n = t["newton"]
    runs = n.groupby(["activation", "x0"]).stationary.first()
    r.add("H2", "stationary_fraction", value=float(runs.mean()),
          note=f"exact (deterministic): Newton runs (transfer function x start) that reached a stationary point, "
               f"of {len(runs)}")
    r.add("H2", "relu_stationary_fraction",
          value=float(runs.loc["relu"].mean()) if "relu" in runs.index else math.nan,
          note="exact (deterministic): ReLU runs only")


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
    second = second[second.role == "eval"]
    bad = second.groupby(["method", "seed", "n_params"]).loss.apply(lambda s: not np.isfinite(s).all()).sum()
    bad += int(nn_.groupby("seed").finite.all().eq(False).sum())
    r.add("H3", "nonfinite_runs", value=float(bad),
          note="exact count: second-order runs (Newton, HF, every evaluation seed) with a NaN/inf loss")
    per = training_per_seed(tiny, tiny_passes)
    first, sec = per[["sgd", "adam"]].min(axis=1), per[["newton", "hessian_free"]].min(axis=1)
    r.paired("H3", "second_vs_first_log_ratio", sec, first,
             "log(best second-order loss / best first-order loss) at equal passes, tiny net, learning rates "
             "chosen on the tuning seeds; < 0: second order lower")
    for m in ("newton", "hessian_free"):
        r.paired("H3", f"{m}_vs_first_log_ratio", per[m], first, f"log({m} loss / best first-order loss) at equal passes")


def _h4(r: _Rows, t, extrapolate_params: float):
    sc = t["scaling"]
    k = len(sc)
    big = sc[sc.n_params >= sc.n_params.median()]
    fit_hours, k_h = extrapolate(big, "hessian_s", extrapolate_params)
    a, b_ = affine_cost(sc, "hvp_s")
    n = extrapolate_params
    r.add("H4", "hessian_gib_at_1m", value=8 * n ** 2 / 2 ** 30,
          note="fixed by construction: N^2 float64 entries of 8 bytes, 8 N^2 bytes")
    r.add("H4", "measured_bytes_per_entry", value=float((sc.hessian_bytes / sc.n_params ** 2).max()),
          note=f"exact: largest bytes per entry of the Hessians formed at {k} sizes")
    r.add("H4", "cross_term_fraction", value=1 - 1 / n, note="fixed by construction: (N^2 - N) / N^2")
    r.add("H4", "explicit_gradient_equivalents_at_1m", value=explicit_gradient_equivalents(sc, n),
          note=f"extrapolated from {k} points of exact FLOP counts (machine independent): N Hessian-vector products, "
               f"each costing (HVP FLOPs / gradient FLOPs) gradient evaluations")
    r.add("H4", "hvp_gradient_flop_ratio", value=float((sc.hvp_flops / sc.gradient_flops).iloc[-1]),
          note="exact FLOP count (machine independent) at the largest size: one HVP / one gradient")
    r.add("H4", "explicit_flops_per_example_at_1m", value=explicit_flops_per_example(sc, n),
          note=f"extrapolated from {k} points of exact FLOP counts (machine independent): N HVPs per training example")
    r.add("H4", "explicit_hours_at_1m", value=explicit_hours(sc, n),
          note=f"wall-clock timing on this machine, extrapolated from {k} points: N HVPs, each costing a + b N seconds "
               f"(non-negative least-squares fit of the fastest measured HVP seconds); not read by the rule")
    r.add("H4", "explicit_hours_powerlaw", value=fit_hours / 3600,
          note=f"wall-clock timing on this machine, extrapolated from {len(big)} points: power-law fit of the explicit-"
               f"Hessian seconds over the larger half of the sizes (exponent {k_h:.2f}); not read by the rule")
    r.add("H4", "hvp_seconds_at_1m", value=a + b_ * n,
          note=f"wall-clock timing on this machine, extrapolated from {k} points: {a:.3g} s + {b_:.3g} s per parameter")
    r.add("H4", "largest_measured_params", value=float(sc.n_params.max()), note="exact: a setting of the experiment")


def _per_seed(z: pd.DataFrame, act: str, obj: str, col: str, **where) -> pd.Series:
    """One value per seed (mean over output examples) of column col for activation act and object obj."""
    sel = (z.activation == act) & (z.object == obj)
    for k, v in where.items():
        sel &= z[k] == v
    return z[sel].groupby("seed")[col].mean()


def _excess(r: _Rows, z: pd.DataFrame, stat: str, obj: str, col: str, what: str, **where):
    """ReLU minus tanh, paired by seed."""
    relu, tanh = _per_seed(z, "relu", obj, col, **where), _per_seed(z, "tanh", obj, col, **where)
    relu, tanh = relu.align(tanh, join="inner")
    r.paired("H5", stat, relu, tanh, f"ReLU minus tanh {what}", kind="diff")


def _h5_dense(r: _Rows, z: pd.DataFrame):
    """Standardized (dense) inputs, live parameters: the zeros the activation makes."""
    d = dict(inputs="standardized", state="init")
    _excess(r, z, "loss_within_live_zero_excess", "loss_full", "within_live",
            "exact-zero fraction of within-layer loss-Hessian entries among live parameters, standardized digits", **d)
    for act in ("relu", "tanh"):
        r.add("H5", f"{act}_loss_within_live_zero_fraction", _per_seed(z, act, "loss_full", "within_live", **d),
              note=f"exact zeros of {NAMES[act]}'s loss Hessian, within layers, live parameters, standardized digits")
    _excess(r, z, "output_within_live_zero_excess", "output", "within_live",
            "exact-zero fraction of within-layer entries of one output's Hessian at one example, live parameters, "
            "standardized digits", **d)
    for act in ("relu", "tanh"):
        r.add("H5", f"{act}_output_within_live_zero_fraction", _per_seed(z, act, "output", "within_live", **d),
              note=f"exact zeros of {NAMES[act]}'s output Hessian (mean over examples), within layers, live parameters, "
                   f"standardized digits")
    if ((z.state == "trained") & (z.inputs == "standardized")).any():
        _excess(r, z, "trained_loss_within_live_zero_excess", "loss_full", "within_live",
                "as the primary statistic, after Adam training", inputs="standardized", state="trained")


def _h5(r: _Rows, t):
    z = t["zeros"]
    _h5_dense(r, z)
    raw = dict(inputs="raw", state="init")
    r.add("H5", "loss_within_zero_fraction", _per_seed(z, "relu", "loss_full", "within", **raw),
          note="raw digits (blank pixels make zeros): exact zeros in within-layer blocks of the ReLU loss Hessian")
    _excess(r, z, "raw_loss_within_zero_excess", "loss_full", "within",
            "exact-zero fraction of within-layer loss-Hessian entries, raw digits, all parameters", **raw)
    r.add("H5", "loss_within_live_zero_fraction", _per_seed(z, "relu", "loss_full", "within_live", **raw),
          note="raw digits, ReLU loss Hessian, within layers, live parameters only")
    r.add("H5", "loss_cross_zero_fraction", _per_seed(z, "relu", "loss_full", "cross", **raw),
          note="raw digits, ReLU loss Hessian, cross-layer blocks")
    r.add("H5", "output_within_zero_fraction", _per_seed(z, "relu", "output", "within", **raw),
          note="raw digits: exact zeros in within-layer blocks of one ReLU network output's Hessian at one example")
    r.add("H5", "output_cross_zero_fraction", _per_seed(z, "relu", "output", "cross", **raw),
          note="raw digits, ReLU output Hessian, cross-layer blocks")


def _h6(r: _Rows, t):
    rms = t["rmsprop"]
    ev = rms[rms.role == "eval"]
    best = best_baseline(rms)
    med = ev.groupby("seed").median(numeric_only=True)
    r.paired("H6", "spearman_advantage", med.spearman_gn, med[f"spearman_{best}"],
             f"Spearman(RMSProp v, GN diagonal) minus Spearman({best}, GN diagonal), per-seed medians over "
             f"checkpoints; {best} is the curvature-blind baseline the tuning seeds ranked best", kind="diff")
    blind_max = med[[f"spearman_{b}" for b in BASELINES]].max(axis=1)
    r.paired("H6", "spearman_advantage_worst_case", med.spearman_gn, blind_max,
             "as spearman_advantage against whichever baseline is higher on each evaluation seed (chosen after "
             "seeing the evaluation seeds: a conservative check, not read by the rule)", kind="diff")
    r.paired("H6", "cosine_advantage", med.cos_rms_gn, med.cos_sgd_gn,
             "cos(RMSProp step, damped Gauss-Newton step) minus cos(SGD step, damped GN step), per-seed medians over "
             "checkpoints", kind="diff")
    for suffix, word in (("_low", "a tenth of"), ("_high", "ten times")):
        r.paired("H6", f"cosine_advantage{suffix}_damping", med[f"cos_rms_gn{suffix}"], med[f"cos_sgd_gn{suffix}"],
                 f"as cosine_advantage with {word} the damping", kind="diff")
    r.add("H6", "spearman_rms_gn", med.spearman_gn,
          note="Spearman rank correlation across parameters, RMSProp square_avg vs Gauss-Newton diagonal, median "
               "over checkpoints per seed")
    for b in BASELINES:
        r.add("H6", f"spearman_{b}", med[f"spearman_{b}"], note=f"curvature-blind baseline {b} vs GN diagonal")
    r.add("H6", "spearman_rms_empirical_fisher", med.spearman_empirical_fisher,
          note="RMSProp square_avg vs the empirical Fisher diagonal on the probe batch")


def _h7(r: _Rows, t, ae_passes: float):
    p = t["products"]
    r.add("H7", "hvp_rel_error", value=float(p.hvp_rel_error.max()),
          note="exact (float64 round-off): maximum over seeds, probes and activations of "
               "|Hv (double back-prop) - H v| / |H v|")
    r.add("H7", "gnvp_rel_error", value=float(p.gnvp_rel_error.max()),
          note="exact (float64 round-off): maximum over seeds, probes and activations of "
               "|G v (forward + reverse pass) - G v| / |G v|")
    ae = t["autoencoder"]
    per = training_per_seed(ae, ae_passes)
    for m in ("sgd", "adam"):
        r.paired("H7", f"hf_vs_{m}_log_ratio", per["hessian_free"], per[m],
                 f"log(HF loss / {m} loss) on the autoencoder at equal passes; < 0: HF lower")
    init = ae[(ae.method == "hessian_free") & (ae.role == "eval")].sort_values("passes").groupby("seed").loss.first()
    ratio = per["hessian_free"] / init
    r.add("H7", "hf_loss_reduction", ratio, note="HF loss at the budget / initial loss")


def _f3(r: _Rows, t):
    c = t["convexity"]
    r.add("F3", "mse_local_minima", value=float(len(t["minima"])),
          note="exact (deterministic): local minima of sigmoid + squared error on the constructed 1-D data "
               "set (grid, refined, f''>0)")
    r.add("F3", "ce_min_eigenvalue", value=float(c[c.loss == "ce"].min_eig.min()),
          note="exact: smallest Hessian eigenvalue of sigmoid + cross-entropy over all sampled points and seeds")
    negative = c[c.loss == "mse"].groupby("seed").min_eig.apply(lambda s: float((s < NEG_TOL).mean()))
    r.add("F3", "mse_negative_fraction", negative,
          note="fraction of sampled points where sigmoid + squared error has a negative Hessian eigenvalue")


def _r7(r: _Rows, t):
    g = t["gradcheck"]
    r.add("R7", "max_rel_error", value=float(g.rel_error.max()),
          note="exact (deterministic): hand-written NumPy back-prop vs central differences, maximum over "
               "layers, activations and seeds")
    r.add("R7", "autograd_max_rel_error", value=float(g.autograd_rel_error.max()),
          note="exact (float64 round-off): hand-written back-prop vs torch autograd, maximum over layers, "
               "activations and seeds")


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


def values(rows: list[dict]) -> dict[str, str]:
    """The quoted value of each claim statistic, keyed claim_statistic, and the report's generated sentences."""
    return {**{f"{r['claim_id']}_{r['statistic']}": quoted(r["value"]) for r in rows}, **prose.sentences(rows)}


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
    ext["hessian_bytes"] = 8 * extrapolate_params ** 2
    ext["explicit_gradient_equivalents"] = explicit_gradient_equivalents(t["scaling"], extrapolate_params)
    sc["explicit_gradient_equivalents"] = sc.n_params * sc.hvp_flops / sc.gradient_flops
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
    z = t["zeros"].groupby(["inputs", "activation", "state", "object", "seed"], as_index=False)[
        ["within", "within_live", "cross", "all"]].mean()
    zeros = pd.concat([summarize(z, ["inputs", "activation", "state", "object"], c).assign(statistic=c)
                       for c in ("within", "within_live", "cross")], ignore_index=True)
    scaling = _scaling_summary(t, extrapolate_params)
    training = _training_summary(t, tiny_passes, ae_passes)
    r = t["rmsprop"][t["rmsprop"].role == "eval"]
    cols = ["spearman_gn", *(f"spearman_{b}" for b in BASELINES), "spearman_empirical_fisher", "cos_rms_gn",
            "cos_sgd_gn"]
    rms = pd.concat([summarize(r, ["step"], c).assign(statistic=c) for c in cols], ignore_index=True)
    g, derivs, newton_tbl = _elementary_summaries(t)
    return {"hessian_norms": norms, "zeros": zeros, "scaling": scaling,
            "training": training, "rmsprop": rms, "gradcheck": g, "newton": newton_tbl,
            "derivatives": derivs}
