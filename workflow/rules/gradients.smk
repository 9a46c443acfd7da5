# Gradients family: gradient flow, saturation, dying units and training speed across activations
# (A3 A4 A5 F2 F4 F5 F6 F7 F8 R6). Computation rules write tables; plotting and evidence rules only read them.

GRAD = config["gradients"]
GRAD_TABLES = "results/gradients/tables"
GRAD_FIGS = "results/gradients/figures"
GRAD_DATA = ("dataset", "n_train", "n_eval", "n_probe", "width", "batch_size", "eval_every")


rule gradients_layers:
    output:
        layers=f"{GRAD_TABLES}/layers_init.csv",
        jacobian=f"{GRAD_TABLES}/jacobian.csv",
        derivatives=f"{GRAD_TABLES}/derivatives.csv",
    params:
        cfg=config_slice("gradients", GRAD_DATA + ("depths", "activations", "inits", "jac_examples",)),
        seeds=seeds_list(),
    log:
        log_path("gradients", "layers"),
    benchmark:
        bench_path("gradients", "layers")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=20,
    message:
        "gradients: per-layer statistics at initialization"
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_layers.py"


rule gradients_track:
    output:
        track=f"{GRAD_TABLES}/layers_train.csv",
        deep=f"{GRAD_TABLES}/deep_history.csv",
    params:
        cfg=config_slice("gradients", GRAD_DATA + ("activations", "track_depth", "track_init", "track_lr", "track_steps", "track_every", "deep_depth", "deep_width", "deep_lr", "deep_momentum", "deep_steps",)),
        seeds=seeds_list(),
    log:
        log_path("gradients", "track"),
    benchmark:
        bench_path("gradients", "track")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
    message:
        "gradients: per-layer statistics along training and the deep Xavier/He networks"
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_track.py"


rule gradients_saturation:
    output:
        table=f"{GRAD_TABLES}/saturation_long.csv",
    params:
        cfg=config_slice("gradients", GRAD_DATA + ("track_depth", "track_init", "saturation_lrs", "saturation_steps", "saturation_every",)),
        seeds=seeds_list(),
    log:
        log_path("gradients", "saturation"),
    benchmark:
        bench_path("gradients", "saturation")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
    message:
        "gradients: long sigmoid runs per learning rate, does the top hidden layer saturate?"
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_saturation.py"


rule gradients_dying:
    output:
        sweep=f"{GRAD_TABLES}/dying.csv",
        spike_trajectory=f"{GRAD_TABLES}/spike_trajectory.csv",
        spike_fate=f"{GRAD_TABLES}/spike_fate.csv",
    params:
        cfg=config_slice("gradients", GRAD_DATA + ("dying_depths", "dying_lrs", "dying_steps", "spike_depth", "spike_lr", "spike_factor", "spike_step", "spike_steps",)),
        seeds=seeds_list(),
        tuning_seeds=tuning_seeds_list(),
    log:
        log_path("gradients", "dying"),
    benchmark:
        bench_path("gradients", "dying")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
    message:
        "gradients: dead ReLU units vs learning rate and depth; one large update"
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_dying.py"


rule gradients_born_dead:
    output:
        table=f"{GRAD_TABLES}/born_dead.csv",
    params:
        cfg={k: GRAD[k] for k in ("born_widths", "born_depths", "born_nets", "born_in_dim", "born_domain")},
        base_seed=config["base_seed"],
    log:
        log_path("gradients", "born_dead"),
    benchmark:
        bench_path("gradients", "born_dead")
    threads: config["threads"]
    resources:
        mem_mb=1000,
        runtime=10,
    message:
        "gradients: born-dead Monte Carlo vs Lu et al. 2019"
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_born_dead.py"


rule gradients_speed:
    output:
        history=f"{GRAD_TABLES}/speed_history.csv",
    params:
        cfg=config_slice("gradients", GRAD_DATA + ("speed_activations", "speed_lrs", "speed_depth", "speed_width", "speed_steps",)),
        seeds=seeds_list(),
        tuning_seeds=tuning_seeds_list(),
    log:
        log_path("gradients", "speed"),
    benchmark:
        bench_path("gradients", "speed")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=40,
    message:
        "gradients: learning-rate sweep per activation (speed and stability)"
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_speed.py"


rule gradients_centering:
    output:
        history=f"{GRAD_TABLES}/centering_history.csv",
        drift=f"{GRAD_TABLES}/drift.csv",
    params:
        cfg=config_slice("gradients", GRAD_DATA + ("centering_activations", "centering_relu_arms", "centering_lrs", "centering_relu_lrs", "centering_target_acc", "centering_depth", "centering_width", "centering_steps", "drift_lr", "drift_units",)),
        seeds=seeds_list(),
        tuning_seeds=tuning_seeds_list(),
    log:
        log_path("gradients", "centering"),
    benchmark:
        bench_path("gradients", "centering")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
    message:
        "gradients: zero-centred activations, batch norm and input drift"
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_centering.py"


rule gradients_flow_training:
    output:
        probes=f"{GRAD_TABLES}/flow_training.csv",
        final=f"{GRAD_TABLES}/flow_training_final.csv",
    params:
        cfg=config_slice("gradients", GRAD_DATA + ("flow_activations", "flow_depth", "flow_width", "flow_lrs", "flow_steps", "flow_every",)),
        seeds=seeds_list(),
        tuning_seeds=tuning_seeds_list(),
    log:
        log_path("gradients", "flow_training"),
    benchmark:
        bench_path("gradients", "flow_training")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
    message:
        "gradients: gradient flow and saturation during training, each activation with its own init and rate (R6)"
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_flow_training.py"


rule gradients_f6:
    output:
        history=f"{GRAD_TABLES}/f6_history.csv",
        probes=f"{GRAD_TABLES}/f6_probes.csv",
    params:
        cfg=config_slice("gradients", GRAD_DATA + ("f6_depth", "f6_width", "f6_batch_size", "f6_lrs", "f6_steps", "f6_every", "f6_target_acc",)),
        seeds=seeds_list(),
        tuning_seeds=tuning_seeds_list(),
    log:
        log_path("gradients", "f6"),
    benchmark:
        bench_path("gradients", "f6")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
    message:
        "gradients: Glorot & Bengio 2010 scaled, standard vs normalized init (F6)"
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_f6.py"


rule gradients_small_nets:
    output:
        history=f"{GRAD_TABLES}/small_nets_history.csv",
    params:
        cfg=config_slice("gradients", GRAD_DATA + ("speed_depth", "speed_width", "init_scale_lr", "init_scale_steps", "staircase_lr", "staircase_steps",)),
        seeds=seeds_list(),
    log:
        log_path("gradients", "small_nets"),
    benchmark:
        bench_path("gradients", "small_nets")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=20,
    message:
        "gradients: small initialization (tanh vs sigmoid) and ReLU vs staircase"
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_small_nets.py"


rule gradients_plot_layers:
    input:
        f6_probes=rules.gradients_f6.output.probes,
        layers=rules.gradients_layers.output.layers,
        track=rules.gradients_track.output.track,
        deep=rules.gradients_track.output.deep,
        saturation=rules.gradients_saturation.output.table,
    output:
        heatmap=f"{GRAD_FIGS}/gradient_heatmap.png",
        training=f"{GRAD_FIGS}/training_layers.png",
        saturation=f"{GRAD_FIGS}/saturation_long.png",
        f6=f"{GRAD_FIGS}/f6_percentiles.png",
    log:
        log_path("gradients", "plot_layers"),
    benchmark:
        bench_path("gradients", "plot_layers")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_plot_layers.py"


rule gradients_plot_dying:
    input:
        sweep=rules.gradients_dying.output.sweep,
        spike_trajectory=rules.gradients_dying.output.spike_trajectory,
        born=rules.gradients_born_dead.output.table,
    output:
        dead=f"{GRAD_FIGS}/dead_units.png",
        born=f"{GRAD_FIGS}/born_dead.png",
    params:
        spike_step=GRAD["spike_step"],
    log:
        log_path("gradients", "plot_dying"),
    benchmark:
        bench_path("gradients", "plot_dying")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_plot_dying.py"


rule gradients_plot_speed:
    input:
        speed=rules.gradients_speed.output.history,
        centering=rules.gradients_centering.output.history,
        drift=rules.gradients_centering.output.drift,
    output:
        speed=f"{GRAD_FIGS}/speed.png",
        drift=f"{GRAD_FIGS}/drift.png",
    params:
        target_error=GRAD["speed_target_error"],
        target_acc=GRAD["centering_target_acc"],
    log:
        log_path("gradients", "plot_speed"),
    benchmark:
        bench_path("gradients", "plot_speed")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_plot_speed.py"


rule gradients_evidence:
    input:
        layers=rules.gradients_layers.output.layers,
        derivatives=rules.gradients_layers.output.derivatives,
        jacobian=rules.gradients_layers.output.jacobian,
        track=rules.gradients_track.output.track,
        deep=rules.gradients_track.output.deep,
        sweep=rules.gradients_dying.output.sweep,
        spike_fate=rules.gradients_dying.output.spike_fate,
        born=rules.gradients_born_dead.output.table,
        speed=rules.gradients_speed.output.history,
        centering=rules.gradients_centering.output.history,
        drift=rules.gradients_centering.output.drift,
        small=rules.gradients_small_nets.output.history,
        saturation=rules.gradients_saturation.output.table,
        flow_probes=rules.gradients_flow_training.output.probes,
        flow_final=rules.gradients_flow_training.output.final,
        f6_history=rules.gradients_f6.output.history,
        f6_probes=rules.gradients_f6.output.probes,
        figures=rules.gradients_plot_layers.output + rules.gradients_plot_dying.output
        + rules.gradients_plot_speed.output,
    output:
        claims="results/gradients/claims.csv",
        manifest="results/gradients/manifest.csv",
        values="results/gradients/values.json",
        decay=f"{GRAD_TABLES}/summary_decay.csv",
        dead=f"{GRAD_TABLES}/summary_dead.csv",
        spike=f"{GRAD_TABLES}/summary_spike.csv",
        born=f"{GRAD_TABLES}/summary_born_dead.csv",
        speed=f"{GRAD_TABLES}/summary_speed.csv",
        centering=f"{GRAD_TABLES}/summary_centering.csv",
        small=f"{GRAD_TABLES}/summary_small_nets.csv",
        replication=f"{GRAD_TABLES}/replication.csv",
        flow=f"{GRAD_TABLES}/summary_flow_training.csv",
        f6=f"{GRAD_TABLES}/summary_f6.csv",
    params:
        cfg={k: GRAD[k] for k in ("speed_target_error", "speed_lrs", "centering_target_acc", "f6_target_acc")},
        papers=config_slice("gradients", ("dataset", "n_train", "batch_size", "f6_depth", "f6_width",
                                          "f6_batch_size", "f6_steps", "deep_depth", "deep_width",
                                          "deep_momentum", "deep_steps", "speed_depth", "speed_width", "speed_steps",
                                          "speed_target_error", "centering_depth", "centering_width",
                                          "centering_steps", "born_widths", "born_depths", "born_nets")),
    log:
        log_path("gradients", "evidence"),
    benchmark:
        bench_path("gradients", "evidence")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        CONDA_ENV
    script:
        "../scripts/gradients_evidence.py"


register_family("gradients")
