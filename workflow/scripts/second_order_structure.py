"""Exact loss and output Hessians of small digits networks (H3, H5, H7); exact zeros also on standardized (dense)
digits, where blank pixels make none (H5)."""
import pandas as pd

from relulab.core import evidence, models, runtime
from relulab.studies.second_order import experiments

log = runtime.start(snakemake)
cfg, seeds, out = snakemake.params.cfg, snakemake.params.seeds, snakemake.output
parts = []
for act in cfg["structure_activations"]:
    spec = models.MLPSpec(64, tuple(cfg["structure_widths"]), 10, act)
    args = (cfg["structure_loss"], cfg["structure_n"], cfg["output_examples"], seeds, cfg["structure_train_steps"],
            cfg["structure_train_lr"])
    blocks, zeros, spectra, products = experiments.hessian_structure(spec, *args)
    parts.append((blocks, pd.concat([zeros, experiments.dense_zeros(spec, *args)], ignore_index=True), spectra,
                  products))
    log.info("%s: %d parameters, Hessians formed for %d seeds", act, spec.n_params, len(seeds))
for path, frames in zip((out.blocks, out.zeros, out.spectra, out.products), zip(*parts)):
    evidence.atomic_write_csv(pd.concat(frames, ignore_index=True), path)
