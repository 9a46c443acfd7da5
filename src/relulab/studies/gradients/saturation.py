"""F6: a scaled replication of Glorot & Bengio 2010 (deep sigmoid MLP, init U[-1/sqrt(n), 1/sqrt(n)], small
minibatches) with per-layer activation percentiles along training, and a causal intervention: the same network
with Glorot's normalized init, which keeps the units out of saturation, must learn faster if saturation is what
makes learning hard. Each arm's learning rate is chosen on tuning seeds; the evaluation seeds train at it."""

from __future__ import annotations

import pandas as pd

from relulab.studies.gradients.convergence import RunSpec, choose_lr, reach_table, tag_roles, train_stack
from relulab.studies.gradients.flow import probe

ARMS = {"standard": "torch_default", "normalized": "xavier"}


def _run(split: dict, arm: str, lr: float, seeds, tuning_seeds, *, depth, width, steps, batch_size, every):
    run = RunSpec("sigmoid", (width,) * depth, init=ARMS[arm], lr=lr, steps=steps, batch_size=batch_size,
                  eval_every=every)
    everyone, store = list(tuning_seeds) + list(seeds), []

    def callback(step, params):
        store.append(probe("sigmoid", params, split["x_probe"], split["y_probe"]).assign(step=step))

    _, hist = train_stack(run, split["x"], split["y"], split["x_eval"], split["y_eval"], split["x_test"],
                          split["y_test"], seeds=everyone, callback=callback)
    probes = pd.concat(store, ignore_index=True)
    probes["seed"] = [everyone[m] for m in probes.model]
    tag = dict(cell=arm, activation="sigmoid", lr=lr)
    return tag_roles(hist.assign(**tag), tuning_seeds), tag_roles(probes.assign(**tag), tuning_seeds)


def replication(split: dict, *, lrs, target_acc: float, seeds, tuning_seeds, **kw) -> tuple[pd.DataFrame,
                                                                                            pd.DataFrame]:
    """Both arms at every learning rate on the tuning seeds, then the evaluation seeds at each arm's rate chosen
    by choose_lr (steps until the training accuracy reaches target_acc). Returns (history, per-layer probes)."""
    runs = [_run(split, arm, lr, [], tuning_seeds, **kw) for arm in ARMS for lr in lrs]
    tune = pd.concat([h for h, _ in runs], ignore_index=True)
    best = choose_lr(reach_table(tune, "train_acc", target_acc), "cell").set_index("cell").lr
    runs += [_run(split, arm, float(best[arm]), seeds, (), **kw) for arm in ARMS]
    return pd.concat([h for h, _ in runs], ignore_index=True), pd.concat([p for _, p in runs], ignore_index=True)


def peak_top_saturation(probes: pd.DataFrame) -> pd.DataFrame:
    """Per (arm, evaluation seed) at the arm's evaluated rate: the largest saturated fraction of the top hidden
    layer over the checkpoints."""
    p = probes[(probes.role == "eval") & (probes.layer == probes.layer.max())]
    return p.groupby(["cell", "seed"], as_index=False).saturated.max()
