"""Ops of aekit's own where PyTorch's are slow on the CPU."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch
from torch.autograd.function import once_differentiable


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
