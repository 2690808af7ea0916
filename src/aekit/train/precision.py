"""Mixed precision and ``torch.compile`` for the training loop.

See ``docs/decisions/0011-precision-compile-streaming.md``.
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn

#: Accepted ``precision`` values and the autocast dtype of each (None: no autocast).
PRECISIONS: dict[str, torch.dtype | None] = {
    "fp32": None,
    "bf16": torch.bfloat16,
    "fp16": torch.float16,
}


def check_precision(precision: Any, device: torch.device | None = None) -> None:
    """Raise ``ValueError`` for an unknown precision or one ``device`` lacks.

    float16 needs loss scaling and fast half-precision kernels, which only CUDA
    offers: on the CPU, float16 autocast covers few operations and is slower
    than float32, so asking for it there is an error rather than a silent
    fallback to a different number format (use ``"bf16"``, which has float32's
    exponent range and needs no loss scaling).
    """
    if not isinstance(precision, str) or precision not in PRECISIONS:
        raise ValueError(
            f"precision={precision!r} is not supported; choose one of: "
            + ", ".join(repr(p) for p in PRECISIONS)
        )
    if precision == "fp16" and device is not None and device.type != "cuda":
        raise ValueError(
            f"precision='fp16' needs a CUDA device (training would run on "
            f"{device.type!r}); use precision='bf16' on the CPU"
        )


def autocast(precision: str, device: torch.device) -> contextlib.AbstractContextManager:
    """The autocast context of ``precision`` on ``device`` (a no-op for fp32)."""
    dtype = PRECISIONS[precision]
    if dtype is None:
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=dtype)


def make_scaler(precision: str, device: torch.device) -> torch.amp.GradScaler | None:
    """A gradient scaler for float16 training, else None.

    float16 has 5 exponent bits: small gradients underflow to zero. Scaling the
    loss by a large factor before the backward pass and unscaling the gradients
    before the update keeps them representable; the factor halves when a step
    overflows (that step is skipped) and grows again after a run of good steps
    (Micikevicius et al., "Mixed Precision Training", ICLR 2018). bfloat16 has
    float32's exponent range and needs none.
    """
    if precision != "fp16":
        return None
    return torch.amp.GradScaler(device.type)


class _CompiledForward:
    """``module.forward`` through ``torch.compile``, falling back to eager.

    ``torch.compile`` compiles lazily, at the first call, so an unsupported
    operation or a missing C++ compiler only shows there: the first failure
    warns once and every later call runs the eager forward.
    """

    def __init__(self, eager: Callable[..., Any], compiled: Callable[..., Any]):
        self.eager = eager
        self.compiled: Callable[..., Any] | None = compiled

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.compiled is not None:
            try:
                return self.compiled(*args, **kwargs)
            except Exception as exc:  # any backend failure: eager is still right
                self.compiled = None
                _warn_compile(exc)
        return self.eager(*args, **kwargs)


def _warn_compile(exc: BaseException) -> None:
    warnings.warn(
        f"compile=True: torch.compile failed ({type(exc).__name__}: {exc}); "
        "training continues without compilation",
        RuntimeWarning,
        stacklevel=4,
    )


@contextlib.contextmanager
def compiled_forward(module: nn.Module, enabled: bool) -> Iterator[None]:
    """Run ``module``'s ``forward`` compiled for the duration of the block.

    Only ``forward`` is compiled: objectives that call other methods of the
    network (the VAE's encode/decode) run those eagerly. The original
    ``forward`` is put back afterwards, so the fitted model pickles, saves and
    predicts exactly like an eagerly trained one.
    """
    if not enabled:
        yield
        return
    eager = module.forward
    try:
        compiled = torch.compile(eager)
    except Exception as exc:  # e.g. Dynamo does not support this Python
        _warn_compile(exc)
        yield
        return
    # An instance attribute shadows the class's forward for nn.Module.__call__.
    module.forward = _CompiledForward(eager, compiled)
    try:
        yield
    finally:
        del module.forward
