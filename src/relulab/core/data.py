"""Image data sets shipped by packages: scikit-learn's digits and Debian's Fashion-MNIST. Never downloaded."""

from __future__ import annotations

import gzip
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # torch is imported where tensors are made, so the dry run's data check stays light
    import torch

# Where Debian's dataset-fashion-mnist installs the files; the config key fashion_mnist_dir overrides it
# (the workflow passes it to every job as the environment variable below).
FASHION_MNIST_DIR = Path("/usr/share/datasets/fashion-mnist")
FASHION_MNIST_ENV = "RELULAB_FASHION_MNIST_DIR"
INSTALL_HINT = ("install Debian's package with `apt-get install dataset-fashion-mnist` (as root; otherwise with "
                "sudo), or set the config key fashion_mnist_dir to a folder holding the four .gz files; "
                "relulab never downloads data")
FASHION_FILES = {"x_train": "train-images-idx3-ubyte.gz", "y_train": "train-labels-idx1-ubyte.gz",
                 "x_test": "t10k-images-idx3-ubyte.gz", "y_test": "t10k-labels-idx1-ubyte.gz"}
DATASETS = ("digits", "fashion_mnist")
DIGITS_TEST_FRACTION = 0.25
SPLIT_SEED = 0


class DatasetMissing(RuntimeError):
    """A data set's files are not installed; the message says how to install them."""


@dataclass(frozen=True)
class Dataset:
    """Train and test tensors (x float32 in [0, 1], y int64) and the image shape (C, H, W)."""

    name: str
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    n_classes: int
    image_shape: tuple[int, int, int]


def _read_idx(path: Path) -> np.ndarray:
    """Parse an IDX file (the MNIST format): magic, dims, then unsigned bytes."""
    with gzip.open(path, "rb") as f:
        raw = f.read()
    ndim = raw[3]
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    data = np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim)
    if data.size != int(np.prod(dims)):
        raise ValueError(f"{path}: truncated IDX file ({data.size} values, expected {int(np.prod(dims))})")
    return data.reshape(dims)


def fashion_mnist_dir() -> Path:
    """The configured Fashion-MNIST folder: $RELULAB_FASHION_MNIST_DIR, else Debian's location."""
    return Path(os.environ.get(FASHION_MNIST_ENV) or FASHION_MNIST_DIR)


def fashion_mnist_missing(root: Path | None = None) -> str | None:
    """None if the four Fashion-MNIST files are in root, else a one-line message saying what to do."""
    root = Path(root or fashion_mnist_dir())
    missing = [n for n in FASHION_FILES.values() if not (root / n).is_file()]
    if missing:
        return f"Fashion-MNIST not found in {root} (missing {', '.join(missing)}): {INSTALL_HINT}"
    return None


def fashion_mnist_arrays(root: Path | None = None) -> dict[str, np.ndarray]:
    root = Path(root or fashion_mnist_dir())
    message = fashion_mnist_missing(root)
    if message:
        raise DatasetMissing(message)
    return {k: _read_idx(Path(root) / n) for k, n in FASHION_FILES.items()}


def digits_arrays() -> dict[str, np.ndarray]:
    from sklearn.datasets import load_digits

    d = load_digits()
    x, y = (d.images * (255.0 / 16.0)).astype(np.uint8), d.target
    perm = np.random.default_rng(SPLIT_SEED).permutation(len(x))
    n_test = int(round(len(x) * DIGITS_TEST_FRACTION))
    te, tr = perm[:n_test], perm[n_test:]
    return {"x_train": x[tr], "y_train": y[tr], "x_test": x[te], "y_test": y[te]}


def load(name: str, *, n_train: int | None = None, seed: int = 0, flat: bool = True,
         root: Path | None = None) -> Dataset:
    """Load a data set; `n_train` keeps a seeded random subset of the training set."""
    if name == "digits":
        arr = digits_arrays()
    elif name == "fashion_mnist":
        arr = fashion_mnist_arrays(root)
    else:
        raise ValueError(f"unknown data set {name!r}; expected one of {', '.join(DATASETS)}")
    import torch

    x_tr, y_tr = arr["x_train"], arr["y_train"]
    if n_train is not None and n_train < len(x_tr):
        keep = np.sort(np.random.default_rng(seed).permutation(len(x_tr))[:n_train])
        x_tr, y_tr = x_tr[keep], y_tr[keep]
    h, w = x_tr.shape[1:]

    def tx(a):
        t = torch.from_numpy(np.array(a, dtype=np.float32)) / 255.0
        return t.reshape(len(a), -1) if flat else t.reshape(len(a), 1, h, w)

    def ty(a):
        return torch.from_numpy(np.asarray(a, dtype=np.int64))

    return Dataset(name, tx(x_tr), ty(y_tr), tx(arr["x_test"]), ty(arr["y_test"]), 10, (1, h, w))
