"""Draw a partition: every region a polygon, coloured by a hash of its activation pattern."""

from __future__ import annotations

import numpy as np


def pattern_colours(patterns: np.ndarray, seed: int = 0) -> np.ndarray:
    """A stable pseudo-random RGB colour per pattern row (same pattern, same colour)."""
    P = np.ascontiguousarray(patterns, dtype=np.uint8)
    w = np.random.default_rng(seed).integers(1, 2**31 - 1, size=(max(P.shape[1], 1), 3), dtype=np.int64)
    h = (P.astype(np.int64) @ w[: P.shape[1]]) if P.shape[1] else np.zeros((len(P), 3), np.int64)
    return 0.25 + 0.7 * ((h * 2654435761) % 1000003 / 1000003.0)


def draw_partition(part, ax=None, edgecolor="k", linewidth=0.15, title: str | None = None):
    """Draw `part` on `ax` (a new figure if None) with a PolyCollection; return the figure."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.collections import PolyCollection

    if ax is None:
        fig, ax = plt.subplots(figsize=(5, 5))
    else:
        fig = ax.figure
    lw = linewidth if part.n_regions < 20000 else 0.0
    ax.add_collection(PolyCollection(part.polygons, facecolors=pattern_colours(part.patterns), edgecolors=edgecolor,
                                     linewidths=lw))
    P = part.domain.polygon
    ax.set_xlim(P[:, 0].min(), P[:, 0].max())
    ax.set_ylim(P[:, 1].min(), P[:, 1].max())
    ax.set_aspect("equal")
    if part.domain.points is not None:
        ax.plot(*part.domain.points.T, "o", color="w", mec="k", ms=5)
    ax.set_title(title if title is not None else f"{part.n_regions} activation regions")
    return fig
