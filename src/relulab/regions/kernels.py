"""Numba kernels that split every convex polygon of a layer by that layer's unit lines (output-sensitive).

Polygons are stored ragged: x and y coordinates (Nv,) and offsets (R+1,); each polygon is convex and
counter-clockwise.  Pre-activations are affine on each input polygon: Z[r, :, j] = (a1, a2, c) gives
z_j(u) = a1*u1 + a2*u2 + c.  A vertex counts as *on* a line when |z| <= tol, with the relative tolerance
tol = rtol * ((|a1| + |a2|) * scale + |c|) (scale = largest |coordinate| of the domain), so duplicated,
coincident and vertex-grazing lines never create slivers; a unit splits a polygon only when some vertex
is above +tol and some below -tol.
"""

from __future__ import annotations

import numpy as np
from numba import njit

FAST = {"contract", "reassoc", "nsz", "arcp"}  # no nnan/ninf: infinities are used as sentinels


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


@njit(cache=True)
def _clip_lab(px, py, pe, start, m, s, sgn, tol, ox, oy, oe, o, cut):
    """_clip that also labels every output edge (vertex -> next vertex) with the line that made it: the
    input edge's label pe where it keeps part of an input edge, `cut` where it runs along the cutting line."""
    cnt = 0
    for i in range(m):
        i2 = i + 1 if i + 1 < m else 0
        si = sgn * s[i]
        s2 = sgn * s[i2]
        if si >= -tol:
            ox[o + cnt] = px[start + i]
            oy[o + cnt] = py[start + i]
            oe[o + cnt] = cut if (si <= tol and s2 < -tol) else pe[start + i]
            cnt += 1
        if (si > tol and s2 < -tol) or (si < -tol and s2 > tol):
            t = si / (si - s2)
            ox[o + cnt] = px[start + i] + t * (px[start + i2] - px[start + i])
            oy[o + cnt] = py[start + i] + t * (py[start + i2] - py[start + i])
            oe[o + cnt] = cut if si > tol else pe[start + i]
            cnt += 1
    return cnt


@njit(cache=True, fastmath=FAST)
def split_slope_layer(xs, ys, es, offs, Zb, prow, cptr, cj, ccoef, WT, slope, scale, rtol, want_G, unit0):
    """Split each polygon by its n unit lines z_j = 0 (ReLU-family layer).

    Region r's pre-activations are factored: Z_r = Zb[prow[r]] + sum_q ccoef[q] (x) WT[cj[q]] over its
    corrections q in cptr[r]:cptr[r+1] (siblings share their parent's product Zb and differ by a rank-one
    term per active unit that split the parent).  Returns the children (x, y, offsets), each child's
    parent r, its packed sign bits, G[r] = Z_r * slopes of r's non-splitting units (splitting units
    inactive; the next layer multiplies G by W), each child's own corrections (ptr, unit, coef), and the
    children's edge labels: es[v] (input) / oes[v] (output) names the line that made the edge from vertex v
    to the next vertex of its polygon: unit0 + j for this layer's unit j, inherited labels otherwise.
    """
    R = offs.shape[0] - 1
    n = Zb.shape[2]
    nw = (n + 63) // 64
    oxs = np.empty(2 * xs.shape[0] + 64)
    oys = np.empty(2 * xs.shape[0] + 64)
    oes = np.empty(2 * xs.shape[0] + 64, np.int32)
    ooffs = np.zeros(2 * R + 17, np.int64)
    opar = np.empty(2 * R + 16, np.int64)
    obits = np.zeros((2 * R + 16, nw), np.uint64)
    G = np.empty((R if want_G else 0, 3, n))
    optr = np.zeros(2 * R + 17, np.int64)
    oj = np.empty(2 * R + 16, np.int64)
    ocoef = np.empty((2 * R + 16, 3))
    ax = np.empty(64)
    ay = np.empty(64)
    bx = np.empty(64)
    by = np.empty(64)
    ae = np.empty(64, np.int32)
    be = np.empty(64, np.int32)
    aoff = np.zeros(9, np.int64)
    boff = np.zeros(9, np.int64)
    abits = np.zeros((8, nw), np.uint64)
    bbits = np.zeros((8, nw), np.uint64)
    s = np.empty(64)
    splitters = np.empty(n, np.int64)
    vmax = np.empty(n)
    vmin = np.empty(n)
    Zl = np.empty((3, n))
    base = np.zeros(nw, np.uint64)
    one = np.uint64(1)
    nout = 0
    nvo = 0
    nco = 0
    for r in range(R):
        st = offs[r]
        m = offs[r + 1] - st
        pr = prow[r]
        for k in range(3):
            for j in range(n):
                Zl[k, j] = Zb[pr, k, j]
        for q in range(cptr[r], cptr[r + 1]):
            w_ = cj[q]
            for k in range(3):
                f = ccoef[q, k]
                for j in range(n):
                    Zl[k, j] += f * WT[w_, j]
        base[:] = 0
        nsp = 0
        for j in range(n):
            vmax[j] = -np.inf
            vmin[j] = np.inf
        for i in range(m):  # units innermost: contiguous, vectorisable
            x = xs[st + i]
            y = ys[st + i]
            for j in range(n):
                v = Zl[0, j] * x + Zl[1, j] * y + Zl[2, j]
                vmax[j] = max(vmax[j], v)
                vmin[j] = min(vmin[j], v)
        for j in range(n):
            tol = rtol * ((abs(Zl[0, j]) + abs(Zl[1, j])) * scale + abs(Zl[2, j]))
            d = slope[j]
            if vmax[j] > tol and vmin[j] < -tol:
                splitters[nsp] = j
                nsp += 1
            elif vmax[j] > tol:
                base[j >> 6] |= one << np.uint64(j & 63)
                d = 1.0
            if want_G:
                G[r, 0, j] = Zl[0, j] * d
                G[r, 1, j] = Zl[1, j] * d
                G[r, 2, j] = Zl[2, j] * d
        # pieces of polygon r, double-buffered (a -> b) while splitting unit by unit
        ax = _grow1(ax, m)
        ay = _grow1(ay, m)
        ae = _grow1(ae, m)
        for i in range(m):
            ax[i] = xs[st + i]
            ay[i] = ys[st + i]
            ae[i] = es[st + i]
        aoff[0] = 0
        aoff[1] = m
        abits[0, :] = base
        na = 1
        for q in range(nsp):
            j = splitters[q]
            a1 = Zl[0, j]
            a2 = Zl[1, j]
            c = Zl[2, j]
            tol = rtol * ((abs(a1) + abs(a2)) * scale + abs(c))
            w = j >> 6
            bit = one << np.uint64(j & 63)
            nvmax = 2 * aoff[na] + 4 * na
            bx = _grow1(bx, nvmax)
            by = _grow1(by, nvmax)
            be = _grow1(be, nvmax)
            boff = _grow1(boff, 2 * na + 1)
            bbits = _grow2(bbits, 2 * na)
            nb = 0
            nvb = 0
            boff[0] = 0
            for p in range(na):
                ps = aoff[p]
                pm = aoff[p + 1] - ps
                s = _grow1(s, pm)
                smax = -np.inf
                smin = np.inf
                for i in range(pm):
                    v = a1 * ax[ps + i] + a2 * ay[ps + i] + c
                    s[i] = v
                    smax = max(smax, v)
                    smin = min(smin, v)
                if smax > tol and smin < -tol:
                    nvb += _clip_lab(ax, ay, ae, ps, pm, s, 1.0, tol, bx, by, be, nvb, unit0 + j)
                    boff[nb + 1] = nvb
                    bbits[nb, :] = abits[p, :]
                    bbits[nb, w] |= bit
                    nb += 1
                    nvb += _clip_lab(ax, ay, ae, ps, pm, s, -1.0, tol, bx, by, be, nvb, unit0 + j)
                    boff[nb + 1] = nvb
                    bbits[nb, :] = abits[p, :]
                    bbits[nb, w] &= ~bit
                    nb += 1
                else:
                    for i in range(pm):
                        bx[nvb + i] = ax[ps + i]
                        by[nvb + i] = ay[ps + i]
                        be[nvb + i] = ae[ps + i]
                    nvb += pm
                    boff[nb + 1] = nvb
                    bbits[nb, :] = abits[p, :]
                    if smax > tol:
                        bbits[nb, w] |= bit
                    else:
                        bbits[nb, w] &= ~bit
                    nb += 1
            ax, bx = bx, ax
            ay, by = by, ay
            ae, be = be, ae
            aoff, boff = boff, aoff
            abits, bbits = bbits, abits
            na = nb
        oxs = _grow1(oxs, nvo + aoff[na])
        oys = _grow1(oys, nvo + aoff[na])
        oes = _grow1(oes, nvo + aoff[na])
        ooffs = _grow1(ooffs, nout + na + 1)
        optr = _grow1(optr, nout + na + 1)
        opar = _grow1(opar, nout + na)
        obits = _grow2(obits, nout + na)
        oj = _grow1(oj, nco + na * nsp)
        ocoef = _grow2(ocoef, nco + na * nsp)
        for i in range(aoff[na]):
            oxs[nvo + i] = ax[i]
            oys[nvo + i] = ay[i]
            oes[nvo + i] = ae[i]
        for p in range(na):
            ooffs[nout + p + 1] = nvo + aoff[p + 1]
            opar[nout + p] = r
            obits[nout + p, :] = abits[p, :]
            for q in range(nsp):
                j = splitters[q]
                if abits[p, j >> 6] & (one << np.uint64(j & 63)):
                    oj[nco] = j
                    f = 1.0 - slope[j]
                    ocoef[nco, 0] = f * Zl[0, j]
                    ocoef[nco, 1] = f * Zl[1, j]
                    ocoef[nco, 2] = f * Zl[2, j]
                    nco += 1
            optr[nout + p + 1] = nco
        nvo += aoff[na]
        nout += na
    return (oxs[:nvo].copy(), oys[:nvo].copy(), ooffs[: nout + 1].copy(), opar[:nout].copy(), obits[:nout].copy(),
            G, optr[: nout + 1].copy(), oj[:nco].copy(), ocoef[:nco].copy(), oes[:nvo].copy())


@njit(cache=True)
def materialize(Zb, prow, cptr, cj, ccoef, WT):
    """Dense maps Z_r = Zb[prow[r]] + sum_q ccoef[q] (x) WT[cj[q]] (see split_slope_layer)."""
    R = prow.shape[0]
    n = Zb.shape[2]
    out = np.empty((R, 3, n))
    for r in range(R):
        for k in range(3):
            for j in range(n):
                out[r, k, j] = Zb[prow[r], k, j]
        for q in range(cptr[r], cptr[r + 1]):
            for k in range(3):
                f = ccoef[q, k]
                for j in range(n):
                    out[r, k, j] += f * WT[cj[q], j]
    return out
