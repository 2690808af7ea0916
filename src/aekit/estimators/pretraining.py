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

from typing import Any

import torch
from torch import nn

from ..losses.objective import Corruption, Objective
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
    corruption: Corruption | None = None,
) -> list[dict[str, list[float]]]:
    """Pretrain ``module``'s encoder/decoder pairs in place, bottom layer first.

    The first layer reconstructs the data with the estimator's own ``loss`` and
    output activation; deeper layers reconstruct the codes below them with squared
    error through the hidden ``activation`` (the code values are not in [0, 1] in
    general, so BCE would not apply). Returns one history per layer.
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
        objective = Objective(loss if i == 0 else "mse", corruption=corruption)
        trainer = Trainer(epochs=epochs, seed=seed + i, **trainer_options)
        histories.append(
            trainer.fit(
                shallow, objective, codes, description=f"pretrain layer {i + 1}/{depth}"
            )
        )
        with torch.no_grad():
            codes = torch.cat([block(c) for c in codes.split(4096)])
    return histories
