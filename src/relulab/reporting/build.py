"""Which build is this? The banner at the top of the report: config files, commit, date, machine, run time, and
for a build whose configuration differs from the full one (config/config.yaml) a callout saying its verdicts
are provisional and why, derived from the differences between the two configurations."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
from pathlib import Path

import yaml

from relulab.reporting.markdown import fmt, plural

FULL_CONFIG = "config/config.yaml"


def flatten(d: dict, prefix: str = "") -> dict[str, object]:
    """Nested config as {'a.b': value} (lists stay values)."""
    out = {}
    for k, v in (d or {}).items():
        key = f"{prefix}{k}"
        out.update(flatten(v, key + ".") if isinstance(v, dict) else {key: v})
    return out


def _size(v):
    """A comparable size: a number, or a list's length."""
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    return len(v) if isinstance(v, list) else None


def provisional_reasons(config: dict, full: dict) -> list[str]:
    """Why a build differs from the full configuration: seeds, datasets, run lengths, grids; empty if it does not."""
    cfg, ref = flatten(config), flatten(full)
    diff = {k: (cfg[k], ref[k]) for k in cfg.keys() & ref.keys() if cfg[k] != ref[k]}
    out = []
    seeds = {k: d for k, d in diff.items() if k.split(".")[-1] == "seeds"}
    if seeds:
        out.append("fewer seeds (" + ", ".join(f"`{k}` {d[0]} instead of {d[1]}" for k, d in sorted(seeds.items()))
                   + ")")
    data = {k: d for k, d in diff.items() if k.split(".")[-1] == "dataset"}
    for now, was in sorted({(str(a), str(b)) for a, b in data.values()}):
        keys = sorted(k for k, d in data.items() if (str(d[0]), str(d[1])) == (now, was))
        out.append(f"{now} instead of {was} (" + ", ".join(f"`{k}`" for k in keys) + ")")
    runs = {k: d for k, d in diff.items() if any(w in k.split(".")[-1] for w in ("steps", "epochs"))
            and _size(d[0]) is not None and _size(d[1]) is not None and _size(d[0]) < _size(d[1])}
    if runs:
        k = max(runs, key=lambda k: _size(runs[k][1]) / max(_size(runs[k][0]), 1))
        out.append(f"shorter runs ({plural(len(runs), 'step or epoch setting')} lower, e.g. `{k}` "
                   f"{runs[k][0]} instead of {runs[k][1]})")
    rest = len(diff) - len(seeds) - len(data) - len(runs)
    if rest > 0:
        out.append(f"{plural(rest, 'other setting')} smaller or different (grids, widths, sizes; see the "
                   "configuration at the end)")
    return out


def git_commit(root: Path) -> str:
    """The checked-out commit (short), marked where the work tree has uncommitted changes."""
    def git(*args):
        return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=20)
    try:
        head = git("rev-parse", "--short=12", "HEAD")
        if head.returncode != 0:
            return "unknown (not a git checkout)"
        dirty = git("status", "--porcelain", "--untracked-files=no").stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown (git not available)"
    return head.stdout.strip() + (" with uncommitted changes" if dirty else "")


def machine() -> str:
    """Host name, system, architecture and CPU count of the machine writing the report."""
    return (f"{platform.node() or 'unknown host'} ({platform.system()} {platform.machine()}, "
            f"{plural(os.cpu_count() or 0, 'CPU core')})")


def build_info(config: dict, configfiles: list[str] | None, root, job_seconds: float, jobs: int) -> dict:
    """Everything the banner shows; `provisional` lists why the verdicts are provisional (empty: full build)."""
    root = Path(root)
    full_path = root / FULL_CONFIG
    full = yaml.safe_load(full_path.read_text()) if full_path.is_file() else None
    return {
        "configfiles": list(configfiles or []),
        "commit": git_commit(root),
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "job_seconds": job_seconds,
        "jobs": jobs,
        "provisional": provisional_reasons(config, full) if full is not None else [],
    }


def extra_configfiles(files: list[str]) -> list[str]:
    """The config files given besides the full configuration (Snakemake may list them in any order)."""
    return [f for f in files or [] if Path(f).as_posix() != FULL_CONFIG]


def build_configfile(files: list[str] | None) -> str:
    """The build's config file: the last --configfile given besides the full configuration (Snakemake may list
    the Snakefile's own config/config.yaml after them), so config/quick.yaml for the quick build and
    config/config.yaml otherwise."""
    return Path((extra_configfiles(files) or [FULL_CONFIG])[-1]).as_posix()


def provisional_note(info: dict) -> str:
    """The short form repeated in each verdict box ('' for a full build)."""
    if not info.get("provisional"):
        return ""
    files = ", ".join(f"`{f}`" for f in extra_configfiles(info["configfiles"])) or "a reduced configuration"
    why = [r.split(" (")[0] for r in info["provisional"] if "other setting" not in r] or ["a reduced configuration"]
    return (f"*Provisional:* a quick build ({files}) with " + "; ".join(why)
            + ". See [the build banner](#sec-build).")


def banner_part(info: dict) -> str:
    """The banner: which build this is, and for a quick build a callout saying why its verdicts are provisional."""
    files = ", ".join(f"`{f}`" for f in info["configfiles"]) or "not recorded"
    if info["jobs"]:
        hours = info["job_seconds"] / 3600
        runtime = (f"{fmt(round(info['job_seconds']))} s ({hours:.2f} h) of job time, summed over "
                   f"{plural(info['jobs'], 'benchmarked job')}")
    else:
        runtime = "not recorded (no benchmark files)"
    rows = [("Configuration", files), ("Commit", f"`{info['commit']}`"), ("Built", info["date"]),
            ("Machine", info["machine"]), ("Run time", runtime)]
    table = "\n".join(f"[{k}]{{.build-key}} [{v}]{{.build-value}}\\" for k, v in rows).rstrip("\\")
    out = ["# This build {#sec-build .unnumbered}", "::: {.build-banner}", table, ":::"]
    if info.get("provisional"):
        out.append('::: {.callout-warning title="Quick build: the verdicts are provisional"}\n'
                   "This report was built from a reduced configuration, so its verdicts rest on less evidence "
                   "than the full study's and may change in the full build: "
                   + "; ".join(info["provisional"]) + ".\n:::")
    return "\n\n".join(out) + "\n"
