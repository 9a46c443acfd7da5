"""The figures and tables the images family shows in the report, with their captions."""

from __future__ import annotations

import pandas as pd


def manifest(fig: dict[str, str], params_path: str, activations_path: str, channels_path: str) -> pd.DataFrame:
    """The family's figures and tables with the claims they support and their captions (fig: stem -> path)."""
    items = [
        ("fig-images-filters", fig["filters"], "C1 C4", "First-layer filters of one trained CNN (top), their fitted "
         "2-D Gabors, and the same network's filters at initialization; right: Gabor R² of all filters for trained, "
         "initial and shuffled-label networks."),
        ("fig-images-probes", fig["probes"], "C1 C7 C6", "Test accuracy of a logistic-regression probe on the frozen "
         "features of each layer, trained CNN vs the same CNN at initialization (median over seeds, 95% CI)."),
        ("fig-images-invariance", fig["invariance"], "C3 C4", "Test accuracy under shifted (left) and rotated (right) "
         "test images: CNN with and without max pooling, and CNNs trained with random rotations (base and wider)."),
        ("fig-images-params", fig["params_accuracy"], "C5 C6", "Test accuracy vs parameter count of CNNs and dense "
         "networks trained on the same images (median over seeds, 95% CI); head_random trains only the head on "
         "random convs."),
        ("tbl-images-params", params_path, "C5 C3 C6 F1", "Per model: parameters and test accuracy (median over "
         "seeds, 95% order-statistic CI)."),
        ("fig-images-activations", fig["activations"], "F9 F12", "Training and test error of the same CNN with each "
         "activation on the full and the small training set (median over seeds, 95% order-statistic CI)."),
        ("tbl-images-activations", activations_path, "F9 F12 F7 F1", "Training error, test error and "
         "generalization gap per training-set size and activation (median over seeds, 95% order-statistic CI)."),
        ("tbl-images-channels", channels_path, "C2", "Per seed: classes whose one-vs-rest probe on channel-averaged "
         "last-conv features needs 2 or more channels, classes that survive any single-channel ablation, channels "
         "each class needs by probe and by cumulative ablation, and single-channel ablation drops."),
    ]
    return pd.DataFrame(items, columns=["id", "path", "claims", "caption"]).assign(
        kind=lambda m: m.id.str.split("-").str[0].map({"fig": "figure", "tbl": "table"}))
