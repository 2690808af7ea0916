"""Figures for autoencoders. Every function returns a :class:`matplotlib.figure.Figure`.

Figures are built with the object-oriented API (no pyplot state, no ``show``), so
they work in scripts, notebooks and headless servers alike; save them with
``fig.savefig(path)``.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator


def as_images(X: np.ndarray) -> np.ndarray | None:
    """View samples as 2-D greyscale images if their shape allows, else ``None``.

    ``(n, h, w)`` stays; ``(n, h, w, 1)``/``(n, 1, h, w)`` are squeezed; flat
    vectors whose length is a perfect square become square images.
    """
    X = np.asarray(X)
    if X.ndim == 4 and 1 in (X.shape[1], X.shape[3]):
        X = X.reshape(X.shape[0], *[s for s in X.shape[1:] if s != 1][:2])
    if X.ndim == 3:
        return X
    if X.ndim == 2:
        side = math.isqrt(X.shape[1])
        if side * side == X.shape[1] and side > 1:
            return X.reshape(X.shape[0], side, side)
    return None


def image_grid(
    images: np.ndarray,
    nrows: int,
    ncols: int,
    *,
    row_titles: Sequence[str] | None = None,
    title: str | None = None,
    cell_size: float = 1.1,
) -> Figure:
    """Draw ``nrows * ncols`` greyscale images without ticks, row by row."""
    fig = Figure(
        figsize=(
            cell_size * ncols + (1.2 if row_titles else 0.2),
            cell_size * nrows + (0.5 if title else 0.1),
        )
    )
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if index < len(images):
            ax.imshow(
                images[index], cmap="gray", vmin=0.0, vmax=1.0, interpolation="nearest"
            )
    if row_titles:
        for ax, label in zip(axes[:, 0], row_titles, strict=False):
            ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=10)
    if title:
        fig.suptitle(title, fontsize=12)
    fig.tight_layout(pad=0.3)
    return fig


def reconstruction_grid(estimator: Any, X: np.ndarray, n: int = 10) -> Figure:
    """Originals (top row) over their reconstructions (bottom row).

    The figure of the Keras blog's autoencoder tutorial. Non-image data is drawn
    as overlaid profiles of each sample and its reconstruction instead.

    Parameters
    ----------
    estimator : fitted aekit estimator
        Anything with ``reconstruct``.
    X : array-like
        Samples; the first ``n`` are drawn.
    n : int
        Number of samples.
    """
    X = np.asarray(X)[:n]
    recon = estimator.reconstruct(X)
    originals, recons = as_images(X), as_images(recon)
    name = type(estimator).__name__
    if originals is None or recons is None:
        return _profile_grid(X.reshape(len(X), -1), recon.reshape(len(X), -1), name)
    err = np.mean((recon.reshape(len(X), -1) - X.reshape(len(X), -1)) ** 2)
    return image_grid(
        np.concatenate([originals, recons]),
        2,
        len(X),
        row_titles=["original", "reconstructed"],
        title=f"{name} reconstructions (MSE {err:.4f})",
    )


def _profile_grid(X: np.ndarray, recon: np.ndarray, name: str) -> Figure:
    ncols = min(len(X), 5)
    nrows = math.ceil(len(X) / ncols)
    fig = Figure(figsize=(3.0 * ncols, 2.2 * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for index, ax in enumerate(axes.flat):
        if index >= len(X):
            ax.axis("off")
            continue
        ax.plot(X[index], color="0.2", lw=1.2, label="original")
        ax.plot(
            recon[index], color="tab:orange", lw=1.2, ls="--", label="reconstructed"
        )
        ax.set_title(f"sample {index}", fontsize=9)
        ax.set_xlabel("feature", fontsize=8)
    axes.flat[0].legend(fontsize=8)
    fig.suptitle(f"{name} reconstructions")
    fig.tight_layout()
    return fig


def training_curves(
    history: Mapping[str, Sequence[float]], log_scale: bool = False
) -> Figure:
    """Loss per epoch: ``loss`` and ``val_loss``, plus any separate loss terms.

    Parameters
    ----------
    history : mapping of str to sequence of float
        An estimator's ``history_`` (Keras-style: one value per epoch).
    log_scale : bool
        Use a logarithmic loss axis.
    """
    terms = [
        k
        for k in history
        if k not in ("loss", "val_loss", "epoch_time") and not k.startswith("val_")
    ]
    fig = Figure(figsize=(10 if terms else 6, 4))
    axes = fig.subplots(1, 2 if terms else 1, squeeze=False)[0]
    ax = axes[0]
    for key, style in (("loss", "-"), ("val_loss", "--")):
        values = history.get(key)
        if values:
            epochs = np.arange(1, len(values) + 1)
            label = f"{'train' if key == 'loss' else 'validation'} ({values[-1]:.4g})"
            ax.plot(epochs, values, style, lw=2, label=label)
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("loss")
    ax.set_title("Training curves")
    ax.grid(alpha=0.3)
    ax.legend(title="final value")
    if log_scale:
        ax.set_yscale("log")
    if terms:
        for key in terms:
            values = history[key]
            ax_terms = axes[1]
            ax_terms.plot(
                np.arange(1, len(values) + 1),
                values,
                lw=2,
                label=f"{key} ({values[-1]:.4g})",
            )
        axes[1].set_xlabel("epoch")
        axes[1].set_title("Loss terms (train)")
        axes[1].set_yscale("log")
        axes[1].grid(alpha=0.3)
        axes[1].legend()
    fig.tight_layout()
    return fig


def _first_layer_images(estimator: Any, n: int) -> tuple[np.ndarray, str]:
    """First-layer weights as 2-D images, and what they are."""
    import torch

    for layer in estimator.module_.modules():
        if isinstance(layer, torch.nn.Conv2d):
            # (filters, channels, k, k): average colour channels into one kernel.
            kernels = layer.weight.detach().cpu().numpy()[:n].mean(axis=1)
            return kernels, f"{len(kernels)} first-layer convolution kernels"
        if isinstance(layer, torch.nn.Linear):
            weights = layer.weight.detach().cpu().numpy()[:n]
            shape = tuple(getattr(estimator, "input_shape_", ()))
            images = (
                weights.reshape(len(weights), *shape)
                if len(shape) == 2
                else as_images(weights)
            )
            if images is None:
                raise ValueError(
                    f"cannot draw weights of {weights.shape[1]} inputs as images; "
                    "encoder_weights needs image-shaped inputs"
                )
            return images, f"first-layer weights of {len(images)} units"
    raise ValueError(f"{type(estimator).__name__} has no first layer to draw")


def encoder_weights(estimator: Any, n: int = 64, ncols: int = 8) -> Figure:
    """First-layer encoder weights, one image per hidden unit or conv filter.

    Each dense unit's incoming weights are reshaped to the input image (for a
    convolutional model, each first-layer kernel is drawn, colour channels
    averaged) and scaled symmetrically around zero, so what a unit responds to —
    strokes, blobs, edges — is visible: the weight-visualisation figure of the
    textbook chapters.

    Parameters
    ----------
    estimator : fitted aekit estimator
    n : int
        Number of units or filters to draw (the first ``n``).
    ncols : int
        Images per row.
    """
    images, what = _first_layer_images(estimator, n)
    ncols = min(ncols, len(images))
    nrows = math.ceil(len(images) / ncols)
    fig = Figure(figsize=(1.1 * ncols, 1.1 * nrows + 0.5))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if index < len(images):
            limit = float(np.abs(images[index]).max()) or 1.0
            ax.imshow(
                images[index],
                cmap="RdBu_r",
                vmin=-limit,
                vmax=limit,
                interpolation="nearest",
            )
        else:
            ax.axis("off")
    fig.suptitle(f"{what.capitalize()} (red +, blue −)")
    fig.tight_layout(pad=0.3)
    return fig


def code_activations(estimator: Any, X: np.ndarray, bins: int = 50) -> Figure:
    """Histogram of code activations over ``X``, with the mean and the share near 0.

    Shows how sparse a code is: a sparse autoencoder piles activations at zero.
    """
    codes = estimator.transform(X).ravel()
    fig = Figure(figsize=(6, 4))
    ax = fig.subplots()
    ax.hist(codes, bins=bins, color="tab:blue", alpha=0.85)
    ax.set_yscale("log")
    ax.set_xlabel("code activation")
    ax.set_ylabel("count (log scale)")
    near_zero = float(np.mean(np.abs(codes) < 0.01))
    ax.set_title(
        f"Code activations: mean {codes.mean():.3g}, {100 * near_zero:.0f}% below 0.01"
    )
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def denoising_grid(
    estimator: Any, clean: np.ndarray, noisy: np.ndarray, n: int = 10
) -> Figure:
    """Noisy inputs, their denoised reconstructions and the clean originals.

    The three-row figure of the textbook denoising examples.
    """
    clean, noisy = np.asarray(clean)[:n], np.asarray(noisy)[:n]
    denoised = estimator.reconstruct(noisy)
    rows = [as_images(a) for a in (noisy, denoised, clean)]
    if any(r is None for r in rows):
        raise ValueError("denoising_grid needs image-shaped samples")
    from .metrics import psnr

    gain = float(psnr(clean, denoised).mean() - psnr(clean, noisy).mean())
    return image_grid(
        np.concatenate(rows),  # type: ignore[arg-type]
        3,
        len(clean),
        row_titles=["noisy", "denoised", "clean"],
        title=f"{type(estimator).__name__} denoising (+{gain:.1f} dB PSNR)",
    )
