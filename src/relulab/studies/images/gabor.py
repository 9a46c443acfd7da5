"""First-layer filter analysis: a fitted 2-D Gabor per filter (R^2), orientations, rotated-copy filter pairs."""

from __future__ import annotations

import itertools

import numpy as np
from scipy import ndimage, optimize

PARAMS = ("amplitude", "x0", "y0", "theta", "sigma", "gamma", "wavelength", "phase", "offset")


def gabor(p, size: int) -> np.ndarray:
    """A size x size Gabor: A exp(-(u^2 + g^2 v^2) / 2 s^2) cos(2 pi u / lam + phi) + c, u along theta."""
    a, x0, y0, th, s, g, lam, ph, c = p
    r = np.arange(size, dtype=float) - (size - 1) / 2
    y, x = np.meshgrid(r, r, indexing="ij")
    u = (x - x0) * np.cos(th) + (y - y0) * np.sin(th)
    v = -(x - x0) * np.sin(th) + (y - y0) * np.cos(th)
    return a * np.exp(-(u ** 2 + (g * v) ** 2) / (2 * s ** 2)) * np.cos(2 * np.pi * u / lam + ph) + c


def _bounds(size: int):
    h = (size - 1) / 2
    lo = [-np.inf, -h, -h, -np.inf, 0.5, 0.25, 2.0, -np.inf, -np.inf]
    hi = [np.inf, h, h, np.inf, float(size), 4.0, 4.0 * size, np.inf, np.inf]
    return lo, hi


def _r2(f: np.ndarray, fit: np.ndarray) -> float:
    ss = float(((f - f.mean()) ** 2).sum())
    return 1.0 - float(((f - fit) ** 2).sum()) / ss if ss > 0 else float("nan")


def fit_gabor(f: np.ndarray) -> tuple[np.ndarray, float]:
    """Least-squares Gabor fit of one square filter from a grid of starts; returns (params, R^2)."""
    f = np.asarray(f, dtype=np.float64)
    size = f.shape[0]
    lo, hi = _bounds(size)
    # Coarse search: shapes on a grid, amplitude and offset by linear least squares, best few refined.
    starts = []
    for th, lam, ph, s in itertools.product(np.arange(8) * np.pi / 8, (2.5, size * 0.8, size * 2.0),
                                            (0.0, np.pi / 2, np.pi, 3 * np.pi / 2), (size / 5, size / 3)):
        shape = gabor((1.0, 0.0, 0.0, th, s, 1.0, lam, ph, 0.0), size).ravel()
        design = np.stack([shape, np.ones_like(shape)], 1)
        coef, *_ = np.linalg.lstsq(design, f.ravel(), rcond=None)
        err = float(((design @ coef - f.ravel()) ** 2).sum())
        starts.append((err, (coef[0], 0.0, 0.0, th, s, 1.0, lam, ph, coef[1])))
    starts.sort(key=lambda t: t[0])
    best_p, best_r2 = None, -np.inf
    for _, p0 in starts[:3]:
        p0 = np.clip(np.array(p0, dtype=float), np.array(lo) + 1e-9, np.array(hi) - 1e-9)
        res = optimize.least_squares(lambda p: (gabor(p, size) - f).ravel(), p0, bounds=(lo, hi), max_nfev=150)
        r2 = _r2(f, gabor(res.x, size))
        if r2 > best_r2:
            best_p, best_r2 = res.x, r2
    return best_p, best_r2


def fit_all(filters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit every filter of an (n, k, k) array; returns params (n, 9) and R^2 (n,)."""
    fits = [fit_gabor(f) for f in filters]
    return np.array([p for p, _ in fits]), np.array([r for _, r in fits])


def orientation(params: np.ndarray) -> np.ndarray:
    """Orientation of the fitted Gabor's stripes in degrees in [0, 180): 0 = vertical stripes (an x-edge)."""
    return np.degrees(np.mod(params[:, 3], np.pi))


def orientation_histogram(params: np.ndarray, bins: int = 8) -> np.ndarray:
    """Counts of filter orientations in `bins` equal bins over [0, 180), centred on 0, 180/bins, ..."""
    ang = np.mod(orientation(params) + 90.0 / bins, 180.0)
    return np.histogram(ang, bins=bins, range=(0.0, 180.0))[0]


def axis_aligned_fraction(params: np.ndarray, tol: float = 22.5) -> float:
    """Fraction of filters whose orientation is within tol degrees of horizontal or vertical."""
    ang = orientation(params)
    d = np.minimum(np.abs(ang - 90.0), np.minimum(ang, 180.0 - ang))
    return float(np.mean(d <= tol))


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    a, b = a - a.mean(), b - b.mean()
    den = np.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / den) if den > 0 else 0.0


def rotated_matches(filters: np.ndarray, angles=(45.0, 90.0, 135.0)) -> tuple[np.ndarray, np.ndarray]:
    """Per filter: best |correlation| with another filter after rotating it by one of `angles`, and unrotated.

    A filter's rotated copy in the bank gives a high first value; a plain duplicate gives a high second one.
    """
    n = len(filters)
    rot = np.zeros(n)
    same = np.zeros(n)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        same[i] = max((abs(_corr(filters[i], filters[j])) for j in others), default=0.0)
        for ang in angles:
            r = ndimage.rotate(filters[i], ang, reshape=False, order=1, mode="constant")
            rot[i] = max(rot[i], max((abs(_corr(r, filters[j])) for j in others), default=0.0))
    return rot, same


def rotated_pair_fraction(filters: np.ndarray, threshold: float = 0.7) -> float:
    """Fraction of filters with a rotated copy (|corr| >= threshold after a 45/90/135 degree rotation)
    that is a better match than any unrotated filter."""
    rot, same = rotated_matches(filters)
    return float(np.mean((rot >= threshold) & (rot > same)))
