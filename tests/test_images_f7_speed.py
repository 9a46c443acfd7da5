"""F7 CNN replication (studies/images/speed.py): the stacked SGD-momentum step against torch.optim.SGD, the rate
choice, early stopping of hopeless tuning rates, and the claim statistics on hand-made tables."""
import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

from relulab.studies.images import cnn, speed


def test_stacked_sgd_momentum_matches_torch_optimizer_per_network():
    spec = cnn.NetSpec(in_shape=(1, 8, 8), channels=(3, 4), kernels=(3, 3), head=(), activation="tanh")
    st = cnn.Stack(spec, [0, 1])
    speed.initialize(st)
    lrs = [0.1, 0.03]
    nets = [st.network(i).train() for i in range(2)]
    opts = [torch.optim.SGD(n.parameters(), lr=lr, momentum=0.9) for n, lr in zip(nets, lrs)]
    g = torch.Generator().manual_seed(3)
    bufs = {}
    for _ in range(3):
        x, y = torch.rand(2, 5, 1, 8, 8, generator=g), torch.randint(0, 10, (2, 5), generator=g)
        p = {k: v.detach().requires_grad_(True) for k, v in st.params.items()}
        out = st.call(x, training=True, params=p)
        loss = nn.functional.cross_entropy(out.reshape(-1, 10), y.reshape(-1), reduction="none").reshape(2, -1)
        grads = dict(zip(p, torch.autograd.grad(loss.mean(1).sum(), list(p.values()))))
        with torch.no_grad():
            speed.sgd_momentum_step(st.params, grads, bufs, torch.tensor(lrs), 0.9)
        for i, (net, opt) in enumerate(zip(nets, opts)):
            opt.zero_grad()
            nn.functional.cross_entropy(net(x[i]), y[i]).backward()
            opt.step()
    for i, net in enumerate(nets):
        for k, v in net.state_dict().items():
            torch.testing.assert_close(st.params[k][i], v, rtol=1e-5, atol=1e-6)


def test_he_and_glorot_init_scales_and_zero_biases():
    spec = cnn.NetSpec(in_shape=(1, 28, 28), channels=(64, 64), kernels=(3, 3), head=(), activation="relu")
    st = cnn.Stack(spec, [0])
    speed.initialize(st)
    w = st.params["blocks.1.0.weight"][0]
    assert float(w.std()) == pytest.approx(np.sqrt(2 / (64 * 9)), rel=0.05)   # He: 2 / fan_in
    assert float(st.params["blocks.1.0.bias"].abs().max()) == 0.0
    st = cnn.Stack(cnn.NetSpec(in_shape=(1, 28, 28), channels=(64, 64), kernels=(3, 3), head=(),
                               activation="tanh"), [0])
    speed.initialize(st)
    w = st.params["blocks.1.0.weight"][0]
    assert float(w.std()) == pytest.approx(np.sqrt(2 / (64 * 9 + 64 * 9)), rel=0.05)  # Glorot


def test_choose_lr_fewest_median_steps_and_grid_edges():
    t = pd.DataFrame({"lr": [0.1, 0.1, 0.3, 0.3, 1.0, 1.0], "steps_0.25": [50, 70, 40, 60, 40, 60],
                      "final_error": [0.2, 0.2, 0.2, 0.2, 0.1, 0.1]})
    assert speed.choose_lr(t, [0.1, 0.3, 1.0], 0.25) == (1.0, "high")   # tie on steps, lower error wins
    assert speed.choose_lr(t[t.lr < 1], [0.1, 0.3, 1.0], 0.25) == (0.3, "")
    assert speed.choose_lr(t[t.lr == 0.1], [0.1], 0.25) == (0.1, "single")


def test_hopeless_groups_cannot_beat_the_best_finished_median():
    groups = np.array([1, 1, 2, 2, 3, 3])
    hit = np.array([20, 30, 40, -1, -1, -1])     # group 1 done (median 25); at step 50 group 2's median >= 45
    assert speed.hopeless(hit, groups, 50).tolist() == [False, False, True, True, True, True]
    assert speed.hopeless(hit, groups, 25).tolist() == [False, False, True, True, False, False]  # 3: median 25
    assert not speed.hopeless(np.array([-1, -1]), np.array([1, 2]), 99).any()   # nothing finished yet


def _table(steps: dict, reached=None, edges=None) -> pd.DataFrame:
    rows = []
    for (act, depth), values in steps.items():
        for seed, v in enumerate(values):
            rows.append({"activation": act, "depth": depth, "role": "eval", "seed": seed, "lr": 0.1,
                         "lr_edge": (edges or {}).get((act, depth), ""), "steps_0.25": v,
                         "reached_0.25": (reached or {}).get((act, depth), True), "final_error": 0.2})
    rows.append({"activation": "relu", "depth": 2, "role": "tuning", "seed": 1000, "lr": 0.3, "lr_edge": "",
                 "steps_0.25": 999, "reached_0.25": True, "final_error": 0.2})
    return pd.DataFrame(rows)


def test_claim_rows_on_a_hand_made_table():
    # 8 seeds: the median's distribution-free interval needs at least 6 values
    t = _table({("relu", 2): [100] * 8, ("tanh", 2): [200] * 8, ("relu", 4): [100, 120, 100, 100, 120, 100, 100, 100],
                ("tanh", 4): [300, 360, 300, 300, 360, 300, 300, 300]}, edges={("tanh", 2): "high"})
    r = {x["statistic"]: x for x in speed.claim_rows(t)}
    p = r["cnn_tanh_relu_steps_ratio"]
    assert p["value"] == 3.0 and 300 / 120 <= p["ci_low"] <= 3.0 <= p["ci_high"] <= 360 / 100  # bounds of medians
    assert r["cnn_tanh_relu_steps_ratio_d2"]["value"] == 2.0
    assert r["cnn_ratio_depth_growth"]["value"] == pytest.approx(1.5)   # per seed (3/1) / (2/1)... = 1.5
    assert r["cnn_arms_lr_at_grid_edge"]["value"] == 1.0 and "tanh d2" in r["cnn_arms_lr_at_grid_edge"]["note"]
    assert r["cnn_untrained_arms"]["value"] == 0.0
    assert all(x["claim_id"] == "F7" for x in r.values())


def test_untrained_arm_of_the_deepest_network_is_counted():
    t = _table({("relu", 2): [100] * 3, ("tanh", 2): [50] * 3, ("relu", 4): [100] * 3, ("tanh", 4): [1500] * 3},
               reached={("tanh", 4): False, ("tanh", 2): False})
    r = {x["statistic"]: x for x in speed.claim_rows(t)}
    assert r["cnn_untrained_arms"]["value"] == 1.0          # only the deepest network's arms count
    assert "tanh d2" in r["cnn_untrained_arms"]["note"]
    assert r["cnn_tanh_relu_steps_ratio_d2"]["ci_high"] == 0.5   # a refuting direction stays possible


def test_run_trains_and_writes_every_arm():
    cfg = {"dataset": "digits", "f7_n_train": 300, "f7_depths": [1, 2], "f7_activations": ["relu", "tanh"],
           "f7_channels": 2, "f7_batch_size": 16, "f7_momentum": 0.9, "f7_steps": 30, "f7_log_every": 5,
           "f7_targets": [0.9, 0.5], "f7_relu_lrs": [0.1, 0.3], "f7_tanh_lrs": [0.1]}
    t = speed.run(cfg, [1000], [0, 1])
    assert set(t.role) == {"tuning", "eval"} and len(t[t.role == "eval"]) == 2 * 2 * 2
    assert (t["steps_0.9"] <= t["steps_0.5"]).all() and (t["steps_0.5"] <= 30).all()
    assert set(t[t.role == "eval"].lr_edge) <= {"", "low", "high", "single"}
    assert len(speed.summary_table(t)) == 4


def test_text_values_read_back_from_a_csv_with_undefined_intervals():
    """Quick builds (3 seeds) have no median interval: the CSV holds '' and the sentence says so."""
    summary = pd.DataFrame([{"depth": 1, "activation": a, "lr": 0.1, "lr_edge": "", "median_steps_0.25": 20.0,
                             "censored_0.25": 0} for a in ("relu", "tanh")])
    rows = [{"claim_id": "F7", "statistic": "cnn_tanh_relu_steps_ratio_d1", "value": "1.0", "ci_low": "",
             "ci_high": ""}]
    text = speed.text_values(summary, rows)["text_f7_cnn"]
    assert "tanh/ReLU 1.00 (no 95% interval at this seed count)" in text
