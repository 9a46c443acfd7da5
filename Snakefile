# relulab: experiments that test popular claims about ReLU networks.
# `snakemake --cores 8` builds results/report/index.html from config/config.yaml.
from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/surfaces.smk"
include: "workflow/rules/gradients.smk"
include: "workflow/rules/regions.smk"
include: "workflow/rules/second_order.smk"
include: "workflow/rules/images.smk"
include: "workflow/rules/claims.smk"
include: "workflow/rules/report.smk"


rule all:
    input:
        "results/claims/verdicts.csv",
        "results/report/index.html",
    default_target: True
