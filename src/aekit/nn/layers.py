"""Reusable building blocks shared by the autoencoder families."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import torch
from torch import nn

ACTIVATIONS: dict[str, type[nn.Module]] = {
    "relu": nn.ReLU,
    "sigmoid": nn.Sigmoid,
    "tanh": nn.Tanh,
    "elu": nn.ELU,
    "gelu": nn.GELU,
    "selu": nn.SELU,
    "leaky_relu": nn.LeakyReLU,
    "softplus": nn.Softplus,
    "linear": nn.Identity,
}


class AEOutput:
    """What every autoencoder module's ``forward`` returns.

    Parameters
    ----------
    code : Tensor
        The bottleneck representation.
    logits : Tensor
        Decoder output before the output activation; losses such as BCE use it for
        numerical stability (``binary_cross_entropy_with_logits``).
    activation : callable, optional
        Output activation; ``recon`` is ``activation(logits)``, computed on first
        access only, because a loss on logits never needs it during training.
    recon : Tensor, optional
        The reconstruction, when the module already has it.
    """

    def __init__(
        self,
        code: torch.Tensor,
        logits: torch.Tensor,
        activation: Callable[[torch.Tensor], torch.Tensor] | None = None,
        recon: torch.Tensor | None = None,
    ) -> None:
        self.code = code
        self.logits = logits
        self._activation = activation
        self._recon = recon

    @property
    def recon(self) -> torch.Tensor:
        """Reconstruction in data space, after the output activation."""
        if self._recon is None:
            act = self._activation
            self._recon = act(self.logits) if act is not None else self.logits
        return self._recon


def activation_layer(name: str) -> nn.Module:
    """Return a fresh activation module for ``name`` (see ``ACTIVATIONS``)."""
    try:
        return ACTIVATIONS[name]()
    except KeyError:
        known = ", ".join(sorted(ACTIVATIONS))
        raise ValueError(
            f"unknown activation {name!r}; choose one of: {known}"
        ) from None


def glorot_init(module: nn.Module) -> None:
    """Glorot/Xavier-uniform weights and zero biases, as Keras ``Dense`` does.

    Using the Keras initialisation lets the textbook models (all written in Keras)
    be reproduced with the same starting distribution (Glorot & Bengio, 2010).
    """
    for layer in module.modules():
        if isinstance(layer, nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)


def mlp(
    sizes: Sequence[int],
    activation: str,
    last_activation: str | None = None,
) -> nn.Sequential:
    """Stack ``Linear`` layers through ``sizes`` with ``activation`` between them.

    Parameters
    ----------
    sizes : sequence of int
        Layer widths including the input width, e.g. ``(784, 128, 32)``.
    activation : str
        Activation after every hidden layer.
    last_activation : str or None
        Activation after the final layer; ``None`` leaves it linear (no module).
    """
    layers: list[nn.Module] = []
    n_layers = len(sizes) - 1
    for i, (n_in, n_out) in enumerate(itertools.pairwise(sizes)):
        layers.append(nn.Linear(n_in, n_out))
        is_last = i == n_layers - 1
        name = last_activation if is_last else activation
        if name is not None and name != "linear":
            layers.append(activation_layer(name))
    return nn.Sequential(*layers)
