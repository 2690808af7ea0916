"""aekit.nn.functional: the fast BCE and the tap convolution compute what
PyTorch's own functions compute, values and gradients."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from aekit.nn.conv import OutputConv2d
from aekit.nn.functional import bce_with_logits, tap_conv2d


@pytest.mark.parametrize(
    ("shape", "scale"),
    [((64, 784), 1.0), ((7, 13), 30.0), ((3, 5, 784), 5.0), ((4, 1), 2.0)],
)
def test_bce_matches_torch_values_and_gradients(shape, scale):
    g = torch.Generator().manual_seed(0)
    x = (torch.randn(shape, generator=g) * scale).requires_grad_()
    y = torch.rand(shape, generator=g)
    ref = F.binary_cross_entropy_with_logits(
        x.double(), y.double(), reduction="none"
    ).sum(-1)
    got = bce_with_logits(x, y)
    assert got.shape == ref.shape
    torch.testing.assert_close(got.double(), ref, rtol=1e-6, atol=1e-5)
    mean = bce_with_logits(x, y, "mean")
    torch.testing.assert_close(mean.double(), ref.sum() / x.numel(), rtol=1e-6, atol=0)
    (gx,) = torch.autograd.grad(got.sum(), x)
    (rx,) = torch.autograd.grad(
        F.binary_cross_entropy_with_logits(x, y, reduction="sum"), x
    )
    torch.testing.assert_close(gx, rx)


def test_bce_extreme_logits_stay_finite_and_exact():
    x = torch.tensor([[-200.0, -30.0, 0.0, 30.0, 200.0]], requires_grad=True)
    y = torch.tensor([[0.0, 1.0, 0.5, 0.0, 1.0]])
    ref = F.binary_cross_entropy_with_logits(x, y, reduction="none").sum(-1)
    got = bce_with_logits(x, y)
    torch.testing.assert_close(got, ref)
    got.sum().backward()
    assert torch.isfinite(x.grad).all()


def test_bce_nan_propagates():
    x = torch.tensor([[0.0, float("nan"), 1.0]])
    assert torch.isnan(bce_with_logits(x, torch.zeros(1, 3))).all()


def test_bce_broadcast_target_gets_summed_gradient():
    # The VAE's IWAE path: k samples of logits against one batch of data.
    g = torch.Generator().manual_seed(1)
    x = torch.randn(5, 3, 20, generator=g)
    y = torch.rand(3, 20, generator=g).requires_grad_()
    bce_with_logits(x, y).sum().backward()
    y_ref = y.detach().clone().requires_grad_()
    F.binary_cross_entropy_with_logits(
        x, y_ref.expand_as(x), reduction="sum"
    ).backward()
    torch.testing.assert_close(y.grad, y_ref.grad)


def test_bce_double_backward_is_refused():
    x = torch.randn(2, 8, requires_grad=True)
    (gx,) = torch.autograd.grad(
        bce_with_logits(x, torch.rand(2, 8)).sum(), x, create_graph=True
    )
    # once_differentiable: the gradient carries no graph, so a second derivative
    # is an error instead of a silently wrong zero.
    with pytest.raises(RuntimeError, match="does not require grad"):
        gx.sum().backward()


@pytest.mark.parametrize(
    ("c", "o", "k", "size"), [(32, 1, 3, 28), (8, 3, 3, 9), (16, 1, 5, 7), (9, 2, 1, 4)]
)
@pytest.mark.parametrize("bias", [True, False])
def test_tap_conv_matches_conv2d(c, o, k, size, bias):
    g = torch.Generator().manual_seed(2)
    x = torch.randn(4, c, size, size + 1, generator=g)
    x = x.contiguous(memory_format=torch.channels_last).requires_grad_()
    w = (torch.randn(o, c, k, k, generator=g) * 0.1).requires_grad_()
    b = torch.randn(o, generator=g).requires_grad_() if bias else None
    ref = F.conv2d(x, w, b, padding=k // 2)
    got = tap_conv2d(x, w, b)
    torch.testing.assert_close(got, ref, rtol=1e-5, atol=1e-5)
    grad = torch.randn(ref.shape, generator=g)
    inputs = (x, w, b) if bias else (x, w)
    want = torch.autograd.grad(ref, inputs, grad)
    have = torch.autograd.grad(got, inputs, grad)
    for a, r in zip(have, want, strict=True):
        # The weight gradient sums thousands of products in another order.
        torch.testing.assert_close(a, r, rtol=1e-4, atol=1e-4 * float(r.abs().max()))


def test_output_conv_is_a_conv2d_with_the_same_state():
    torch.manual_seed(0)
    fast = OutputConv2d(32, 1, 3, 1, 1)
    plain = torch.nn.Conv2d(32, 1, 3, 1, 1)
    plain.load_state_dict(fast.state_dict())
    assert list(fast.state_dict()) == list(plain.state_dict())
    x = torch.randn(2, 32, 6, 6)
    torch.testing.assert_close(fast(x), plain(x), rtol=1e-5, atol=1e-5)
    # Outside the fast path's conditions (stride 2, autocast) it is Conv2d itself.
    strided = OutputConv2d(32, 1, 3, 2, 1)
    plain_strided = torch.nn.Conv2d(32, 1, 3, 2, 1)
    plain_strided.load_state_dict(strided.state_dict())
    assert torch.equal(strided(x), plain_strided(x))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert torch.equal(fast(x), plain(x))
