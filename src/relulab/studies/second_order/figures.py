"""Figures of the second_order family, drawn from its tables only."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from relulab.core import plots
from relulab.studies.second_order.experiments import affine_cost
from relulab.studies.second_order.training import best_runs


def newton_figure(t: dict[str, pd.DataFrame]):
    """Newton's iteration on each transfer function (left) and damped Newton on one ReLU neuron (right)."""
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
    nw = t["newton"]
    start = sorted(nw.x0.unique(), key=lambda v: abs(v - 0.5))[0]
    for name, g in nw[nw.x0 == start].groupby("activation", sort=False):
        x = g.x.to_numpy()
        broken = not np.isfinite(x[-1])
        ax[0].plot(g["iter"], np.where(np.isfinite(x), x, np.nan), marker=".",
                   label=f"{name} (step undefined at k={len(x) - 1})" if broken else name)
        if broken:
            ax[0].plot(g["iter"].iloc[-1], 0, "x", color="k")
    ax[0].set(yscale="symlog", xlabel="Newton iteration", ylabel="x (symlog)",
              title=f"Newton on the transfer function, x0 = {start} (x: step undefined)")
    ax[0].legend(fontsize=7, ncol=2)
    for seed, g in t["neuron"].groupby("seed"):
        ax[1].plot(g["iter"], np.maximum(g.loss, 1e-32), color="C0", alpha=0.6)
    ax[1].set(yscale="log", xlabel="damped Newton iteration", ylabel="mean squared error",
              title="one ReLU neuron, squared error (one line per seed)")
    return fig


def convexity_figure(t: dict[str, pd.DataFrame]):
    """A sigmoid neuron: 1-D squared-error landscape, its curvature, and smallest Hessian eigenvalues."""
    fig, ax = plt.subplots(1, 3, figsize=(12, 3.4))
    land, mins = t["landscape"], t["minima"]
    ax[0].plot(land.w, land.loss)
    ax[0].plot(mins.w, mins.loss, "o", color="C3", label="local minima")
    ax[0].set(xlabel="w", ylabel="mean squared error", title="sigmoid neuron, constructed 1-D data")
    ax[0].legend()
    ax[1].plot(land.w, land.curvature)
    ax[1].axhline(0, color="k", lw=0.7)
    ax[1].set_yscale("symlog", linthresh=1e-3)
    ax[1].set(xlabel="w", ylabel="d2E/dw2 (symlog)", title="its curvature (negative = non-convex)")
    c = t["convexity"]
    for loss, g in c.groupby("loss"):
        ax[2].hist(np.sign(g.min_eig) * np.log10(1 + np.abs(g.min_eig) * 1e6), bins=40, alpha=0.6, label=loss)
    ax[2].axvline(0, color="k", lw=0.7)
    ax[2].set(xlabel="sign * log10(1 + 1e6 |min eigenvalue|)", ylabel="sampled points",
              title="smallest Hessian eigenvalue, sigmoid neuron")
    ax[2].legend()
    return fig


def _init_blocks(t: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, list]:
    """Hessian blocks at initialization and the activations they cover, in table order."""
    b = t["blocks"][t["blocks"].state == "init"]
    return b, list(b.activation.unique())


def _block_panel(a, g: pd.Series, title: str):
    """One symmetric layer-by-layer matrix of medians, annotated; returns the image."""
    L = int(max(g.index.get_level_values(1))) + 1
    M = np.full((L, L), np.nan)
    for (i, j), v in g.items():
        M[i, j] = M[j, i] = v
    im = a.imshow(M, vmin=0, vmax=1, cmap="viridis")
    plots.annotate_heatmap(a, im, M)  # black on light cells, white on dark ones
    a.set(title=title, xlabel="layer", ylabel="layer", xticks=range(L), yticks=range(L))
    a.grid(False)
    return im


def hessian_figure(t: dict[str, pd.DataFrame]):
    """Per activation: norm shares and exact-zero fractions of the layer-pair blocks at initialization."""
    b, acts = _init_blocks(t)
    panels = [("full", "norm_share", "loss H: norm share"),
              ("rest", "norm_share", "H - GN: norm share"),
              ("full", "exact_zero_fraction", "loss H: exact zeros"),
              ("output", "exact_zero_fraction", "output H: exact zeros")]
    fig, ax = plt.subplots(len(acts), 4, figsize=(15, 3.3 * len(acts)), squeeze=False)
    for r, act in enumerate(acts):
        for c_, (part, col, title) in enumerate(panels):
            g = b[(b.activation == act) & (b.part == part)].groupby(["layer_i", "layer_j"])[col].median()
            im = _block_panel(ax[r, c_], g, f"{act}: {title}")
    fig.colorbar(im, ax=ax, shrink=0.6)
    return fig


def spectra_figure(t: dict[str, pd.DataFrame]):
    """Eigenvalues of the loss Hessian, its Gauss-Newton part and the rest, first seed, per activation."""
    _, acts = _init_blocks(t)
    fig, ax = plt.subplots(1, len(acts), figsize=(5 * len(acts), 3.4), squeeze=False)
    sp = t["spectra"]
    for k, act in enumerate(acts):
        for (state, part), g in sp[(sp.activation == act) & (sp.seed == sp.seed.min())].groupby(["state", "part"]):
            ax[0, k].plot(g["rank"], g.eigenvalue, label=f"{part} ({state})", ls="-" if state == "init" else "--",
                          color={"full": "C0", "gauss_newton": "C1", "rest": "C2"}[part])
        ax[0, k].set_yscale("symlog", linthresh=1e-4)
        ax[0, k].set(xlabel="eigenvalue rank", ylabel="eigenvalue (symlog, linear below 1e-4)",
                     title=f"{act}: spectrum of the loss Hessian (first seed)")
        ax[0, k].legend()
    return fig


def scaling_figure(t: dict[str, pd.DataFrame]):
    """Seconds (with power-law fits extrapolated) and memory of gradient, HVP and explicit Hessian vs size."""
    sc = t["scaling"]
    fig, ax = plt.subplots(1, 2, figsize=(10, 3.6))
    P = np.logspace(np.log10(sc.n_params.min()), 6, 50)
    big = sc[sc.n_params >= sc.n_params.median()]
    for col, label in (("gradient_s", "gradient"), ("hvp_s", "Hessian-vector product"),
                       ("hessian_s", "explicit Hessian")):
        k, c0 = np.polyfit(np.log(big.n_params), np.log(big[col]), 1)
        line, = ax[0].plot(sc.n_params, sc[col], "o", label=f"{label} (slope {k:.2f})")
        ax[0].plot(P, np.exp(c0) * P ** k, "--", color=line.get_color())
    a, b_ = affine_cost(sc, "hvp_s")
    ax[0].plot(P, P * (a + b_ * P), ":", color="k", label="explicit Hessian as N HVPs (affine fit)")
    ax[0].set(xscale="log", yscale="log", xlabel="parameters N", ylabel="seconds",
              title="time (dashed: fit on the larger sizes, extrapolated)")
    ax[0].legend(fontsize=7)
    ax[1].plot(P, 8 * P ** 2 / 2 ** 30, "--", label="explicit Hessian, 8 N^2 bytes")
    ax[1].plot(sc.n_params, sc.hessian_bytes / 2 ** 30, "o", color="C0", label="measured")
    ax[1].plot(P, 8 * P / 2 ** 30, "--", color="C1", label="a vector (HVP), 8 N bytes")
    ax[1].set(xscale="log", yscale="log", xlabel="parameters N", ylabel="GiB", title="memory")
    ax[1].legend(fontsize=7)
    return fig


def _training_panel(a, h: pd.DataFrame, budget: float, title: str):
    """Median (band: min-max over seeds) of the best-so-far loss per method at its best learning rate."""
    best = best_runs(h, budget)[["method", "lr"]].drop_duplicates()
    h = h[h.role == "eval"]
    for _, row in best.iterrows():
        g = h[(h.method == row.method) & ((h.lr == row.lr) | (h.lr.isna() & pd.isna(row.lr)))]
        # Start where every seed has a record, so no point of the median is undefined.
        grid = np.linspace(g.groupby("seed").passes.min().max(), budget, 100)
        curves = [np.interp(grid, s.passes, np.minimum.accumulate(s.loss.to_numpy()))
                  for _, s in g.groupby("seed")]
        lab = row.method if pd.isna(row.lr) else f"{row.method} (lr {row.lr:g})"
        a.plot(grid, np.nanmedian(curves, 0), label=lab)
        a.fill_between(grid, np.nanmin(curves, 0), np.nanmax(curves, 0), alpha=0.15)
    a.set(yscale="log", xlabel="gradient-equivalent passes", ylabel="training loss", title=title)
    a.legend(fontsize=7)


def training_figure(t: dict[str, pd.DataFrame], tiny_passes: float, ae_passes: float):
    """Training loss against gradient-equivalent passes: tiny ReLU network (left), digits autoencoder (right)."""
    fig, ax = plt.subplots(1, 2, figsize=(11, 3.6))
    for a, (name, budget, title) in zip(ax, (("tiny", tiny_passes, "tiny ReLU regression network"),
                                             ("autoencoder", ae_passes, "digits autoencoder"))):
        _training_panel(a, t[name], budget, title)
    return fig


def rmsprop_figure(t: dict[str, pd.DataFrame]):
    """Left: Spearman correlation with the GN diagonal of RMSProp's second moment and of the curvature-blind
    baselines per step; right: cosine of the RMSProp and SGD steps with the damped Gauss-Newton step."""
    r = t["rmsprop"][t["rmsprop"].role == "eval"]
    fig, ax = plt.subplots(1, 2, figsize=(11, 3.6))
    panels = [(ax[0], (("spearman_gn", "RMSProp v"), ("spearman_input_second_moment", "input E[x^2] (blind)"),
                       ("spearman_minibatch_sq_grad", "one mini-batch g^2 (blind)")),
               dict(ylim=(-1, 1), ylabel="Spearman with the GN diagonal", title="ranking by curvature")),
              (ax[1], (("cos_rms_gn", "RMSProp step"), ("cos_sgd_gn", "SGD step")),
               dict(ylim=(-1, 1), ylabel="cosine with the damped GN step", title="step direction"))]
    for a, cols, labels in panels:
        for col, label in cols:
            g = r.groupby("step")[col]
            a.plot(g.median().index, g.median(), marker="o", label=label)
            a.fill_between(g.median().index, g.min(), g.max(), alpha=0.2)
        a.set(xlabel="RMSProp step", **labels)
        a.legend(fontsize=7)
    return fig


def figures(t: dict[str, pd.DataFrame], tiny_passes: float, ae_passes: float) -> dict:
    """Matplotlib figures of the family, keyed like the plot rule's outputs."""
    plots.style()
    return {"newton": newton_figure(t), "convexity": convexity_figure(t), "hessian": hessian_figure(t),
            "spectra": spectra_figure(t), "scaling": scaling_figure(t),
            "training": training_figure(t, tiny_passes, ae_passes), "rmsprop": rmsprop_figure(t)}
