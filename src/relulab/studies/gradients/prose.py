"""Typed prose: the report's result sentences of the gradients family, each generated from the claim statistics,
so the wording (faster/slower, shrinks/grows, revived or not) follows the data. The evidence rule writes them into
values.json as `text_<topic>`; report/families/gradients.qmd quotes them with `{{< var gradients.text_... >}}`."""

from __future__ import annotations

import math


def num(x: float) -> str:
    """Three significant digits; '—' when not finite."""
    if x is None or not math.isfinite(x):
        return "—"
    return f"{x:.3g}"


def ci(r: dict) -> str:
    """'0.23 [95% CI 0.21, 0.25; 3 seeds]' for a statistic over seeds, the value alone for an exact or
    deterministic one."""
    if r["n_seeds"] <= 1 or str(r.get("note", "")).startswith(("exact", "deterministic")):
        return num(r["value"])
    return f"{num(r['value'])} [95% CI {num(r['ci_low'])}, {num(r['ci_high'])}; {r['n_seeds']} seeds]"


def _side(r: dict, above: str, below: str, unclear: str, at: float = 1.0) -> str:
    """`above` when the whole interval lies above `at`, `below` when below, else `unclear`."""
    if r["ci_low"] > at:
        return above
    if r["ci_high"] < at:
        return below
    return unclear


def _a3(s: dict) -> str:
    out = []
    if ("A3", "sigmoid_grad_decay_factor") in s:
        r = s["A3", "sigmoid_grad_decay_factor"]
        verb = _side(r, "grows by a factor", "shrinks by a factor", "changes by a factor indistinguishable from 1,")
        out.append(f"At initialization the back-propagated gradient of the sigmoid networks {verb} q = {ci(r)} per "
                   "layer towards the input")
    if ("A3", "relu_he_grad_decay_factor") in s:
        out.append(f"that of ReLU networks with He init by q = {ci(s['A3', 'relu_he_grad_decay_factor'])}")
    text = "; ".join(out) + "." if out else ""
    deep = [s.get(("A3", k)) for k in ("deep_relu_xavier_train_acc", "deep_relu_he_train_acc",
                                       "deep_sigmoid_train_acc")]
    if all(deep):
        text += (f" After training, the deep ReLU network reaches a training accuracy of {ci(deep[0])} from Xavier "
                 f"init and {ci(deep[1])} from He init; the sigmoid network of the same depth {ci(deep[2])} "
                 "(chance 0.1).")
    return text


def _r6(s: dict) -> str:
    parts = []
    g, r = s.get(("R6", "training_preservation_gap")), s.get(("R6", "relu_vs_sigmoid_training_gap"))
    if g:
        how = _side(g, "every ReLU-family unit kept the gradient closer to intact than every sigmoidal unit",
                    "some sigmoidal unit kept the gradient closer to intact than every ReLU-family unit",
                    "neither group is resolved as better", at=0.0)
        parts.append(f"During training, with each activation's own variance-preserving init and tuned rate, {how} "
                     f"(gap {ci(g)} decades).")
    if r:
        how = _side(r, "further from intact than ReLU's", "closer to intact than ReLU's", "not resolved from ReLU's",
                    at=0.0)
        parts.append(f"The sigmoid's first/last-layer gradient ratio is {how} by {ci(r)} decades.")
    sats = [f"{k[1].removesuffix('_training_saturation')} {num(v['value'])}" for k, v in s.items()
            if k[0] == "R6" and k[1].endswith("_training_saturation")]
    if sats:
        parts.append("Saturated fraction during training: " + ", ".join(sats) + ".")
    u = s.get(("R6", "untrained_arms"))
    if u and u["value"] > 0:
        parts.append(f"{int(u['value'])} activations did not train "
                     f"({u['note'].split('did not train: ')[-1].split(';')[0]}), so the comparison is not testable.")
    return " ".join(parts)


def _f6_intervention(s: dict) -> str:
    sp, st = s.get(("F6", "intervention_speedup")), s.get(("F6", "standard_top_peak_saturation"))
    red = s.get(("F6", "saturation_reduction"))
    if not (sp and st and red):
        return ""
    how = _side(sp, "learns faster", "learns more slowly", "is not resolved from the standard one")
    return (f"In the scaled Glorot & Bengio replication the top hidden layer with the standard init peaks at a "
            f"saturated fraction of {ci(st)}; the normalized init lowers that peak by {ci(red)}, and the network "
            f"with the normalized init {how} (speed-up {ci(sp)}). ")


def _f6(s: dict) -> str:
    peak = s.get(("F6", "sigmoid_top_layer_peak_saturation"))
    if not peak:
        return _f6_intervention(s)
    text = _f6_intervention(s) + (f"In the tracked runs the largest saturated fraction of the sigmoid's top hidden layer is {ci(peak)}"
            + (": the top layer did not saturate." if peak["ci_high"] < 0.02 else "."))
    longs = sorted(k[1] for k in s if k[0] == "F6" and k[1].startswith("long_peak_saturation_"))
    for k in longs:
        tag = k.removeprefix("long_peak_saturation_")
        r, acc = s["F6", k], s.get(("F6", f"long_final_train_acc_{tag}"))
        when = s.get(("F6", f"long_acc_when_saturated_{tag}"))
        text += (f" In the long run at {tag.replace('lr', 'learning rate ').replace('p', '.')} it peaks at "
                 f"{num(r['value'])}" + (f", with final training accuracy {num(acc['value'])}" if acc else ""))
        text += (f"; where half the top layer saturated, the training accuracy was {num(when['value'])} at that "
                 f"moment ({when['n_seeds']} seeds)." if when else "; half the top layer never saturated.")
    return text


def _a4_f8(s: dict) -> str:
    parts = []
    if ("A4", "max_dead_fraction") in s:
        r = s["A4", "max_dead_fraction"]
        cell = r["note"].split("the most: ")[-1] if "the most: " in r["note"] else "the chosen cell"
        parts.append(f"In the cell with the most dead units on the tuning seeds ({cell}), {ci(r)} of the hidden "
                     "units are dead at the end of training on the evaluation seeds.")
    if ("F8", "spike_killed_fraction") in s and ("F8", "killed_never_revived") in s:
        k, n = s["F8", "spike_killed_fraction"], s["F8", "killed_never_revived"]
        parts.append(f"One large update kills {ci(k)} of the live units (dead on the whole training set); of those, "
                     f"{ci(n)} are still dead at the end.")
    if ("F8", "dead_for_good") in s:
        parts.append(f"Per seed, {ci(s['F8', 'dead_for_good'])} killed units received an exactly zero gradient at "
                     "every later step and stayed dead: dead for good.")
    layers = sorted(k[1] for k in s if k[0] == "F8" and k[1].endswith("_dead_for_good_share"))
    shares = [f"layer {k.removeprefix('layer').split('_')[0]}: {num(s['F8', k]['value'])}" for k in layers]
    if shares:
        parts.append("Share of the killed units dead for good, per hidden layer: " + "; ".join(shares) + ".")
    if ("F8", "first_layer_not_for_good") in s:
        f = s["F8", "first_layer_not_for_good"]["value"]
        parts.append("Every killed first-layer unit stayed dead for good, as the theory requires." if f == 0 else
                     f"{num(f)} killed first-layer units did not stay dead for good, against the theory: a bug to find.")
    return " ".join(parts)


def _born(s: dict) -> str:
    cov, err = s.get(("A4", "born_dead_theory_coverage")), s.get(("A4", "born_dead_max_abs_error"))
    if not (cov and err):
        return ""
    return (f"The closed form lies inside the Monte Carlo's 95% interval in {num(100 * cov['value'])}% of the "
            f"zero-bias cells (about 95% expected), and the largest gap is {num(err['value'])}.")


def _speed(s: dict) -> str:
    parts = []
    for other in ("tanh", "sigmoid"):
        r = s.get(("F7", f"{other}_relu_steps_ratio"))
        if r:
            how = _side(r, "more steps than ReLU (ReLU faster)", "fewer steps than ReLU (ReLU slower)",
                        "about as many steps as ReLU (the interval includes 1)")
            parts.append(f"{other} needs {ci(r)} times as many steps as ReLU: {how}.")
    r = s.get(("F5", "bounded_lr_headroom"))
    if r:
        how = _side(r, "the bounded ones tolerate larger rates", "the unbounded ones tolerate larger rates",
                    "no difference is resolved", at=0.0)
        parts.append(f"The largest stable learning rate differs by {ci(r)} powers of two (bounded minus unbounded): "
                     f"{how}.")
    e = s.get(("F7", "arms_lr_at_grid_edge"))
    if e and e["value"] > 0:
        parts.append(f"{int(e['value'])} of the compared activations had their tuned rate at an edge of the grid, "
                     "so a better rate may lie outside it.")
    return " ".join(parts)


def _centering(s: dict) -> str:
    parts = []
    for stat, what, base in (("centered_speedup", "sigmoid - 1/2", "the sigmoid"), ("tanh_speedup", "tanh", "the sigmoid"),
                             ("bn_speedup", "the sigmoid with batch norm", "the sigmoid"),
                             ("relu_bn_speedup", "ReLU with batch norm", "ReLU"), ("relu_centred_speedup", "ELU", "ReLU")):
        r = s.get(("A5", stat))
        if r:
            how = _side(r, "reaches the target faster than", "reaches the target more slowly than",
                        "is not resolved from")
            parts.append(f"{what} {how} {base} (speed-up {ci(r)})")
    text = "; ".join(parts) + "." if parts else ""
    e, u = s.get(("A5", "arms_lr_at_grid_edge")), s.get(("A5", "untrained_arms"))
    if e and e["value"] > 0:
        text += f" {int(e['value'])} arms had their tuned rate at an edge of the grid."
    if u and u["value"] > 0:
        text += f" {int(u['value'])} arms did not train ({u['note'].split('did not train: ')[-1].split(';')[0]})."
    return text


def _small(s: dict) -> str:
    d, c = s.get(("F2", "relu_minus_staircase_acc")), s.get(("F2", "staircase_first_layer_change"))
    if not (d and c):
        return ""
    moved = ("its first-layer weights never moved" if c["value"] == 0
             else f"its first-layer weights moved by up to {num(c['value'])}")
    head = _side(d, f"In final test accuracy ReLU ends {ci(d)} above the staircase",
                 f"In final test accuracy ReLU ends {ci(d)} below the staircase",
                 f"The final test accuracies of ReLU and the staircase are not resolved (difference {ci(d)})", at=0.0)
    return f"{head}; {moved}."


def texts(rows: list[dict]) -> dict[str, str]:
    """The family's generated sentences by topic, keyed `text_<topic>`."""
    s = {(r["claim_id"], r["statistic"]): r for r in rows}
    return {f"text_{k}": f(s) or "(no result: the statistics were not computed)" for k, f in (
        ("gradient_flow", _a3), ("flow_training", _r6), ("saturation", _f6), ("dead_units", _a4_f8), ("born_dead", _born),
        ("speed", _speed), ("centering", _centering), ("small_nets", _small))}
