"""Shared figure style and an atomic PNG save."""

from __future__ import annotations

import os
import re
import tempfile
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.ticker import AutoLocator, MaxNLocator  # noqa: E402

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


# an axis labelled like this counts something (layers, depth, iterations, steps, units, regions...): integer ticks
INTEGER_LABEL = re.compile(r"\b(depth|layers?|iterations?|steps?|epochs?|seeds?|units|neurons|regions|count|"
                           r"rank|passes|L)\b", re.I)


def integer_ticks(fig) -> None:
    """Integer ticks on every linear axis whose label names a count and that spans at least 2, unless the axis has
    its own tick positions."""
    for ax in fig.axes:
        for axis, scale in ((ax.xaxis, ax.get_xscale()), (ax.yaxis, ax.get_yscale())):
            label = axis.get_label().get_text()
            lo, hi = axis.get_view_interval()
            if (scale == "linear" and INTEGER_LABEL.search(label) and abs(hi - lo) >= 2
                    and type(axis.get_major_locator()) is AutoLocator):
                axis.set_major_locator(MaxNLocator(integer=True))


def text_colour(rgba) -> str:
    """Black or white, whichever reads better on a background colour (WCAG relative luminance)."""
    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in rgba[:3])
    return "k" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.179 else "w"


def annotate_heatmap(ax, image, values, fmt: str = "{:.2f}", fontsize: float = 8) -> None:
    """Write each cell's value on an imshow heatmap, in black or white by the cell's colour."""
    cmap, norm = image.get_cmap(), image.norm
    for (i, j), v in np.ndenumerate(np.asarray(values, dtype=float)):
        if np.isfinite(v):
            ax.text(j, i, fmt.format(v), ha="center", va="center", fontsize=fontsize, color=text_colour(cmap(norm(v))))


def _data_points(ax) -> np.ndarray:
    """Display coordinates of the axes' plotted points (lines, scatter and error-band vertices)."""
    pts = []
    for ln in ax.get_lines():
        xy = ln.get_transform().transform(np.column_stack(ln.get_data()).astype(float)) if len(ln.get_xdata()) else []
        if len(xy) > 1 and ln.get_linestyle() not in ("None", " ", ""):  # points along each drawn segment too
            t = np.linspace(0, 1, 16)[:, None, None]
            xy = np.concatenate([xy, ((1 - t) * xy[:-1] + t * xy[1:]).reshape(-1, 2)])
        if len(xy):
            pts.append(np.asarray(xy))
    for c in ax.collections:
        offs = c.get_offsets()
        if len(offs):
            pts.append(c.get_offset_transform().transform(offs))
        for path in getattr(c, "get_paths", lambda: [])()[:50]:
            if len(path.vertices) and len(path.vertices) < 5000:
                pts.append(c.get_transform().transform(path.vertices))
    pts = [p for p in pts if p.size]
    return np.concatenate(pts) if pts else np.empty((0, 2))


def legend_covers_data(ax, legend) -> bool:
    """Does the legend's box hold any plotted point?"""
    box = legend.get_window_extent()
    pts = _data_points(ax)
    pts = pts[np.isfinite(pts).all(axis=1)]
    return bool(((pts[:, 0] >= box.x0) & (pts[:, 0] <= box.x1) & (pts[:, 1] >= box.y0) & (pts[:, 1] <= box.y1)).any())


def _headroom(ax, factor: float, lims) -> None:
    """Raise the top of the y axis so the data fill the lower 1/factor of it (in log space on a log axis)."""
    lo, hi = lims
    if ax.get_yscale() == "log" and lo > 0:
        ax.set_ylim(lo, 10 ** (np.log10(lo) + (np.log10(hi) - np.log10(lo)) * factor))
    elif ax.get_yscale() == "linear":
        ax.set_ylim(lo, lo + (hi - lo) * factor)


def _place_legend(fig, ax, handles, labels, kw) -> bool:
    """Best place inside the axes, with more headroom above the data if needed; else below the axes.
    Returns whether the legend went outside (the layout must then be redone)."""
    lims = ax.get_ylim()
    for factor in (1.0, 1.4, 1.8, 2.4):
        if factor > 1:
            _headroom(ax, factor, lims)
        new = ax.legend(handles, labels, loc="best", **kw)
        fig.canvas.draw()
        if not legend_covers_data(ax, new):
            return False
    ax.set_ylim(lims)
    below = ax.xaxis.label.get_window_extent()
    y = ax.transAxes.inverted().transform((0, below.y0))[1] - 0.04
    ax.legend(handles, labels, loc="upper center", bbox_to_anchor=(0.5, y), borderaxespad=0,
              **{**kw, "ncols": max(kw.get("ncols") or 1, 2)})
    return True


def clear_legends(fig) -> None:
    """A legend that covers plotted data moves to the best free place inside its axes (raising the top of the
    y axis if that makes room), or else below the axes, and the layout is redone to give it room."""
    fig.canvas.draw()
    moved = False
    for ax in fig.axes:
        leg = ax.get_legend()
        if leg is None or not legend_covers_data(ax, leg):
            continue
        handles, labels = leg.legend_handles, [t.get_text() for t in leg.get_texts()]
        kw = {"fontsize": leg.get_texts()[0].get_fontsize() if labels else None, "ncols": leg._ncols,
              "title": leg.get_title().get_text() or None}
        moved |= _place_legend(fig, ax, handles, labels, kw)
        fig.canvas.draw()
    if moved and type(fig.get_layout_engine()).__name__ != "ConstrainedLayoutEngine":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # axes placed by hand (colour bars) keep their place
            fig.tight_layout()
        fig.canvas.draw()


def readable(fig) -> None:
    """Integer ticks on count axes and no legend over the data (applied by save to every figure)."""
    integer_ticks(fig)
    clear_legends(fig)


def save(fig, path) -> None:
    """Save a figure as PNG (integer count axes, legends off the data, at most MAX_WIDTH_PX wide) through a
    temporary file, then close it."""
    path = Path(path)
    readable(fig)
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
