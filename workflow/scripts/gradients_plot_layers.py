"""Figures: per-layer gradient heatmap (layer x depth per activation); saturation and deep-net training; long
sigmoid runs."""
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import seaborn as sns

from relulab.studies.gradients import flow as gradstats
from relulab.core import plots, runtime

log = runtime.start(snakemake)
plots.style()
layers = pd.read_csv(snakemake.input.layers)
keep = [i == gradstats.recommended_init(a, layers.init.unique()) for a, i in zip(layers.activation, layers.init)]
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
plots.save(fig, snakemake.output.heatmap)
track, deep = pd.read_csv(snakemake.input.track), pd.read_csv(snakemake.input.deep)
fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 3.6))
sat = track[track.saturated.notna()]
sns.lineplot(sat.astype({"layer": str}), x="step", y="saturated", hue="activation", style="layer", ax=a1, errorbar=("pi", 50))
a1.set(title="Saturated units per layer along training", ylabel="fraction saturated")
sns.lineplot(deep, x="step", y="train_acc", hue="cell", ax=a2, errorbar=("pi", 50))
a2.set(title=f"{int(deep.depth.iloc[0])} hidden layers, SGD + momentum", ylabel="training accuracy")
plots.save(fig, snakemake.output.training)
long = pd.read_csv(snakemake.input.saturation)
top = long[long.layer == long.layer.max()].assign(lr=lambda t: t.lr.map("lr {:g}".format))
fig, axes = plt.subplots(1, 3, figsize=(13, 3.4))
for ax, col, label in zip(axes, ("act_mean", "saturated", "train_acc"),
                          ("mean activation", "fraction saturated", "training accuracy")):
    sns.lineplot(top, x="step", y=col, hue="lr", ax=ax, errorbar=("pi", 50), estimator="median")
    ax.set(ylabel=label, ylim=(0, 1.02), title=f"sigmoid, top hidden layer: {label}" if col != "train_acc"
           else "training accuracy (dashed: chance)")
axes[2].axhline(0.1, color="k", ls="--", lw=0.8)
plots.save(fig, snakemake.output.saturation)
