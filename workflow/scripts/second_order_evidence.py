"""Claim statistics, summary tables, values and manifest of the second_order family."""
import pandas as pd

from relulab.core import evidence, runtime
from relulab.studies.second_order import claims, manifest

log = runtime.start(snakemake)
inp, out, par = snakemake.input, snakemake.output, snakemake.params
tables = {k: pd.read_csv(v) for k, v in inp.items() if k != "figures"}
rows = claims.claim_rows(tables, claims.EVIDENCE, par.extrapolate_params, par.tiny_passes, par.ae_passes)
evidence.write_claims(pd.DataFrame(rows), out.claims)
for name, frame in claims.summaries(tables, par.extrapolate_params, par.tiny_passes, par.ae_passes).items():
    evidence.atomic_write_csv(frame, out[name])
evidence.write_manifest(manifest.manifest(inp.figures, out), out.manifest)
evidence.write_values(claims.values(rows), out.values)
log.info("%d claim statistics", len(rows))
