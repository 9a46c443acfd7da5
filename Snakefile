# relulab: experiments that test popular claims about ReLU networks.
# `snakemake --cores 8` builds results/report/index.html from config/config.yaml.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/surfaces.smk"
include: "workflow/rules/claims.smk"


rule all:
    input:
        "results/claims/verdicts.csv",
    default_target: True
