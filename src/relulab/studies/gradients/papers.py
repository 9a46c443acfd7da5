"""The replication table of the gradients family: for every cited paper, its setup, ours (read from the config
the study ran with) and the difference, so a reader can tell a disagreement about the claim from one about the
setup. config/paper.yaml holds settings as close to these papers as the code allows."""

from __future__ import annotations

import pandas as pd

# Keys of config["gradients"] the table reads.
KEYS = ("dataset", "n_train", "batch_size", "f6_depth", "f6_width", "f6_batch_size", "f6_steps", "deep_depth",
        "deep_width", "deep_momentum", "deep_steps", "speed_depth", "speed_width", "speed_steps", "speed_target_error", "centering_depth", "centering_width", "centering_steps", "born_widths",
        "born_depths", "born_nets")


def _data(c: dict) -> str:
    n = f"{c['n_train']} images" if c.get("n_train") else "all images"
    return f"{c['dataset'].replace('_', '-')}, {n}"


def differences(pairs, always: str) -> str:
    """`always` (what the code cannot follow) plus every (name, paper's value, ours) that differs."""
    diff = [f"{name} {ours} instead of {paper}" for name, paper, ours in pairs if paper != ours]
    return "; ".join([always] + diff)


def rows(c: dict) -> list[tuple[str, str, str, str, str]]:
    """(claims, paper, paper's setup, ours, difference) per cited experiment; c: config['gradients']."""
    return [
        ("F6", "Glorot & Bengio 2010, Fig. 2",
         "4 x 1000 sigmoid units, U[-1/sqrt(n), 1/sqrt(n)] (standard) vs normalized init, SGD, minibatch 10, "
         "Shapeset-3x2 / MNIST, tens of epochs; the standard net's top hidden layer saturates early",
         f"{c['f6_depth']} x {c['f6_width']} sigmoid units, standard vs normalized init, SGD with the rate tuned per "
         f"arm, minibatch {c['f6_batch_size']}, {_data(c)}, {c['f6_steps']} steps",
         differences([("depth", 4, c["f6_depth"]), ("width", 1000, c["f6_width"]),
                      ("minibatch", 10, c["f6_batch_size"])], "other data, fewer updates")),
        ("F7", "Krizhevsky et al. 2012, Fig. 1",
         "4-layer CNN on CIFAR-10, SGD with momentum, each activation's own best learning rate; epochs to 25% "
         "training error: ReLU about 6 times faster than tanh",
         f"MLP with {c['speed_depth']} x {c['speed_width']} hidden units on {_data(c)}, plain SGD, learning rate "
         f"tuned per activation on tuning seeds; steps to {c['speed_target_error']:.0%} training error within "
         f"{c['speed_steps']} steps",
         differences([("hidden layers", 4, c["speed_depth"]), ("target training error", 0.25,
                      c["speed_target_error"])], "MLP instead of CNN, other data, no momentum: only the direction "
                     "can carry over; context only: F7 is decided by the images family's CNN replication "
                     "(SGD with momentum, tbl-images-f7-speed)")),
        ("A3", "He et al. 2015, Fig. 3",
         "30-layer ReLU network (CNN), Xavier vs He init, SGD with momentum: Xavier init stalls, He init trains",
         f"{c['deep_depth']} x {c['deep_width']} ReLU MLP, Xavier vs He init, SGD momentum {c['deep_momentum']:g}, "
         f"{c['deep_steps']} steps on {_data(c)}",
         differences([("depth", 30, c["deep_depth"]), ("momentum", 0.9, c["deep_momentum"])],
                     "MLP instead of CNN, other data, fewer updates")),
        ("A5", "Ioffe & Szegedy 2015, Fig. 1",
         "3 x 100 sigmoid units on MNIST, minibatch 60, 50000 steps; last-layer input percentiles with and "
         "without batch norm",
         f"{c['centering_depth']} x {c['centering_width']} sigmoid units on {_data(c)}, minibatch "
         f"{c['batch_size']}, {c['centering_steps']} steps",
         differences([("depth", 3, c["centering_depth"]), ("width", 100, c["centering_width"]),
                      ("minibatch", 60, c["batch_size"]), ("steps", 50000, c["centering_steps"])], "other data")),
        ("A4", "Lu et al. 2019",
         "P(born dead) = 1 - (1 - 2^-N)^L for width N and depth L, symmetric weights, zero or symmetric biases",
         f"Monte Carlo of {c['born_nets']} networks per cell, widths {list(c['born_widths'])}, depths "
         f"{list(c['born_depths'])}, 2-D input",
         "none in the setting; L counts hidden layers here"),
    ]


def replication_table(c: dict) -> pd.DataFrame:
    """The replication table as a frame (columns Claims, Paper, Paper's setup, Ours, Difference)."""
    return pd.DataFrame(rows(c), columns=["Claims", "Paper", "Paper's setup", "Ours", "Difference"])
