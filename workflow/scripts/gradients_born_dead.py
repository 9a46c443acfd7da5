"""Monte Carlo probability that a deep narrow ReLU network is born dead, beside Lu et al. 2019's closed form."""
from relulab.studies.gradients import dying
from relulab.core import evidence, runtime

log = runtime.start(snakemake)
cfg = snakemake.params.cfg
table = dying.born_dead_table(cfg["born_widths"], cfg["born_depths"], in_dim=cfg["born_in_dim"],
                              n_nets=cfg["born_nets"], n_domain=cfg["born_domain"], seed=snakemake.params.base_seed,
                              bias_stds=(0.0, 0.1))
log.info("max |MC - theory| = %.4f", (table.p_one_input - table.theory).abs().max())
evidence.atomic_write_csv(table, snakemake.output.table)
