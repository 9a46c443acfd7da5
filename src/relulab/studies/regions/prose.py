"""Result sentences of the regions chapter, generated from the claim statistics and tables (typed prose).

Every sentence that states a result is built here from numbers, and every word that depends on the data
(higher/lower, equal/differs, inside/outside an interval) is chosen from them; the chapter quotes them as
`{{< var regions.s_<name> >}}`.
"""

from __future__ import annotations

import math

import pandas as pd

NA = "not available in this build"


def num(x) -> str:
    """Three significant digits, or a plain 'n/a'."""
    return f"{float(x):.3g}" if x is not None and math.isfinite(float(x)) else "n/a"


def ci(r: dict) -> str:
    """'[lo, hi]' of a statistic row."""
    return f"[{num(r['ci_low'])}, {num(r['ci_high'])}]"


def versus(r: dict, ref: float, above: str, below: str) -> str:
    """Where a statistic's interval lies relative to `ref`: above, below, or not distinguishable from it."""
    lo, hi = float(r["ci_low"]), float(r["ci_high"])
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return f"not decidable against {num(ref)} (no interval)"
    if lo > ref:
        return above
    if hi < ref:
        return below
    return f"not distinguishable from {num(ref)} (the interval contains it)"


def _rows(rows) -> dict:
    return {(r["claim_id"], r["statistic"]): r for r in rows}


def _fixed_width(R: dict, fixed: pd.DataFrame) -> str:
    if fixed is None or not len(fixed):
        return NA
    f = fixed.sort_values("depth")
    g, last, sh = R["R1", "construction_growth_per_layer"], R["R1", "construction_last_step_growth"], \
        R["R1", "shallow_last_step_growth"]
    match = "equal to" if (f["n_linear"] == f["formula"]).all() else "different from"
    line = ("exactly linear in depth (zero-width interval)" if g["ci_high"] - g["ci_low"] <= 1e-9 * g["value"]
            else f"not exactly linear in depth (interval {ci(g)})")
    faster = "faster" if last["value"] > sh["value"] else "not faster"
    return (f"At width {int(f['width'].iloc[0])} per layer the construction's exact linear regions go from "
            f"{int(f['n_linear'].iloc[0])} at depth {int(f['depth'].iloc[0])} to {int(f['n_linear'].iloc[-1])} at "
            f"depth {int(f['depth'].iloc[-1])}, {match} Theorem 4's formula at every depth counted; ln(regions) is "
            f"{line}, a factor {num(g['value'])} per layer. Over the last step the construction grows by a factor "
            f"{num(last['value'])} per layer and the one-layer maximum with the same units by {num(sh['value'])} "
            f"({faster} for the construction); at the deepest depth the construction has "
            f"{num(R['R1', 'fixed_width_over_shallow']['value'])} times the one-layer maximum.")


def _budget(R: dict, cons: pd.DataFrame) -> str:
    m = cons[cons["construction"] == "montufar_folding"]
    t = cons[cons["construction"] == "tent_fold"]
    bad_m, bad_t = int((m["n_regions"] != m["theory"]).sum()), int((t["n_linear"] != t["theory"]).sum())
    mt = "attain the Theorem 4 bound exactly in every case counted" if not bad_m else \
        f"differ from the Theorem 4 bound in {bad_m} of {len(m)} cases"
    tt = "equal 4^L at every depth counted" if not bad_t else f"differ from 4^L in {bad_t} of {len(t)} cases"
    return (f"At a fixed budget the construction's exact counts {mt}; its best depth has "
            f"{num(R['R1', 'construction_over_shallow']['value'])} times as many linear regions as the best one-layer "
            f"network with the same units. The tent fold's exact counts {tt} (fitted factor "
            f"{num(R['F10', 'tent_fold_growth_per_layer']['value'])} per layer).")


def _typical(R: dict, fit: dict) -> str:
    d, rnd, tr = R["F10", "random_depth_factor"], R["R1", "typical_growth_per_layer"], R["R1", "trained_growth_per_layer"]
    fw = R["R1", "random_fixed_width_growth"]
    return (f"The fit over random networks gives a neuron exponent of {num(fit['neuron_exponent'])} and a factor "
            f"{num(d['value'])} {ci(d)} per extra layer at a fixed number of neurons (interval over {d['n_seeds']} "
            f"seeds), {versus(d, 1.0, 'above 1', 'below 1')}. At a fixed width per layer, as in the construction, "
            f"random networks gain a factor {num(fw['value'])} {ci(fw)} per layer ({fw['n_seeds']} (seed, width) "
            f"pairs; {versus(fw, 2.0, 'above 2', 'below 2')}), where a power law in the neuron count with the "
            f"fitted exponent alone gives {num(fit.get('power_law_fixed_width_factor', math.nan))} over the same "
            f"depths. At a fixed unit budget, fitted across all depths, each "
            f"extra layer multiplies the regions of random networks by {num(rnd['value'])} {ci(rnd)} ({rnd['n_seeds']} "
            f"seeds; {versus(rnd, 2.0, 'above 2', 'below 2')}) and of the trained surfaces networks by "
            f"{num(tr['value'])} {ci(tr)} ({tr['n_seeds']} (task, seed) pairs; {versus(tr, 2.0, 'above 2', 'below 2')}).")


def _trained(R: dict) -> str:
    loss, df, ne = R["R5", "deep_over_shallow_train_loss"], R["R5", "trained_depth_factor"], \
        R["R5", "trained_neuron_exponent"]
    ti, dg = R["R5", "trained_over_init"], R["R5", "digits_trained_over_init"]
    return (f"The deepest surfaces networks end with {num(loss['value'])} {ci(loss)} times the train loss of the "
            f"one-layer ones. On the trained approximation sweep the same fit gives a neuron exponent of "
            f"{num(ne['value'])} {ci(ne)} and a factor {num(df['value'])} {ci(df)} per extra layer at a fixed number "
            f"of neurons ({versus(df, 2.0, 'above 2', 'below 2')}). After training the deepest architecture has "
            f"{num(ti['value'])} {ci(ti)} times its regions at initialisation "
            f"({versus(ti, 1.0, 'above 1', 'below 1')}); in planes through three digit images a trained MLP has "
            f"{num(dg['value'])} {ci(dg)} times its regions at initialisation "
            f"({versus(dg, 1.0, 'above 1', 'below 1')}).")


def _equal_params(R: dict) -> str:
    e, s = R["R5", "deep_over_shallow_nmse"], R["R5", "deep_over_shallow_slope_error"]
    ds, tv = R["R5", "deep_slope_error"], R["R5", "deep_tv_ratio"]
    return (f"At equal parameter count the deepest nets of the sweep have {num(e['value'])} {ci(e)} times the test "
            f"error of the one-layer nets ({versus(e, 1.0, 'higher', 'lower')}) and {num(s['value'])} {ci(s)} times "
            f"their slope error ({versus(s, 1.0, 'higher', 'lower')}); the largest deep nets have a relative slope "
            f"error of {num(ds['value'])} {ci(ds)} and a gradient total variation {num(tv['value'])} {ci(tv)} times "
            f"the target's.")


def sentences(rows, cons: pd.DataFrame, fixed: pd.DataFrame | None, fit: dict) -> dict[str, str]:
    """The chapter's result sentences, keyed s_<name>."""
    R = _rows(rows)
    return {"s_fixed_width": _fixed_width(R, fixed), "s_budget": _budget(R, cons), "s_typical": _typical(R, fit),
            "s_trained": _trained(R), "s_equal_params": _equal_params(R)}
