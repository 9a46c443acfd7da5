"""Linear regions proper: adjacent activation regions whose affine output maps agree, merged by union-find.

Adjacency comes from edge provenance (Partition.edge_unit): an edge made by hidden unit u's line has, just
across it, the region whose activation pattern differs from its own in exactly bit u (earlier layers: same
cell; same layer: other lines cross the edge's line, not its interior; later layers: pre-activations are
continuous across it).  That twin is looked up by pattern, and confirmed geometrically: it must have an
edge of the same line overlapping this one with positive length.  Edges the twins do not fully cover
(degenerate networks: duplicated lines, later lines along the edge; maxout, whose edges are not labelled)
fall back to probing: just outside the edge (at two fractions along it, offset by PROBE * diameter along
the outward normal) the network's activation pattern names the neighbouring region.
"""

from __future__ import annotations

import numpy as np

PROBE = 1e-7
FRACTIONS = (0.5, 0.3819660112501051)  # two points per edge, so a neighbour's vertex at a midpoint is harmless
MIN_EDGE = 1e-12  # edges shorter than this times the domain's diameter are ignored (as when probing)
COVER_RTOL = 1e-9  # an edge is covered when its twins' overlaps add up to its length within this
PROBE_OFF = 1e-13  # a probed neighbour counts only with an edge on the probed edge's line (within this x diameter)


def pattern_keys(P: np.ndarray) -> np.ndarray:
    """One hashable, sortable key per pattern row (the row's bytes)."""
    P = np.ascontiguousarray(P, dtype=np.uint8)
    return P.view(np.dtype((np.void, max(P.shape[1], 1)))).ravel() if P.shape[1] else np.zeros(len(P), "V1")


def _byte_words(P: np.ndarray) -> np.ndarray:
    """Rows of uint8 patterns (N, n) as uint64 words (N, ceil(n / 8)), zero-padded."""
    P = np.asarray(P, dtype=np.uint8)
    out = np.zeros((len(P), 8 * max(1, (P.shape[1] + 7) // 8)), np.uint8)
    out[:, : P.shape[1]] = P
    return out.view("<u8")


def _lookup_words(words: np.ndarray, queries: np.ndarray, h: np.ndarray | None = None) -> np.ndarray:
    """Index of the row of `words` (unique rows) equal to each query row, -1 where none (hash, then compare)."""
    h = _hash(words) if h is None else h
    order = np.argsort(h)
    pos = np.clip(np.searchsorted(h[order], _hash(queries)), 0, len(h) - 1)
    cand = order[pos]
    return np.where((words[cand] == queries).all(axis=1), cand, -1)


def locate(part, U: np.ndarray) -> np.ndarray:
    """Region index of each point U (N, 2) by its activation pattern; -1 where no region has that pattern."""
    if part.patterns.shape[1] == 0:
        return np.zeros(len(U), np.int64)
    from .network import forward_patterns

    P, _ = forward_patterns(part.net, part.domain.to_input(U))
    return _lookup_words(_byte_words(part.patterns), _byte_words(P))


def _edges(part):
    """Edge vectors, lengths, the domain's diameter and which edges are long enough to count."""
    e = part.xy[part.next_vertex] - part.xy
    length = np.hypot(e[:, 0], e[:, 1])
    P = part.domain.polygon
    diam = float(np.hypot(*(P.max(axis=0) - P.min(axis=0))))
    return e, length, diam, length > MIN_EDGE * diam


def _sorted_pairs(i: np.ndarray, j: np.ndarray, n: int) -> np.ndarray:
    """Distinct pairs (min, max) of the (i, j) with j >= 0 and j != i, sorted; n bounds the indices."""
    good = (j >= 0) & (j != i)
    a, b = np.minimum(i[good], j[good]).astype(np.int64), np.maximum(i[good], j[good]).astype(np.int64)
    code = np.unique(a * n + b)
    return np.stack([code // n, code % n], axis=1) if len(code) else np.zeros((0, 2), np.int64)


def probe_pairs(part, edges: np.ndarray | None = None) -> np.ndarray:
    """Pairs (i, j), i < j, of regions sharing an edge segment, found by probing across `edges` (default all)."""
    xy, owner = part.xy, part.owner
    e, length, diam, ok = _edges(part)
    sel = np.flatnonzero(ok) if edges is None else np.asarray(edges, np.int64)[ok[edges]]
    normal = np.stack([e[sel, 1], -e[sel, 0]], axis=1) / length[sel, None]
    pi, pj = [], []
    for f in FRACTIONS:
        U = xy[sel] + f * e[sel] + PROBE * diam * normal
        inside = part.domain.contains(U)
        j = locate(part, U[inside])
        ok_j = _shares_edge(part, sel[inside], j)  # the probe may have jumped over a thin region: confirm
        pj.append(np.where(ok_j, j, -1))
        pi.append(owner[sel][inside])
    return _sorted_pairs(np.concatenate(pi), np.concatenate(pj), part.n_regions)


def _shares_edge(part, v: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Whether region j (-1: none) has an edge on edge v's line (offset <= PROBE_OFF x diameter) overlapping
    it with positive length: then j is really adjacent across v, not a region beyond a thin one."""
    e, length, diam, _ = _edges(part)
    ok = j >= 0
    jj = np.where(ok, j, 0)
    cnt = np.where(ok, part.offsets[jj + 1] - part.offsets[jj], 0)
    q = np.repeat(np.arange(len(v)), cnt)
    w = part.offsets[jj][q] + np.arange(len(q)) - np.repeat(np.cumsum(cnt) - cnt, cnt)
    vv = v[q]
    d = e[vv] / length[vv, None]
    r1, r2 = part.xy[w] - part.xy[vv], part.xy[part.next_vertex[w]] - part.xy[vv]
    t1, t2 = (r1 * d).sum(axis=1), (r2 * d).sum(axis=1)
    off = np.maximum(np.abs(r1[:, 0] * d[:, 1] - r1[:, 1] * d[:, 0]), np.abs(r2[:, 0] * d[:, 1] - r2[:, 1] * d[:, 0]))
    overlap = np.minimum(length[vv], np.maximum(t1, t2)) - np.maximum(0.0, np.minimum(t1, t2))
    good = (overlap > MIN_EDGE * diam) & (off <= PROBE_OFF * diam)
    return np.bincount(q[good], minlength=len(v)) > 0


def _words(patterns: np.ndarray) -> np.ndarray:
    """0/1 patterns (R, n) packed into uint64 words (R, ceil(n / 64)): bit u is bit u % 64 of word u // 64."""
    R, n = patterns.shape
    nw = max(1, (n + 63) // 64)
    packed = np.zeros((R, 8 * nw), np.uint8)
    packed[:, : (n + 7) // 8] = np.packbits(patterns, axis=1, bitorder="little")
    return packed.view("<u8")


def _hash(words: np.ndarray) -> np.ndarray:
    """64-bit hash of each row of uint64 words (splitmix64 finaliser of each salted word, summed)."""
    z = words ^ (np.arange(words.shape[1], dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15))
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return (z ^ (z >> np.uint64(31))).sum(axis=1)


def _twins(part, sel: np.ndarray) -> np.ndarray:
    """Region whose pattern is the owner's with bit edge_unit flipped, for the edges sel; -1 where none.

    Patterns are found by a 64-bit hash of their packed words and then compared in full (a hash collision
    can only lose a twin, whose edge then falls back to probing)."""
    words = _words(part.patterns)
    u = part.edge_unit[sel].astype(np.int64)
    Q = words[part.owner[sel]]
    Q[np.arange(len(sel)), u >> 6] ^= np.left_shift(np.uint64(1), (u & 63).astype(np.uint64))
    return _lookup_words(words, Q)


def provenance_pairs(part) -> tuple[np.ndarray, np.ndarray]:
    """Adjacent pairs (i < j) confirmed through edge provenance, and the labelled edges they leave uncovered."""
    xy, nx, owner, E = part.xy, part.next_vertex, part.owner, part.edge_unit
    e, length, diam, ok = _edges(part)
    sel = np.flatnonzero(ok & (E >= 0))
    twin = _twins(part, sel)
    # candidate edges w of the twin on the same line: key (region, label) over all long labelled edges
    span = part.patterns.shape[1] + 1
    lab = np.flatnonzero(ok & (E >= 0))
    key = owner[lab] * span + E[lab]
    order = np.argsort(key, kind="stable")
    skey, slab = key[order], lab[order]
    q = np.where(twin >= 0, twin * span + E[sel], -1)
    lo, hi = np.searchsorted(skey, q, "left"), np.searchsorted(skey, q, "right")
    cnt = np.where(twin >= 0, hi - lo, 0)
    qi = np.repeat(np.arange(len(sel)), cnt)
    w = slab[lo[qi] + np.arange(len(qi)) - np.repeat(np.cumsum(cnt) - cnt, cnt)]
    v = sel[qi]
    d = e[v] / length[v, None]
    r1, r2 = xy[w] - xy[v], xy[nx[w]] - xy[v]
    t1, t2 = (r1 * d).sum(axis=1), (r2 * d).sum(axis=1)
    off = np.maximum(np.abs(r1[:, 0] * d[:, 1] - r1[:, 1] * d[:, 0]), np.abs(r2[:, 0] * d[:, 1] - r2[:, 1] * d[:, 0]))
    overlap = np.minimum(length[v], np.maximum(t1, t2)) - np.maximum(0.0, np.minimum(t1, t2))
    good = (overlap > MIN_EDGE * diam) & (off <= 1e-7 * diam)
    covered = np.bincount(qi[good], overlap[good], minlength=len(sel))
    uncovered = sel[covered < length[sel] * (1.0 - COVER_RTOL)]
    return _sorted_pairs(owner[v[good]], owner[w[good]], part.n_regions), uncovered


def adjacent_pairs(part) -> np.ndarray:
    """Pairs (i, j), i < j, of regions sharing an edge segment (provenance where recorded, else probing)."""
    if part.edge_unit is None:
        return probe_pairs(part)
    pairs, uncovered = provenance_pairs(part)
    if len(uncovered):
        pairs = np.unique(np.concatenate([pairs, probe_pairs(part, uncovered)]), axis=0)
    return pairs


def union_find(n: int, pairs: np.ndarray) -> np.ndarray:
    """Component labels 0..k-1 (in order of the smallest member) of n items joined by pairs (m, 2)."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    root = np.arange(n)
    while len(pairs):  # hook every pair's larger root onto the smaller, then jump pointers to the roots
        a, b = root[pairs[:, 0]], root[pairs[:, 1]]
        differ = a != b
        pairs, a, b = pairs[differ], a[differ], b[differ]
        np.minimum.at(root, np.maximum(a, b), np.minimum(a, b))
        while True:
            nxt = root[root]
            if np.array_equal(nxt, root):
                break
            root = nxt
    _, labels = np.unique(root, return_inverse=True)
    return labels


def same_map(part, pairs: np.ndarray, rtol: float) -> np.ndarray:
    """Which pairs have equal affine maps up to rtol (relative to the largest map on the domain)."""
    scale = float(np.abs(part.domain.polygon).max())
    size = np.abs(part.A).max(initial=0.0) * scale + np.abs(part.c).max(initial=0.0) + 1e-300
    i, j = pairs[:, 0], pairs[:, 1]
    dA = np.abs(part.A[i] - part.A[j]).max(axis=(1, 2), initial=0.0)
    diff = dA * scale + np.abs(part.c[i] - part.c[j]).max(axis=1, initial=0.0)
    return diff <= rtol * size


def linear_labels(part, rtol: float = 1e-7, pairs: np.ndarray | None = None) -> np.ndarray:
    """Linear-region label of each activation region (pairs: adjacency to use; default adjacent_pairs)."""
    pairs = adjacent_pairs(part) if pairs is None else pairs
    pairs = pairs[same_map(part, pairs, rtol)] if len(pairs) else pairs
    return union_find(part.n_regions, pairs)
