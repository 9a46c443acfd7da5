"""Command line: `relulab <group> <command> ...`; each group registers its subcommands in GROUPS."""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path


def _box(values):
    from relulab.regions import Box

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


def _partition(args):
    from relulab.regions import enumerate_regions
    from relulab.regions.loaders import load_network

    net = load_network(args.checkpoint, args.activation, args.index)
    domain = _domain(args, net.in_dim)
    slope = args.slope if args.slope is not None else net.slope
    return enumerate_regions(net.layers, domain, activation=net.activation, slope=slope), net


def regions_count(args) -> int:
    t0 = time.perf_counter()
    part, net = _partition(args)
    n_lin = part.n_linear_regions()
    seconds = time.perf_counter() - t0
    out = {"n_regions": part.n_regions, "n_linear_regions": n_lin, "area_sum": float(part.areas.sum()),
           "domain_area": part.domain.area, "activation": net.activation, "source": net.source,
           "seconds": round(seconds, 6)}
    if args.json:
        print(json.dumps(out))
    else:
        print(f"activation regions: {out['n_regions']}\nlinear regions:     {n_lin}\n"
              f"area sum / domain:  {out['area_sum']:.12g} / {out['domain_area']:.12g}\n"
              f"seconds:            {seconds:.3f}")
    return 0


def regions_plot(args) -> int:
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


def add_regions(sub) -> None:
    """`relulab regions count|plot CHECKPOINT`: exact activation and linear regions on a 2-D domain."""
    from relulab.regions.network import ACTIVATIONS

    group = sub.add_parser("regions", help="exact linear regions of a piecewise-linear network on a 2-D domain")
    cmds = group.add_subparsers(dest="command", required=True)
    for name, func, help_ in (("count", regions_count, "print the number of activation and linear regions"),
                              ("plot", regions_plot, "draw the partition, regions coloured by activation pattern")):
        p = cmds.add_parser(name, help=help_)
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
        if name == "count":
            p.add_argument("--json", action="store_true", help="print a JSON object instead of text")
        else:
            p.add_argument("-o", "--output", required=True, help="output image (.png, .pdf or .svg)")
            p.add_argument("--dpi", type=int, default=200)
        p.set_defaults(func=func)


GROUPS = [add_regions]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="relulab", description="relulab: test claims about ReLU networks")
    sub = parser.add_subparsers(dest="group", required=True)
    for add in GROUPS:
        add(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ValueError as exc:
        print(f"relulab {args.group} {getattr(args, 'command', '')}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
