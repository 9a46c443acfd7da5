"""Figures of the regions family: bounds vs exact counts, folding, scaling, region maps, approximation."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.collections import PolyCollection

from relulab.core import models, plots
from relulab.regions import Box, enumerate_regions
from relulab.regions.constructions import montufar_folding
from relulab.studies.regions.count import random_layers
from relulab.studies.regions.folding import pattern_image, preimages

BOUND_STYLE = {"shallow_max": ("shallow maximum (Zaslavsky)", "k", "--"),
               "pascanu_lower": ("Pascanu et al. 2013 lower", "C2", ":"),
               "montufar_lower": ("Montufar et al. 2014 lower", "C0", "-"),
               "serra_lower": ("Serra et al. 2018 lower", "C4", "-."),
               "serra_upper": ("Serra et al. 2018 upper", "C3", "-")}


def bounds_figure(theory: pd.DataFrame, cons: pd.DataFrame, maxout: pd.DataFrame, budget_df: pd.DataFrame,
                  fixed: pd.DataFrame | None = None):
    """Theory curves at a fixed unit budget with exact construction counts and typical random nets; the
    middle panel adds the folding construction at a fixed width per layer and the one-layer maximum."""
    plots.style()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    ax = axes[0]
    n = theory["budget"].max()
    t = theory[theory["budget"] == n]
    for bound, (label, color, ls) in BOUND_STYLE.items():
        b = t[t["bound"] == bound].sort_values("depth")
        if len(b):
            ax.plot(b["depth"], b["value"], ls, color=color, label=label)
    c = cons[(cons["construction"] == "montufar_folding") & (cons["budget"] == n)]
    ax.plot(c["depth"], c["n_linear"], "o", color="C0", ms=8, label="folding construction (exact count)")
    if len(budget_df):
        med = budget_df.groupby("depth")["n_linear"].median()
        ax.plot(med.index, med.values, "s", color="C1", label="random nets, median (exact count)")
    ax.set(yscale="log", xlabel="depth L (equal widths)", ylabel="linear regions",
           title=f"{n} hidden units, 2-D input")
    ax.legend(fontsize=7)
    ax = axes[1]
    for name, base, color in (("sawtooth", 2, "C2"), ("tent_fold", 4, "C3")):
        c = cons[cons["construction"] == name].sort_values("depth")
        ax.plot(c["depth"], float(base) ** c["depth"], "-", color=color, label=f"{base}^L theory")
        ax.plot(c["depth"], c["n_linear"], "o", color=color, label=f"{name} (exact count)")
    if fixed is not None and len(fixed):
        f = fixed.sort_values("depth")
        w = int(f["width"].iloc[0])
        ax.plot(f["depth"], f["n_linear"], "D-", color="C0", label=f"folding, width {w} per layer (exact)")
        ax.plot(f["depth"], f["shallow_max_same_units"], "--", color="C7", label=f"one layer of {w}L units (max)")
    ax.set(yscale="log", xlabel="depth L", ylabel="linear regions", title="depth at a fixed width per layer")
    ax.legend(fontsize=7)
    ax = axes[2]
    for i, (k, g) in enumerate(maxout.groupby("rank")):
        g = g.sort_values("depth")
        ax.plot(g["depth"], g["theorem8"], "-", color=f"C{i}", label=f"k={k}: k^(L-1) k^2")
        ax.plot(g["depth"], g["n_linear"], "o", color=f"C{i}", label=f"k={k}: construction (exact)")
    ax.set(yscale="log", xlabel="maxout layers L (width 2)", ylabel="linear regions", title="maxout, Theorem 8")
    ax.legend(fontsize=7)
    fig.tight_layout()
    return fig


def folding_figure(nets: list, n: int = 300):
    """Inputs coloured by one intermediate layer's pattern; dots: every input sharing one hidden vector.

    nets: list of (title, layers, box, layer, probe point). Colours: the pattern of the layer after `layer`,
    a function of layer `layer`'s output, so every fold shows a copy of the same partition.
    """
    from relulab.regions import Box

    plots.style()
    fig, axes = plt.subplots(1, len(nets), figsize=(4.3 * len(nets), 4.2))
    for ax, (title, layers, box, layer, probe) in zip(np.atleast_1d(axes), nets):
        img = pattern_image(layers, box, layer + 1, n)
        rng = np.random.default_rng(0)
        ax.imshow(rng.permutation(img.max() + 1)[img], origin="lower", extent=box, cmap="tab20", interpolation="nearest")
        pre = preimages(layers, Box(*box), layer, np.asarray([probe]))[0]
        ax.plot(pre[:, 0], pre[:, 1], "o", color="k", ms=4, mfc="w")
        ax.set(title=f"{title}\n{len(pre)} inputs share one layer-{layer} output", xticks=[], yticks=[])
        ax.grid(False)
    fig.tight_layout()
    return fig


def folding_nets(fold_widths, base_seed: int, bias_std: float) -> list:
    """The folding figure's two nets: the folding construction of these widths and a random net of the same
    widths, each with its domain, probed layer and probe point."""
    w = tuple(fold_widths)
    probe = np.array([0.3141, 0.2718])
    return [("folding construction " + "x".join(map(str, w)), montufar_folding(w), (0, 1, 0, 1), len(w) - 1, probe),
            ("random net, same widths", random_layers(w, base_seed, bias_std), (-1, 1, -1, 1), len(w) - 1,
             2 * probe - 1)]


def map_panels(paths) -> list:
    """The maps figure's panels: each checkpoint's regions on [-1, 1]^2 at init and after training."""
    panels = []
    for path in paths:
        ckpt = models.load_checkpoint(path)
        for stage, params in (("init", ckpt.init_params), ("trained", ckpt.params)):
            layers = models.layers_of(ckpt.spec, params, 0)
            panels.append((f"{ckpt.spec.arch}, {stage}", enumerate_regions(layers, Box(-1, 1, -1, 1)), layers))
    return panels


def scaling_figure(grid: pd.DataFrame, budget_df: pd.DataFrame, trained: pd.DataFrame, digits: pd.DataFrame):
    """Typical counts: vs neurons (random grid), vs depth at a fixed budget (init/trained), digits slices."""
    plots.style()
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))
    ax = axes[0]
    med = grid.groupby(["depth", "neurons"], as_index=False)["n_linear"].median()
    for i, (L, g) in enumerate(med.groupby("depth")):
        ax.plot(g["neurons"], g["n_linear"], "o-", color=f"C{i}", label=f"depth {L}")
    x = np.array([grid["neurons"].min(), grid["neurons"].max()], dtype=float)
    ax.plot(x, med["n_linear"].min() * (x / x[0]) ** 2, "k--", label="slope 2 (neurons^2)")
    ax.set(xscale="log", yscale="log", xlabel="hidden neurons", ylabel="linear regions on [-1, 1]^2",
           title="random nets (He weights, biased)")
    ax.legend(fontsize=7)
    ax = axes[1]
    if len(budget_df):
        m = budget_df.groupby("depth")["n_linear"].median()
        ax.plot(m.index, m.values, "s-", color="C1", label="random, biased")
    for i, ((act, stage), g) in enumerate(trained.groupby(["activation", "stage"])):
        m = g.groupby("depth")["n_linear"].median()
        ax.plot(m.index, m.values, "o-" if stage == "trained" else "o:", color=f"C{2 + i}", label=f"{act}, {stage}")
    ax.set(yscale="log", xlabel="depth (fixed unit budget)", ylabel="linear regions (median over seeds)",
           title="fixed budget: typical nets")
    ax.legend(fontsize=7)
    ax = axes[2]
    dg = digits.pivot_table(index=["seed", "slice"], columns="stage", values="n_linear").reset_index()
    ax.scatter(dg["init"], dg["trained"], color="C0")
    lim = [min(dg[["init", "trained"]].min()) * 0.8, max(dg[["init", "trained"]].max()) * 1.2]
    ax.plot(lim, lim, "k--", lw=1)
    ax.set(xscale="log", yscale="log", xlabel="regions at initialisation", ylabel="regions after training",
           title=f"digits MLP {digits['arch'].iloc[0]}, planes through 3 test images")
    fig.tight_layout()
    return fig


def maps_figure(panels: list, grid: int = 200):
    """Per model: the exact partition coloured by region, next to the learned surface.

    panels: list of (title, partition, layers) on the same box.
    """
    plots.style()
    fig, axes = plt.subplots(2, len(panels), figsize=(4.2 * len(panels), 8))
    axes = np.asarray(axes).reshape(2, -1)
    for j, (title, part, layers) in enumerate(panels):
        ax = axes[0, j]
        rng = np.random.default_rng(j)
        pc = PolyCollection(part.polygons, facecolors=plt.cm.tab20(rng.integers(0, 20, part.n_regions)),
                            edgecolors="k", linewidths=0.15)
        ax.add_collection(pc)
        P = part.domain.polygon
        ax.set(xlim=(P[:, 0].min(), P[:, 0].max()), ylim=(P[:, 1].min(), P[:, 1].max()), aspect="equal",
               title=f"{title}\n{part.n_regions} regions")
        g = np.linspace(P[:, 0].min(), P[:, 0].max(), grid)
        X = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
        H = X
        for W, b in layers[:-1]:
            H = np.maximum(H @ W.T + b, 0)
        f = (H @ layers[-1][0].T + layers[-1][1])[:, 0].reshape(grid, grid)
        im = axes[1, j].imshow(f, origin="lower", extent=(g[0], g[-1], g[0], g[-1]), cmap="viridis")
        fig.colorbar(im, ax=axes[1, j], shrink=0.85)  # the title names the quantity
        axes[1, j].set(title="learned surface f(x1, x2)")
        axes[1, j].grid(False)
        ax.grid(False)
    fig.tight_layout()
    return fig


def approx_figure(approx: pd.DataFrame):
    """Normalised test MSE against linear regions and against hidden units, per depth and target."""
    plots.style()
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    med = approx.groupby(["task", "depth", "width", "units"], as_index=False)[["nmse", "n_linear"]].median()
    for i, ((task, depth), g) in enumerate(med.groupby(["task", "depth"])):
        ls = "-" if depth == med["depth"].min() else "--"
        axes[0].plot(g["n_linear"], g["nmse"], "o" + ls, color=f"C{i}", label=f"{task}, depth {depth}")
        axes[1].plot(g["units"], g["nmse"], "o" + ls, color=f"C{i}", label=f"{task}, depth {depth}")
    axes[0].scatter(approx["n_linear"], approx["nmse"], s=6, color="0.6", zorder=0)
    axes[0].set(xscale="log", yscale="log", xlabel="linear regions after training", ylabel="test MSE / Var(y)")
    axes[1].set(xscale="log", yscale="log", xlabel="hidden units", ylabel="test MSE / Var(y)")
    axes[0].legend(fontsize=7)
    fig.tight_layout()
    return fig
