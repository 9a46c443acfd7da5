"""Claim statistics, report tables, manifest and quotable values of the regions family."""
import pandas as pd

from relulab.studies.regions import claims
from relulab.core import runtime
from relulab.core.evidence import atomic_write_csv, write_claims, write_manifest, write_values
from relulab.studies.regions.manifest import MANIFEST

log = runtime.start(snakemake)
inp, out = snakemake.input, snakemake.output
names = ["theory", "constructions", "maxout", "budget", "grid", "trained", "folding", "digits", "approx", "fixed_width"]
t = {k: pd.read_csv(inp[k]) for k in names}
rows = claims.claim_rows(*(t[k] for k in names))  # claim_rows takes the tables in this order
tables = claims.summary_tables(t["theory"], t["constructions"], t["maxout"], t["trained"], t["digits"], t["grid"],
                               t["approx"], t["folding"], t["fixed_width"])
for path in out.tables:
    atomic_write_csv(tables[path.rsplit("/", 1)[1][:-4]], path)
write_claims(rows, out.claims)
write_manifest(MANIFEST, out.manifest)
write_values(claims.values(t["theory"], t["constructions"], t["grid"], rows, t["fixed_width"]), out.values)
log.info("claims\n%s", pd.DataFrame(rows)[["claim_id", "statistic", "value", "ci_low", "ci_high"]].to_string())
