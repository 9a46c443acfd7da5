"""Figures: steps to the target error per activation and learning rate; input drift with and without batch norm."""
import pandas as pd

from relulab.core import plots, runtime
from relulab.studies.gradients import figures

log = runtime.start(snakemake)
inp, out, params = snakemake.input, snakemake.output, snakemake.params
speed, centering = pd.read_csv(inp.speed), pd.read_csv(inp.centering)
plots.save(figures.speed_figure(speed, centering, params.target_error, params.target_acc), out.speed)
plots.save(figures.drift_figure(pd.read_csv(inp.drift)), out.drift)
