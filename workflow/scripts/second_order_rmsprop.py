"""RMSProp's running mean of squared gradients vs the Gauss-Newton diagonal, curvature-blind baselines and the damped
Gauss-Newton step along training (H6); tuning seeds choose the baseline, evaluation seeds measure."""
from relulab.core import evidence, runtime
from relulab.studies.second_order import rmsprop

log = runtime.start(snakemake)
par = snakemake.params
table = rmsprop.rmsprop_curvature(par.cfg, par.seeds, par.tuning_seeds)
log.info("best curvature-blind baseline on the tuning seeds: %s", rmsprop.best_baseline(table))
log.info("median Spearman (v, GN diagonal) per step:\n%s", table.groupby("step").spearman_gn.median())
evidence.atomic_write_csv(table, snakemake.output.table)
