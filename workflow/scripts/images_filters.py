"""Gabor fits and rotated pairs of first-layer filters: trained, the same networks at init, shuffled labels."""
from relulab.studies.images import cnn, experiments
from relulab.core import evidence, runtime

log = runtime.start(snakemake)
trained = experiments.load_stack(snakemake.input.cnn)
banks = {"trained": trained, "random_init": cnn.Stack(trained.spec, trained.seeds),
         "shuffled_labels": experiments.load_stack(snakemake.input.shuffled)}
filters, pairs = experiments.filter_tables(banks, snakemake.params.threshold)
log.info("median R^2 by kind:\n%s", filters.groupby("kind").r2.median())
evidence.atomic_write_csv(filters, snakemake.output.filters)
evidence.atomic_write_csv(pairs, snakemake.output.pairs)
