"""Gradient flow and saturation along training, every activation with its own variance-preserving init and its
own learning rate chosen on tuning seeds (R6)."""
from relulab.core import evidence, runtime
from relulab.studies.gradients import convergence, flow_training

log = runtime.start(snakemake)
cfg = snakemake.params.cfg
split = convergence.load_split(cfg)
probes, final = flow_training.flow_sweep(split["x"], split["y"], split["x_probe"], split["y_probe"],
                                         activations=cfg["flow_activations"], lrs=cfg["flow_lrs"],
                                         depth=cfg["flow_depth"], width=cfg["flow_width"], steps=cfg["flow_steps"],
                                         batch_size=cfg["batch_size"], every=cfg["flow_every"],
                                         seeds=snakemake.params.seeds, tuning_seeds=snakemake.params.tuning_seeds)
log.info("final training accuracy per activation and rate:\n%s",
         final.groupby(["activation", "lr"]).train_acc.median().to_string())
evidence.atomic_write_csv(probes, snakemake.output.probes)
evidence.atomic_write_csv(final, snakemake.output.final)
