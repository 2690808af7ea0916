"""Evaluation metrics for reconstructions."""

from __future__ import annotations

from typing import Any

import numpy as np


def _pair(reference: Any, estimate: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays as float64, checked to be same-shaped ``(n_samples, ...)``."""
    ref = np.asarray(reference, dtype=np.float64)
    est = np.asarray(estimate, dtype=np.float64)
    if ref.shape != est.shape:
        raise ValueError(f"shapes differ: {ref.shape} vs {est.shape}")
    if ref.ndim < 2:
        raise ValueError("expected (n_samples, ...) arrays")
    return ref, est


def psnr(reference: Any, estimate: Any, data_range: float = 1.0) -> np.ndarray:
    """Peak signal-to-noise ratio of each sample, in dB.

    ``PSNR = 10 log10(data_range² / MSE)`` with the MSE over one sample's features;
    ``data_range`` is the span of possible values (1.0 for images scaled to [0, 1],
    255 for 8-bit images). A perfect reconstruction gives ``inf``.

    Parameters
    ----------
    reference, estimate : array-like of shape (n_samples, ...)
        Clean data and its reconstruction (or noisy version).
    data_range : float
        Maximum possible value minus minimum possible value.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    ref, est = _pair(reference, estimate)
    mse = ((ref - est) ** 2).reshape(len(ref), -1).mean(axis=1)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(data_range**2 / mse)


def squared_error_per_sample(reference: Any, estimate: Any) -> np.ndarray:
    """Sum of squared errors over each sample's features (Hinton & Salakhutdinov)."""
    ref, est = _pair(reference, estimate)
    return ((ref - est) ** 2).reshape(len(ref), -1).sum(axis=1)


def ssim(reference: Any, estimate: Any, data_range: float = 1.0) -> np.ndarray:
    """Structural similarity of each image (Wang et al., IEEE TIP 13(4), 2004).

    Computed by scikit-image's ``structural_similarity`` (Gaussian-free 7×7
    window, its defaults) one image at a time; ``data_range`` is the span of
    possible pixel values (1.0 for images in [0, 1]). Images are ``(n, h, w)``
    greyscale or ``(n, h, w, c)`` colour (channels last).

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    from skimage.metrics import structural_similarity

    ref, est = _pair(reference, estimate)
    if ref.ndim not in (3, 4):
        raise ValueError(
            f"ssim needs images shaped (n, h, w) or (n, h, w, c), got {ref.shape}"
        )
    channel_axis = -1 if ref.ndim == 4 else None
    return np.array(
        [
            structural_similarity(
                r, e, data_range=data_range, channel_axis=channel_axis
            )
            for r, e in zip(ref, est, strict=True)
        ]
    )
