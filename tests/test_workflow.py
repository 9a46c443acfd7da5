"""The rule graph: dry runs of the quick and full configs, the SLURM profile, lint, a bad config."""
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]


def run(*args):
    return subprocess.run([*SNAKEMAKE, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)


def job_counts(output: str) -> dict[str, int]:
    block = output.split("Job stats:")[1].split("total")[0]
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"^(\w+)\s+(\d+)$", block, re.M)}


def rule_names() -> set[str]:
    names = set()
    for smk in [ROOT / "Snakefile", *(ROOT / "workflow" / "rules").glob("*.smk")]:
        names |= set(re.findall(r"^rule (\w+):", smk.read_text(), re.M))
    return names


def test_quick_config_plans_every_rule():
    res = run("-n", "--forceall", "--configfile", "config/quick.yaml")
    assert res.returncode == 0, res.stderr
    counts = job_counts(res.stdout)
    assert set(counts) == rule_names(), set(rule_names()) ^ set(counts)


def test_full_config_plans_the_whole_grid():
    res = run("-n", "--forceall")
    assert res.returncode == 0, res.stderr
    s = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())["surfaces"]
    n_cells = len(s["tasks"]) * len(s["activations"]) * len(s["archs"]) + \
        len(s["classify_tasks"]) * len(s["classify_activations"]) * len(s["classify_archs"])
    assert job_counts(res.stdout)["surfaces_train"] == n_cells


def test_default_profile_is_loaded_automatically():
    res = run("-n", "--configfile", "config/quick.yaml")
    assert "Using workflow specific profile profiles/default" in res.stdout + res.stderr


def test_slurm_profile_parses_and_plans():
    res = run("-n", "--forceall", "--configfile", "config/quick.yaml", "--workflow-profile", "workflow/profiles/slurm")
    assert res.returncode == 0, res.stderr
    assert job_counts(res.stdout)["surfaces_train"] > 0


def test_lint_is_clean():
    res = run("--lint", "--configfile", "config/quick.yaml")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Congratulations" in res.stdout + res.stderr


def test_bad_config_stops_before_any_job(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("surfaces:\n  activations: [relux]\n")
    res = run("-n", "--configfile", str(bad))
    assert res.returncode != 0
    assert "config key surfaces.activations[0]: 'relux' is not allowed" in res.stdout + res.stderr


def test_documented_command_line_overrides_work():
    """The README's `--config` examples: nested values arrive as strings, whole floats as floats."""
    res = run("-n", "--configfile", "config/quick.yaml", "--config", 'surfaces={"steps": 5000}', "seeds=3.0")
    assert res.returncode == 0, res.stdout + res.stderr


@pytest.mark.parametrize("args, message", [
    (["--config", "seeds=1e12"], "Invalid configuration: config key seeds: 1000000000000 is greater than"),
    (["--config", 'surfaces={"archs": ["1000000x1000000"]}'], "config key surfaces.archs[0]: '1000000x1000000'"),
    (["--config", "fashion_mnist_dir=/nonexistent"], "Missing data: Fashion-MNIST not found in /nonexistent"),
])
def test_bad_command_line_input_stops_the_dry_run(args, message):
    res = run("-n", *args)
    out = res.stdout + res.stderr
    assert res.returncode != 0 and message in out and "Traceback" not in out
