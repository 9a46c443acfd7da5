"""What every workflow script does first: threads from the rule, logging into the rule's log file."""

from __future__ import annotations

import logging
import sys

import torch


def start(snakemake) -> logging.Logger:
    """Set torch's thread count from the rule's `threads` and send logging to its `log:` file."""
    torch.set_num_threads(max(1, int(getattr(snakemake, "threads", 1))))
    log = logging.getLogger("relulab")
    log.handlers.clear()
    log.setLevel(logging.INFO)
    logs = list(getattr(snakemake, "log", []) or [])
    handler = logging.FileHandler(logs[0], mode="w") if logs else logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    log.addHandler(handler)
    log.info("rule %s, threads %s", getattr(snakemake, "rule", "?"), torch.get_num_threads())
    return log
