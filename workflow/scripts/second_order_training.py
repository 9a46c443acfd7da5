"""Damped Newton and Hessian-free vs SGD and Adam at equal gradient-equivalent passes (H3, H7); first-order learning
rates chosen on the tuning seeds, every method reported on the evaluation seeds."""
from relulab.core import evidence, runtime
from relulab.studies.second_order import training

log = runtime.start(snakemake)
cfg, seeds, tuning, out = snakemake.params.cfg, snakemake.params.seeds, snakemake.params.tuning_seeds, snakemake.output
tiny = training.tiny_training(cfg, seeds, tuning)
log.info("tiny network (%d parameters):\n%s", tiny.n_params.iloc[0], training.best_runs(tiny, cfg["tiny_passes"]))
evidence.atomic_write_csv(tiny, out.tiny)
ae = training.autoencoder(cfg, seeds, tuning)
log.info("autoencoder (%d parameters):\n%s", ae.n_params.iloc[0], training.best_runs(ae, cfg["ae_passes"]))
evidence.atomic_write_csv(ae, out.autoencoder)
