"""Config validation: defaults filled, and one clear message naming the key for every kind of mistake."""
from pathlib import Path

import pytest
import yaml

from relulab.core import configuration

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = configuration.load_schema(ROOT / "config" / "schema.yaml")


def _merged(*files):
    cfg = {}
    for f in files:
        for k, v in (yaml.safe_load((ROOT / "config" / f).read_text()) or {}).items():
            cfg[k] = {**cfg[k], **v} if isinstance(v, dict) and isinstance(cfg.get(k), dict) else v
    return cfg


def test_shipped_configs_are_valid_and_defaults_are_filled():
    for files in (("config.yaml",), ("config.yaml", "quick.yaml")):
        cfg = configuration.validate(_merged(*files), SCHEMA)
        assert cfg["surfaces"]["planar_grid"] >= 11
    empty = configuration.validate({}, SCHEMA)
    assert empty["seeds"] == 8 and empty["surfaces"]["init"] == "he"


@pytest.mark.parametrize("cfg, message", [
    ({"surfaces": {"activations": ["relux"]}}, "surfaces.activations[0]: 'relux' is not allowed; allowed values: relu"),
    ({"surfaces": {"archs": ["-4x4"]}}, "surfaces.archs[0]: '-4x4' is not valid; expected hidden widths"),
    ({"surfaces": {"lr": "fast"}}, "surfaces.lr: 'fast' is not of type number"),
    ({"seeds": 0}, "config key seeds: 0 is less than the minimum of 1"),
    ({"seedz": 3}, "config key seedz: unknown key; allowed keys here: base_seed, "),
    ({"surfaces": {"optimiser": "adam"}}, "config key surfaces.optimiser: unknown key"),
    ({"surfaces": {"init": "orthogonal"}}, "allowed values: he, xavier, torch_default, small"),
])
def test_bad_values_name_the_key(cfg, message):
    with pytest.raises(configuration.ConfigError) as err:
        configuration.validate(cfg, SCHEMA)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


# --- every bad input gets one clear error (issue 15) --------------------------------------------------

def _full(**over):
    """The shipped study config with overrides merged in, as Snakemake merges --config."""
    return configuration.merge(_merged("config.yaml"), over)


def _error(cfg) -> str:
    with pytest.raises(configuration.ConfigError) as err:
        configuration.validate(cfg, SCHEMA)
    message = str(err.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_whole_floats_and_command_line_strings_are_coerced_exactly():
    cfg = configuration.validate(_full(seeds=8.0, gradients={"width": 64.0}, surfaces={"steps": "5000",
                                                                                        "lr": "0.01"}), SCHEMA)
    assert cfg["seeds"] == 8 and type(cfg["seeds"]) is int
    assert cfg["gradients"]["width"] == 64 and type(cfg["gradients"]["width"]) is int
    assert cfg["surfaces"]["steps"] == 5000 and cfg["surfaces"]["lr"] == 0.01
    assert cfg["surfaces"]["tasks"] == ["smooth", "fold", "radial"]  # a nested override keeps the other keys


@pytest.mark.parametrize("over, message", [
    ({"seeds": 3.5}, "config key seeds: 3.5 is not of type integer"),
    ({"seeds": 1e12}, "config key seeds: 1000000000000 is greater than the maximum of 256"),
    ({"surfaces": {"steps": "1e12"}}, "config key surfaces.steps: 1000000000000 is greater than the maximum"),
    ({"surfaces": {"lr": "inf"}}, "config key surfaces.lr: 'inf' is not of type number"),
    ({"gradients": {"width": 1e9}}, "config key gradients.width: 1000000000 is greater than the maximum of 4096"),
    ({"base_seed": 2 ** 40}, "config key base_seed: 1099511627776 is greater than the maximum"),
    ({"surfaces": {"tasks": ["fold", "fold"]}}, "config key surfaces.tasks: ['fold', 'fold'] has non-unique"),
    ({"gradients": {"speed_target_error": 1.0}}, "config key gradients.speed_target_error: 1.0 is greater than or"),
])
def test_types_bounds_and_duplicates_name_the_key(over, message):
    assert message in _error(_full(**over))


@pytest.mark.parametrize("over, message", [
    ({"seeds": 3}, "config key images.seeds: 8 is more than the global seeds (3)"),
    ({"gradients": {"spike_step": 1000}}, "config key gradients.spike_step: 1000 must be below gradients.spike_steps"),
    ({"gradients": {"track_every": 301}}, "config key gradients.track_every: 301 is more than gradients.track_steps"),
    ({"second_order": {"rms_every": 2000}}, "config key second_order.rms_every: 2000 is more than"),
    ({"surfaces": {"activations": ["relu"]}}, "config key regions.activations: leaky_relu not in surfaces.activations"),
    ({"surfaces": {"tasks": ["smooth"]}}, "config key regions.map_task: 'fold' not in surfaces.tasks"),
])
def test_cross_key_rules(over, message):
    assert message in _error(_full(**over))


def test_oversized_jobs_are_refused_with_the_estimate():
    message = _error(_full(surfaces={"archs": ["1000000x1000000"]}))
    assert "config key surfaces.archs[0]: '1000000x1000000'" in message and "TiB of memory" in message
    message = _error(_full(surfaces={"archs": ["512x512x512"], "steps": 1000000}))
    assert "is too big to run" in message and "days of CPU time" in message and "5.27e+05 parameters" in message
    assert "classify_archs[1]" in _error(_full(surfaces={"classify_archs": ["linear", "9999"]}))


def test_the_cost_estimate_counts_parameters_exactly():
    from relulab.core.config_rules import surfaces_job_cost

    n_params, _, _ = surfaces_job_cost((24, 24), configuration.validate(_full(), SCHEMA))
    assert n_params == (2 + 1) * 24 + (24 + 1) * 24 + (24 + 1) * 1


def test_config_files_empty_malformed_missing(tmp_path):
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert configuration.read_yaml(empty) == {}
    bad = tmp_path / "bad.yaml"
    bad.write_text("seeds: 3\nsurfaces: {steps: [1\n")
    with pytest.raises(configuration.ConfigError, match=r"bad.yaml, line 3, column 1: not valid YAML"):
        configuration.read_yaml(bad)
    with pytest.raises(configuration.ConfigError, match=r"nope.yaml: no such file"):
        configuration.read_yaml(tmp_path / "nope.yaml")
    listy = tmp_path / "list.yaml"
    listy.write_text("- 1\n- 2\n")
    with pytest.raises(configuration.ConfigError, match="expected keys at the top level, got a list"):
        configuration.read_yaml(listy)


def test_missing_data_set_is_named_with_the_package(tmp_path):
    from relulab.core.config_rules import data_problem

    message = data_problem(_full(fashion_mnist_dir=str(tmp_path)))
    assert f"Fashion-MNIST not found in {tmp_path}" in message and "apt-get install dataset-fashion-mnist" in message
    assert "needed by gradients.dataset, images.dataset" in message
    digits_only = _full(fashion_mnist_dir=str(tmp_path), gradients={"dataset": "digits"}, images={"dataset": "digits"})
    assert data_problem(digits_only) is None


@pytest.mark.parametrize("content, code, text", [
    ("", 0, "ok:"),
    ("seeds: 3\nimages: {seeds: 3}\n", 0, "ok:"),
    ("seeds: [1\n", 2, "line 2, column 1: not valid YAML"),
    ("surfaces: {archs: ['1000000x1000000']}\n", 2, "config key surfaces.archs[0]"),
    (None, 2, "no such file"),
])
def test_config_check_command(tmp_path, content, code, text):
    import subprocess
    import sys

    path = tmp_path / "over.yaml"
    if content is not None:
        path.write_text(content)
    res = subprocess.run([sys.executable, "-m", "relulab.cli", "config", "check", str(path)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert res.returncode == code, res.stderr
    assert text in res.stdout + res.stderr
    assert "Traceback" not in res.stderr


def test_paper_config_is_valid():
    """config/paper.yaml (settings as close to the cited papers as the code allows; not run in CI) validates as an
    overlay on config.yaml."""
    cfg = configuration.validate(_merged("config.yaml", "paper.yaml"), SCHEMA)
    assert cfg["gradients"]["width"] == 1000 and cfg["gradients"]["track_init"] == "torch_default"
