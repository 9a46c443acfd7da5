"""Small initialization with tanh vs sigmoid (F4) and ReLU vs a staircase activation (F2)."""
import pandas as pd

from relulab.studies.gradients import convergence
from relulab.core import evidence, runtime
from relulab.studies.gradients.convergence import RunSpec

log = runtime.start(snakemake)
cfg, seeds = snakemake.params.cfg, snakemake.params.seeds
split = convergence.load_split(cfg)
widths = (cfg["speed_width"],) * cfg["speed_depth"]
common = dict(batch_size=cfg["batch_size"], eval_every=cfg["eval_every"])
cells = {f"{a}_{init}": RunSpec(a, widths, init=init, lr=cfg["init_scale_lr"], steps=cfg["init_scale_steps"], **common)
         for a in ("tanh", "sigmoid") for init in ("small", "xavier")}
init_scale = convergence.run_cells(cells, *convergence.train_args(split), seeds=seeds, log=log)
stairs = {a: RunSpec(a, widths, init="he", lr=cfg["staircase_lr"], steps=cfg["staircase_steps"], **common)
          for a in ("relu", "staircase")}
staircase = convergence.run_cells(stairs, *convergence.train_args(split), seeds=seeds, log=log)
evidence.atomic_write_csv(pd.concat([init_scale.assign(experiment="init_scale"),
                                     staircase.assign(experiment="staircase")]), snakemake.output.history)
