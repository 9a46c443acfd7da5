"""Accuracy and last-conv feature similarity of the CNN variants under shifted and rotated test images."""
from pathlib import Path

from relulab.core import evidence, runtime
from relulab.studies.images import experiments as images

log = runtime.start(snakemake)
cfg = snakemake.params.cfg
stacks = {Path(p).stem: images.load_stack(p) for p in snakemake.input.models}
d = images.load_data(cfg, 0)
table = images.invariance_table(stacks, d, cfg["n_eval"], cfg["shifts"], cfg["angles"])
evidence.atomic_write_csv(table, snakemake.output.table)
