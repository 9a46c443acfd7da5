"""Random networks: width x depth grid (Hanin-Rolnick scaling), fixed-budget depths, folding probe (R1, R2, F10)."""
from relulab.studies.regions import count, folding as regions_folding
from relulab.core import runtime
from relulab.core.evidence import atomic_write_csv

log = runtime.start(snakemake)
cfg, seeds = snakemake.params.cfg, snakemake.params.seeds
grid = count.random_grid(cfg["random_widths"], cfg["random_depths"], seeds, cfg["bias_std"])
log.info("scaling fit %s", count.fit_scaling(grid))
budget = count.budget_grid(cfg["budget"], cfg["budget_depths"], seeds, cfg["bias_std"])
folding = regions_folding.folding_table(cfg["fold_widths"], seeds, cfg["fold_points"], cfg["bias_std"])
log.info("folding preimages\n%s", folding.groupby(["net", "seed"])["preimages"].median().to_string())
atomic_write_csv(grid, snakemake.output.grid)
atomic_write_csv(budget, snakemake.output.budget)
atomic_write_csv(folding, snakemake.output.folding)
