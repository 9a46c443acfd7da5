"""Figures of the regions family (plotting only: reads tables, recomputes nothing expensive)."""
import numpy as np
import pandas as pd

from relulab.core import models, plots, runtime
from relulab.studies.regions import count as regions_count, figures as regions_plots
from relulab.regions import Box, enumerate_regions
from relulab.regions.constructions import montufar_folding

log = runtime.start(snakemake)
inp, out, p = snakemake.input, snakemake.output, snakemake.params
t = {k: pd.read_csv(inp[k]) for k in ["theory", "constructions", "maxout", "grid", "budget", "trained", "digits", "approx"]}
plots.save(regions_plots.bounds_figure(t["theory"], t["constructions"], t["maxout"], t["budget"]), out.bounds)
w = tuple(p.fold_widths)
probe = np.array([0.3141, 0.2718])
nets = [("folding construction " + "x".join(map(str, w)), montufar_folding(w), (0, 1, 0, 1), len(w) - 1, probe),
        ("random net, same widths", regions_count.random_layers(w, p.base_seed, p.bias_std), (-1, 1, -1, 1), len(w) - 1,
         2 * probe - 1)]
plots.save(regions_plots.folding_figure(nets), out.folding)
plots.save(regions_plots.scaling_figure(t["grid"], t["budget"], t["trained"], t["digits"]), out.scaling)
panels = []
for path in inp.maps:
    ckpt = models.load_checkpoint(path)
    for stage, params in (("init", ckpt.init_params), ("trained", ckpt.params)):
        layers = models.layers_of(ckpt.spec, params, 0)
        panels.append((f"{ckpt.spec.arch}, {stage}", enumerate_regions(layers, Box(-1, 1, -1, 1)), layers))
plots.save(regions_plots.maps_figure(panels), out.maps)
plots.save(regions_plots.approx_figure(t["approx"]), out.approx)
log.info("figures written")
