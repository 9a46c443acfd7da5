"""Claim statistics, summary tables, values and the manifest of the gradients family."""
import pandas as pd

from relulab.core import evidence, runtime
from relulab.studies.gradients import claims, manifest, papers

log = runtime.start(snakemake)
inp, out, cfg = snakemake.input, snakemake.output, snakemake.params.cfg
read = {k: pd.read_csv(inp[k]) for k in ("layers", "derivatives", "track", "deep", "sweep", "spike_fate", "born",
                                         "speed", "centering", "drift", "small", "saturation", "flow_probes",
                                         "flow_final", "f6_history", "f6_probes")}
rows, tables = claims.claim_rows(read, cfg)
evidence.write_claims(pd.DataFrame(rows), out.claims)
for name, table in claims.summary_tables(read, tables, cfg).items():
    evidence.atomic_write_csv(table, out[name])
evidence.atomic_write_csv(papers.replication_table(snakemake.params.papers), out.replication)
figs = {p.rsplit("/", 1)[-1]: p for p in inp.figures}
evidence.write_manifest(manifest.manifest(figs, out, int(read["saturation"].step.max()), int(read["track"].step.max())),
                        out.manifest)
evidence.write_values(claims.values(rows), out.values)
