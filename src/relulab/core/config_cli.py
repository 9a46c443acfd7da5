"""`relulab config check [FILE ...]`: validate config files before a run, as the workflow will see them.

Snakemake itself reads `--configfile` before the workflow starts, and its own messages for an empty
file ("must be given as JSON or YAML with keys at top level"), a YAML syntax error (no file or line)
and a missing file (a traceback) cannot be changed from the workflow. This command reads the same
files the same way (config/config.yaml first, then each FILE over it), treats an empty file as no
override, names the file, line and column of a YAML error, and then applies every rule the workflow
applies (schema, cross-key rules, job-size estimates, data set present).
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]


def check_files(files, repo: Path | None = None) -> dict:
    """The validated config of config/config.yaml with `files` merged over it, in order.

    The workflow's folder is `repo`, else the current directory if it holds config/schema.yaml (where
    snakemake runs), else the checkout this module was installed from.
    """
    from . import configuration

    if repo is None:
        repo = Path.cwd() if (Path.cwd() / "config" / "schema.yaml").is_file() else REPO

    cfg = configuration.load([repo / "config" / "config.yaml", *files], repo / "config" / "schema.yaml")
    problem = configuration.data_problem(cfg)
    if problem:
        raise configuration.ConfigError(problem)
    return cfg


def add_group(sub) -> None:
    group = sub.add_parser("config", help="check config files before a run")
    cmds = group.add_subparsers(dest="command", required=True)
    p = cmds.add_parser("check", help="validate config/config.yaml with FILEs merged over it, as the workflow does")
    p.add_argument("files", nargs="*", metavar="FILE", help="override files, as given to --configfile")


def run(args, prog: str) -> int:
    from .configuration import ConfigError

    try:
        cfg = check_files(args.files)
    except ConfigError as exc:
        print(f"{prog} {args.command}: error: {exc}", file=sys.stderr)
        return 2
    print(f"ok: {len(cfg)} top-level keys, seeds={cfg['seeds']}")
    return 0
