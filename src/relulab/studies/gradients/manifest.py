"""The figures and tables the gradients family shows in the report, with their captions."""

from __future__ import annotations

import pandas as pd


def manifest(figs: dict, out, saturation_steps: int, track_steps: int) -> pd.DataFrame:
    """The manifest table; figs: figure paths by file name, out: the evidence rule's outputs (table paths),
    saturation_steps / track_steps: the length of the long sigmoid runs and of the tracked runs."""
    rows = [
        ("fig-gradients-heatmap", figs["gradient_heatmap.png"], "A3 R6 F6",
         "Back-propagated gradient norm per hidden layer at initialization, relative to the last hidden layer (log10, "
         "median over seeds, colour clipped at 3 decades), for every depth; each activation at its recommended init. "
         "Blue: smaller near the input."),
        ("fig-gradients-training", figs["training_layers.png"], "A3 F6",
         "Left: fraction of saturated units per layer along SGD training (median, interquartile band). Right: training "
         "accuracy of deep networks, ReLU with Xavier or He init and sigmoid with Xavier init, SGD with momentum."),
        ("fig-gradients-saturation-long", figs["saturation_long.png"], "F6",
         f"Exploratory long runs (not in F6's decision rule): sigmoid networks of the tracked depth and init trained "
         f"for {saturation_steps} SGD steps (the tracked runs: {track_steps}) at "
         "several learning rates. Top hidden layer: mean activation (left) and saturated fraction (middle); training "
         "accuracy (right, chance 0.1). Median over seeds, band: interquartile range."),
        ("tbl-gradients-decay", out.decay, "A3 R6 F6",
         "Per-layer decay factor of the back-propagated gradient norm (least-squares fit; < 1 shrinks towards the "
         "input) and first/last-layer gradient-norm ratio, median over seeds with 95% order-statistic CI."),
        ("fig-gradients-dead-units", figs["dead_units.png"], "A4 F8",
         "Dead ReLU units (zero on every probe image): at the end of training vs learning rate and depth; along "
         "training for the deepest networks; per layer before and after one deliberately large update (dashed)."),
        ("tbl-gradients-dead", out.dead, "A4", "Fraction of dead hidden units at the end of SGD training per depth "
         "and learning rate, median over seeds with 95% order-statistic CI."),
        ("tbl-gradients-spike", out.spike, "F8", "Per seed, on the whole training set: fraction of live units "
         "killed by the large update, fraction of those still dead at the end of training, and the number dead for "
         "good (incoming gradient exactly zero at every later step, dead at the end)."),
        ("fig-gradients-born-dead", figs["born_dead.png"], "A4",
         "Probability that a random deep narrow ReLU network is born dead: Monte Carlo at one input (o, 95% Wilson "
         "interval), on a whole probe set of the domain (x), and the closed form $1-(1-2^{-N})^L$ (lines)."),
        ("tbl-gradients-born-dead", out.born, "A4", "Born-dead Monte Carlo per width, depth and bias scale, with "
         "Wilson intervals and the closed form for one input."),
        ("fig-gradients-speed", figs["speed.png"], "F7 F5 A5",
         "Left: SGD steps to the target training error per activation and learning rate (budget when never reached). "
         "Right: test accuracy of the zero-centring variants at their best learning rate (target dashed)."),
        ("tbl-gradients-speed", out.speed, "F7 F5", "Steps to the target training error per activation and learning "
         "rate (median, 95% CI, censored at the budget) and the median largest stable learning rate."),
        ("tbl-gradients-centering", out.centering, "A5", "Steps to the target test accuracy per variant and learning "
         "rate (median over seeds, 95% CI, censored at the budget)."),
        ("fig-gradients-drift", figs["drift.png"], "A5", "15th, 50th and 85th percentiles of one last-layer sigmoid "
         "unit's input along training (first seed), without and with batch norm (Ioffe & Szegedy 2015, Fig. 1)."),
        ("tbl-gradients-flow-training", out.flow, "R6", "Gradient flow during training: per activation (its own "
         "variance-preserving init, learning rate chosen on tuning seeds), median over evaluation seeds of the "
         "|log10 first/last-layer gradient-norm ratio| over the checkpoints, the saturated fraction and the final "
         "training accuracy."),
        ("fig-gradients-f6", figs["f6_percentiles.png"], "F6",
         "Glorot & Bengio 2010 scaled (Fig. 2 style): per hidden layer, 50th (line) and 15-85th (band) percentiles of "
         "the sigmoid activations on a probe batch along training, median over evaluation seeds, with the standard "
         "init U[-1/sqrt(n), 1/sqrt(n)] and with the normalized init (the intervention)."),
        ("tbl-gradients-f6", out.f6, "F6", "Steps to the target training accuracy per init (median over evaluation "
         "seeds, 95% CI, censored at the budget) at each arm's learning rate chosen on tuning seeds."),
        ("tbl-gradients-replication", out.replication, "F6 F7 A3 A5 A4", "Replication: each cited paper's setup, "
         "ours (from the configuration this study ran with) and the difference."),
        ("tbl-gradients-small-nets", out.small, "F4 F2", "Final test accuracy (median, 95% CI) of tanh and sigmoid "
         "networks from small or Xavier initialization, and of ReLU vs staircase networks."),
    ]
    return pd.DataFrame(rows, columns=["id", "path", "claims", "caption"]).assign(
        kind=lambda m: m.id.str.split("-").str[0].map({"fig": "figure", "tbl": "table"}))
