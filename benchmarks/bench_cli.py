"""Benchmark of the region CLI as users meet it: whole-process wall time of `relulab regions count FILE --json`
on a 2 -> 64x8 -> 1 network with PyTorch's default nn.Linear init, against `python -c "import torch"`.

Usage: python benchmarks/bench_cli.py [OUT.json|OUT.csv] [--runs 7] [--width 64] [--depth 8]

Both are timed in the same run, interleaved (torch, cli, torch, cli, ...) so machine load hits both alike,
after one warm-up CLI run that fills numba's cache.  Reports medians and the ratio (goal: <= 1.5), plus
the CLI's own JSON timings (engine_seconds, load_seconds, wall_seconds) from the median run.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = [sys.executable, "-m", "relulab.cli", "regions", "count"]


def make_network(path: Path, width: int, depth: int, seed: int = 0) -> None:
    import torch

    torch.manual_seed(seed)
    sizes = [2] + [width] * depth + [1]
    mods = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:])):
        mods.append(torch.nn.Linear(a, b))
        if i < len(sizes) - 2:
            mods.append(torch.nn.ReLU())
    torch.save(torch.nn.Sequential(*mods).state_dict(), path)


def timed(cmd: list[str]) -> tuple[float, str]:
    t = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return time.perf_counter() - t, res.stdout


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out", nargs="?", help="write the summary here (.json or .csv)")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--width", type=int, default=64)
    ap.add_argument("--depth", type=int, default=8)
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        net = Path(tmp) / f"net{args.width}x{args.depth}.pt"
        make_network(net, args.width, args.depth)
        cli = CLI + [str(net), "--json"]
        timed(cli)  # warm-up: fills numba's cache if it is empty
        torch_s, cli_s, outs = [], [], []
        for _ in range(args.runs):
            torch_s.append(timed([sys.executable, "-c", "import torch"])[0])
            s, out = timed(cli)
            cli_s.append(s)
            outs.append(json.loads(out))
    med_t, med_c = statistics.median(torch_s), statistics.median(cli_s)
    mid = outs[sorted(range(len(cli_s)), key=cli_s.__getitem__)[len(cli_s) // 2]]
    row = {"network": f"2-{args.width}x{args.depth}-1 torch default init", "runs": args.runs,
           "torch_import_median_s": round(med_t, 3), "cli_median_s": round(med_c, 3),
           "ratio": round(med_c / med_t, 3), "goal_ratio": 1.5, "n_regions": mid["n_regions"],
           "n_linear_regions": mid["n_linear_regions"], "engine_seconds": mid["engine_seconds"],
           "load_seconds": mid["load_seconds"], "wall_seconds": mid["wall_seconds"],
           "torch_import_s": [round(x, 3) for x in torch_s], "cli_s": [round(x, 3) for x in cli_s],
           "cpus": os.cpu_count()}
    print(json.dumps(row, indent=1))
    if args.out:
        out = Path(args.out)
        if out.suffix == ".csv":
            flat = {k: (" ".join(map(str, v)) if isinstance(v, list) else v) for k, v in row.items()}
            with open(out, "w", newline="") as f:
                w = csv.DictWriter(f, fieldnames=list(flat))
                w.writeheader()
                w.writerow(flat)
        else:
            out.write_text(json.dumps(row, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
