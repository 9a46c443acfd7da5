"""Figures of the gradients family: per-layer gradients and saturation, dead units, training speed and drift.

Every function sets the shared style, takes the family's tables and returns a matplotlib figure (saved by the
caller with plots.save)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from relulab.core import plots
from relulab.studies.gradients import convergence, dying
from relulab.studies.gradients.flow import recommended_init


def gradient_heatmap_figure(layers: pd.DataFrame):
    """Per activation (at its recommended init): log10 gradient norm per layer relative to the last, layer x depth."""
    plots.style()
    keep = [i == recommended_init(a, layers.init.unique()) for a, i in zip(layers.activation, layers.init)]
    t = layers[keep].groupby(["activation", "init", "depth", "layer"], as_index=False).bgrad_norm.median()
    t["rel"] = np.log10(t.bgrad_norm / t.groupby(["activation", "depth"]).bgrad_norm.transform("last"))
    acts = list(dict.fromkeys(layers.activation))
    fig, axes = plt.subplots(1, len(acts), figsize=(2.6 * len(acts), 3.4), sharey=True, squeeze=False)
    lim = min(3.0, max(1.0, float(np.nanmax(np.abs(t.rel)))))  # clipped: a sigmoid loses many decades
    for ax, act in zip(axes[0], acts):
        grid = t[t.activation == act].pivot(index="layer", columns="depth", values="rel")
        sns.heatmap(grid, ax=ax, cmap="RdBu_r", vmin=-lim, vmax=lim, cbar=ax is axes[0][-1],
                    cbar_kws={"label": f"log10 ||dL/dz_l|| / ||dL/dz_L|| (clipped at ±{lim:g})"})
        ax.set_title(f"{act} ({t[t.activation == act].init.iloc[0]})")
        ax.invert_yaxis()
    return fig


def training_layers_figure(track: pd.DataFrame, deep: pd.DataFrame):
    """Saturated units per layer along training; training accuracy of the deep Xavier/He networks."""
    plots.style()
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
    sat = track[track.saturated.notna()]
    sns.lineplot(sat.astype({"layer": str}), x="step", y="saturated", hue="activation", style="layer", ax=a1,
                 errorbar=("pi", 50))
    a1.set(title="Saturated units per layer along training", ylabel="fraction saturated")
    sns.lineplot(deep, x="step", y="train_acc", hue="cell", ax=a2, errorbar=("pi", 50))
    a2.set(title=f"{int(deep.depth.iloc[0])} hidden layers, SGD + momentum", ylabel="training accuracy")
    return fig


def saturation_long_figure(long: pd.DataFrame):
    """Long sigmoid runs per learning rate, top hidden layer: mean activation, saturated fraction, accuracy."""
    plots.style()
    top = long[long.layer == long.layer.max()].assign(lr=lambda t: t.lr.map("lr {:g}".format))
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
    for ax, col, label in zip(axes, ("act_mean", "saturated", "train_acc"),
                              ("mean activation", "fraction saturated", "training accuracy")):
        sns.lineplot(top, x="step", y=col, hue="lr", ax=ax, errorbar=("pi", 50), estimator="median")
        ax.set(ylabel=label, ylim=(0, 1.02), title=f"sigmoid, top hidden layer: {label}" if col != "train_acc"
               else "training accuracy (dashed: chance)")
    axes[2].axhline(0.1, color="k", ls="--", lw=0.8)
    return fig


def dead_units_figure(sweep: pd.DataFrame, traj: pd.DataFrame, spike_step: int):
    """Dead units at the end vs learning rate and depth; along training (deepest); around one large update."""
    plots.style()
    fd = dying.final_dead(sweep)
    fd = fd[fd.role == "eval"]
    fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(14, 3.6))
    sns.lineplot(fd.astype({"depth": str}), x="lr", y="dead_fraction", hue="depth", marker="o", ax=a1,
                 errorbar=("pi", 50))
    a1.set(xscale="log", title="Dead units at the end of SGD training", ylabel="fraction dead", xlabel="learning rate")
    deepest = sweep[sweep.depth == sweep.depth.max()].groupby(["lr", "seed", "step"],
                                                              as_index=False).dead_fraction.mean()
    sns.lineplot(deepest.astype({"lr": str}), x="step", y="dead_fraction", hue="lr", ax=a2, errorbar=("pi", 50))
    a2.set(title=f"{int(sweep.depth.max())} hidden layers: dead units along training", ylabel="fraction dead")
    sns.lineplot(traj.astype({"layer": str}), x="step", y="dead_fraction", hue="layer", ax=a3, errorbar=("pi", 50))
    a3.axvline(spike_step, color="k", ls="--", lw=1)
    a3.set(title="One large update (dashed), then training goes on", ylabel="fraction dead")
    return fig


def born_dead_figure(born: pd.DataFrame):
    """Born-dead probability per bias scale: Monte Carlo (one input, whole probe set) against the closed form."""
    plots.style()
    fig, axes = plt.subplots(1, born.bias_std.nunique(), figsize=(11, 3.8), squeeze=False, sharey=True)
    for ax, (bias, g) in zip(axes[0], born.groupby("bias_std")):
        for i, (w, gw) in enumerate(g.groupby("width")):
            c = f"C{i}"
            ax.plot(gw.depth, gw.theory, color=c, lw=1, label=f"N={w}: 1-(1-2^-N)^L")
            ax.errorbar(gw.depth, gw.p_one_input, yerr=[gw.p_one_input - gw.ci_low, gw.ci_high - gw.p_one_input],
                        fmt="o", color=c, ms=4, capsize=2)
            ax.plot(gw.depth, gw.p_domain, "x", color=c, ms=5)
        ax.set(xscale="log", xlabel="hidden layers L", ylabel="P(born dead)",
               title=f"biases ~ N(0, {bias:g}^2); o one input, x whole probe set")
    axes[0][0].legend(fontsize=7)
    return fig


def speed_figure(speed: pd.DataFrame, centering: pd.DataFrame, target_error: float, target_acc: float):
    """Steps to the target training error vs learning rate; test accuracy of the zero-centring variants."""
    plots.style()
    reach = convergence.reach_table(speed, "train_acc", 1 - target_error)
    reach = reach[reach.role == "eval"]
    reach["censored_steps"] = reach.steps.fillna(reach.budget)
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.8))
    sns.lineplot(reach, x="lr", y="censored_steps", hue="activation", marker="o", ax=a1, errorbar=("pi", 50))
    a1.set(xscale="log", yscale="log", xlabel="SGD learning rate",
           ylabel=f"steps to {target_error:.0%} training error (budget if never)", title="Speed vs learning rate")
    best = convergence.best_steps(centering, "test_acc", target_acc)[["cell", "lr"]].drop_duplicates()
    best_hist = centering[centering.role == "eval"].merge(best)
    sns.lineplot(best_hist, x="step", y="test_acc", hue="cell", ax=a2, errorbar=("pi", 50))
    a2.axhline(target_acc, color="k", ls="--", lw=1)
    a2.set(title="Zero-centring and batch norm (lr tuned per arm)", ylabel="test accuracy")
    return fig


def drift_figure(drift: pd.DataFrame):
    """Input percentiles of one last-layer sigmoid unit (first seed) along training, without and with batch norm."""
    plots.style()
    one = drift[(drift.seed == drift.seed.min()) & (drift.unit == 0)]
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True)
    for ax, (bn, g) in zip(axes, one.groupby("batch_norm")):
        ax.fill_between(g.step, g.p15, g.p85, alpha=0.3)
        ax.plot(g.step, g.p50)
        ax.set(title=f"{'with' if bn else 'without'} batch norm", xlabel="step", ylabel="input of a last-layer unit")
    return fig


def f6_figure(probes: pd.DataFrame):
    """Glorot & Bengio 2010, Fig. 2 style: per hidden layer, the median over evaluation seeds of the activations'
    50th percentile (line) and 15-85th percentiles (band) along training, standard vs normalized init."""
    plots.style()
    p = probes[probes.role == "eval"]
    med = p.groupby(["cell", "layer", "step"], as_index=False)[["act_p15", "act_p50", "act_p85"]].median()
    arms = list(dict.fromkeys(med.cell))
    fig, axes = plt.subplots(1, len(arms), figsize=(5.5 * len(arms), 3.6), sharey=True, squeeze=False)
    for ax, arm in zip(axes[0], arms):
        for i, (layer, g) in enumerate(med[med.cell == arm].groupby("layer")):
            ax.fill_between(g.step, g.act_p15, g.act_p85, color=f"C{i}", alpha=0.2)
            ax.plot(g.step, g.act_p50, color=f"C{i}", label=f"layer {layer}")
        ax.set(title=f"sigmoid, {arm} init", xlabel="SGD step", ylabel="activation (15/50/85th percentiles)",
               ylim=(0, 1))
    axes[0][0].legend(fontsize=7)
    return fig
