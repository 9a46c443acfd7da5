"""Claim statistics, summary tables, values and the manifest of the images family."""
import pandas as pd

from relulab.core import evidence, runtime
from relulab.studies.images import claims, manifest, speed

log = runtime.start(snakemake)
inp, out = snakemake.input, snakemake.output
read = lambda paths: pd.concat([pd.read_csv(p) for p in paths])
t = {"metrics": read(inp.metrics), "acts": read(inp.acts), **{k: pd.read_csv(inp[k]) for k in (
    "filters", "pairs", "probes", "channels", "head", "invariance")}}
fig = {p.rsplit("/", 1)[-1][:-4]: p for p in inp.figures}
rows = claims.claim_rows(t, claims.EVIDENCE, snakemake.params.shift_probe)
rows += pd.read_csv(inp.f7_claims, keep_default_na=False).to_dict("records")  # F7 replication (images_f7_speed)
evidence.write_claims(pd.DataFrame(rows), out.claims)
evidence.atomic_write_csv(claims.activation_table(t["acts"]), out.activation_table)
evidence.atomic_write_csv(claims.params_table(t["metrics"]), out.params_table)
evidence.atomic_write_csv(t["channels"], out.channels_table)
tables = (out.params_table, out.activation_table, out.channels_table)
evidence.write_manifest(pd.concat([manifest.manifest(fig, *tables), speed.manifest_rows(inp.f7_summary)]),
                        out.manifest)
evidence.write_values({**claims.values(rows, t["metrics"], t["acts"], snakemake.params.cfg),
                       **speed.text_values(pd.read_csv(inp.f7_summary, keep_default_na=False), rows)}, out.values)
