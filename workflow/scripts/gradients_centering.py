"""Zero-centred outputs (A5): sigmoid, sigmoid - 1/2, tanh, scaled tanh, sigmoid + batch norm; ReLU, ReLU + batch
norm, ELU (He init); input drift."""
from relulab.studies.gradients import convergence
from relulab.core import evidence, runtime
from relulab.studies.gradients.convergence import RunSpec

log = runtime.start(snakemake)
cfg, seeds = snakemake.params.cfg, snakemake.params.seeds
split = convergence.load_split(cfg)
widths = (cfg["centering_width"],) * cfg["centering_depth"]
variants = [(a, False) for a in cfg["centering_activations"]] + [("sigmoid", True)] + [
    (a.removesuffix("_bn"), a.endswith("_bn")) for a in cfg["centering_relu_arms"]]
arms = {f"{a}{'_bn' if bn else ''}": [
    RunSpec(a, widths, init="he" if a in ("relu", "elu") else "xavier", batch_norm=bn, lr=lr,
            steps=cfg["centering_steps"], batch_size=cfg["batch_size"], eval_every=cfg["eval_every"])
    for lr in cfg["centering_relu_lrs" if a in ("relu", "elu") else "centering_lrs"]] for a, bn in variants}
hist = convergence.run_tuned_cells(arms, *convergence.train_args(split), col="test_acc",
                                   threshold=cfg["centering_target_acc"], seeds=seeds,
                                   tuning_seeds=snakemake.params.tuning_seeds, log=log)
evidence.atomic_write_csv(hist, snakemake.output.history)
drift = convergence.drift_experiment(split, widths=widths, lr=cfg["drift_lr"], steps=cfg["centering_steps"],
                                     batch_size=cfg["batch_size"], every=cfg["eval_every"] * 5,
                                     units=cfg["drift_units"], seeds=seeds)
evidence.atomic_write_csv(drift, snakemake.output.drift)
