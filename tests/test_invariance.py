"""Shifts, rotations and feature similarity on hand-made images with known answers."""
import numpy as np
import pytest
import torch

from relulab.core import data
from relulab.studies.images import invariance


def one_pixel(h=5, w=5, r=1, c=2):
    x = torch.zeros(1, 1, h, w)
    x[0, 0, r, c] = 1.0
    return x


def test_shift_moves_pixel_and_fills_zeros():
    s = invariance.shift(one_pixel(), 2, -1)
    assert s[0, 0, 0, 4] == 1.0 and s.sum() == 1.0
    assert invariance.shift(one_pixel(), 3, 0).sum() == 0.0  # pushed off the image


def test_rotation_by_90_is_rot90():
    x = torch.rand(3, 1, 6, 6, generator=torch.Generator().manual_seed(0))
    r = invariance.rotate(x, torch.tensor(90.0))
    torch.testing.assert_close(r, torch.rot90(x, 1, (2, 3)), atol=1e-5, rtol=0)


def test_feature_similarity_hand_made():
    x = one_pixel()
    moved = invariance.shift(x, 1, 0)
    assert invariance.feature_similarity(x, moved) == pytest.approx(0.0)  # disjoint pixels
    pooled = lambda t: t.sum((2, 3))  # a global sum is exactly shift invariant
    assert invariance.feature_similarity(pooled(x), pooled(moved)) == pytest.approx(1.0)
    a, b = torch.tensor([[1.0, 0.0]]), torch.tensor([[1.0, 1.0]])
    assert invariance.feature_similarity(a, b) == pytest.approx(1 / np.sqrt(2))


def test_curve_on_shift_invariant_model():
    x = torch.rand(20, 1, 6, 6, generator=torch.Generator().manual_seed(1))
    x[:, :, 0] = 0; x[:, :, -1] = 0; x[:, :, :, 0] = 0; x[:, :, :, -1] = 0  # zero border: one-pixel shifts lossless
    y = (x.sum((1, 2, 3)) > x.sum((1, 2, 3)).median()).long()
    thr = x.sum((1, 2, 3)).median()
    evaluate = lambda t: ((t.sum((1, 2, 3)) > thr).long()[None], t.sum((2, 3))[None])
    rows = invariance.curve(evaluate, x, y, "shift", [0, 1])
    assert [r["accuracy"] for r in rows] == [1.0, 1.0]
    assert rows[1]["similarity"] == pytest.approx(1.0)
    assert invariance.retention(np.array([0.5]), np.array([1.0]))[0] == 0.5


def test_missing_dataset_fails_clearly(tmp_path):
    with pytest.raises(data.DatasetMissing, match="apt-get install dataset-fashion-mnist"):
        data.load("fashion_mnist", root=tmp_path)
