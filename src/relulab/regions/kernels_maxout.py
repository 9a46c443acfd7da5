"""Numba kernels for maxout layers: split each convex polygon into the argmax cells of every maxout unit
(same ragged polygon layout and relative tolerance as kernels.py)."""

from __future__ import annotations

import numpy as np
from numba import njit

from .kernels_base import _clip, _grow1, _grow2


@njit(cache=True)
def _maxout_dominant(Z, r, j, k, px, py, start, m, scale, rtol):
    """Index of the piece that is >= every other piece on the whole polygon (lowest on ties), or -1."""
    for i in range(k):
        ok = True
        for mm in range(k):
            if mm == i:
                continue
            a1 = Z[r, 0, i, j] - Z[r, 0, mm, j]
            a2 = Z[r, 1, i, j] - Z[r, 1, mm, j]
            c = Z[r, 2, i, j] - Z[r, 2, mm, j]
            tol = rtol * ((abs(Z[r, 0, i, j]) + abs(Z[r, 0, mm, j]) + abs(Z[r, 1, i, j]) + abs(Z[r, 1, mm, j]))
                          * scale + abs(Z[r, 2, i, j]) + abs(Z[r, 2, mm, j]))
            smax = -np.inf
            smin = np.inf
            for q in range(m):
                v = a1 * px[start + q] + a2 * py[start + q] + c
                smax = max(smax, v)
                smin = min(smin, v)
            if smin < -tol or (smax <= tol and mm < i):
                ok = False
                break
        if ok:
            return i
    return -1


@njit(cache=True)
def split_maxout_layer(xs, ys, offs, Z, scale, rtol):
    """Split each polygon into the argmax cells of every maxout unit; Z has shape (R, 3, k, n)."""
    R = offs.shape[0] - 1
    k = Z.shape[2]
    n = Z.shape[3]
    oxs = np.empty(2 * xs.shape[0] + 64)
    oys = np.empty(2 * xs.shape[0] + 64)
    ooffs = np.zeros(2 * R + 17, np.int64)
    opar = np.empty(2 * R + 16, np.int64)
    och = np.zeros((2 * R + 16, n), np.uint8)
    ax = np.empty(64)
    ay = np.empty(64)
    bx = np.empty(64)
    by = np.empty(64)
    cx = np.empty(64)
    cy = np.empty(64)
    dx = np.empty(64)
    dy = np.empty(64)
    aoff = np.zeros(9, np.int64)
    boff = np.zeros(9, np.int64)
    ach = np.zeros((8, n), np.uint8)
    bch = np.zeros((8, n), np.uint8)
    s = np.empty(64)
    nout = 0
    nvo = 0
    for r in range(R):
        st = offs[r]
        m = offs[r + 1] - st
        ax = _grow1(ax, m)
        ay = _grow1(ay, m)
        for i in range(m):
            ax[i] = xs[st + i]
            ay[i] = ys[st + i]
        aoff[0] = 0
        aoff[1] = m
        na = 1
        for j in range(n):
            dom = _maxout_dominant(Z, r, j, k, xs, ys, st, m, scale, rtol)
            if dom >= 0:
                for p in range(na):
                    ach[p, j] = dom
                continue
            nvmax = k * (aoff[na] + (k + 2) * na)
            bx = _grow1(bx, nvmax)
            by = _grow1(by, nvmax)
            boff = _grow1(boff, k * na + 1)
            bch = _grow2(bch, k * na)
            nb = 0
            nvb = 0
            boff[0] = 0
            for p in range(na):
                ps = aoff[p]
                pm = aoff[p + 1] - ps
                for i in range(k):
                    cap = pm + 2 * k + 4
                    cx = _grow1(cx, cap)
                    cy = _grow1(cy, cap)
                    dx = _grow1(dx, cap)
                    dy = _grow1(dy, cap)
                    s = _grow1(s, cap)
                    cm = pm
                    for q in range(pm):
                        cx[q] = ax[ps + q]
                        cy[q] = ay[ps + q]
                    for mm in range(k):
                        if mm == i or cm == 0:
                            continue
                        a1 = Z[r, 0, i, j] - Z[r, 0, mm, j]
                        a2 = Z[r, 1, i, j] - Z[r, 1, mm, j]
                        c = Z[r, 2, i, j] - Z[r, 2, mm, j]
                        tol = rtol * ((abs(Z[r, 0, i, j]) + abs(Z[r, 0, mm, j]) + abs(Z[r, 1, i, j])
                                       + abs(Z[r, 1, mm, j])) * scale + abs(Z[r, 2, i, j]) + abs(Z[r, 2, mm, j]))
                        smax = -np.inf
                        smin = np.inf
                        for q in range(cm):
                            v = a1 * cx[q] + a2 * cy[q] + c
                            s[q] = v
                            smax = max(smax, v)
                            smin = min(smin, v)
                        if smax <= tol and smin >= -tol:
                            if mm < i:
                                cm = 0
                        elif smin >= -tol:
                            pass
                        elif smax <= tol:
                            cm = 0
                        else:
                            cm = _clip(cx, cy, 0, cm, s, 1.0, tol, dx, dy, 0)
                            cx, dx = dx, cx
                            cy, dy = dy, cy
                    if cm > 0:
                        for q in range(cm):
                            bx[nvb + q] = cx[q]
                            by[nvb + q] = cy[q]
                        nvb += cm
                        boff[nb + 1] = nvb
                        bch[nb, :] = ach[p, :]
                        bch[nb, j] = i
                        nb += 1
            ax, bx = bx, ax
            ay, by = by, ay
            aoff, boff = boff, aoff
            ach, bch = bch, ach
            na = nb
        oxs = _grow1(oxs, nvo + aoff[na])
        oys = _grow1(oys, nvo + aoff[na])
        ooffs = _grow1(ooffs, nout + na + 1)
        opar = _grow1(opar, nout + na)
        och = _grow2(och, nout + na)
        for i in range(aoff[na]):
            oxs[nvo + i] = ax[i]
            oys[nvo + i] = ay[i]
        for p in range(na):
            ooffs[nout + p + 1] = nvo + aoff[p + 1]
            opar[nout + p] = r
            och[nout + p, :] = ach[p, :]
        nvo += aoff[na]
        nout += na
    return oxs[:nvo].copy(), oys[:nvo].copy(), ooffs[: nout + 1].copy(), opar[:nout].copy(), och[:nout].copy()
