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
from matplotlib.ticker import FuncFormatter, MaxNLocator


def as_images(X: np.ndarray) -> np.ndarray | None:
    """View samples as images if their shape allows, else ``None``.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
        Samples. ``(n, h, w)`` stays as it is; ``(n, h, w, 1)`` and ``(n, 1, h, w)``
        are squeezed to greyscale; colour ``(n, h, w, 3)`` stays and ``(n, 3, h, w)``
        is moved to channels-last; flat vectors whose length is a perfect square
        (784 → 28×28) become square greyscale images.

    Returns
    -------
    ndarray of shape (n_samples, h, w) or (n_samples, h, w, 3), or None
        ``None`` when the samples are not images (e.g. 10 tabular features).
    """
    X = np.asarray(X)
    if X.ndim == 4:
        if X.shape[3] == 1:
            return X[..., 0]
        if X.shape[1] == 1:
            return X[:, 0]
        if X.shape[3] == 3:
            return X
        if X.shape[1] == 3:
            return np.moveaxis(X, 1, -1)
        return None
    if X.ndim == 3:
        return X
    if X.ndim == 2:
        side = math.isqrt(X.shape[1])
        if side * side == X.shape[1] and side > 1:
            return X.reshape(X.shape[0], side, side)
    return None


def _intensity_range(images: np.ndarray) -> tuple[float, float]:
    """``(0, 1)`` for data in the unit range, else the data's own min and max."""
    if images.size == 0:
        return 0.0, 1.0
    low, high = float(np.nanmin(images)), float(np.nanmax(images))
    if low >= 0.0 and high <= 1.0:
        return 0.0, 1.0
    return (low, high) if high > low else (low - 0.5, low + 0.5)


def image_grid(
    images: np.ndarray,
    nrows: int,
    ncols: int,
    titles: Sequence[str] | None = None,
    *,
    row_titles: Sequence[str] | None = None,
    title: str | None = None,
    cell_size: float = 1.1,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Figure:
    """Draw images in a grid, row by row: greyscale, no ticks, tight layout.

    Parameters
    ----------
    images : array-like of shape (k, h, w) or (k, h, w, 3)
        At most ``nrows * ncols`` images; cells left over stay blank.
    nrows, ncols : int
        Grid size.
    titles : sequence of str, optional
        One small title above each image.
    row_titles : sequence of str, optional
        One label left of each row (e.g. ``["original", "reconstructed"]``).
    title : str, optional
        Figure title.
    cell_size : float
        Size of one image in inches.
    vmin, vmax : float, optional
        Grey levels of black and white, shared by all images. By default
        ``[0, 1]`` for data in that range (the usual pixel scale), otherwise the
        data's min and max, so all images stay comparable.

    Returns
    -------
    matplotlib.figure.Figure
        With ``nrows * ncols`` axes.
    """
    images = np.asarray(images)
    if nrows < 1 or ncols < 1:
        raise ValueError(f"need nrows >= 1 and ncols >= 1, got {nrows} x {ncols}")
    if len(images) > nrows * ncols:
        raise ValueError(f"{len(images)} images do not fit a {nrows} x {ncols} grid")
    auto_low, auto_high = _intensity_range(images)
    low = auto_low if vmin is None else vmin
    high = auto_high if vmax is None else vmax
    fig = Figure(
        figsize=(
            cell_size * ncols + (1.2 if row_titles else 0.2),
            cell_size * nrows
            + (0.5 if title else 0.1)
            + (0.25 * nrows if titles else 0),
        )
    )
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        for spine in ax.spines.values():
            spine.set_visible(False)
        if index >= len(images):
            continue
        image = images[index]
        if image.ndim == 3:  # colour: imshow takes RGB values in [0, 1] as they are
            image = np.clip((image - low) / ((high - low) or 1.0), 0.0, 1.0)
        ax.imshow(image, cmap="gray", vmin=low, vmax=high, interpolation="nearest")
        if titles is not None and index < len(titles):
            ax.set_title(titles[index], fontsize=8)
    if row_titles:
        for ax, label in zip(axes[:, 0], row_titles, strict=False):
            ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=10)
    top = 1.0
    if title:
        fig.suptitle(title, fontsize=12, y=1.0, va="top")
        # Keep the title's strip free: tight_layout alone lets a tall grid of
        # axes grow into it.
        top = 1.0 - 0.4 / fig.get_figheight()
    fig.tight_layout(pad=0.3, rect=(0.0, 0.0, 1.0, top))
    return fig


def reconstruction_grid(
    estimator: Any, X: np.ndarray, n: int = 10, *, title: str | None = None
) -> Figure:
    """Originals (top row) over their reconstructions (bottom row).

    The figure of the Keras blog's autoencoder tutorial. Images may come as
    ``(n, h, w)``, with a channel axis, or flat with a perfect-square length (784
    pixels are drawn as 28×28). Other data (tabular features) is drawn as one small
    line plot per sample, the original and its reconstruction overlaid.

    Parameters
    ----------
    estimator : fitted aekit estimator
        Anything with ``reconstruct``.
    X : array-like of shape (n_samples, ...)
        Samples; the first ``n`` are drawn.
    n : int
        Number of samples.
    title : str, optional
        Figure title; by default the estimator's name and the mean squared error
        of the samples shown.

    Returns
    -------
    matplotlib.figure.Figure
        ``2 * n`` image axes, or one line plot per sample for non-image data.
    """
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    X = np.asarray(X)[:n]
    if len(X) == 0:
        raise ValueError("X holds no samples to draw")
    recon = np.asarray(estimator.reconstruct(X))
    flat, flat_recon = X.reshape(len(X), -1), recon.reshape(len(X), -1)
    err = float(np.mean((flat_recon - flat) ** 2))
    if title is None:
        title = f"{type(estimator).__name__} reconstructions (MSE {err:.4g})"
    originals, recons = as_images(X), as_images(recon)
    if originals is None or recons is None:
        return _profile_grid(flat, flat_recon, title)
    return image_grid(
        np.concatenate([originals, recons]),
        2,
        len(X),
        row_titles=["original", "reconstructed"],
        title=title,
    )


def _profile_grid(X: np.ndarray, recon: np.ndarray, title: str) -> Figure:
    """One line plot per sample: its features and their reconstruction."""
    ncols = min(len(X), 5)
    nrows = math.ceil(len(X) / ncols)
    fig = Figure(figsize=(2.8 * ncols, 2.0 * nrows + 0.6))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    many = X.shape[1] > 30
    for index, ax in enumerate(axes.flat):
        if index >= len(X):
            ax.axis("off")
            continue
        features = np.arange(X.shape[1])
        marker = None if many else "o"
        ax.plot(features, X[index], color="0.15", lw=1.2, marker=marker, ms=3)
        ax.plot(
            features,
            recon[index],
            color="tab:orange",
            lw=1.2,
            ls="--",
            marker=marker,
            ms=3,
        )
        ax.set_title(f"sample {index}", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.3)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
        if index >= len(X) - ncols:
            ax.set_xlabel("feature", fontsize=8)
    fig.legend(
        handles=axes.flat[0].lines,
        labels=["original", "reconstructed"],
        loc="upper right",
        ncols=2,
        fontsize=9,
        frameon=False,
    )
    fig.suptitle(title, x=0.02, ha="left")
    fig.tight_layout()
    return fig


def training_curves(
    history: Mapping[str, Sequence[float]],
    log_scale: bool = False,
    *,
    title: str = "Training curves",
    ylabel: str = "loss",
) -> Figure:
    """Loss per epoch: ``loss`` and ``val_loss``, plus any separate loss terms.

    The legend gives each curve's final value. When the history holds separate
    terms of the objective (``reconstruction``, ``l1``, ``kl_sparsity``,
    ``contractive``…) they get a second panel on a log axis, train solid and
    validation dashed.

    Parameters
    ----------
    history : mapping of str to sequence of float
        An estimator's ``history_`` (Keras-style: one value per epoch).
        ``epoch_time`` is ignored.
    log_scale : bool
        Use a logarithmic loss axis for the total loss.
    title : str
        Title of the loss panel.
    ylabel : str
        Label of the loss axis, e.g. ``"binary cross-entropy"``.

    Returns
    -------
    matplotlib.figure.Figure
        One axes, or two when separate loss terms are present.
    """
    if not history.get("loss"):
        raise ValueError("history has no 'loss' values to draw")
    terms = [
        k
        for k in history
        if k not in ("loss", "val_loss", "epoch_time")
        and not k.startswith("val_")
        and len(history[k]) > 0
    ]
    fig = Figure(figsize=(10.5 if terms else 6, 4))
    axes = fig.subplots(1, 2 if terms else 1, squeeze=False)[0]
    ax = axes[0]
    for key, style in (("loss", "-"), ("val_loss", "--")):
        values = history.get(key)
        if values:
            epochs = np.arange(1, len(values) + 1)
            label = f"{'train' if key == 'loss' else 'validation'} ({values[-1]:.4g})"
            marker = "o" if len(values) <= 25 else None
            ax.plot(epochs, values, style, lw=2, marker=marker, ms=4, label=label)
    ax.set_title(title)
    _style_epoch_axis(ax, ylabel + (" (log scale)" if log_scale else ""))
    ax.legend(title="final value")
    if log_scale:
        _log_axis(ax)
    if terms:
        ax_terms = axes[1]
        for key in terms:
            values = history[key]
            (line,) = ax_terms.plot(
                np.arange(1, len(values) + 1),
                values,
                lw=2,
                label=f"{key} ({values[-1]:.4g})",
            )
            val = history.get(f"val_{key}")
            if val:
                ax_terms.plot(
                    np.arange(1, len(val) + 1),
                    val,
                    "--",
                    lw=1.5,
                    color=line.get_color(),
                    label="_nolegend_",
                )
        has_val = any(history.get(f"val_{key}") for key in terms)
        ax_terms.set_title(
            "Loss terms (train solid, validation dashed)"
            if has_val
            else "Loss terms (train)"
        )
        _style_epoch_axis(ax_terms, "term value (log scale)")
        _log_axis(ax_terms)
        ax_terms.legend(title="final value")
    fig.tight_layout()
    return fig


def _log_axis(ax: Any) -> None:
    """Log-scale y axis labelled with plain numbers (0.2, not 2×10⁻¹)."""
    ax.set_yscale("log")
    plain = FuncFormatter(lambda value, _: f"{value:.3g}")
    ax.yaxis.set_major_formatter(plain)
    ax.yaxis.set_minor_formatter(plain)
    ax.tick_params(axis="y", which="both", labelsize=8)


def _style_epoch_axis(ax: Any, ylabel: str) -> None:
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)


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


def _codes_2d(codes: np.ndarray) -> tuple[np.ndarray, str]:
    """The codes themselves when 2-D, else their first two principal components."""
    if codes.shape[1] == 2:
        return codes, "z"
    if codes.shape[1] == 1:
        return np.column_stack([codes[:, 0], np.zeros(len(codes))]), "z"
    from sklearn.decomposition import PCA

    return PCA(n_components=2, random_state=0).fit_transform(codes), "PC"


def latent_scatter(
    estimator: Any,
    X: np.ndarray,
    y: np.ndarray | None = None,
    *,
    title: str | None = None,
    max_points: int = 10000,
) -> Figure:
    """Scatter of the codes of ``X`` in two dimensions, coloured by label.

    Codes of more than two dimensions are projected on their first two principal
    components (PCA, deterministic), and the axes say so. Works for any fitted
    estimator with ``transform`` (for a VAE, the posterior means).

    Parameters
    ----------
    estimator : fitted aekit estimator
    X : array-like
        Samples to encode.
    y : array-like of shape (n_samples,), optional
        Labels; with ten or fewer classes each gets a colour and a legend entry,
        otherwise a colour bar.
    title : str, optional
        Figure title.
    max_points : int
        Draw at most this many samples (the first ones), so the plot stays
        readable and light.
    """
    X = np.asarray(X)[:max_points]
    if len(X) == 0:
        raise ValueError("X holds no samples to draw")
    points, axis = _codes_2d(np.asarray(estimator.transform(X)))
    fig = Figure(figsize=(6.4, 5.6))
    ax = fig.subplots()
    if y is None:
        ax.scatter(points[:, 0], points[:, 1], s=3, alpha=0.5, color="tab:blue")
    else:
        labels = np.asarray(y)[: len(X)]
        if len(labels) != len(X):
            raise ValueError(f"y has {len(labels)} labels for {len(X)} samples")
        classes = np.unique(labels)
        if len(classes) <= 10:
            for i, c in enumerate(classes):
                mask = labels == c
                ax.scatter(
                    points[mask, 0],
                    points[mask, 1],
                    s=3,
                    alpha=0.6,
                    color=f"C{i}",
                    label=str(c),
                )
            legend = ax.legend(
                title="label", markerscale=4, fontsize=8, loc="best", framealpha=0.8
            )
            for handle in legend.legend_handles:
                if handle is not None:
                    handle.set_alpha(1.0)
        else:
            sc = ax.scatter(points[:, 0], points[:, 1], s=3, c=labels, cmap="viridis")
            fig.colorbar(sc, ax=ax, label="label")
    ax.set_xlabel(f"{axis}1")
    ax.set_ylabel(f"{axis}2")
    ax.set_title(
        title
        or f"{type(estimator).__name__} codes"
        + (" (first two principal components)" if axis == "PC" else "")
    )
    fig.tight_layout()
    return fig


def latent_manifold(
    estimator: Any,
    n: int = 20,
    *,
    dims: tuple[int, int] = (0, 1),
    quantile_range: tuple[float, float] = (0.05, 0.95),
    title: str | None = None,
) -> Figure:
    """Decoded grid over two latent dimensions (the textbook's manifold figure).

    The grid points are the Gaussian quantiles of ``linspace(*quantile_range, n)``
    in each of the two ``dims`` (the other latent units stay at 0, the prior's
    mean), so equal steps hold equal prior mass, as in Kingma & Welling (2014),
    figure 4. Meant for a VAE; any estimator with ``inverse_transform`` works, but
    the quantiles of N(0, 1) only mean something under a standard normal prior.
    """
    from scipy.stats import norm

    if n < 2:
        raise ValueError(f"n must be >= 2, got {n}")
    low, high = quantile_range
    if not 0 < low < high < 1:
        raise ValueError(
            f"quantile_range must satisfy 0 < low < high < 1, got {low, high}"
        )
    latent_dim = int(estimator.module_.code_dim)
    if len(set(dims)) != 2 or not all(0 <= d < latent_dim for d in dims):
        raise ValueError(f"dims must be two different units below {latent_dim}")
    grid = norm.ppf(np.linspace(low, high, n))
    z = np.zeros((n * n, latent_dim), dtype=np.float32)
    # Row 0 at the top holds the largest value of the second dimension.
    z[:, dims[0]] = np.tile(grid, n)
    z[:, dims[1]] = np.repeat(grid[::-1], n)
    images = as_images(estimator.inverse_transform(z))
    if images is None:
        raise ValueError("the decoded samples are not images")
    return image_grid(
        images,
        n,
        n,
        title=title or f"decoded latent grid (z{dims[0] + 1} →, z{dims[1] + 1} ↑)",
        cell_size=0.45,
    )


def interpolate(
    estimator: Any,
    x_a: np.ndarray,
    x_b: np.ndarray,
    steps: int = 10,
    *,
    title: str | None = None,
) -> Figure:
    """Decode the straight line between the codes of two samples.

    The first and last images are the two inputs; in between, the decodings of
    ``(1 - t)·code(x_a) + t·code(x_b)`` for ``steps`` evenly spaced ``t``.
    """
    if steps < 2:
        raise ValueError(f"steps must be >= 2, got {steps}")
    pair = np.stack([np.asarray(x_a), np.asarray(x_b)])
    codes = np.asarray(estimator.transform(pair))
    t = np.linspace(0.0, 1.0, steps, dtype=np.float32)[:, None]
    path = (1 - t) * codes[0] + t * codes[1]
    decoded = as_images(estimator.inverse_transform(path.astype(np.float32)))
    ends = as_images(pair)
    if decoded is None or ends is None:
        raise ValueError("the samples are not images")
    images = np.concatenate([ends[:1], decoded, ends[1:]])
    labels = ["x_a"] + [f"t={v:.2f}" for v in t[:, 0]] + ["x_b"]
    return image_grid(
        images,
        1,
        len(images),
        titles=labels,
        title=title or "interpolation between two codes",
    )


def _class_colours(
    labels: np.ndarray,
    class_names: Sequence[str] | Mapping[Any, str] | None,
) -> tuple[list[Any], list[str]]:
    """Colour of each label (``C0``…``C9`` by sorted class) and the legend text."""
    classes = np.unique(labels)
    integer = np.issubdtype(classes.dtype, np.integer)
    names: list[str] = []
    for c in classes:
        if isinstance(class_names, Mapping):
            names.append(str(class_names.get(c, c)))
        elif class_names is not None and integer and 0 <= c < len(class_names):
            names.append(str(class_names[int(c)]))  # a sequence is indexed by label
        else:
            names.append(str(c))
    return [f"C{i}" for i in range(len(classes))], names


def embedding_comparison(
    embeddings: Mapping[str, np.ndarray],
    y: np.ndarray | None = None,
    *,
    scores: Mapping[str, Mapping[str, float]] | None = None,
    class_names: Sequence[str] | Mapping[Any, str] | None = None,
    title: str | None = None,
    max_points: int = 10000,
    ncols: int | None = None,
    panel_size: float = 4.6,
) -> Figure:
    """Side-by-side scatter plots of several embeddings of the same samples.

    One panel per method (e.g. ``{"autoencoder 784-500-2": codes, "PCA": pcs}``),
    points coloured by class, with one legend for all panels: the figure Hinton &
    Salakhutdinov (2006, fig. 3) use to set a deep autoencoder's 2-D codes beside
    PCA's first two components. Embeddings of more than two dimensions are drawn
    on their first two principal components, as in :func:`latent_scatter`, and
    the axis labels say so. Points are drawn in a fixed random order, so no class
    hides the others by being drawn last.

    Parameters
    ----------
    embeddings : mapping of str to array-like of shape (n_samples, n_components)
        Method name → the codes of the same samples, row for row; panels follow
        the mapping's order.
    y : array-like of shape (n_samples,), optional
        Labels. Up to ten classes get a colour each and a shared legend; more are
        drawn with a colour map.
    scores : mapping of str to mapping of str to float, optional
        Numbers to print under a panel's title, e.g. ``{"PCA": {"kNN acc.":
        0.44, "trust.": 0.74}}``; methods may be left out.
    class_names : sequence or mapping, optional
        Legend text for the classes: a sequence indexed by integer label
        (``["T-shirt/top", "Trouser", ...]``) or a mapping label → name.
    title : str, optional
        Figure title.
    max_points : int, default=10000
        Draw at most this many samples (the first ones) in each panel.
    ncols : int, optional
        Panels per row; default: all in one row up to three, then three a row.
    panel_size : float, default=4.6
        Width and height of one panel in inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per method.
    """
    if not embeddings:
        raise ValueError("embeddings is empty: pass at least one method's codes")
    if max_points < 1:
        raise ValueError(f"max_points must be >= 1, got {max_points}")
    arrays: dict[str, np.ndarray] = {}
    for name, codes in embeddings.items():
        values = np.asarray(codes)
        if values.ndim != 2 or len(values) == 0 or values.shape[1] == 0:
            raise ValueError(
                f"embedding {name!r} must be (n_samples, n_components) with at least "
                f"one sample, got shape {values.shape}"
            )
        if not np.isfinite(values[:max_points]).all():
            raise ValueError(f"embedding {name!r} holds NaN or infinite values")
        arrays[name] = values[:max_points]
    counts = {len(v) for v in arrays.values()}
    if len(counts) > 1:
        sizes = ", ".join(f"{n}: {len(v)}" for n, v in arrays.items())
        raise ValueError(f"the embeddings hold different numbers of samples ({sizes})")
    n = counts.pop()
    labels = None if y is None else np.asarray(y)[:max_points]
    if labels is not None and (labels.ndim != 1 or len(labels) != n):
        raise ValueError(f"y has {len(labels)} labels for {n} samples")

    ncols = ncols or (len(arrays) if len(arrays) <= 3 else 3)
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}")
    nrows = math.ceil(len(arrays) / ncols)
    few_classes = labels is not None and len(np.unique(labels)) <= 10
    fig = Figure(
        figsize=(
            panel_size * ncols + (1.6 if few_classes else 0.8),
            panel_size * nrows + (0.5 if title else 0.1),
        )
    )
    axes = fig.subplots(nrows, ncols, squeeze=False)
    order = np.random.default_rng(0).permutation(n)
    size = float(np.clip(4000.0 / n, 2.0, 16.0))  # bigger points when there are few
    handles: list[Any] = []
    for ax, (name, codes) in zip(axes.flat, arrays.items(), strict=False):
        points, axis = _codes_2d(codes.astype(np.float64))
        points = points[order]
        if labels is None:
            ax.scatter(points[:, 0], points[:, 1], s=size, alpha=0.5, color="tab:blue")
        elif few_classes:
            classes = np.unique(labels)
            colours, names = _class_colours(labels, class_names)
            index = np.searchsorted(classes, labels[order])
            ax.scatter(
                points[:, 0],
                points[:, 1],
                s=size,
                alpha=0.6,
                c=[colours[i] for i in index],
                linewidths=0,
            )
            if not handles:
                from matplotlib.lines import Line2D

                handles = [
                    Line2D([], [], ls="", marker="o", ms=6, color=colour, label=text)
                    for colour, text in zip(colours, names, strict=True)
                ]
        else:
            sc = ax.scatter(
                points[:, 0], points[:, 1], s=size, c=labels[order], cmap="viridis"
            )
            fig.colorbar(sc, ax=ax, label="label")
        ax.set_xlabel(f"{axis}1")
        ax.set_ylabel(f"{axis}2")
        ax.tick_params(labelsize=8)
        heading = name + (
            f" ({codes.shape[1]}-D, first two PCs)" if axis == "PC" else ""
        )
        numbers = (scores or {}).get(name)
        if numbers:
            heading += "\n" + ", ".join(f"{k} {v:.3f}" for k, v in numbers.items())
        ax.set_title(heading, fontsize=10)
    for ax in list(axes.flat)[len(arrays) :]:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=12)
    legend_room = 1.5 / fig.get_figwidth() if handles else 0.0
    fig.tight_layout(rect=(0, 0, 1 - legend_room, 1))
    if handles:
        fig.legend(
            handles=handles,
            title="class",
            loc="center left",
            bbox_to_anchor=(1 - legend_room, 0.5),
            fontsize=8,
            frameon=False,
        )
    return fig
