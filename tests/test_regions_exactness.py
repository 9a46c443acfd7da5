"""Exactness of the region engine (issue 14): counts of the exact function of the stored float64 numbers,
invariant under translation and scaling of network and box, thin regions kept, nested boxes never losing
regions, and a linear-region merge that never joins non-adjacent regions.  Oracles never use the engine:
line arrangements counted in rational arithmetic (1 + lines crossing the box + crossings inside it)."""

import itertools
import warnings
from fractions import Fraction as F

import numpy as np
import pytest

from relulab.regions import Box, count_regions, enumerate_regions
from relulab.regions.engine import Undecided, UndecidedWarning


def arrangement_count(W, b, box):
    """Regions cut by the lines W u + b = 0 inside the open box, in exact arithmetic (general position
    asserted: no three lines through a point, no crossing or line through a corner on the boundary)."""
    x0, x1, y0, y1 = map(F, box)
    lines = [(F(w0), F(w1), F(c)) for (w0, w1), c in zip(np.asarray(W, float), np.asarray(b, float))]
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]
    crossing = 0
    for a1, a2, c in lines:
        vals = [a1 * x + a2 * y + c for x, y in corners]
        assert all(v != 0 for v in vals), "a line through a box corner"
        crossing += min(vals) < 0 < max(vals)
    points = []
    for (a1, a2, c), (d1, d2, e) in itertools.combinations(lines, 2):
        det = a1 * d2 - a2 * d1
        if det == 0:
            continue
        x, y = (a2 * e - c * d2) / det, (c * d1 - a1 * e) / det
        assert x not in (x0, x1) and y not in (y0, y1), "a crossing on the boundary"
        if x0 < x < x1 and y0 < y < y1:
            points.append((x, y))
    assert len(set(points)) == len(points), "three lines through a point"
    return 1 + crossing + len(points)


def one_layer(W, b):
    W = np.asarray(W, float)
    return [(W, np.asarray(b, float)), (np.ones((1, len(W))), np.zeros(1))]


def dyadic_lines(n, seed, bits=6):
    """n lines with dyadic coefficients (few bits): W @ t and b + W @ t are exact for integer t up to 2^40."""
    rng = np.random.default_rng(seed)
    W = rng.integers(-2**bits, 2**bits, size=(n, 2)) / 2.0**bits
    W[np.abs(W).sum(axis=1) == 0] = [1.0, 0.5]
    return W, rng.integers(-2**bits, 2**bits, size=n) / 2.0**(bits + 1)


BOX = (-1.5, 2.0, -1.0, 1.0)


@pytest.mark.parametrize("shift", [1e3, 1e6, 2.0**30])
def test_translation_keeps_the_exact_count(shift):
    """g(x) = f(x + t) on the box B - t: stored exactly (dyadic weights, integer t), so the same arrangement."""
    W, b = dyadic_lines(9, 1)
    t = np.array([shift, -shift])
    want = arrangement_count(W, b, BOX)
    moved = (BOX[0] - t[0], BOX[1] - t[0], BOX[2] - t[1], BOX[3] - t[1])
    b2 = b + W @ t
    assert np.all(b2 - W @ t == b)  # exact in float64
    assert arrangement_count(W, b2, moved) == want
    assert count_regions(one_layer(W, b), Box(*BOX)) == want
    assert count_regions(one_layer(W, b2), Box(*moved)) == want


@pytest.mark.parametrize("shift", [1e3, 1e6])
def test_translation_of_a_deep_network(shift):
    """Two hidden layers, dyadic first layer: the translated network is stored exactly, so its exact partition
    is the untranslated one moved; the count must not change (the issue's 634 vs 658)."""
    rng = np.random.default_rng(4)
    W0, b0 = dyadic_lines(12, 2)
    layers = [(W0, b0), (rng.normal(size=(12, 12)) / 3, rng.normal(size=12) / 3),
              (rng.normal(size=(1, 12)), np.zeros(1))]
    t = np.array([shift, shift])
    moved = [(W0, b0 + W0 @ t)] + layers[1:]
    stats = {}
    n = count_regions(layers, Box(*BOX))
    assert count_regions(moved, Box(BOX[0] - shift, BOX[1] - shift, BOX[2] - shift, BOX[3] - shift), stats=stats) == n
    assert stats["certified"]


@pytest.mark.parametrize("s", [1e-6, 1e6])
def test_scaling_keeps_the_count(s):
    """g(x) = f(s x) on B / s: the oracle counts the stored (rounded) g exactly, and equals f's count."""
    W, b = dyadic_lines(10, 3)
    want = arrangement_count(W, b, BOX)
    Ws = W * s
    scaled = tuple(v / s for v in BOX)
    assert arrangement_count(Ws, b, scaled) == want
    assert count_regions(one_layer(Ws, b), Box(*scaled)) == want


@pytest.mark.parametrize("gap", [1e-9, 1e-12])
@pytest.mark.parametrize("slant", [0.0, 0.37])
def test_parallel_lines_close_together(gap, slant):
    """k parallel lines crossing the box, gap apart: k + 1 regions (5 lines 1e-9 apart gave 4, not 6)."""
    k = 5
    W = np.tile([1.0, slant], (k, 1))
    b = -(0.1 + gap * np.arange(k))
    assert len(set(b)) == k and arrangement_count(W, b, (-1, 1, -1, 1)) == k + 1
    assert count_regions(one_layer(W, b), Box(-1, 1, -1, 1)) == k + 1
    part = enumerate_regions(one_layer(W, b), Box(-1, 1, -1, 1))
    assert part.n_regions == k + 1 and part.certified and (part.areas > 0).all()


def test_thin_lines_among_a_general_arrangement():
    """Two lines 1e-12 apart in an arrangement of 8 lines crossing inside the box: 1 + n + crossings."""
    W, b = dyadic_lines(7, 5)
    W = np.vstack([W, W[0]])
    b = np.append(b, b[0] + 1e-12)
    assert count_regions(one_layer(W, b), Box(*BOX)) == arrangement_count(W, b, BOX)


def test_nested_boxes_never_lose_regions():
    """Boxes +-r for r = 1e3, 1e6, 1e9, 1e12 contain every crossing: all give 1 + n + C(n, 2) (before: fewer
    regions for the larger boxes than for the +-1e3 box inside them)."""
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(10, 2)), rng.normal(size=10)
    want = arrangement_count(W, b, (-1e3, 1e3, -1e3, 1e3))
    assert want == 1 + 10 + 45
    for r in (1e3, 1e6, 1e9, 1e12):
        assert count_regions(one_layer(W, b), Box(-r, r, -r, r)) == want, r


def test_nested_boxes_deep_network_monotone():
    rng = np.random.default_rng(1)
    layers = [(rng.normal(size=(8, 2)), rng.normal(size=8)), (rng.normal(size=(8, 8)) / 3, rng.normal(size=8)),
              (rng.normal(size=(1, 8)), np.zeros(1))]
    counts = [count_regions(layers, Box(-r, r, -r, r)) for r in (1.0, 1e3, 1e6, 1e9)]
    assert counts == sorted(counts) and counts[0] > 1


def test_degenerate_input_falls_back_to_exact_arithmetic():
    """A duplicated unit and a line touching the box only at its corner (1, -1): floats cannot certify those
    signs, so the count is recomputed exactly; neither adds a region to the arrangement of the other lines."""
    W, b = dyadic_lines(6, 7)
    box = (-0.9, 1.0, -1.0, 1.0)
    Wd = np.vstack([W, W[2], [1.0, -2.0]])
    bd = np.append(b, [b[2], -3.0])  # x - 2y - 3 <= 0 on the box, = 0 only at the corner (1, -1)
    stats = {}
    n = count_regions(one_layer(Wd, bd), Box(*box), stats=stats)
    assert stats["undecided"] > 0 and stats["exact"]
    assert n == arrangement_count(W, b, box)
    part = enumerate_regions(one_layer(Wd, bd), Box(*box))
    assert part.exact and part.n_regions == n and part.self_check(grid=41)["ok"]


def test_undecided_beyond_the_exact_fallback_warns_or_raises(monkeypatch):
    import relulab.regions.exact as exact

    monkeypatch.setattr(exact, "EXACT_MAX_REGIONS", 0)
    W, b = dyadic_lines(4, 7)
    layers = one_layer(np.vstack([W, W[0]]), np.append(b, b[0]))
    with pytest.raises(Undecided, match="could not be decided"):
        count_regions(layers, Box(-1, 1, -1, 1), undecided="raise")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        part = enumerate_regions(layers, Box(-1, 1, -1, 1))
    assert any(issubclass(w.category, UndecidedWarning) for w in caught) and not part.certified


def test_linear_merge_never_joins_regions_across_a_thin_strip():
    """relu(x) - 2 relu(x - d) + relu(x - 2d): 0 left of the lines and 0 right of them, but x and 2d - x on
    the two strips between: 4 linear regions (left and right agree, yet are not adjacent)."""
    for d in (1e-3, 1e-9, 1e-12):
        layers = [(np.array([[1.0, 0.0]] * 3), np.array([0.0, -d, -2 * d])),
                  (np.array([[1.0, -2.0, 1.0]]), np.zeros(1))]
        part = enumerate_regions(layers, Box(-1, 1, -1, 1))
        assert part.n_regions == 4 and part.n_linear_regions() == 4, d


def test_probing_merge_confirms_adjacency_across_thin_strips():
    """The probing merge (fallback of the provenance merge, and maxout's) jumps PROBE x diameter across an edge;
    across a strip thinner than that it lands beyond it and must not join that region (4 linear regions)."""
    from relulab.regions.linear import linear_labels, probe_pairs

    layers = [(np.array([[1.0, 0.0]] * 3), np.array([0.0, -1e-12, -2e-12])),
              (np.array([[1.0, -2.0, 1.0]]), np.zeros(1))]
    part = enumerate_regions(layers, Box(-1, 1, -1, 1))
    lab = linear_labels(part, pairs=probe_pairs(part))
    side = part.patterns.sum(axis=1)  # 0: left of every line, 3: right of every line
    assert lab.max() + 1 == 4 and lab[side == 0][0] != lab[side == 3][0]
