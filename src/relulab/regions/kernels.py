"""Numba kernels that split every convex polygon of a layer by that layer's unit lines (output-sensitive).

Polygons are stored ragged: x and y coordinates (Nv,) and offsets (R+1,); each polygon is convex and
counter-clockwise.  Pre-activations are affine on each input polygon: Z[r, :, j] = (a1, a2, c) gives
z_j(u) = a1*u1 + a2*u2 + c.  Signs are certified (filtered predicates): every vertex carries a radius er
(max-norm distance to the exact vertex it stands for) and every coefficient an absolute error bound E, so
    |z_float(vertex) - z_exact(exact vertex)| <= B = (|a1| + |a2|) er + E (max(|x|, |y|, 1) + er)
                                                   + gamma_4 (|a1 x| + |a2 y| + |c|)   (inflated by 1 + 16u),
where E bounds the sum of the three coefficients' errors (one number per unit and region: the next layer's
bound is then one product by |W| per region instead of three).
A sign is certified when |z| > B.  A vertex with |z| <= B is *undecided* and counted in `nunc`; the caller
recomputes the partition in exact arithmetic when nunc > 0 (engine.py).  The float pass itself (its result
stands only when nunc == 0, or as a flagged best guess) puts a vertex on a line when |z| <= tol =
min(B, rtol (|a1| + |a2| + |c|)) (coordinates normalised to [-1, 1]^2): never coarser than the old relative
tolerance, and as fine as the certified bound allows.
Every edge carries its line (coefficients and their error bounds: the cutting unit's, or the domain's), so a
new vertex, the crossing of the cutting line L and the edge's line M, gets its radius a posteriori from its
residuals on L and M and the conditioning of the 2 x 2 system (radius()): radii do not compound.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .kernels_base import _grow1, _grow2

FAST = {"contract", "reassoc", "nsz", "arcp"}  # no nnan/ninf: infinities are used as sentinels
U = 2.0**-53  # unit roundoff of float64
G4 = 4.0 * U / (1.0 - 4.0 * U)  # gamma_4: a1*x + a2*y + c in float64 (any order, fused or not)
INFL = 1.0 + 16.0 * U  # inflation of a bound computed in floating point (all its terms are non-negative)


@njit(cache=True, fastmath=FAST)
def bound(a1, a2, c, e, x, y, er):
    """Certified bound on |z_float(x, y) - z_exact(exact vertex)| for |x| <= x, |y| <= y, radius er, when the
    coefficients' error bounds e0, e1, e2 sum to at most e (e0 (x + er) + e1 (y + er) + e2 <= e (max(x, y, 1) + er))."""
    return INFL * ((abs(a1) + abs(a2)) * er + e * (max(x, y, 1.0) + er)
                   + G4 * (abs(a1) * x + abs(a2) * y + abs(c)))


@njit(cache=True, fastmath=FAST)
def radius(x, y, L, M):
    """Certified max-norm distance from (x, y) to the exact crossing of the lines L and M (a, b, c, ea, eb, ec:
    coefficients and their error bounds), a posteriori: residuals over the 2 x 2 system's conditioning."""
    rL = abs(L[0] * x + L[1] * y + L[2]) + G4 * (abs(L[0] * x) + abs(L[1] * y) + abs(L[2])) \
        + L[3] * abs(x) + L[4] * abs(y) + L[5]
    rM = abs(M[0] * x + M[1] * y + M[2]) + G4 * (abs(M[0] * x) + abs(M[1] * y) + abs(M[2])) \
        + M[3] * abs(x) + M[4] * abs(y) + M[5]
    det = abs(L[0] * M[1] - L[1] * M[0])
    ddet = (L[3] * (abs(M[1]) + M[4]) + (abs(L[0]) + L[3]) * M[4] + L[4] * (abs(M[0]) + M[3])
            + (abs(L[1]) + L[4]) * M[3] + G4 * (abs(L[0] * M[1]) + abs(L[1] * M[0])))
    if det <= INFL * ddet:
        return np.inf
    num = max(abs(M[1]) + M[4] + abs(L[1]) + L[4], abs(M[0]) + M[3] + abs(L[0]) + L[3])
    return INFL * INFL * num * (rL + rM) / (det - INFL * ddet)


@njit(cache=True, fastmath=FAST)
def _label(oe, ol, v, along, cut, cl, pe_i, pl, i):
    """Edge v's label and line (an index into the region's line table): the cutting line's when along it,
    else the input edge i's."""
    if along:
        oe[v] = cut
        ol[v] = cl
    else:
        oe[v] = pe_i
        ol[v] = pl[i]


@njit(cache=True, fastmath=FAST)
def _clip_lab(px, py, pr, pe, pl, start, m, s, sgn, tol, B, ox, oy, orr, oe, ol, o, cut, cl, lt, mx, rc):
    """_clip that also labels every output edge (vertex -> next vertex) with the line that made it: the
    input edge's label pe (and line pl: a row of the line table lt, a, b, c and their error bounds) where it
    keeps part of an input edge, `cut` (line cl) where it runs along the cutting line; vertices keep their
    radii pr -> orr, new crossings get radius(...) (mx: running maxima of |x|, |y| and radii, raised to cover
    them; rc: the crossings' radii, stored when sgn > 0 and reused when sgn < 0, where the same crossings come
    out bit for bit in the same order).  Returns (vertex count, undecided vertices: |s| <= B, the bound)."""
    cnt = 0
    unc = 0
    nc = 0
    for i in range(m):
        i2 = i + 1 if i + 1 < m else 0
        si = sgn * s[i]
        s2 = sgn * s[i2]
        if si >= -tol:
            if si <= B and B > 0:
                unc += 1
            ox[o + cnt] = px[start + i]
            oy[o + cnt] = py[start + i]
            orr[o + cnt] = pr[start + i]
            along = si <= tol and s2 < -tol
            _label(oe, ol, o + cnt, along, cut, cl, pe[start + i], pl, start + i)
            cnt += 1
        if (si > tol and s2 < -tol) or (si < -tol and s2 > tol):
            t = si / (si - s2)
            x = px[start + i] + t * (px[start + i2] - px[start + i])
            y = py[start + i] + t * (py[start + i2] - py[start + i])
            ox[o + cnt] = x
            oy[o + cnt] = y
            if sgn < 0 and nc < rc.shape[0]:
                rad = rc[nc]
            else:
                rad = radius(x, y, lt[cl], lt[pl[start + i]])
                if nc < rc.shape[0]:
                    rc[nc] = rad
            nc += 1
            orr[o + cnt] = rad
            mx[0] = max(mx[0], abs(x))
            mx[1] = max(mx[1], abs(y))
            mx[2] = max(mx[2], rad)
            _label(oe, ol, o + cnt, si > tol, cut, cl, pe[start + i], pl, start + i)
            cnt += 1
    return cnt, unc


@njit(cache=True, fastmath=FAST)
def split_slope_layer(xs, ys, ers, es, els, offs, Zb, Eb, prow, cptr, cj, ccoef, WT, slope, dmax, gb, rtol, want_G,
                      unit0):
    """Split each polygon by its n unit lines z_j = 0 (ReLU-family layer), every sign certified.

    Region r's pre-activations are factored: Z_r = Zb[prow[r]] + sum_q ccoef[q] (x) WT[cj[q]] over its
    corrections q in cptr[r]:cptr[r+1] (siblings share their parent's product Zb and differ by a rank-one
    term per active unit that split the parent); Eb[prow[r]] bounds their absolute error.  Returns the
    children (x, y, radii, offsets), each child's parent r, its packed sign bits, G[r] = Z_r * slopes of r's
    non-splitting units (splitting units inactive; the next layer multiplies G by W), GE[r] = d * (E_r +
    gr |Z_r|_1) (gr = gamma(n + nsp_r + 8) <= gb: the next product's n terms and a child's at most nsp_r
    corrections; d = dmax for splitting units, |slope| for the others: 0 for a certified-dead ReLU unit, whose
    G is exactly 0; the next layer's error bound is GE @ |W|.T + gb |b|), each child's own corrections (ptr,
    unit, coef), the children's edge labels (es[v] / oes[v]: the line that made the edge from vertex v to
    the next vertex: unit0 + j for this layer's unit j, inherited labels otherwise) and the number of
    undecided signs (module docstring).
    """
    R = offs.shape[0] - 1
    n = Zb.shape[2]
    nw = (n + 63) // 64
    oxs = np.empty(2 * xs.shape[0] + 64)
    oys = np.empty(2 * xs.shape[0] + 64)
    oers = np.empty(2 * xs.shape[0] + 64)
    oes = np.empty(2 * xs.shape[0] + 64, np.int32)
    oels = np.empty((2 * xs.shape[0] + 64, 6))
    ooffs = np.zeros(2 * R + 17, np.int64)
    opar = np.empty(2 * R + 16, np.int64)
    obits = np.zeros((2 * R + 16, nw), np.uint64)
    G = np.empty((R if want_G else 0, 3, n))
    GE = np.empty((R if want_G else 0, n))
    optr = np.zeros(2 * R + 17, np.int64)
    oj = np.empty(2 * R + 16, np.int64)
    ocoef = np.empty((2 * R + 16, 3))
    ax = np.empty(64)
    ay = np.empty(64)
    ar = np.empty(64)
    ae = np.empty(64, np.int32)
    al = np.empty(64, np.int64)  # edge lines: rows of the region's line table lt (its input edges', then cuts')
    lt = np.empty((64, 6))
    aoff = np.zeros(9, np.int64)
    boff = np.zeros(9, np.int64)
    alen = np.zeros(9, np.int64)
    blen = np.zeros(9, np.int64)
    abits = np.zeros((8, nw), np.uint64)
    bbits = np.zeros((8, nw), np.uint64)
    s = np.empty(64)
    splitters = np.empty(n, np.int64)
    vmax = np.empty(n)
    vmin = np.empty(n)
    Bv = np.empty(n)
    mx = np.empty(3)
    rc = np.empty(8)
    tv = np.empty(n)
    dv = np.empty(n)
    ddv = np.empty(n)
    Zl = np.empty((3, n))
    base = np.zeros(nw, np.uint64)
    one = np.uint64(1)
    nout = 0
    nvo = 0
    nco = 0
    nunc = 0
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
        xm = 0.0
        ym = 0.0
        em = 0.0
        for i in range(m):  # units innermost: contiguous, vectorisable
            x = xs[st + i]
            y = ys[st + i]
            xm = max(xm, abs(x))
            ym = max(ym, abs(y))
            em = max(em, ers[st + i])
            for j in range(n):
                v = Zl[0, j] * x + Zl[1, j] * y + Zl[2, j]
                vmax[j] = max(vmax[j], v)
                vmin[j] = min(vmin[j], v)
        xe = max(xm, ym, 1.0) + em
        mx[0] = xm
        mx[1] = ym
        mx[2] = em
        for j in range(n):  # branch-free, vectorisable: bound(Zl[:, j], Eb[pr, j], xm, ym, em) and tol
            a1 = abs(Zl[0, j])
            a2 = abs(Zl[1, j])
            ac = abs(Zl[2, j])
            Bv[j] = INFL * ((a1 + a2) * em + Eb[pr, j] * xe + G4 * (a1 * xm + a2 * ym + ac))
            tv[j] = min(Bv[j], rtol * (a1 + a2 + ac))
        for j in range(n):
            B = Bv[j]
            tol = tv[j]
            d = slope[j]
            dd = dmax[j]
            if vmax[j] > tol and vmin[j] < -tol:
                splitters[nsp] = j
                nsp += 1
            else:
                if vmin[j] <= B and vmax[j] >= -B and B > 0:  # B == 0: certified exact zeros
                    nunc += 1
                if vmax[j] > tol:
                    base[j >> 6] |= one << np.uint64(j & 63)
                    d = 1.0
                dd = abs(d)  # no corrections: G = Z d, exactly 0 where d == 0 (a certified-dead ReLU unit)
            dv[j] = d
            ddv[j] = dd
        if want_G:
            for k in range(3):
                for j in range(n):
                    G[r, k, j] = Zl[k, j] * dv[j]
            kr = n + nsp + 8.0
            gr = min(gb, kr * U / (1.0 - kr * U))
            for j in range(n):
                GE[r, j] = ddv[j] * (Eb[pr, j] + gr * (abs(Zl[0, j]) + abs(Zl[1, j]) + abs(Zl[2, j])))
        # pieces of polygon r: vertex runs (start, length) in an append-only store (ax, ay, ar, ae, al); a
        # splitting unit appends the two parts of each piece it cuts, a piece it does not cut keeps its run
        ax = _grow1(ax, m)
        ay = _grow1(ay, m)
        ar = _grow1(ar, m)
        ae = _grow1(ae, m)
        al = _grow1(al, m)
        lt = _grow2(lt, m + nsp)
        for i in range(m):
            for k in range(6):
                lt[i, k] = els[st + i, k]
            al[i] = i
            ax[i] = xs[st + i]
            ay[i] = ys[st + i]
            ar[i] = ers[st + i]
            ae[i] = es[st + i]
        nv = m
        aoff[0] = 0  # piece p: start aoff[p], length alen[p]
        alen[0] = m
        abits[0, :] = base
        na = 1
        for q in range(nsp):
            j = splitters[q]
            a1 = Zl[0, j]
            a2 = Zl[1, j]
            c = Zl[2, j]
            w = j >> 6
            bit = one << np.uint64(j & 63)
            cl = m + q
            for k in range(3):
                lt[cl, k] = Zl[k, j]
                lt[cl, 3 + k] = Eb[pr, j]
            # one bound for all pieces: the polygon's |x|, |y| and radii so far (its vertices and the crossings
            # of earlier splitting units) cover every piece's
            B = bound(a1, a2, c, Eb[pr, j], mx[0], mx[1], mx[2])
            tol = min(B, rtol * (abs(a1) + abs(a2) + abs(c)))
            boff = _grow1(boff, 2 * na + 1)
            blen = _grow1(blen, 2 * na + 1)
            bbits = _grow2(bbits, 2 * na)
            nb = 0
            for p in range(na):
                ps = aoff[p]
                pm = alen[p]
                s = _grow1(s, pm)
                smax = -np.inf
                smin = np.inf
                for i in range(pm):
                    v = a1 * ax[ps + i] + a2 * ay[ps + i] + c
                    s[i] = v
                    smax = max(smax, v)
                    smin = min(smin, v)
                if smax > tol and smin < -tol:
                    need = nv + 4 * pm  # each clip writes at most 2 vertices per input vertex
                    ax = _grow1(ax, need)
                    ay = _grow1(ay, need)
                    ar = _grow1(ar, need)
                    ae = _grow1(ae, need)
                    al = _grow1(al, need)
                    for sg in range(2):
                        cnt, unc = _clip_lab(ax, ay, ar, ae, al, ps, pm, s, 1.0 - 2.0 * sg, tol, B, ax, ay, ar, ae,
                                             al, nv, unit0 + j, cl, lt, mx, rc)
                        if sg == 0:
                            nunc += unc
                        boff[nb] = nv
                        blen[nb] = cnt
                        nv += cnt
                        bbits[nb, :] = abits[p, :]
                        if sg == 0:
                            bbits[nb, w] |= bit
                        else:
                            bbits[nb, w] &= ~bit
                        nb += 1
                else:
                    if smin <= B and smax >= -B and B > 0:
                        nunc += 1
                    boff[nb] = ps
                    blen[nb] = pm
                    bbits[nb, :] = abits[p, :]
                    if smax > tol:
                        bbits[nb, w] |= bit
                    else:
                        bbits[nb, w] &= ~bit
                    nb += 1
            aoff, boff = boff, aoff
            alen, blen = blen, alen
            abits, bbits = bbits, abits
            na = nb
        tot = 0
        for p in range(na):
            tot += alen[p]
        oxs = _grow1(oxs, nvo + tot)
        oys = _grow1(oys, nvo + tot)
        oers = _grow1(oers, nvo + tot)
        oes = _grow1(oes, nvo + tot)
        oels = _grow2(oels, nvo + tot)
        ooffs = _grow1(ooffs, nout + na + 1)
        optr = _grow1(optr, nout + na + 1)
        opar = _grow1(opar, nout + na)
        obits = _grow2(obits, nout + na)
        oj = _grow1(oj, nco + na * nsp)
        ocoef = _grow2(ocoef, nco + na * nsp)
        o = nvo
        for p in range(na):
            for i in range(aoff[p], aoff[p] + alen[p]):
                oxs[o] = ax[i]
                oys[o] = ay[i]
                oers[o] = ar[i]
                oes[o] = ae[i]
                for k in range(6):
                    oels[o, k] = lt[al[i], k]
                o += 1
            ooffs[nout + p + 1] = o
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
        nvo = o
        nout += na
    return (oxs[:nvo].copy(), oys[:nvo].copy(), oers[:nvo].copy(), ooffs[: nout + 1].copy(), opar[:nout].copy(),
            obits[:nout].copy(), G, GE, optr[: nout + 1].copy(), oj[:nco].copy(), ocoef[:nco].copy(),
            oes[:nvo].copy(), oels[:nvo].copy(), nunc)


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
