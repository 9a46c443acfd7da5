"""Exact Hessians vs independent oracles: finite differences, explicit products, the ReLU structure."""
import numpy as np
import pytest
import torch

from relulab.studies.second_order import hessian as hs
from relulab.core import models


def problem(activation="relu", loss="mse", widths=(5, 4), n=24, seed=0):
    spec = models.MLPSpec(3, widths, 2, activation)
    layout = hs.layout_of(spec)
    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, 3, generator=g, dtype=torch.float64)
    y = torch.randn(n, 2, generator=g, dtype=torch.float64) if loss == "mse" else torch.randint(0, 2, (n,), generator=g)
    return spec, layout, hs.init_theta(spec, seed), x, y


def test_flatten_roundtrip_matches_stacked_forward():
    spec, layout, theta, x, _ = problem()
    params = models.init_params(spec, [0], dtype=torch.float64)
    assert torch.allclose(hs.outputs(spec, layout, theta, x), models.forward(spec, params, x)[0])
    assert layout.n == spec.n_params


@pytest.mark.parametrize("loss", ["mse", "ce"])
@pytest.mark.parametrize("activation", ["relu", "tanh"])
def test_hvp_and_gnvp_match_explicit_matrices(activation, loss):
    spec, layout, theta, x, y = problem(activation, loss)
    parts = hs.split(spec, layout, theta, x, y, loss)
    f = hs.loss_fn(spec, layout, x, y, loss)
    for seed in range(3):
        v = torch.randn(layout.n, generator=torch.Generator().manual_seed(seed), dtype=torch.float64)
        assert hs.relative_error(hs.hvp(f, theta, v), parts["full"] @ v) < 1e-8
        assert hs.relative_error(hs.gnvp(spec, layout, theta, x, y, loss, v), parts["gauss_newton"] @ v) < 1e-8


def test_hessian_matches_finite_differences_of_the_gradient():
    spec, layout, theta, x, y = problem("tanh", "mse")
    f = hs.loss_fn(spec, layout, x, y, "mse")
    H = hs.loss_hessian(f, theta)
    g = torch.func.grad(f)
    eps = 1e-5
    basis = torch.eye(layout.n, dtype=torch.float64)[:10]
    cols = [(g(theta + eps * e) - g(theta - eps * e)) / (2 * eps) for e in basis]
    assert torch.allclose(torch.stack(cols, 1), H[:, :10], atol=1e-7)


@pytest.mark.parametrize("loss", ["mse", "ce"])
def test_gauss_newton_is_psd_and_diagonal_agrees(loss):
    spec, layout, theta, x, y = problem("relu", loss)
    G = hs.gauss_newton(spec, layout, theta, x, y, loss)
    ev = hs.spectrum(G)
    assert ev.min() > -1e-12 * ev.max()
    assert torch.allclose(hs.gauss_newton_diagonal(spec, layout, theta, x, loss), torch.diagonal(G))


def test_mse_gauss_newton_is_two_jtj_over_n():
    spec, layout, theta, x, y = problem("relu", "mse")
    J = hs.jacobian(spec, layout, theta, x).reshape(-1, layout.n)
    G = hs.gauss_newton(spec, layout, theta, x, y, "mse")
    assert torch.allclose(G, 2 * J.T @ J / J.shape[0])


def test_relu_output_hessian_has_zero_within_layer_blocks_but_tanh_does_not():
    spec, layout, theta, x, _ = problem("relu")
    for H in hs.output_hessians(spec, layout, theta, x[:4]):
        assert hs.zero_fractions(H, layout)["within"] == 1.0
    spec, layout, theta, x, _ = problem("tanh")
    assert hs.zero_fractions(hs.output_hessians(spec, layout, theta, x[:1])[0], layout)["within"] < 0.5


def test_relu_loss_hessian_is_not_zero_and_rest_vanishes_within_layers():
    spec, layout, theta, x, y = problem("relu", "mse")
    parts = hs.split(spec, layout, theta, x, y, "mse")
    blocks = hs.block_table(parts["full"], layout)
    assert (blocks.frobenius > 0).all()
    rest = hs.block_table(parts["rest"], layout)
    assert rest[rest.within].near_zero_fraction.min() == 1.0
    assert rest[~rest.within].frobenius.max() > 1e-6


def test_block_table_reassembles_the_norm():
    spec, layout, theta, x, y = problem("tanh", "ce")
    H = hs.split(spec, layout, theta, x, y, "ce")["full"]
    b = hs.block_table(H, layout)
    total = np.sum(np.where(b.within, 1, 2) * b.frobenius ** 2)
    assert np.isclose(total, float(H.norm()) ** 2)
