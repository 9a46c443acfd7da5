"""Figures of the regions family (plotting only: reads tables, recomputes nothing expensive)."""
import pandas as pd

from relulab.core import plots, runtime
from relulab.studies.regions import figures as regions_plots

log = runtime.start(snakemake)
inp, out, p = snakemake.input, snakemake.output, snakemake.params
t = {k: pd.read_csv(inp[k]) for k in ["theory", "constructions", "maxout", "grid", "budget", "trained", "digits", "approx"]}
plots.save(regions_plots.bounds_figure(t["theory"], t["constructions"], t["maxout"], t["budget"]), out.bounds)
plots.save(regions_plots.folding_figure(regions_plots.folding_nets(p.fold_widths, p.base_seed, p.bias_std)), out.folding)
plots.save(regions_plots.scaling_figure(t["grid"], t["budget"], t["trained"], t["digits"]), out.scaling)
plots.save(regions_plots.maps_figure(regions_plots.map_panels(inp.maps)), out.maps)
plots.save(regions_plots.approx_figure(t["approx"]), out.approx)
log.info("figures written")
