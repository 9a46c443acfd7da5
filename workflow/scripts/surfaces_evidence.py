"""Claim statistics, tables, the error-vs-depth figure and the manifest of the surfaces family."""
import pandas as pd

from relulab.core import evidence, plots, runtime
from relulab.core.stats import summarize
from relulab.studies.surfaces import claims, figures, manifest

log = runtime.start(snakemake)
inp, out, par = snakemake.input, snakemake.output, snakemake.params
ev = pd.read_csv(inp.evaluation)
reg = claims.regression(claims.usable(ev))
plots.save(figures.error_vs_depth_figure(summarize(reg, ["task", "activation", "depth"], "test_loss")), out.error_fig)
evidence.atomic_write_csv(claims.error_table(ev), out.error_table)
evidence.atomic_write_csv(claims.planarity_table(ev), out.planarity_table)
rows = claims.claim_rows(ev, manifest.surface_ids(par.tasks), manifest.boundary_ids(par.classify_tasks))
evidence.write_claims(rows, out.claims)
evidence.write_manifest(manifest.manifest(par.tasks, inp.surface_figs, par.classify_tasks, inp.boundary_figs, out),
                        out.manifest)
evidence.write_values(claims.values(ev), out.values)
