"""Helpers of H4, H5 and H6 against hand computations: counted FLOPs of a matrix product, standardized inputs, the
input second-moment baseline and the cosines with the damped Gauss-Newton step (numpy's solve as the oracle)."""
import numpy as np
import torch

from relulab.core import models
from relulab.studies.second_order import experiments, rmsprop
from relulab.studies.second_order import hessian as hs


def test_counted_flops_of_a_matrix_product():
    a, b = torch.ones(3, 4, dtype=torch.float64), torch.ones(4, 5, dtype=torch.float64)
    assert experiments.counted_flops(lambda: a @ b) == 2 * 3 * 4 * 5


def test_standardized_is_dense_and_zero_only_on_constant_pixels():
    x = torch.tensor([[0.0, 1.0, 2.0], [0.0, 3.0, 2.0], [0.0, 5.0, 2.0], [0.0, 7.0, 2.0]], dtype=torch.float64)
    z = experiments.standardized(x)
    assert torch.all(z[:, [0, 2]] == 0)
    col = torch.tensor([1.0, 3.0, 5.0, 7.0], dtype=torch.float64)
    assert torch.allclose(z[:, 1], (col - 4.0) / col.std())


def test_input_second_moment_by_hand():
    spec = models.MLPSpec(2, (3,), 2, "relu")
    layout = hs.layout_of(spec)
    theta = hs.init_theta(spec, 0)
    x = torch.tensor([[1.0, -2.0], [3.0, 0.5]], dtype=torch.float64)
    got = rmsprop.input_second_moment(spec, layout, theta, x).numpy()
    p = {k: v[0].numpy() for k, v in hs.unflatten(theta, layout).items()}
    h = np.maximum(x.numpy() @ p["W0"].T + p["b0"], 0)
    m0, m1 = (x.numpy() ** 2).mean(0), (h ** 2).mean(0)
    want = np.concatenate([np.tile(m0, 3), np.ones(3), np.tile(m1, 2), np.ones(2)])  # W rows are (out, in)
    assert np.allclose(got, want, rtol=1e-12)


def _cos(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def test_step_cosines_against_a_direct_solve():
    rng = np.random.default_rng(0)
    A = rng.standard_normal((5, 5))
    G = A @ A.T
    g, v = rng.standard_normal(5), rng.random(5) + 0.1
    out = rmsprop.step_cosines(torch.from_numpy(G), torch.from_numpy(g), torch.from_numpy(v), 1e-8, 0.1)
    for suffix, factor in (("", 1.0), ("_low", 0.1), ("_high", 10.0)):
        lam = factor * 0.1 * np.trace(G) / 5
        gn = np.linalg.solve(G + lam * np.eye(5), g)
        assert np.isclose(out[f"cos_rms_gn{suffix}"], _cos(g / (np.sqrt(v) + 1e-8), gn), atol=1e-10)
        assert np.isclose(out[f"cos_sgd_gn{suffix}"], _cos(g, gn), atol=1e-10)


def test_gauss_newton_matrix_product_equals_the_per_example_sum():
    spec = models.MLPSpec(3, (4,), 3, "relu")
    layout = hs.layout_of(spec)
    theta = hs.init_theta(spec, 1)
    x = torch.randn(5, 3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    for loss, y in (("ce", torch.tensor([0, 1, 2, 1, 0])), ("mse", torch.randn(5, 3, dtype=torch.float64))):
        J = hs.jacobian(spec, layout, theta, x)
        A = hs.output_loss_hessian(hs.outputs(spec, layout, theta, x).detach(), loss)
        want = sum(J[i].T @ A[i] @ J[i] for i in range(5))
        assert torch.allclose(hs.gauss_newton(spec, layout, theta, x, y, loss), want, rtol=1e-12, atol=1e-14)
