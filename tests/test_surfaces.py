"""Planarity and affine-fit statistics against functions with known answers."""
import numpy as np
import torch

from relulab.studies.surfaces import experiments as surfaces


def _grid_values(fn, n=101):
    g = surfaces.grid_points(n).numpy()
    return fn(g[:, 0], g[:, 1]).reshape(1, n, n)


def test_affine_function_is_planar_everywhere():
    v = _grid_values(lambda x, y: 0.3 * x - 2 * y + 1)
    assert surfaces.planar_fraction(v)[0] == 1.0
    assert surfaces.affine_residual(v)[0] < 1e-12


def test_smooth_function_is_planar_nowhere():
    v = _grid_values(lambda x, y: np.sin(x) + np.cos(2 * y))
    assert surfaces.planar_fraction(v)[0] < 0.01
    assert surfaces.affine_residual(v)[0] > 0.05


def test_a_diverged_network_has_no_planar_fraction_or_residual():
    v = np.concatenate([_grid_values(lambda x, y: 0.3 * x + y), _grid_values(lambda x, y: x + y)])
    v[1, 3, 4] = np.nan  # network 1 diverged: without the mask NaN comparisons would read as "not flat" (0)
    assert surfaces.planar_fraction(v)[0] == 1.0 and np.isnan(surfaces.planar_fraction(v)[1])
    assert np.isnan(surfaces.affine_residual(v)[1])


def test_kink_costs_two_columns_of_stencils():
    n = 101
    v = _grid_values(lambda x, y: np.abs(x - 0.013), n)  # kink between two grid columns: both centres see it
    frac = surfaces.planar_fraction(v)[0]
    assert abs(frac - (1 - 2 / (n - 2))) < 1e-9


def test_additivity_gap():
    assert surfaces.additivity_gap("relu") == 1.0
    assert surfaces.additivity_gap("identity") == 0.0
    assert surfaces.additivity_gap("sigmoid") > 0


def test_grid_orientation():
    g = surfaces.grid_points(3)
    assert torch.equal(g[1], torch.tensor([0.0, -1.0], dtype=torch.float64))
