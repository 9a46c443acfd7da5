"""Numba helpers shared by the region kernels (kernels.py, kernels_maxout.py): growable buffers and the
plain polygon clip."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def _grow1(a, need):
    if need <= a.shape[0]:
        return a
    b = np.empty(max(need, 2 * a.shape[0]), a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def _grow2(a, need):
    if need <= a.shape[0]:
        return a
    b = np.zeros((max(need, 2 * a.shape[0]), a.shape[1]), a.dtype)
    b[: a.shape[0]] = a
    return b


@njit(cache=True)
def _clip(px, py, start, m, s, sgn, tol, ox, oy, o):
    """Write the part of polygon p[start:start+m] where sgn*s >= -tol into o[...]; return its vertex count."""
    cnt = 0
    for i in range(m):
        i2 = i + 1 if i + 1 < m else 0
        si = sgn * s[i]
        s2 = sgn * s[i2]
        if si >= -tol:
            ox[o + cnt] = px[start + i]
            oy[o + cnt] = py[start + i]
            cnt += 1
        if (si > tol and s2 < -tol) or (si < -tol and s2 > tol):
            t = si / (si - s2)
            ox[o + cnt] = px[start + i] + t * (px[start + i2] - px[start + i])
            oy[o + cnt] = py[start + i] + t * (py[start + i2] - py[start + i])
            cnt += 1
    return cnt
