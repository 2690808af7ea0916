"""Fully connected (dense) autoencoders: vanilla, undercomplete and deep/stacked."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from .layers import AEOutput, activation_layer, glorot_init, mlp


class DenseAutoEncoderModule(nn.Module):
    """A dense autoencoder with a mirrored decoder.

    ``input_dim → hidden_layer_sizes → code_size → reversed(hidden) → input_dim``.
    With no hidden layers this is the single-layer undercomplete autoencoder; with
    ``(1000, 500, 250)`` and ``code_size=30`` it is the deep autoencoder of
    Hinton & Salakhutdinov, "Reducing the Dimensionality of Data with Neural
    Networks", Science 313 (2006).

    Parameters
    ----------
    input_dim : int
        Number of input features (images are flattened by the estimator).
    hidden_layer_sizes : sequence of int
        Encoder hidden widths; the decoder uses them in reverse.
    code_size : int
        Width of the bottleneck.
    activation : str
        Activation of the hidden layers.
    code_activation : str
        Activation of the code layer (``"linear"`` for none).
    output_activation : str
        ``"sigmoid"`` for data in [0, 1], ``"linear"`` for real-valued data.
    """

    def __init__(
        self,
        input_dim: int,
        hidden_layer_sizes: Sequence[int] = (),
        code_size: int = 32,
        activation: str = "relu",
        code_activation: str = "relu",
        output_activation: str = "sigmoid",
    ) -> None:
        super().__init__()
        hidden = [int(h) for h in hidden_layer_sizes]
        self.encoder = mlp([input_dim, *hidden, code_size], activation, code_activation)
        self.decoder = mlp([code_size, *reversed(hidden), input_dim], activation, None)
        self.output_activation = activation_layer(output_activation)
        self.code_dim = int(code_size)
        glorot_init(self)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Map inputs ``(batch, input_dim)`` to codes ``(batch, code_size)``."""
        return self.encoder(x)

    @property
    def code_layer(self) -> nn.Linear:
        """The ``Linear`` layer that produces the code (before its activation)."""
        linears = [m for m in self.encoder if isinstance(m, nn.Linear)]
        return linears[-1]

    def encode_features(self, x: torch.Tensor) -> torch.Tensor:
        """What :attr:`code_layer` sees: the last hidden layer's output (or ``x``).

        A variational autoencoder puts its mean and log-variance heads here.
        """
        index = max(i for i, m in enumerate(self.encoder) if isinstance(m, nn.Linear))
        return self.encoder[:index](x)

    def decode_logits(self, code: torch.Tensor) -> torch.Tensor:
        """Decoder output before the output activation."""
        return self.decoder(code)

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        """Map codes back to data space."""
        return self.output_activation(self.decode_logits(code))

    def forward(self, x: torch.Tensor) -> AEOutput:
        code = self.encode(x)
        logits = self.decode_logits(code)
        return AEOutput(code=code, logits=logits, activation=self.output_activation)
