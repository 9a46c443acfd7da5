"""Accuracy and last-conv feature similarity of the CNN variants under shifted and rotated test images."""
from pathlib import Path

from relulab.core import evidence, runtime
from relulab.studies.images import experiments

log = runtime.start(snakemake)
cfg = snakemake.params.cfg
stacks = {Path(p).stem: experiments.load_stack(p) for p in snakemake.input.models}
d = experiments.load_data(cfg, 0)
table = experiments.invariance_table(stacks, d, cfg["n_eval"], cfg["shifts"], cfg["angles"])
evidence.atomic_write_csv(table, snakemake.output.table)
