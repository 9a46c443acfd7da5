"""F7 replication of Krizhevsky et al. 2012 (Fig. 1): SGD with momentum, steps to a training error, CNN depth sweep.

Every (activation, depth) arm trains a stack of CNNs (d conv-activation-maxpool blocks, then a linear
classifier). The learning rate of each arm is chosen on tuning seeds (fewest median steps to the target running
training error, censored at the budget) and the steps are then counted on the evaluation seeds at that rate
only. All rates and seeds of one arm train in one stacked call with a per-network learning rate; training stops
as soon as every network of the stack has reached the target (or at the budget).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from relulab.core import data
from relulab.core.evidence import claim_row
from relulab.core.stats import Interval, grid_edge, ratio_of_medians_ci
from relulab.studies.images import cnn, seedstats

EVIDENCE = "tbl-images-f7-speed"
RATIO_CI = "ratio of medians over evaluation seeds, 95% log-scale Price-Bonett interval of the two arms"


POOL_BLOCKS = 2  # max pooling after the first two blocks only, so deep nets keep a 7x7 map (28x28 images)


def spec(cfg: dict, in_shape, activation: str, depth: int) -> cnn.NetSpec:
    """d conv blocks of f7_channels channels (3x3; 2x2 max pooling after the first two), then a linear
    classifier: no hidden dense layer, and the classifier sees the same map size at every depth >= 2."""
    return cnn.NetSpec(in_shape=tuple(in_shape), channels=(cfg["f7_channels"],) * depth, kernels=(3,) * depth,
                       head=(), activation=activation, pool_blocks=POOL_BLOCKS)


def initialize(stack: cnn.Stack) -> None:
    """He (Kaiming normal, fan-in) weights for ReLU, Glorot (Xavier) normal for tanh and sigmoid; zero biases.

    Each network draws from its own seed, so tuning rates that share a seed share the initial weights."""
    relu = stack.spec.activation == "relu"
    for i, s in enumerate(stack.seeds):
        g = torch.Generator().manual_seed(int(s))
        for k, v in stack.params.items():
            w = v[i]
            if k.endswith("bias"):
                w.zero_()
                continue
            fan_in = w[0].numel()
            fan_out = w.shape[0] * (w[0].numel() // w.shape[1])
            std = np.sqrt(2.0 / fan_in) if relu else np.sqrt(2.0 / (fan_in + fan_out))
            w.copy_(torch.randn(w.shape, generator=g) * std)


def sgd_momentum_step(params: dict, grads: dict, bufs: dict, lr: torch.Tensor, momentum: float) -> None:
    """torch.optim.SGD's update (dampening 0, no Nesterov) with one learning rate per network (leading dim)."""
    for k, p in params.items():
        b = bufs.get(k)
        bufs[k] = grads[k].clone() if b is None else b.mul_(momentum).add_(grads[k])
        p.sub_(lr.reshape(-1, *[1] * (p.dim() - 1)) * bufs[k])


def train_to_target(stack: cnn.Stack, lr: np.ndarray, x: torch.Tensor, y: torch.Tensor, cfg: dict,
                    groups=None, log=None) -> pd.DataFrame:
    """SGD with momentum until each network's running training error (mean over the last f7_log_every
    mini-batches) is at or below each of f7_targets; rows (net, steps_<target>, reached_<target>, final_error).

    A network leaves the stack once it has reached the hardest target. With `groups` (one label per network:
    the rate of a tuning run) a group also leaves once it cannot beat the best finished group's median steps
    (see `hopeless`); its unreached targets are censored at that step, a lower bound like the budget."""
    S, N, bs, every = len(stack), len(x), cfg["f7_batch_size"], cfg["f7_log_every"]
    targets = sorted(cfg["f7_targets"], reverse=True)
    gens = [torch.Generator().manual_seed(10_000 + int(s)) for s in stack.seeds]
    lr_t = torch.as_tensor(lr, dtype=torch.float32)
    groups = np.zeros(S) if groups is None else np.asarray(groups)
    per_epoch = max(1, N // bs)
    params, bufs, err = dict(stack.params), {}, torch.zeros(S)
    hit, last, stop = np.full((len(targets), S), -1), np.full(S, np.nan), np.full(S, cfg["f7_steps"])
    alive = np.arange(S)
    for step in range(cfg["f7_steps"]):
        if step % per_epoch == 0:
            perms = torch.stack([torch.randperm(N, generator=gens[i]) for i in range(S)])
        b = step % per_epoch
        idx = perms[alive, b * bs:(b + 1) * bs]
        p = {k: v.detach().requires_grad_(True) for k, v in params.items()}
        out = stack.call(x[idx], training=True, params=p)
        yb = y[idx]
        loss = nn.functional.cross_entropy(out.reshape(-1, out.shape[-1]), yb.reshape(-1), reduction="none")
        grads = dict(zip(p, torch.autograd.grad(loss.reshape(len(alive), -1).mean(1).sum(), list(p.values()))))
        with torch.no_grad():
            sgd_momentum_step(params, grads, bufs, lr_t[alive], cfg["f7_momentum"])
            err[alive] += (out.argmax(-1) != yb).float().mean(1)
        if (step + 1) % every:
            continue
        last[alive] = (err[alive] / every).numpy()
        err.zero_()
        for t, target in enumerate(targets):
            hit[t, alive[(hit[t, alive] < 0) & (last[alive] <= target)]] = step + 1
        leave = (hit[-1, alive] > 0) | ~np.isfinite(last[alive]) | hopeless(hit[-1], groups, step + 1)[alive]
        stop[alive[leave]] = step + 1
        keep = torch.as_tensor(~leave)
        alive = alive[~leave]
        params = {k: v[keep] for k, v in params.items()}
        bufs = {k: v[keep] for k, v in bufs.items()}
        if log is not None and (step + 1) % (every * 50) == 0:
            log.info("step %d: %d of %d networks still training", step + 1, len(alive), S)
        if len(alive) == 0:
            break
    out = pd.DataFrame({"net": range(S), "final_error": last, "stopped": stop})
    for t, target in enumerate(targets):
        out[f"steps_{target:g}"] = np.where(hit[t] > 0, hit[t], stop)
        out[f"reached_{target:g}"] = hit[t] > 0
    return out


def hopeless(hit: np.ndarray, groups: np.ndarray, step: int) -> np.ndarray:
    """Networks of groups whose median steps can no longer be at most the best finished group's median:
    even if every unfinished network of the group reached the target now, its median would be larger."""
    labels = np.unique(groups)
    if len(labels) < 2:
        return np.zeros(len(hit), bool)
    now = np.where(hit > 0, hit, step)
    done = [np.median(hit[groups == g]) for g in labels if (hit[groups == g] > 0).all()]
    if not done:
        return np.zeros(len(hit), bool)
    bound = {g: np.median(now[groups == g]) for g in labels}
    return np.array([bound[g] > min(done) for g in groups])


def primary(cfg_or_targets) -> float:
    """The decision's target: the hardest (smallest) training error of f7_targets."""
    t = cfg_or_targets["f7_targets"] if isinstance(cfg_or_targets, dict) else cfg_or_targets
    return float(min(t))


def run_arm(cfg: dict, d: data.Dataset, act: str, depth: int, lrs, seeds: list[int], role: str,
            log=None) -> pd.DataFrame:
    """Train every (seed, rate) pair of one arm in one stack; rows tagged with activation, depth, role."""
    pairs = [(s, lr) for s in seeds for lr in lrs]
    st = cnn.Stack(spec(cfg, d.image_shape, act, depth), [s for s, _ in pairs])
    initialize(st)
    rates = np.array([lr for _, lr in pairs])
    res = train_to_target(st, rates, d.x_train, d.y_train, cfg, groups=rates if role == "tuning" else None, log=log)
    return res.assign(activation=act, depth=depth, role=role, seed=[s for s, _ in pairs], lr=rates).drop(
        columns="net")


def choose_lr(tuning: pd.DataFrame, grid, target: float) -> tuple[float, str]:
    """The rate with the fewest median steps to the target over tuning seeds (censored runs count as their
    stopping step; ties: lower median final error, then the smaller rate) and where it lies in the grid:
    'low', 'high', 'single' or ''."""
    g = tuning.groupby("lr").agg(steps=(f"steps_{target:g}", "median"), err=("final_error", "median")).reset_index()
    best = float(g.sort_values(["steps", "err", "lr"]).lr.iloc[0])
    return best, grid_edge(best, grid)


def run(cfg: dict, tuning_seeds: list[int], eval_seeds: list[int], log=None) -> pd.DataFrame:
    """Tuning and evaluation runs of every (activation, depth) arm: one row per network."""
    torch.manual_seed(0)
    d = data.load(cfg["dataset"], n_train=cfg["f7_n_train"] or None, seed=0, flat=False)
    frames = []
    for depth in cfg["f7_depths"]:
        for act in cfg["f7_activations"]:
            grid = cfg[f"f7_{act}_lrs"]
            tune = run_arm(cfg, d, act, depth, grid, tuning_seeds, "tuning", log)
            lr, edge = choose_lr(tune, grid, primary(cfg))
            ev = run_arm(cfg, d, act, depth, [lr], eval_seeds, "eval", log)
            frames += [tune.assign(lr_edge=""), ev.assign(lr_edge=edge)]
            if log is not None:
                log.info("depth %d %s: lr %g%s, eval steps %s", depth, act, lr, f" ({edge})" if edge else "",
                         ev[f"steps_{primary(cfg):g}"].tolist())
    return pd.concat(frames, ignore_index=True).assign(n_train=len(d.x_train), budget=cfg["f7_steps"])


# ---- F7 statistics ----

def _eval(table: pd.DataFrame, act: str, depth: int) -> pd.DataFrame:
    g = table[(table.role == "eval") & (table.activation == act) & (table.depth == depth)]
    return g.sort_values("seed")


def claim_rows(table: pd.DataFrame, ev: str = EVIDENCE) -> list[dict]:
    """F7 rows from the run table: per depth the steps ratio of each activation over ReLU (ratio of medians,
    censored runs counted as the budget, so a ratio with a censored numerator is a lower bound), the primary
    cnn_tanh_relu_steps_ratio at the deepest depth, the depth growth, grid edges and untrained arms."""
    target = primary([float(c[6:]) for c in table.columns if c.startswith("steps_")])
    col, reached = f"steps_{target:g}", f"reached_{target:g}"
    depths = sorted(table.depth.unique())
    acts = [a for a in ("relu", "tanh", "sigmoid") if a in set(table.activation)]
    rows = []

    def add(stat, est, n, note, ci=True):
        interval = isinstance(est, Interval)  # its n (seeds that entered), dropped count and method fill the row
        rows.append(claim_row("F7", stat, est[0], (est if interval else (est[1], est[2])) if ci else None,
                              None if interval and ci else n, ev, note))

    def describe(act, depth):
        g = _eval(table, act, depth)
        edge = g.lr_edge.fillna("").iloc[0]
        return f"{act} lr {g.lr.iloc[0]:g}{' at the grid ' + edge + ' edge' if edge else ''}, " \
               f"{int((~g[reached]).sum())} of {len(g)} censored"

    for depth in depths:
        r = _eval(table, "relu", depth)
        for act in acts[1:]:
            o = _eval(table, act, depth)
            est = seedstats.rounded(ratio_of_medians_ci(o[col], r[col]))
            note = (f"{RATIO_CI}; SGD momentum, {depth} conv blocks, median steps to {target:.0%} running training "
                    f"error, {act} over ReLU ({describe(act, depth)}; {describe('relu', depth)})")
            add(f"cnn_{act}_relu_steps_ratio_d{depth}", est, len(o), note)
            if depth == depths[-1]:
                add(f"cnn_{act}_relu_steps_ratio", est, len(o), f"deepest network of the sweep; {note}")
    if len(depths) > 1 and "tanh" in acts:
        ratio = lambda d: _eval(table, "tanh", d)[col].to_numpy() / _eval(table, "relu", d)[col].to_numpy()
        add("cnn_ratio_depth_growth", seedstats.paired(ratio(depths[-1]), ratio(depths[0]), kind="ratio"),
            len(ratio(depths[0])), f"per evaluation seed, tanh/ReLU steps ratio at {depths[-1]} conv blocks over the "
            f"ratio at {depths[0]} (median, order-statistic interval of the per-seed ratios); > 1: the gap grows with depth")
    arms = table[table.role == "eval"].groupby(["activation", "depth"])
    edges = sorted(f"{a} d{d}" for (a, d), g in arms if g.lr_edge.fillna("").iloc[0])
    n_tune = int(table[table.role == "tuning"].seed.nunique())
    add("cnn_arms_lr_at_grid_edge", (float(len(edges)),) * 3, n_tune, f"exact count of the {arms.ngroups} arms whose "
        f"rate, chosen on {n_tune} tuning seeds, is an end of its grid{': ' + ', '.join(edges) if edges else ''}",
        ci=False)
    untrained = sorted(f"{a} d{d}" for (a, d), g in arms if not g[reached].any())
    decisive = [u for u in untrained if u in (f"relu d{depths[-1]}", f"tanh d{depths[-1]}")]
    add("cnn_untrained_arms", (float(len(decisive)),) * 3, int(table[table.role == "eval"].seed.nunique()),
        f"exact count of the ReLU and tanh arms of the deepest network in which no evaluation seed reached "
        f"{target:.0%} training error within the budget; all arms that never reached it: "
        f"{', '.join(untrained) or 'none'}", ci=False)
    return rows


def summary_table(table: pd.DataFrame) -> pd.DataFrame:
    """Per depth and activation: chosen rate, grid edge, median steps to each target and runs censored."""
    ev = table[table.role == "eval"]
    rows = []
    for (depth, act), g in ev.groupby(["depth", "activation"]):
        row = {"depth": int(depth), "activation": act, "lr": float(g.lr.iloc[0]),
               "lr_edge": g.lr_edge.fillna("").iloc[0], "seeds": len(g)}
        for c in [c for c in g.columns if c.startswith("steps_")]:
            row[f"median_{c}"] = float(g[c].median())
            row[f"censored_{c[6:]}"] = int((~g[f"reached_{c[6:]}"]).sum())
        rows.append(row)
    return pd.DataFrame(rows)


def manifest_rows(summary_path: str) -> pd.DataFrame:
    """The F7 table's manifest entry (appended to the family's manifest by the evidence rule)."""
    return pd.DataFrame([{"id": EVIDENCE, "path": summary_path, "claims": "F7", "kind": "table",
                          "caption": "F7 replication of Krizhevsky et al. 2012: per number of conv blocks and "
                          "activation, the SGD rate chosen on tuning seeds (and whether it is an end of its grid), "
                          "median steps to each target running training error over evaluation seeds, and runs "
                          "censored at the budget."}])


def text_values(summary: pd.DataFrame, rows: list[dict]) -> dict:
    """values.json entries of the F7 replication: one sentence per depth and the primary interval, from data."""
    f7 = {r["statistic"]: r for r in rows if r["claim_id"] == "F7" and r["statistic"].startswith("cnn_")}
    col = [c for c in summary.columns if c.startswith("median_steps_")]
    target = primary([float(c[13:]) for c in col])
    med = f"median_steps_{target:g}"
    parts = []
    for depth, g in summary.groupby("depth"):
        arms = "; ".join(_arm_text(r, med, f"censored_{target:g}") for r in g.to_dict("records"))
        ratio = f7.get(f"cnn_tanh_relu_steps_ratio_d{depth}")
        tail = f", tanh/ReLU {_estimate(ratio)}" if ratio else ""
        parts.append(f"{depth} conv block{'s' if depth > 1 else ''}: {arms}{tail}")
    text = f"Median steps to {target:.0%} running training error over evaluation seeds. " + ". ".join(parts) + "."
    growth = f7.get("cnn_ratio_depth_growth")
    if growth:
        text += (f" The ratio at the deepest over the shallowest network: {_estimate(growth)} "
                 "(> 1: the gap grows with depth).")
    return {"text_f7_cnn": text}


def _number(x) -> str:
    """Two decimals, or 'undefined' for a blank or non-finite value (rows read back from a CSV have '')."""
    try:
        x = float(x)
    except (TypeError, ValueError):
        return "undefined"
    return f"{x:.2f}" if np.isfinite(x) else "undefined"


def _estimate(row: dict) -> str:
    """'value [ci_low, ci_high]', or 'value (no interval: too few seeds)' when the bounds are undefined."""
    lo, hi = _number(row["ci_low"]), _number(row["ci_high"])
    if "undefined" in (lo, hi):
        return f"{_number(row['value'])} (no 95% interval at this seed count)"
    return f"{_number(row['value'])} [{lo}, {hi}]"


def _arm_text(r: dict, med: str, cens: str) -> str:
    edge = f" (grid {r['lr_edge']} edge)" if isinstance(r["lr_edge"], str) and r["lr_edge"] else ""
    censored = f", {int(r[cens])} censored" if r[cens] else ""
    return f"{r['activation']} {r[med]:g} steps at lr {r['lr']:g}{edge}{censored}"
