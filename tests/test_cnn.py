"""Stacked CNNs against standalone torch modules (a second implementation) and hand-counted parameters."""
import pytest
import torch

from relulab.studies.images import cnn

SPEC = cnn.NetSpec(in_shape=(1, 8, 8), channels=(3, 4), kernels=(5, 3), head=(6,), activation="prelu")


def test_stacked_forward_matches_each_network():
    st = cnn.Stack(SPEC, [0, 1, 2])
    x = torch.rand(5, 1, 8, 8)
    out = st.call(x, features=True)
    for s in range(3):
        ref = st.network(s)(x, all_layers=True)
        for a, b in zip(out, ref):
            torch.testing.assert_close(a[s], b)
    assert [o.shape[-1] for o in out[2:]] == [6, 10]


def test_parameter_count_by_hand():
    conv = (1 * 25 + 1) * 3 + (3 * 9 + 1) * 4
    dense = (4 * 2 * 2 + 1) * 6 + (6 + 1) * 10
    assert cnn.n_params(SPEC) == conv + dense + 3 + 4 + 6  # PReLU: one slope per channel/unit
    nopool = cnn.NetSpec(in_shape=(1, 8, 8), channels=(3, 4), kernels=(5, 3), head=(6,), pool=False)
    assert cnn.n_params(nopool) == conv + (4 * 8 * 8 + 1) * 6 + 70
    mlp = cnn.NetSpec(in_shape=(1, 8, 8), channels=(), kernels=(), head=(7,))
    assert cnn.n_params(mlp) == 65 * 7 + 8 * 10


def test_training_in_a_stack_equals_training_alone():
    g = torch.Generator().manual_seed(0)
    x, y = torch.rand(64, 1, 8, 8, generator=g), torch.randint(0, 10, (64,), generator=g)
    spec = cnn.NetSpec(in_shape=(1, 8, 8), channels=(3,), kernels=(3,), head=(5,))
    ts = cnn.TrainSpec(epochs=2, batch_size=16, lr=0.01, log_every=4)
    both, alone = cnn.Stack(spec, [3, 4]), cnn.Stack(spec, [4])
    hb, ha = cnn.train(both, ts, x, y), cnn.train(alone, ts, x, y)
    for k in alone.params:
        torch.testing.assert_close(both.params[k][1], alone.params[k][0], atol=1e-5, rtol=1e-4)
    assert hb[hb.seed == 4].train_error.tolist() == ha.train_error.tolist()


def test_prelu_slope_free_of_weight_decay_and_frozen_parts_stay():
    g = torch.Generator().manual_seed(1)
    x, y = torch.rand(32, 1, 8, 8, generator=g), torch.randint(0, 10, (32,), generator=g)
    only_slopes = ("blocks.0.0", "blocks.1.0", "hidden.0.0", "out")
    runs = []
    for wd in (0.0, 10.0):
        st = cnn.Stack(SPEC, [0])
        before = {k: v.clone() for k, v in st.params.items()}
        cnn.train(st, cnn.TrainSpec(epochs=3, batch_size=8, lr=0.01, weight_decay=wd, freeze=only_slopes), x, y)
        runs.append(st.params)
        for k in before:
            if k.startswith(only_slopes):
                torch.testing.assert_close(st.params[k], before[k])
    slopes = [k for k in runs[0] if cnn._is_slope(SPEC, k)]
    assert slopes == ["blocks.0.1.weight", "blocks.1.1.weight", "hidden.0.1.weight"]
    for k in slopes:
        assert not torch.equal(runs[0][k], torch.full_like(runs[0][k], cnn.PRELU_INIT))  # slopes did train
        torch.testing.assert_close(runs[0][k], runs[1][k])  # and weight decay did not touch them


def test_rrelu_slopes():
    m = cnn.RandomLeaky()
    z = -torch.ones(20000)
    slopes = -m.train()(z)
    assert slopes.min() >= 1 / 8 and slopes.max() <= 1 / 3
    assert (1 / slopes).mean().item() == pytest.approx(5.5, abs=0.05)  # a ~ U(3, 8)
    assert -m.eval()(z)[0].item() == pytest.approx(1 / 5.5)


def test_affine_residual_zero_for_identity_mlp_not_for_relu_or_maxpool():
    from relulab.studies.images import experiments as images
    x = torch.rand(16, 1, 8, 8, generator=torch.Generator().manual_seed(2))
    ident = cnn.Stack(cnn.NetSpec(in_shape=(1, 8, 8), channels=(), kernels=(), head=(9, 7), activation="identity"), [0])
    assert images.affine_residual(ident.network(0), x) < 1e-10  # F1: a product of affine maps is affine
    relu = cnn.Stack(cnn.NetSpec(in_shape=(1, 8, 8), channels=(), kernels=(), head=(9, 7)), [0])
    assert images.affine_residual(relu.network(0), x) > 1e-3
    pooled = cnn.Stack(cnn.NetSpec(in_shape=(1, 8, 8), channels=(3,), kernels=(3,), head=(), activation="identity"), [0])
    assert images.affine_residual(pooled.network(0), x) > 1e-3  # max pooling is itself non-linear


def test_steps_to_target_censors_at_budget():
    import pandas as pd
    from relulab.studies.images import experiments as images
    h = pd.DataFrame({"seed": [0, 0, 0, 1, 1, 1], "step": [10, 20, 30] * 2,
                      "train_error": [0.5, 0.2, 0.1, 0.6, 0.5, 0.4]})
    s = images.steps_to(h, 0.25, 30)
    assert s.steps.tolist() == [20, 30] and s.reached.tolist() == [True, False]


def test_rules_list_the_same_models_as_the_library():
    import re
    from pathlib import Path
    from relulab.studies.images import experiments as images
    text = Path(__file__).parents[1].joinpath("workflow/rules/common.smk").read_text()
    fixed = re.search(r'fixed = \[(.*?)\]', text, re.S).group(1)
    assert re.findall(r'"(\w+)"', fixed) == list(images.FIXED_MODELS)
