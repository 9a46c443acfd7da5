"""Exact activation regions of a piecewise-linear MLP on a convex 2-D domain, layer by layer.

Each layer's pre-activations are affine on every region of the previous layers, so splitting every
region by that layer's unit lines (kernels.py) refines the partition exactly; the affine map of a child
region is the parent's pre-activation times the child's activation slopes.  Regions are processed
depth-first in chunks, so memory stays bounded by a chunk per layer rather than by the whole partition.
float64 throughout; the only tolerance is the relative one documented in kernels.py (RTOL).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from . import kernels
from .domains import Slice
from .network import PWLNet, as_net

RTOL = 1e-9  # a vertex within RTOL * ((|a1| + |a2|) * scale + |c|) of a unit's line lies on it
CHUNK_BYTES = 64e6  # affine maps held per pending chunk


def _pre(H: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pre-activations (R, 3, n) [maxout: (R, 3, k, n)] from layer inputs H (R, 3, n_in): rows u1, u2, 1."""
    R, _, n_in = H.shape
    if W.ndim == 3:
        k, n, _ = W.shape
        Z = (H.reshape(-1, n_in) @ W.reshape(k * n, n_in).T).reshape(R, 3, k, n)
    else:
        Z = (H.reshape(-1, n_in) @ W.T).reshape(R, 3, W.shape[0])
    Z[:, 2] += b
    return Z


def _unpack(bits: np.ndarray, n: int) -> np.ndarray:
    """Packed uint64 sign words (K, nw) -> (K, n) uint8 bits (bit j of word j // 64)."""
    return np.unpackbits(np.ascontiguousarray(bits).view(np.uint8), axis=1, bitorder="little")[:, :n]


def _child_inputs(net: PWLNet, layer: int, Z: np.ndarray, parent: np.ndarray, states: np.ndarray) -> np.ndarray:
    """Next layer's inputs H (K, 3, n) on child regions: the parent's pre-activation through the child's slopes."""
    if net.maxout:
        Zp = Z[parent]
        return np.take_along_axis(Zp, states[:, None, None, :].astype(np.intp), axis=2)[:, :, 0, :]
    D = np.where(states.astype(bool), 1.0, net.slopes[layer][None, :])
    return Z[parent] * D[:, None, :]


def _check(net: PWLNet, domain: Slice):
    if not isinstance(domain, Slice):
        raise ValueError(f"domain: expected a Box or Slice, got {type(domain).__name__}")
    if net.in_dim != domain.dim:
        raise ValueError(f"the network has {net.in_dim} inputs but the domain lies in R^{domain.dim}; "
                         "use Slice(origin, dirs, polygon) or Slice.through_points(...) for d != 2")


def walk(net: PWLNet, domain: Slice, keep: bool = True, rtol: float = RTOL):
    """Yield the final regions chunk by chunk: (xs, ys, offsets, patterns, H) with keep, else the chunk size."""
    _check(net, domain)
    P = domain.polygon
    scale = float(np.abs(P).max())
    H0 = np.stack([domain.dirs[0], domain.dirs[1], domain.origin])[None]
    offs0 = np.array([0, len(P)], dtype=np.int64)
    L = len(net.hidden)
    root = (0, P[:, 0].copy(), P[:, 1].copy(), offs0, H0, np.zeros((1, 0), np.uint8))
    stack = [root]
    while stack:
        layer, xs, ys, offs, H, pat = stack.pop()
        if callable(H):
            H = H()
        if layer == L:
            yield (xs, ys, offs, pat, H) if keep else len(offs) - 1
            continue
        W, b = net.hidden[layer]
        Z = _pre(H, W, b)
        if net.activation == "identity":
            stack.append((layer + 1, xs, ys, offs, Z, pat))
            continue
        if net.maxout:
            cx, cy, coffs, parent, states = kernels.split_maxout_layer(xs, ys, offs, Z, scale, rtol)
        else:
            cx, cy, coffs, parent, bits = kernels.split_slope_layer(xs, ys, offs, Z, scale, rtol)
            states = _unpack(bits, W.shape[0])
        K = len(parent)
        if layer + 1 == L and not keep:
            yield K
            continue
        if keep:
            pat = np.concatenate([pat[parent], states], axis=1)
        n = W.shape[-2]
        chunk = max(1024, int(CHUNK_BYTES / (24 * n * (W.shape[0] if W.ndim == 3 else 1))))
        for a in reversed(range(0, K, chunk)):
            e = min(a + chunk, K)
            sub = slice(coffs[a], coffs[e])

            def make_H(a=a, e=e, Z=Z, layer=layer, parent=parent, states=states):
                return _child_inputs(net, layer, Z, parent[a:e], states[a:e])

            stack.append((layer + 1, cx[sub], cy[sub], coffs[a:e + 1] - coffs[a], make_H,
                          pat[a:e] if keep else pat))


@dataclass(frozen=True, eq=False)
class Partition:
    """Activation regions: ragged CCW polygons (slice coords), patterns and the output map f = A u + c."""

    domain: Slice
    net: PWLNet
    xy: np.ndarray  # (Nv, 2) vertices of all polygons
    offsets: np.ndarray  # (R + 1,) polygon r is xy[offsets[r]:offsets[r + 1]]
    patterns: np.ndarray  # (R, n_units) uint8: 1 if z > 0 (maxout: argmax piece)
    A: np.ndarray  # (R, out, 2)
    c: np.ndarray  # (R, out)
    rtol: float = RTOL

    @property
    def n_regions(self) -> int:
        return len(self.offsets) - 1

    @cached_property
    def polygons(self) -> list:
        return np.split(self.xy, self.offsets[1:-1])

    @cached_property
    def owner(self) -> np.ndarray:
        """Region index of every vertex."""
        return np.repeat(np.arange(self.n_regions), np.diff(self.offsets))

    @cached_property
    def next_vertex(self) -> np.ndarray:
        """Index of the following vertex of the same polygon (cyclic)."""
        nxt = np.arange(1, len(self.xy) + 1)
        nxt[self.offsets[1:] - 1] = self.offsets[:-1]
        return nxt

    @cached_property
    def areas(self) -> np.ndarray:
        x, y = self.xy[:, 0], self.xy[:, 1]
        nx = self.next_vertex
        cross = x * y[nx] - x[nx] * y
        return 0.5 * np.add.reduceat(cross, self.offsets[:-1]) if self.n_regions else np.zeros(0)

    @cached_property
    def centroids(self) -> np.ndarray:
        """Vertex averages (interior points of the convex regions)."""
        counts = np.diff(self.offsets)[:, None]
        return np.add.reduceat(self.xy, self.offsets[:-1], axis=0) / counts

    def linear_labels(self, rtol: float = 1e-7) -> np.ndarray:
        """Label of the linear region (adjacent regions with equal affine maps merged) of each region."""
        from .linear import linear_labels

        return linear_labels(self, rtol)

    def n_linear_regions(self, rtol: float = 1e-7) -> int:
        return int(self.linear_labels(rtol).max()) + 1 if self.n_regions else 0

    def self_check(self, grid: int = 101) -> dict:
        from .checks import self_check

        return self_check(self, grid)


def enumerate_regions(layers, domain: Slice, activation: str = "relu", slope=None, k=None,
                      rtol: float = RTOL) -> Partition:
    """All activation regions of the network `layers` (list of (W, b), last = affine output) on `domain`."""
    net = as_net(layers, activation, slope, k)
    xs, ys, offs, pats, Hs = [], [], [], [], []
    nv = 0
    for cx, cy, coffs, pat, H in walk(net, domain, keep=True, rtol=rtol):
        xs.append(cx)
        ys.append(cy)
        offs.append(coffs[1:] + nv)
        nv += coffs[-1]
        pats.append(pat)
        Hs.append(H)
    H = np.concatenate(Hs)
    Y = np.einsum("rki,oi->rko", H, net.out[0])
    xy = np.stack([np.concatenate(xs), np.concatenate(ys)], axis=1)
    offsets = np.concatenate([[0], *offs]).astype(np.int64)
    return Partition(domain, net, xy, offsets, np.concatenate(pats), np.ascontiguousarray(Y[:, :2].transpose(0, 2, 1)),
                     Y[:, 2] + net.out[1], rtol)


def count_regions(layers, domain: Slice, activation: str = "relu", slope=None, k=None, rtol: float = RTOL) -> int:
    """Number of activation regions on `domain`, without storing polygons or patterns."""
    net = as_net(layers, activation, slope, k)
    return int(sum(walk(net, domain, keep=False, rtol=rtol)))
