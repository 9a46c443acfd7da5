"""Figures of the surfaces family: learned surfaces, activation-pattern maps, error vs depth, boundaries."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from matplotlib import pyplot as plt
from matplotlib.colors import ListedColormap

from relulab.core import models, tasks
from relulab.core.plots import style
from relulab.studies.surfaces.experiments import grid_points


def pattern_ids(spec: models.MLPSpec, params: dict, n: int, index: int = 0) -> np.ndarray | None:
    """Integer id of each grid point's activation pattern (piecewise-linear nets only), (n, n)."""
    if spec.activation not in ("relu", "leaky_relu", "prelu", "rrelu"):
        return None
    p = {k: v[index:index + 1].double() for k, v in params.items()}
    with torch.no_grad():
        _, hidden = models.forward(spec, p, grid_points(n), return_hidden=True)
    bits = torch.cat([(z[0] > 0) for z, _ in hidden], 1).numpy()
    _, ids = np.unique(bits, axis=0, return_inverse=True)
    return ids.reshape(n, n)


def random_colors(k: int, seed: int = 0) -> ListedColormap:
    return ListedColormap(np.random.default_rng(seed).uniform(0.25, 1.0, (max(k, 1), 3)))


def surface_figure(task: str, panels: list[dict], n: int):
    """Row 1: 3-D surfaces (target, then each network); row 2: top views coloured by activation pattern."""
    style()
    g = grid_points(n).numpy()
    X, Y = g[:, 0].reshape(n, n), g[:, 1].reshape(n, n)
    target = tasks.target(task, torch.from_numpy(g)).numpy().reshape(n, n)
    cols = 1 + len(panels)
    fig = plt.figure(figsize=(3.1 * cols, 6.0))
    all_panels = [{"title": f"target: {task}", "values": target, "patterns": None}] + panels
    for j, p in enumerate(all_panels):
        ax = fig.add_subplot(2, cols, j + 1, projection="3d")
        ax.plot_surface(X, Y, p["values"], cmap="viridis", linewidth=0, antialiased=False, rcount=60, ccount=60)
        ax.set_title(p["title"], fontsize=8)
        ax.tick_params(labelsize=5)
        ax2 = fig.add_subplot(2, cols, cols + j + 1)
        if p["patterns"] is not None:
            k = int(p["patterns"].max()) + 1
            ax2.imshow(p["patterns"], origin="lower", extent=(-1, 1, -1, 1), cmap=random_colors(k),
                       interpolation="nearest")
            ax2.set_title(f"{k} activation patterns on grid", fontsize=7)
        else:
            cs = ax2.contourf(X, Y, p["values"], levels=30, cmap="viridis")
            cbar = fig.colorbar(cs, ax=ax2, shrink=0.85)
            cbar.ax.tick_params(labelsize=5)
            cbar.set_label("f(x1, x2)", fontsize=6)
            ax2.set_title("contours (no linear pieces)", fontsize=7)
        ax2.set_aspect("equal")
        ax2.grid(False)
        ax2.tick_params(labelsize=5)
    fig.tight_layout()
    return fig


def error_vs_depth_figure(df: pd.DataFrame):
    """Median test MSE (95% CI of the median) against depth at an equal unit budget, per task and activation."""
    style()
    tasks_ = sorted(df["task"].unique())
    fig, axes = plt.subplots(1, len(tasks_), figsize=(3.6 * len(tasks_), 3.2), squeeze=False)
    for ax, task in zip(axes[0], tasks_):
        sub = df[df["task"] == task]
        for act, g in sub.groupby("activation"):
            g = g.sort_values("depth")
            ax.errorbar(g["depth"], g["median"], yerr=[g["median"] - g["ci_low"], g["ci_high"] - g["median"]],
                        marker="o", capsize=2, label=act)
        ax.set_yscale("log")
        ax.set_xlabel("hidden layers (equal total units)")
        ax.set_ylabel("test MSE (median over seeds)")
        ax.set_title(task)
    axes[0][-1].legend(fontsize=7)
    fig.tight_layout()
    return fig


def boundary_figure(task: str, models_: list[dict], x: np.ndarray, y: np.ndarray, n: int):
    """Decision regions of each classifier (first seed) with the training points."""
    style()
    g = grid_points(n).numpy()
    fig, axes = plt.subplots(1, len(models_), figsize=(3.3 * len(models_), 3.2), squeeze=False)
    for ax, m in zip(axes[0], models_):
        ax.contourf(g[:, 0].reshape(n, n), g[:, 1].reshape(n, n), m["margin"], levels=[-1e9, 0, 1e9],
                    colors=["#c6dbef", "#fdd0a2"])
        ax.contour(g[:, 0].reshape(n, n), g[:, 1].reshape(n, n), m["margin"], levels=[0], colors="k", linewidths=1)
        ax.scatter(x[:, 0], x[:, 1], c=y, s=3, cmap="coolwarm", alpha=0.6)
        ax.set_title(m["title"], fontsize=8)
        ax.set_aspect("equal")
    fig.suptitle(task)
    fig.tight_layout()
    return fig
