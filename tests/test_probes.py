"""Linear probes against sklearn's logistic regression (a second implementation) and separable data."""
import numpy as np
import torch
from sklearn.linear_model import LogisticRegression

from relulab.studies.images import probes


def blobs(n, d, k, sep, seed):
    g = torch.Generator().manual_seed(seed)
    centres = torch.randn(k, d, generator=g) * sep
    y = torch.arange(n) % k
    return centres[y] + torch.randn(n, d, generator=g), y


def test_separable_features_give_perfect_probe_and_noise_gives_chance():
    x, y = blobs(600, 5, 3, sep=8.0, seed=0)
    noise = torch.randn(600, 5, generator=torch.Generator().manual_seed(3))
    feats = torch.stack([x, noise])
    acc = probes.probe_accuracy(feats[:, :400], y[:400], feats[:, 400:], y[400:], 3, l2=0.05, iters=30)
    assert acc[0] == 1.0
    assert abs(acc[1] - 1 / 3) < 0.12


def test_matches_sklearn_logistic_regression():
    x, y = blobs(500, 6, 4, sep=1.0, seed=1)
    tr, te = probes.standardize(x[:300].double(), x[300:].double())
    l2 = 0.01
    W, b = probes.fit(tr[None], y[:300], 4, l2=l2, iters=500)
    # sklearn minimises C * sum(loss) + 0.5 ||w||^2, ours mean(loss) + 0.5 l2 ||w||^2: C = 1 / (l2 N)
    sk = LogisticRegression(C=1 / (l2 * 300), tol=1e-10, max_iter=5000).fit(tr.numpy(), y[:300].numpy())
    ours = (te @ W[0] + b[0]).softmax(-1).numpy()
    np.testing.assert_allclose(ours, sk.predict_proba(te.numpy()), atol=2e-3)


def test_joint_fit_equals_separate_fits():
    x, y = blobs(300, 4, 3, sep=1.5, seed=2)
    x2 = x[:, :2] ** 2
    pad = torch.cat([x2, torch.zeros(300, 2)], 1)
    W, _ = probes.fit(torch.stack([x, pad]).double(), y, 3, iters=300)
    W1, _ = probes.fit(x[None].double(), y, 3, iters=300)
    np.testing.assert_allclose(W[0].numpy(), W1[0].numpy(), atol=1e-4)


def test_channels_needed():
    assert probes.channels_needed([0.5, 0.77, 0.8], 0.8) == 2
    assert probes.channels_needed([0.5, 0.7, 0.8], 0.8) == 3
    assert probes.channels_needed([0.9], 0.9) == 1
    f = torch.arange(2 * 3 * 2 * 2).reshape(2, 3, 2, 2).float()
    assert probes.channel_features(f, [2, 0]).shape == (2, 8)
