"""Region bounds against independent implementations, worked examples and exact engine counts."""

import itertools
import math

import numpy as np
import pytest

from relulab.regions import bounds as B


def _zaslavsky_recurrence(m, d):
    """r(m, d) = r(m-1, d) + r(m-1, d-1): regions added by one more hyperplane (independent oracle)."""
    if m == 0 or d == 0:
        return 1
    return _zaslavsky_recurrence(m - 1, d) + _zaslavsky_recurrence(m - 1, d - 1)


def _serra_brute(n0, widths):
    """Theorem 1 of Serra et al. 2018 by enumerating the index set J literally."""
    total = 0
    for js in itertools.product(*(range(w + 1) for w in widths)):
        ok = all(js[l] <= min([n0, widths[l]] + [widths[i] - js[i] for i in range(l)]) for l in range(len(widths)))
        if ok:
            total += math.prod(math.comb(w, j) for w, j in zip(widths, js))
    return total


@pytest.mark.parametrize("m,d", [(0, 2), (1, 2), (5, 1), (7, 2), (6, 3), (10, 4), (3, 5)])
def test_zaslavsky_matches_recurrence(m, d):
    assert B.zaslavsky(m, d) == _zaslavsky_recurrence(m, d)


def test_zaslavsky_worked_examples():
    assert B.zaslavsky(4, 2) == 11  # 4 lines in general position cut the plane into 11 regions
    assert B.zaslavsky(3, 3) == 8 and B.zaslavsky(3, 2) == 7


@pytest.mark.parametrize("n0,widths", [(1, (3, 3)), (2, (4, 3, 5)), (2, (2, 6, 2)), (3, (5, 2, 4)), (2, (8,)), (4, (3, 5, 2, 6))])
def test_serra_upper_matches_literal_index_set(n0, widths):
    assert B.serra_upper(n0, widths) == _serra_brute(n0, widths)


def test_serra_upper_special_cases():
    rng = np.random.default_rng(0)
    for _ in range(20):
        widths = tuple(int(w) for w in rng.integers(1, 7, size=rng.integers(1, 4)))
        n0 = int(rng.integers(1, 4))
        # L = 1: tight and equal to Zaslavsky; always at most Montufar 2017's bound
        assert B.serra_upper(n0, widths[:1]) == B.shallow_max(n0, widths[0])
        assert B.serra_upper(n0, widths) <= B.montufar_upper(n0, widths)
    # n0 = 1: the bound simplifies to prod (n_l + 1) (Serra et al., Section 3.2)
    assert B.serra_upper(1, (3, 4, 5)) == 4 * 5 * 6 == B.serra_exact_1d((3, 4, 5))


def test_lower_bounds_worked_examples_and_order():
    # Montufar et al. for n0 = 1: n^(L-1) (n + 1) (quoted by Serra et al.)
    assert B.montufar_lower(1, (4, 4, 4)) == 4**2 * 5
    # n0 = 2, widths 4: floor(4/2)^2 per folding layer, 1 + 4 + 6 regions at the top
    assert B.montufar_lower(2, (4, 4, 4)) == 4 * 4 * 11
    assert B.pascanu_lower(2, (4, 4, 4)) == 2 * 2 * 11
    assert B.serra_lower(2, (6, 6)) == 4**2 * 22
    with pytest.raises(ValueError):
        B.serra_lower(2, (5, 6))
    for n0 in (1, 2, 3):
        for L in (1, 2, 3, 4):
            w = (3 * n0 + 1,) * L
            lo = [B.pascanu_lower(n0, w), B.montufar_lower(n0, w), B.serra_lower(n0, w)]
            assert lo == sorted(lo)
            assert lo[-1] <= B.serra_upper(n0, w)


def test_deep_beats_shallow_bound_at_fixed_budget():
    # the whole point of R1: at 48 units in 2-D the deep lower bound exceeds the shallow maximum
    shallow = B.shallow_max(2, 48)
    assert B.montufar_lower(2, B.equal_widths(48, 6)) > 10 * shallow
    assert B.montufar_lower(2, B.equal_widths(48, 1)) == shallow


def test_maxout_bounds():
    assert B.maxout_lower(2, 3, 3) == 3**2 * 3**2
    assert B.maxout_lower(2, 1, 4) == 16
    # rank 2 maxout layer: k(k-1)/2 = 1 hyperplane per unit, like ReLU
    assert B.maxout_upper(2, (4, 4), 2) == B.montufar_upper(2, (4, 4))
    for k in (2, 3, 4):
        for L in (1, 2, 3):
            assert B.maxout_lower(2, L, k) <= B.maxout_upper(2, (2,) * L, k)


def test_random_tiny_nets_never_exceed_upper_bound():
    """Exact engine counts of random tiny nets on a large box stay below Serra's bound; one layer reaches it."""
    from relulab.regions import Box, count_regions

    rng = np.random.default_rng(1)
    for widths in [(3,), (5,), (3, 3), (4, 2, 3)]:
        for _ in range(3):
            dims = (2,) + widths + (1,)
            layers = [(rng.normal(size=(o, i)), rng.normal(size=o)) for i, o in zip(dims[:-1], dims[1:])]
            n = count_regions(layers, Box(-1e3, 1e3, -1e3, 1e3))
            assert n <= B.serra_upper(2, widths)
            if len(widths) == 1:
                assert n == B.shallow_max(2, widths[0])  # lines in general position, all crossings inside
