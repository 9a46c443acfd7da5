"""Width x depth sweep on 2-D targets: test error vs exact linear regions (A2, F11)."""
import json

from relulab.studies.regions import approx
from relulab.core import runtime
from relulab.core.evidence import atomic_write_csv

log = runtime.start(snakemake)
sweep = approx.sweep_from_config(snakemake.params.cfg, snakemake.params.seeds, snakemake.params.tuning_seeds)
log.info("sweep %s", json.dumps(sweep.to_dict()))
df = approx.run_sweep(sweep)
log.info("median nmse\n%s", df.groupby(["task", "depth", "width"])[["lr", "nmse", "n_linear"]].median().to_string())
atomic_write_csv(df, snakemake.output[0])
