"""Digits MLP: exact regions in planes through three test images, at init and after training (R5)."""
from relulab.studies.regions import digits
from relulab.core import runtime
from relulab.core.evidence import atomic_write_csv

log = runtime.start(snakemake)
cfg = snakemake.params.cfg
counts, final = digits.digits_regions(cfg["digits_widths"], snakemake.params.seeds, cfg["digits_steps"],
                                      cfg["digits_lr"], cfg["digits_slices"])
log.info("final accuracy\n%s\nregions\n%s", final.to_string(), counts.groupby("stage")["n_linear"].describe())
atomic_write_csv(counts, snakemake.output.counts)
atomic_write_csv(final, snakemake.output.final)
