"""The `relulab regions` command line and the model loaders: success paths and clear failures."""

import json

import numpy as np
import pytest
import torch

from relulab import cli
from relulab.core import models
from relulab.regions import Box, count_regions, enumerate_regions, load_layers, load_network


def sequential(seed=0, sizes=(2, 8, 8, 1)):
    torch.manual_seed(seed)
    mods = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        mods.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            mods.append(torch.nn.ReLU())
    return torch.nn.Sequential(*mods)


@pytest.fixture
def state_dict_file(tmp_path):
    net = sequential()
    path = tmp_path / "seq.pt"
    torch.save(net.state_dict(), path)
    return path, net


def test_state_dict_loader_matches_the_torch_model(state_dict_file):
    path, net = state_dict_file
    layers = load_layers(path)
    assert [W.shape for W, _ in layers] == [(8, 2), (8, 8), (1, 8)]
    part = enumerate_regions(layers, Box(-1, 1, -1, 1))
    with torch.no_grad():
        y = net(torch.from_numpy(part.centroids).float()).double().numpy()
    assert np.allclose(np.einsum("rok,rk->ro", part.A, part.centroids) + part.c, y, atol=1e-5)


def test_relulab_checkpoint_loader(tmp_path):
    spec = models.MLPSpec(2, (6, 6), 1, "leaky_relu", init="torch_default", leaky_slope=0.2)
    params = models.init_params(spec, [3, 4], dtype=torch.float64)
    path = tmp_path / "ck.pt"
    models.save_checkpoint(path, spec, params, seeds=[3, 4])
    net = load_network(path, index=1)
    assert net.activation == "leaky_relu" and net.slope == 0.2 and net.source == "relulab_checkpoint"
    part = enumerate_regions(net.layers, Box(-1, 1, -1, 1), activation=net.activation, slope=net.slope)
    x = torch.from_numpy(part.centroids)
    y = models.forward(spec, models.select(params, 1), x)[0].numpy()
    assert np.allclose(np.einsum("rok,rk->ro", part.A, part.centroids) + part.c, y)
    with pytest.raises(ValueError, match="out of range"):
        load_network(path, index=2)


@pytest.mark.parametrize("content, match", [
    (None, "not a file"),
    (b"this is not a torch file", "not a readable torch file"),
    ({"encoder.weight": torch.zeros(2, 2), "foo": torch.zeros(2)}, "unexpected key"),
    ({"0.weight": torch.zeros(3, 2)}, "lacks a weight or a bias"),
    ([1, 2, 3], "unrecognised contents"),
])
def test_loader_failures_are_clear(tmp_path, content, match):
    path = tmp_path / "bad.pt"
    if isinstance(content, bytes):
        path.write_bytes(content)
    elif content is not None:
        torch.save(content, path)
    with pytest.raises(ValueError, match=match) as err:
        load_layers(path)
    assert "expected" in str(err.value)


def test_cli_count_json_matches_library(state_dict_file, capsys):
    path, _ = state_dict_file
    assert cli.main(["regions", "count", str(path), "--box", "-2", "2", "-1", "1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) >= {"n_regions", "n_linear_regions", "area_sum", "seconds"}
    assert out["n_regions"] == count_regions(load_layers(path), Box(-2, 2, -1, 1))
    assert out["area_sum"] == pytest.approx(8.0, rel=1e-12)
    assert 1 <= out["n_linear_regions"] <= out["n_regions"]
    assert cli.main(["regions", "count", str(path)]) == 0
    assert "linear regions" in capsys.readouterr().out


def test_cli_plot_writes_png(state_dict_file, tmp_path):
    path, _ = state_dict_file
    out = tmp_path / "p.png"
    assert cli.main(["regions", "plot", str(path), "--box", "-1", "1", "-1", "1", "-o", str(out)]) == 0
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_slice_for_higher_dimensional_inputs(tmp_path, capsys):
    path = tmp_path / "d5.pt"
    torch.save(sequential(1, (5, 6, 6, 1)).state_dict(), path)
    assert cli.main(["regions", "count", str(path), "--json"]) == 2
    assert "--slice" in capsys.readouterr().err
    pts = tmp_path / "pts.npz"
    np.savez(pts, points=np.random.default_rng(0).normal(size=(3, 5)))
    assert cli.main(["regions", "count", str(path), "--slice", str(pts), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_regions"] >= 1


def test_cli_failures_exit_2_without_output(state_dict_file, tmp_path, capsys):
    path, _ = state_dict_file
    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"garbage")
    out = tmp_path / "never.png"
    assert cli.main(["regions", "plot", str(bad), "-o", str(out)]) == 2
    assert "not a readable torch file" in capsys.readouterr().err
    assert not out.exists() and list(tmp_path.glob("*.tmp")) == []
    assert cli.main(["regions", "count", str(path), "--box", "1", "0", "0", "1"]) == 2
    assert "xmin < xmax" in capsys.readouterr().err
    assert cli.main(["regions", "plot", str(path), "-o", str(tmp_path / "x.jpeg")]) == 2
    assert not (tmp_path / "x.jpeg").exists()
    with pytest.raises(SystemExit) as e:
        cli.main(["regions", "count", str(path), "--box", "0", "1"])
    assert e.value.code == 2


def test_console_entry_point_exit_code(tmp_path):
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "relulab.cli", "regions", "count", str(tmp_path / "missing.pt")]
    bad = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 2 and "not a file" in bad.stderr


def test_regions_cli_standalone_and_timings(state_dict_file, capsys):
    from relulab.regions import cli as regions_cli
    from relulab.regions.network import ACTIVATIONS

    assert regions_cli.ACTIVATIONS == ACTIVATIONS  # the CLI's copy (kept numpy-free) matches the engine's
    path, _ = state_dict_file
    assert regions_cli.main(["count", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["seconds"] == out["engine_seconds"] >= 0
    assert out["wall_seconds"] >= out["load_seconds"] >= 0
    assert out["n_regions"] == count_regions(load_layers(path), Box(-1, 1, -1, 1))


def test_torch_free_reader_matches_torch_load(tmp_path):
    from relulab.regions.torchfile import read_state_dict

    sd = sequential(2).state_dict()
    sd["extra.weight"] = torch.arange(12, dtype=torch.float64).reshape(3, 4).t()  # strided, float64
    path = tmp_path / "sd.pt"
    torch.save(sd, path)
    got = read_state_dict(path)
    assert list(got) == list(sd)
    for k, v in sd.items():
        assert got[k].dtype == v.numpy().dtype and np.array_equal(got[k], v.numpy())
    models_path = tmp_path / "ck.pt"
    spec = models.MLPSpec(2, (3,), 1, "relu", init="torch_default")
    models.save_checkpoint(models_path, spec, models.init_params(spec, [0]), seeds=[0])
    assert read_state_dict(models_path) is None or "relulab_checkpoint" in read_state_dict(models_path)


def test_count_path_imports_no_heavy_packages(state_dict_file):
    import subprocess
    import sys

    path, _ = state_dict_file
    # (scipy is not listed: numba imports scipy.linalg.cython_blas itself when it sets up its compiled code)
    code = ("import sys; from relulab import cli; cli.main(['regions', 'count', sys.argv[1], '--json']); "
            "print(sorted(m for m in ('torch', 'matplotlib', 'pandas', 'sklearn') if m in sys.modules))")
    res = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().splitlines()[-1] == "[]"


# ---- issue 15: every bad input gets one clear error (each case a real `python -m relulab.cli` process) ----

def run_count(*args):
    """`relulab regions count ARGS --json` in a fresh interpreter: (exit status, stdout, stderr)."""
    import subprocess
    import sys

    cmd = [sys.executable, "-m", "relulab.cli", "regions", "count", *map(str, args), "--json"]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    return res.returncode, res.stdout, res.stderr


def assert_refused(args, *names):
    rc, out, err = run_count(*args)
    assert rc == 2 and out == "" and "Traceback" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relulab regions count: error:"), err
    for name in names:
        assert str(name) in lines[0], (name, lines[0])


def test_nested_sequential_counts_like_the_flat_one(tmp_path):
    flat = sequential(0, (2, 8, 8, 1))
    nested = torch.nn.Sequential(torch.nn.Sequential(flat[0], torch.nn.ReLU()),
                                 torch.nn.Sequential(flat[2], torch.nn.ReLU()), flat[4])
    assert "1.0.weight" in nested.state_dict()
    torch.save(nested.state_dict(), tmp_path / "nested.pt")
    known = count_regions([(m.weight.detach().double().numpy(), m.bias.detach().double().numpy())
                           for m in (flat[0], flat[2], flat[4])], Box(-1, 1, -1, 1))  # no loader involved
    rc, out, err = run_count(tmp_path / "nested.pt")
    assert rc == 0, err
    assert json.loads(out)["n_regions"] == known
    layers = load_layers(tmp_path / "nested.pt")
    assert [W.shape for W, _ in layers] == [(8, 2), (8, 8), (1, 8)]


def test_layer_order_is_numeric_not_lexicographic(tmp_path):
    sizes = [2] + [3] * 11 + [1]
    sd = {}
    for i in range(12):
        sd[f"{i}.weight"], sd[f"{i}.bias"] = torch.randn(sizes[i + 1], sizes[i]), torch.randn(sizes[i + 1])
    sd = dict(sorted(sd.items()))  # '10.weight' before '2.weight'
    torch.save(sd, tmp_path / "deep.pt")
    assert [W.shape for W, _ in load_layers(tmp_path / "deep.pt")] == [(3, 2)] + [(3, 3)] * 10 + [(1, 3)]


def _bad_state_dicts():
    bn = torch.nn.Sequential(torch.nn.Linear(2, 4), torch.nn.BatchNorm1d(4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    lin = sequential(0, (2, 4, 1)).state_dict()
    return {
        "batchnorm": (bn.state_dict(), ["1.running_mean"]),
        "named": ({"enc.0.weight": torch.zeros(4, 2), "enc.0.bias": torch.zeros(4),
                   "head.weight": torch.zeros(1, 4), "head.bias": torch.zeros(1)}, ["enc.0", "head"]),
        "prefix": ({"0.weight": torch.zeros(4, 2), "0.bias": torch.zeros(4), "0.1.weight": torch.zeros(1, 4),
                    "0.1.bias": torch.zeros(1)}, ["'0'", "'0.1'"]),
        "no_bias": ({k: v for k, v in lin.items() if k != "2.bias"}, ["2.bias"]),
        "no_chain": ({**lin, "2.weight": torch.zeros(1, 3)}, ["2.weight"]),
        "width0": (torch.nn.Sequential(torch.nn.Linear(2, 0), torch.nn.ReLU(), torch.nn.Linear(0, 1)).state_dict(),
                   ["0.weight", "width 0"]),
        "nan": ({**lin, "0.bias": torch.full((4,), float("nan"))}, ["0.bias", "non-finite"]),
        "conv": ({"0.weight": torch.zeros(4, 2, 3, 3), "0.bias": torch.zeros(4)}, ["0.weight"]),
    }


@pytest.mark.parametrize("case", list(_bad_state_dicts()))
def test_ambiguous_or_broken_state_dicts_are_refused(tmp_path, case):
    sd, names = _bad_state_dicts()[case]
    path = tmp_path / f"{case}.pt"
    torch.save(sd, path)
    assert_refused([path], path, *names)


def _checkpoint_blob(**change):
    spec = models.MLPSpec(2, (4, 4), 1, "relu", init="torch_default")
    p = models.init_params(spec, [0, 1])
    blob = {"relulab_checkpoint": 1, "spec": spec.to_dict(), "seeds": [0, 1], "params": p, "init_params": None,
            "meta": {}}
    blob.update(change)
    return blob, p, spec


CHECKPOINTS = {  # name -> (change to the blob, what the message names)
    "no_spec": (lambda b, p, s: b.pop("spec"), "spec"),
    "missing_W": (lambda b, p, s: b["params"].pop("W1"), "'W1'"),
    "missing_b": (lambda b, p, s: b["params"].pop("b2"), "'b2'"),
    "bad_shape": (lambda b, p, s: b["params"].update(W1=torch.zeros(2, 5, 4)), "'W1'"),
    "extra_layer": (lambda b, p, s: b["params"].update(W3=torch.zeros(2, 1, 1)), "W3"),
    "widths_str": (lambda b, p, s: b["spec"].update(widths="4x4"), "'widths'"),
    "unknown_field": (lambda b, p, s: b["spec"].update(depth=3), "'depth'"),
    "bad_activation": (lambda b, p, s: b["spec"].update(activation="swish"), "swish"),
    "params_list": (lambda b, p, s: b.update(params=[1, 2]), "'params'"),
    "seeds_str": (lambda b, p, s: b.update(seeds="ab"), "'seeds'"),
    "int_tensor": (lambda b, p, s: b["params"].update(b0=torch.zeros(2, 4, dtype=torch.int64)), "'b0'"),
    "seed_count": (lambda b, p, s: b.update(seeds=[0, 1, 2]), "3 seeds"),
}


@pytest.mark.parametrize("case", list(CHECKPOINTS))
def test_malformed_relulab_checkpoints_are_refused(tmp_path, case):
    blob, _, _ = _checkpoint_blob()
    change, name = CHECKPOINTS[case]
    change(blob, None, None)
    path = tmp_path / f"{case}.pt"
    torch.save(blob, path)
    with pytest.raises(ValueError, match=name.replace("'", ".")):
        models.load_checkpoint(path)
    assert_refused([path], path, name)


@pytest.mark.parametrize("box, names", [
    (["1", "1", "-1", "1"], ["1.0 1.0 -1.0 1.0", "xmin < xmax"]),
    (["-1", "1", "2", "-2"], ["ymin < ymax"]),
    (["-inf", "1", "-1", "1"], ["-inf", "finite"]),
    (["nan", "1", "-1", "1"], ["nan", "finite"]),
])
def test_degenerate_or_unresolvable_boxes_are_refused(state_dict_file, box, names):
    path, _ = state_dict_file
    assert_refused([path, "--box", *box], *names)


@pytest.mark.parametrize("box", [["-1e12", "1e12", "-1e12", "1e12"], ["0", "1e12", "0", "1e12"],
                                 ["1e9", "1.000000002e9", "-1", "1"]])
def test_huge_or_far_boxes_are_counted_exactly(state_dict_file, box):
    """Once refused (relative tolerance): now every sign is certified, the count is the library's and the
    JSON says how many signs needed exact arithmetic."""
    path, _ = state_dict_file
    rc, out, err = run_count(path, "--box", *box)
    assert rc == 0, err
    res = json.loads(out)
    assert res["n_regions"] == count_regions(load_layers(path), Box(*map(float, box)))
    assert res["certified"] is True and res["exact_fallback_predicates"] >= 0


def test_undecided_count_exits_3_without_a_count(tmp_path):
    """A duplicated unit cannot be certified in float64; with the exact fallback out of reach the CLI says so."""
    from relulab.regions import cli as regions_cli
    import relulab.regions.exact as exact

    net = sequential(2, (2, 6, 1))
    with torch.no_grad():
        net[0].weight[1] = net[0].weight[0]
        net[0].bias[1] = net[0].bias[0]
    path = tmp_path / "dup.pt"
    torch.save(net.state_dict(), path)
    rc, out, err = run_count(path)
    assert rc == 0, err
    assert json.loads(out)["exact_fallback"] is True and json.loads(out)["exact_fallback_predicates"] > 0
    limit = exact.EXACT_MAX_REGIONS
    try:
        exact.EXACT_MAX_REGIONS = 0
        assert regions_cli.main(["count", str(path), "--json"]) == regions_cli.EXIT_UNDECIDED
    finally:
        exact.EXACT_MAX_REGIONS = limit


def test_scientific_negative_box_is_accepted(state_dict_file):
    path, _ = state_dict_file
    rc, out, err = run_count(path, "--box", "-1e6", "1e6", "-1", "1")
    assert rc == 0, err
    assert json.loads(out)["n_regions"] == count_regions(load_layers(path), Box(-1e6, 1e6, -1, 1))


def test_max_regions_stops_a_large_count(tmp_path):
    path = tmp_path / "big.pt"
    torch.save(sequential(1, (2, 32, 32, 1)).state_dict(), path)
    assert_refused([path, "--max-regions", "50"], "more than 50 regions", "--max-regions")
    rc, out, err = run_count(path, "--max-regions", "100000")
    assert rc == 0 and json.loads(out)["n_regions"] > 50, err


def test_max_regions_in_the_library_is_a_value_error():
    from relulab.regions.engine import RegionLimit

    layers = load_layers_from(sequential(1, (2, 16, 16, 1)))
    n = count_regions(layers, Box(-1, 1, -1, 1))
    assert count_regions(layers, Box(-1, 1, -1, 1), max_regions=n) == n
    with pytest.raises(RegionLimit, match=f"more than {n - 1} regions"):
        enumerate_regions(layers, Box(-1, 1, -1, 1), max_regions=n - 1)
    seen = []
    enumerate_regions(layers, Box(-1, 1, -1, 1), progress=seen.append)
    assert seen and seen[-1] == n


def load_layers_from(net):
    return [(m.weight.detach().double().numpy(), m.bias.detach().double().numpy())
            for m in net if isinstance(m, torch.nn.Linear)]


@pytest.mark.parametrize("s, t", [(1.0, (0.0, 0.0)), (1e-3, (5.0, -3.0)), (1e3, (0.0, 0.0)), (7.0, (4e4, -2e4)),
                                  (1e-6, (1e-3, 2e-3)), (1.0, (5e4, -5e4))])
def test_counts_invariant_under_moving_domain_and_network_together(s, t):
    """f on B, and g(x) = f(s x + t) on (B - t) / s: the same partition, so the same counts."""
    layers = load_layers_from(sequential(3, (2, 12, 12, 1)))
    (W0, b0), rest = layers[0], layers[1:]
    t = np.asarray(t)
    g = [(W0 * s, b0 + W0 @ t)] + rest
    box = Box(-1.5, 2.0, -1.0, 1.0)
    (x0, y0), (x1, y1) = (np.array([-1.5, -1.0]) - t) / s, (np.array([2.0, 1.0]) - t) / s
    moved = Box(x0, x1, y0, y1)
    pf, pg = enumerate_regions(layers, box), enumerate_regions(g, moved)
    assert pf.n_regions == pg.n_regions and pf.n_linear_regions() == pg.n_linear_regions()
    assert pg.areas.sum() == pytest.approx(3.5 * 2.0 / s**2, rel=1e-9)
