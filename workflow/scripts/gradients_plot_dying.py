"""Figures: dead-unit curves (learning rate, depth, one large update) and born-dead probability vs theory."""
import pandas as pd

from relulab.core import plots, runtime
from relulab.studies.gradients import figures

log = runtime.start(snakemake)
inp, out = snakemake.input, snakemake.output
sweep, traj = pd.read_csv(inp.sweep), pd.read_csv(inp.spike_trajectory)
plots.save(figures.dead_units_figure(sweep, traj, snakemake.params.spike_step), out.dead)
plots.save(figures.born_dead_figure(pd.read_csv(inp.born)), out.born)
