"""Memory, counted FLOPs (machine independent) and wall-clock seconds on this machine of one gradient, one
Hessian-vector product and the explicit Hessian vs size (H4)."""
from relulab.core import evidence, runtime
from relulab.studies.second_order import experiments

log = runtime.start(snakemake)
cfg = snakemake.params.cfg
scaling = experiments.scaling(cfg["scaling_widths"], cfg["scaling_n"], cfg["scaling_repeats"], snakemake.params.seed)
log.info("scaling:\n%s", scaling.to_string())
evidence.atomic_write_csv(scaling, snakemake.output.scaling)
