"""Long sigmoid runs per learning rate: per-layer statistics along training (F6, exploratory)."""
from relulab.studies.gradients import convergence, flow
from relulab.core import evidence, runtime

log = runtime.start(snakemake)
cfg, seeds = snakemake.params.cfg, snakemake.params.seeds
split = convergence.load_split(cfg)
table = flow.saturation_runs(*convergence.train_args(split), split["x_probe"], split["y_probe"],
                             lrs=cfg["saturation_lrs"], depth=cfg["track_depth"], width=cfg["width"],
                             init=cfg["track_init"], steps=cfg["saturation_steps"],
                             batch_size=cfg["batch_size"], every=cfg["saturation_every"], seeds=seeds)
evidence.atomic_write_csv(table, snakemake.output.table)
log.info("long sigmoid runs: %d rows", len(table))
