"""Exact region counts of the surfaces checkpoints (every seed, at init and after training) (R1, R5)."""
from pathlib import Path

import pandas as pd

from relulab.core import models, runtime
from relulab.studies.regions import count as regions_count
from relulab.core.evidence import atomic_write_csv

log = runtime.start(snakemake)
frames = []
for path in snakemake.input.models:
    task = Path(path).parent.parent.name
    ckpt = models.load_checkpoint(path)
    frames.append(regions_count.checkpoint_counts(ckpt).assign(task=task))
    log.info("%s: median regions %s", path, frames[-1].groupby("stage")["n_linear"].median().to_dict())
atomic_write_csv(pd.concat(frames, ignore_index=True), snakemake.output[0])
