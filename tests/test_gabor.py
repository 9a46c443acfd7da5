"""Gabor fits against synthetic Gabors (known parameters) and random filters; rotated-pair detection."""
import numpy as np
import pytest
from scipy import ndimage

from relulab.studies.images import gabor


@pytest.mark.parametrize("theta", [0.0, 0.6, 1.9])
def test_fit_recovers_synthetic_gabor(theta):
    true = np.array([1.3, 0.4, -0.3, theta, 1.6, 1.0, 4.0, 0.5, 0.1])
    f = gabor.gabor(true, 7)
    p, r2 = gabor.fit_gabor(f)
    assert r2 > 0.999
    np.testing.assert_allclose(gabor.gabor(p, 7), f, atol=1e-3)
    assert abs(p[6] - 4.0) < 0.1  # wavelength
    d = abs(np.degrees(np.mod(p[3], np.pi)) - np.degrees(np.mod(theta, np.pi)))
    assert min(d, 180 - d) < 3.0


def test_noise_fits_worse_than_noisy_gabor():
    rng = np.random.default_rng(0)
    noise_r2 = gabor.fit_all(rng.normal(size=(10, 5, 5)))[1]
    g = gabor.gabor([1.0, 0.0, 0.0, 0.3, 1.2, 1.0, 3.0, 0.0, 0.0], 5)
    noisy_r2 = gabor.fit_all(g + 0.05 * rng.normal(size=(10, 5, 5)))[1]
    assert np.median(noisy_r2) > 0.95 > np.median(noise_r2)
    assert np.all(noise_r2 <= 1.0)


def test_orientation_histogram_and_axis_aligned():
    p = np.zeros((4, 9))
    p[:, 3] = np.radians([0.0, 90.0, 45.0, 181.0])
    assert gabor.orientation_histogram(p, bins=4).tolist() == [2, 1, 1, 0]
    assert gabor.axis_aligned_fraction(p) == 0.75


def test_rotated_pairs_found_only_when_present():
    g = gabor.gabor([1.0, 0.0, 0.0, 0.0, 1.5, 1.0, 4.0, 0.0, 0.0], 7)
    bank = np.stack([g, np.rot90(g), np.random.default_rng(1).normal(size=(7, 7))])
    rot, same = gabor.rotated_matches(bank)
    assert rot[0] > 0.95 and rot[1] > 0.95 and rot[2] < 0.7
    assert gabor.rotated_pair_fraction(bank) == pytest.approx(2 / 3)
    rng = np.random.default_rng(2)
    assert gabor.rotated_pair_fraction(rng.normal(size=(8, 5, 5))) < 0.3
    # a 45-degree copy is found through interpolation too
    g45 = ndimage.rotate(g, 45, reshape=False, order=1)
    assert gabor.rotated_matches(np.stack([g, g45]))[0][0] > 0.9
