"""Figures of the images family: first-layer filters, layer probes, invariance curves, accuracy vs
parameters, and the activation grid."""

from __future__ import annotations

import numpy as np
import pandas as pd

from relulab.studies.images import cnn, gabor
from relulab.studies.images.claims import activation_table, median_ci, params_table
from relulab.studies.images.experiments import first_filters


def plot_filters(st: cnn.Stack, filters: pd.DataFrame):
    """First seed's first-layer filters (trained, their Gabor fits, at init) and R^2 by kind."""
    import matplotlib.pyplot as plt
    banks = {"trained": first_filters(st)[0], "random init": first_filters(cnn.Stack(st.spec, st.seeds[:1]))[0]}
    fits = gabor.fit_all(banks["trained"])
    rows = [("trained", banks["trained"]), ("Gabor fit", np.stack([gabor.gabor(p, banks["trained"].shape[-1])
                                                                   for p in fits[0]])), ("random init", banks["random init"])]
    n = banks["trained"].shape[0]
    fig = plt.figure(figsize=(1.0 * n + 3.5, 3.4))
    grid = fig.add_gridspec(3, n + 4)
    filter_axes = []
    for r, (name, bank) in enumerate(rows):
        for i, f in enumerate(bank):
            ax = fig.add_subplot(grid[r, i])
            filter_axes.append(ax)
            im = ax.imshow(f / np.abs(f).max(), cmap="RdBu_r", vmin=-1, vmax=1)  # each filter on its own scale
            ax.set_xticks([]), ax.set_yticks([])
            if i == 0:
                ax.set_ylabel(name, fontsize=7)
            if r == 0:
                ax.set_title(f"R²={fits[1][i]:.2f}", fontsize=6)
    cbar = fig.colorbar(im, ax=filter_axes, orientation="horizontal", fraction=0.05, pad=0.04, aspect=40)
    cbar.set_label("weight / its filter's max |weight|", fontsize=6)
    cbar.ax.tick_params(labelsize=6)
    ax = fig.add_subplot(grid[:, n + 1:])
    kinds = ["trained", "random_init", "shuffled_labels"]
    ax.boxplot([filters[filters.kind == k].r2.dropna() for k in kinds], tick_labels=["trained", "init", "shuffled"])
    ax.set_ylabel("Gabor fit R² (all seeds)")
    return fig


def plot_probes(probes_df: pd.DataFrame):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(4.5, 3.2))
    for kind, g in median_ci(probes_df, ["kind", "depth"], "probe_acc").groupby("kind"):
        ax.errorbar(g.depth, g["median"], yerr=[g["median"] - g.ci_low, g.ci_high - g["median"]], marker="o",
                    capsize=3, label=kind)
    names = probes_df.drop_duplicates("depth").sort_values("depth")
    ax.set_xticks(names.depth, names.layer)
    ax.set_ylabel("linear-probe test accuracy")
    ax.legend()
    return fig


def plot_invariance(inv: pd.DataFrame):
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
    for ax, kind, xlabel in zip(axes, ("shift", "rotate"), ("shift (pixels, horizontal and vertical)", "rotation (degrees)")):
        for model, g in median_ci(inv[inv["transform"] == kind], ["model", "value"], "accuracy").groupby("model"):
            ax.plot(g.value, g["median"], marker="o", label=model)
            ax.fill_between(g.value, g.ci_low, g.ci_high, alpha=0.2)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("test accuracy")
    axes[1].legend(fontsize=7)
    return fig


def plot_params(metrics: pd.DataFrame):
    import matplotlib.pyplot as plt
    t = params_table(metrics)
    fig, ax = plt.subplots(figsize=(5, 3.4))
    for _, r in t.iterrows():
        colour = "C0" if r.model.startswith("cnn") or r.model == "head_random" else "C1"
        ax.errorbar(r.params, r["median"], yerr=[[r["median"] - r.ci_low], [r.ci_high - r["median"]]], marker="o",
                    color=colour, capsize=3)
        ax.annotate(r.model, (r.params, r["median"]), fontsize=6, xytext=(3, 3), textcoords="offset points")
    ax.set_xscale("log")
    ax.set_xlabel("parameters (log scale); blue: CNNs, orange: dense networks")
    ax.set_ylabel("test accuracy")
    return fig


def plot_activations(acts: pd.DataFrame):
    import matplotlib.pyplot as plt
    t = activation_table(acts)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.4), sharey=False)
    for ax, size in zip(axes, ("full", "small")):
        order = list(dict.fromkeys(acts[acts["size"] == size].activation))  # the full set trains fewer
        for j, (stat, off) in enumerate((("train_error", -0.15), ("test_error", 0.15))):
            g = t[(t["size"] == size) & (t.statistic == stat)].set_index("activation").loc[order]
            x = np.arange(len(order)) + off
            ax.errorbar(x, g["median"], yerr=[g["median"] - g.ci_low, g.ci_high - g["median"]], fmt="o", capsize=3,
                        label=stat.replace("_", " "))
        n = int(acts[acts["size"] == size].n_train.iloc[0])
        ax.set_xticks(np.arange(len(order)), order, rotation=45, ha="right", fontsize=7)
        ax.set_title(f"{size} training set (n = {n})")
        ax.set_ylabel("error (median over seeds, 95% CI)")
    axes[0].legend()
    return fig
