"""Region-count theory at a fixed unit budget and exact engine counts of the constructions (R1, R3, F10)."""

from __future__ import annotations

import math

import pandas as pd

from relulab.regions import Box, enumerate_regions
from relulab.regions import bounds as B
from relulab.regions import constructions as C

N0 = 2


def bounds_table(budgets, depths, n0: int = N0) -> pd.DataFrame:
    """Every bound for `depth` equal layers sharing `budget` hidden units; exact ints stored as floats + log10."""
    rows = []
    for n in budgets:
        for L in depths:
            if L > n:
                continue
            w = B.equal_widths(n, L)
            vals = {
                "shallow_max": B.shallow_max(n0, n),
                "pascanu_lower": B.pascanu_lower(n0, w),
                "montufar_lower": B.montufar_lower(n0, w),
                "serra_upper": B.serra_upper(n0, w),
                "montufar_upper": B.montufar_upper(n0, w),
            }
            if min(w) >= 3 * n0:
                vals["serra_lower"] = B.serra_lower(n0, w)
            for bound, v in vals.items():
                rows.append({"budget": n, "depth": L, "width": w[0], "bound": bound, "value": float(v),
                             "log10": math.log10(v), "exact": str(v)})
    return pd.DataFrame(rows)


def _count(layers, box, activation="relu", k=None) -> tuple[int, int]:
    part = enumerate_regions(layers, box, activation=activation, k=k)
    return part.n_regions, part.n_linear_regions()


def construction_table(budgets, depths, max_regions: int) -> pd.DataFrame:
    """Exact engine counts of the folding construction (equal widths), the sawtooth and the tent fold.

    Only constructions whose theoretical count is at most `max_regions` are enumerated (cost control).
    """
    rows = []
    unit = Box(0, 1, 0, 1)
    for n in budgets:
        for L in depths:
            if L > n // N0:
                continue
            w = B.equal_widths(n, L)
            theory = C.montufar_count(w)
            if theory <= max_regions:
                regions, linear = _count(C.montufar_folding(w), unit)
                rows.append({"construction": "montufar_folding", "budget": n, "depth": L, "units": sum(w),
                             "theory": theory, "n_regions": regions, "n_linear": linear})
    for L in depths:
        if C.sawtooth_count(L) <= max_regions:
            regions, linear = _count(C.sawtooth(L, n_in=2), unit)
            rows.append({"construction": "sawtooth", "budget": 2 * L, "depth": L, "units": 2 * L,
                         "theory": C.sawtooth_count(L), "n_regions": regions, "n_linear": linear})
        if C.tent_fold_count(L) <= max_regions:
            regions, linear = _count(C.tent_fold_2d(L), unit)
            rows.append({"construction": "tent_fold", "budget": 4 * L, "depth": L, "units": 4 * L,
                         "theory": C.tent_fold_count(L), "n_regions": regions, "n_linear": linear})
    df = pd.DataFrame(rows)
    df["shallow_max_same_units"] = [B.shallow_max(N0, u) for u in df["units"]]
    return df


def fixed_width_table(width: int, depths, max_regions: int) -> pd.DataFrame:
    """R1 at a fixed width per layer: exact counts of the folding construction with `depth` layers of `width`.

    Next to each: Montufar et al.'s Theorem 4 formula prod_{l<L} floor(n/2)^2 * sum_{j<=2} C(n, j) (the count the
    construction attains) and the exact maximum of a one-layer network with the same total units (Zaslavsky).
    Depths whose formula exceeds `max_regions` are skipped (cost control).
    """
    rows = []
    unit = Box(0, 1, 0, 1)
    for L in depths:
        w = (int(width),) * int(L)
        formula = B.montufar_lower(N0, w)
        if formula > max_regions:
            continue
        regions, linear = _count(C.montufar_folding(w), unit)
        rows.append({"width": int(width), "depth": int(L), "units": sum(w), "formula": formula, "n_regions": regions,
                     "n_linear": linear, "shallow_max_same_units": B.shallow_max(N0, sum(w))})
    return pd.DataFrame(rows)


def maxout_table(ranks, depths, max_regions: int) -> pd.DataFrame:
    """Maxout folding construction vs Montufar et al.'s Theorem 8 bound k^(L-1) k^n0 and Serra's upper bound."""
    rows = []
    box = Box(-1, 1, -1, 1)
    for k in ranks:
        for L in depths:
            bound = B.maxout_lower(N0, L, k)
            if bound > max_regions:
                continue
            regions, linear = _count(C.maxout_folding(L, k), box, activation="maxout", k=k)
            rows.append({"rank": k, "depth": L, "theorem8": bound, "n_regions": regions, "n_linear": linear,
                         "serra_upper": float(B.maxout_upper(N0, (N0,) * L, k))})
    return pd.DataFrame(rows)
