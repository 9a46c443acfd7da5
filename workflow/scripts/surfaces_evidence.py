"""Claim statistics, tables, the error-vs-depth figure and the manifest of the surfaces family."""
import pandas as pd

from relulab.core import evidence, plots, runtime
from relulab.studies.surfaces import figures as surface_plots, claims as surfaces_claims
from relulab.core.stats import summarize

log = runtime.start(snakemake)
ev = pd.read_csv(snakemake.input.evaluation)
reg = surfaces_claims.regression(ev)
plots.save(surface_plots.error_vs_depth_figure(summarize(reg, ["task", "activation", "depth"], "test_loss")),
           snakemake.output.error_fig)
evidence.atomic_write_csv(surfaces_claims.error_table(ev), snakemake.output.error_table)
evidence.atomic_write_csv(surfaces_claims.planarity_table(ev), snakemake.output.planarity_table)
surface_ids = [f"fig-surfaces-surface-{t}" for t in snakemake.params.tasks]
boundary_ids = [f"fig-surfaces-boundary-{t}" for t in snakemake.params.classify_tasks]
evidence.write_claims(surfaces_claims.claim_rows(ev, surface_ids, boundary_ids), snakemake.output.claims)
manifest = [
    *[{"id": i, "kind": "figure", "path": p, "claims": "R4",
       "caption": f"Task '{t}': the target surface and trained networks (first seed), shallowest and deepest "
                  "architecture at an equal number of hidden units. Top: 3-D surface; bottom: top view coloured "
                  "by activation pattern (piecewise-linear networks) or by level (smooth activations)."}
      for i, p, t in zip(surface_ids, snakemake.input.surface_figs, snakemake.params.tasks)],
    *[{"id": i, "kind": "figure", "path": p, "claims": "A6",
       "caption": f"Task '{t}': decision regions of a linear classifier and of non-linear networks (first seed) "
                  "with the training points."}
      for i, p, t in zip(boundary_ids, snakemake.input.boundary_figs, snakemake.params.classify_tasks)],
    {"id": "fig-surfaces-error-depth", "kind": "figure", "path": snakemake.output.error_fig, "claims": "R4 F1",
     "caption": "Test MSE against depth at an equal hidden-unit budget: median over seeds with 95% bootstrap CI."},
    {"id": "tbl-surfaces-error", "kind": "table", "path": snakemake.output.error_table, "claims": "F1 A6",
     "caption": "Test loss per cell (median over seeds, 95% bootstrap CI) and the number of diverged runs."},
    {"id": "tbl-surfaces-planarity", "kind": "table", "path": snakemake.output.planarity_table, "claims": "R4 A1 F1",
     "caption": "Fraction of grid stencils on which the learned function is exactly affine, and the relative "
                "residual of the best affine fit over the whole square (median over seeds, 95% CI)."},
]
evidence.write_manifest(manifest, snakemake.output.manifest)
evidence.write_values(surfaces_claims.values(ev), snakemake.output.values)
