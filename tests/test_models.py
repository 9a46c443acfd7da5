"""Stacked MLPs against torch.nn reference modules, checkpoints, initializations."""
import math

import pytest
import torch

from relulab.core import activations, models


@pytest.mark.parametrize("act", activations.ACTIVATIONS)
def test_forward_matches_torch_sequential(act):
    spec = models.MLPSpec(3, (5, 4), 2, act, init="torch_default")
    params = {k: v.double() for k, v in models.init_params(spec, [0, 1, 2]).items()}
    x = torch.randn(7, 3, dtype=torch.float64)
    out = models.forward(spec, params, x)
    for s in range(3):
        ref = models.to_sequential(spec, params, s)(x)
        torch.testing.assert_close(out[s], ref)


def test_network_depends_only_on_its_seed():
    spec = models.MLPSpec(2, (8, 8), 1, "relu")
    a = models.init_params(spec, [3, 4, 5])
    b = models.init_params(spec, [5])
    for k in a:
        torch.testing.assert_close(a[k][2], b[k][0])


def test_he_init_variance():
    spec = models.MLPSpec(400, (400,), 1, "relu", init="he")
    w = models.init_params(spec, [0])["W0"]
    assert abs(w.var().item() - 2 / 400) < 0.05 * 2 / 400


def test_batch_norm_folds_into_layers():
    spec = models.MLPSpec(2, (6, 6), 1, "relu", batch_norm=True)
    p = models.init_params(spec, [0], dtype=torch.float64)
    x = torch.randn(64, 2, dtype=torch.float64)
    models.forward(spec, p, x, training=True)  # update running statistics
    ref = models.forward(spec, p, x)[0]
    h = x.numpy()
    layers = models.layers_of(spec, p, 0)
    for W, b in layers[:-1]:
        h = (h @ W.T + b).clip(min=0)
    W, b = layers[-1]
    torch.testing.assert_close(torch.from_numpy(h @ W.T + b), ref)


def test_checkpoint_roundtrip_and_corrupt_file(tmp_path):
    spec = models.MLPSpec(2, (4,), 1, "prelu")
    p = models.init_params(spec, [1, 2])
    path = tmp_path / "m.pt"
    models.save_checkpoint(path, spec, p, seeds=[1, 2], init_params=p, meta={"x": 1})
    ck = models.load_checkpoint(path)
    assert ck.spec == spec and ck.seeds == [1, 2] and ck.meta == {"x": 1}
    torch.testing.assert_close(ck.params["a0"], p["a0"])
    (tmp_path / "bad.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ValueError, match="not a readable torch checkpoint"):
        models.load_checkpoint(tmp_path / "bad.pt")
    torch.save({"weights": 1}, tmp_path / "foreign.pt")
    with pytest.raises(ValueError, match="not a relulab checkpoint"):
        models.load_checkpoint(tmp_path / "foreign.pt")
    with pytest.raises(ValueError, match="no such checkpoint"):
        models.load_checkpoint(tmp_path / "missing.pt")


def test_bad_spec_is_rejected():
    with pytest.raises(ValueError, match="activation"):
        models.MLPSpec(2, (4,), 1, "relux")
    with pytest.raises(ValueError, match="architecture"):
        models.parse_arch("4xa")


def test_rrelu_slopes_follow_the_source_parameterisation():
    z = -torch.ones(2, 5000, 3)
    gens = [torch.Generator().manual_seed(0), torch.Generator().manual_seed(1)]
    out = activations.apply("rrelu", z, training=True, generators=gens)
    slopes = -out
    assert slopes.min() >= 1 / 8 - 1e-6 and slopes.max() <= 1 / 3 + 1e-6
    # E[1/a] for a ~ U(3, 8) is ln(8/3)/5, not the test-time slope 1/5.5
    assert abs(slopes.mean().item() - math.log(8 / 3) / 5) < 3e-3
    assert activations.apply("rrelu", z)[0, 0, 0].item() == pytest.approx(-1 / 5.5)


@pytest.mark.parametrize("act", activations.ACTIVATIONS)
def test_derivative_matches_autograd(act):
    z = torch.linspace(-3, 3, 61, dtype=torch.float64).reshape(1, 1, -1) + 1e-3
    z.requires_grad_(True)
    slope = torch.full((1, 1, 61), 0.25, dtype=torch.float64) if act == "prelu" else None
    y = activations.apply(act, z, slope=slope)
    (g,) = torch.autograd.grad(y.sum(), z)
    torch.testing.assert_close(activations.derivative(act, z.detach(), slope=slope), g)
