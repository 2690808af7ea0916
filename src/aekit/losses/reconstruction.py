"""Per-sample reconstruction losses.

Each loss returns one value per sample: the mean over features, the convention of
Keras' ``binary_crossentropy``/``mse`` so numbers compare directly with the
textbook values (e.g. val BCE ≈ 0.09 for the 784-32-784 MNIST model).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

from ..nn.layers import AEOutput


def bce(output: AEOutput, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy, computed from the logits for numerical stability.

    Requires a sigmoid output layer (checked by the estimators); targets in [0, 1].
    """
    per_elem = F.binary_cross_entropy_with_logits(
        output.logits, target, reduction="none"
    )
    return per_elem.flatten(1).mean(dim=1)


def mse(output: AEOutput, target: torch.Tensor) -> torch.Tensor:
    """Mean squared error over features."""
    return (output.recon - target).pow(2).flatten(1).mean(dim=1)


def mae(output: AEOutput, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute error over features."""
    return (output.recon - target).abs().flatten(1).mean(dim=1)


RECONSTRUCTION_LOSSES: dict[str, Callable[[AEOutput, torch.Tensor], torch.Tensor]] = {
    "bce": bce,
    "mse": mse,
    "mae": mae,
}


def reconstruction_loss(
    name: str, output: AEOutput, target: torch.Tensor
) -> torch.Tensor:
    """Per-sample reconstruction loss ``name`` (one of ``RECONSTRUCTION_LOSSES``)."""
    try:
        fn = RECONSTRUCTION_LOSSES[name]
    except KeyError:
        known = ", ".join(sorted(RECONSTRUCTION_LOSSES))
        raise ValueError(f"unknown loss {name!r}; choose one of: {known}") from None
    return fn(output, target)
