"""Exact region counts of the surfaces checkpoints (every seed, at init and after training) (R1, R5)."""
from relulab.core import runtime
from relulab.studies.regions import count
from relulab.core.evidence import atomic_write_csv

log = runtime.start(snakemake)
atomic_write_csv(count.trained_table(snakemake.input.models, snakemake.input.metrics, log), snakemake.output[0])
