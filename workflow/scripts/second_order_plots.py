"""Figures of the second_order family, drawn from its tables only."""
import pandas as pd

from relulab.core import plots, runtime
from relulab.studies.second_order import figures

log = runtime.start(snakemake)
tables = {k: pd.read_csv(v) for k, v in snakemake.input.items()}
figs = figures.figures(tables, snakemake.params.tiny_passes, snakemake.params.ae_passes)
for name, fig in figs.items():
    plots.save(fig, snakemake.output[name])
log.info("wrote %d figures", len(figs))
