"""Figures: steps to the target error per activation and learning rate; input drift with and without batch norm."""
import matplotlib.pyplot as plt
import pandas as pd
import seaborn as sns

from relulab.studies.gradients import convergence
from relulab.core import plots, runtime

log = runtime.start(snakemake)
plots.style()
speed, centering = pd.read_csv(snakemake.input.speed), pd.read_csv(snakemake.input.centering)
reach = convergence.reach_table(speed, "train_acc", 1 - snakemake.params.target_error)
reach["censored_steps"] = reach.steps.fillna(reach.budget)
fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.8))
sns.lineplot(reach, x="lr", y="censored_steps", hue="activation", marker="o", ax=a1, errorbar=("pi", 50))
a1.set(xscale="log", yscale="log", xlabel="SGD learning rate",
       ylabel=f"steps to {snakemake.params.target_error:.0%} training error (budget if never)",
       title="Speed vs learning rate")
target = snakemake.params.target_acc
best_hist = centering.merge(convergence.best_steps(centering, "test_acc", target)[["cell", "lr"]].drop_duplicates())
sns.lineplot(best_hist, x="step", y="test_acc", hue="cell", ax=a2, errorbar=("pi", 50))
a2.axhline(target, color="k", ls="--", lw=1)
a2.set(title="Zero-centred outputs and batch norm (best lr each)", ylabel="test accuracy")
plots.save(fig, snakemake.output.speed)
drift = pd.read_csv(snakemake.input.drift)
one = drift[(drift.seed == drift.seed.min()) & (drift.unit == 0)]
fig, axes = plt.subplots(1, 2, figsize=(10, 3.4), sharey=True)
for ax, (bn, g) in zip(axes, one.groupby("batch_norm")):
    ax.fill_between(g.step, g.p15, g.p85, alpha=0.3)
    ax.plot(g.step, g.p50)
    ax.set(title=f"{'with' if bn else 'without'} batch norm", xlabel="step", ylabel="input of a last-layer unit")
plots.save(fig, snakemake.output.drift)
