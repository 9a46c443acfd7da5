"""Folding (R2): how many input points an intermediate layer maps onto the same hidden vector."""

from __future__ import annotations

import numpy as np

from relulab.regions import Slice, enumerate_regions


def hidden(layers, X: np.ndarray, upto: int) -> tuple[np.ndarray, np.ndarray]:
    """Post-activations of hidden layer `upto` (1-based) and the concatenated activation pattern."""
    H, pats = np.asarray(X, dtype=np.float64), []
    for W, b in layers[:upto]:
        Z = H @ W.T + b
        pats.append(Z > 0)
        H = np.maximum(Z, 0.0)
    return H, np.concatenate(pats, axis=1)


def jacobian_rank(layers, x: np.ndarray, upto: int, tol: float = 1e-9) -> int:
    """Rank of dh_upto/dx at x: 2 where the layer keeps both input directions (a fold, not a collapse)."""
    J, H = np.eye(len(x)), np.asarray(x, dtype=np.float64)
    for W, b in layers[:upto]:
        Z = W @ H + b
        J = (Z > 0)[:, None] * (W @ J)
        H = np.maximum(Z, 0.0)
    s = np.linalg.svd(J, compute_uv=False)
    return int((s > tol * max(1.0, s.max(initial=0.0))).sum())


def preimages(layers, domain: Slice, upto: int, points: np.ndarray, tol: float = 1e-9) -> list[np.ndarray]:
    """For each input point x*, every input x in `domain` with h_upto(x) = h_upto(x*) (exact, region by region).

    The sub-network 1..upto (identity output) is partitioned exactly; on each region h is affine,
    h = A x + c, so the preimage of y is a least-squares solve, kept if it reproduces y and lies in the
    region (its activation pattern matches) and in the domain. Where h is not injective on a region
    (dead units), the preimage is a segment or the region itself; it counts once.
    """
    n = layers[upto - 1][0].shape[0]
    sub = list(layers[:upto]) + [(np.eye(n), np.zeros(n))]
    part = enumerate_regions(sub, domain)
    A, c = part.A, part.c  # (R, n, 2), (R, n) in slice coordinates
    P = np.linalg.pinv(A)  # (R, 2, n)
    N = np.eye(2)[None] - np.einsum("rkn,rnj->rkj", P, A)  # projector onto the null space (dead directions)
    centre = part.centroids
    Y, _ = hidden(layers, domain.to_input(points), upto)
    out = []
    for y in Y:
        U = np.einsum("rkn,rn->rk", P, y[None, :] - c)
        U = U + np.einsum("rkj,rj->rk", N, centre - U)  # rank-deficient: the solution nearest the centroid
        res = np.abs(np.einsum("rnk,rk->rn", A, U) + c - y[None, :]).max(axis=1)
        scale = 1.0 + np.abs(y).max()
        cand = np.flatnonzero((res <= tol * scale) & domain.contains(U, margin=-1e-12))
        if cand.size:
            _, pat = hidden(layers, domain.to_input(U[cand]), upto)
            keep = cand[np.all(pat == part.patterns[cand].astype(bool), axis=1)]
            U = U[keep]
        else:
            U = U[:0]
        U = U[np.unique(np.round(U / 1e-7).astype(np.int64), axis=0, return_index=True)[1]] if len(U) else U
        out.append(U)
    return out


def pattern_image(layers, domain_box, layer: int, n: int = 300) -> np.ndarray:
    """An n x n image of the input box coloured by the activation pattern of one hidden layer (integers)."""
    xmin, xmax, ymin, ymax = domain_box
    gx, gy = np.meshgrid(np.linspace(xmin, xmax, n), np.linspace(ymin, ymax, n))
    X = np.c_[gx.ravel(), gy.ravel()]
    H = X
    for W, b in layers[:layer]:
        Z = H @ W.T + b
        H = np.maximum(Z, 0.0)
    _, inv = np.unique(Z > 0, axis=0, return_inverse=True)
    return inv.reshape(n, n)


def folding_table(widths, seeds, n_points: int, bias_std: float) -> "pd.DataFrame":
    """Preimage counts of layer L-1 at random probe points: the folding construction vs random nets."""
    import pandas as pd

    from relulab.regions import Box
    from relulab.regions.constructions import montufar_folding
    from relulab.studies.regions.count import SQUARE, random_layers

    layer = len(widths) - 1
    if layer < 2:
        raise ValueError("folding needs at least three hidden layers (probe layer L-1 >= 2)")
    rows = []
    rng = np.random.default_rng(0)
    unit = rng.uniform(0.02, 0.98, (n_points, 2))
    nets = [("folding", -1, montufar_folding(widths), Box(0, 1, 0, 1), unit)]
    nets += [("random", int(s), random_layers(widths, int(s), bias_std), Box(*SQUARE), 2 * unit - 1) for s in seeds]
    for name, seed, layers, box, pts in nets:
        for i, pre in enumerate(preimages(layers, box, layer, pts)):
            full = sum(jacobian_rank(layers, u, layer) == 2 for u in box.to_input(pre))
            rows.append({"net": name, "seed": seed, "layer": layer, "point": i, "preimages": len(pre),
                         "full_rank_preimages": int(full)})
    return pd.DataFrame(rows)
