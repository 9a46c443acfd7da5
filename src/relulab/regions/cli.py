"""`relulab regions count|plot CHECKPOINT`: exact activation and linear regions on a 2-D domain.

Usable without the pipeline: `python -m relulab.regions.cli count FILE` (or `relulab regions count FILE`).
Imports are lazy: the count path needs numpy, numba and the engine; torch only for files the built-in
torch-free reader cannot parse (relulab checkpoints, legacy formats); matplotlib only for `plot`.

Exactness (`count --json`): every sign is decided in float64 with a certified error bound; the few the
bound cannot decide send the whole count to exact rational arithmetic (regions/exact.py):
  exact_fallback_predicates  signs float64 could not certify (0 on a generic network)
  exact_fallback             whether the partition was recomputed in exact arithmetic
  certified                  true unless maxout (relative tolerance, not certified)
When signs stay undecided and the partition is too large for the exact fallback, the command prints an
error and exits with status 3 instead of a count.

JSON timings (`count --json`):
  engine_seconds  enumeration + linear-region merge (after loading the file and the compiled kernels)
  seconds         the same number as engine_seconds (kept for compatibility)
  load_seconds    reading the file and loading the compiled kernels (numba cache)
  wall_seconds    the whole process so far, from its start (/proc/self/stat; elsewhere: from the
                  import of this module, interpreter start-up excluded)
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

T_IMPORT = time.perf_counter()  # fallback origin of wall_seconds where /proc is unavailable
# argparse takes '-1e6' or '-inf' for an option (its own pattern knows only '-1' and '-1.5'): every float is a value
FLOAT_ARG = re.compile(r"^-((\d+\.?\d*|\.\d+)([eE][-+]?\d+)?|inf|infinity|nan)$", re.IGNORECASE)
EXIT_UNDECIDED = 3  # some sign could not be certified and the partition is too large for exact arithmetic

TIMINGS_HELP = ("JSON timings: engine_seconds (= seconds) is enumeration + linear merge only; load_seconds is "
                "reading the file and loading the compiled kernels; wall_seconds is the whole process")


def process_seconds() -> float:
    """Wall time since this process started (Linux /proc), else since this module was imported."""
    try:
        with open("/proc/self/stat") as f:
            start = int(f.read().rsplit(")", 1)[1].split()[19])  # field 22: starttime in clock ticks
        with open("/proc/uptime") as f:
            uptime = float(f.read().split()[0])
        return max(0.0, uptime - start / os.sysconf("SC_CLK_TCK"))
    except (OSError, ValueError, IndexError):
        return time.perf_counter() - T_IMPORT


def _box(values):
    import math

    from relulab.regions import Box

    if not all(math.isfinite(v) for v in values):
        raise ValueError(f"--box {' '.join(map(str, values))}: values must be finite")
    x0, x1, y0, y1 = values
    if not (x0 < x1 and y0 < y1):
        raise ValueError(f"--box {' '.join(map(str, values))}: need xmin < xmax and ymin < ymax")
    return Box(*values)


def _domain(args, in_dim: int):
    """The 2-D domain from --box / --slice: a box of a 2-D input space, or a box in a slice of R^d."""
    import numpy as np

    from relulab.regions import Slice

    if args.slice is None:
        if in_dim != 2:
            raise ValueError(f"the network has {in_dim} inputs; --box needs 2-D inputs, pass --slice FILE.npz "
                             "(arrays 'points' (3, d), or 'origin' (d,) and 'dirs' (2, d))")
        return _box(args.box or (-1.0, 1.0, -1.0, 1.0))
    try:
        data = np.load(args.slice)
        arrays = {k: data[k] for k in data.files} if hasattr(data, "files") else {"points": data}
    except Exception as exc:
        raise ValueError(f"--slice {args.slice}: not a readable .npy/.npz file ({type(exc).__name__})") from None
    if "points" in arrays:
        pts = np.asarray(arrays["points"], dtype=np.float64)
        if pts.shape != (3, in_dim):
            raise ValueError(f"--slice {args.slice}: 'points' must have shape (3, {in_dim}), got {pts.shape}")
        sl = Slice.through_points(*pts, pad=args.pad)
        if args.box is None:
            return sl
        return Slice(sl.origin, sl.dirs, _box(args.box).polygon, points=sl.points)
    if "origin" in arrays and "dirs" in arrays:
        return Slice(arrays["origin"], arrays["dirs"], _box(args.box or (-1.0, 1.0, -1.0, 1.0)).polygon)
    raise ValueError(f"--slice {args.slice}: expected arrays 'points' (3, d), or 'origin' (d,) and 'dirs' (2, d)")


def _warm_kernels(net, domain, slope) -> None:
    """Load (from numba's cache) the kernels this network needs, on a one-unit network, so they are not timed."""
    import numpy as np

    from relulab.regions import enumerate_regions

    W, b = net.layers[0]
    one = (W[:, :1], b[:, :1]) if W.ndim == 3 else (W[:1], b[:1])
    tiny = [one, (np.ones((1, 1)), np.zeros(1))] if len(net.layers) > 1 else net.layers
    enumerate_regions(tiny, domain, activation=net.activation, slope=slope).n_linear_regions()


def _default_max_regions(net) -> int:
    """Regions that fit in half the available memory (MemAvailable; 8 GiB where unknown)."""
    try:
        with open("/proc/meminfo") as f:
            avail = next(int(line.split()[1]) * 1024 for line in f if line.startswith("MemAvailable:"))
    except (OSError, StopIteration, ValueError, IndexError):
        avail = 8 << 30
    units = sum(W.shape[-2] for W, _ in net.layers[:-1])
    per_region = 2 * (120 + units + 24 * net.layers[-1][0].shape[-2])  # polygon, pattern, map; merge overhead
    return max(1, int(avail / 2 / per_region))


def _progress(prog: str):
    """A callback printing the regions found so far on stderr, at most twice a second; None unless a TTY."""
    if not sys.stderr.isatty():
        return None
    t0, last = time.perf_counter(), [0.0]

    def show(n: int) -> None:
        t = time.perf_counter() - t0
        if t - last[0] >= 0.5:
            last[0] = t
            print(f"\r{prog}: {n} regions so far ({t:.0f} s)", end="", file=sys.stderr, flush=True)

    return show


def _partition(args, timings: dict | None = None):
    from relulab.regions import enumerate_regions
    from relulab.regions.loaders import load_network

    t0 = time.perf_counter()
    net = load_network(args.checkpoint, args.activation, args.index)
    domain = _domain(args, net.in_dim)
    limit = args.max_regions if args.max_regions is not None else _default_max_regions(net)
    slope = args.slope if args.slope is not None else net.slope
    if timings is not None:
        _warm_kernels(net, domain, slope)
    t1 = time.perf_counter()
    show = _progress(f"relulab regions {args.command}")
    try:
        part = enumerate_regions(net.layers, domain, activation=net.activation, slope=slope, max_regions=limit,
                                 progress=show, undecided="raise")
    finally:
        if show is not None:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
    if timings is not None:
        timings.update(load=t1 - t0, t_engine=t1)
    return part, net


def regions_count(args) -> int:
    timings: dict = {}
    part, net = _partition(args, timings)
    n_lin = part.n_linear_regions()
    engine = time.perf_counter() - timings["t_engine"]
    out = {"n_regions": part.n_regions, "n_linear_regions": n_lin, "area_sum": float(part.areas.sum()),
           "domain_area": part.domain.area, "activation": net.activation, "source": net.source,
           "seconds": round(engine, 6), "engine_seconds": round(engine, 6),
           "load_seconds": round(timings["load"], 6), "wall_seconds": round(process_seconds(), 3),
           "exact_fallback_predicates": part.undecided, "exact_fallback": part.exact, "certified": part.certified}
    if not part.certified:
        print(f"relulab regions count: note: {net.activation} signs are decided with a relative tolerance, "
              "not certified", file=sys.stderr)
    if args.json:
        print(json.dumps(out))
    else:
        print(f"activation regions: {out['n_regions']}\nlinear regions:     {n_lin}\n"
              f"area sum / domain:  {out['area_sum']:.12g} / {out['domain_area']:.12g}\n"
              f"engine seconds:     {engine:.3f} (enumeration + linear merge)\n"
              f"load seconds:       {timings['load']:.3f} (file + compiled kernels)\n"
              f"wall seconds:       {out['wall_seconds']:.3f} (whole process)\n"
              f"exact fallback:     {'yes' if part.exact else 'no'} ({part.undecided} signs float64 could not certify)")
    return 0


def regions_plot(args) -> int:
    import tempfile

    out = Path(args.output)
    if not out.parent.is_dir():
        raise ValueError(f"-o {out}: directory {out.parent} does not exist")
    fmt = out.suffix.lstrip(".").lower()
    if fmt not in ("png", "pdf", "svg"):
        raise ValueError(f"-o {out}: expected a .png, .pdf or .svg file name")
    part, net = _partition(args)
    from relulab.regions.draw import draw_partition

    fig = draw_partition(part, title=f"{Path(args.checkpoint).name}: {part.n_regions} regions ({net.activation})")
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=f".{fmt}.tmp")
    os.close(fd)
    try:
        fig.savefig(tmp, format=fmt, dpi=args.dpi, bbox_inches="tight")
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
        import matplotlib.pyplot as plt

        plt.close(fig)
    print(f"wrote {out} ({part.n_regions} regions)")
    return 0


ACTIVATIONS = ("relu", "leaky_relu", "prelu", "rrelu", "identity", "maxout")  # = network.ACTIVATIONS (no numpy here)


def add_commands(cmds) -> None:
    """Add `count` and `plot` to the subparsers action `cmds`."""
    for name, func, help_ in (("count", regions_count, "print the number of activation and linear regions"),
                              ("plot", regions_plot, "draw the partition, regions coloured by activation pattern")):
        p = cmds.add_parser(name, help=help_, description=help_ + (f". {TIMINGS_HELP}." if name == "count" else ""))
        p.add_argument("checkpoint", help="relulab checkpoint, or torch.save'd nn.Sequential state_dict")
        p.add_argument("--box", nargs=4, type=float, metavar=("XMIN", "XMAX", "YMIN", "YMAX"),
                       help="domain box (input coords, or slice coords with --slice); default -1 1 -1 1")
        p.add_argument("--slice", metavar="FILE", help="for d > 2 inputs: .npz with 'points' (3, d) "
                       "(plane through them) or 'origin' (d,) and 'dirs' (2, d)")
        p.add_argument("--pad", type=float, default=0.25, help="margin around the three --slice points (default 0.25)")
        p.add_argument("--activation", choices=ACTIVATIONS,
                       help="override the checkpoint's activation (state_dicts: relu)")
        p.add_argument("--slope", type=float, help="negative slope for leaky_relu / rrelu / prelu")
        p.add_argument("--index", type=int, default=0, help="which model of a stacked checkpoint (default 0)")
        p.add_argument("--max-regions", type=int, metavar="N", help="stop with an error (exit 2) once more than N "
                       "regions are found (default: what fits in half the available memory)")
        p._negative_number_matcher = FLOAT_ARG  # accept '--box -1e6 1e6 -1 1' (argparse's own pattern misses -1e6)
        if name == "count":
            p.add_argument("--json", action="store_true", help=f"print a JSON object instead of text ({TIMINGS_HELP})")
        else:
            p.add_argument("-o", "--output", required=True, help="output image (.png, .pdf or .svg)")
            p.add_argument("--dpi", type=int, default=200)
        p.set_defaults(func=func)


def add_group(sub) -> None:
    """Register the `regions` group on the top-level subparsers action `sub` (relulab.cli)."""
    group = sub.add_parser("regions", help="exact linear regions of a piecewise-linear network on a 2-D domain")
    add_commands(group.add_subparsers(dest="command", required=True))


def run(args, prog: str) -> int:
    try:
        return int(args.func(args) or 0)
    except ValueError as exc:
        msg = " ".join(str(exc).split())
        if type(exc).__name__ == "Undecided":  # engine.Undecided (not imported here: imports stay lazy)
            print(f"{prog} {getattr(args, 'command', '')}: undecided: {msg}; no count is given", file=sys.stderr)
            return EXIT_UNDECIDED
    except MemoryError:
        msg = "out of memory; pass a smaller --max-regions or count a smaller domain"
    print(f"{prog} {getattr(args, 'command', '')}: error: {msg}", file=sys.stderr)
    return 2


def main(argv=None) -> int:
    """Standalone entry: `python -m relulab.regions.cli count|plot ...`."""
    parser = argparse.ArgumentParser(prog="relulab regions", description=__doc__.split("\n")[0])
    add_commands(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(argv), "relulab regions")


if __name__ == "__main__":
    sys.exit(main())
