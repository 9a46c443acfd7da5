"""Constructions reach their theoretical counts: exact engine counts, exact rational 1-D oracle, grid oracle."""

from fractions import Fraction

import numpy as np
import pytest

from relulab.regions import Box, enumerate_regions
from relulab.regions import bounds as B
from relulab.regions import constructions as C


def _pieces_1d(layers, lo=Fraction(0), hi=Fraction(1)):
    """Exact linear pieces of a 1-input ReLU net on [lo, hi] in rational arithmetic (independent oracle)."""
    def affine(W, b, maps):  # maps: list of (slope, intercept) per unit
        return [(sum(Fraction(w) * s for w, (s, _) in zip(row, maps)),
                 sum(Fraction(w) * c for w, (_, c) in zip(row, maps)) + Fraction(bb)) for row, bb in zip(W, b)]

    pieces = [(lo, hi, [(Fraction(1), Fraction(0))])]
    for W, b in layers[:-1]:
        new = []
        for a, z, maps in pieces:
            pre = affine(W, b, maps)
            cuts = sorted({-c / s for s, c in pre if s != 0 and a < -c / s < z})
            for u, v in zip([a] + cuts, cuts + [z]):
                mid = (u + v) / 2
                new.append((u, v, [(s, c) if s * mid + c > 0 else (Fraction(0), Fraction(0)) for s, c in pre]))
        pieces = new
    W, b = layers[-1]
    slopes = [affine(W, b, maps)[0][0] for _, _, maps in pieces]
    merged = 1 + sum(1 for p, q in zip(slopes, slopes[1:]) if p != q)
    return merged


def _grid_patterns(layers, lo, hi, n=600, activation="relu"):
    """Distinct activation patterns on an n x n grid: a lower bound on the number of regions."""
    g = lo + (hi - lo) * (np.arange(n) + 0.5 + 0.0123) / (n + 0.03)  # interior, off the fold lines
    X = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    H, keys = X, []
    for W, b in layers[:-1]:
        if activation == "maxout":
            Z = np.einsum("koi,ni->nko", W, H) + b[None]
            keys.append(Z.argmax(1))
            H = Z.max(1)
        else:
            Z = H @ W.T + b
            keys.append(Z > 0)
            H = np.maximum(Z, 0)
    K = np.concatenate([k.astype(np.int64) for k in keys], 1)
    return len(np.unique(K, axis=0))


@pytest.mark.parametrize("depth", [1, 2, 3, 4, 6])
def test_sawtooth(depth):
    layers = C.sawtooth(depth)
    assert _pieces_1d(layers) == C.sawtooth_count(depth) == 2**depth
    part = enumerate_regions(C.sawtooth(depth, n_in=2), Box(0, 1, 0, 1))
    assert part.n_regions == part.n_linear_regions() == 2**depth
    assert part.areas.sum() == pytest.approx(1.0)


def test_zigzag_maps_every_piece_onto_unit_interval():
    for p in (1, 2, 3, 5):
        c = C.zigzag_coefficients(p)
        x = np.linspace(0, 1, 1001)
        g = np.maximum(p * x[:, None] - np.arange(p), 0) @ c
        knots = np.arange(p + 1) / p
        gk = np.maximum(p * knots[:, None] - np.arange(p), 0) @ c
        assert np.allclose(gk, np.arange(p + 1) % 2)  # alternates 0, 1, 0, ...
        assert g.min() >= -1e-12 and g.max() <= 1 + 1e-12


@pytest.mark.parametrize("widths", [(2,), (5,), (4, 4), (6, 6), (4, 4, 4), (6, 6, 6), (3, 5), (7, 4, 3)])
def test_montufar_folding_attains_theorem_4(widths):
    part = enumerate_regions(C.montufar_folding(widths), Box(0, 1, 0, 1))
    bound = B.montufar_lower(2, widths)
    assert C.montufar_count(widths) == bound
    assert part.n_regions == bound
    if widths[-1] >= 3 or len(widths) == 1:
        assert part.n_linear_regions() == bound
    assert part.areas.sum() == pytest.approx(1.0)


def test_montufar_grid_oracle():
    widths = (4, 4)
    assert _grid_patterns(C.montufar_folding(widths), 0, 1) == C.montufar_count(widths)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_tent_fold(depth):
    layers = C.tent_fold_2d(depth)
    part = enumerate_regions(layers, Box(0, 1, 0, 1))
    assert part.n_regions == part.n_linear_regions() == C.tent_fold_count(depth)
    assert _grid_patterns(layers, 0, 1, n=400) == C.tent_fold_count(depth)
    # the folded map is symmetric under x -> 1 - x, like mod's periodicity
    x = np.random.default_rng(0).uniform(0, 1, (50, 2))
    f = lambda X: _forward(layers, X)
    assert np.allclose(f(x), f(np.c_[1 - x[:, 0], x[:, 1]]))


def _forward(layers, X):
    H = X
    for W, b in layers[:-1]:
        H = np.maximum(H @ W.T + b, 0)
    return H @ layers[-1][0].T + layers[-1][1]


@pytest.mark.parametrize("rank,depth", [(2, 1), (2, 3), (3, 2), (3, 3), (4, 2)])
def test_maxout_reaches_theorem_8(rank, depth):
    layers = C.maxout_folding(depth, rank)
    part = enumerate_regions(layers, Box(-1, 1, -1, 1), activation="maxout", k=rank)
    bound = B.maxout_lower(2, depth, rank)
    assert C.maxout_count(depth, rank) == bound
    assert part.n_linear_regions() >= bound
    assert part.n_regions <= B.maxout_upper(2, (2,) * depth, rank)
    assert _grid_patterns(layers, -1, 1, n=300, activation="maxout") <= part.n_regions
