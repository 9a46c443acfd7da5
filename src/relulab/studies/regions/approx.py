"""Approximation error vs number of linear regions, width and depth on 2-D targets (A2, F11)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch

from relulab.core import models, tasks
from relulab.regions import Box
from relulab.studies.regions.count import SQUARE, count
from relulab.core.train import TrainSpec, train

DATA_SEED, TEST_SEED = 2024, 4202


@dataclass(frozen=True)
class SweepSpec:
    """A width x depth sweep of ReLU MLPs on 2-D regression targets, all seeds trained together."""

    tasks: tuple[str, ...]
    widths: tuple[int, ...]
    depths: tuple[int, ...]
    seeds: tuple[int, ...]
    n_train: int
    n_test: int
    steps: int
    lr: float

    def to_dict(self) -> dict:
        return asdict(self)


def sweep_from_config(cfg: dict, seeds) -> SweepSpec:
    return SweepSpec(tuple(cfg["approx_tasks"]), tuple(cfg["approx_widths"]), tuple(cfg["approx_depths"]),
                     tuple(int(s) for s in seeds), cfg["approx_n_train"], cfg["approx_n_test"], cfg["approx_steps"],
                     cfg["approx_lr"])


def run_sweep(sw: SweepSpec) -> pd.DataFrame:
    """Train every (task, depth, width) cell; per seed: test MSE, normalised MSE and exact region counts."""
    rows = []
    tspec = TrainSpec(optimizer="adam", lr=sw.lr, steps=sw.steps, batch_size=0, loss="mse",
                      log_every=max(1, sw.steps))
    for task in sw.tasks:
        x, y = tasks.make(task, sw.n_train, DATA_SEED)
        xt, yt = tasks.make(task, sw.n_test, TEST_SEED)
        var = float(yt.var())
        for depth in sw.depths:
            for width in sw.widths:
                spec = models.MLPSpec(2, (width,) * depth, 1, "relu", "he")
                res = train(spec, tspec, models.init_params(spec, sw.seeds), x, y, seeds=sw.seeds)
                with torch.no_grad():
                    mse = ((models.forward(spec, res.params, xt) - yt) ** 2).mean(dim=(1, 2)).numpy()
                for i, seed in enumerate(sw.seeds):
                    regions, linear = count(models.layers_of(spec, res.params, i), Box(*SQUARE))
                    rows.append({"task": task, "depth": depth, "width": width, "units": width * depth,
                                 "n_params": spec.n_params, "seed": seed, "test_mse": float(mse[i]),
                                 "nmse": float(mse[i]) / var, "n_regions": regions, "n_linear": linear})
    return pd.DataFrame(rows)


def log_slope(x, y) -> float:
    """Least-squares slope of log10 y on log10 x."""
    x, y = np.log10(np.asarray(x, float)), np.log10(np.asarray(y, float))
    ok = np.isfinite(x) & np.isfinite(y)
    return float(np.polyfit(x[ok], y[ok], 1)[0]) if ok.sum() >= 2 and np.ptp(x[ok]) > 0 else float("nan")


def per_seed_slopes(df: pd.DataFrame, xcol: str, ycol: str = "nmse", by=("task", "depth")) -> pd.DataFrame:
    """One slope per seed (and group): the unit the bootstrap resamples."""
    rows = []
    for key, g in df.groupby(list(by) + ["seed"]):
        rows.append({**dict(zip(list(by) + ["seed"], key)), "slope": log_slope(g[xcol], g[ycol])})
    return pd.DataFrame(rows)
