"""Figures of the images family, from its tables (and the trained CNN for the filter grid)."""
import pandas as pd

from relulab.studies.images import experiments, figures
from relulab.core import plots, runtime

log = runtime.start(snakemake)
inp, out = snakemake.input, snakemake.output
plots.style()
metrics = pd.concat([pd.read_csv(p) for p in inp.metrics])
acts = pd.concat([pd.read_csv(p) for p in inp.acts])
plots.save(figures.plot_filters(experiments.load_stack(inp.cnn), pd.read_csv(inp.filters)), out.filters)
plots.save(figures.plot_probes(pd.read_csv(inp.probes)), out.probes)
plots.save(figures.plot_invariance(pd.read_csv(inp.invariance)), out.invariance)
plots.save(figures.plot_params(metrics), out.params)
plots.save(figures.plot_activations(acts), out.activations)
