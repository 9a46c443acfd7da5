"""Figures: dead-unit curves (learning rate, depth, one large update) and born-dead probability vs theory."""
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from relulab.studies.gradients import dying
from relulab.core import plots, runtime

log = runtime.start(snakemake)
plots.style()
sweep, traj = pd.read_csv(snakemake.input.sweep), pd.read_csv(snakemake.input.spike_trajectory)
fd = dying.final_dead(sweep)
fig, (a1, a2, a3) = plt.subplots(1, 3, figsize=(14, 3.6))
sns.lineplot(fd.astype({"depth": str}), x="lr", y="dead_fraction", hue="depth", marker="o", ax=a1, errorbar=("pi", 50))
a1.set(xscale="log", title="Dead units at the end of SGD training", ylabel="fraction dead", xlabel="learning rate")
deepest = sweep[sweep.depth == sweep.depth.max()].groupby(["lr", "seed", "step"], as_index=False).dead_fraction.mean()
sns.lineplot(deepest.astype({"lr": str}), x="step", y="dead_fraction", hue="lr", ax=a2, errorbar=("pi", 50))
a2.set(title=f"{int(sweep.depth.max())} hidden layers: dead units along training", ylabel="fraction dead")
sns.lineplot(traj.astype({"layer": str}), x="step", y="dead_fraction", hue="layer", ax=a3, errorbar=("pi", 50))
a3.axvline(snakemake.params.spike_step, color="k", ls="--", lw=1)
a3.set(title="One large update (dashed), then training goes on", ylabel="fraction dead")
plots.save(fig, snakemake.output.dead)
born = pd.read_csv(snakemake.input.born)
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
plots.save(fig, snakemake.output.born)
