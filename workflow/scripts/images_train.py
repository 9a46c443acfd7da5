"""Train one images model variant for every seed; write its checkpoint and per-seed metrics."""
from relulab.core import evidence, runtime
from relulab.studies.images import experiments

log = runtime.start(snakemake)
stack, metrics = experiments.train_model(snakemake.params.cfg, snakemake.wildcards.img_model, snakemake.params.seeds,
                                         log=log)
log.info("test accuracy %s", metrics.test_acc.round(4).tolist())
experiments.save_stack(stack, snakemake.output.model)
evidence.atomic_write_csv(metrics, snakemake.output.metrics)
