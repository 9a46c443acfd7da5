"""Glorot & Bengio 2010, scaled: sigmoid MLP with standard or normalized init, per-layer probes along training (F6)."""
from relulab.core import evidence, runtime
from relulab.studies.gradients import convergence, saturation

log = runtime.start(snakemake)
cfg = snakemake.params.cfg
split = convergence.load_split(cfg)
hist, probes = saturation.replication(split, lrs=cfg["f6_lrs"], target_acc=cfg["f6_target_acc"],
                                      seeds=snakemake.params.seeds, tuning_seeds=snakemake.params.tuning_seeds,
                                      depth=cfg["f6_depth"], width=cfg["f6_width"], steps=cfg["f6_steps"],
                                      batch_size=cfg["f6_batch_size"], every=cfg["f6_every"])
log.info("final training accuracy:\n%s", hist[hist.step == hist.step.max()].groupby(["cell", "lr", "role"])
         .train_acc.median().to_string())
evidence.atomic_write_csv(hist, snakemake.output.history)
evidence.atomic_write_csv(probes, snakemake.output.probes)
