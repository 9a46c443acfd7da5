"""Per-seed evaluation of every trained cell: metrics, planarity, affine residual, gap to least squares."""
import pandas as pd

from relulab.core import models, runtime
from relulab.studies.surfaces import experiments
from relulab.core.evidence import atomic_write_csv

log = runtime.start(snakemake)
frames = []
for model_path, metrics_path in zip(snakemake.input.models, snakemake.input.metrics):
    log.info("evaluating %s", model_path)
    frames.append(experiments.evaluate_checkpoint(models.load_checkpoint(model_path), pd.read_csv(metrics_path),
                                                  snakemake.params.grid))
atomic_write_csv(pd.concat(frames, ignore_index=True), snakemake.output[0])
