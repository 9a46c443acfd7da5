"""Truncated CG and Hessian-free steps vs direct solves on convex quadratics."""
import torch

from relulab.studies.second_order import hessian_free as hf


def spd(n, seed):
    g = torch.Generator().manual_seed(seed)
    M = torch.randn(n, n, generator=g, dtype=torch.float64)
    return M @ M.T + 0.5 * torch.eye(n, dtype=torch.float64), torch.randn(n, generator=g, dtype=torch.float64)


def test_cg_solves_in_n_steps_and_reports_the_quadratic():
    A, b = spd(8, 0)
    x, products, q = hf.cg(lambda v: A @ v, b, max_iters=30, tol=1e-14)
    assert torch.allclose(x, torch.linalg.solve(A, b), atol=1e-9) and products <= 12
    assert abs(q - float(0.5 * x @ A @ x - b @ x)) < 1e-9


def test_truncated_cg_decreases_the_quadratic_monotonically():
    A, b = spd(20, 1)
    qs = [hf.cg(lambda v: A @ v, b, max_iters=k)[2] for k in range(1, 8)]
    assert all(a > c for a, c in zip(qs, qs[1:]))


def test_hf_decreases_a_convex_quadratic_loss_to_its_minimum():
    A, b = spd(30, 2)
    f = lambda t: 0.5 * t @ A @ t - b @ t  # noqa: E731
    theta, hist = hf.hf_minimize(f, lambda t: (lambda v: A @ v), torch.zeros(30, dtype=torch.float64),
                                 hf.HFSpec(steps=30, cg_iters=5, damping=1.0))
    assert (hist.loss.diff().dropna() <= 0).all() and hist.loss.iloc[-1] < hist.loss.iloc[0]
    assert abs(hist.loss.iloc[-1] - float(f(torch.linalg.solve(A, b)))) < 1e-6
    assert hist.passes.is_monotonic_increasing


def test_hf_with_gauss_newton_products_trains_a_relu_network():
    from relulab.studies.second_order import hessian as hs
    from relulab.core import models
    spec = models.MLPSpec(2, (6,), 1, "relu")
    layout = hs.layout_of(spec)
    g = torch.Generator().manual_seed(0)
    x = torch.rand(64, 2, generator=g, dtype=torch.float64) * 2 - 1
    y = (x[:, :1] * x[:, 1:]).sin()
    f = hs.loss_fn(spec, layout, x, y, "mse")
    theta0 = hs.init_theta(spec, 0)
    _, hist = hf.hf_minimize(f, lambda t: hs.gn_operator(spec, layout, t, x, "mse"), theta0,
                             hf.HFSpec(steps=15, cg_iters=10))
    assert torch.isfinite(torch.tensor(hist.loss.to_numpy())).all()
    assert (hist.loss.diff().dropna() <= 0).all() and hist.loss.iloc[-1] < 0.5 * hist.loss.iloc[0]


def test_affine_cost_recovers_overhead_and_slope():
    import pandas as pd

    from relulab.studies.second_order import experiments as second_order
    table = pd.DataFrame({"n_params": [100, 400, 1600, 6400]})
    table["hvp_s"] = 2e-3 + 5e-7 * table.n_params
    a, b = second_order.affine_cost(table, "hvp_s")
    assert abs(a - 2e-3) < 1e-12 and abs(b - 5e-7) < 1e-15
    assert abs(second_order.explicit_hours(table, 1e6) - 1e6 * (2e-3 + 0.5) / 3600) < 1e-6
