"""Benchmark of the exact region engine: regions per second and peak memory over widths, depths and inits.

Usage: python benchmarks/bench_regions.py OUT.csv [--quick] [--no-big] [--targets-only] [--repeats 3]

Networks 2 -> width x depth -> 1 on [-1, 1]^2, weights drawn with numpy:
  default: PyTorch's nn.Linear init, W and b ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in));
  he:      W ~ N(0, 2/fan_in) (kaiming_normal_), b as PyTorch's default.
Each configuration runs in a fresh single-threaded worker process, so the peak resident memory it
reports (ru_maxrss after minus before the run) belongs to that run alone; times are the minimum over
repeats of wall-clock and CPU seconds, after a warm-up that loads the compiled kernels.
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
from concurrent.futures import ProcessPoolExecutor

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ[_var] = "1"

import multiprocessing as mp  # noqa: E402

TARGETS = [  # (name, init, width, depth, mode, target seconds)
    ("target-64x8-default", "default", 64, 8, "enumerate", 0.1),
    ("target-64x8-he", "he", 64, 8, "enumerate", 1.0),
    ("target-256x8-he", "he", 256, 8, "count", 60.0),
]
FIELDS = ["name", "init", "width", "depth", "seed", "mode", "n_regions", "wall_s", "cpu_s", "regions_per_s",
          "peak_rss_mb", "target_s"]


def network(width: int, depth: int, init: str, seed: int):
    """Layers (W, b) of a 2 -> width^depth -> 1 network (float64)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    sizes = [2] + [width] * depth + [1]
    layers = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
        bound = 1.0 / np.sqrt(fan_in)
        W = rng.uniform(-bound, bound, (fan_out, fan_in))
        if init == "he":
            W = rng.normal(0.0, np.sqrt(2.0 / fan_in), (fan_out, fan_in))
        layers.append((W, rng.uniform(-bound, bound, fan_out)))
    return layers


def run_one(job: dict) -> dict:
    """Time one configuration in this (fresh) process; return a CSV row."""
    import resource
    import time

    from relulab.regions import Box, count_regions, enumerate_regions

    box = Box(-1.0, 1.0, -1.0, 1.0)
    count_regions(network(4, 2, "default", 0), box)  # warm-up: load the cached kernels
    enumerate_regions(network(4, 2, "default", 0), box)
    layers = network(job["width"], job["depth"], job["init"], job["seed"])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    walls, cpus = [], []
    for _ in range(job["repeats"]):
        w, c = time.perf_counter(), time.process_time()
        if job["mode"] == "count":
            n = count_regions(layers, box)
        else:
            n = enumerate_regions(layers, box).n_regions
        walls.append(time.perf_counter() - w)
        cpus.append(time.process_time() - c)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    return {**{k: job[k] for k in ("name", "init", "width", "depth", "seed", "mode", "target_s")},
            "n_regions": n, "wall_s": round(min(walls), 4), "cpu_s": round(min(cpus), 4),
            "regions_per_s": round(n / min(walls)), "peak_rss_mb": round(peak / 1024, 1)}


def jobs(quick: bool, big: bool, repeats: int, grid: bool = True) -> list[dict]:
    widths = (16, 32) if quick else (16, 32, 64, 128)
    depths = (1, 2, 4) if quick else range(1, 9)
    out = []
    inits = ("default", "he") if grid else ()
    for init in inits:
        for width in widths:
            for depth in depths:
                reps = 1 if width * depth >= 512 and init == "he" else repeats
                out.append(dict(name="grid", init=init, width=width, depth=depth, seed=0, mode="count",
                                repeats=reps, target_s=""))
    for name, init, width, depth, mode, target in TARGETS:
        if width > 128 and not big:
            continue
        out.append(dict(name=name, init=init, width=width, depth=depth, seed=0, mode=mode,
                        repeats=1 if width > 128 else repeats, target_s=target))
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="CSV file to write")
    ap.add_argument("--quick", action="store_true", help="small grid (widths 16, 32; depths 1, 2, 4)")
    ap.add_argument("--no-big", action="store_true", help="skip the 2 -> 256x8 network")
    ap.add_argument("--targets-only", action="store_true", help="only the three target networks")
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args(argv)
    rows = []
    ctx = mp.get_context("spawn")
    print(f"{'name':22s} {'init':8s} {'w':>4s} {'d':>2s} {'mode':9s} {'regions':>9s} {'wall s':>8s} {'cpu s':>8s} "
          f"{'regions/s':>10s} {'peak MB':>8s}")
    for job in jobs(args.quick, not args.no_big, args.repeats, grid=not args.targets_only):
        with ProcessPoolExecutor(max_workers=1, mp_context=ctx) as pool:
            row = pool.submit(run_one, job).result()
        rows.append(row)
        print(f"{row['name']:22s} {row['init']:8s} {row['width']:4d} {row['depth']:2d} {row['mode']:9s} "
              f"{row['n_regions']:9d} {row['wall_s']:8.3f} {row['cpu_s']:8.3f} {row['regions_per_s']:10d} "
              f"{row['peak_rss_mb']:8.1f}", flush=True)
    tmp = args.out + ".tmp"
    with open(tmp, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        w.writerows(rows)
    os.replace(tmp, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
