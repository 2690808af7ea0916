"""aekit.nn.functional: the tap convolution computes what ``F.conv2d`` computes,
values and gradients."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from aekit.nn.conv import OutputConv2d
from aekit.nn.functional import tap_conv2d


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
