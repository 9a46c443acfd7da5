"""Shared figure style and an atomic PNG save."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

DPI = 110
# The widest a saved figure may be, in pixels: it then fits a 1400 px window at its natural size (the report
# lets a figure wider than the text column break out of it, up to the window's width less 3 rem).
MAX_WIDTH_PX = 1300
PALETTE = "colorblind"


def style() -> None:
    sns.set_theme(style="whitegrid", context="paper", palette=PALETTE)


def fit_width(fig, max_px: int = MAX_WIDTH_PX, dpi: int = DPI) -> None:
    """Shrink a figure (keeping its aspect and font sizes) until its tight bounding box is at most max_px wide."""
    for _ in range(6):
        pad = matplotlib.rcParams["savefig.pad_inches"]  # bbox_inches="tight" pads each side
        width = (fig.get_tightbbox(fig.canvas.get_renderer()).width + 2 * pad) * dpi
        if width <= max_px:
            return
        w, h = fig.get_size_inches()
        scale = max(max_px / width, 0.5) * 0.99
        fig.set_size_inches(w * scale, h * scale)
        fig.canvas.draw()


def save(fig, path) -> None:
    """Save a figure as PNG (at most MAX_WIDTH_PX wide) through a temporary file, then close it."""
    path = Path(path)
    fit_width(fig)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".png")
    os.close(fd)
    try:
        fig.savefig(tmp, dpi=DPI, bbox_inches="tight")
        os.replace(tmp, path)
    finally:
        plt.close(fig)
        if os.path.exists(tmp):
            os.remove(tmp)
