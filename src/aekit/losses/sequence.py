"""Reconstruction objective for sequences: per-step errors and padding masks.

Sentences of different lengths are padded to one length before they are batched;
with GloVe inputs a padding step is the zero vector (the embedding row of
``PAD``), exactly as in the Packt chapter's sentence autoencoder (Gulli, Kapoor &
Pal, "Deep Learning with TensorFlow 2 and Keras", 2nd ed., Packt, 2019, ch. 9).
Unmasked, a short sentence's loss is dominated by how well the model outputs
zeros. :class:`SequenceObjective` with ``mask_padding=True`` averages the
reconstruction error over the real steps only — what Keras does for a masked
model (``Masking(mask_value=0.0)``), where a step is masked when *all* its
features equal the mask value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn

from ..corruption import Corruption
from ..nn.layers import AEOutput
from .objective import Objective, Penalty
from .reconstruction import Reduction

#: Element-wise versions of the reconstruction losses, ``(output, target) ->``
#: a tensor shaped like ``target``.
ELEMENTWISE_LOSSES: dict[str, Callable[[AEOutput, torch.Tensor], torch.Tensor]] = {
    "mse": lambda out, target: (out.recon - target).pow(2),
    "mae": lambda out, target: (out.recon - target).abs(),
    "bce": lambda out, target: F.binary_cross_entropy_with_logits(
        out.logits, target, reduction="none"
    ),
}


def padding_mask(x: torch.Tensor, n_features: int) -> torch.Tensor:
    """``True`` at the real (non-padding) steps of flattened sequences.

    Parameters
    ----------
    x : Tensor of shape (batch, seq_len * n_features)
        Flattened sequences, as every aekit module receives them.
    n_features : int
        Values per step.

    Returns
    -------
    Tensor of bool, shape (batch, seq_len)
        ``False`` where every feature of the step is exactly 0.
    """
    return x.reshape(x.shape[0], -1, n_features).ne(0).any(dim=-1)


class SequenceObjective(Objective):
    """:class:`Objective` for sequences: per-step errors, optional padding mask.

    Parameters
    ----------
    loss : {"mse", "mae", "bce"}
        Element-wise reconstruction loss.
    n_features : int
        Values per time step of the flattened samples.
    mask_padding : bool, default=False
        Average the reconstruction error only over the steps of the *clean
        target* that are not all zeros (padding); the penalties and the
        corruption are unaffected. Training uses the mean over all real steps of
        the batch (each real step weighs the same, as in Keras' masked losses),
        :meth:`per_sample` the mean over each sequence's own real steps. A
        sequence that is padding only has nothing to reconstruct and scores 0.
    penalties, corruption, generators
        As :class:`Objective`.
    """

    def __init__(
        self,
        loss: str,
        n_features: int,
        *,
        mask_padding: bool = False,
        penalties: Sequence[tuple[str, Penalty]] = (),
        corruption: Corruption | None = None,
        generators: Sequence[torch.Generator] = (),
    ) -> None:
        super().__init__(loss, penalties, corruption, generators)
        self.n_features = int(n_features)
        self.mask_padding = bool(mask_padding)

    def step_errors(self, output: AEOutput, target: torch.Tensor) -> torch.Tensor:
        """Loss of every step, averaged over its features: ``(batch, seq_len)``."""
        per_element = ELEMENTWISE_LOSSES[self.loss](output, target)
        return per_element.reshape(target.shape[0], -1, self.n_features).mean(dim=-1)

    def reconstruction(
        self, output: AEOutput, target: torch.Tensor, reduction: Reduction = "none"
    ) -> torch.Tensor:
        if not self.mask_padding:
            return super().reconstruction(output, target, reduction)
        real = padding_mask(target, self.n_features)
        # where(), not a product: a padded step's error is dropped even when it
        # is not finite.
        errors = torch.where(real, self.step_errors(output, target), 0.0)
        if reduction == "mean":
            return errors.sum() / real.sum().clamp_min(1)
        return errors.sum(dim=1) / real.sum(dim=1).clamp_min(1)

    def per_timestep(self, module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """Reconstruction error of each step of clean ``x``: ``(batch, seq_len)``.

        With ``mask_padding`` the padded steps are NaN (not scored), so
        ``nanmean`` over the steps gives :meth:`per_sample`.
        """
        errors = self.step_errors(module(x), x)
        if self.mask_padding:
            errors = errors.masked_fill(~padding_mask(x, self.n_features), torch.nan)
        return errors
