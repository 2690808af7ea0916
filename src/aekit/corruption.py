"""Input corruption for denoising autoencoders.

Vincent, Larochelle, Bengio & Manzagol, "Extracting and Composing Robust Features
with Denoising Autoencoders", ICML 2008, and Vincent et al., "Stacked Denoising
Autoencoders", JMLR 11 (2010): the network sees a corrupted input x̃ ~ q(x̃|x) and
is trained to reconstruct the clean x. This module is public so test data can be
corrupted exactly as during training::

    noisy = aekit.corruption.corrupt(X_test, "gaussian", 0.5, clip=True, random_state=0)

The tensor functions take a ``torch.Generator`` so corruption is reproducible.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from .exceptions import DataError

KINDS = ("gaussian", "masking", "salt_pepper")


def gaussian(
    x: torch.Tensor,
    std: float,
    mean: float = 0.0,
    clip: bool = False,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Additive Gaussian noise ``x + N(mean, std²)``, optionally clipped to [0, 1].

    The Keras blog's denoiser uses ``std=0.5`` with clipping; the Packt chapter also
    adds N(0.5, 0.5) (``mean=0.5, std=0.5``).
    """
    noise = torch.randn(x.shape, generator=generator, dtype=x.dtype, device="cpu")
    noisy = x + (noise.to(x.device) * std + mean)
    return noisy.clamp_(0.0, 1.0) if clip else noisy


def masking(
    x: torch.Tensor, fraction: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Masking noise: each entry set to 0 with probability ``fraction``."""
    keep = torch.rand(x.shape, generator=generator, device="cpu") >= fraction
    return x * keep.to(device=x.device, dtype=x.dtype)


def salt_and_pepper(
    x: torch.Tensor,
    fraction: float,
    generator: torch.Generator | None = None,
    low: float = 0.0,
    high: float = 1.0,
) -> torch.Tensor:
    """Salt-and-pepper noise: a ``fraction`` of entries set to ``low`` or ``high``
    (each with probability one half)."""
    u = torch.rand(x.shape, generator=generator, device="cpu").to(x.device)
    hit = u < fraction
    salt = u < fraction / 2
    out = x.clone()
    out[hit] = low
    out[salt] = high
    return out


def check_corruption(kind: str | None, level: float, mean: float = 0.0) -> None:
    """Raise ``ValueError`` for an unknown kind or an out-of-range level."""
    if kind is None:
        return
    if kind not in KINDS:
        raise ValueError(
            f"corruption={kind!r} is not supported; choose one of: "
            + ", ".join(repr(k) for k in KINDS)
        )
    if isinstance(level, bool) or not np.isfinite(level) or level < 0:
        raise ValueError(f"noise_level must be a finite number >= 0, got {level!r}")
    if kind != "gaussian" and level > 1:
        raise ValueError(
            f"noise_level is the fraction of corrupted entries for {kind!r} noise and "
            f"must be in [0, 1], got {level}"
        )
    if not np.isfinite(mean):
        raise ValueError(f"noise_mean must be finite, got {mean!r}")


def make_corruption(
    kind: str,
    level: float,
    mean: float = 0.0,
    clip: bool = False,
    generator: torch.Generator | None = None,
) -> Any:
    """A callable ``x -> x̃`` applying ``kind`` noise with one shared generator."""
    check_corruption(kind, level, mean)
    if kind == "gaussian":
        return lambda x: gaussian(x, level, mean, clip, generator)
    if kind == "masking":
        return lambda x: masking(x, level, generator)
    return lambda x: salt_and_pepper(x, level, generator)


def corrupt(
    X: Any,
    kind: str,
    level: float,
    *,
    mean: float = 0.0,
    clip: bool = False,
    random_state: int | None = None,
) -> np.ndarray:
    """Corrupt a numpy array (or anything array-like) the way training does.

    Parameters
    ----------
    X : array-like
        Clean data.
    kind : {"gaussian", "masking", "salt_pepper"}
        Noise model.
    level : float
        Standard deviation for ``"gaussian"``; fraction of entries for the others.
    mean : float
        Mean of the Gaussian noise.
    clip : bool
        Clip the result to [0, 1].
    random_state : int, optional
        Seed for reproducible noise.

    Returns
    -------
    ndarray of float32, same shape as ``X``
    """
    arr = np.asarray(X, dtype=np.float32)
    if not np.all(np.isfinite(arr)):
        raise DataError("X contains NaN or infinity")
    generator = torch.Generator()
    if random_state is not None:
        generator.manual_seed(int(random_state))
    else:
        generator.seed()
    noisy = make_corruption(kind, level, mean, clip, generator)(torch.from_numpy(arr))
    return noisy.numpy()
