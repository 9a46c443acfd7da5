"""Per-layer activation and gradient statistics at initialization: depth x activation x init (A3, F6, R6)."""
import pandas as pd

from relulab.studies.gradients import convergence, flow
from relulab.core import evidence, runtime

log = runtime.start(snakemake)
cfg, seeds = snakemake.params.cfg, snakemake.params.seeds
split = convergence.load_split(cfg)
layers, jac = flow.depth_sweep(split["x_probe"], split["y_probe"], depths=cfg["depths"],
                               activations=cfg["activations"], inits=cfg["inits"], width=cfg["width"],
                               seeds=seeds, n_classes=split["n_classes"], jac_examples=cfg["jac_examples"])
log.info("%d layer rows, %d Jacobian rows", len(layers), len(jac))
names = sorted(set(cfg["activations"]) | {"sigmoid", "tanh", "sigmoid_centered", "scaled_tanh"})
deriv = pd.DataFrame([dict(zip(["activation", "max_derivative", "argmax"], (a, *flow.max_derivative(a))))
                      for a in names])
evidence.atomic_write_csv(layers, snakemake.output.layers)
evidence.atomic_write_csv(jac, snakemake.output.jacobian)
evidence.atomic_write_csv(deriv, snakemake.output.derivatives)
