"""An Objective = reconstruction loss + weighted penalty terms.

Regularisers (sparsity, contractive, KL, ...) are *terms* added to an Objective
rather than new model classes, so "sparse + denoising + contractive" is a matter of
configuration. Every term is reported separately so ``history_`` can show
reconstruction vs penalty.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from torch import nn

from ..corruption import Corruption
from ..nn.layers import AEOutput
from .reconstruction import RECONSTRUCTION_LOSSES, Reduction

#: A penalty sees the module, the (possibly corrupted) input and the forward output
#: and returns a scalar already multiplied by its weight.
Penalty = Callable[[nn.Module, torch.Tensor, AEOutput], torch.Tensor]


@dataclass
class ObjectiveOutput:
    """Total loss to minimise plus each named term (all scalars)."""

    total: torch.Tensor
    terms: dict[str, torch.Tensor] = field(default_factory=dict)


class Objective:
    """Reconstruction loss with optional input corruption and penalty terms.

    Parameters
    ----------
    loss : str
        Name in :data:`aekit.losses.RECONSTRUCTION_LOSSES`.
    penalties : sequence of (name, Penalty)
        Extra terms; each is logged under its name.
    corruption : callable or None
        Applied to the training inputs only; the targets stay clean
        (Vincent et al., "Extracting and Composing Robust Features with Denoising
        Autoencoders", ICML 2008).
    generators : sequence of torch.Generator
        The generators the penalties draw from (e.g. Hutchinson probes), when
        they are not the corruption's own; see :attr:`generators`.
    """

    def __init__(
        self,
        loss: str,
        penalties: Sequence[tuple[str, Penalty]] = (),
        corruption: Corruption | None = None,
        generators: Sequence[torch.Generator] = (),
    ) -> None:
        if loss not in RECONSTRUCTION_LOSSES:
            known = ", ".join(sorted(RECONSTRUCTION_LOSSES))
            raise ValueError(f"unknown loss {loss!r}; choose one of: {known}")
        self.loss = loss
        self.penalties = list(penalties)
        self.corruption = corruption
        self._generators = list(generators)

    @property
    def generators(self) -> list[torch.Generator]:
        """Every random generator a training step draws from, each once.

        The :class:`~aekit.train.Trainer` saves their states in checkpoints and
        restores them on resume, so a resumed run draws the same noise as an
        uninterrupted one; under data-parallel training it gives each rank its own
        stream.
        """
        found = [*self._generators, getattr(self.corruption, "generator", None)]
        unique: list[torch.Generator] = []
        for g in found:
            if isinstance(g, torch.Generator) and all(g is not u for u in unique):
                unique.append(g)
        return unique

    def reconstruction(
        self, output: AEOutput, target: torch.Tensor, reduction: Reduction = "none"
    ) -> torch.Tensor:
        """The reconstruction term: per sample, or its batch mean (``"mean"``).

        Subclasses change which elements it averages over (e.g.
        :class:`aekit.losses.sequence.SequenceObjective` leaves out padding).
        """
        return RECONSTRUCTION_LOSSES[self.loss](output, target, reduction=reduction)

    def per_sample(self, module: nn.Module, x: torch.Tensor) -> torch.Tensor:
        """Per-sample reconstruction loss of clean ``x`` (no corruption, no penalty)."""
        return self.reconstruction(module(x), x)

    def __call__(
        self,
        module: nn.Module,
        batch: torch.Tensor | tuple[torch.Tensor, ...],
        *,
        train: bool = True,
    ) -> ObjectiveOutput:
        """Loss terms for ``batch``: clean data, or ``(noisy inputs, clean targets)``.

        A single tensor is corrupted on the fly when training with a corruption;
        a pair (noise drawn once, before training) is used as given.
        """
        if isinstance(batch, tuple):
            inputs, target = batch
        else:
            target = batch
            inputs = self.corruption(batch) if (train and self.corruption) else batch
        output = module(inputs)
        recon = self.reconstruction(output, target, reduction="mean")
        terms = {"reconstruction": recon}
        total = recon
        for name, penalty in self.penalties:
            value = penalty(module, inputs, output)
            terms[name] = value
            total = total + value
        return ObjectiveOutput(total=total, terms=terms)
