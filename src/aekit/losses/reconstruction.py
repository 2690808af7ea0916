"""Reconstruction losses.

Each loss returns either one value per sample — the mean over features, the
convention of Keras' ``binary_crossentropy``/``mse`` so numbers compare directly
with the textbook values (val BCE ≈ 0.09 for the 784-32-784 MNIST model) — or,
with ``reduction="mean"``, the mean over the batch too, computed in one fused call
because that is the hot path of training.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import torch
import torch.nn.functional as F

from ..nn.functional import mean_bce_with_logits
from ..nn.layers import AEOutput

Reduction = Literal["none", "mean"]


def _per_sample(per_elem: torch.Tensor) -> torch.Tensor:
    return per_elem.flatten(1).mean(dim=1)


def bce(output: AEOutput, target: torch.Tensor, reduction: Reduction = "none"):
    """Binary cross-entropy, computed from the logits for numerical stability.

    Requires a sigmoid output layer (checked by the estimators); targets in [0, 1].
    """
    if reduction == "mean":
        return mean_bce_with_logits(output.logits, target)
    per_elem = F.binary_cross_entropy_with_logits(
        output.logits, target, reduction="none"
    )
    return _per_sample(per_elem)


def mse(output: AEOutput, target: torch.Tensor, reduction: Reduction = "none"):
    """Mean squared error over features."""
    if reduction == "mean":
        return F.mse_loss(output.recon, target)
    return _per_sample((output.recon - target).pow(2))


def mae(output: AEOutput, target: torch.Tensor, reduction: Reduction = "none"):
    """Mean absolute error over features."""
    if reduction == "mean":
        return F.l1_loss(output.recon, target)
    return _per_sample((output.recon - target).abs())


RECONSTRUCTION_LOSSES: dict[str, Callable[..., torch.Tensor]] = {
    "bce": bce,
    "mse": mse,
    "mae": mae,
}


def reconstruction_loss(
    name: str, output: AEOutput, target: torch.Tensor, reduction: Reduction = "none"
) -> torch.Tensor:
    """Reconstruction loss ``name`` (a key of ``RECONSTRUCTION_LOSSES``)."""
    try:
        fn = RECONSTRUCTION_LOSSES[name]
    except KeyError:
        known = ", ".join(sorted(RECONSTRUCTION_LOSSES))
        raise ValueError(f"unknown loss {name!r}; choose one of: {known}") from None
    return fn(output, target, reduction)
