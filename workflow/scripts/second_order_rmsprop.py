"""RMSProp's running mean of squared gradients vs the Gauss-Newton (Fisher) diagonal along training (H6)."""
from relulab.core import evidence, runtime
from relulab.studies.second_order import training

log = runtime.start(snakemake)
table = training.rmsprop_curvature(snakemake.params.cfg, snakemake.params.seeds)
log.info("median Spearman (v, GN diagonal) per step:\n%s", table.groupby("step").spearman_gn.median())
evidence.atomic_write_csv(table, snakemake.output.table)
