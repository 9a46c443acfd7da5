"""The figures and tables the second_order family shows in the report, with their captions."""

from __future__ import annotations

import pandas as pd

# (id, figure name or evidence-rule output name, claims, caption), in the order the manifest lists them.
_MANIFEST = [
    ("fig-second_order-newton", "newton", "H2 H3",
     "Left: Newton's iteration x <- x - f'(x)/f''(x) on each transfer function itself; ReLU's step is undefined "
     "(f'' = 0), the saturating functions run off to infinity. Right: damped Newton on one ReLU neuron with "
     "squared error, one line per seed."),
    ("tbl-second_order-derivatives", "derivatives", "H1",
     "Largest |second derivative| of each transfer function on a grid of [-3, 3], by autograd and by the central "
     "second difference with step h, away from the kink (|x| > 2h) and at points within 2h of 0."),
    ("tbl-second_order-newton", "newton", "H2",
     "Newton on each transfer function from each start: iterations run, last iterate and derivative, and whether a "
     "stationary point was reached."),
    ("fig-second_order-convexity", "convexity", "F3",
     "A single sigmoid neuron. Left and middle: squared error and its curvature on a constructed 1-D data set "
     "(several local minima, negative curvature). Right: smallest Hessian eigenvalue at random parameter points, "
     "cross-entropy vs squared error."),
    ("fig-second_order-hessian", "hessian_blocks", "H3 H5",
     "Exact Hessians of small digits networks at initialization, per layer pair (median over seeds): share of the "
     "loss Hessian's norm, share of its non-Gauss-Newton part, and fraction of exact zeros in the loss Hessian and "
     "in one output's Hessian at one example."),
    ("tbl-second_order-norms", "hessian_norms", "H3",
     "Frobenius norm of each layer-pair block of the loss Hessian, its Gauss-Newton part and the rest (median over "
     "seeds, 95% order-statistic CI)."),
    ("tbl-second_order-zeros", "zeros", "H5",
     "Fraction of exact zeros in within-layer and cross-layer blocks of the loss Hessian and of the output Hessian, "
     "ReLU and tanh, on raw digits (blank pixels make zeros) and on standardized (dense) digits (median over seeds, "
     "95% CI); within_live leaves out parameters whose Hessian row is zero."),
    ("fig-second_order-spectra", "spectra", "H3 H7",
     "Eigenvalues of the loss Hessian, its Gauss-Newton part (positive semi-definite) and the rest, first seed."),
    ("fig-second_order-scaling", "scaling", "H4",
     "Cost of the explicit Hessian vs a Hessian-vector product as the network grows: wall-clock seconds on this "
     "machine with power-law fits extrapolated to a million parameters, and memory (8 N^2 bytes by construction)."),
    ("tbl-second_order-scaling", "scaling", "H4",
     "Measured sizes, counted FLOPs (gradient, HVP; machine independent), wall-clock seconds on this machine and "
     "bytes, and the extrapolation to the target parameter count (last row)."),
    ("fig-second_order-training", "training", "H3 H7",
     "Training loss against gradient-equivalent passes (median over evaluation seeds, band: min-max), each "
     "first-order method at the learning rate chosen on the tuning seeds: tiny ReLU network (left), digits autoencoder (right)."),
    ("tbl-second_order-training", "training", "H3 H7",
     "Loss at the pass budget per method (median over evaluation seeds, 95% order-statistic CI)."),
    ("fig-second_order-rmsprop", "rmsprop", "H6",
     "Left: Spearman rank correlation across parameters with the Gauss-Newton (= Fisher) diagonal of RMSProp's "
     "running mean of squared gradients and of two curvature-blind baselines (input second moment, one mini-batch's "
     "squared gradient). Right: cosine of the RMSProp and SGD steps with the damped Gauss-Newton step (median and "
     "range over evaluation seeds)."),
    ("tbl-second_order-rmsprop", "rmsprop", "H6",
     "The same correlations and cosines per checkpoint, median over evaluation seeds with 95% CI."),
    ("tbl-second_order-gradcheck", "gradcheck", "R7",
     "Hand-written NumPy back-propagation: largest relative error per layer and activation against central finite "
     "differences and against torch autograd."),
]


def manifest(figure_paths, tables) -> pd.DataFrame:
    """The family's figures (paths keyed by file stem) and summary tables (tables: output name -> path)."""
    figs = {p.rsplit("/", 1)[-1].removesuffix(".png"): p for p in figure_paths}
    rows = [(id_, figs[key] if id_.startswith("fig-") else tables[key], claims, caption)
            for id_, key, claims, caption in _MANIFEST]
    return pd.DataFrame(rows, columns=["id", "path", "claims", "caption"]).assign(
        kind=lambda m: m.id.str.split("-").str[0].map({"fig": "figure", "tbl": "table"}))
