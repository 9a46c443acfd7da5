# Shared helpers: config validation, family registration, seeds, paths for logs and benchmarks.
import os

from snakemake.exceptions import WorkflowError

from relulab.core import configuration
from relulab.core.stats import TUNING_OFFSET


try:
    configuration.validate(config, configuration.load_schema(os.path.join(workflow.basedir, "config", "schema.yaml")))
except configuration.ConfigError as err:
    raise WorkflowError(f"Invalid configuration: {err}") from None

# A missing data set stops the dry run, not a job half way through the study. Jobs find the folder
# through the environment (it does not change results, so it is not a param that would rerun them).
DATA_PROBLEM = configuration.data_problem(config)
if DATA_PROBLEM:
    raise WorkflowError(f"Missing data: {DATA_PROBLEM}")
configuration.export_data_dir(config)


# Every rule runs in this software environment under --use-conda (see workflow/envs/relulab.yaml).
CONDA_ENV = "../envs/relulab.yaml"


# Experiment families register here; the verdicts and report rules collect their evidence tables.
FAMILIES = []


def register_family(name):
    FAMILIES.append(name)


def family_tables(kind):
    """Evidence tables of every registered family: kind is 'claims' or 'manifest'."""
    return [f"results/{family}/{kind}.csv" for family in FAMILIES]


def config_slice(family, keys):
    """Only these keys of config[family] reach a job, so editing any other key does not rerun it."""
    return {k: config[family][k] for k in keys}


def seeds_list():
    """The seeds every grid cell trains together."""
    return [config["base_seed"] + i for i in range(config["seeds"])]


def tuning_seeds_list():
    """Seeds on which hyper-parameters are chosen; disjoint from seeds_list() (see core.runtime.tuning_seeds)."""
    return [config["base_seed"] + TUNING_OFFSET + i for i in range(config["tuning_seeds"])]


def log_path(family, name):
    return f"results/logs/{family}/{name}.log"


def bench_path(family, name):
    return f"results/benchmarks/{family}/{name}.tsv"


# surfaces family


def surfaces_cells():
    """Every (task, activation, arch) trained: the regression grid and the classification grid."""
    surf = config["surfaces"]
    reg = expand("{task}/{activation}/{arch}", task=surf["tasks"], activation=surf["activations"], arch=surf["archs"])
    cls = expand("{task}/{activation}/{arch}", task=surf["classify_tasks"], activation=surf["classify_activations"],
                 arch=surf["classify_archs"])
    return reg + cls


def surfaces_plot_models(wildcards):
    """ReLU and the first non-ReLU activation, shallowest and deepest architecture."""
    surf = config["surfaces"]
    acts = [a for a in ["relu"] + [a for a in surf["activations"] if a != "relu"][:1] if a in surf["activations"]]
    archs = [surf["archs"][0], surf["archs"][-1]] if len(surf["archs"]) > 1 else surf["archs"]
    return expand("results/surfaces/models/{task}/{activation}/{arch}.pt", task=wildcards.task, activation=acts,
                  arch=archs)


def surfaces_boundary_models(wildcards):
    """The linear classifier (arch 'linear', first activation) and every non-linear classifier."""
    surf = config["surfaces"]
    linear = [a for a in surf["classify_archs"] if a == "linear"]
    deep = [a for a in surf["classify_archs"] if a != "linear"]
    return expand("results/surfaces/models/{task}/{activation}/{arch}.pt", task=wildcards.task,
                  activation=surf["classify_activations"][0], arch=linear) + expand(
        "results/surfaces/models/{task}/{activation}/{arch}.pt", task=wildcards.task,
        activation=surf["classify_activations"], arch=deep)


# images family


def images_seeds():
    """The seeds of the images family: the first images.seeds of the global seeds."""
    return seeds_list()[: config["images"]["seeds"]]


def images_acts(size):
    """The activations of the images grid on one training-set size: images.full_activations on the full set,
    images.activations on the small one."""
    return config["images"]["full_activations" if size == "full" else "activations"]


def images_models():
    """Every model variant the images family trains: relulab.studies.images.experiments.model_names without importing torch."""
    fixed = ["cnn", "cnn_nopool", "cnn_shuffled", "cnn_rotaug", "cnn_wide_rotaug", "head_random", "mlp_linear",
             "mlp_identity"]
    return fixed + [f"mlp_{w}" for w in config["images"]["mlp_widths"]]
