"""Surfaces of ReLU and non-ReLU networks, shallowest and deepest, beside the target (R4)."""
from relulab.core import models, plots, runtime
from relulab.studies.surfaces import figures, experiments

log = runtime.start(snakemake)
n = snakemake.params.grid
panels = []
for path in snakemake.input.models:
    ckpt = models.load_checkpoint(path)
    values = experiments.evaluate_on_grid(ckpt.spec, ckpt.params, n)[0]
    title = f"{ckpt.spec.activation}, {ckpt.spec.arch} (seed {ckpt.seeds[0]})"
    panels.append({"title": title, "values": values, "patterns": figures.pattern_ids(ckpt.spec, ckpt.params, n)})
plots.save(figures.surface_figure(snakemake.wildcards.task, panels, n), snakemake.output[0])
