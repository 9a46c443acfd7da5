"""Dead ReLU units along training vs learning rate and depth, and one deliberately large update (A4, F8)."""
from relulab.studies.gradients import convergence, dying
from relulab.core import evidence, runtime

log = runtime.start(snakemake)
cfg, seeds = snakemake.params.cfg, snakemake.params.seeds
split = convergence.load_split(cfg)
args = convergence.train_args(split)
sweep = dying.dying_sweep(*args, depths=cfg["dying_depths"], lrs=cfg["dying_lrs"], width=cfg["width"],
                          steps=cfg["dying_steps"], batch_size=cfg["batch_size"], eval_every=cfg["eval_every"],
                          seeds=seeds, tuning_seeds=snakemake.params.tuning_seeds)
evidence.atomic_write_csv(sweep, snakemake.output.sweep)
traj, fate = dying.large_update_experiment(*args, depth=cfg["spike_depth"], width=cfg["width"], lr=cfg["spike_lr"],
                                           spike_factor=cfg["spike_factor"], spike_step=cfg["spike_step"],
                                           steps=cfg["spike_steps"], batch_size=cfg["batch_size"],
                                           eval_every=cfg["eval_every"], seeds=seeds)
log.info("spike killed %d units, %d revived", fate.killed.sum(), fate.revived.sum())
evidence.atomic_write_csv(traj, snakemake.output.spike_trajectory)
evidence.atomic_write_csv(fate, snakemake.output.spike_fate)
