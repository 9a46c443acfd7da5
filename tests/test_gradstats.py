"""Per-layer statistics against hand-computed values, theory and a second implementation."""

import math

import numpy as np
import pytest
import torch

from relulab.studies.gradients import claims, training_claims, flow as gradstats
from relulab.core import models


def tiny_params():
    """One model, 2 inputs -> 2 ReLU units -> 2 logits, with hand-chosen weights."""
    p = {"W0": torch.tensor([[[1.0, -1.0], [0.5, 0.5]]], dtype=torch.float64),
         "b0": torch.zeros(1, 2, dtype=torch.float64),
         "W1": torch.eye(2, dtype=torch.float64).unsqueeze(0),
         "b1": torch.zeros(1, 2, dtype=torch.float64)}
    return p


def test_probe_matches_hand_computation():
    x = torch.tensor([[1.0, 2.0]], dtype=torch.float64)  # pre = [-1, 1.5], post = [0, 1.5]
    t = gradstats.probe("relu", tiny_params(), x, torch.tensor([0]))
    row = t.iloc[0]
    p1 = math.exp(1.5) / (1 + math.exp(1.5))  # softmax of logits [0, 1.5]; dL/dpre = [0, p1]
    assert row.act_mean == pytest.approx(0.75)
    assert row.act_std == pytest.approx(0.75)
    assert row.bgrad_norm == pytest.approx(p1)
    assert row.bgrad_var == pytest.approx(p1 ** 2 / 4)
    assert row.wgrad_norm == pytest.approx(p1 * math.sqrt(5))  # dL/dW0 = [[0, 0], [p1, 2 p1]]
    assert row.act_p50 == pytest.approx(0.75)
    assert math.isnan(row.saturated)


def test_probe_matches_nn_sequential_hooks():
    spec = models.MLPSpec(5, (7, 6), 3, "tanh", init="xavier")
    params = models.init_params(spec, [3, 4], dtype=torch.float64)
    x, y = torch.randn(11, 5, dtype=torch.float64), torch.randint(0, 3, (11,))
    t = gradstats.probe("tanh", params, x, y)
    for m in range(2):
        net = models.to_sequential(spec, params, m)
        acts = []
        for mod in net:
            if isinstance(mod, torch.nn.Linear) and len(acts) < 2:
                mod.register_forward_hook(lambda _m, _i, o: acts.append(o) or o.retain_grad())
        torch.nn.functional.cross_entropy(net(x), y).backward()
        for layer in (1, 2):
            row = t[(t.model == m) & (t.layer == layer)].iloc[0]
            assert row.bgrad_norm == pytest.approx(float(acts[layer - 1].grad.norm()), rel=1e-9)
            lin = [mod for mod in net if isinstance(mod, torch.nn.Linear)][layer - 1]
            assert row.wgrad_norm == pytest.approx(float(lin.weight.grad.norm()), rel=1e-9)


def test_forward_by_name_equals_forward():
    for act in ("relu", "sigmoid", "elu", "softsign"):
        spec = models.MLPSpec(4, (8, 8, 8), 3, act, init="torch_default")
        params = models.init_params(spec, [0, 1, 2])
        x = torch.randn(9, 4)
        out, hidden = models.forward_by_name(act, params, x)
        ref, ref_hidden = models.forward(spec, params, x, return_hidden=True)
        assert torch.allclose(out, ref)
        assert all(torch.allclose(a[1], b[1]) for a, b in zip(hidden, ref_hidden))


def test_sigmoid_derivative_bound_and_tanh():
    d, z = gradstats.max_derivative("sigmoid")
    assert d == pytest.approx(0.25, abs=1e-12) and abs(z) < 1e-3
    assert gradstats.max_derivative("tanh")[0] == pytest.approx(1.0, abs=1e-12)
    assert gradstats.max_derivative("sigmoid_centered")[0] == pytest.approx(0.25, abs=1e-12)
    assert gradstats.max_derivative("scaled_tanh")[0] == pytest.approx(1.7159 * 2 / 3, abs=1e-9)


def test_saturated_fraction():
    post = torch.tensor([[[0.01, 0.5], [0.99, 0.98]]])
    assert float(gradstats.saturated_fraction("sigmoid", post)[0]) == pytest.approx(0.75)
    assert float(gradstats.saturated_fraction("tanh", torch.tensor([[[0.0, -0.96, 0.94]]]))[0]) == pytest.approx(1 / 3)


def test_decay_factor_recovers_geometric_profile():
    layers = np.arange(1, 11)
    assert gradstats.decay_factor(layers, 3.0 * 0.6 ** (10 - layers)) == pytest.approx(0.6)
    assert gradstats.decay_factor(layers, np.full(10, 2.0)) == pytest.approx(1.0)


def test_jacobian_singular_values_against_autograd():
    spec = models.MLPSpec(3, (5, 4), 2, "tanh", init="xavier")
    params = models.init_params(spec, [7], dtype=torch.float64)
    x = torch.randn(2, 3, dtype=torch.float64)
    sv = gradstats.jacobian_singular_values("tanh", params, x)

    def last_hidden(xi):
        return models.forward(spec, params, xi[None], return_hidden=True)[1][-1][1][0, 0]

    for j in range(2):
        J = torch.autograd.functional.jacobian(last_hidden, x[j])
        assert np.allclose(sv[j], torch.linalg.svdvals(J).numpy())


def test_first_last_ratio_and_decay_table():
    x, y = torch.randn(64, 10), torch.randint(0, 3, (64,))
    t, jac = gradstats.depth_sweep(x, y, depths=[3], activations=["sigmoid"], inits=["xavier"], width=16,
                                   seeds=[0, 1], n_classes=3, jac_examples=2)
    r = gradstats.first_last_ratio(t[t.seed == 0].assign(model=0))
    g = t[t.seed == 0].set_index("layer").bgrad_norm
    assert float(r.iloc[0]) == pytest.approx(g[1] / g[3])
    d = gradstats.decay_table(t)
    assert len(d) == 2 and len(jac) == 2


def test_steps_to_reach_best_lr_and_stability_by_hand():
    import pandas as pd

    from relulab.studies.gradients import convergence

    rows = []
    # tuning seed 1000: lr 1.0 is fastest; evaluation seed 0: lr 0.1 would be (ignored for the choice)
    for seed, role, runs in ((1000, "tuning", ((0.1, [0.1, 0.5, 0.9, 0.95]), (1.0, [0.1, 0.95, 0.96, 0.97]),
                                               (3.0, [0.1, 0.2, 0.1, 0.1]))),
                             (0, "eval", ((0.1, [0.1, 0.95, 0.95, 0.95]), (1.0, [0.1, 0.5, 0.5, 0.92]),
                                          (3.0, [0.1, 0.2, 0.1, 0.1])))):
        for lr, accs in runs:
            for step, a in enumerate(accs):
                rows.append({"cell": "relu", "activation": "relu", "lr": lr, "seed": seed, "step": 10 * step,
                             "time_s": float(step), "train_acc": a, "role": role,
                             "train_loss": 2.3 * (1 - a) + (5 if lr == 3.0 else 0), "diverged": False})
    h = pd.DataFrame(rows)
    reach = convergence.reach_table(h, "train_acc", 0.9)
    tune = reach[reach.role == "tuning"]
    assert tune.set_index("lr").steps.to_dict() == pytest.approx({0.1: 20.0, 1.0: 10.0, 3.0: float("nan")},
                                                                 nan_ok=True)
    best = convergence.best_lr(reach)
    assert best.lr.tolist() == [1.0] and best.seed.tolist() == [0] and best.steps.tolist() == [30.0]
    assert best.lr_edge.tolist() == [""] and best.n_tuning.tolist() == [1]
    stab = training_claims.stability_table(h)
    assert stab.set_index("lr").stable.to_dict() == {0.1: True, 1.0: True, 3.0: False}
    assert stab.seed.unique().tolist() == [0]   # evaluation seeds only
    assert training_claims.max_stable_lr(stab).max_stable_lr.tolist() == [1.0]


def test_best_lr_needs_tuning_rows_and_flags_grid_edges():
    import pandas as pd

    from relulab.studies.gradients import convergence

    reach = pd.DataFrame({"cell": "a", "lr": [0.1, 1.0, 0.1, 1.0], "seed": [5, 5, 0, 0], "steps": [10.0, 20.0, 1, 1],
                          "reached": True, "budget": 100, "shortfall": 0.0, "role": ["tuning"] * 2 + ["eval"] * 2})
    best = convergence.best_lr(reach)
    assert best.lr.tolist() == [0.1] and best.lr_edge.tolist() == ["low"]
    with pytest.raises(ValueError):
        convergence.best_lr(reach.assign(role="eval"))
    assert [convergence.grid_edge(x, [0.1, 0.3, 1.0]) for x in (0.1, 0.3, 1.0)] == ["low", "", "high"]
    assert convergence.grid_edge(0.3, [0.3]) == "single"


def test_best_lr_breaks_ties_by_how_close_the_run_came():
    import pandas as pd

    from relulab.studies.gradients import convergence

    rows = [{"cell": "sigmoid", "activation": "sigmoid", "lr": lr, "seed": seed, "step": 10 * step, "time_s": 0.0,
             "train_acc": a, "role": role}
            for seed, role in ((1000, "tuning"), (0, "eval"))
            for lr, accs in ((0.03, [0.1, 0.1]), (0.3, [0.1, 0.6]), (3.0, [0.1, float("nan")]))
            for step, a in enumerate(accs)]
    reach = convergence.reach_table(pd.DataFrame(rows), "train_acc", 0.9)
    assert not reach.reached.any()
    tune = reach[reach.role == "tuning"]
    assert tune.set_index("lr").shortfall.to_dict() == pytest.approx({0.03: 0.8, 0.3: 0.3, 3.0: float("nan")},
                                                                     nan_ok=True)
    assert convergence.best_lr(reach).lr.tolist() == [0.3]


def test_input_drift_by_hand():
    from relulab.studies.gradients import convergence

    traj = np.zeros((3, 1, 2, 3))
    traj[:, 0, :, 0], traj[:, 0, :, 2] = -1.0, 1.0  # initial 15-85% spread 2
    traj[:, 0, 0, 1] = [0.0, 1.0, 0.5]  # unit 0's median moves over a range of 1 -> 0.5 spreads
    traj[:, 0, 1, 1] = [0.0, 0.0, -2.0]  # unit 1: range 2 -> 1 spread
    assert convergence.input_drift(traj)[0] == pytest.approx(0.75)


def test_saturation_rows_by_hand():
    import pandas as pd

    # Two seeds at one learning rate; top layer (2) saturates at step 20 for seed 0 only.
    rows = []
    for seed, sat in ((0, [0.0, 0.2, 0.9, 1.0]), (1, [0.0, 0.0, 0.1, 0.3])):
        for k, s in enumerate(sat):
            for layer in (1, 2):
                rows.append({"seed": seed, "step": 10 * k, "layer": layer, "lr": 1.0, "saturated": s if layer == 2
                             else 0.0, "train_acc": 0.1 + 0.01 * k})
    stats = {r["statistic"]: r for r in claims.saturation_rows(pd.DataFrame(rows), "fig-x")}
    assert stats["long_peak_saturation_lr1"]["value"] == pytest.approx(0.65)  # median of 1.0 and 0.3
    assert stats["long_final_train_acc_lr1"]["value"] == pytest.approx(0.13)
    when = stats["long_acc_when_saturated_lr1"]
    assert when["value"] == pytest.approx(0.12) and when["n_seeds"] == 1
    assert all(r["claim_id"] == "F6" and r["evidence"] == "fig-x" for r in stats.values())


def test_replication_table_names_each_difference():
    from relulab.studies.gradients import papers

    assert papers.differences([("depth", 4, 4), ("width", 1000, 128)], "other data") == \
        "other data; width 128 instead of 1000"
    cfg = {"dataset": "fashion_mnist", "n_train": 0, "batch_size": 10, "f6_depth": 4, "f6_width": 1000,
           "f6_batch_size": 10, "f6_steps": 10, "deep_depth": 30,
           "deep_width": 64, "deep_momentum": 0.9, "deep_steps": 5, "speed_depth": 4, "speed_width": 100,
           "speed_steps": 5, "speed_target_error": 0.25, "centering_depth": 3, "centering_width": 100,
           "centering_steps": 50000, "born_widths": [2], "born_depths": [1], "born_nets": 10}
    t = papers.replication_table(cfg).set_index("Claims")
    assert t.loc["F6", "Difference"] == "other data, fewer updates"   # the paper's architecture and minibatch
    assert t.loc["A5", "Difference"] == "other data; minibatch 10 instead of 60"
    assert "4 x 1000 sigmoid units" in t.loc["F6", "Ours"]


def test_run_tuned_cells_trains_eval_seeds_at_the_tuned_rate_only():
    from relulab.studies.gradients import convergence
    from relulab.studies.gradients.convergence import RunSpec

    g = torch.Generator().manual_seed(0)
    x = torch.rand(200, 4, generator=g)
    y = (x[:, 0] > x[:, 1]).long()
    arms = {"relu": [RunSpec("relu", (8,), init="he", lr=lr, steps=30, batch_size=16, eval_every=10)
                     for lr in (1e-4, 0.5)]}
    hist = convergence.run_tuned_cells(arms, x, y, x, y, x, y, col="train_acc", threshold=0.7, seeds=[0, 1],
                                       tuning_seeds=[1000], log=None)
    tune, ev = hist[hist.role == "tuning"], hist[hist.role == "eval"]
    assert set(tune.lr) == {1e-4, 0.5} and set(tune.seed) == {1000}
    assert set(ev.lr) == {0.5} and set(ev.seed) == {0, 1}   # 1e-4 cannot reach 70% in 30 steps
    best = convergence.best_steps(hist, "train_acc", 0.7)
    assert best.seed.tolist() == [0, 1] and best.lr_edge.tolist() == ["high", "high"]
