"""Learning-rate sweep per activation: speed to a training error (F7) and stability (F5)."""
from relulab.studies.gradients import convergence
from relulab.core import evidence, runtime
from relulab.studies.gradients.convergence import RunSpec

log = runtime.start(snakemake)
cfg, seeds = snakemake.params.cfg, snakemake.params.seeds
split = convergence.load_split(cfg)
cells = {f"{act}_lr{lr:g}": RunSpec(act, (cfg["speed_width"],) * cfg["speed_depth"], init="xavier", lr=lr,
                                     steps=cfg["speed_steps"], batch_size=cfg["batch_size"],
                                     eval_every=cfg["eval_every"])
         for act in cfg["speed_activations"] for lr in cfg["speed_lrs"]}
hist = convergence.run_cells(cells, *convergence.train_args(split), seeds=seeds,
                             tuning_seeds=snakemake.params.tuning_seeds, log=log)
hist["cell"] = hist.activation
evidence.atomic_write_csv(hist, snakemake.output.history)
