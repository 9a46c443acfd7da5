"""Figures: per-layer gradient heatmap (layer x depth per activation); saturation and deep-net training; long
sigmoid runs."""
import pandas as pd

from relulab.core import plots, runtime
from relulab.studies.gradients import figures

log = runtime.start(snakemake)
inp, out = snakemake.input, snakemake.output
plots.save(figures.gradient_heatmap_figure(pd.read_csv(inp.layers)), out.heatmap)
plots.save(figures.training_layers_figure(pd.read_csv(inp.track), pd.read_csv(inp.deep)), out.training)
plots.save(figures.saturation_long_figure(pd.read_csv(inp.saturation)), out.saturation)
plots.save(figures.f6_figure(pd.read_csv(inp.f6_probes)), out.f6)
