"""Decision boundaries of linear and non-linear classifiers on a 2-D classification set (A6)."""
from relulab.core import models, plots, runtime
from relulab.studies.surfaces import figures, experiments

log = runtime.start(snakemake)
n = snakemake.params.grid
panels = []
for path in snakemake.input.models:
    ckpt = models.load_checkpoint(path)
    margin = experiments.evaluate_on_grid(ckpt.spec, ckpt.params, n)[0]
    name = "linear classifier" if not ckpt.spec.widths else f"{ckpt.spec.activation}, {ckpt.spec.arch}"
    panels.append({"title": f"{name} (seed {ckpt.seeds[0]})", "margin": margin})
cell = experiments.CellSpec(**{**ckpt.meta["cell"], "train": None})
x, y, _, _ = experiments.cell_data(cell)
fig = figures.boundary_figure(snakemake.wildcards.task, panels, x.numpy(), y.numpy(), n)
plots.save(fig, snakemake.output[0])
