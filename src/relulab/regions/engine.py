"""Exact activation regions of a piecewise-linear MLP on a convex 2-D domain, layer by layer.

Each layer's pre-activations are affine on every region of the previous layers, so splitting every
region by that layer's unit lines (kernels.py) refines the partition exactly; the affine map of a child
region is the parent's pre-activation times the child's activation slopes.  Siblings share their
parent's slopes except on the few units that split the parent, so the next layer's product is taken
once per parent (G @ W.T, BLAS) and each child adds a rank-one correction per active splitting unit
(inside the kernel).  Regions are processed depth-first in chunks, so memory stays bounded by a chunk
per layer rather than by the whole partition.
Signs are decided in float64 with certified error bounds (kernels.py): coefficients carry absolute error
bounds (first layer: gamma * |H0| |W0|; each next layer GE @ |W|.T, propagated from the previous bound and the
rounding of the products; one bound per unit and region for the sum of its three coefficients' errors, and
nothing propagated through a certified-dead ReLU unit), vertices carry radii.  A sign the bound cannot
decide is counted ("undecided"); then the partition is recomputed in exact rational arithmetic (exact.py)
when it is small enough, else the caller is told (UndecidedWarning, or Undecided with undecided="raise").
Maxout layers keep the relative tolerance RTOL and are not certified.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

import warnings

from . import kernels
from .domains import Slice
from .network import PWLNet, as_net

RTOL = 1e-9  # maxout: a vertex within RTOL * ((|a1| + |a2|) * scale + |c|) of a line lies on it; see kernels.py
U = 2.0**-53


def gamma(k: int) -> float:
    """Higham's gamma_k = k u / (1 - k u): relative error bound of a k-term float64 sum of products."""
    return k * U / (1.0 - k * U)


class Undecided(ValueError):
    """Some sign could not be certified in float64 and the partition is too large for the exact fallback."""


class UndecidedWarning(RuntimeWarning):
    """The returned count rests on signs float64 could not certify (see Undecided)."""
CHUNK_BYTES = 16e6  # bound on the affine maps held per pending chunk and layer (peak memory ~ depth x this)


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


def _next_layer(net: PWLNet, layer: int) -> tuple[np.ndarray, np.ndarray]:
    return net.hidden[layer + 1] if layer + 1 < len(net.hidden) else net.out


def _child_pre_maxout(net, layer, Z, parent, states):
    """Next layer's pre-activations on child regions of a maxout layer: the chosen pieces, then W, b."""
    H = np.take_along_axis(Z[parent], states[:, None, None, :].astype(np.intp), axis=2)[:, :, 0, :]
    return _pre(H, *_next_layer(net, layer))


def _factored(Z: np.ndarray) -> tuple:
    """Dense maps (R, 3, n) as the kernel's factored form with no corrections."""
    R, _, n = Z.shape
    return (np.ascontiguousarray(Z), np.arange(R), np.zeros(R + 1, np.int64), np.zeros(0, np.int64),
            np.zeros((0, 3)), np.zeros((0, n)))


def _dense(Zs) -> np.ndarray:
    return kernels.materialize(*Zs) if isinstance(Zs, tuple) else Zs


def _check(net: PWLNet, domain: Slice):
    if not isinstance(domain, Slice):
        raise ValueError(f"domain: expected a Box or Slice, got {type(domain).__name__}")
    if net.in_dim != domain.dim:
        raise ValueError(f"the network has {net.in_dim} inputs but the domain lies in R^{domain.dim}; "
                         "use Slice(origin, dirs, polygon) or Slice.through_points(...) for d != 2")


def _normalized(domain: Slice):
    """The domain's polygon mapped onto [-1, 1]^2 (u = m + h * v), its centre m, half-sides h, and the plane's
    rows (h0 * dir0, h1 * dir1, origin + m @ dirs) in v coordinates.  The engine's tolerance is relative to
    the polygon's extent, so it works on v: the counts are then the same for a domain and network translated
    and scaled together, and a box far from the origin loses no resolution to its offset."""
    P = domain.polygon
    lo, hi = P.min(axis=0), P.max(axis=0)
    m, h = (lo + hi) / 2, (hi - lo) / 2
    V = np.ascontiguousarray((P - m) / h)
    H0 = np.stack([h[0] * domain.dirs[0], h[1] * domain.dirs[1], domain.origin + m @ domain.dirs])[None]
    return V, m, h, H0


def _unnormalize(Y: np.ndarray, m: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Affine maps (K, 3, out) in v coordinates -> the same maps in the domain's u coordinates."""
    out = np.empty_like(Y)
    out[:, 0], out[:, 1] = Y[:, 0] / h[0], Y[:, 1] / h[1]
    out[:, 2] = Y[:, 2] - m[0] * out[:, 0] - m[1] * out[:, 1]
    return out


def _first_bound(H0: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Error bound (1, n) of the first layer's coefficients _pre(H0, W, b) (H0 itself rounded: + 6u), summed
    over the three coefficients of each unit."""
    if W.ndim == 3:
        return np.zeros((1, W.shape[1]))
    E = np.abs(H0[0]).sum(axis=0) @ np.abs(W).T + np.abs(b)
    return (gamma(W.shape[1] + 8) * (1 + gamma(W.shape[1] + 4)) ** 2 * E)[None]


def _domain_lines(P: np.ndarray, er: np.ndarray) -> np.ndarray:
    """Line (a, b, c, ea, eb, ec) of each domain edge P[v] -> P[v + 1]: a u1 + b u2 + c = 0, with error bounds
    covering the rounding here and the vertices' radii er."""
    Q = np.roll(P, -1, axis=0)
    a, b = Q[:, 1] - P[:, 1], P[:, 0] - Q[:, 0]
    c = -(a * P[:, 0] + b * P[:, 1])
    e = 2 * (er + np.roll(er, -1))
    ec = e * (np.abs(P).sum(axis=1) + np.abs(a) + np.abs(b)) + 8 * U * (np.abs(a * P[:, 0]) + np.abs(b * P[:, 1]))
    return np.stack([a, b, c, e + 4 * U * np.abs(a), e + 4 * U * np.abs(b), 2 * ec], axis=1)


def walk(net: PWLNet, domain: Slice, keep: bool = True, rtol: float = RTOL, stats: dict | None = None):
    """Yield the final regions chunk by chunk: (xs, ys, es, offsets, patterns, Y) with keep, else the chunk size.

    Y (K, 3, out) holds the output's affine map on each region (rows: d/du1, d/du2, value at u = 0);
    es (Nv,) int32 the provenance of each edge (vertex -> next vertex): the pattern column (global hidden
    unit index) of the line that made it, -1 for the domain's boundary (maxout: None, not recorded).
    stats["undecided"] is increased by the number of signs the float64 bounds could not decide.
    """
    _check(net, domain)
    stats = {} if stats is None else stats
    stats.setdefault("undecided", 0)
    P, m, h, H0 = _normalized(domain)
    offs0 = np.array([0, len(P)], dtype=np.int64)
    L = len(net.hidden)
    W0, b0 = net.hidden[0] if L else net.out
    es0 = None if net.maxout else np.full(len(P), -1, np.int32)
    er0 = 4 * U * np.abs(P).max(axis=1)  # (P - m) / h rounded: the exact polygon is within these radii
    el0 = None if net.maxout else _domain_lines(P, er0)
    unit0 = np.concatenate([[0], np.cumsum(net.widths)]).astype(np.int64)
    stack = [(0, P[:, 0].copy(), P[:, 1].copy(), er0, (es0, el0), offs0, _pre(H0, W0, b0), _first_bound(H0, W0, b0),
              np.zeros((1, 0), np.uint8))]
    while stack:
        layer, xs, ys, er, (es, el), offs, Zs, Eb, pat = stack.pop()
        if callable(Zs):
            Zs, Eb = Zs()
        if layer == L:
            yield (m[0] + h[0] * xs, m[1] + h[1] * ys, es, offs, pat, _unnormalize(_dense(Zs), m, h)) \
                if keep else len(offs) - 1
            continue
        Wn, bn = _next_layer(net, layer)
        if net.activation == "identity":
            stack.append((layer + 1, xs, ys, er, (es, el), offs, _pre(_dense(Zs), Wn, bn), Eb, pat))
            continue
        cx, cy, cr, ce, cl, coffs, parent, states, child_pre, nunc = _split_layer(
            net, layer, xs, ys, er, es, el, offs, Zs, Eb, rtol, keep, keep or layer + 1 < L, unit0[layer])
        stats["undecided"] += nunc
        K = len(parent)
        if layer + 1 == L and not keep:
            yield K
            continue
        if keep:
            pat = np.concatenate([pat[parent], states], axis=1)
        n = Wn.shape[-2]
        chunk = max(1024, int(CHUNK_BYTES / (24 * n * (Wn.shape[0] if Wn.ndim == 3 else 1))))
        for a in reversed(range(0, K, chunk)):
            e = min(a + chunk, K)
            sub = slice(coffs[a], coffs[e])
            ce_sub = (None, None) if ce is None else (ce[sub], cl[sub])
            stack.append((layer + 1, cx[sub], cy[sub], cr[sub], ce_sub, coffs[a:e + 1] - coffs[a], child_pre(a, e),
                          None, pat[a:e] if keep else pat))


def _split_layer(net: PWLNet, layer: int, xs, ys, er, es, el, offs, Zs, Eb, rtol: float, keep: bool,
                 want_G: bool, unit_start: int):
    """Split a chunk's regions by hidden layer `layer`.

    Returns (cx, cy, cr, ce, cl, coffs, parent, states, child_pre, undecided): the children's polygons, vertex
    radii, edge provenance and edge lines (None for maxout), each child's parent region and new pattern columns (None
    without keep), child_pre(a, e), a lazy function giving the next layer's pre-activations of children
    a..e and their error bounds, and the number of undecided signs.
    """
    Wn, bn = _next_layer(net, layer)
    if net.maxout:
        Zd = _dense(Zs)
        from .kernels_maxout import split_maxout_layer

        cx, cy, coffs, parent, states = split_maxout_layer(xs, ys, offs, Zd, 1.0, rtol)

        def child_pre(a, e):
            return lambda: (_child_pre_maxout(net, layer, Zd, parent[a:e], states[a:e]), None)

        return cx, cy, np.zeros(len(cx)), None, None, coffs, parent, states, child_pre, 0
    fac = Zs if isinstance(Zs, tuple) else _factored(Zs)
    s = net.slopes[layer]
    n_next_in = Wn.shape[-1]
    dmax = np.maximum(1.0, np.abs(s) + np.abs(1.0 - s))
    gb = gamma(2 * n_next_in + 8)
    cx, cy, cr, coffs, parent, bits, G, GE, cptr, cj, ccoef, ce, cl, nunc = kernels.split_slope_layer(
        xs, ys, er, es, el, offs, fac[0], Eb, *fac[1:], s, dmax, gb, rtol, want_G, unit_start)
    states = _unpack(bits, net.hidden[layer][0].shape[0]) if keep else None
    WT = np.ascontiguousarray(Wn.T)
    aWT = np.abs(WT)
    infl = (1.0 + gamma(n_next_in + 4)) * gb

    def child_pre(a, e):
        return lambda: _child_pre_slope(G, GE, parent, cptr, cj, ccoef, WT, aWT, Wn, bn, infl, a, e)

    return cx, cy, cr, ce, cl, coffs, parent, states, child_pre, int(nunc)


def _child_pre_slope(G, GE, parent, cptr, cj, ccoef, WT, aWT, Wn, bn, infl, a: int, e: int):
    """Pre-activations of children a..e of a ReLU-family layer (the parent's map plus sparse corrections)
    and their error bounds (per parent: GE @ |W|.T + gb |b|, inflated for its own rounding)."""
    p0, p1 = parent[a], parent[e - 1] + 1
    q0, q1 = cptr[a], cptr[e]
    Zb = _pre(G[p0:p1], Wn, bn)
    Eb = GE[p0:p1] @ aWT
    Eb += infl * np.abs(bn)
    Eb *= 1.0 + gamma(aWT.shape[0] + 4)
    if q1 - q0 <= 8 * (e - a):
        return (Zb, parent[a:e] - p0, cptr[a:e + 1] - q0, cj[q0:q1], ccoef[q0:q1], WT), Eb
    # many corrections per child (the first layers): one dense product is cheaper
    C = np.zeros((e - a, 3, WT.shape[0]))
    C[np.repeat(np.arange(e - a), np.diff(cptr[a:e + 1])), :, cj[q0:q1]] = ccoef[q0:q1]
    return Zb[parent[a:e] - p0] + (C.reshape(-1, WT.shape[0]) @ WT).reshape(e - a, 3, -1), Eb[parent[a:e] - p0]


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
    edge_unit: np.ndarray | None = None  # (Nv,) int32: pattern column of the line that made edge v -> next; -1: domain
    undecided: int = 0  # signs the float64 pass could not certify (then recomputed exactly when exact is True)
    exact: bool = False  # recomputed in rational arithmetic
    certified: bool = True  # False: maxout (relative tolerance), or undecided signs left (UndecidedWarning)

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
        x, y = (self.xy - self.domain.polygon.mean(axis=0)).T  # about the domain's centre: no cancellation far out
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


class RegionLimit(ValueError):
    """The partition has more regions than the caller allowed (max_regions)."""


def _limited(chunks, max_regions, progress, size=len):
    """Pass the walk's chunks through, stopping with RegionLimit once more than max_regions regions are found
    and calling progress(regions so far) after each chunk."""
    total = 0
    for chunk in chunks:
        total += size(chunk)
        if max_regions is not None and total > max_regions:
            raise RegionLimit(f"more than {max_regions} regions (found {total} so far); raise --max-regions "
                              "or count a smaller domain")
        if progress is not None:
            progress(total)
        yield chunk


def _settle(net, domain, stats: dict, n_float: int, undecided: str, keep: bool):
    """After the float pass: None when every sign was certified; else the exact recomputation (exact.py)
    when small enough, else raise Undecided / warn (undecided="raise" / "warn") and return None."""
    from .exact import EXACT_MAX_REGIONS, exact_regions

    stats.update(exact=False, certified=not net.maxout)
    if not stats["undecided"] or net.maxout:
        return None
    if n_float <= EXACT_MAX_REGIONS:
        stats["exact"] = True
        return exact_regions(net, domain, keep)
    stats["certified"] = False
    msg = (f"{stats['undecided']} signs could not be decided in float64 with a certified error bound, and the "
           f"partition ({n_float} regions) is too large for the exact fallback (at most {EXACT_MAX_REGIONS}); "
           "the count may be wrong")
    if undecided == "raise":
        raise Undecided(msg)
    warnings.warn(msg, UndecidedWarning, stacklevel=3)
    return None


def enumerate_regions(layers, domain: Slice, activation: str = "relu", slope=None, k=None,
                      rtol: float = RTOL, max_regions: int | None = None, progress=None,
                      undecided: str = "warn") -> Partition:
    """All activation regions of the network `layers` (list of (W, b), last = affine output) on `domain`.

    max_regions: raise RegionLimit (a ValueError) as soon as more regions than that are found (the memory
    held grows with the regions); progress(n): called with the number of regions found after each chunk.
    undecided: what to do when some sign stays uncertified and the exact fallback is out of reach:
    "warn" (UndecidedWarning; Partition.certified is False) or "raise" (Undecided)."""
    net = as_net(layers, activation, slope, k)
    xs, ys, es, offs, pats, Ys = [], [], [], [], [], []
    nv = 0
    stats: dict = {}
    chunks = _limited(walk(net, domain, keep=True, rtol=rtol, stats=stats), max_regions, progress,
                      lambda c: len(c[3]) - 1)
    for cx, cy, ce, coffs, pat, Y in chunks:
        xs.append(cx)
        ys.append(cy)
        es.append(ce)
        offs.append(coffs[1:] + nv)
        nv += coffs[-1]
        pats.append(pat)
        Ys.append(Y)
    exact = _settle(net, domain, stats, sum(len(o) for o in offs), undecided, True)
    if exact is not None:
        xs, ys, es, offs, pats, Ys = [exact[0]], [exact[1]], [exact[2]], [exact[3][1:]], [exact[4]], [exact[5]]
    Y = np.concatenate(Ys)
    xy = np.stack([np.concatenate(xs), np.concatenate(ys)], axis=1)
    offsets = np.concatenate([[0], *offs]).astype(np.int64)
    edge_unit = None if net.maxout else np.concatenate(es)
    return Partition(domain, net, xy, offsets, np.concatenate(pats), np.ascontiguousarray(Y[:, :2].transpose(0, 2, 1)),
                     Y[:, 2], rtol, edge_unit, stats["undecided"], stats["exact"], stats["certified"])


def count_regions(layers, domain: Slice, activation: str = "relu", slope=None, k=None, rtol: float = RTOL,
                  max_regions: int | None = None, progress=None, undecided: str = "warn",
                  stats: dict | None = None) -> int:
    """Number of activation regions on `domain`, without storing polygons or patterns.

    undecided: as in enumerate_regions; stats (a dict, optional) receives undecided (signs float64 could not
    certify), exact (recomputed in rational arithmetic) and certified."""
    net = as_net(layers, activation, slope, k)
    stats = {} if stats is None else stats
    n = int(sum(_limited(walk(net, domain, keep=False, rtol=rtol, stats=stats), max_regions, progress, int)))
    exact = _settle(net, domain, stats, n, undecided, False)
    return n if exact is None else int(exact)
