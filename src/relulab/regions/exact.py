"""Exact fallback of the region engine: the same layer-by-layer split, in rational arithmetic (fractions).

Used by engine.py when the float64 pass left some sign undecided (its certified error bound could not
separate a value from zero).  Everything here is the exact function of the stored float64 numbers on the
exact domain polygon, in the domain's own coordinates u (no normalisation): weights, biases, slopes, the
slice's origin and directions and the polygon's corners are converted to Fractions without rounding, a
vertex is *on* a line only when the value there is exactly 0, and new vertices are exact crossings.
Slow (pure Python), so only small partitions are recomputed (EXACT_MAX_REGIONS); maxout is not handled.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

EXACT_MAX_REGIONS = 20000  # the float pass's count above which the exact fallback is not attempted


def _fr(a: np.ndarray) -> list:
    """Nested lists of Fractions, exactly the float64 values of `a`."""
    return [_fr(x) for x in a] if np.ndim(a) else Fraction(float(a))


def _clip(poly, labels, s, sgn, cut):
    """Part of the polygon where sgn * s >= 0, with edge labels (vertex -> next) as in kernels._clip_lab."""
    out, lab = [], []
    m = len(poly)
    for i in range(m):
        i2 = (i + 1) % m
        si, s2 = sgn * s[i], sgn * s[i2]
        if si >= 0:
            out.append(poly[i])
            lab.append(cut if (si == 0 and s2 < 0) else labels[i])
        if (si > 0 and s2 < 0) or (si < 0 and s2 > 0):
            t = si / (si - s2)
            (x1, y1), (x2, y2) = poly[i], poly[i2]
            out.append((x1 + t * (x2 - x1), y1 + t * (y2 - y1)))
            lab.append(cut if si > 0 else labels[i])
    return out, lab


def _split(poly, labels, Z, slope, unit0):
    """Children (polygon, labels, bits) of one region split by the unit lines Z (n rows a1, a2, c)."""
    pieces = [(poly, labels, [])]
    for j, (a1, a2, c) in enumerate(Z):
        nxt = []
        for pp, pl, bits in pieces:
            s = [a1 * x + a2 * y + c for x, y in pp]
            if max(s) > 0 and min(s) < 0:
                nxt.append((*_clip(pp, pl, s, 1, unit0 + j), bits + [1]))
                nxt.append((*_clip(pp, pl, s, -1, unit0 + j), bits + [0]))
            else:
                nxt.append((pp, pl, bits + [int(max(s) > 0)]))
        pieces = nxt
    return pieces


def _affine(W, b, H):
    """Rows (a1, a2, c) of W @ h + b where h's rows H are affine in u."""
    return [tuple(sum(w * h[k] for w, h in zip(Wj, H)) + (bj if k == 2 else 0) for k in range(3))
            for Wj, bj in zip(W, b)]


def exact_regions(net, domain, keep: bool = True):
    """All regions of `net` on `domain` exactly: (xs, ys, es, offs, patterns, Y) as one walk() chunk
    (floats rounded from the exact values), or the number of regions without keep."""
    if net.maxout:
        raise NotImplementedError("the exact fallback does not handle maxout networks")
    o, D = _fr(domain.origin), _fr(domain.dirs)
    H0 = [(D[0][i], D[1][i], o[i]) for i in range(len(o))]
    poly0 = [tuple(p) for p in _fr(domain.polygon)]
    layers = [(_fr(W), _fr(b)) for W, b in net.hidden]
    slopes = [_fr(s) for s in net.slopes]
    Wo, bo = _fr(net.out[0]), _fr(net.out[1])
    unit0 = np.concatenate([[0], np.cumsum(net.widths)]).astype(int)
    split = net.activation != "identity"
    todo = [(0, poly0, [-1] * len(poly0), H0, [])]
    done = []
    while todo:
        layer, poly, labels, H, pat = todo.pop()
        if layer == len(layers):
            done.append((poly, labels, pat, _affine(Wo, bo, H) if keep else None))
            continue
        Z = _affine(*layers[layer], H)
        if not split:
            todo.append((layer + 1, poly, labels, Z, pat))
            continue
        for cp, cl, bits in _split(poly, labels, Z, slopes[layer], int(unit0[layer])):
            G = [z if bit else tuple(slopes[layer][j] * v for v in z) for j, (z, bit) in enumerate(zip(Z, bits))]
            todo.append((layer + 1, cp, cl, G, pat + bits))
    if not keep:
        return len(done)
    xy = np.array([[float(x), float(y)] for poly, *_ in done for x, y in poly])
    offs = np.concatenate([[0], np.cumsum([len(d[0]) for d in done])]).astype(np.int64)
    es = np.array([lab for d in done for lab in d[1]], np.int32)
    pats = np.array([d[2] for d in done], np.uint8).reshape(len(done), -1)
    Y = np.array([[[float(v) for v in row] for row in d[3]] for d in done]).transpose(0, 2, 1)
    return xy[:, 0].copy(), xy[:, 1].copy(), es, offs, pats, np.ascontiguousarray(Y)
