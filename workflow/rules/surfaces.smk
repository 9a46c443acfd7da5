# Surfaces family: shallow vs deep networks at an equal hidden-unit budget on 2-D tasks (R4, A1, F1, A6).

SURF = config["surfaces"]
# Only these keys change what a network learns; plot and statistics settings must not retrain.
SURF_TRAIN_KEYS = ["init", "n_train", "n_test", "noise", "optimizer", "lr", "steps", "batch_size"]


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
        cfg={k: SURF[k] for k in SURF_TRAIN_KEYS},
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
    conda:
        CONDA_ENV
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
    conda:
        CONDA_ENV
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
    conda:
        CONDA_ENV
    script:
        "../scripts/surfaces_plot_surface.py"


rule surfaces_plot_boundary:
    input:
        models=surfaces_boundary_models,
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
    conda:
        CONDA_ENV
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
    conda:
        CONDA_ENV
    script:
        "../scripts/surfaces_evidence.py"


register_family("surfaces")
