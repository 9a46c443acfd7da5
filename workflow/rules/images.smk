# Images family: CNNs and the ReLU family on real images (C1-C7, F9, F12; extra rows for F7, F1).
# Training rules write checkpoints and tables; analysis rules read checkpoints; plots and evidence only tables.

IMG = config["images"]
IMG_DIR = "results/images"
IMG_TRAIN_KEYS = ("dataset", "n_train", "n_eval", "channels", "kernels", "head", "epochs", "batch_size", "lr",
                  "weight_decay", "wide_factor", "rotation_train", "mlp_widths", "identity_widths")
IMG_ACT_KEYS = ("dataset", "n_eval", "channels", "kernels", "head", "batch_size", "lr", "weight_decay",
                "speed_target_error", "match_train_error")
IMG_PROBE_KEYS = ("dataset", "n_train", "n_eval", "epochs", "batch_size", "lr", "weight_decay", "probe_n_train",
                  "probe_l2", "probe_iters", "channel_fraction")

IMG_REPORT_KEYS = ("dataset", "channels", "kernels", "head", "full_epochs", "small_epochs", "n_eval", "probe_n_train",
                   "wide_factor", "rotation_train", "pair_threshold", "channel_fraction", "speed_target_error",
                   "batch_size", "lr", "match_train_error")


wildcard_constraints:
    img_model="|".join(images_models()),
    img_size="full|small",
    img_act="|".join(dict.fromkeys(IMG["activations"] + IMG["full_activations"])),


rule images_train:
    output:
        model=f"{IMG_DIR}/models/{{img_model}}.pt",
        metrics=f"{IMG_DIR}/metrics/{{img_model}}.csv",
    params:
        cfg={k: IMG[k] for k in IMG_TRAIN_KEYS},
        seeds=images_seeds(),
    log:
        log_path("images", "train_{img_model}"),
    benchmark:
        bench_path("images", "train_{img_model}")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=15,
    message:
        "images: train {wildcards.img_model} for every seed"
    conda:
        CONDA_ENV
    script:
        "../scripts/images_train.py"


rule images_activation:
    output:
        final=f"{IMG_DIR}/tables/activations/{{img_size}}/{{img_act}}.csv",
        history=f"{IMG_DIR}/tables/activations/{{img_size}}/{{img_act}}_history.csv",
    params:
        cfg=lambda wc: {**{k: IMG[k] for k in IMG_ACT_KEYS}, **{k: IMG[k] for k in IMG if k.startswith(wc.img_size)}},
        size=lambda wc: wc.img_size,
        seeds=images_seeds(),
    log:
        log_path("images", "activation_{img_size}_{img_act}"),
    benchmark:
        bench_path("images", "activation_{img_size}_{img_act}")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
    message:
        "images: the CNN with {wildcards.img_act} on the {wildcards.img_size} training set"
    conda:
        CONDA_ENV
    script:
        "../scripts/images_activation.py"


rule images_activations:
    input:
        final=lambda wc: expand(f"{IMG_DIR}/tables/activations/{wc.img_size}/{{act}}.csv", act=images_acts(wc.img_size)),
        history=lambda wc: expand(
            f"{IMG_DIR}/tables/activations/{wc.img_size}/{{act}}_history.csv", act=images_acts(wc.img_size)
        ),
    output:
        final=f"{IMG_DIR}/tables/activations_{{img_size}}.csv",
        history=f"{IMG_DIR}/tables/activations_{{img_size}}_history.csv",
    log:
        log_path("images", "activations_{img_size}"),
    benchmark:
        bench_path("images", "activations_{img_size}")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    message:
        "images: joining the activation tables of the {wildcards.img_size} training set"
    conda:
        CONDA_ENV
    script:
        "../scripts/images_activations.py"


rule images_filters:
    input:
        cnn=f"{IMG_DIR}/models/cnn.pt",
        shuffled=f"{IMG_DIR}/models/cnn_shuffled.pt",
    output:
        filters=f"{IMG_DIR}/tables/filters.csv",
        pairs=f"{IMG_DIR}/tables/filter_pairs.csv",
    params:
        threshold=IMG["pair_threshold"],
    log:
        log_path("images", "filters"),
    benchmark:
        bench_path("images", "filters")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    message:
        "images: Gabor fits of first-layer filters (trained, initial, shuffled labels)"
    conda:
        CONDA_ENV
    script:
        "../scripts/images_filters.py"


rule images_probes:
    input:
        cnn=f"{IMG_DIR}/models/cnn.pt",
    output:
        probes=f"{IMG_DIR}/tables/probes.csv",
        channels=f"{IMG_DIR}/tables/channels.csv",
        head=f"{IMG_DIR}/tables/head.csv",
    params:
        cfg={k: IMG[k] for k in IMG_PROBE_KEYS},
    log:
        log_path("images", "probes"),
    benchmark:
        bench_path("images", "probes")
    threads: config["threads"]
    resources:
        mem_mb=3000,
        runtime=15,
    message:
        "images: linear probes per layer, channel counts and ablations, retrained heads"
    conda:
        CONDA_ENV
    script:
        "../scripts/images_probes.py"


rule images_invariance:
    input:
        models=expand(f"{IMG_DIR}/models/{{m}}.pt", m=["cnn", "cnn_nopool", "cnn_rotaug", "cnn_wide_rotaug"]),
    output:
        table=f"{IMG_DIR}/tables/invariance.csv",
    params:
        cfg={k: IMG[k] for k in ("dataset", "n_eval", "shifts", "angles")},
    log:
        log_path("images", "invariance"),
    benchmark:
        bench_path("images", "invariance")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=10,
    message:
        "images: accuracy and feature similarity under shifted and rotated test images"
    conda:
        CONDA_ENV
    script:
        "../scripts/images_invariance.py"


rule images_plots:
    input:
        metrics=expand(f"{IMG_DIR}/metrics/{{m}}.csv", m=images_models()),
        acts=expand(f"{IMG_DIR}/tables/activations_{{s}}.csv", s=["full", "small"]),
        filters=f"{IMG_DIR}/tables/filters.csv",
        cnn=f"{IMG_DIR}/models/cnn.pt",
        probes=f"{IMG_DIR}/tables/probes.csv",
        invariance=f"{IMG_DIR}/tables/invariance.csv",
    output:
        filters=f"{IMG_DIR}/figures/filters.png",
        probes=f"{IMG_DIR}/figures/probes.png",
        invariance=f"{IMG_DIR}/figures/invariance.png",
        params=f"{IMG_DIR}/figures/params_accuracy.png",
        activations=f"{IMG_DIR}/figures/activations.png",
    log:
        log_path("images", "plots"),
    benchmark:
        bench_path("images", "plots")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    message:
        "images: figures"
    conda:
        CONDA_ENV
    script:
        "../scripts/images_plots.py"


rule images_evidence:
    input:
        metrics=expand(f"{IMG_DIR}/metrics/{{m}}.csv", m=images_models()),
        acts=expand(f"{IMG_DIR}/tables/activations_{{s}}.csv", s=["full", "small"]),
        filters=f"{IMG_DIR}/tables/filters.csv",
        pairs=f"{IMG_DIR}/tables/filter_pairs.csv",
        probes=f"{IMG_DIR}/tables/probes.csv",
        channels=f"{IMG_DIR}/tables/channels.csv",
        head=f"{IMG_DIR}/tables/head.csv",
        invariance=f"{IMG_DIR}/tables/invariance.csv",
        figures=rules.images_plots.output,
        f7_claims=f"{IMG_DIR}/tables/f7_claims.csv",
        f7_summary=f"{IMG_DIR}/tables/f7_speed.csv",
    output:
        claims=f"{IMG_DIR}/claims.csv",
        manifest=f"{IMG_DIR}/manifest.csv",
        values=f"{IMG_DIR}/values.json",
        activation_table=f"{IMG_DIR}/tables/activation_summary.csv",
        params_table=f"{IMG_DIR}/tables/params_accuracy.csv",
        channels_table=f"{IMG_DIR}/tables/channels_summary.csv",
    params:
        shift_probe=IMG["shift_probe"],
        cfg={k: IMG[k] for k in IMG_REPORT_KEYS},
    log:
        log_path("images", "evidence"),
    benchmark:
        bench_path("images", "evidence")
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    message:
        "images: claim statistics, summary tables and manifest"
    conda:
        CONDA_ENV
    script:
        "../scripts/images_evidence.py"


register_family("images")


# F7 replication of Krizhevsky et al. 2012 (Fig. 1): CNN depth sweep, SGD with momentum, each arm's rate tuned.
IMG_F7_KEYS = ("dataset",) + tuple(k for k in IMG if k.startswith("f7_"))


rule images_f7_speed:
    output:
        table=f"{IMG_DIR}/tables/f7_speed_runs.csv",
        summary=f"{IMG_DIR}/tables/f7_speed.csv",
        claims=f"{IMG_DIR}/tables/f7_claims.csv",
    params:
        cfg={k: IMG[k] for k in IMG_F7_KEYS},
        seeds=images_seeds(),
        tuning_seeds=tuning_seeds_list(),
    log:
        log_path("images", "f7_speed"),
    benchmark:
        bench_path("images", "f7_speed")
    threads: config["threads"]
    resources:
        mem_mb=2000,
        runtime=20,
    message:
        "images: F7, steps to the target training error of ReLU and tanh CNNs (SGD with momentum, depth sweep)"
    conda:
        CONDA_ENV
    script:
        "../scripts/images_f7_speed.py"
