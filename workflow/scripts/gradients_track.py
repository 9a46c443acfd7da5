"""Per-layer statistics along SGD training (Glorot & Bengio 2010) and He et al. 2015's deep network (A3, F6)."""
from relulab.studies.gradients import convergence, flow
from relulab.core import evidence, runtime
from relulab.studies.gradients.convergence import RunSpec

log = runtime.start(snakemake)
cfg, seeds = snakemake.params.cfg, snakemake.params.seeds
split = convergence.load_split(cfg)
track = flow.track_training(cfg["activations"], *convergence.train_args(split), split["x_probe"],
                            split["y_probe"], depth=cfg["track_depth"], width=cfg["width"],
                            init=cfg["track_init"], lr=cfg["track_lr"], steps=cfg["track_steps"],
                            batch_size=cfg["batch_size"], every=cfg["track_every"], seeds=seeds)
evidence.atomic_write_csv(track, snakemake.output.track)
deep = {f"{act}_{init}": RunSpec(act, (cfg["deep_width"],) * cfg["deep_depth"], init=init, lr=cfg["deep_lr"],
                                 momentum=cfg["deep_momentum"], steps=cfg["deep_steps"],
                                 batch_size=cfg["batch_size"], eval_every=cfg["eval_every"])
        for act, init in [("relu", "xavier"), ("relu", "he"), ("sigmoid", "xavier")]}
hist = convergence.run_cells(deep, *convergence.train_args(split), seeds=seeds, log=log)
evidence.atomic_write_csv(hist, snakemake.output.deep)
