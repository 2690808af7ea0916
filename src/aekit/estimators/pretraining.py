"""Greedy layer-wise pretraining of a stacked dense autoencoder.

Bengio, Lamblin, Popovici & Larochelle, "Greedy Layer-Wise Training of Deep
Networks", NIPS 2007; Hinton & Salakhutdinov, Science 2006 (with autoencoders in
place of RBMs); with a corruption it is the stacked *denoising* autoencoder of
Vincent et al., JMLR 11 (2010).

Layer ``i`` of the deep encoder and its mirror in the decoder are trained as a
shallow autoencoder on the codes of layer ``i - 1``. The shallow model *shares*
those two ``Linear`` modules with the deep network, so no weights are copied.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from ..corruption import Corruption
from ..losses.objective import Objective
from ..nn.layers import AEOutput, activation_layer
from ..train import Trainer


class _ShallowAutoEncoder(nn.Module):
    def __init__(self, encoder: nn.Module, decoder: nn.Linear, output: str) -> None:
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder
        self.output_activation = activation_layer(output)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        return self.encoder(x)

    def forward(self, x: torch.Tensor) -> AEOutput:
        code = self.encoder(x)
        return AEOutput(code, self.decoder(code), self.output_activation)


def _layers(sequential: nn.Sequential) -> list[nn.Sequential]:
    """Split ``Linear, act, Linear, act, ...`` into one block per Linear."""
    blocks: list[list[nn.Module]] = []
    for layer in sequential:
        if isinstance(layer, nn.Linear):
            blocks.append([layer])
        else:
            blocks[-1].append(layer)
    return [nn.Sequential(*block) for block in blocks]


def greedy_pretrain(
    module: nn.Module,
    X: torch.Tensor,
    *,
    loss: str,
    output_activation: str,
    hidden_activation: str,
    epochs: int,
    trainer_options: dict[str, Any],
    seed: int,
    corruption: Callable[[int], Corruption] | None = None,
    noise_fixed: bool = False,
) -> list[dict[str, list[float]]]:
    """Pretrain ``module``'s encoder/decoder pairs in place, bottom layer first.

    Parameters
    ----------
    module : nn.Module
        A dense autoencoder with ``encoder``/``decoder`` ``nn.Sequential`` stacks
        of ``Linear`` layers, each followed by its activation (if any).
    X : Tensor of shape (n_samples, n_features)
        Training data, on the module's device.
    loss : str
        Reconstruction loss of the first layer: the estimator's own. Deeper
        layers reconstruct the codes below them with squared error, through the
        hidden ``activation`` that follows the mirrored decoder layer in the deep
        network (so a ReLU stack reconstructs non-negative codes, a sigmoid stack
        codes in (0, 1)); codes are not probabilities, so BCE would not apply.
    output_activation : str
        Output activation of the first layer (the estimator's).
    hidden_activation : str
        Activation of the deep network's hidden layers.
    epochs : int
        Epochs per layer.
    trainer_options : dict
        Batch size, optimizer, learning rate and verbosity for each layer's
        :class:`~aekit.train.Trainer`.
    seed : int
        Layer ``i`` shuffles with ``seed + i``.
    corruption : callable, optional
        ``corruption(i)`` returns the noise for layer ``i``'s inputs (stacked
        denoising autoencoders, Vincent et al., JMLR 2010).
    noise_fixed : bool
        Corrupt each layer's inputs once before its training instead of per batch.

    Returns
    -------
    list of dict
        One training history per layer, bottom first.
    """
    encoder_blocks = _layers(module.encoder)  # type: ignore[arg-type]
    decoder_linears = [m for m in module.decoder if isinstance(m, nn.Linear)]  # type: ignore[union-attr]
    histories = []
    codes = X
    depth = len(encoder_blocks)
    for i, block in enumerate(encoder_blocks):
        shallow = _ShallowAutoEncoder(
            block,
            decoder_linears[-(i + 1)],
            output_activation if i == 0 else hidden_activation,
        )
        noise = corruption(i) if corruption is not None else None
        data: torch.Tensor | tuple[torch.Tensor, torch.Tensor] = codes
        if noise is not None and noise_fixed:
            data = (noise(codes), codes)
            noise = None
        objective = Objective(loss if i == 0 else "mse", corruption=noise)
        trainer = Trainer(epochs=epochs, seed=seed + i, **trainer_options)
        histories.append(
            trainer.fit(
                shallow, objective, data, description=f"pretrain layer {i + 1}/{depth}"
            )
        )
        with torch.no_grad():
            codes = torch.cat([block(c) for c in codes.split(4096)])
    return histories
