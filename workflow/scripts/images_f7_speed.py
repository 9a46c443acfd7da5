"""F7: ReLU vs tanh (and sigmoid) CNNs, SGD with momentum, steps to a training error; rates tuned per arm."""
import pandas as pd

from relulab.core import evidence, runtime
from relulab.studies.images import speed

log = runtime.start(snakemake)
p, out = snakemake.params, snakemake.output
table = speed.run(p.cfg, p.tuning_seeds, p.seeds, log=log)
evidence.atomic_write_csv(table, out.table)
evidence.atomic_write_csv(speed.summary_table(table), out.summary)
evidence.write_claims(pd.DataFrame(speed.claim_rows(table)), out.claims)
