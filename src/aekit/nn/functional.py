"""Ops of aekit's own where PyTorch's are slow on the CPU."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch.autograd.function import once_differentiable

logger = logging.getLogger(__name__)


def _spans(offset: int, n: int) -> tuple[slice, slice]:
    """Output and input index ranges of a 1-D shift by ``offset`` (zero padding)."""
    return slice(max(0, -offset), n - max(0, offset)), slice(
        max(0, offset), n + min(0, offset)
    )


def _taps(
    kh: int, kw: int, h: int, w: int
) -> Iterator[tuple[int, int, slice, slice, slice, slice]]:
    """Each kernel tap ``(p, q)`` of a "same" convolution over an ``h × w`` map,
    with the output rows and columns it adds to and the input ones it reads."""
    for p in range(kh):
        dy, sy = _spans(p - kh // 2, h)
        for q in range(kw):
            dx, sx = _spans(q - kw // 2, w)
            yield p, q, dy, dx, sy, sx


class _TapConv(torch.autograd.Function):
    """A stride-1 "same" convolution as one GEMM and k² shifted plane sums.

    For each kernel tap ``(p, q)`` the GEMM gives the 1×1 convolution of the input
    with that tap's weights; the output is the sum of those planes, each shifted
    by the tap's offset. With an image's 1–3 output channels the GEMM has at most
    27 rows, a shape MKL runs at full speed, where oneDNN's direct kernels are
    poorly vectorised: 2.4× faster than ``F.conv2d`` for the 32 → 1 3×3 output
    conv of the MNIST models, forward and backward, on one CPU thread.
    """

    @staticmethod
    def forward(
        ctx: Any, x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None
    ) -> torch.Tensor:
        n, c, h, w = x.shape
        o, _, kh, kw = weight.shape
        rows = x.permute(0, 2, 3, 1).reshape(-1, c)  # a view for channels-last x
        taps = weight.permute(0, 2, 3, 1).reshape(o * kh * kw, c)
        planes = (taps @ rows.t()).view(o, kh, kw, n, h, w)
        if bias is None:
            out = x.new_zeros(o, n, h, w)
        else:
            out = bias.view(o, 1, 1, 1).expand(o, n, h, w).clone()
        for p, q, dy, dx, sy, sx in _taps(kh, kw, h, w):
            out[:, :, dy, dx] += planes[:, p, q, :, sy, sx]
        ctx.save_for_backward(rows, taps)
        ctx.shape = (n, c, h, w, o, kh, kw)
        return out.permute(1, 0, 2, 3)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        rows, taps = ctx.saved_tensors
        n, c, h, w, o, kh, kw = ctx.shape
        g = grad.permute(1, 0, 2, 3)
        grad_planes = g.new_zeros(o, kh, kw, n, h, w)
        for p, q, dy, dx, sy, sx in _taps(kh, kw, h, w):
            grad_planes[:, p, q, :, sy, sx] = g[:, :, dy, dx]
        grad_taps = grad_planes.view(o * kh * kw, -1)
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            gx = (grad_taps.t() @ taps).view(n, h, w, c).permute(0, 3, 1, 2)
        if ctx.needs_input_grad[1]:
            gw = (grad_taps @ rows).view(o, kh, kw, c).permute(0, 3, 1, 2)
        if ctx.needs_input_grad[2]:  # False when there is no bias
            gb = g.sum(dim=(1, 2, 3))
        return gx, gw, gb


def cpu_autocast() -> bool:
    """Whether CPU autocast is on (any torch ≥ 2.2)."""
    try:
        return torch.is_autocast_enabled("cpu")
    except TypeError:  # torch < 2.4 has no device argument
        return torch.is_autocast_cpu_enabled()


def tap_conv2d(
    x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None
) -> torch.Tensor:
    """``F.conv2d(x, weight, bias, padding=k // 2)`` for odd kernels, computed as
    :class:`_TapConv` (fast when ``out_channels × k²`` is small)."""
    return _TapConv.apply(x, weight, bias)


_kernels: dict[str, ModuleType | None] = {}


def _numba_kernels() -> ModuleType | None:
    """``aekit.nn._cpu_kernels``, or None where Numba is missing, has failed or
    is turned off (``AEKIT_NUMBA=0``). Imported on first use: Numba takes ~0.3 s
    to import."""
    if os.environ.get("AEKIT_NUMBA", "1").strip().lower() in {"0", "false", "no"}:
        return None
    if "numba" not in _kernels:
        try:
            from . import _cpu_kernels
        except Exception as exc:  # numba absent, or an llvmlite that does not load
            logger.info("Numba kernels unavailable (%s); using PyTorch ops", exc)
            _kernels["numba"] = None
        else:
            _kernels["numba"] = _cpu_kernels
    return _kernels["numba"]


def _bce_mean(
    x: torch.Tensor, y: torch.Tensor, grad: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The mean BCE from logits and, with ``grad``, its gradient: by the Numba
    kernel where it is available, else (and after a failure of it, warned once)
    by PyTorch ops."""
    kernels = _numba_kernels()
    if kernels is not None:
        try:
            return _bce_mean_numba(kernels, x, y, grad)
        except Exception as exc:  # a compile failure: warn once, then PyTorch
            _kernels["numba"] = None
            warnings.warn(
                f"aekit's Numba BCE kernel failed ({exc}); using PyTorch ops",
                RuntimeWarning,
                stacklevel=3,
            )
    return _bce_mean_torch(x, y, grad)


def _bce_mean_numba(
    kernels: ModuleType, x: torch.Tensor, y: torch.Tensor, grad: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    n = x.numel()
    cols = x.shape[-1] if x.dim() else 1
    x2 = x.detach().reshape(-1, cols).numpy()
    y2 = y.reshape(-1, cols).numpy()
    if not grad:
        return x.new_tensor(kernels.bce_with_logits_sum_nograd(x2, y2) / n), None
    g = torch.empty(x.shape, dtype=x.dtype)
    total = kernels.bce_with_logits_sum(
        x2, y2, g.view(-1, cols).numpy(), np.float32(1.0 / n)
    )
    return x.new_tensor(total / n), g


def _bce_mean_torch(
    x: torch.Tensor, y: torch.Tensor, grad: bool
) -> tuple[torch.Tensor, torch.Tensor | None]:
    # softplus(x) = relu(x) − log(max(s, 1 − s)), s = sigmoid(x): max(s, 1 − s)
    # lies in [½, 1], so the log of a product of 64 of them stays a normal
    # float32 (≥ 2⁻⁶⁴). The 64 factors are 64 rows of the flat tensor, so the
    # product is an outer reduction, vectorised over contiguous memory.
    n = x.numel()
    s = torch.sigmoid(x)
    g = torch.sub(s, y).mul_(1.0 / n) if grad else None
    m = s.sub_(0.5).abs_().add_(0.5).view(-1)  # max(s, 1 − s), in place
    head = n - n % 64
    log_m = torch.prod(m[:head].view(64, -1), dim=0).log_().sum()
    if head < n:
        log_m = log_m + m[head:].log().sum()
    xy = torch.dot(x.reshape(-1), y.reshape(-1))
    return (torch.clamp_min(x, 0.0).sum() - log_m - xy) / n, g


class _MeanBCEWithLogits(torch.autograd.Function):
    """Mean binary cross-entropy from logits, computed with its gradient in one
    pass over the data by a Numba kernel (``aekit.nn._cpu_kernels``), or else
    with a handful of PyTorch ops.

    Both compute ``Σ softplus(x) − x·y`` without an exp and a log1p per element
    (``log_sigmoid``): the log is taken of products of 64 factors in [1, 2] (or
    [½, 1]). The gradient ``(sigmoid(x) − y)/n`` is formed in the forward pass,
    from the sigmoid the loss needs anyway, and only when a gradient is wanted.
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        loss, g = _bce_mean(x, y, grad=bool(ctx.needs_input_grad[0]))
        if g is not None:
            ctx.save_for_backward(g)
        return loss

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, None]:
        (g,) = ctx.saved_tensors
        # The usual upstream gradient is exactly 1 (loss.backward()): hand over
        # the saved gradient itself. Autograd frees it from ctx after this call,
        # and while ctx holds it (retain_graph) nothing downstream writes into it.
        if float(grad) == 1.0:
            return g, None
        return g * grad, None


def mean_bce_with_logits(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """``F.binary_cross_entropy_with_logits(logits, target)`` (the mean), faster
    on the CPU; PyTorch's own everywhere else.

    The fast path (:class:`_MeanBCEWithLogits`) takes contiguous float32 CPU
    tensors of one shape, a target that needs no gradient, and no autocast; it
    agrees with PyTorch to float32 rounding (tests/test_functional.py).
    ``benchmarks/kernels.py`` times it against PyTorch's op.
    """
    if (
        logits.device.type == "cpu"
        and logits.dtype == torch.float32
        and target.dtype == torch.float32
        and logits.shape == target.shape
        and logits.numel() > 0
        and logits.is_contiguous()
        and target.is_contiguous()
        and not target.requires_grad
        and not cpu_autocast()
    ):
        return _MeanBCEWithLogits.apply(logits, target)
    return F.binary_cross_entropy_with_logits(logits, target)
