"""Convex 2-D domains: a box of a 2-D input space, or a polygon in a 2-D affine slice of R^d."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np


def polygon_area(P: np.ndarray) -> float:
    """Signed shoelace area (positive when counter-clockwise), about the first vertex (no cancellation far out)."""
    x, y = P[:, 0] - P[0, 0], P[:, 1] - P[0, 1]
    return 0.5 * float(np.dot(x, np.roll(y, -1)) - np.dot(np.roll(x, -1), y))


def _convex_ccw(P) -> np.ndarray:
    P = np.asarray(P, dtype=np.float64)
    if P.ndim != 2 or P.shape[1] != 2 or len(P) < 3 or not np.all(np.isfinite(P)):
        raise ValueError(f"polygon: expected (V >= 3, 2) finite vertices, got shape {P.shape}")
    if polygon_area(P) < 0:
        P = P[::-1].copy()
    e = np.roll(P, -1, axis=0) - P
    cross = e[:, 0] * np.roll(e[:, 1], -1) - e[:, 1] * np.roll(e[:, 0], -1)
    scale = np.abs(P).max() ** 2 + 1e-300
    if polygon_area(P) <= 0 or np.any(cross < -1e-12 * scale):
        raise ValueError("polygon must be convex with positive area")
    return np.ascontiguousarray(P)


@dataclass(frozen=True, eq=False)
class Slice:
    """The polygon `polygon` (V, 2) of the plane x = origin + u1*dirs[0] + u2*dirs[1] in R^d."""

    origin: np.ndarray
    dirs: np.ndarray
    polygon: np.ndarray
    points: np.ndarray | None = field(default=None, compare=False)  # marked data points, slice coords

    def __post_init__(self):
        o = np.asarray(self.origin, dtype=np.float64).ravel()
        D = np.asarray(self.dirs, dtype=np.float64)
        if D.shape != (2, o.size):
            raise ValueError(f"dirs: expected shape (2, {o.size}), got {D.shape}")
        if np.linalg.matrix_rank(D) < 2:
            raise ValueError("dirs must be two linearly independent directions")
        object.__setattr__(self, "origin", o)
        object.__setattr__(self, "dirs", D)
        object.__setattr__(self, "polygon", _convex_ccw(self.polygon))

    @classmethod
    def through_points(cls, p0, p1, p2, pad: float = 0.25) -> "Slice":
        """Plane through three points (orthonormal axes, origin at their centroid); the domain is the
        points' bounding box in plane coordinates, enlarged by `pad` times its larger side on every side."""
        P = np.asarray([p0, p1, p2], dtype=np.float64)
        origin = P.mean(axis=0)
        e1 = P[1] - P[0]
        if np.linalg.norm(e1) == 0:
            raise ValueError("through_points: p0 and p1 coincide")
        e1 = e1 / np.linalg.norm(e1)
        e2 = P[2] - P[0] - np.dot(P[2] - P[0], e1) * e1
        if np.linalg.norm(e2) <= 1e-12 * np.abs(P).max():
            raise ValueError("through_points: the three points are collinear")
        e2 = e2 / np.linalg.norm(e2)
        dirs = np.stack([e1, e2])
        U = (P - origin) @ dirs.T
        lo, hi = U.min(axis=0), U.max(axis=0)
        m = pad * float((hi - lo).max())
        box = np.array([[lo[0] - m, lo[1] - m], [hi[0] + m, lo[1] - m], [hi[0] + m, hi[1] + m], [lo[0] - m, hi[1] + m]])
        return cls(origin, dirs, box, points=U)

    @property
    def dim(self) -> int:
        return self.origin.size

    @property
    def area(self) -> float:
        return polygon_area(self.polygon)

    def to_input(self, U: np.ndarray) -> np.ndarray:
        """Slice coordinates (N, 2) -> input-space points (N, d)."""
        return self.origin + np.asarray(U, dtype=np.float64) @ self.dirs

    def contains(self, U: np.ndarray, margin: float = 0.0) -> np.ndarray:
        """Which points (N, 2) lie inside the polygon (by at least `margin`)."""
        P = self.polygon
        e = np.roll(P, -1, axis=0) - P
        n = np.stack([e[:, 1], -e[:, 0]], axis=1) / np.linalg.norm(e, axis=1)[:, None]  # outward normals
        d = np.einsum("nvk,vk->nv", np.asarray(U, dtype=np.float64)[:, None, :] - P[None], n)
        return np.all(d <= -margin, axis=1)


def Box(xmin: float, xmax: float, ymin: float, ymax: float) -> Slice:
    """The rectangle [xmin, xmax] x [ymin, ymax] of a 2-D input space."""
    if not (np.isfinite([xmin, xmax, ymin, ymax]).all() and xmin < xmax and ymin < ymax):
        raise ValueError(f"box: need finite xmin < xmax and ymin < ymax, got {xmin, xmax, ymin, ymax}")
    P = np.array([[xmin, ymin], [xmax, ymin], [xmax, ymax], [xmin, ymax]], dtype=np.float64)
    return Slice(np.zeros(2), np.eye(2), P)
