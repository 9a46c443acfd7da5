"""Hand-written NumPy back-propagation vs torch autograd and vs finite differences."""
import numpy as np
import pytest
import torch

from relulab.studies.second_order import backprop_numpy as bp
from relulab.core import models


def net(activation, loss, seed=0):
    spec = models.MLPSpec(4, (6, 5), 3, activation, init="xavier")
    params = models.init_params(spec, [seed], dtype=torch.float64)
    params = {k: v + 0.05 * torch.randn(v.shape, generator=torch.Generator().manual_seed(seed + 1), dtype=torch.float64)
              for k, v in params.items()}  # non-zero biases
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(10, 4))
    y = rng.normal(size=(10, 3)) if loss == "mse" else rng.integers(0, 3, 10)
    return spec, params, x, y


@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("activation", bp.ACTIVATIONS)
def test_backprop_matches_autograd(activation, loss):
    spec, params, x, y = net(activation, loss)
    layers = models.layers_of(spec, params, 0)
    value, grads = bp.backward(layers, activation, x, y, loss)
    p = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    out = models.forward(spec, p, torch.from_numpy(x))
    yt = torch.from_numpy(y) if loss == "mse" else torch.from_numpy(y).long()
    from relulab.core.train import per_model_loss
    ref = per_model_loss(out, yt, loss)[0]
    ref.backward()
    assert np.isclose(value, float(ref), rtol=1e-12)
    for i, (gw, gb) in enumerate(grads):
        assert np.allclose(gw, p[f"W{i}"].grad[0].numpy(), rtol=1e-10, atol=1e-13)
        assert np.allclose(gb, p[f"b{i}"].grad[0].numpy(), rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_gradient_check_passes_and_catches_a_bug(activation):
    spec, params, x, y = net(activation, "mse")
    layers = models.layers_of(spec, params, 0)
    table = bp.gradient_check(layers, activation, x, y, "mse")
    assert len(table) == 3 and table.rel_error.max() < 1e-7
    orig = bp.act_grad
    try:
        bp.act_grad = lambda name, z: 1.1 * orig(name, z)
        assert bp.gradient_check(layers, activation, x, y, "mse").rel_error.max() > 1e-3
    finally:
        bp.act_grad = orig
