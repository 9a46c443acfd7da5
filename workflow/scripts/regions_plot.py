"""Figures of the regions family (plotting only: reads tables, recomputes nothing expensive)."""
import pandas as pd

from relulab.core import plots, runtime
from relulab.studies.regions import figures

log = runtime.start(snakemake)
inp, out, p = snakemake.input, snakemake.output, snakemake.params
names = ["theory", "constructions", "maxout", "grid", "budget", "trained", "digits", "approx", "fixed_width"]
t = {k: pd.read_csv(inp[k]) for k in names}
plots.save(figures.bounds_figure(t["theory"], t["constructions"], t["maxout"], t["budget"], t["fixed_width"]), out.bounds)
plots.save(figures.folding_figure(figures.folding_nets(p.fold_widths, p.base_seed, p.bias_std)), out.folding)
plots.save(figures.scaling_figure(t["grid"], t["budget"], t["trained"], t["digits"]), out.scaling)
plots.save(figures.maps_figure(figures.map_panels(inp.maps)), out.maps)
plots.save(figures.approx_figure(t["approx"]), out.approx)
log.info("figures written")
