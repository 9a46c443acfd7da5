"""Command line: `relulab <group> <command> ...`.  A tiny dispatcher: each group lives in its own module,
imported only when that group is used (or for --help), and registers its subcommands via add_group(sub)."""

from __future__ import annotations

GROUPS = {"regions": "relulab.regions.cli", "config": "relulab.core.config_cli"}  # group name -> module with add_group(sub) and run(args, prog)


def _module(name: str):
    import importlib

    return importlib.import_module(GROUPS[name])


def build_parser(argv=None):
    """The parser with the group named in argv registered (all groups when none is named, e.g. for --help)."""
    import argparse

    parser = argparse.ArgumentParser(prog="relulab", description="relulab: test claims about ReLU networks")
    sub = parser.add_subparsers(dest="group", required=True)
    named = [a for a in (argv or [])[:1] if a in GROUPS]
    for name in named or GROUPS:
        _module(name).add_group(sub)
    return parser


def main(argv=None) -> int:
    import sys

    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(argv).parse_args(argv)
    return _module(args.group).run(args, f"relulab {args.group}")


if __name__ == "__main__":
    import sys

    sys.exit(main())
