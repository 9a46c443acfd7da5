"""Hand-built networks with known region counts: sawtooth, folding, tent (`mod`) folding, maxout.

Every function returns `layers`: a list of (W, b) float64 arrays (W of shape (out, in); maxout
hidden layers W (k, out, in), b (k, out)); hidden layers get the activation, the last one is the
affine output. The counts they attain are stated by `*_count` functions computed from theory.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "sawtooth",
    "sawtooth_count",
    "zigzag_coefficients",
    "montufar_folding",
    "montufar_count",
    "tent_fold_2d",
    "tent_fold_count",
    "maxout_folding",
    "maxout_count",
]


def _f(x) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(x, dtype=np.float64))


def sawtooth(depth: int, n_in: int = 1) -> list:
    """Telgarsky's sawtooth: the tent map t(x) = 2relu(x) - 4relu(x - 1/2) composed `depth` times.

    Width-2 hidden layers; on [0, 1] (first input coordinate) it has 2^depth linear pieces.
    """
    if depth < 1 or n_in < 1:
        raise ValueError("depth and n_in must be >= 1")
    first = np.zeros((2, n_in))
    first[:, 0] = 1.0
    b = _f([0.0, -0.5])
    layers = [(_f(first), b)]
    tent = np.array([[2.0, -4.0]])
    for _ in range(depth - 1):
        layers.append((_f(np.repeat(tent, 2, axis=0)), b.copy()))
    layers.append((_f(tent), _f([0.0])))
    return layers


def sawtooth_count(depth: int) -> int:
    """Pieces of the sawtooth on [0, 1]."""
    return 2**depth


def zigzag_coefficients(p: int) -> np.ndarray:
    """Weights c with sum_j c_j relu(p x - j) mapping each [j/p, (j+1)/p] onto [0, 1] (p-fold zigzag)."""
    if p < 1:
        raise ValueError("p must be >= 1")
    return _f([1.0] + [2.0 * (-1) ** j for j in range(1, p)])


def _tangent_lines(n: int) -> tuple[np.ndarray, np.ndarray]:
    """n lines in general position with all crossings inside (0.1, 0.9)^2: tangents of a parabola.

    z_k > 0 below tangent k. A point lies below a contiguous run of tangents (sorted by slope), so
    flipping tangents 0 and 2 makes "all units inactive" unrealizable for n >= 3: no region of the
    arrangement has a constant output, which would merge with its mirror images across folds.
    """
    a = np.linspace(-0.4, 0.4, n) + 0.013 if n > 1 else np.array([0.1])  # no slope-0 tangent
    # tangent of y = x^2 at a, in unit-square coordinates u = x + 1/2, v = y + 1/2
    W = np.stack([2.0 * a, -np.ones(n)], axis=1)
    b = -a + 0.5 - a**2  # 2a(u - 1/2) - (v - 1/2) - a^2
    if n >= 3:
        W[[0, 2]] *= -1.0
        b[[0, 2]] *= -1.0
    return _f(W), _f(b)


def montufar_folding(widths, output_seed: int = 0) -> list:
    """Montufar et al. 2014 construction on [0, 1]^2 attaining their Theorem 4 bound.

    Layers 1..L-1 fold each coordinate p_l = floor(n_l / 2) times (spare units stay dead); the last
    hidden layer is an arrangement of n_L lines in general position crossing inside the unit square;
    the output weights are random (generic), so every activation region is its own linear region.
    """
    widths = tuple(int(w) for w in widths)
    n0 = 2
    if not widths or min(widths) < n0:
        raise ValueError("every width must be >= 2 (the input dimension)")
    layers = []
    prev_p, prev_n = None, n0
    for n in widths[:-1]:
        p = n // n0
        W = np.zeros((n, prev_n))
        b = np.full(n, -1.0)  # spare units: constant -1, always inactive
        for i in range(n0):
            rows = slice(i * p, (i + 1) * p)
            if prev_p is None:
                W[rows, i] = p
            else:
                W[rows, i * prev_p:(i + 1) * prev_p] = p * zigzag_coefficients(prev_p)[None, :]
            b[rows] = -np.arange(p)
        layers.append((_f(W), _f(b)))
        prev_p, prev_n = p, n
    # last hidden layer: lines in the folded coordinates g = (g_1, g_2)
    nL = widths[-1]
    Lw, Lb = _tangent_lines(nL)
    if prev_p is None:
        G, g0 = np.eye(n0), np.zeros(n0)
    else:
        G = np.zeros((n0, prev_n))
        for i in range(n0):
            G[i, i * prev_p:(i + 1) * prev_p] = zigzag_coefficients(prev_p)
        g0 = np.zeros(n0)
    layers.append((_f(Lw @ G), _f(Lb + Lw @ g0)))
    rng = np.random.default_rng(output_seed)
    layers.append((_f(rng.uniform(0.5, 1.5, (1, nL)) * rng.choice([-1, 1], (1, nL))), _f([0.0])))
    return layers


def montufar_count(widths) -> int:
    """Regions of `montufar_folding(widths)` on [0, 1]^2 (equals Montufar et al.'s Theorem 4 bound)."""
    widths = tuple(int(w) for w in widths)
    nL = widths[-1]
    return math.prod((w // 2) ** 2 for w in widths[:-1]) * (1 + nL + math.comb(nL, 2))


def tent_fold_2d(depth: int, output=(1.0, math.sqrt(2.0))) -> list:
    """Continuous 2-D `mod`: the tent map applied to each coordinate, `depth` times (width 4).

    `mod(p, 1)` folds the plane onto the unit square by translation (discontinuous); the tent map
    folds it by reflection, which a ReLU network can compute: 4^depth squares on [0, 1]^2.
    """
    if depth < 1:
        raise ValueError("depth must be >= 1")
    W1 = np.zeros((4, 2))
    W1[0:2, 0] = 1.0
    W1[2:4, 1] = 1.0
    b = _f([0.0, -0.5, 0.0, -0.5])
    tent = np.array([2.0, -4.0])
    block = np.zeros((4, 4))
    for i in range(2):
        block[2 * i:2 * i + 2, 2 * i:2 * i + 2] = tent[None, :]
    layers = [(_f(W1), b)]
    for _ in range(depth - 1):
        layers.append((_f(block), b.copy()))
    out = np.zeros((1, 4))
    out[0, 0:2] = output[0] * tent
    out[0, 2:4] = output[1] * tent
    layers.append((_f(out), _f([0.0])))
    return layers


def tent_fold_count(depth: int) -> int:
    """Regions of `tent_fold_2d(depth)` on [0, 1]^2."""
    return 4**depth


def _maxout_fold_layer(k: int, apex: np.ndarray, scale: float, n_in: int, rows: np.ndarray) -> tuple:
    """Two rank-k maxout units h_j = scale * max_i <w_ij, y - apex>, y = rows @ z; symmetric under
    rotation by 2pi/k and a reflection about apex, so 2k half-sectors map onto one cone."""
    ang0 = 2 * np.pi * np.arange(k) / k
    W = np.zeros((k, 2, n_in))
    b = np.zeros((k, 2))
    for j, shift in enumerate((0.0, np.pi / k)):
        w = np.stack([np.cos(ang0 + shift), np.sin(ang0 + shift)], axis=1) * scale  # (k, 2)
        W[:, j, :] = w @ rows
        b[:, j] = -w @ apex
    return _f(W), _f(b)


def maxout_folding(depth: int, rank: int, output_seed: int = 0) -> list:
    """Rank-k maxout net, `depth` hidden layers of width 2, on [-1, 1]^2, with >= k^(L-1) * k^2 regions.

    Layers 1..L-1 are dihedral folds: each maps its 2k half-sectors around an apex onto one cone of the
    next layer's input, and the next apex sits inside that cone, rescaled to unit size. The last layer
    cuts a k x k grid (one convex k-piece function per coordinate) around its apex. This is the
    mechanism of Montufar et al.'s Theorem 8 (k-fold identification per layer, k^n0 at the top).
    """
    k = int(rank)
    if depth < 1 or k < 2:
        raise ValueError("depth >= 1 and rank >= 2 required")
    c = math.cos(math.pi / k)
    half = math.pi / 4 - math.atan(c)  # half-width of the image cone of one half-sector
    # image of a half-sector of radius 1 contains {h in cone, |h| <= 1}; next apex on the diagonal
    d = 0.5
    rho = 0.9 * d * math.sin(half)
    layers = []
    apex, scale, n_in, rows = np.zeros(2), 1.0, 2, np.eye(2)
    for _ in range(depth - 1):
        layers.append(_maxout_fold_layer(k, apex, scale, n_in, rows))
        apex = np.full(2, d / math.sqrt(2.0))
        scale = 1.0 / rho
        rows, n_in = np.eye(2), 2
    # top layer: unit j = max_i (i * t_j + c_i), t_j = scale * (z_j - apex_j), breakpoints in (-0.3, 0.3)
    br = np.linspace(-0.3, 0.3, k + 1)[1:-1] if k > 2 else np.array([0.05])
    cs = np.concatenate([[0.0], -np.cumsum(br)])
    s = np.arange(k, dtype=np.float64)
    W = np.zeros((k, 2, 2))
    b = np.zeros((k, 2))
    for j in range(2):
        W[:, j, j] = s * scale
        b[:, j] = cs - s * scale * apex[j]
    layers.append((_f(W), _f(b)))
    rng = np.random.default_rng(output_seed)
    layers.append((_f(rng.uniform(0.5, 1.5, (1, 2)) * np.array([[1.0, -1.0]])), _f([0.0])))
    return layers


def maxout_count(depth: int, rank: int) -> int:
    """The lower bound the maxout construction must reach: k^(L-1) * k^2 (Montufar et al. Thm 8, n0 = 2)."""
    return rank ** (depth - 1) * rank**2
