"""Our elementwise optimizers against torch.optim on the same gradients."""
import pytest
import torch

from relulab.core import optim


@pytest.mark.parametrize("kind, kw", [("sgd", {}), ("sgd", {"momentum": 0.9}), ("sgd", {"weight_decay": 0.1}),
                                      ("adam", {}), ("adam", {"weight_decay": 0.01})])
def test_matches_torch_optim(kind, kw):
    g = torch.Generator().manual_seed(0)
    ours = [torch.randn(3, 4, generator=g, dtype=torch.float64)]
    ref = [ours[0].clone().requires_grad_(True)]
    ref_opt = (torch.optim.SGD if kind == "sgd" else torch.optim.Adam)(ref, lr=0.05, **kw)
    state = optim.init(kind, ours, 0.05, **kw)
    for _ in range(7):
        grad = torch.randn(3, 4, generator=g, dtype=torch.float64)
        ref[0].grad = grad.clone()
        ref_opt.step()
        optim.step(state, ours, [grad.clone()])
    torch.testing.assert_close(ours[0], ref[0].detach(), rtol=1e-12, atol=1e-12)
