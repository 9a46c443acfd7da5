"""Vectorized training of many seeds at once vs a plain per-seed loop, on the same grid cell.

Usage: python benchmarks/bench_training.py [--seeds 16] [--steps 500] [--batch-size 128] [--threads 1] [--out FILE.csv]
Both variants run identical arithmetic per network (relulab.core.train.train); the loop calls it once per
seed, the vectorized variant once for all seeds (one batched matmul per layer and step).
"""

import argparse
import time

import pandas as pd
import torch

from relulab.core import models, tasks
from relulab.core.train import TrainSpec, train

CELLS = [("smooth", "relu", "48"), ("smooth", "relu", "16x16x16"), ("fold", "sigmoid", "8x8x8x8x8x8"),
         ("radial", "relu", "64x64")]


def timed(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--n-train", type=int, default=2048)
    ap.add_argument("--batch-size", type=int, default=128, help="0 = full batch")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    seeds = list(range(args.seeds))
    ts = TrainSpec(steps=args.steps, lr=3e-3, log_every=args.steps, batch_size=args.batch_size)
    rows = []
    for task, act, arch in CELLS:
        spec = models.MLPSpec(2, models.parse_arch(arch), 1, act)
        x, y = tasks.make(task, args.n_train, 0)
        p = models.init_params(spec, seeds)
        vec = timed(lambda: train(spec, ts, p, x, y, seeds=seeds), args.repeats)
        loop = timed(lambda: [train(spec, ts, models.select(p, i), x, y, seeds=[s]) for i, s in enumerate(seeds)],
                     args.repeats)
        rows.append({"task": task, "activation": act, "arch": arch, "seeds": args.seeds, "steps": args.steps, "batch_size": args.batch_size,
                     "loop_s": round(loop, 3), "vectorized_s": round(vec, 3), "speedup": round(loop / vec, 2)})
        print(rows[-1], flush=True)
    df = pd.DataFrame(rows)
    print(df.to_string(index=False))
    if args.out:
        df.to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
