"""Dead ReLU units (zero output on every probe example) and networks born dead at initialization."""

from __future__ import annotations

import math

import pandas as pd
import torch

from relulab.core import models
from relulab.studies.gradients.convergence import RunSpec, tag_roles, train_stack


def dead_units(hidden) -> list[torch.Tensor]:
    """Per hidden layer, (S, width) booleans: the unit outputs exactly 0 on every example of the probe set."""
    return [(post == 0).all(dim=1) for _, post in hidden]


def dead_table(hidden) -> pd.DataFrame:
    """One row per (model, layer): fraction of dead units."""
    rows = []
    for layer, d in enumerate(dead_units(hidden), start=1):
        frac = d.double().mean(1)
        rows.extend({"model": s, "layer": layer, "dead_fraction": float(frac[s])} for s in range(len(frac)))
    return pd.DataFrame(rows)


def dead_everywhere(hidden) -> torch.Tensor:
    """(S,) booleans: at every probe example some hidden layer is entirely zero (the output is then constant
    in the input there; with zero biases it is the same constant everywhere: the network is born dead)."""
    dead_at_x = torch.stack([(post == 0).all(dim=2) for _, post in hidden]).any(0)  # (S, N)
    return dead_at_x.all(1)


def born_dead_theory(width: int, depth: int) -> float:
    """Lu et al. 2019: P(some hidden layer is all zero at one input) = 1 - (1 - 2^-width)^depth for depth
    hidden layers of `width` units, weights symmetric and continuous, biases zero or symmetric."""
    return 1.0 - (1.0 - 2.0 ** -width) ** depth


def wilson_ci(k: int, n: int, level: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion k/n."""
    from scipy.stats import norm

    z = norm.ppf(0.5 + level / 2)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def born_dead_mc(width: int, depth: int, x: torch.Tensor, *, n_nets: int, seed: int,
                 bias_std: float = 0.0) -> torch.Tensor:
    """Draw n_nets ReLU networks (He-normal weights, N(0, bias_std^2) biases) and return (n_nets, N) booleans:
    some hidden layer is all zero at input x[j]. float64, batched over networks."""
    g = torch.Generator().manual_seed(int(seed))
    h = x.double().unsqueeze(0).expand(n_nets, *x.shape)
    dead = torch.zeros(n_nets, x.shape[0], dtype=torch.bool)
    fan_in = x.shape[1]
    for _ in range(depth):
        W = torch.randn(n_nets, width, fan_in, generator=g, dtype=torch.float64) * math.sqrt(2.0 / fan_in)
        b = torch.randn(n_nets, 1, width, generator=g, dtype=torch.float64) * bias_std
        h = torch.relu(torch.baddbmm(b, h, W.transpose(1, 2)))
        dead |= (h == 0).all(-1)
        fan_in = width
    return dead


def born_dead_table(widths, depths, *, in_dim: int, n_nets: int, n_domain: int, seed: int,
                    bias_stds=(0.0,)) -> pd.DataFrame:
    """Monte Carlo born-dead probability at one input and on a probe set of the domain [-1, 1]^in_dim,
    with Wilson 95% intervals, beside the one-input closed form."""
    g = torch.Generator().manual_seed(int(seed))
    x1 = torch.rand(1, in_dim, generator=g, dtype=torch.float64) * 2 - 1
    xd = torch.rand(n_domain, in_dim, generator=g, dtype=torch.float64) * 2 - 1
    rows = []
    for bias_std in bias_stds:
        for width in widths:
            for depth in depths:
                s = seed + 1000 * width + depth
                k1 = int(born_dead_mc(width, depth, x1, n_nets=n_nets, seed=s, bias_std=bias_std)[:, 0].sum())
                kd = int(born_dead_mc(width, depth, xd, n_nets=n_nets, seed=s + 7, bias_std=bias_std).all(1).sum())
                lo1, hi1 = wilson_ci(k1, n_nets)
                lod, hid = wilson_ci(kd, n_nets)
                rows.append({"bias_std": bias_std, "width": width, "depth": depth, "n_nets": n_nets,
                             "theory": born_dead_theory(width, depth), "p_one_input": k1 / n_nets,
                             "ci_low": lo1, "ci_high": hi1, "p_domain": kd / n_nets,
                             "domain_ci_low": lod, "domain_ci_high": hid})
    return pd.DataFrame(rows)


def _dead_recorder(run: RunSpec, x_probe, store: list, extra: dict):
    def callback(step, params):
        with torch.no_grad():
            _, hidden = models.forward_by_name(run.activation, params, x_probe, batch_norm=run.batch_norm)
        t = dead_table(hidden)
        t["step"] = step
        for k, v in extra.items():
            t[k] = v
        store.append(t)
    return callback


def dying_sweep(x, y, x_eval, y_eval, x_test, y_test, *, depths, lrs, width: int, steps: int, batch_size: int,
                eval_every: int, seeds, tuning_seeds=(), init: str = "he") -> pd.DataFrame:
    """Dead-unit fraction per layer along SGD training of ReLU networks, for every (depth, learning rate); the
    tuning and evaluation seeds train in one stacked call per cell, tagged by `role`."""
    everyone, tables = list(tuning_seeds) + list(seeds), []
    for depth in depths:
        for lr in lrs:
            run = RunSpec("relu", (width,) * depth, init=init, lr=lr, steps=steps, batch_size=batch_size,
                          eval_every=eval_every)
            store: list = []
            _, hist = train_stack(run, x, y, x_eval, y_eval, x_test, y_test, seeds=everyone,
                                  callback=_dead_recorder(run, x_eval, store, {"depth": depth, "lr": lr}))
            t = pd.concat(store, ignore_index=True)
            t["seed"] = [int(everyone[m]) for m in t.model]
            t = t.merge(hist[["seed", "step", "train_loss", "train_acc", "diverged"]], on=["seed", "step"])
            tables.append(tag_roles(t, tuning_seeds))
    return pd.concat(tables, ignore_index=True)


def dead_on(run: RunSpec, params, x, chunk: int = 2048) -> list[torch.Tensor]:
    """Per hidden layer, (S, width) booleans: the unit outputs exactly 0 on every row of x (the whole training
    set), computed in chunks of rows."""
    dead = None
    with torch.no_grad():
        for i in range(0, len(x), chunk):
            _, hidden = models.forward_by_name(run.activation, params, x[i:i + chunk])
            d = dead_units(hidden)
            dead = d if dead is None else [a & b for a, b in zip(dead, d)]
    return dead


class _SpikeWatch:
    """Dead units on the whole training set just before and after the large update and at the end, and per
    killed unit the largest |gradient| of its incoming weights and bias at any step after the update."""

    def __init__(self, run: RunSpec, x, spike_step: int):
        self.run, self.x, self.spike = run, x, spike_step
        self.before = self.after = self.killed = self.max_grad = None

    def __call__(self, step, params, grads):
        if step == self.spike:
            self.before = dead_on(self.run, params, self.x)
        elif step == self.spike + 1:
            self.after = dead_on(self.run, params, self.x)
            self.killed = [a & ~b for a, b in zip(self.after, self.before)]
            self.max_grad = [torch.zeros_like(k, dtype=torch.float64) for k in self.killed]
        if step > self.spike:
            for i in range(len(self.max_grad)):
                g = torch.maximum(grads[f"W{i}"].abs().amax(-1), grads[f"b{i}"].abs()).double()
                self.max_grad[i] = torch.maximum(self.max_grad[i], g)


def large_update_experiment(x, y, x_eval, y_eval, x_test, y_test, *, depth: int, width: int, lr: float,
                            spike_factor: float, spike_step: int, steps: int, batch_size: int, eval_every: int,
                            seeds) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Train ReLU networks, take one update with the learning rate times `spike_factor` at `spike_step`,
    train on; return the dead-fraction trajectory (probe set) and, per seed and layer, on the WHOLE training
    set: units dead before, killed by the spike, revived by the end, and killed units whose incoming gradient
    stayed exactly zero at every later step and that are still dead at the end (dead for good)."""
    run = RunSpec("relu", (width,) * depth, init="he", lr=lr, steps=steps, batch_size=batch_size,
                  eval_every=eval_every)
    traj, watch = [], _SpikeWatch(run, x, spike_step)

    def callback(step, params):
        with torch.no_grad():
            _, hidden = models.forward_by_name(run.activation, params, x_eval)
        for layer, d in enumerate(dead_units(hidden), start=1):
            traj.extend({"seed": int(seed), "step": step, "layer": layer, "dead_fraction": float(d[m].double().mean())}
                        for m, seed in enumerate(seeds))

    final, hist = train_stack(run, x, y, x_eval, y_eval, x_test, y_test, seeds=seeds, callback=callback,
                              lr_multiplier=lambda s: spike_factor if s == spike_step else 1.0,
                              extra_log_steps=(spike_step, spike_step + 1), grad_hook=watch)
    end = dead_on(run, final, x)
    last = hist[hist.step == hist.step.max()].set_index("seed").train_acc
    pre = hist[hist.step == spike_step].set_index("seed").train_acc
    fate = []
    for layer in range(depth):
        killed, zero = watch.killed[layer], watch.max_grad[layer] == 0
        for m, seed in enumerate(seeds):
            k = killed[m]
            fate.append({"seed": int(seed), "layer": layer + 1, "width": width, "killed": int(k.sum()),
                         "revived": int((k & ~end[layer][m]).sum()),
                         "dead_for_good": int((k & end[layer][m] & zero[m]).sum()),
                         "dead_before": int(watch.before[layer][m].sum()), "dead_end": int(end[layer][m].sum()),
                         "steps_after": steps - spike_step - 1, "final_train_acc": float(last[int(seed)]),
                         "pre_spike_train_acc": float(pre[int(seed)])})
    traj = pd.DataFrame(traj).merge(hist[["seed", "step", "train_loss", "train_acc"]], on=["seed", "step"])
    return traj, pd.DataFrame(fate)


def final_dead(sweep: pd.DataFrame) -> pd.DataFrame:
    """Per (depth, lr, seed): fraction of dead hidden units (all layers pooled) at the end of training, with the
    seed's role ("eval" where the sweep has no role column)."""
    last = sweep[sweep.step == sweep.step.max()]
    last = last if "role" in last else last.assign(role="eval")
    return last.groupby(["depth", "lr", "seed", "role"], as_index=False).agg(
        dead_fraction=("dead_fraction", "mean"), diverged=("diverged", "max"))
