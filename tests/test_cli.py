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
    ({"encoder.weight": torch.zeros(2, 2), "foo": torch.zeros(2)}, "unexpected keys"),
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
