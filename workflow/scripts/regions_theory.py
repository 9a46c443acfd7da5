"""Exact bounds at fixed unit budgets and exact engine counts of the constructions (R1, R3, F10)."""
import pandas as pd

from relulab.studies.regions import theory as regions_theory
from relulab.core import runtime
from relulab.core.evidence import atomic_write_csv

log = runtime.start(snakemake)
cfg = snakemake.params.cfg
theory = regions_theory.bounds_table(cfg["budgets"], cfg["depths"])
cons = regions_theory.construction_table(cfg["budgets"], cfg["depths"], cfg["max_construction_regions"])
fixed = regions_theory.fixed_width_table(cfg["fixed_width"], cfg["fixed_width_depths"], cfg["max_construction_regions"])
maxout = regions_theory.maxout_table(cfg["maxout_ranks"], cfg["maxout_depths"], cfg["max_construction_regions"])
bad = pd.concat([cons[cons["n_regions"] != cons["theory"]], fixed[fixed["n_regions"] != fixed["formula"]]])
if len(bad):
    log.warning("constructions whose exact count differs from theory:\n%s", bad.to_string())
log.info("fixed width\n%s", fixed.to_string())
log.info("constructions\n%s\nmaxout\n%s", cons.to_string(), maxout.to_string())
atomic_write_csv(theory, snakemake.output.theory)
atomic_write_csv(cons, snakemake.output.constructions)
atomic_write_csv(maxout, snakemake.output.maxout)
atomic_write_csv(fixed, snakemake.output.fixed_width)
