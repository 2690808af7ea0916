"""Variational autoencoders on the dense and convolutional building blocks.

Kingma & Welling, "Auto-Encoding Variational Bayes", ICLR 2014; Rezende, Mohamed &
Wierstra, "Stochastic Backpropagation and Approximate Inference in Deep Generative
Models", ICML 2014.

The network is an ordinary dense or conv autoencoder (its linear code layer is the
posterior mean μ) plus one more linear head, on the same features, for the
posterior log-variance. The module holds no randomness: the objective draws
``z = μ + σ·ε`` with its own seeded generator, so training is reproducible and
``forward`` (the reconstruction from μ) is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from .conv import ConvAutoEncoderModule
from .dense import DenseAutoEncoderModule
from .layers import AEOutput, activation_layer

#: |log σ²| is kept below this bound, smoothly (``b·tanh(v/b)``): exp(±10) spans
#: variances from 4.5e-5 to 2.2e4, wide enough for any posterior seen in practice,
#: and the exponentials can no longer overflow to inf in float16/bfloat16.
LOGVAR_BOUND = 10.0
LIKELIHOODS = ("bernoulli", "gaussian")
_BACKBONES: Mapping[str, type[nn.Module]] = {
    "dense": DenseAutoEncoderModule,
    "conv": ConvAutoEncoderModule,
}
_LOG_2PI = math.log(2 * math.pi)


def soft_bound(v: torch.Tensor, bound: float = LOGVAR_BOUND) -> torch.Tensor:
    """Smoothly squash ``v`` into ``(-bound, bound)``; the identity near 0."""
    return bound * torch.tanh(v / bound)


class VAEOutput(AEOutput):
    """:class:`AEOutput` plus the posterior parameters ``mu`` and ``logvar``."""

    def __init__(
        self,
        mu: torch.Tensor,
        logvar: torch.Tensor,
        logits: torch.Tensor,
        activation: Any,
    ) -> None:
        super().__init__(code=mu, logits=logits, activation=activation)
        self.mu = mu
        self.logvar = logvar


class VariationalAutoEncoderModule(nn.Module):
    """Gaussian encoder q(z|x) = N(μ(x), σ²(x)), decoder p(x|z), prior N(0, I).

    Parameters
    ----------
    backbone : {"dense", "conv"}
        Which autoencoder network supplies the encoder features and the decoder.
    backbone_config : dict
        Keyword arguments of that network (``code_size`` and a linear code are
        set here: the code layer is the μ head).
    latent_dim : int
        Dimension of z.
    likelihood : {"bernoulli", "gaussian"}
        Bernoulli pixels (logits → sigmoid) or a Gaussian with mean = the decoder
        output and one variance shared by all features.
    decoder_variance : float or None
        Fixed variance of the Gaussian likelihood; ``None`` learns it (one
        scalar, so constant features such as MNIST's border pixels cannot drive
        it to zero; the estimator initialises it from the data).
    """

    def __init__(
        self,
        backbone: str,
        backbone_config: dict[str, Any],
        latent_dim: int,
        likelihood: str = "bernoulli",
        decoder_variance: float | None = None,
    ) -> None:
        super().__init__()
        if likelihood not in LIKELIHOODS:
            raise ValueError(f"likelihood must be one of {LIKELIHOODS}")
        config = dict(backbone_config, code_size=int(latent_dim))
        if backbone == "dense":
            config["code_activation"] = "linear"
        config["output_activation"] = "linear"  # the likelihood owns the output
        self.backbone = _BACKBONES[backbone](**config)
        code_layer: nn.Linear = self.backbone.code_layer  # type: ignore[assignment]
        self.logvar_head = nn.Linear(code_layer.in_features, int(latent_dim))
        nn.init.xavier_uniform_(self.logvar_head.weight)
        nn.init.zeros_(self.logvar_head.bias)
        self.likelihood = likelihood
        self.code_dim = int(latent_dim)
        self.output_activation = activation_layer(
            "sigmoid" if likelihood == "bernoulli" else "linear"
        )
        self.decoder_logvar: torch.Tensor
        if likelihood == "gaussian" and decoder_variance is None:
            self.decoder_logvar = nn.Parameter(torch.zeros(()))
        else:
            variance = 1.0 if decoder_variance is None else float(decoder_variance)
            self.register_buffer("decoder_logvar", torch.tensor(math.log(variance)))

    # ------------------------------------------------------------------ encoder
    def encode_distribution(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Posterior mean and (soft-bounded) log-variance, each ``(batch, latent)``."""
        h = self.backbone.encode_features(x)  # type: ignore[operator]
        mu = self.backbone.code_layer(h)  # type: ignore[operator]
        return mu, soft_bound(self.logvar_head(h))

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """The posterior mean μ(x)."""
        return self.encode_distribution(x)[0]

    # ------------------------------------------------------------------ decoder
    def decode_logits(self, z: torch.Tensor) -> torch.Tensor:
        """Decoder output before the output activation (Bernoulli logits or mean)."""
        return self.backbone.decode_logits(z)  # type: ignore[operator]

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """The mean of p(x|z): pixel probabilities, or the Gaussian mean."""
        return self.output_activation(self.decode_logits(z))

    def log_likelihood(self, x: torch.Tensor, logits: torch.Tensor) -> torch.Tensor:
        """log p(x|z), summed over features; ``logits`` may carry extra leading
        sample dimensions (broadcast against ``x``)."""
        if self.likelihood == "bernoulli":
            target = x.expand_as(logits)
            ll = -F.binary_cross_entropy_with_logits(logits, target, reduction="none")
        else:
            logvar = soft_bound(self.decoder_logvar)
            ll = -0.5 * (_LOG_2PI + logvar + (x - logits).pow(2) * torch.exp(-logvar))
        return ll.sum(dim=-1)

    def sample_data(
        self, mean: torch.Tensor, generator: torch.Generator
    ) -> torch.Tensor:
        """Draw x ~ p(x|z) given the decoder mean."""
        if self.likelihood == "bernoulli":
            u = torch.rand(mean.shape, generator=generator).to(mean)
            return (u < mean).to(mean.dtype)
        std = torch.exp(0.5 * soft_bound(self.decoder_logvar))
        eps = torch.randn(mean.shape, generator=generator).to(mean)
        return mean + std * eps

    def forward(self, x: torch.Tensor) -> VAEOutput:
        """Deterministic pass: reconstruct from the posterior mean."""
        mu, logvar = self.encode_distribution(x)
        return VAEOutput(mu, logvar, self.decode_logits(mu), self.output_activation)
