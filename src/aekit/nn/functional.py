"""Functions shared by the modules and the losses, where PyTorch's own are slow."""

from __future__ import annotations

from typing import Any

import torch
from torch.autograd.function import once_differentiable


def _chunk(n: int, most: int = 64) -> int:
    """The largest divisor of ``n`` that is at most ``most``."""
    return next(k for k in range(min(n, most), 0, -1) if n % k == 0)


class _BCEWithLogitsRowSum(torch.autograd.Function):
    """Σ over the last axis of BCE(sigmoid(x), y), with one transcendental pass.

    ``softplus(x) = relu(x) - log(sigmoid(|x|))`` and ``sigmoid(|x|)`` lies in
    [½, 1], so the log of a product of up to 64 of them stays a normal float32
    (≥ 2⁻⁶⁴): one ``log`` per 64 elements replaces ``log_sigmoid``'s
    exp-and-log1p per element, the costliest kernel of a dense autoencoder's
    step on CPU. The sigmoid is the one the backward pass needs anyway
    (∂/∂x = sigmoid(x) − y). Agrees with ``binary_cross_entropy_with_logits``
    to float32 rounding (tests/test_functional.py).
    """

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        s = torch.sigmoid(x)
        ctx.save_for_backward(s, x, y)
        d = x.shape[-1]
        k = _chunk(d)
        # In place where possible: on CPU every fresh activation-sized buffer can
        # cost page faults, which showed up as much as the arithmetic saved.
        u = (s - 0.5).abs_().add_(0.5)  # sigmoid(|x|)
        log_u = u.view(*u.shape[:-1], d // k, k).prod(dim=-1).log_().sum(dim=-1)
        t = torch.relu(x).addcmul_(x, y, value=-1.0)
        return t.sum(dim=-1).sub_(log_u)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        s, x, y = ctx.saved_tensors
        g = grad.unsqueeze(-1)
        dx = (s - y).mul_(g) if ctx.needs_input_grad[0] else None
        dy = (-x * g).sum_to_size(y.shape) if ctx.needs_input_grad[1] else None
        return dx, dy


def bce_with_logits(
    logits: torch.Tensor, target: torch.Tensor, reduction: str = "sum_last"
) -> torch.Tensor:
    """Binary cross-entropy from logits, summed over the last axis or averaged.

    Parameters
    ----------
    logits : Tensor
        Pre-sigmoid outputs; computed in float32 whatever the autocast dtype.
    target : Tensor
        Probabilities in [0, 1], broadcastable to ``logits``.
    reduction : {"sum_last", "mean"}
        One value per row (the sum over the last axis), or the mean over every
        element (``binary_cross_entropy_with_logits``' default).
    """
    x = logits.float()
    y = target.float().expand_as(x)
    if x.ndim == 0:
        x, y = x.reshape(1), y.reshape(1)
    rows = _BCEWithLogitsRowSum.apply(x, y)
    if reduction == "mean":
        return rows.sum() / x.numel()
    return rows


def _spans(offset: int, n: int) -> tuple[slice, slice]:
    """Output and input index ranges of a 1-D shift by ``offset`` (zero padding)."""
    return slice(max(0, -offset), n - max(0, offset)), slice(
        max(0, offset), n + min(0, offset)
    )


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
        for p in range(kh):
            dy, sy = _spans(p - kh // 2, h)
            for q in range(kw):
                dx, sx = _spans(q - kw // 2, w)
                out[:, :, dy, dx] += planes[:, p, q, :, sy, sx]
        ctx.save_for_backward(rows, taps)
        ctx.shape = (n, c, h, w, o, kh, kw)
        ctx.has_bias = bias is not None
        return out.permute(1, 0, 2, 3)

    @staticmethod
    @once_differentiable
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor | None, ...]:
        rows, taps = ctx.saved_tensors
        n, c, h, w, o, kh, kw = ctx.shape
        g = grad.permute(1, 0, 2, 3)
        grad_planes = g.new_zeros(o, kh, kw, n, h, w)
        for p in range(kh):
            dy, sy = _spans(p - kh // 2, h)
            for q in range(kw):
                dx, sx = _spans(q - kw // 2, w)
                grad_planes[:, p, q, :, sy, sx] = g[:, :, dy, dx]
        grad_taps = grad_planes.view(o * kh * kw, -1)
        gx = gw = gb = None
        if ctx.needs_input_grad[0]:
            gx = (grad_taps.t() @ taps).view(n, h, w, c).permute(0, 3, 1, 2)
        if ctx.needs_input_grad[1]:
            gw = (grad_taps @ rows).view(o, kh, kw, c).permute(0, 3, 1, 2)
        if ctx.has_bias and ctx.needs_input_grad[2]:
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
