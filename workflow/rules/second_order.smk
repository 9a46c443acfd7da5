# Second-order family: second derivatives, Newton, exact Hessians, Hessian-free, RMSProp curvature and
# hand-written back-propagation (H1-H7, F3, R7). Computation rules write tables; plots and evidence only read them.

SO = config["second_order"]
SO_TABLES = "results/second_order/tables"
SO_FIGS = "results/second_order/figures"


rule second_order_elementary:
    output:
        derivatives=f"{SO_TABLES}/derivatives.csv",
        newton=f"{SO_TABLES}/newton_paths.csv",
        neuron=f"{SO_TABLES}/neuron_newton.csv",
        convexity=f"{SO_TABLES}/convexity.csv",
        landscape=f"{SO_TABLES}/landscape_1d.csv",
        minima=f"{SO_TABLES}/minima_1d.csv",
        gradcheck=f"{SO_TABLES}/gradcheck.csv",
    params:
        cfg={k: SO[k] for k in ("fd_step", "fd_points", "transfer_functions", "newton_starts", "newton_steps",
                                "neuron_n", "neuron_in_dim", "neuron_steps", "convex_points", "convex_scale",
                                "oned_x", "oned_y", "oned_w_max", "oned_grid", "oned_prominence",
                                "check_activations", "check_widths", "check_n")},
        seeds=seeds_list(),
    log:
        log_path("second_order", "elementary"),
    benchmark:
        bench_path("second_order", "elementary")
    threads: config["threads"]
    resources:
        mem_mb=1000,
        runtime=10,
    message:
        "second_order: transfer-function derivatives, Newton, one neuron, convexity, gradient check"
    conda:
        CONDA_ENV
    script:
        "../scripts/second_order_elementary.py"


rule second_order_structure:
    output:
        blocks=f"{SO_TABLES}/blocks.csv",
        zeros=f"{SO_TABLES}/zeros.csv",
        spectra=f"{SO_TABLES}/spectra.csv",
        products=f"{SO_TABLES}/products.csv",
    params:
        cfg={k: SO[k] for k in ("structure_activations", "structure_widths", "structure_loss", "structure_n",
                                "output_examples", "structure_train_steps", "structure_train_lr")},
        seeds=seeds_list(),
    log:
        log_path("second_order", "structure"),
    benchmark:
        bench_path("second_order", "structure")
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=20,
    message:
        "second_order: exact loss and output Hessians of small digits networks"
    conda:
        CONDA_ENV
    script:
        "../scripts/second_order_structure.py"


rule second_order_scaling:
    output:
        scaling=f"{SO_TABLES}/scaling.csv",
    params:
        cfg={k: SO[k] for k in ("scaling_widths", "scaling_n", "scaling_repeats")},
        seed=config["base_seed"],
    log:
        log_path("second_order", "scaling"),
    benchmark:
        bench_path("second_order", "scaling")
    threads: config["threads"]
    resources:
        mem_mb=4000,
        runtime=10,
    message:
        "second_order: time and memory of the explicit Hessian vs Hessian-vector products as networks grow"
    conda:
        CONDA_ENV
    script:
        "../scripts/second_order_scaling.py"


rule second_order_training:
    output:
        tiny=f"{SO_TABLES}/training_tiny.csv",
        autoencoder=f"{SO_TABLES}/training_autoencoder.csv",
    params:
        cfg={k: SO[k] for k in ("tiny_task", "tiny_widths", "tiny_n", "tiny_passes", "cg_iters", "hf_damping",
                                "sgd_lrs", "adam_lrs", "ae_widths", "ae_activation", "ae_n", "ae_passes",
                                "ae_cg_iters", "ae_sgd_lrs", "ae_adam_lrs")},
        seeds=seeds_list(),
        tuning_seeds=tuning_seeds_list(),
    log:
        log_path("second_order", "training"),
    benchmark:
        bench_path("second_order", "training")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
    message:
        "second_order: damped Newton and Hessian-free vs SGD and Adam at equal gradient-equivalent passes"
    conda:
        CONDA_ENV
    script:
        "../scripts/second_order_training.py"


rule second_order_rmsprop:
    output:
        table=f"{SO_TABLES}/rmsprop.csv",
    params:
        cfg={k: SO[k] for k in ("rms_widths", "rms_n", "rms_probe", "rms_lr", "rms_alpha", "rms_batch",
                                "rms_steps", "rms_every", "rms_gn_damping")},
        seeds=seeds_list(),
        tuning_seeds=tuning_seeds_list(),
    log:
        log_path("second_order", "rmsprop"),
    benchmark:
        bench_path("second_order", "rmsprop")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=20,
    message:
        "second_order: RMSProp's second-moment estimate vs the Gauss-Newton diagonal along training"
    conda:
        CONDA_ENV
    script:
        "../scripts/second_order_rmsprop.py"


rule second_order_plots:
    input:
        **rules.second_order_elementary.output,
        **rules.second_order_structure.output,
        **rules.second_order_scaling.output,
        **rules.second_order_training.output,
        rmsprop=rules.second_order_rmsprop.output.table,
    output:
        newton=f"{SO_FIGS}/newton.png",
        convexity=f"{SO_FIGS}/convexity.png",
        hessian=f"{SO_FIGS}/hessian_blocks.png",
        spectra=f"{SO_FIGS}/spectra.png",
        scaling=f"{SO_FIGS}/scaling.png",
        training=f"{SO_FIGS}/training.png",
        rmsprop=f"{SO_FIGS}/rmsprop.png",
    params:
        tiny_passes=SO["tiny_passes"],
        ae_passes=SO["ae_passes"],
    log:
        log_path("second_order", "plots"),
    benchmark:
        bench_path("second_order", "plots")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        CONDA_ENV
    script:
        "../scripts/second_order_plots.py"


rule second_order_evidence:
    input:
        **rules.second_order_elementary.output,
        **rules.second_order_structure.output,
        **rules.second_order_scaling.output,
        **rules.second_order_training.output,
        rmsprop=rules.second_order_rmsprop.output.table,
        figures=list(rules.second_order_plots.output),
    output:
        claims="results/second_order/claims.csv",
        manifest="results/second_order/manifest.csv",
        values="results/second_order/values.json",
        hessian_norms=f"{SO_TABLES}/summary_hessian_norms.csv",
        zeros=f"{SO_TABLES}/summary_zeros.csv",
        scaling=f"{SO_TABLES}/summary_scaling.csv",
        training=f"{SO_TABLES}/summary_training.csv",
        rmsprop=f"{SO_TABLES}/summary_rmsprop.csv",
        gradcheck=f"{SO_TABLES}/summary_gradcheck.csv",
        newton=f"{SO_TABLES}/summary_newton.csv",
        derivatives=f"{SO_TABLES}/summary_derivatives.csv",
    params:
        extrapolate_params=SO["extrapolate_params"],
        tiny_passes=SO["tiny_passes"],
        ae_passes=SO["ae_passes"],
    log:
        log_path("second_order", "evidence"),
    benchmark:
        bench_path("second_order", "evidence")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        CONDA_ENV
    script:
        "../scripts/second_order_evidence.py"


register_family("second_order")
