"""Report assembly: copy report/ to the build folder, load every family's evidence and write the generated parts."""

from __future__ import annotations

import json
import platform
import shutil
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd
import yaml

from relulab.reporting.build import banner_part, build_info, extra_configfiles, provisional_note
from relulab.reporting.intervals import intervals_part
from relulab.reporting.parts import benchmark_summary, chapters_part, reproducibility_part, summary_part, variables

PACKAGES = ("torch", "snakemake", "numpy", "pandas", "scipy", "matplotlib", "pyyaml", "pypandoc-binary", "relulab")
GENERATED = "_generated"


def software_versions() -> dict[str, str]:
    """Versions of Python, the key packages, pandoc (and Quarto where installed)."""
    out = {"Python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = metadata.version(pkg)
        except metadata.PackageNotFoundError:
            out[pkg] = "not installed"
    try:
        import pypandoc
        out["pandoc"] = pypandoc.get_pandoc_version()
    except (ImportError, OSError):
        out["pandoc"] = "not found"
    if shutil.which("quarto"):
        out["quarto"] = subprocess.run(["quarto", "--version"], capture_output=True, text=True).stdout.strip()
    return out


def load_family(results_dir: Path, family: str, root: Path):
    """A family's statistics, manifest (paths resolved against root) and values."""
    fdir = results_dir / family
    stats = pd.read_csv(fdir / "claims.csv", keep_default_na=True).assign(family=family)
    manifest = pd.read_csv(fdir / "manifest.csv", dtype=str, keep_default_na=False).assign(family=family)
    vpath = fdir / "values.json"
    values = json.loads(vpath.read_text()) if vpath.exists() else {}
    manifest["source_path"] = [str(root / p) for p in manifest["path"]]
    return stats, manifest, values


def collect_evidence(manifest: pd.DataFrame, build_dir: Path) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """Copy figures into build_dir/figures and read table CSVs; a missing file is an error naming its id."""
    (build_dir / "figures").mkdir(parents=True, exist_ok=True)
    tables, paths = {}, []
    for _, r in manifest.iterrows():
        src = Path(r["source_path"])
        if not src.is_file():
            raise FileNotFoundError(f"{r['kind']} {r['id']} of family {r['family']!r}: file {r['path']!r} "
                                    f"listed in results/{r['family']}/manifest.csv does not exist")
        if r["kind"] == "figure":
            dst = Path("figures") / (r["id"] + src.suffix)
            shutil.copyfile(src, build_dir / dst)
            paths.append(dst.as_posix())
        else:
            tables[r["id"]] = pd.read_csv(src)
            paths.append(r["path"])
    return manifest.assign(path=paths), tables


def _relative(path: Path, root: Path) -> str:
    """path relative to root where it lies below it (benchmark patterns are relative to the workdir)."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def assemble(build_dir, *, ledger, verdicts, families, results_dir="results", benchmarks_dir="results/benchmarks",
             config=None, report_src="report", root=".", benchmark_patterns=None, configfiles=None) -> Path:
    """Copy report/ to build_dir and write the generated parts, _variables.yml and figures; returns index.qmd."""
    build_dir, root = Path(build_dir), Path(root)
    if build_dir.exists():
        shutil.rmtree(build_dir)
    shutil.copytree(report_src, build_dir)
    ledger_data = yaml.safe_load(Path(ledger).read_text())
    verdict_df = pd.read_csv(verdicts)
    loaded = [load_family(Path(results_dir), f, root) for f in families]
    stats = pd.concat([s for s, _, _ in loaded] or [pd.DataFrame(columns=["claim_id", "statistic", "evidence"])],
                      ignore_index=True)
    manifest = pd.concat([m for _, m, _ in loaded] or [pd.DataFrame(columns=["id", "kind", "path", "caption",
                                                                             "claims", "family", "source_path"])],
                         ignore_index=True)
    dup = manifest["id"][manifest["id"].duplicated()].tolist()
    if dup:
        raise ValueError(f"manifest ids appear in more than one family: {dup}")
    manifest, tables = collect_evidence(manifest, build_dir)
    prose_dir = Path(report_src) / "families"
    prose = {f: (prose_dir / f"{f}.qmd").read_text() for f in families if (prose_dir / f"{f}.qmd").exists()}
    bench_root = Path(benchmarks_dir)
    bench = {_relative(p, root): pd.read_csv(p, sep="\t") for p in sorted(bench_root.rglob("*.tsv"))}
    bench_table = benchmark_summary(bench, benchmark_patterns)
    info = build_info(config or {}, configfiles, root, float(bench_table["Total time (s)"].sum()),
                      int(bench_table["Jobs"].sum()))
    gen = build_dir / GENERATED
    gen.mkdir(exist_ok=True)
    (gen / "_banner.qmd").write_text(banner_part(info))
    (gen / "_intervals.qmd").write_text(intervals_part(config or {}))
    (gen / "_summary.qmd").write_text(summary_part(ledger_data, verdict_df, stats))
    (gen / "_chapters.qmd").write_text(chapters_part(ledger_data, verdict_df, stats, manifest, tables,
                                                     provisional_note(info), prose,
                                                     (extra_configfiles(configfiles) or [""])[-1]))
    schema_path = root / "config" / "schema.yaml"
    schema = yaml.safe_load(schema_path.read_text()) if schema_path.is_file() else {}
    (gen / "_reproducibility.qmd").write_text(reproducibility_part(config or {}, software_versions(), bench_table,
                                                                   schema))
    values = {f: v for f, (_, _, v) in zip(families, loaded) if v}
    (build_dir / "_variables.yml").write_text(yaml.safe_dump(variables(values), sort_keys=True))
    return build_dir / "index.qmd"
