"""The CNN with one activation (of the ReLU family or a smooth one) on the full or small training set."""
from relulab.core import evidence, runtime
from relulab.studies.images import experiments

log = runtime.start(snakemake)
p = snakemake.params
final, history = experiments.train_activation(p.cfg, p.size, snakemake.wildcards.img_act, p.seeds, log=log)
evidence.atomic_write_csv(final, snakemake.output.final)
evidence.atomic_write_csv(history, snakemake.output.history)
