"""The per-activation tables of one training-set size joined in the configured order of activations."""
from relulab.core import evidence, runtime
from relulab.studies.images import experiments

log = runtime.start(snakemake)
evidence.atomic_write_csv(experiments.concat_tables(snakemake.input.final), snakemake.output.final)
evidence.atomic_write_csv(experiments.concat_tables(snakemake.input.history), snakemake.output.history)
log.info("%d activations joined", len(snakemake.input.final))
