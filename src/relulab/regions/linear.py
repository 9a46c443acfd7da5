"""Linear regions proper: adjacent activation regions whose affine output maps agree, merged by union-find.

Adjacency is found by probing: just outside every edge (at two fractions along it, offset by a tiny
PROBE * diameter along the outward normal) the network's activation pattern names the neighbouring region.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .network import forward_patterns

PROBE = 1e-7
FRACTIONS = (0.5, 0.3819660112501051)  # two points per edge, so a neighbour's vertex at a midpoint is harmless


def pattern_keys(P: np.ndarray) -> np.ndarray:
    """One hashable, sortable key per pattern row (the row's bytes)."""
    P = np.ascontiguousarray(P, dtype=np.uint8)
    return P.view(np.dtype((np.void, max(P.shape[1], 1)))).ravel() if P.shape[1] else np.zeros(len(P), "V1")


def locate(part, U: np.ndarray) -> np.ndarray:
    """Region index of each point U (N, 2) by its activation pattern; -1 where no region has that pattern."""
    if part.patterns.shape[1] == 0:
        return np.zeros(len(U), np.int64)
    P, _ = forward_patterns(part.net, part.domain.to_input(U))
    keys = pattern_keys(part.patterns)
    order = np.argsort(keys)
    sk = keys[order]
    q = pattern_keys(P)
    pos = np.clip(np.searchsorted(sk, q), 0, len(sk) - 1)
    return np.where(sk[pos] == q, order[pos], -1)


def adjacent_pairs(part) -> np.ndarray:
    """Pairs (i, j), i < j, of regions sharing an edge segment (found by probing across each edge)."""
    xy, nx, owner = part.xy, part.next_vertex, part.owner
    e = xy[nx] - xy
    length = np.hypot(e[:, 0], e[:, 1])
    P = part.domain.polygon
    diam = float(np.hypot(*(P.max(axis=0) - P.min(axis=0))))
    ok = length > 1e-12 * diam
    normal = np.stack([e[ok, 1], -e[ok, 0]], axis=1) / length[ok, None]
    pairs = []
    for f in FRACTIONS:
        U = xy[ok] + f * e[ok] + PROBE * diam * normal
        inside = part.domain.contains(U)
        j = locate(part, U[inside])
        i = owner[ok][inside]
        good = (j >= 0) & (j != i)
        pairs.append(np.stack([np.minimum(i[good], j[good]), np.maximum(i[good], j[good])], axis=1))
    pairs = np.concatenate(pairs)
    return np.unique(pairs, axis=0) if len(pairs) else pairs.reshape(0, 2)


@njit(cache=True)
def _roots(n, pairs):
    parent = np.arange(n)
    for t in range(pairs.shape[0]):
        a, b = pairs[t, 0], pairs[t, 1]
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        while parent[b] != b:
            parent[b] = parent[parent[b]]
            b = parent[b]
        if a != b:
            parent[max(a, b)] = min(a, b)
    for a in range(n):
        r = a
        while parent[r] != r:
            r = parent[r]
        parent[a] = r
    return parent


def union_find(n: int, pairs: np.ndarray) -> np.ndarray:
    """Component labels 0..k-1 (in order of the smallest member) of n items joined by pairs (m, 2)."""
    roots = _roots(n, np.asarray(pairs, dtype=np.int64).reshape(-1, 2))
    _, labels = np.unique(roots, return_inverse=True)
    return labels


def same_map(part, pairs: np.ndarray, rtol: float) -> np.ndarray:
    """Which pairs have equal affine maps up to rtol (relative to the largest map on the domain)."""
    scale = float(np.abs(part.domain.polygon).max())
    size = np.abs(part.A).max(initial=0.0) * scale + np.abs(part.c).max(initial=0.0) + 1e-300
    i, j = pairs[:, 0], pairs[:, 1]
    dA = np.abs(part.A[i] - part.A[j]).max(axis=(1, 2), initial=0.0)
    diff = dA * scale + np.abs(part.c[i] - part.c[j]).max(axis=1, initial=0.0)
    return diff <= rtol * size


def linear_labels(part, rtol: float = 1e-7) -> np.ndarray:
    """Linear-region label of each activation region."""
    pairs = adjacent_pairs(part)
    pairs = pairs[same_map(part, pairs, rtol)] if len(pairs) else pairs
    return union_find(part.n_regions, pairs)
