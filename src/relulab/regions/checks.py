"""Self-checks of an exact partition: areas, distinct patterns, corner count identity, grid sampling.

Corner identity: in a subdivision of a convex polygon with V_dom corners into R convex regions whose
vertices are crossings of two boundaries (degree 4) or T-junctions (degree 3, one straight angle) --
the generic case for ReLU-family networks, since a later layer's bent line only bends or stops on an
earlier boundary that runs straight through -- Euler's formula and the angle sums give exactly
    mean corners per region = 4 + (V_dom - 4) / R,
i.e. exactly 4 on a box.  Degenerate vertices (three or more lines through a point, a line through a
domain corner) only lower it; Y-junctions without a straight angle (maxout cells) can raise it.
"""

from __future__ import annotations

import numpy as np

from .linear import locate, pattern_keys

CORNER_RTOL = 1e-9


def corner_counts(part) -> np.ndarray:
    """Corners per region: vertices where the boundary actually turns (collinear or repeated points excluded)."""
    xy, nx = part.xy, part.next_vertex
    prev = np.empty_like(nx)
    prev[nx] = np.arange(len(nx))
    e_in, e_out = xy - xy[prev], xy[nx] - xy
    cross = e_in[:, 0] * e_out[:, 1] - e_in[:, 1] * e_out[:, 0]
    size = np.hypot(*e_in.T) * np.hypot(*e_out.T)
    turns = cross > CORNER_RTOL * size
    return np.add.reduceat(turns.astype(np.int64), part.offsets[:-1])


def grid_points(domain, grid: int) -> np.ndarray:
    """A grid x grid lattice over the domain's bounding box, kept where strictly inside the polygon."""
    P = domain.polygon
    lo, hi = P.min(axis=0), P.max(axis=0)
    g = np.stack(np.meshgrid(np.linspace(lo[0], hi[0], grid), np.linspace(lo[1], hi[1], grid)), -1).reshape(-1, 2)
    return g[domain.contains(g, margin=1e-12 * float(np.abs(P).max()))]


def self_check(part, grid: int = 101) -> dict:
    """Dict of checks: area sum vs domain area, distinct patterns, mean corners vs 4 + (V_dom - 4)/R,
    and whether every pattern met on a grid is one of the exact regions' patterns."""
    R = part.n_regions
    area = part.domain.area
    areas = part.areas
    distinct = len(np.unique(pattern_keys(part.patterns)))
    corners = corner_counts(part)
    bound = 4.0 + (len(part.domain.polygon) - 4) / R
    G = grid_points(part.domain, grid)
    found = locate(part, G)
    return {
        "n_regions": R,
        "domain_area": area,
        "area_sum": float(areas.sum()),
        "area_rel_error": float(abs(areas.sum() - area) / area),
        "min_area": float(areas.min()),
        "areas_ok": bool(abs(areas.sum() - area) <= 1e-9 * area and areas.min() > 0),
        "distinct_patterns": int(distinct),
        "patterns_ok": bool(distinct == R),
        "mean_corners": float(corners.mean()),
        "corner_identity": bound,
        "corners_generic": bool(abs(corners.mean() - bound) <= 1e-9),
        "grid_points": int(len(G)),
        "grid_patterns": int(len(np.unique(found))),
        "grid_unmatched": int((found < 0).sum()),
        "grid_ok": bool((found >= 0).all()),
        "ok": bool(abs(areas.sum() - area) <= 1e-9 * area and distinct == R and (found >= 0).all()),
    }


def linear_labels_probing(part, rtol: float = 1e-7) -> np.ndarray:
    """Reference merge (the engine's original): adjacency found by probing across every edge only."""
    from .linear import linear_labels, probe_pairs

    return linear_labels(part, rtol, pairs=probe_pairs(part))
