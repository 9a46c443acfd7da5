"""Claim statistics, summary tables, values and manifest of the second_order family."""
import pandas as pd

from relulab.core import evidence, runtime
from relulab.studies.second_order import experiments as so

log = runtime.start(snakemake)
inp, out, par = snakemake.input, snakemake.output, snakemake.params
tables = {k: pd.read_csv(v) for k, v in inp.items() if k != "figures"}
figs = {p.rsplit("/", 1)[-1].removesuffix(".png"): p for p in inp.figures}
ev = {"H1": "tbl-second_order-derivatives", "H2": "fig-second_order-newton tbl-second_order-newton",
      "H3": "fig-second_order-hessian tbl-second_order-norms fig-second_order-training tbl-second_order-training",
      "H4": "fig-second_order-scaling tbl-second_order-scaling",
      "H5": "fig-second_order-hessian tbl-second_order-zeros",
      "H6": "fig-second_order-rmsprop tbl-second_order-rmsprop",
      "H7": "fig-second_order-training tbl-second_order-training fig-second_order-spectra",
      "F3": "fig-second_order-convexity", "R7": "tbl-second_order-gradcheck"}
rows = so.claim_rows(tables, ev, par.extrapolate_params, par.tiny_passes, par.ae_passes)
evidence.write_claims(pd.DataFrame(rows), out.claims)
for name, frame in so.summaries(tables, par.extrapolate_params, par.tiny_passes, par.ae_passes).items():
    evidence.atomic_write_csv(frame, out[name])
manifest = [
    ("fig-second_order-newton", figs["newton"], "H2 H3",
     "Left: Newton's iteration x <- x - f'(x)/f''(x) on each transfer function itself; ReLU's step is undefined "
     "(f'' = 0), the saturating functions run off to infinity. Right: damped Newton on one ReLU neuron with "
     "squared error, one line per seed."),
    ("tbl-second_order-derivatives", out.derivatives, "H1",
     "Largest |second derivative| of each transfer function on a grid of [-3, 3], by autograd and by the central "
     "second difference with step h, away from the kink (|x| > 2h) and at points within 2h of 0."),
    ("tbl-second_order-newton", out.newton, "H2",
     "Newton on each transfer function from each start: iterations run, last iterate and derivative, and whether a "
     "stationary point was reached."),
    ("fig-second_order-convexity", figs["convexity"], "F3",
     "A single sigmoid neuron. Left and middle: squared error and its curvature on a constructed 1-D data set "
     "(several local minima, negative curvature). Right: smallest Hessian eigenvalue at random parameter points, "
     "cross-entropy vs squared error."),
    ("fig-second_order-hessian", figs["hessian_blocks"], "H3 H5",
     "Exact Hessians of small digits networks at initialization, per layer pair (median over seeds): share of the "
     "loss Hessian's norm, share of its non-Gauss-Newton part, and fraction of exact zeros in the loss Hessian and "
     "in one output's Hessian at one example."),
    ("tbl-second_order-norms", out.hessian_norms, "H3",
     "Frobenius norm of each layer-pair block of the loss Hessian, its Gauss-Newton part and the rest (median over "
     "seeds, 95% bootstrap CI)."),
    ("tbl-second_order-zeros", out.zeros, "H5",
     "Fraction of exact zeros in within-layer and cross-layer blocks of the loss Hessian and of the output Hessian "
     "(median over seeds, 95% CI); within_live leaves out parameters whose Hessian row is zero."),
    ("fig-second_order-spectra", figs["spectra"], "H3 H7",
     "Eigenvalues of the loss Hessian, its Gauss-Newton part (positive semi-definite) and the rest, first seed."),
    ("fig-second_order-scaling", figs["scaling"], "H4",
     "Cost of the explicit Hessian vs a Hessian-vector product as the network grows: measured seconds with power- "
     "law fits extrapolated to a million parameters, and memory."),
    ("tbl-second_order-scaling", out.scaling, "H4",
     "Measured sizes, seconds and bytes, and the power-law extrapolation to the target parameter count (last row)."),
    ("fig-second_order-training", figs["training"], "H3 H7",
     "Training loss against gradient-equivalent passes (median over seeds, band: min-max), each first-order method "
     "at its best learning rate: tiny ReLU network (left), digits autoencoder (right)."),
    ("tbl-second_order-training", out.training, "H3 H7",
     "Loss at the pass budget per method (median over seeds, 95% bootstrap CI)."),
    ("fig-second_order-rmsprop", figs["rmsprop"], "H6",
     "Spearman rank correlation across parameters between RMSProp's running mean of squared gradients and the "
     "Gauss-Newton (= Fisher) and empirical Fisher diagonals along training (median and range over seeds)."),
    ("tbl-second_order-rmsprop", out.rmsprop, "H6",
     "The same correlations per checkpoint, median over seeds with 95% CI."),
    ("tbl-second_order-gradcheck", out.gradcheck, "R7",
     "Hand-written NumPy back-propagation: largest relative error per layer and activation against central finite "
     "differences and against torch autograd."),
]
evidence.write_manifest(pd.DataFrame(manifest, columns=["id", "path", "claims", "caption"]).assign(
    kind=lambda m: m.id.str.split("-").str[0].map({"fig": "figure", "tbl": "table"})), out.manifest)
evidence.write_values({f"{r['claim_id']}_{r['statistic']}": so.quoted(r["value"]) for r in rows}, out.values)
log.info("%d claim statistics", len(rows))
