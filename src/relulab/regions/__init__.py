"""Exact linear regions of piecewise-linear networks on 2-D domains and along paths.

    part = enumerate_regions(layers, Box(-1, 1, -1, 1), activation="relu")   # or Slice.through_points(...)
    part.n_regions, part.polygons, part.patterns, part.A, part.c, part.areas
    part.n_linear_regions(), part.self_check()
    count_regions(layers, domain)              # same count, polygons not kept
    count_along_path(layers, points, closed)   # pieces along a polyline

layers: list of float64 (W, b), W (out, in), the last one the affine output layer (maxout hidden layers:
W (k, out, in), b (k, out)).  Activations: relu, leaky_relu, prelu, rrelu (eval slope 1/5.5), identity,
maxout.  No sampling: polygons are split exactly, with one relative tolerance (engine.RTOL, see kernels).
"""

from .domains import Box, Slice
from .engine import Partition, count_regions, enumerate_regions
from .loaders import load_layers, load_network
from .paths import count_along_path, path_pieces

__all__ = ["Box", "Slice", "Partition", "enumerate_regions", "count_regions", "count_along_path", "path_pieces",
           "load_layers", "load_network"]
