"""The CNN with every activation of the ReLU family and smooth ones, on the full or small training set."""
from relulab.core import evidence, runtime
from relulab.studies.images import experiments

log = runtime.start(snakemake)
final, history = experiments.train_activations(snakemake.params.cfg, snakemake.params.size, snakemake.params.seeds,
                                               log=log)
evidence.atomic_write_csv(final, snakemake.output.final)
evidence.atomic_write_csv(history, snakemake.output.history)
