"""aekit.nn.functional: the tap convolution computes what ``F.conv2d`` computes and
the mean BCE what ``F.binary_cross_entropy_with_logits`` computes, values and
gradients."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from aekit.nn import functional
from aekit.nn.conv import OutputConv2d
from aekit.nn.functional import mean_bce_with_logits, tap_conv2d


@pytest.fixture(params=["numba", "torch-ops"])
def bce_path(request, monkeypatch):
    """Run a test with the Numba kernel, then with the PyTorch-ops fallback."""
    if request.param == "torch-ops":
        monkeypatch.setenv("AEKIT_NUMBA", "0")
        assert functional._numba_kernels() is None
    else:
        monkeypatch.delenv("AEKIT_NUMBA", raising=False)
        assert functional._numba_kernels() is not None  # numba is a dependency
    return request.param


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


@pytest.mark.parametrize("shape", [(256, 784), (3, 5), (1,), (7, 64), (2, 1, 9, 9)])
def test_mean_bce_matches_pytorch(shape, bce_path):
    g = torch.Generator().manual_seed(3)
    # Logits up to ±40: sigmoid rounds to 1 in float32 beyond ~17, where the
    # product form must still give softplus, and binary targets as well as soft.
    x = (torch.randn(shape, generator=g) * 12).requires_grad_()
    for y in (torch.rand(shape, generator=g), torch.rand(shape, generator=g).round()):
        ref = F.binary_cross_entropy_with_logits(x.double(), y.double())
        got = mean_bce_with_logits(x, y)
        assert got.dtype == torch.float32
        torch.testing.assert_close(got.double(), ref, rtol=2e-6, atol=1e-7)
        (want,) = torch.autograd.grad(ref, x)
        (have,) = torch.autograd.grad(got, x)
        # ∂/∂x = (s − y)/n: float32 rounding of s, relative to the 1/n scale.
        torch.testing.assert_close(have, want, rtol=1e-5, atol=1e-6 / x.numel())


def test_mean_bce_propagates_non_finite_logits(bce_path):
    y = torch.full((4, 70), 0.5)
    for bad in (float("nan"), float("inf"), -float("inf")):
        x = torch.zeros(4, 70)
        x[1, 3] = bad
        assert not torch.isfinite(mean_bce_with_logits(x, y))
        x.requires_grad_()
        loss = mean_bce_with_logits(x, y)
        assert not torch.isfinite(loss)
        (grad,) = torch.autograd.grad(loss, x)
        # sigmoid(±inf) is 1 or 0, a finite gradient as PyTorch's; NaN stays NaN.
        assert torch.isnan(grad[1, 3]) == (bad != bad)
        assert torch.isfinite(grad[0]).all()


def test_mean_bce_value_is_the_same_with_and_without_a_gradient(bce_path):
    g = torch.Generator().manual_seed(5)
    x = torch.randn(300, 33, generator=g) * 4
    y = torch.rand(300, 33, generator=g)
    with torch.no_grad():
        plain = mean_bce_with_logits(x, y)
    tracked = mean_bce_with_logits(x.requires_grad_(), y)
    assert torch.equal(plain, tracked.detach())


def test_mean_bce_backward_scales_and_accumulates(bce_path):
    g = torch.Generator().manual_seed(6)
    x = (torch.randn(5, 128, generator=g) * 3).requires_grad_()
    y = torch.rand(5, 128, generator=g)
    want = (torch.sigmoid(x.detach().double()) - y.double()) / x.numel()
    loss = mean_bce_with_logits(x, y)
    (3 * loss).backward(retain_graph=True)
    torch.testing.assert_close(x.grad.double(), 3 * want, rtol=1e-5, atol=1e-9)
    # A second backward through the retained graph adds, and leaves the first
    # gradient intact: the saved gradient is never handed out to be written into.
    loss.backward(retain_graph=True)
    loss.backward()
    torch.testing.assert_close(x.grad.double(), 5 * want, rtol=1e-5, atol=1e-9)


def test_mean_bce_warns_once_and_falls_back_when_the_kernel_fails(monkeypatch):
    class Broken:
        @staticmethod
        def bce_with_logits_sum(*args):
            raise RuntimeError("no LLVM today")

    monkeypatch.delenv("AEKIT_NUMBA", raising=False)
    monkeypatch.setitem(functional._kernels, "numba", Broken)
    x = torch.randn(4, 9).requires_grad_()
    y = torch.rand(4, 9)
    with pytest.warns(RuntimeWarning, match="no LLVM today"):
        got = mean_bce_with_logits(x, y)
    ref = F.binary_cross_entropy_with_logits(x.double(), y.double())
    torch.testing.assert_close(got.double(), ref, rtol=2e-6, atol=1e-7)
    assert functional._numba_kernels() is None  # no second try, no second warning


def test_mean_bce_falls_back_to_pytorch_outside_the_fast_path():
    g = torch.Generator().manual_seed(4)
    x = torch.randn(6, 8, generator=g)
    y = torch.rand(6, 8, generator=g)
    cases = [
        (x.double(), y.double()),  # float64
        (x.t(), y.t()),  # not contiguous
        (x[:0], y[:0]),  # empty
    ]
    for a, b in cases:
        ref = F.binary_cross_entropy_with_logits(a, b)
        torch.testing.assert_close(mean_bce_with_logits(a, b), ref, equal_nan=True)
    y_grad = y.clone().requires_grad_()
    got = mean_bce_with_logits(x, y_grad)
    got.backward()
    assert y_grad.grad is not None
    with torch.autocast("cpu", dtype=torch.bfloat16):
        ref = F.binary_cross_entropy_with_logits(x, y)
        assert torch.equal(mean_bce_with_logits(x, y), ref)
