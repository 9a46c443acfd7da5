"""Newton's method: one step on a quadratic, no stationary point on transfer functions, one ReLU neuron."""
import math

import numpy as np
import pytest
import torch

from relulab.studies.second_order import newton


def test_newton_solves_a_quadratic_in_one_step():
    A = torch.tensor([[3.0, 1.0], [1.0, 2.0]], dtype=torch.float64)
    b = torch.tensor([1.0, -2.0], dtype=torch.float64)
    f = lambda t: 0.5 * t @ A @ t - b @ t  # noqa: E731
    path = newton.newton_minimize(f, torch.zeros(2, dtype=torch.float64), steps=1, damping=0.0, adapt=False)
    x_star = torch.linalg.solve(A, b)
    assert path.grad_norm.iloc[-1] < 1e-12
    assert math.isclose(path.loss.iloc[-1], float(f(x_star)), rel_tol=1e-12)


def test_scalar_newton_on_a_parabola_and_on_cosine():
    path = newton.scalar_newton(lambda x: (x - 2.0) ** 2, 5.0, steps=3)
    assert path.x.iloc[1] == 2.0 and newton.found_stationary_point(path)
    assert newton.found_stationary_point(newton.scalar_newton(torch.cos, 3.0, steps=20))


def test_relu_second_derivative_is_zero_and_newton_breaks():
    f = newton.transfer("relu")
    for x in (-2.0, -0.3, 0.4, 5.0):
        assert newton.derivatives(f, x)[2] == 0.0
    path = newton.scalar_newton(f, 1.0, steps=5)
    assert not np.isfinite(path.x.iloc[-1]) and not newton.found_stationary_point(path)


@pytest.mark.parametrize("name,growth", [("sigmoid", 1.0), ("tanh", 0.5)])
def test_newton_on_saturating_functions_runs_away(name, growth):
    path = newton.scalar_newton(newton.transfer(name), 2.0, steps=30)
    assert not newton.found_stationary_point(path)
    steps = np.diff(path.x.to_numpy())[-5:]  # x - f'/f'' -> x + 1 (sigmoid), x + 1/2 (tanh) far out
    assert np.allclose(steps, growth, atol=1e-3)


def test_damped_newton_fits_a_single_relu_neuron():
    x, y, w = newton.neuron_data(64, 2, seed=3)
    f = newton.neuron_loss(x, y)
    theta0 = w + 0.3 * torch.randn(3, generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    path = newton.newton_minimize(f, theta0, steps=20)
    assert path.finite.all() and path.loss.iloc[-1] < 1e-20 < path.loss.iloc[0]


def test_sigmoid_neuron_hessians_closed_form_and_convexity():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(40, 2, generator=g, dtype=torch.float64)
    y = (torch.rand(40, generator=g, dtype=torch.float64) < 0.5).double()
    X = torch.cat([x, torch.ones(40, 1, dtype=torch.float64)], 1)
    ce = lambda th: torch.nn.functional.binary_cross_entropy_with_logits(X @ th, y)  # noqa: E731
    mse = newton.neuron_loss(x, y, "sigmoid")
    negative = 0
    for k in range(20):
        th = 3 * torch.randn(3, generator=g, dtype=torch.float64)
        s = torch.sigmoid(X @ th)
        closed = X.T @ (X * (s * (1 - s)).unsqueeze(1)) / 40  # sum sigma(1 - sigma) x x^T / n: PSD
        assert torch.allclose(torch.func.hessian(ce)(th), closed, atol=1e-12)
        negative += int(torch.linalg.eigvalsh(torch.func.hessian(mse)(th))[0] < -1e-10)
    assert negative > 0


def test_constructed_one_d_data_set_has_several_verified_minima():
    from relulab.studies.second_order import experiments as second_order
    grid, minima = second_order.one_d_landscape([-1.1, 0.2, 6.4], [0.24, 0.82, 0.39], 20.0, 2001, 1e-3)
    assert len(minima) >= 2
    assert (minima.gradient.abs() < 1e-6).all() and (minima.curvature > 0).all()
    assert (grid.curvature < 0).any()


def test_landscape_curvature_matches_autograd():
    from relulab.studies.second_order import experiments as second_order
    xs, ys = [-1.1, 0.2, 6.4], [0.24, 0.82, 0.39]
    grid, _ = second_order.one_d_landscape(xs, ys, 5.0, 11, 1e-3)
    xt, yt = torch.tensor(xs, dtype=torch.float64), torch.tensor(ys, dtype=torch.float64)
    f = lambda w: ((torch.sigmoid(w * xt) - yt) ** 2).mean()  # noqa: E731
    for w, c in zip(grid.w, grid.curvature):
        assert math.isclose(newton.derivatives(f, w)[2], c, rel_tol=1e-9, abs_tol=1e-12)
