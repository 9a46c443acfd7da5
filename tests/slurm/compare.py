"""Compare a slice's outputs from two runs (local and SLURM): every CSV, JSON and checkpoint must be equal.

Usage: python tests/slurm/compare.py LOCAL_DIR SLURM_DIR FILE...  (FILE relative to both directories)
CSVs are compared cell for cell after dropping only the wall-clock columns named in WALL_CLOCK.
"""
import json
import sys
from pathlib import Path

import pandas as pd
import torch

# Columns that measure elapsed time: they differ between any two runs, so they alone are ignored.
WALL_CLOCK = {"seconds_per_seed", "time_s", "seconds"}


def same(a, b) -> bool:
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b)
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return a == b


IGNORED: set[str] = set()  # the wall-clock columns met, for the summary


def compare(local: Path, slurm: Path) -> str | None:
    """None when equal, else what differs."""
    if local.suffix == ".csv":
        a, b = pd.read_csv(local), pd.read_csv(slurm)
        if list(a.columns) != list(b.columns):
            return f"columns {list(a.columns)} != {list(b.columns)}"
        ignored = sorted(WALL_CLOCK & set(a.columns))
        IGNORED.update(ignored)
        a, b = a.drop(columns=ignored), b.drop(columns=ignored)
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError as err:
            return str(err)
        return None
    if local.suffix == ".json":
        return None if json.loads(local.read_text()) == json.loads(slurm.read_text()) else "JSON differs"
    if local.suffix == ".pt":
        a = torch.load(local, map_location="cpu", weights_only=False)
        b = torch.load(slurm, map_location="cpu", weights_only=False)
        return None if same(a, b) else "checkpoint differs"
    return None if local.read_bytes() == slurm.read_bytes() else "bytes differ"


def main(argv: list[str]) -> int:
    local_dir, slurm_dir, files = Path(argv[0]), Path(argv[1]), argv[2:]
    bad = 0
    for name in files:
        missing = [str(d / name) for d in (local_dir, slurm_dir) if not (d / name).is_file()]
        diff = f"missing {missing}" if missing else compare(local_dir / name, slurm_dir / name)
        print(f"{'DIFF' if diff else 'same'}  {name}" + (f": {diff}" if diff else ""))
        bad += diff is not None
    ignored = ", ".join(sorted(IGNORED)) or "none met"
    print(f"{len(files) - bad} of {len(files)} outputs equal (wall-clock columns ignored: {ignored}; "
          f"ignorable: {', '.join(sorted(WALL_CLOCK))})")
    return 1 if bad or not files else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
