"""Apply the ledger's decision rules to all families' claim statistics."""
import pandas as pd

from relulab.core import evidence, runtime
from relulab.reporting import verdicts
from relulab.reporting.build import build_configfile
from relulab.reporting.reasons import reason

log = runtime.start(snakemake)
ledger = verdicts.load_ledger(snakemake.input.ledger)
stats = pd.concat([evidence.validate_claims(pd.read_csv(p)) for p in snakemake.input.tables], ignore_index=True)
table = verdicts.decide_all(ledger, stats, set(snakemake.params.families),
                           build=build_configfile(list(snakemake.params.configfiles)), reason=reason)
log.info("verdicts\n%s", table[["claim_id", "verdict", "value", "ci_low", "ci_high"]].to_string())
evidence.atomic_write_csv(table, snakemake.output[0])
