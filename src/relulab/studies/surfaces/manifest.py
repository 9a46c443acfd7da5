"""The figures and tables the surfaces family shows in the report, with their captions."""

from __future__ import annotations

SURFACE_CAPTION = ("Task '{task}': the target surface and trained networks (first seed), shallowest and deepest "
                   "architecture at an equal number of hidden units. Top: 3-D surface; bottom: top view coloured "
                   "by activation pattern (piecewise-linear networks) or by level (smooth activations).")
BOUNDARY_CAPTION = ("Task '{task}': decision regions of a linear classifier and of non-linear networks (first seed) "
                    "with the training points.")


def surface_ids(tasks) -> list[str]:
    return [f"fig-surfaces-surface-{t}" for t in tasks]


def boundary_ids(tasks) -> list[str]:
    return [f"fig-surfaces-boundary-{t}" for t in tasks]


def manifest(tasks, surface_figs, classify_tasks, boundary_figs, out) -> list[dict]:
    """The manifest rows; out: the evidence rule's outputs (error_fig, error_table, planarity_table)."""
    return [
        *[{"id": i, "kind": "figure", "path": p, "claims": "R4", "caption": SURFACE_CAPTION.format(task=t)}
          for i, p, t in zip(surface_ids(tasks), surface_figs, tasks)],
        *[{"id": i, "kind": "figure", "path": p, "claims": "A6", "caption": BOUNDARY_CAPTION.format(task=t)}
          for i, p, t in zip(boundary_ids(classify_tasks), boundary_figs, classify_tasks)],
        {"id": "fig-surfaces-error-depth", "kind": "figure", "path": out.error_fig, "claims": "R4 F1",
         "caption": "Test MSE against depth at an equal hidden-unit budget: median over seeds with its 95% CI (order-statistic interval; none with fewer than 6 seeds); diverged runs left out."},
        {"id": "tbl-surfaces-error", "kind": "table", "path": out.error_table, "claims": "F1 A6",
         "caption": "Test loss per cell (median over seeds with its 95% CI; diverged runs left out and counted in n_dropped) and the number of diverged runs."},
        {"id": "tbl-surfaces-planarity", "kind": "table", "path": out.planarity_table, "claims": "R4 A1 F1",
         "caption": "Fraction of grid stencils on which the learned function is exactly affine, and the relative "
                    "residual of the best affine fit over the whole square (median over seeds, 95% CI)."},
    ]
