"""Dead-unit detection on networks with known dead units; born-dead Monte Carlo against the closed form."""

import numpy as np
import pytest
import torch
from scipy.stats import binomtest

from relulab.studies.gradients import dying
from relulab.core import models, train
from relulab.studies.gradients.convergence import RunSpec, train_stack


def test_dead_units_found_exactly():
    spec = models.MLPSpec(4, (10, 10), 3, "relu", init="he")
    params = models.init_params(spec, [0, 1])
    x = torch.rand(50, 4)  # inputs in [0, 1]^4, so |W x| <= 4 * max|W|
    killed = {(0, 0, 3), (0, 1, 7), (1, 0, 0), (1, 0, 9)}
    for m, i, u in killed:
        params[f"b{i}"][m, u] = -100.0
    _, hidden = models.forward_by_name("relu", params, x)
    found = {(m, i, u) for i, d in enumerate(dying.dead_units(hidden)) for m, u in torch.nonzero(d).tolist()}
    assert killed <= found
    # any extra dead unit really is zero on every example (checked independently through models.forward)
    _, ref = models.forward(spec, params, x, return_hidden=True)
    for m, i, u in found:
        assert float(ref[i][1][m, :, u].abs().max()) == 0.0
    t = dying.dead_table(hidden)
    assert t.dead_fraction.sum() == pytest.approx(len(found) / 10)


def test_dead_layer_gives_constant_output():
    spec = models.MLPSpec(2, (3, 3), 2, "relu", init="he")
    params = models.init_params(spec, [5, 6])
    params["b1"][0] = -1e3  # model 0: second layer dead everywhere
    x = torch.rand(20, 2) * 2 - 1
    out, hidden = models.forward_by_name("relu", params, x)
    dead = dying.dead_everywhere(hidden)
    assert bool(dead[0]) and float(out[0].std(0).max()) == 0.0
    assert not bool(dead[1]) or float(out[1].std(0).max()) == 0.0


@pytest.mark.parametrize("width,depth,bias_std", [(2, 3, 0.0), (3, 10, 0.0), (2, 6, 0.5)])
def test_born_dead_mc_matches_closed_form(width, depth, bias_std):
    n = 4000
    x = torch.tensor([[0.3, -0.7, 0.2]])
    k = int(dying.born_dead_mc(width, depth, x, n_nets=n, seed=11, bias_std=bias_std).sum())
    p = dying.born_dead_theory(width, depth)
    assert binomtest(k, n, p).pvalue > 1e-3  # the closed form is exact for one input


def test_domain_probability_below_one_input():
    t = dying.born_dead_table([2], [4, 12], in_dim=2, n_nets=1500, n_domain=64, seed=0)
    assert (t.p_domain <= t.p_one_input + 0.05).all()
    assert ((t.theory >= t.ci_low - 0.02) & (t.theory <= t.ci_high + 0.02)).all()


def test_wilson_ci_matches_scipy():
    lo, hi = dying.wilson_ci(37, 200)
    ref = binomtest(37, 200).proportion_ci(confidence_level=0.95, method="wilson")
    assert lo == pytest.approx(ref.low, abs=1e-9) and hi == pytest.approx(ref.high, abs=1e-9)


def test_first_layer_units_killed_by_a_spike_never_revive():
    g = torch.Generator().manual_seed(0)
    x = torch.rand(300, 6, generator=g)
    y = (x[:, 0] > x[:, 1]).long() + (x[:, 2] > 0.5).long()
    traj, fate = dying.large_update_experiment(x, y, x, y, x, y, depth=2, width=16, lr=0.05, spike_factor=400.0,
                                               spike_step=20, steps=80, batch_size=32, eval_every=10,
                                               seeds=[0, 1, 2])
    first = fate[fate.layer == 1]
    assert first.killed.sum() > 0  # the spike does kill units
    assert (first.revived == 0).all()  # a first-layer unit dead on the whole data set gets zero gradient
    assert (first.dead_for_good == first.killed).all()  # ... exactly zero at every later step
    assert (fate.dead_for_good <= fate.killed).all() and (fate.steps_after == 59).all()
    assert set(traj.layer) == {1, 2}


def test_dead_on_whole_set_matches_one_forward_pass():
    from relulab.core import models
    from relulab.studies.gradients.convergence import RunSpec

    x = torch.randn(500, 4, generator=torch.Generator().manual_seed(1))
    run = RunSpec("relu", (8, 8))
    params = models.init_by_name("relu", 4, (8, 8), 3, "he", [0, 1])
    params["b0"][:, :3] = -100.0   # three first-layer units dead everywhere
    chunked = dying.dead_on(run, params, x, chunk=64)
    _, hidden = models.forward_by_name("relu", params, x)
    for a, b in zip(chunked, dying.dead_units(hidden)):
        assert torch.equal(a, b)
    assert chunked[0][:, :3].all()


def test_train_stack_seeds_are_independent():
    x, y = torch.rand(100, 5), torch.randint(0, 3, (100,))
    run = RunSpec("tanh", (8,), lr=0.1, steps=5, batch_size=16, eval_every=5)
    _, h2 = train_stack(run, x, y, x, y, x, y, seeds=[3, 4])
    _, h1 = train_stack(run, x, y, x, y, x, y, seeds=[4])
    a = h2[h2.seed == 4].train_loss.to_numpy()
    assert np.allclose(a, h1.train_loss.to_numpy(), atol=1e-6)


@pytest.mark.parametrize("optimizer,momentum", [("sgd", 0.0), ("sgd", 0.9), ("adam", 0.0)])
def test_train_stack_matches_torch_optim(optimizer, momentum):
    x, y = torch.rand(64, 5), torch.randint(0, 3, (64,))
    run = RunSpec("relu", (6,), init="he", optimizer=optimizer, lr=0.05, momentum=momentum, steps=4,
                  batch_size=64, eval_every=4)
    params = models.init_by_name("relu", 5, (6,), 3, "he", [1])
    final, _ = train_stack(run, x, y, x, y, x, y, seeds=[1], params=params)
    ref = {k: v.clone().requires_grad_(True) for k, v in params.items()}
    opt = (torch.optim.SGD(ref.values(), lr=0.05, momentum=momentum) if optimizer == "sgd"
           else torch.optim.Adam(ref.values(), lr=0.05))
    for _ in range(4):  # batch_size = n: full-batch steps
        opt.zero_grad()
        out, _ = models.forward_by_name("relu", ref, x)
        train.per_model_ce(out, y).sum().backward()
        opt.step()
    assert all(torch.allclose(final[k], ref[k].detach(), atol=1e-6) for k in ref)
    assert not torch.allclose(final["W0"], params["W0"])
