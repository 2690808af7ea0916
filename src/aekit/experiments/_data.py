"""Data and measures shared by the experiments."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import Context


def images(
    ctx: Context, dataset: str = "mnist", *, flat: bool = False
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(X_train, y_train, X_test, y_test)`` of an image dataset, in [0, 1].

    A quick run keeps the first few thousand training and test images. ``flat``
    reshapes each image to one row, as the dense models of the sources take it.
    """
    from .. import datasets

    X, y = datasets.load(dataset, split="train")
    X_test, y_test = datasets.load(dataset, split="test")
    n, n_test = ctx.limit(), ctx.limit(test=True)
    X, y, X_test, y_test = X[:n], y[:n], X_test[:n_test], y_test[:n_test]
    ctx.settings.update(dataset=dataset, n_train=len(X), n_test=len(X_test))
    if flat:
        X, X_test = X.reshape(len(X), -1), X_test.reshape(len(X_test), -1)
    return X, y, X_test, y_test


def bce(clean: Any, estimate: Any) -> float:
    """Mean binary cross-entropy per pixel, as Keras reports ``binary_crossentropy``."""
    x = np.asarray(clean, dtype=np.float64).ravel()
    p = np.clip(np.asarray(estimate, dtype=np.float64).ravel(), 1e-7, 1 - 1e-7)
    return float(-np.mean(x * np.log(p) + (1 - x) * np.log(1 - p)))


def squared_error_per_image(reference: Any, estimate: Any) -> float:
    """Summed squared pixel error, averaged over images (Hinton & Salakhutdinov)."""
    from ..metrics import squared_error_per_sample

    return float(np.mean(squared_error_per_sample(reference, estimate)))


def last(history: dict[str, list[float]], key: str) -> float:
    """The final epoch's value of ``key`` in a training history."""
    return float(history[key][-1])


def fit_preset(
    ctx: Context,
    cls: Any,
    preset: str,
    X: np.ndarray,
    X_val: np.ndarray | None = None,
    **overrides: Any,
) -> Any:
    """Fit ``cls.from_preset(preset)`` on ``X`` with the run's epochs and seed.

    ``X_val``, when given, is the validation data whose loss the sources report
    (Keras' ``validation_data``); the preset's own epoch count is the published
    one, replaced by :data:`~aekit.experiments.QUICK_EPOCHS` in a quick run.
    """
    published = int(cls.presets.get(preset).get("epochs", 1))
    params: dict[str, Any] = {
        "epochs": ctx.epochs(published),
        "random_state": ctx.seed,
        "verbose": ctx.verbose,
        **overrides,
    }
    if X_val is not None:
        params["validation_data"] = X_val
    ctx.settings["preset"] = preset
    return cls.from_preset(preset, **params).fit(X)


def reconstruction_experiment(
    ctx: Context, cls: Any, preset: str, *, flat: bool
) -> tuple[Any, np.ndarray, dict[str, float]]:
    """The Keras blog's recipe, shared by its experiments: fit ``preset`` on the
    MNIST training images with the test images as validation data, draw
    reconstructions, and report train/validation loss and the test BCE.

    Returns the fitted estimator, the test images and the metrics, so that an
    experiment can add its own figures and numbers.
    """
    from ..plots import reconstruction_grid

    X, _, X_test, _ = images(ctx, flat=flat)
    ae = fit_preset(ctx, cls, preset, X, X_test)
    ctx.save_figure("reconstructions", reconstruction_grid(ae, X_test, n=10))
    metrics = {
        "train_bce": last(ae.history_, "loss"),
        "val_bce": last(ae.history_, "val_loss"),
        "test_bce": bce(X_test, ae.reconstruct(X_test)),
    }
    return ae, X_test, metrics
