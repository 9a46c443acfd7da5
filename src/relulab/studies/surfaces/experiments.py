"""The surfaces family: shallow vs deep networks at an equal unit budget on 2-D tasks (R4, A1, F1, A6)."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd
import torch

from relulab.core import models, tasks
from relulab.core.train import TrainSpec, train

DATA_SEED = 12345  # one training set per task; the seeds vary the networks
TEST_SEED = 54321
PLANAR_TOL = 1e-9


@dataclass(frozen=True)
class CellSpec:
    """One grid cell: a task, an activation, an architecture, the seeds trained together, how to train."""

    task: str
    activation: str
    arch: str
    init: str
    n_train: int
    n_test: int
    noise: float
    seeds: tuple[int, ...]
    train: TrainSpec

    @property
    def classification(self) -> bool:
        return self.task in tasks.CLASSIFICATION

    def mlp(self) -> models.MLPSpec:
        return models.MLPSpec(2, models.parse_arch(self.arch), 2 if self.classification else 1,
                              self.activation, self.init)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["seeds"] = list(self.seeds)
        return d


def cell_from_config(cfg: dict, task: str, activation: str, arch: str, seeds) -> CellSpec:
    """Build a cell from the `surfaces` config slice and the wildcards."""
    loss = "ce" if task in tasks.CLASSIFICATION else "mse"
    tspec = TrainSpec(optimizer=cfg["optimizer"], lr=cfg["lr"], steps=cfg["steps"], batch_size=cfg["batch_size"],
                      loss=loss, log_every=max(1, cfg["steps"] // 20))
    return CellSpec(task, activation, arch, cfg["init"], cfg["n_train"], cfg["n_test"], cfg["noise"],
                    tuple(int(s) for s in seeds), tspec)


def cell_data(cell: CellSpec):
    x, y = tasks.make(cell.task, cell.n_train, DATA_SEED, cell.noise)
    xt, yt = tasks.make(cell.task, cell.n_test, TEST_SEED, 0.0 if not cell.classification else cell.noise)
    return x, y, xt, yt


def run_cell(cell: CellSpec):
    """Train the cell's seeds together; return final and initial parameters and a per-seed metrics table."""
    spec = cell.mlp()
    x, y, xt, yt = cell_data(cell)
    init = models.init_params(spec, cell.seeds)
    t0 = time.perf_counter()
    result = train(spec, cell.train, init, x, y, seeds=cell.seeds, x_test=xt, y_test=yt)
    seconds = time.perf_counter() - t0
    final = result.final.drop(columns=["step", "diverged"]).assign(
        task=cell.task, activation=cell.activation, arch=cell.arch, depth=len(spec.widths),
        units=sum(spec.widths), n_params=spec.n_params, diverged=result.diverged,
        diverged_step=[s if s is not None else -1 for s in result.diverged_step],
        seconds_per_seed=seconds / len(cell.seeds))
    return result.params, init, final, result.history.assign(task=cell.task, activation=cell.activation, arch=cell.arch)


def grid_points(n: int) -> torch.Tensor:
    """An n x n grid on [-1, 1]^2 as (n*n, 2) float64, x1 varying fastest."""
    t = torch.linspace(-1, 1, n, dtype=torch.float64)
    g2, g1 = torch.meshgrid(t, t, indexing="ij")
    return torch.stack([g1.reshape(-1), g2.reshape(-1)], 1)


def evaluate_on_grid(spec: models.MLPSpec, params: dict, n: int) -> np.ndarray:
    """Network output(s) on the grid in float64: (S, n, n) for a scalar output, else the logit margin."""
    p64 = {k: v.double() for k, v in params.items()}
    with torch.no_grad():
        out = models.forward(spec, p64, grid_points(n))
    f = out[..., 0] if out.shape[-1] == 1 else out[..., 1] - out[..., 0]
    return f.reshape(-1, n, n).numpy()


def planar_fraction(values: np.ndarray, tol: float = PLANAR_TOL) -> np.ndarray:
    """Fraction of interior grid points whose 3x3 stencil is exactly affine (all second differences ~ 0).

    A piecewise-linear function is affine on every stencil that no region boundary crosses; a smooth
    non-linear one almost nowhere. Returns one fraction per model: values (S, n, n) -> (S,); NaN for a model
    whose grid values are not all finite.
    """
    v = values
    scale = tol * (1.0 + np.nanmax(np.abs(v), axis=(1, 2), keepdims=True))
    dxx = v[:, 1:-1, 2:] - 2 * v[:, 1:-1, 1:-1] + v[:, 1:-1, :-2]
    dyy = v[:, 2:, 1:-1] - 2 * v[:, 1:-1, 1:-1] + v[:, :-2, 1:-1]
    dxy = v[:, 2:, 2:] - v[:, 2:, :-2] - v[:, :-2, 2:] + v[:, :-2, :-2]
    flat = (np.abs(dxx) <= scale) & (np.abs(dyy) <= scale) & (np.abs(dxy) <= scale)
    return np.where(np.isfinite(v).all(axis=(1, 2)), flat.mean(axis=(1, 2)), np.nan)  # NaN for a diverged net


def affine_residual(values: np.ndarray) -> np.ndarray:
    """Relative RMS residual of the best affine fit over the grid: 0 for an affine function. (S,)."""
    S, n, _ = values.shape
    g = grid_points(n).numpy()
    X = np.c_[g, np.ones(len(g))]
    out = np.empty(S)
    for s in range(S):
        f = values[s].reshape(-1)
        if not np.all(np.isfinite(f)):
            out[s] = np.nan
            continue
        coef, *_ = np.linalg.lstsq(X, f, rcond=None)
        out[s] = np.sqrt(np.mean((X @ coef - f) ** 2)) / max(np.std(f), 1e-300)
    return out


def least_squares_gap(cell: CellSpec, spec: models.MLPSpec, params: dict) -> np.ndarray:
    """Relative RMS gap between each network's test predictions and the least-squares affine map's. (S,)."""
    x, y, xt, _ = cell_data(cell)
    X = np.c_[x.double().numpy(), np.ones(len(x))]
    coef, *_ = np.linalg.lstsq(X, y.double().numpy(), rcond=None)
    ols = np.c_[xt.double().numpy(), np.ones(len(xt))] @ coef
    with torch.no_grad():
        pred = models.forward(spec, {k: v.double() for k, v in params.items()}, xt.double()).numpy()
    return np.sqrt(((pred - ols) ** 2).mean(axis=(1, 2))) / max(float(np.std(ols)), 1e-300)


def evaluate_checkpoint(ckpt: models.Checkpoint, metrics: pd.DataFrame, grid: int) -> pd.DataFrame:
    """Per-seed metrics plus planarity, affine residual and (for regression) the gap to least squares."""
    cell = CellSpec(**{**ckpt.meta["cell"], "seeds": tuple(ckpt.seeds), "train": TrainSpec(**ckpt.meta["cell"]["train"])})
    values = evaluate_on_grid(ckpt.spec, ckpt.params, grid)
    out = metrics.copy()
    out["planar_fraction"] = planar_fraction(values)
    out["affine_residual"] = affine_residual(values)
    out["ols_gap"] = np.nan if cell.classification else least_squares_gap(cell, ckpt.spec, ckpt.params)
    return out


def additivity_gap(activation: str) -> float:
    """|f(-1) + f(1) - f(0)| for a scalar activation: 0 for every additive (linear) function."""
    from relulab.core.activations import apply

    v = apply(activation, torch.tensor([[-1.0, 1.0, 0.0]], dtype=torch.float64))[0]
    return float(abs(v[0] + v[1] - v[2]))
