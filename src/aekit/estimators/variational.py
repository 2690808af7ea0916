"""The variational autoencoder estimator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..io import register_estimator
from ..losses.variational import (
    VariationalObjective,
    elbo,
    importance_log_likelihood,
)
from ..nn.variational import LIKELIHOODS
from ..registry import Registry
from ..train.callbacks import Callback, KLWarmup
from ._validation import (
    check_choice,
    check_conv_params,
    check_float,
    check_int,
    check_sizes,
    check_unit_range,
)
from .base import BaseAutoEncoder
from .conv import ImageInputMixin


def _generator(random_state: Any) -> torch.Generator:
    """A CPU generator seeded from ``random_state`` (int, RandomState or None)."""
    seed = int(check_random_state(random_state).randint(np.iinfo(np.int32).max))
    return torch.Generator().manual_seed(seed)


@register_estimator
class VariationalAutoEncoder(ImageInputMixin, BaseAutoEncoder):
    """Variational autoencoder (VAE) with a scikit-learn interface.

    The encoder outputs a Gaussian posterior q(z|x) = N(μ(x), diag σ²(x)); the
    decoder a likelihood p(x|z); the prior is N(0, I). Training maximises the
    evidence lower bound (Kingma & Welling, "Auto-Encoding Variational Bayes",
    ICLR 2014), optionally with a β-weighted KL (Higgins et al., "β-VAE", ICLR
    2017), a KL warm-up, free bits, or the importance-weighted bound (Burda,
    Grosse & Salakhutdinov, "Importance Weighted Autoencoders", ICLR 2016).

    Losses are in nats per sample (summed over features and latent units), the
    unit published results use; ``history_`` logs ``reconstruction`` (−E log
    p(x|z)) and ``kl`` separately, and ``loss`` is what was minimised.

    Parameters
    ----------
    encoder : {"dense", "conv"}, default="dense"
        Network family of the encoder (the decoder mirrors it). ``"conv"`` takes
        images as :class:`aekit.ConvAutoEncoder` does.
    latent_dim : int, default=2
        Dimension of z.
    hidden_layer_sizes : tuple of int, default=(512,)
        Dense encoder: hidden widths (decoder reversed). Conv encoder: dense
        layers between the flattened feature map and the latent heads, in the
        encoder only (keras.io's VAE has one of 16 units; ``()`` for none).
    filters : tuple of int, default=(32, 64)
        Conv encoder's channels per stage (stride-2 convolutions; the decoder uses
        stride-2 transposed convolutions, as the keras.io VAE does).
    kernel_size : int, default=3
        Kernel size of every conv and transposed conv.
    channels : {"auto", "first", "last"}, default="auto"
        Where the channel axis of 4-D image input is (conv encoder).
    activation : str, default="relu"
        Hidden activation.
    likelihood : {"bernoulli", "gaussian"}, default="bernoulli"
        Decoder distribution: Bernoulli pixels (binary cross-entropy; data in
        [0, 1]) or Gaussian (squared error scaled by the variance).
    decoder_variance : "learned" or float, default="learned"
        Variance of the Gaussian likelihood: one learned scalar, or fixed.
    beta : float, default=1.0
        Weight of the KL term (β-VAE); 1 is the ELBO.
    kl_warmup_epochs : int, default=0
        Ramp the KL weight linearly from 0 over this many epochs.
    free_bits : float, default=0.0
        Nats per latent unit below which its (batch-averaged) KL is not
        penalised; guards against posterior collapse.
    objective : {"elbo", "iwae"}, default="elbo"
        Train the ELBO, or the importance-weighted bound with ``k`` samples.
    k : int, default=5
        Importance samples per data point for ``objective="iwae"``.
    dynamic_binarization : bool, default=False
        Resample every training batch as Bernoulli draws of its pixel values (the
        IWAE paper's MNIST protocol); Bernoulli likelihood only.
    optimizer, learning_rate, batch_size, epochs, validation_fraction, \
validation_data, early_stopping, patience, random_state, device, \
precision, compile, verbose
        As :class:`aekit.AutoEncoder`.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained :class:`aekit.nn.variational.VariationalAutoEncoderModule`.
    history_ : dict of list of float
        Per-epoch ``loss``, ``reconstruction``, ``kl`` (and ``val_`` versions).

    Examples
    --------
    >>> import aekit
    >>> X, _ = aekit.datasets.load("digits")
    >>> vae = aekit.VariationalAutoEncoder(latent_dim=2, epochs=5, random_state=0)
    >>> vae.fit(X).transform(X).shape
    (1797, 2)
    >>> vae.sample(4, random_state=0).shape
    (4, 8, 8)
    """

    _model_name = "vae"
    presets: ClassVar[Registry[dict[str, Any]]] = Registry(
        "VariationalAutoEncoder preset"
    )

    def __init__(
        self,
        *,
        encoder: str = "dense",
        latent_dim: int = 2,
        hidden_layer_sizes: Sequence[int] = (512,),
        filters: Sequence[int] = (32, 64),
        kernel_size: int = 3,
        channels: str = "auto",
        activation: str = "relu",
        likelihood: str = "bernoulli",
        decoder_variance: Any = "learned",
        beta: float = 1.0,
        kl_warmup_epochs: int = 0,
        free_bits: float = 0.0,
        objective: str = "elbo",
        k: int = 5,
        dynamic_binarization: bool = False,
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        batch_size: int = 100,
        epochs: int = 50,
        validation_fraction: float = 0.0,
        validation_data: Any = None,
        early_stopping: bool = False,
        patience: int = 5,
        random_state: Any = None,
        device: str = "auto",
        precision: str = "fp32",
        compile: bool = False,
        verbose: int = 0,
    ) -> None:
        self._store_params(locals())

    # ---------------------------------------------------------------- checks
    def _check_params(self) -> None:
        self._check_training_params()
        check_choice("encoder", self.encoder, ("dense", "conv"))
        check_int("latent_dim", self.latent_dim, minimum=1)
        check_sizes("hidden_layer_sizes", self.hidden_layer_sizes)
        if self.encoder == "conv":
            check_conv_params(self.filters, self.kernel_size, self.channels)
        check_choice("likelihood", self.likelihood, LIKELIHOODS)
        if not (isinstance(self.decoder_variance, str)):
            check_float(
                "decoder_variance", self.decoder_variance, low=0.0, low_open=True
            )
        elif self.decoder_variance != "learned":
            raise ValueError(
                "decoder_variance must be 'learned' or a positive number, got "
                f"{self.decoder_variance!r}"
            )
        check_float("beta", self.beta, low=0.0)
        check_int("kl_warmup_epochs", self.kl_warmup_epochs, minimum=0)
        check_float("free_bits", self.free_bits, low=0.0)
        check_choice("objective", self.objective, ("elbo", "iwae"))
        check_int("k", self.k, minimum=1)
        if self.objective == "iwae" and (
            self.beta != 1 or self.free_bits or self.kl_warmup_epochs
        ):
            raise ValueError(
                "objective='iwae' trains the importance-weighted bound on log p(x), "
                "which has no separate KL term: beta must be 1, free_bits 0 and "
                "kl_warmup_epochs 0"
            )
        if self.dynamic_binarization and self.likelihood != "bernoulli":
            raise ValueError(
                "dynamic_binarization=True draws binary data, which needs "
                "likelihood='bernoulli'"
            )

    def _check_module(self, module: torch.nn.Module) -> None:
        """Nothing to check: a VAE has no contractive option."""

    def _training_data(self, X: torch.Tensor, seed: int) -> torch.Tensor:
        """The data as given: a VAE has no input corruption."""
        return X

    def _check_input_range(self, X: np.ndarray, input_name: str = "X") -> None:
        if self.likelihood == "bernoulli":
            check_unit_range(X, "likelihood='bernoulli'", input_name)

    # ---------------------------------------------------------------- network
    def _validate_X(self, X: Any, *, reset: bool, input_name: str = "X") -> np.ndarray:
        if self.encoder == "conv":
            self._check_image_layout(X, reset=reset, input_name=input_name)
        return super()._validate_X(X, reset=reset, input_name=input_name)

    def _module_config(self, n_features: int) -> dict[str, Any]:
        if self.encoder == "dense":
            backbone = {
                "input_dim": n_features,
                "hidden_layer_sizes": list(
                    check_sizes("hidden_layer_sizes", self.hidden_layer_sizes)
                ),
                "activation": self.activation,
            }
        else:
            backbone = {
                "image_shape": list(self.image_shape_),
                "layout": self.layout_,
                "filters": list(check_sizes("filters", self.filters)),
                "kernel_size": int(self.kernel_size),
                "downsample": "stride",
                "upsample": "transpose",
                "transpose_kernel": int(self.kernel_size),
                "hidden_sizes": list(
                    check_sizes("hidden_layer_sizes", self.hidden_layer_sizes)
                ),
                "activation": self.activation,
                "feature_order": "hwc",
            }
        variance = self.decoder_variance
        return {
            "backbone": self.encoder,
            "backbone_config": backbone,
            "latent_dim": int(self.latent_dim),
            "likelihood": self.likelihood,
            "decoder_variance": None if variance == "learned" else float(variance),
        }

    def _objective(self, seed: int | None = None) -> VariationalObjective:  # type: ignore[override]
        generator = torch.Generator().manual_seed(0 if seed is None else seed + 1)
        return VariationalObjective(
            objective=self.objective,
            beta=self.beta,
            free_bits=self.free_bits,
            k=self.k,
            generator=generator,
            binarize=self.dynamic_binarization,
        )

    def _pretrain(self, X: torch.Tensor, seed: int) -> None:
        """Data-dependent initialisation of a learned Gaussian decoder variance.

        It starts at the mean per-feature variance of the training data — the
        best variance for a decoder that predicts the data mean, which is what a
        collapsed posterior gives — so any better reconstruction pulls it down.
        Starting at 1 instead (data in [0, 1]) makes the reconstruction term so
        weak against the KL that the posterior collapses to the prior.
        """
        param = getattr(self.module_, "decoder_logvar", None)
        if isinstance(param, torch.nn.Parameter):
            variance = X.var(dim=0).mean().clamp_min(1e-6)
            with torch.no_grad():
                param.fill_(float(torch.log(variance)))

    def _extra_callbacks(self) -> list[Callback]:
        if self.kl_warmup_epochs:
            return [KLWarmup(self.objective_, self.kl_warmup_epochs)]
        return []

    def _extra_state(self) -> dict[str, Any]:
        return self._image_state() if self.encoder == "conv" else {}

    def _set_saved_state(
        self, tensors: Any, state: dict[str, Any], device: str | None = None
    ) -> None:
        if self.encoder == "conv":
            self._set_image_state(state)
        super()._set_saved_state(tensors, state, device)

    # ---------------------------------------------------------------- inference
    def transform(
        self, X: Any, *, sample: bool = False, random_state: Any = None
    ) -> np.ndarray:
        """Encode ``X``: the posterior mean μ(x), or a draw z ~ q(z|x).

        Parameters
        ----------
        X : array-like of shape (n_samples, ...)
            Data shaped like the training samples.
        sample : bool, default=False
            Draw from the posterior instead of returning its mean.
        random_state : int, RandomState or None
            Seed of the draw (``sample=True`` only).

        Returns
        -------
        ndarray of shape (n_samples, latent_dim), float32
        """
        if not sample:
            return super().transform(X)
        check_is_fitted(self, "module_")
        X2 = self._validate_X(X, reset=False)
        generator = _generator(random_state)

        def draw(batch: torch.Tensor) -> torch.Tensor:
            mu, logvar = self.module_.encode_distribution(batch)  # type: ignore[operator]
            eps = torch.randn(mu.shape, generator=generator).to(mu)
            return mu + torch.exp(0.5 * logvar) * eps

        return self._batched(draw, X2)

    def sample(
        self, n_samples: int = 1, random_state: Any = None, *, mean: bool = True
    ) -> np.ndarray:
        """Generate new data: decode z ~ N(0, I).

        Parameters
        ----------
        n_samples : int, default=1
            How many samples.
        random_state : int, RandomState or None
            Seed; the same seed gives the same samples (also after save/load).
        mean : bool, default=True
            Return the decoder's mean (pixel probabilities for a Bernoulli
            decoder: the images the textbooks show); ``False`` draws x ~ p(x|z).

        Returns
        -------
        ndarray of shape (n_samples, *sample_shape)
            Shaped like the training samples.
        """
        check_is_fitted(self, "module_")
        check_int("n_samples", n_samples, minimum=1)
        generator = _generator(random_state)
        z = torch.randn((n_samples, self.latent_dim), generator=generator)
        module: Any = self.module_
        with torch.inference_mode():
            out = module.decode(z.to(self.device_))
            if not mean:
                out = module.sample_data(out, generator)
        return out.float().cpu().numpy().reshape(n_samples, *self.input_shape_)

    def score_samples(
        self, X: Any, *, n_samples: int = 10, random_state: Any = 0
    ) -> np.ndarray:
        """Per-sample ELBO in nats (higher is better): log p(x) minus a gap ≥ 0.

        Estimated with ``n_samples`` posterior samples; the fixed default seed makes
        repeated calls return identical values.
        """
        check_is_fitted(self, "module_")
        check_int("n_samples", n_samples, minimum=1)
        X2 = self._validate_X(X, reset=False)
        self._check_input_range(X2)
        generator = _generator(random_state)
        return self._batched(
            lambda b: elbo(self.module_, b, n_samples, generator), X2, batch_size=512
        )

    def score(self, X: Any, y: Any = None) -> float:
        """Mean ELBO of ``X`` (nats per sample; higher is better)."""
        return float(np.mean(self.score_samples(X)))

    def log_likelihood(
        self,
        X: Any,
        n_importance: int = 5000,
        *,
        batch_size: int = 100,
        random_state: Any = 0,
    ) -> np.ndarray:
        """Importance-sampled log p(x) per sample, in nats (Burda et al., 2016).

        ``log (1/S) Σ_s p(x, z_s)/q(z_s|x)``, z_s ~ q(z|x), S = ``n_importance``:
        a lower bound on log p(x) that tightens as S grows (5000 in the IWAE
        paper's test NLL). Computed in chunks, so memory does not grow with S.

        Parameters
        ----------
        X : array-like
            Data shaped like the training samples.
        n_importance : int, default=5000
            Importance samples per data point.
        batch_size : int, default=100
            Data points per chunk.
        random_state : int, RandomState or None, default=0
            Seed of the importance samples.

        Returns
        -------
        ndarray of shape (n_samples,)
            Negate and average for the test NLL.
        """
        check_is_fitted(self, "module_")
        check_int("n_importance", n_importance, minimum=1)
        check_int("batch_size", batch_size, minimum=1)
        X2 = self._validate_X(X, reset=False)
        self._check_input_range(X2)
        generator = _generator(random_state)
        return self._batched(
            lambda b: importance_log_likelihood(
                self.module_, b, n_importance, generator
            ),
            X2,
            batch_size=batch_size,
        )


_MNIST = {"likelihood": "bernoulli", "activation": "relu"}
VariationalAutoEncoder.presets.register(
    "packt-fashion-mlp",
    {
        # The Packt chapter's MLP VAE on Fashion-MNIST: 784-512-10, batch 100,
        # 80 epochs, binary cross-entropy reconstruction.
        **_MNIST,
        "hidden_layer_sizes": (512,),
        "latent_dim": 10,
        "batch_size": 100,
        "epochs": 80,
    },
)
VariationalAutoEncoder.presets.register(
    "mnist-2d",
    {
        # The textbooks' 2-D latent VAE whose decoder is drawn as a manifold.
        **_MNIST,
        "hidden_layer_sizes": (512,),
        "latent_dim": 2,
        "batch_size": 100,
        "epochs": 50,
    },
)
VariationalAutoEncoder.presets.register(
    "keras-io-conv",
    {
        # keras.io "Variational AutoEncoder": stride-2 convs 32-64, latent 2,
        # Dense(16), 3×3 stride-2 transposed-conv decoder, Adam, 30 epochs, batch
        # 128 (keras.io trains on all 70,000 images; we train on the 60,000).
        **_MNIST,
        "encoder": "conv",
        "filters": (32, 64),
        "hidden_layer_sizes": (16,),
        "latent_dim": 2,
        "batch_size": 128,
        "epochs": 30,
    },
)
VariationalAutoEncoder.presets.register(
    "iwae-mnist",
    {
        # Burda et al. (2016), one stochastic layer: 784-200-200-50, tanh,
        # dynamically binarized MNIST (their VAE row: test NLL 86.76).
        "likelihood": "bernoulli",
        "activation": "tanh",
        "hidden_layer_sizes": (200, 200),
        "latent_dim": 50,
        "batch_size": 20,
        "dynamic_binarization": True,
        "epochs": 100,
    },
)
