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
    """A width x depth sweep of ReLU MLPs on 2-D regression targets, all seeds trained together; each cell's
    learning rate is chosen from `lrs` on the tuning seeds (disjoint from the evaluation seeds)."""

    tasks: tuple[str, ...]
    widths: tuple[int, ...]
    depths: tuple[int, ...]
    seeds: tuple[int, ...]
    n_train: int
    n_test: int
    steps: int
    lrs: tuple[float, ...]
    grid: int = 101
    tuning_seeds: tuple[int, ...] = ()

    def to_dict(self) -> dict:
        return asdict(self)


def sweep_from_config(cfg: dict, seeds, tuning_seeds=()) -> SweepSpec:
    return SweepSpec(tuple(cfg["approx_tasks"]), tuple(cfg["approx_widths"]), tuple(cfg["approx_depths"]),
                     tuple(int(s) for s in seeds), cfg["approx_n_train"], cfg["approx_n_test"], cfg["approx_steps"],
                     tuple(float(v) for v in cfg["approx_lrs"]), cfg["approx_grid"], tuple(int(s) for s in tuning_seeds))


def grid_points(n: int) -> torch.Tensor:
    """An n x n grid on [-1, 1]^2 as (n*n, 2) float64, x1 varying fastest."""
    t = torch.linspace(-1, 1, n, dtype=torch.float64)
    g2, g1 = torch.meshgrid(t, t, indexing="ij")
    return torch.stack([g1.reshape(-1), g2.reshape(-1)], 1)


def gradient_tv(f: np.ndarray) -> np.ndarray:
    """Total variation of the finite-difference gradient of f on a square grid, (..., n, n) -> (...).

    Sum over grid edges of |change of each gradient component| (anisotropic TV of grad f, in units of
    the grid step, which cancels in ratios): for a piecewise-linear f, the summed gradient jumps across
    its region boundaries; for a smooth f, about the integral of |second derivatives|.
    """
    gx, gy = np.diff(f, axis=-1), np.diff(f, axis=-2)
    return sum(np.abs(np.diff(g, axis=a)).sum(axis=(-2, -1)) for g in (gx, gy) for a in (-1, -2))


def slope_error(f: np.ndarray, g: np.ndarray) -> np.ndarray:
    """Relative error of the finite-difference gradient, ||grad f - grad g|| / ||grad g|| over the grid.

    0 for a perfect fit; about 1 for a flat f. Small only if the facets are small and tilted like the target,
    i.e. the approximation is not jagged (a function can be close in value with slopes far off).
    """
    num = sum(((np.diff(f, axis=a) - np.diff(g, axis=a)) ** 2).sum(axis=(-2, -1)) for a in (-1, -2))
    den = sum((np.diff(g, axis=a) ** 2).sum(axis=(-2, -1)) for a in (-1, -2))
    return np.sqrt(num / den)


def jaggedness(spec: models.MLPSpec, params: dict, task: str, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per seed on an n x n grid: (relative slope error, TV of the learned gradient / TV of the target's).

    The TV ratio is 1 when the network's slopes vary as much as the target's, above 1 when they jump around more.
    """
    x = grid_points(n)
    with torch.no_grad():
        f = models.forward(spec, {k: v.double() for k, v in params.items()}, x)[..., 0].reshape(-1, n, n).numpy()
    g = tasks.target(task, x).reshape(n, n).numpy()
    return slope_error(f, g), gradient_tv(f) / gradient_tv(g)


def _mse(spec, params, x, y) -> np.ndarray:
    with torch.no_grad():
        return ((models.forward(spec, params, x) - y) ** 2).mean(dim=(1, 2)).numpy()


def tune_lr(sw: SweepSpec, spec: models.MLPSpec, x, y) -> float:
    """The learning rate of sw.lrs with the lowest median final train MSE over the tuning seeds (one cell)."""
    if len(sw.lrs) == 1 or not sw.tuning_seeds:
        return float(sw.lrs[0])
    losses = []
    for lr in sw.lrs:
        tspec = TrainSpec(optimizer="adam", lr=lr, steps=sw.steps, batch_size=0, loss="mse", log_every=max(1, sw.steps))
        res = train(spec, tspec, models.init_params(spec, sw.tuning_seeds), x, y, seeds=sw.tuning_seeds)
        loss = _mse(spec, res.params, x, y)
        losses.append(float(np.median(np.where(np.isfinite(loss), loss, np.inf))))
    return float(sw.lrs[int(np.argmin(losses))])


def _cell_rows(sw: SweepSpec, task: str, depth: int, width: int, data) -> list[dict]:
    """Train one (task, depth, width) cell at its tuned learning rate; one row per evaluation seed."""
    x, y, xt, yt = data
    spec = models.MLPSpec(2, (width,) * depth, 1, "relu", "he")
    lr = tune_lr(sw, spec, x, y)
    tspec = TrainSpec(optimizer="adam", lr=lr, steps=sw.steps, batch_size=0, loss="mse", log_every=max(1, sw.steps))
    res = train(spec, tspec, models.init_params(spec, sw.seeds), x, y, seeds=sw.seeds)
    mse, train_mse = _mse(spec, res.params, xt, yt), _mse(spec, res.params, x, y)
    slope_err, tv_ratio = jaggedness(spec, res.params, task, sw.grid)
    rows = []
    for i, seed in enumerate(sw.seeds):
        regions, linear = count(models.layers_of(spec, res.params, i), Box(*SQUARE))
        rows.append({"task": task, "depth": depth, "width": width, "units": width * depth, "n_params": spec.n_params,
                     "seed": seed, "lr": lr, "test_mse": float(mse[i]), "nmse": float(mse[i]) / float(yt.var()),
                     "train_nmse": float(train_mse[i]) / float(y.var()), "slope_error": float(slope_err[i]),
                     "tv_ratio": float(tv_ratio[i]), "n_regions": regions, "n_linear": linear})
    return rows


def run_sweep(sw: SweepSpec) -> pd.DataFrame:
    """Train every (task, depth, width) cell, each at its own learning rate chosen on the tuning seeds; per
    evaluation seed: test MSE, normalised test and train MSE, jaggedness and exact region counts."""
    rows = []
    for task in sw.tasks:
        data = (*tasks.make(task, sw.n_train, DATA_SEED), *tasks.make(task, sw.n_test, TEST_SEED))
        for depth in sw.depths:
            for width in sw.widths:
                rows += _cell_rows(sw, task, depth, width, data)
    return pd.DataFrame(rows)


def log_slope(x, y) -> float:
    """Least-squares slope of log10 y on log10 x."""
    x, y = np.log10(np.asarray(x, float)), np.log10(np.asarray(y, float))
    ok = np.isfinite(x) & np.isfinite(y)
    return float(np.polyfit(x[ok], y[ok], 1)[0]) if ok.sum() >= 2 and np.ptp(x[ok]) > 0 else float("nan")


def per_seed_slopes(df: pd.DataFrame, xcol: str, ycol: str = "nmse", by=("task", "depth")) -> pd.DataFrame:
    """One slope per seed (and group): the unit the interval over seeds is taken over."""
    rows = []
    for key, g in df.groupby(list(by) + ["seed"]):
        rows.append({**dict(zip(list(by) + ["seed"], key)), "slope": log_slope(g[xcol], g[ycol])})
    return pd.DataFrame(rows)
