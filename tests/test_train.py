"""Vectorized training: identical to one-at-a-time training, reproducible, robust to divergence."""
import torch

from relulab.core import models, tasks
from relulab.core.train import TrainSpec, train


def _setup(act="relu", seeds=(0, 1, 2)):
    spec = models.MLPSpec(2, (12, 12), 1, act)
    x, y = tasks.make("smooth", 128, 0)
    return spec, models.init_params(spec, list(seeds)), x, y


def test_stacked_equals_single_seed_training():
    spec, p, x, y = _setup(seeds=(0, 1, 2))
    ts = TrainSpec(steps=60, lr=1e-2, batch_size=32)
    together = train(spec, ts, p, x, y, seeds=[0, 1, 2])
    alone = train(spec, ts, models.select(p, 1), x, y, seeds=[1])
    for k in together.params:
        torch.testing.assert_close(together.params[k][1], alone.params[k][0], rtol=1e-4, atol=1e-5)


def test_same_seed_same_numbers():
    spec, p, x, y = _setup("rrelu")
    ts = TrainSpec(steps=30, lr=1e-2, batch_size=16)
    a = train(spec, ts, p, x, y, seeds=[0, 1, 2]).history
    b = train(spec, ts, p, x, y, seeds=[0, 1, 2]).history
    assert a.equals(b)


def test_divergence_is_recorded_and_others_go_on():
    spec, p, x, y = _setup()
    p["W0"][1] *= 1e19  # the middle network's loss overflows to inf within a step
    res = train(spec, TrainSpec(steps=50, lr=1e-2), p, x, y, seeds=[0, 1, 2])
    assert res.diverged == [False, True, False]
    final = res.final.set_index("seed")
    assert torch.isfinite(res.params["W0"][0]).all() and torch.isnan(res.params["W0"][1]).all()
    first = res.history[res.history.step == 0].set_index("seed")
    assert final.loc[0, "train_loss"] < first.loc[0, "train_loss"]
    assert final.loc[2, "train_loss"] < first.loc[2, "train_loss"]


def test_classification_reaches_high_accuracy():
    spec = models.MLPSpec(2, (32, 32), 2, "relu")
    x, y = tasks.make("checkerboard", 512, 0)
    res = train(spec, TrainSpec(steps=400, lr=1e-2, loss="ce"), models.init_params(spec, [0, 1]), x, y,
                seeds=[0, 1])
    assert (res.final["train_acc"] > 0.9).all()
