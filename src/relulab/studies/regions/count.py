"""Exact region counts of typical networks: random initialisations, trained checkpoints, 2-D data slices."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from relulab.core import models
from relulab.regions import Box, Slice, enumerate_regions

SQUARE = (-1.0, 1.0, -1.0, 1.0)  # the 2-D tasks live on [-1, 1]^2


def random_layers(widths, seed: int, bias_std: float, n_in: int = 2, n_out: int = 1) -> list:
    """He-normal weights and N(0, bias_std^2) biases (Hanin and Rolnick's setting), float64."""
    rng = np.random.default_rng(seed)
    dims = (n_in, *widths, n_out)
    return [(rng.normal(0.0, math.sqrt(2.0 / i), (o, i)), rng.normal(0.0, bias_std, o))
            for i, o in zip(dims[:-1], dims[1:])]


def count(layers, domain: Slice, activation: str = "relu", slope=None) -> tuple[int, int]:
    """(activation regions, linear regions) of a network on a 2-D domain."""
    part = enumerate_regions(layers, domain, activation=activation, slope=slope)
    return part.n_regions, part.n_linear_regions()


def random_grid(widths, depths, seeds, bias_std: float) -> pd.DataFrame:
    """Regions on [-1, 1]^2 of random nets over a width x depth grid (cheap: no training)."""
    rows = []
    for w in widths:
        for L in depths:
            for s in seeds:
                regions, linear = count(random_layers((w,) * L, s, bias_std), Box(*SQUARE))
                rows.append({"width": w, "depth": L, "neurons": w * L, "seed": s, "n_regions": regions,
                             "n_linear": linear})
    return pd.DataFrame(rows)


def budget_grid(budget: int, depths, seeds, bias_std: float) -> pd.DataFrame:
    """Random nets at a fixed unit budget: width budget // depth for each depth."""
    return pd.concat([random_grid([budget // depth], [depth], seeds, bias_std) for depth in depths],
                     ignore_index=True)


def fit_scaling(df: pd.DataFrame, col: str = "n_regions") -> dict:
    """Least squares log(count) = a + b log(neurons) + c depth: b ~ 2 and c ~ 0 is Hanin and Rolnick's law."""
    X = np.c_[np.ones(len(df)), np.log(df["neurons"]), df["depth"]]
    coef, *_ = np.linalg.lstsq(X, np.log(df[col].to_numpy(float)), rcond=None)
    return {"intercept": float(coef[0]), "neuron_exponent": float(coef[1]), "depth_factor": float(math.exp(coef[2]))}


def _slope_of(spec: models.MLPSpec) -> float | None:
    if spec.activation == "leaky_relu":
        return spec.leaky_slope
    if spec.activation == "rrelu":
        from relulab.core.activations import RRELU_EVAL_SLOPE

        return RRELU_EVAL_SLOPE
    return None


def checkpoint_counts(ckpt: models.Checkpoint, domain: Slice | None = None) -> pd.DataFrame:
    """Regions of every seed of a checkpoint, at initialisation and after training."""
    spec = ckpt.spec
    domain = domain or Box(*SQUARE)
    act = "relu" if spec.activation == "relu" else "leaky_relu"
    rows = []
    stages = [("trained", ckpt.params)] + ([("init", ckpt.init_params)] if ckpt.init_params is not None else [])
    for stage, params in stages:
        for i, seed in enumerate(ckpt.seeds):
            regions, linear = count(models.layers_of(spec, params, i), domain, act, _slope_of(spec))
            rows.append({"activation": spec.activation, "arch": spec.arch, "depth": len(spec.widths),
                         "units": sum(spec.widths), "seed": int(seed), "stage": stage, "n_regions": regions,
                         "n_linear": linear})
    return pd.DataFrame(rows)


def trained_table(paths, metrics_paths=(), log=None) -> pd.DataFrame:
    """Exact counts of surfaces checkpoints (.../<task>/<activation>/<arch>.pt), at init and after training.

    With the surfaces metrics tables (same cells), the trained rows also get each seed's final train and
    test loss (the comparable-loss check of R5).
    """
    frames = []
    for path in paths:
        frames.append(checkpoint_counts(models.load_checkpoint(path)).assign(task=Path(path).parent.parent.name))
        if log is not None:
            log.info("%s: median regions %s", path, frames[-1].groupby("stage")["n_linear"].median().to_dict())
    out = pd.concat(frames, ignore_index=True)
    if not metrics_paths:
        return out
    keys = ["task", "activation", "arch", "seed"]
    met = pd.concat([pd.read_csv(p, dtype={"arch": str}) for p in metrics_paths], ignore_index=True)
    met = met[keys + ["train_loss", "test_loss"]].assign(stage="trained")
    return out.assign(arch=out["arch"].astype(str)).merge(met, on=keys + ["stage"], how="left")


def slice_counts(ckpt_like, x_points: np.ndarray, triples, stage: str) -> list[dict]:
    """Regions in the planes through triples of data points (Slice.through_points), one net per seed."""
    spec, params, seeds = ckpt_like
    rows = []
    for i, seed in enumerate(seeds):
        layers = models.layers_of(spec, params, i)
        for t, (a, b, c) in enumerate(triples):
            sl = Slice.through_points(x_points[a], x_points[b], x_points[c])
            regions, linear = count(layers, sl)
            rows.append({"seed": int(seed), "slice": t, "stage": stage, "n_regions": regions, "n_linear": linear,
                         "area": sl.area})
    return rows
