"""Exact integer bounds on the number of linear regions of ReLU and maxout networks.

All functions use Python ints (math.comb), so the numbers stay exact for any depth.
Notation: n0 input dimension, widths = (n_1, ..., n_L) hidden widths; the affine output
layer adds no regions and is not part of `widths`.
"""

from __future__ import annotations

import math
from functools import lru_cache

__all__ = [
    "zaslavsky",
    "shallow_max",
    "pascanu_lower",
    "montufar_lower",
    "montufar_upper",
    "serra_upper",
    "serra_lower",
    "serra_exact_1d",
    "maxout_lower",
    "maxout_upper",
    "equal_widths",
]


def _check(n0: int, widths) -> tuple[int, ...]:
    """Validate an architecture and return the widths as a tuple of ints."""
    widths = tuple(int(w) for w in widths)
    if n0 < 1 or not widths or min(widths) < 1:
        raise ValueError(f"need n0 >= 1 and positive widths, got n0={n0}, widths={widths}")
    return widths


def zaslavsky(m: int, d: int) -> int:
    """Regions of m hyperplanes in general position in R^d: sum_{j<=d} C(m, j)."""
    if m < 0 or d < 0:
        raise ValueError("m and d must be non-negative")
    return sum(math.comb(m, j) for j in range(min(m, d) + 1))


def shallow_max(n0: int, n_units: int) -> int:
    """Exact maximum number of regions of a one-hidden-layer ReLU net (Zaslavsky 1975)."""
    return zaslavsky(n_units, n0)


def pascanu_lower(n0: int, widths) -> int:
    """Pascanu et al. 2013 lower bound: prod_{l<L} floor(n_l/n0) * sum_{j<=n0} C(n_L, j)."""
    widths = _check(n0, widths)
    if min(widths) < n0:
        return 1
    prod = math.prod(w // n0 for w in widths[:-1])
    return prod * zaslavsky(widths[-1], n0)


def montufar_lower(n0: int, widths) -> int:
    """Montufar et al. 2014 (Thm 4) lower bound: prod_{l<L} floor(n_l/n0)^n0 * sum_{j<=n0} C(n_L, j)."""
    widths = _check(n0, widths)
    if min(widths) < n0:
        return 1
    prod = math.prod((w // n0) ** n0 for w in widths[:-1])
    return prod * zaslavsky(widths[-1], n0)


def montufar_upper(n0: int, widths) -> int:
    """Montufar 2017 upper bound: prod_l sum_{j<=d_l} C(n_l, j), d_l = min(n0, n_1..n_l)."""
    widths = _check(n0, widths)
    out, d = 1, n0
    for w in widths:
        d = min(d, w)
        out *= zaslavsky(w, d)
    return out


def serra_upper(n0: int, widths) -> int:
    """Serra et al. 2018 Thm 1: sum over J of prod C(n_l, j_l), j_l <= min(n0, n_k - j_k (k<l), n_l).

    Computed by a dynamic program over the running cap min(n0, n_1 - j_1, ..., n_{l-1} - j_{l-1}).
    """
    widths = _check(n0, widths)

    @lru_cache(maxsize=None)
    def rest(layer: int, cap: int) -> int:
        if layer == len(widths):
            return 1
        w = widths[layer]
        return sum(math.comb(w, j) * rest(layer + 1, min(cap, w - j)) for j in range(min(cap, w) + 1))

    return rest(0, n0)


def serra_lower(n0: int, widths) -> int:
    """Serra et al. 2018 Thm 6 lower bound (needs n_l >= 3 n0): prod (floor(n_l/n0)+1)^n0 * sum C(n_L, j)."""
    widths = _check(n0, widths)
    if min(widths) < 3 * n0:
        raise ValueError("Serra et al.'s lower bound needs every width >= 3 * n0")
    prod = math.prod((w // n0 + 1) ** n0 for w in widths[:-1])
    return prod * zaslavsky(widths[-1], n0)


def serra_exact_1d(widths) -> int:
    """Serra et al. 2018 Thm 5: exact maximum for n0 = 1 and all n_l >= 3: prod (n_l + 1)."""
    widths = _check(1, widths)
    if min(widths) < 3:
        raise ValueError("the exact 1-D count needs every width >= 3")
    return math.prod(w + 1 for w in widths)


def maxout_lower(n0: int, depth: int, rank: int) -> int:
    """Montufar et al. 2014 Thm 8: L maxout layers of width n0 and rank k reach k^(L-1) * k^n0 regions."""
    if n0 < 1 or depth < 1 or rank < 1:
        raise ValueError("n0, depth and rank must be positive")
    return rank ** (depth - 1) * rank**n0


def maxout_upper(n0: int, widths, rank: int) -> int:
    """Serra et al. 2018 Thm 8: prod_l sum_{j<=d_l} C(k(k-1)/2 * n_l, j), d_l = min(n0, n_1..n_l)."""
    widths = _check(n0, widths)
    out, d = 1, n0
    for w in widths:
        d = min(d, w)
        out *= zaslavsky(rank * (rank - 1) // 2 * w, d)
    return out


def equal_widths(n_units: int, depth: int) -> tuple[int, ...]:
    """Split a hidden-unit budget into `depth` equal layers (floor), the fixed-budget comparison."""
    if depth < 1 or n_units < depth:
        raise ValueError("need 1 <= depth <= n_units")
    return (n_units // depth,) * depth
