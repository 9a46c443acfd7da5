"""The certified error bounds of the region engine against exact rational arithmetic (issue 14).

Every call of the splitting kernel is intercepted; for sampled input regions, the float64 pre-activation maps
the kernel was given (materialized) must lie within the bound Eb it was given: for each unit j,
|a1 - a1*| + |a2 - a2*| + |c - c*| <= Eb[j], where (a1*, a2*, c*) is the exact map of that unit on the region,
computed here with Fractions from the region's activation pattern (found by an exact forward pass at an
interior point).  This checks the bound bookkeeping (one bound per unit for the sum of its three
coefficients' errors; nothing carried through a certified-dead ReLU unit) without using the engine's output.
On [-1, 1]^2 the engine's normalized coordinates are the box's own.
"""

from fractions import Fraction as F

import numpy as np
import pytest

from relulab.regions import Box, count_regions
from relulab.regions import engine, kernels


def _exact_maps(layers, slopes, pattern_point, depth):
    """Exact (a1, a2, c) rows of the pre-activations of hidden layer `depth` on the region containing the
    point, or None when the point lies on a unit line (pattern ambiguous)."""
    x = [F(float(v)) for v in pattern_point]
    H = [(F(1), F(0), F(0)), (F(0), F(1), F(0))]  # inputs u1, u2 as affine maps (a1, a2, c)
    h = x
    for layer, ((W, b), s) in enumerate(zip(layers, slopes)):
        Wf, bf = [[F(float(w)) for w in row] for row in W], [F(float(v)) for v in b]
        Z = [tuple(sum(w * hk[k] for w, hk in zip(row, H)) + (bj if k == 2 else 0) for k in range(3))
             for row, bj in zip(Wf, bf)]
        if layer == depth:
            return Z
        z = [sum(w * v for w, v in zip(row, h)) + bj for row, bj in zip(Wf, bf)]
        if any(v == 0 for v in z):
            return None
        d = [F(1) if v > 0 else F(float(sj)) for v, sj in zip(z, s)]
        H = [tuple(dj * c for c in zj) for dj, zj in zip(d, Z)]
        h = [dj * v for dj, v in zip(d, z)]
    raise AssertionError("depth beyond the hidden layers")


@pytest.mark.parametrize("activation,slope", [("relu", None), ("leaky_relu", 0.1)])
def test_coefficient_bounds_cover_exact_maps(monkeypatch, activation, slope):
    rng = np.random.default_rng(3)
    sizes = [2, 7, 7, 7, 7, 1]
    layers = [(rng.normal(0, np.sqrt(2 / a), (b, a)), rng.uniform(-0.5, 0.5, b)) for a, b in zip(sizes, sizes[1:])]
    widths = np.cumsum([0] + sizes[1:-1])
    seen = []
    real = kernels.split_slope_layer

    def spy(xs, ys, ers, es, els, offs, Zb, Eb, prow, cptr, cj, ccoef, WT, *rest):
        Z = kernels.materialize(Zb, prow, cptr, cj, ccoef, WT)
        seen.append((int(rest[-1]), xs.copy(), ys.copy(), offs.copy(), Z, Eb[prow].copy()))
        return real(xs, ys, ers, es, els, offs, Zb, Eb, prow, cptr, cj, ccoef, WT, *rest)

    monkeypatch.setattr(kernels, "split_slope_layer", spy)
    net = engine.as_net(layers, activation, slope)
    count_regions(layers, Box(-1.0, 1.0, -1.0, 1.0), activation=activation, slope=slope)
    checked = 0
    for unit0, xs, ys, offs, Z, Eb in seen:
        depth = int(np.searchsorted(widths, unit0))
        for r in np.linspace(0, len(offs) - 2, min(12, len(offs) - 1)).astype(int):
            pt = (xs[offs[r]:offs[r + 1]].mean(), ys[offs[r]:offs[r + 1]].mean())
            exact = _exact_maps(layers[:-1], net.slopes, pt, depth)
            if exact is None:
                continue
            for j, row in enumerate(exact):
                err = sum(abs(F(float(Z[r, k, j])) - row[k]) for k in range(3))
                assert err <= F(float(Eb[r, j])), (depth, r, j, float(err), Eb[r, j])
            checked += 1
    assert checked >= 20 and max(s[0] for s in seen) == widths[-2]
