"""Regions of an MLP trained on 8x8 digits, counted exactly in 2-D planes through three test images (R5)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from relulab.core import data, models
from relulab.studies.regions.count import slice_counts
from relulab.core.train import TrainSpec, train


def slice_triples(y_test: np.ndarray, n_slices: int, seed: int = 0) -> list[tuple[int, int, int]]:
    """Triples of test images of three different classes, drawn reproducibly."""
    rng = np.random.default_rng(seed)
    out = []
    while len(out) < n_slices:
        idx = rng.choice(len(y_test), 3, replace=False)
        if len(set(y_test[idx].tolist())) == 3:
            out.append(tuple(int(i) for i in idx))
    return out


def digits_regions(widths, seeds, steps: int, lr: float, n_slices: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train ReLU MLPs (64 -> widths -> 10) on digits; count regions per slice at init and after training."""
    ds = data.load("digits")
    spec = models.MLPSpec(64, tuple(widths), 10, "relu", "he")
    init = models.init_params(spec, seeds)
    res = train(spec, TrainSpec(optimizer="adam", lr=lr, steps=steps, batch_size=0, loss="ce",
                                log_every=max(1, steps)), init, ds.x_train, ds.y_train, seeds=seeds,
                x_test=ds.x_test, y_test=ds.y_test)
    x = ds.x_test.double().numpy()
    triples = slice_triples(ds.y_test.numpy(), n_slices)
    rows = slice_counts((spec, init, seeds), x, triples, "init") + slice_counts((spec, res.params, seeds), x,
                                                                                 triples, "trained")
    df = pd.DataFrame(rows).assign(arch=spec.arch)
    return df, res.final.assign(arch=spec.arch)
