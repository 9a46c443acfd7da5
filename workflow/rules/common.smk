# Shared helpers: config validation, family registration, seeds, paths for logs and benchmarks.
import os

from snakemake.exceptions import WorkflowError

from relulab import configuration


try:
    configuration.validate(config, configuration.load_schema(os.path.join(workflow.basedir, "config", "schema.yaml")))
except configuration.ConfigError as err:
    raise WorkflowError(f"Invalid configuration: {err}") from None


# Experiment families register here; the verdicts and report rules collect their evidence tables.
FAMILIES = []


def register_family(name):
    FAMILIES.append(name)


def family_tables(kind):
    """Evidence tables of every registered family: kind is 'claims' or 'manifest'."""
    return [f"results/{family}/{kind}.csv" for family in FAMILIES]


def seeds_list():
    """The seeds every grid cell trains together."""
    return [config["base_seed"] + i for i in range(config["seeds"])]


def log_path(family, name):
    return f"results/logs/{family}/{name}.log"


def bench_path(family, name):
    return f"results/benchmarks/{family}/{name}.tsv"
