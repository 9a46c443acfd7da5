"""Exact 1-D region counts along a segment or polyline (Raghu et al. 2017; Hanin & Rolnick 2019).

Each segment p -> q is parametrised by t in [0, 1]; every layer's pre-activations are affine in t on
every piece, so each piece is cut at the roots of its units (maxout: where two pieces cross), layer by
layer, with the same relative tolerance as the 2-D engine.  Vectorised numpy over all pieces at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .engine import RTOL
from .network import PWLNet, as_net


@dataclass(frozen=True)
class PathPieces:
    """Pieces of a polyline in path order: segment index, t-interval, activation pattern, output map in t."""

    segment: np.ndarray  # (M,)
    t0: np.ndarray
    t1: np.ndarray
    patterns: np.ndarray  # (M, n_units) uint8
    Y: np.ndarray  # (M, 2, out): d f / d t and f at t = 0 of the piece's affine map


def _subdivide(t0, t1, cut_id, cut_t):
    """Cut intervals at the given interior points; return (parent, t0, t1) of the non-empty sub-intervals."""
    M = len(t0)
    ids = np.concatenate([np.arange(M), cut_id])
    ts = np.concatenate([t0, cut_t])
    order = np.lexsort((ts, ids))
    ids, ts = ids[order], ts[order]
    last = np.r_[ids[1:] != ids[:-1], True]
    ends = np.where(last, t1[ids], np.r_[ts[1:], 0.0])
    keep = ends > ts
    return ids[keep], ts[keep], ends[keep]


def _slope_layer(net, layer, Z, t0, t1, rtol):
    a, c = Z[:, 0], Z[:, 1]
    tol = rtol * (np.abs(a) + np.abs(c))
    z0, z1 = a * t0[:, None] + c, a * t1[:, None] + c
    split = ((z0 > tol) & (z1 < -tol)) | ((z0 < -tol) & (z1 > tol))
    iu, ju = np.nonzero(split)
    root = -c[iu, ju] / a[iu, ju]
    root = np.clip(root, t0[iu], t1[iu])
    parent, n0, n1 = _subdivide(t0, t1, iu, root)
    mid = 0.5 * (n0 + n1)
    states = (np.maximum(z0, z1) > tol)[parent]
    roots = np.full(a.shape, np.nan)
    roots[iu, ju] = root
    r = roots[parent]
    sp = split[parent]
    states = np.where(sp, a[parent] * (mid[:, None] - np.where(sp, r, 0.0)) > 0, states).astype(np.uint8)
    D = np.where(states.astype(bool), 1.0, net.slopes[layer][None, :])
    return parent, n0, n1, states, Z[parent] * D[:, None, :]


def _maxout_layer(net, layer, Z, t0, t1, rtol):
    k = Z.shape[2]
    cuts_i, cuts_t = [], []
    for i in range(k):
        for m in range(i + 1, k):
            a, c = Z[:, 0, i] - Z[:, 0, m], Z[:, 1, i] - Z[:, 1, m]
            tol = rtol * (np.abs(Z[:, 0, i]) + np.abs(Z[:, 0, m]) + np.abs(Z[:, 1, i]) + np.abs(Z[:, 1, m]))
            z0, z1 = a * t0[:, None] + c, a * t1[:, None] + c
            iu, ju = np.nonzero(((z0 > tol) & (z1 < -tol)) | ((z0 < -tol) & (z1 > tol)))
            cuts_i.append(iu)
            cuts_t.append(np.clip(-c[iu, ju] / a[iu, ju], t0[iu], t1[iu]))
    parent, n0, n1 = _subdivide(t0, t1, np.concatenate(cuts_i), np.concatenate(cuts_t))
    mid = 0.5 * (n0 + n1)
    zmid = Z[parent, 0] * mid[:, None, None] + Z[parent, 1]  # (K, k, n)
    states = np.argmax(zmid, axis=1).astype(np.uint8)
    # over-cut: merge consecutive sub-intervals of one parent with the same argmax everywhere
    same = np.r_[False, (parent[1:] == parent[:-1]) & np.all(states[1:] == states[:-1], axis=1)]
    start = np.flatnonzero(~same)
    end = np.r_[start[1:], len(parent)] - 1
    parent, states, n0, n1 = parent[start], states[start], n0[start], n1[end]
    H = np.take_along_axis(Z[parent], states[:, None, None, :].astype(np.intp), axis=2)[:, :, 0, :]
    return parent, n0, n1, states, H


def path_pieces(net: PWLNet, points, closed: bool = False, rtol: float = RTOL) -> PathPieces:
    """All activation pieces of the polyline through `points` (P, d) (closed: back to the first point)."""
    X = np.asarray(points, dtype=np.float64)
    if X.ndim != 2 or X.shape[1] != net.in_dim or len(X) < 2 or not np.all(np.isfinite(X)):
        raise ValueError(f"points: expected (P >= 2, {net.in_dim}) finite coordinates, got shape {X.shape}")
    if closed:
        X = np.concatenate([X, X[:1]])
    p, q = X[:-1], X[1:]
    nonzero = np.any(q != p, axis=1)
    p, q = p[nonzero], q[nonzero]
    if not len(p):
        raise ValueError("points: the path has zero length")
    seg = np.arange(len(p))
    t0, t1 = np.zeros(len(p)), np.ones(len(p))
    H = np.stack([q - p, p], axis=1)  # (M, 2, d): x(t) = t (q - p) + p
    pats = np.zeros((len(p), 0), np.uint8)
    for layer, (W, b) in enumerate(net.hidden):
        if W.ndim == 3:
            Z = np.einsum("mri,koi->mrko", H, W)
            Z[:, 1] += b
            parent, t0, t1, states, H = _maxout_layer(net, layer, Z, t0, t1, rtol)
        else:
            Z = H @ W.T
            Z[:, 1] += b
            if net.activation == "identity":
                H = Z
                continue
            parent, t0, t1, states, H = _slope_layer(net, layer, Z, t0, t1, rtol)
        seg, pats = seg[parent], np.concatenate([pats[parent], states], axis=1)
    Y = H @ net.out[0].T
    Y[:, 1] += net.out[1]
    return PathPieces(seg, t0, t1, pats, Y)


def count_along_path(layers, points, closed: bool = False, activation: str = "relu", slope=None, k=None,
                     kind: str = "activation", rtol: float = RTOL) -> int:
    """Number of pieces of the polyline on which the activation pattern (kind="activation") or the
    network's affine map along the segment (kind="linear") is constant; a closed path joins its ends.

    At a polyline corner two pieces are merged when their patterns agree (directions differ there, so the
    linear kind compares patterns at corners too)."""
    if kind not in ("activation", "linear"):
        raise ValueError(f"kind: expected 'activation' or 'linear', got {kind!r}")
    pp = path_pieces(as_net(layers, activation, slope, k), points, closed, rtol)
    return count_pieces(pp, closed, kind)


def count_pieces(pp: PathPieces, closed: bool = False, kind: str = "activation", map_rtol: float = 1e-7) -> int:
    """Count pieces, given the PathPieces of a path, merging neighbours as count_along_path describes."""
    M = len(pp.t0)
    nxt = np.r_[np.arange(1, M), 0]
    differ = np.any(pp.patterns != pp.patterns[nxt], axis=1)
    if kind == "linear":
        size = np.abs(pp.Y).max(initial=0.0) + 1e-300
        same_seg = pp.segment == pp.segment[nxt]
        slope_differ = np.abs(pp.Y[:, 0] - pp.Y[nxt, 0]).max(axis=1, initial=0.0) > map_rtol * size
        differ = np.where(same_seg, slope_differ, differ)
    boundaries = int(differ[:-1].sum())
    if closed:
        boundaries += int(differ[-1]) if M > 1 else 0
        return max(boundaries, 1)
    return boundaries + 1
