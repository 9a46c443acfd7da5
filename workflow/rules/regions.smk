# Regions family: exact linear-region counts, bounds and constructions (R1, R2, R3, R5, F10, A2, F11).
# Counts come from the exact 2-D engine (relulab.regions); bounds are exact integers (regions.bounds).

REG = config["regions"]
REG_THEORY_KEYS = ["budgets", "depths", "max_construction_regions", "maxout_ranks", "maxout_depths", "fixed_width",
                   "fixed_width_depths"]
REG_RANDOM_KEYS = ["bias_std", "random_widths", "random_depths", "budget", "budget_depths"]
REG_APPROX_KEYS = ["approx_tasks", "approx_widths", "approx_depths", "approx_n_train", "approx_n_test",
                   "approx_steps", "approx_lrs", "approx_grid"]
REG_DIGITS_KEYS = ["digits_widths", "digits_steps", "digits_lr", "digits_slices"]
REG_TABLES = ["bounds", "constructions", "fixed_width", "maxout", "trained", "digits", "scaling", "approx", "folding"]
REG_FIGURES = ["bounds", "folding", "scaling", "maps", "approx"]


# Counted surfaces checkpoints: every regression task, architecture and counted activation (init and
# trained parameters); the map figure uses the ReLU ones of one task, shallowest and deepest architecture.
REG_ACTIVATIONS = [a for a in REG["activations"] if a in config["surfaces"]["activations"]]
REG_CHECKPOINTS = expand("results/surfaces/models/{task}/{activation}/{arch}.pt", task=config["surfaces"]["tasks"],
                         activation=REG_ACTIVATIONS, arch=config["surfaces"]["archs"])
REG_METRICS = expand("results/surfaces/metrics/{task}/{activation}/{arch}.csv", task=config["surfaces"]["tasks"],
                     activation=REG_ACTIVATIONS, arch=config["surfaces"]["archs"])
REG_MAP_TASK = REG["map_task"] if REG["map_task"] in config["surfaces"]["tasks"] else config["surfaces"]["tasks"][0]
REG_MAP_MODELS = expand("results/surfaces/models/{task}/relu/{arch}.pt", task=REG_MAP_TASK,
                        arch=[config["surfaces"]["archs"][0], config["surfaces"]["archs"][-1]])


rule regions_theory:
    output:
        theory="results/regions/theory.csv",
        constructions="results/regions/constructions.csv",
        maxout="results/regions/maxout.csv",
        fixed_width="results/regions/fixed_width.csv",
    params:
        cfg={k: REG[k] for k in REG_THEORY_KEYS},
    log:
        log_path("regions", "theory"),
    benchmark:
        bench_path("regions", "theory")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    message:
        "regions: bounds and exact counts of the constructions"
    conda:
        CONDA_ENV
    script:
        "../scripts/regions_theory.py"


rule regions_random:
    output:
        grid="results/regions/random_grid.csv",
        budget="results/regions/random_budget.csv",
        folding="results/regions/folding.csv",
    params:
        cfg={k: REG[k] for k in REG_RANDOM_KEYS + ["fold_widths", "fold_points"]},
        seeds=seeds_list(),
    log:
        log_path("regions", "random"),
    benchmark:
        bench_path("regions", "random")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    message:
        "regions: random networks (width x depth grid, fixed budget, folding probe)"
    conda:
        CONDA_ENV
    script:
        "../scripts/regions_random.py"


rule regions_trained:
    input:
        models=REG_CHECKPOINTS,
        metrics=REG_METRICS,
    output:
        "results/regions/trained.csv",
    params:
        activations=REG_ACTIVATIONS,
    log:
        log_path("regions", "trained"),
    benchmark:
        bench_path("regions", "trained")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=15,
    message:
        "regions: exact counts of the surfaces checkpoints, at init and after training"
    conda:
        CONDA_ENV
    script:
        "../scripts/regions_trained.py"


rule regions_digits:
    output:
        counts="results/regions/digits.csv",
        final="results/regions/digits_final.csv",
    params:
        cfg={k: REG[k] for k in REG_DIGITS_KEYS},
        seeds=seeds_list(),
    log:
        log_path("regions", "digits"),
    benchmark:
        bench_path("regions", "digits")
    threads: config["threads"]
    resources:
        mem_mb=1000,
        runtime=15,
    message:
        "regions: digits MLP, regions in planes through test images"
    conda:
        CONDA_ENV
    script:
        "../scripts/regions_digits.py"


rule regions_approx:
    output:
        "results/regions/approx.csv",
    params:
        cfg={k: REG[k] for k in REG_APPROX_KEYS},
        seeds=seeds_list(),
        tuning_seeds=tuning_seeds_list(),
    log:
        log_path("regions", "approx"),
    benchmark:
        bench_path("regions", "approx")
    threads: config["threads"]
    resources:
        mem_mb=1000,
        runtime=30,
    message:
        "regions: width x depth sweep, test error vs linear regions"
    conda:
        CONDA_ENV
    script:
        "../scripts/regions_approx.py"


rule regions_plot:
    input:
        theory="results/regions/theory.csv",
        constructions="results/regions/constructions.csv",
        maxout="results/regions/maxout.csv",
        grid="results/regions/random_grid.csv",
        budget="results/regions/random_budget.csv",
        trained="results/regions/trained.csv",
        digits="results/regions/digits.csv",
        approx="results/regions/approx.csv",
        fixed_width="results/regions/fixed_width.csv",
        maps=REG_MAP_MODELS,
    output:
        bounds="results/regions/figures/bounds.png",
        folding="results/regions/figures/folding.png",
        scaling="results/regions/figures/scaling.png",
        maps="results/regions/figures/maps.png",
        approx="results/regions/figures/approx.png",
    params:
        fold_widths=REG["fold_widths"],
        bias_std=REG["bias_std"],
        base_seed=config["base_seed"],
    log:
        log_path("regions", "plot"),
    benchmark:
        bench_path("regions", "plot")
    threads: 1
    resources:
        mem_mb=1500,
        runtime=10,
    message:
        "regions: figures"
    conda:
        CONDA_ENV
    script:
        "../scripts/regions_plot.py"


rule regions_evidence:
    input:
        theory="results/regions/theory.csv",
        constructions="results/regions/constructions.csv",
        maxout="results/regions/maxout.csv",
        grid="results/regions/random_grid.csv",
        budget="results/regions/random_budget.csv",
        folding="results/regions/folding.csv",
        trained="results/regions/trained.csv",
        digits="results/regions/digits.csv",
        approx="results/regions/approx.csv",
        fixed_width="results/regions/fixed_width.csv",
        figures=expand("results/regions/figures/{name}.png", name=REG_FIGURES),
    output:
        claims="results/regions/claims.csv",
        manifest="results/regions/manifest.csv",
        values="results/regions/values.json",
        tables=expand("results/regions/tables/{name}.csv", name=REG_TABLES),
    log:
        log_path("regions", "evidence"),
    benchmark:
        bench_path("regions", "evidence")
    threads: 1
    resources:
        mem_mb=500,
        runtime=5,
    message:
        "regions: claim statistics and manifest"
    conda:
        CONDA_ENV
    script:
        "../scripts/regions_evidence.py"


register_family("regions")
