# Surfaces family: shallow vs deep networks at an equal hidden-unit budget on 2-D tasks (R4, A1, F1, A6).

SURF = config["surfaces"]


def surfaces_cells():
    """Every (task, activation, arch) trained: the regression grid and the classification grid."""
    reg = expand("{task}/{activation}/{arch}", task=SURF["tasks"], activation=SURF["activations"], arch=SURF["archs"])
    cls = expand("{task}/{activation}/{arch}", task=SURF["classify_tasks"], activation=SURF["classify_activations"],
                 arch=SURF["classify_archs"])
    return reg + cls


def surfaces_plot_models(wildcards):
    """ReLU and the first non-ReLU activation, shallowest and deepest architecture."""
    acts = ["relu"] + [a for a in SURF["activations"] if a != "relu"][:1]
    archs = [SURF["archs"][0], SURF["archs"][-1]] if len(SURF["archs"]) > 1 else SURF["archs"]
    acts = [a for a in acts if a in SURF["activations"]]
    return expand("results/surfaces/models/{task}/{activation}/{arch}.pt", task=wildcards.task, activation=acts,
                  arch=archs)


wildcard_constraints:
    task="|".join(SURF["tasks"] + SURF["classify_tasks"]),
    activation="|".join(set(SURF["activations"] + SURF["classify_activations"])),
    arch="|".join(set(SURF["archs"] + SURF["classify_archs"])),


rule surfaces_train:
    output:
        model="results/surfaces/models/{task}/{activation}/{arch}.pt",
        metrics="results/surfaces/metrics/{task}/{activation}/{arch}.csv",
        history="results/surfaces/history/{task}/{activation}/{arch}.csv",
        spec="results/surfaces/specs/{task}/{activation}/{arch}.json",
    params:
        cfg=SURF,
        seeds=seeds_list(),
    log:
        log_path("surfaces", "train_{task}_{activation}_{arch}"),
    benchmark:
        bench_path("surfaces", "train_{task}_{activation}_{arch}")
    threads: config["threads"]
    resources:
        mem_mb=1000,
        runtime=30,
    message:
        "surfaces: training {wildcards.task} {wildcards.activation} {wildcards.arch}"
    script:
        "../scripts/surfaces_train.py"


rule surfaces_evaluate:
    input:
        models=expand("results/surfaces/models/{cell}.pt", cell=surfaces_cells()),
        metrics=expand("results/surfaces/metrics/{cell}.csv", cell=surfaces_cells()),
    output:
        "results/surfaces/evaluation.csv",
    params:
        grid=SURF["planar_grid"],
    log:
        log_path("surfaces", "evaluate"),
    benchmark:
        bench_path("surfaces", "evaluate")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
    script:
        "../scripts/surfaces_evaluate.py"


rule surfaces_plot_surface:
    input:
        models=surfaces_plot_models,
    output:
        "results/surfaces/figures/surface_{task}.png",
    params:
        grid=SURF["grid"],
    log:
        log_path("surfaces", "plot_surface_{task}"),
    benchmark:
        bench_path("surfaces", "plot_surface_{task}")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/surfaces_plot_surface.py"


rule surfaces_plot_boundary:
    input:
        models=lambda wc: expand("results/surfaces/models/{task}/{activation}/{arch}.pt", task=wc.task,
                                 activation=SURF["classify_activations"][0], arch=SURF["classify_archs"])
        + expand("results/surfaces/models/{task}/{activation}/{arch}.pt", task=wc.task,
                 activation=SURF["classify_activations"][1:], arch=[a for a in SURF["classify_archs"] if a != "linear"]),
    output:
        "results/surfaces/figures/boundary_{task}.png",
    params:
        grid=SURF["grid"],
    log:
        log_path("surfaces", "plot_boundary_{task}"),
    benchmark:
        bench_path("surfaces", "plot_boundary_{task}")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/surfaces_plot_boundary.py"


rule surfaces_evidence:
    input:
        evaluation="results/surfaces/evaluation.csv",
        surface_figs=expand("results/surfaces/figures/surface_{task}.png", task=SURF["tasks"]),
        boundary_figs=expand("results/surfaces/figures/boundary_{task}.png", task=SURF["classify_tasks"]),
    output:
        claims="results/surfaces/claims.csv",
        manifest="results/surfaces/manifest.csv",
        values="results/surfaces/values.json",
        error_fig="results/surfaces/figures/error_vs_depth.png",
        error_table="results/surfaces/tables/error.csv",
        planarity_table="results/surfaces/tables/planarity.csv",
    params:
        tasks=SURF["tasks"],
        classify_tasks=SURF["classify_tasks"],
    log:
        log_path("surfaces", "evidence"),
    benchmark:
        bench_path("surfaces", "evidence")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    script:
        "../scripts/surfaces_evidence.py"


register_family("surfaces")
