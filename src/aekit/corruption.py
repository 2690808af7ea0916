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

from collections.abc import Callable
from typing import Any, overload

import numpy as np
import torch

from .exceptions import DataError

KINDS = ("gaussian", "masking", "salt_pepper")

#: Maps a clean batch to a corrupted one.
Corruption = Callable[[torch.Tensor], torch.Tensor]


def gaussian(
    x: torch.Tensor,
    std: float,
    mean: float = 0.0,
    clip: bool = False,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Additive Gaussian noise ``x + N(mean, std²)``, optionally clipped to [0, 1].

    The Keras blog's denoiser uses ``std=0.5`` with clipping (``0.5·N(0, 1)``);
    the Packt chapter also adds N(0.5, 0.5) (``mean=0.5, std=0.5``). Vincent et
    al. (JMLR 2010) call it isotropic Gaussian noise.

    Parameters
    ----------
    x : Tensor
        Clean batch (any shape, on any device).
    std : float
        Standard deviation of the noise.
    mean : float
        Mean of the noise.
    clip : bool
        Clip the result to [0, 1].
    generator : torch.Generator, optional
        CPU generator; the noise is drawn on the CPU and moved to ``x``'s device,
        so one seed gives the same noise on every device.

    Returns
    -------
    Tensor
        A new tensor; ``x`` is not modified.
    """
    noise = torch.randn(x.shape, generator=generator, dtype=x.dtype, device="cpu")
    noisy = x + (noise.to(x.device) * std + mean)
    return noisy.clamp_(0.0, 1.0) if clip else noisy


def masking(
    x: torch.Tensor, fraction: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """Masking noise: each entry set to 0 independently with probability ``fraction``.

    The corruption of Vincent et al. (ICML 2008): the network must fill in the
    missing entries from the ones it still sees.

    Parameters
    ----------
    x : Tensor
        Clean batch.
    fraction : float
        Probability in [0, 1] that an entry is zeroed.
    generator : torch.Generator, optional
        CPU generator for reproducible noise.
    """
    keep = torch.rand(x.shape, generator=generator, device="cpu") >= fraction
    return x * keep.to(device=x.device, dtype=x.dtype)


def salt_and_pepper(
    x: torch.Tensor,
    fraction: float,
    generator: torch.Generator | None = None,
    low: float = 0.0,
    high: float = 1.0,
) -> torch.Tensor:
    """Salt-and-pepper noise: each entry, with probability ``fraction``, is set to
    ``low`` or ``high`` (each with probability one half) (Vincent et al., 2010).

    Parameters
    ----------
    x : Tensor
        Clean batch.
    fraction : float
        Probability in [0, 1] that an entry is replaced.
    generator : torch.Generator, optional
        CPU generator for reproducible noise.
    low, high : float
        The "pepper" and "salt" values (the data's minimum and maximum).
    """
    u = torch.rand(x.shape, generator=generator, device="cpu").to(x.device)
    low_t = torch.tensor(low, dtype=x.dtype, device=x.device)
    high_t = torch.tensor(high, dtype=x.dtype, device=x.device)
    # u < fraction/2 → salt, fraction/2 <= u < fraction → pepper, else unchanged.
    return torch.where(u < fraction / 2, high_t, torch.where(u < fraction, low_t, x))


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
) -> Corruption:
    """A callable ``x -> x̃`` applying ``kind`` noise with one shared generator.

    Each call draws fresh noise from ``generator``, so the callable corrupts every
    training batch differently; seeding the generator makes the sequence
    reproducible.
    """
    if kind is None:
        raise ValueError(
            "kind must be one of: " + ", ".join(repr(k) for k in KINDS) + "; got None"
        )
    check_corruption(kind, level, mean)
    return _Noise(kind, level, mean, clip, generator)


class _Noise:
    """The callable :func:`make_corruption` returns.

    A class rather than a closure so the trainer can reach ``generator``: it
    checkpoints and restores its state so a resumed run draws the same noise.
    """

    def __init__(
        self,
        kind: str,
        level: float,
        mean: float,
        clip: bool,
        generator: torch.Generator | None,
    ) -> None:
        self.kind, self.level, self.mean, self.clip = kind, level, mean, clip
        self.generator = generator

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        if self.kind == "gaussian":
            return gaussian(x, self.level, self.mean, self.clip, self.generator)
        if self.kind == "masking":
            return masking(x, self.level, self.generator)
        return salt_and_pepper(x, self.level, self.generator)


@overload
def corrupt(
    X: torch.Tensor,
    kind: str,
    level: float,
    *,
    mean: float = ...,
    clip: bool = ...,
    random_state: int | None = ...,
) -> torch.Tensor: ...


@overload
def corrupt(
    X: Any,
    kind: str,
    level: float,
    *,
    mean: float = ...,
    clip: bool = ...,
    random_state: int | None = ...,
) -> np.ndarray: ...


def corrupt(
    X: Any,
    kind: str,
    level: float,
    *,
    mean: float = 0.0,
    clip: bool = False,
    random_state: int | None = None,
) -> np.ndarray | torch.Tensor:
    """Corrupt data the way a denoising autoencoder's training does.

    Use it to make noisy test data with the noise model the estimator was
    trained with, e.g. ``corrupt(X_test, "masking", 0.3, random_state=0)``.

    Parameters
    ----------
    X : array-like or Tensor
        Clean data, any shape.
    kind : {"gaussian", "masking", "salt_pepper"}
        Noise model.
    level : float
        Standard deviation for ``"gaussian"``; fraction of entries in [0, 1]
        for the others.
    mean : float
        Mean of the Gaussian noise.
    clip : bool
        Clip Gaussian-corrupted values to [0, 1].
    random_state : int, optional
        Seed for reproducible noise; ``None`` draws a fresh seed.

    Returns
    -------
    ndarray of float32, or Tensor
        Same shape as ``X``: a float32 array for array-like input, a tensor of
        ``X``'s dtype and device for a floating-point tensor.

    Raises
    ------
    ValueError
        For an unknown ``kind`` or an out-of-range ``level``.
    DataError
        When ``X`` contains NaN or infinity.
    """
    make_corruption(kind, level, mean)  # validates kind and level
    is_tensor = isinstance(X, torch.Tensor)
    if is_tensor:
        x = X.detach() if X.is_floating_point() else X.detach().float()
    else:
        x = torch.from_numpy(np.asarray(X, dtype=np.float32))
    if not bool(torch.isfinite(x).all()):
        raise DataError("X contains NaN or infinity")
    generator = torch.Generator()
    if random_state is not None:
        generator.manual_seed(int(random_state))
    else:
        generator.seed()
    noisy = make_corruption(kind, level, mean, clip, generator)(x)
    return noisy if is_tensor else noisy.numpy()
