"""The dense autoencoder estimator."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, ClassVar

import torch

from ..corruption import Corruption
from ..io import register_estimator
from ..nn.layers import ACTIVATIONS
from ..registry import Registry
from ._validation import check_choice, check_int, check_sizes
from .base import BaseAutoEncoder
from .pretraining import greedy_pretrain


@register_estimator
class AutoEncoder(BaseAutoEncoder):
    """Dense (fully connected) autoencoder with a scikit-learn interface.

    The encoder maps the flattened input through ``hidden_layer_sizes`` to a code
    of ``code_size`` units; the decoder mirrors the encoder. One class covers the
    undercomplete single-layer autoencoder, deep/stacked autoencoders (Bengio et
    al., "Greedy Layer-Wise Training of Deep Networks", NIPS 2007) and the deep
    autoencoder of Hinton & Salakhutdinov, "Reducing the Dimensionality of Data
    with Neural Networks", Science 313 (2006).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=()
        Widths of the encoder's hidden layers (the decoder uses them reversed).
    code_size : int, default=32
        Width of the code (bottleneck) layer.
    activation : str, default="relu"
        Activation of the hidden layers: one of ``aekit.nn.layers.ACTIVATIONS``.
    code_activation : str or None, default=None
        Activation of the code layer; ``None`` uses ``activation``. Use
        ``"linear"`` for an unconstrained code (as Hinton & Salakhutdinov do).
    output_activation : {"linear", "sigmoid"}, default="linear"
        ``"sigmoid"`` keeps reconstructions in [0, 1] (required by ``loss="bce"``).
    loss : {"mse", "bce", "mae"}, default="mse"
        Reconstruction loss, averaged over features. ``"bce"`` needs data in [0, 1]
        and a sigmoid output.
    optimizer : str, default="adam"
        One of ``"adam"``, ``"adamw"``, ``"sgd"``, ``"rmsprop"``, ``"adadelta"``,
        ``"adagrad"``.
    learning_rate : float, default=1e-3
        Optimizer step size.
    batch_size : int, default=256
        Samples per gradient step.
    epochs : int, default=50
        Passes over the training data.
    validation_fraction : float, default=0.0
        Fraction of ``X`` held out (at random) to report ``val_loss``.
    validation_data : array-like or None, default=None
        Explicit validation set; takes precedence over ``validation_fraction``.
        It is data, not configuration, so ``save`` does not store it.
    early_stopping : bool, default=False
        Stop when ``val_loss`` (or ``loss`` without validation data) has not improved
        for ``patience`` epochs, and restore the best weights.
    patience : int, default=5
        Epochs without improvement tolerated by early stopping.
    sparsity : {None, "l1", "kl"}, default=None
        Sparse autoencoder. ``"l1"``: L1 activity penalty
        ``sparsity_weight * Σ_j |h_j|`` per sample, averaged over the batch — the
        scale of Keras 1 and tf.keras 2's ``activity_regularizer=l1(λ)``, so
        ``sparsity_weight = λ``; multi-backend Keras 2 and Keras 3 before 2026
        summed over the batch, so their λ is ``λ * batch_size`` here (see
        :func:`aekit.losses.penalties.l1_activity`). ``"kl"``: target sparsity
        ``sparsity_weight * Σ_j KL(ρ || ρ̂_j)``, ρ̂_j the batch-mean activation of
        code unit j (Ng, "Sparse autoencoder", CS294A lecture notes, 2011); needs
        ``code_activation="sigmoid"``.
    sparsity_weight : float or None, default=None
        Weight (>= 0) of the sparsity term; ``None`` means 1e-3 for ``"l1"`` and
        0.1 for ``"kl"``. The Keras blog's MNIST model uses ``l1(10e-5)``, i.e.
        1e-4 (preset ``"sparse-mnist"``). Ng's β (3 in his notes) multiplies a
        *summed* half squared error, while aekit's losses average over the ``d``
        features, so his β corresponds to ``β * 2 / d`` here (≈0.1 for 8×8
        digits, ≈0.008 for MNIST).
    sparsity_target : float, default=0.05
        ρ, the target mean activation of each code unit for ``"kl"``; in (0, 1).
    corruption : {None, "gaussian", "masking", "salt_pepper"}, default=None
        Denoising autoencoder (Vincent et al., "Extracting and Composing Robust
        Features with Denoising Autoencoders", ICML 2008): the network sees
        corrupted inputs during training and reconstructs the clean ones (the
        targets are never corrupted); ``transform``, ``reconstruct`` and
        ``score_samples`` never corrupt. :func:`aekit.corruption.corrupt`
        corrupts test data the same way.
    noise_level : float, default=0.5
        Standard deviation (>= 0) of ``"gaussian"`` noise, or the fraction of
        corrupted entries, in [0, 1], for ``"masking"``/``"salt_pepper"``.
    noise_mean : float, default=0.0
        Mean of the Gaussian noise (the Packt chapter uses N(0.5, 0.5)).
    noise_clip : bool, default=False
        Clip Gaussian-corrupted inputs to [0, 1] (the Keras blog: 0.5·N(0, 1),
        clipped).
    noise_fixed : bool, default=False
        Draw the noise once, before training, instead of fresh for every batch
        (fresh noise is the usual choice and regularises more).
    contractive : float, default=0.0
        λ (>= 0) of the contractive penalty ``λ ||∂h/∂x||²_F``, the squared
        Frobenius norm of the encoder's Jacobian averaged over the batch (Rifai
        et al., "Contractive Auto-Encoders", ICML 2011); 0 disables it.
    contractive_method : {"auto", "closed_form", "exact", "hutchinson"}, default="auto"
        How the Jacobian norm is computed. ``"closed_form"``: Rifai et al.'s
        formula for one sigmoid layer, ``Σ_j (h_j(1-h_j))² ||W_j||²`` (one
        matrix-vector product; needs no hidden layers and a sigmoid code).
        ``"exact"``: autograd, one backward pass per code unit per batch (cost
        grows with ``code_size``: a 784-128-32 step takes ~14x as long).
        ``"hutchinson"``: the unbiased estimate ``E_v ||Jᵀv||²`` with Rademacher
        ``v``, ``contractive_samples`` backward passes per batch whatever the
        code size (~1.7x for one probe). ``"auto"``: the closed form when it
        applies, else exact.
    contractive_samples : int, default=1
        Probe vectors per batch for ``"hutchinson"``.
    pretrain : {None, "greedy"}, default=None
        Greedy layer-wise pretraining (Bengio et al., "Greedy Layer-Wise
        Training of Deep Networks", NIPS 2007; Hinton & Salakhutdinov, 2006, with
        autoencoders in place of RBMs): each encoder layer and its decoder
        mirror are first trained as a shallow autoencoder on the codes of the
        layer below — the first with this estimator's ``loss`` and output, deeper
        ones with squared error through ``activation`` — then the whole network
        is fine-tuned with the full objective for ``epochs``. With
        ``corruption`` each layer is a denoising autoencoder (stacked denoising
        autoencoders, Vincent et al., JMLR 11, 2010; deeper layers' inputs are
        codes, so ``noise_clip`` applies to them only for a sigmoid
        ``activation``). Penalties apply to fine-tuning only.
    pretrain_epochs : int, default=10
        Epochs per layer of greedy pretraining.
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, shuffling and the validation split; an int
        makes ``fit`` reproducible bit for bit on CPU.
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"``.
    precision : {"fp32", "bf16", "fp16"}, default="fp32"
        Number format of the training forward pass. ``"bf16"`` and ``"fp16"``
        run it under :func:`torch.autocast` (mixed precision: weights,
        gradients and optimizer state stay float32, and the loss history is
        accumulated in float32); ``"fp16"`` scales the loss against gradient
        underflow (Micikevicius et al., "Mixed Precision Training", ICLR 2018)
        and needs CUDA (on the CPU it is an error; use ``"bf16"``). Inference
        (``transform``, ``score_samples``) runs in float32.
    compile : bool, default=False
        Train with the network's ``forward`` compiled by :func:`torch.compile`;
        where compilation fails, a warning is given and training runs eagerly.
        Off by default: on a 2-core CPU a compiled conv autoencoder step was
        slower than eager (272-349 ms vs 214 ms); it pays off on GPUs.
    verbose : int, default=0
        0 silent, 1 progress bar over epochs, 2 also over batches.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network (:class:`aekit.nn.DenseAutoEncoderModule`).
    history_ : dict of list of float
        Per-epoch ``loss`` (the total minimised), ``epoch_time`` and, with
        validation data, ``val_loss``. With a regulariser each term also has its
        own entry: ``reconstruction``, ``l1`` or ``kl_sparsity``,
        ``contractive`` (and ``val_`` versions).
    n_features_in_ : int
        Number of features after flattening each sample.
    input_shape_ : tuple of int
        Shape of one training sample, used by ``inverse_transform``.
    n_iter_ : int
        Epochs actually run.
    pretrain_history_ : list of dict
        With ``pretrain="greedy"``: one training history per pretrained layer,
        bottom first (empty otherwise); saved with the model.

    Examples
    --------
    >>> import aekit
    >>> X, _ = aekit.datasets.load("digits")
    >>> ae = aekit.AutoEncoder(code_size=8, epochs=5, random_state=0).fit(X)
    >>> ae.transform(X).shape
    (1797, 8)
    """

    _model_name = "dense"
    presets: ClassVar[Registry[dict[str, Any]]] = Registry("AutoEncoder preset")
    _extra_state_keys: ClassVar[tuple[str, ...]] = ("pretrain_history_",)

    def __init__(
        self,
        *,
        hidden_layer_sizes: Sequence[int] = (),
        code_size: int = 32,
        activation: str = "relu",
        code_activation: str | None = None,
        output_activation: str = "linear",
        loss: str = "mse",
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        batch_size: int = 256,
        epochs: int = 50,
        validation_fraction: float = 0.0,
        validation_data: Any = None,
        early_stopping: bool = False,
        patience: int = 5,
        sparsity: str | None = None,
        sparsity_weight: float | None = None,
        sparsity_target: float = 0.05,
        corruption: str | None = None,
        noise_level: float = 0.5,
        noise_mean: float = 0.0,
        noise_clip: bool = False,
        noise_fixed: bool = False,
        contractive: float = 0.0,
        contractive_method: str = "auto",
        contractive_samples: int = 1,
        pretrain: str | None = None,
        pretrain_epochs: int = 10,
        random_state: Any = None,
        device: str = "auto",
        precision: str = "fp32",
        compile: bool = False,
        verbose: int = 0,
    ) -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.code_size = code_size
        self.activation = activation
        self.code_activation = code_activation
        self.output_activation = output_activation
        self.loss = loss
        self.optimizer = optimizer
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.epochs = epochs
        self.validation_fraction = validation_fraction
        self.validation_data = validation_data
        self.early_stopping = early_stopping
        self.patience = patience
        self.sparsity = sparsity
        self.sparsity_weight = sparsity_weight
        self.sparsity_target = sparsity_target
        self.corruption = corruption
        self.noise_level = noise_level
        self.noise_mean = noise_mean
        self.noise_clip = noise_clip
        self.noise_fixed = noise_fixed
        self.contractive = contractive
        self.contractive_method = contractive_method
        self.contractive_samples = contractive_samples
        self.pretrain = pretrain
        self.pretrain_epochs = pretrain_epochs
        self.random_state = random_state
        self.device = device
        self.precision = precision
        self.compile = compile
        self.verbose = verbose

    def _check_params(self) -> None:
        super()._check_params()
        check_sizes("hidden_layer_sizes", self.hidden_layer_sizes)
        check_int("code_size", self.code_size, minimum=1)
        if self.code_activation is not None:
            check_choice("code_activation", self.code_activation, ACTIVATIONS)
        check_choice("pretrain", self.pretrain, (None, "greedy"))
        check_int("pretrain_epochs", self.pretrain_epochs, minimum=1)

    def _code_activation(self) -> str:
        return self.code_activation or self.activation

    def _pretrain(self, X: torch.Tensor, seed: int) -> None:
        self.pretrain_history_: list[dict[str, list[float]]] = []
        if self.pretrain != "greedy":
            return
        self.pretrain_history_ = greedy_pretrain(
            self.module_,
            X,
            loss=self.loss,
            output_activation=self.output_activation,
            hidden_activation=self.activation,
            epochs=self.pretrain_epochs,
            trainer_options=self._trainer_options(),
            seed=seed,
            corruption=None
            if self.corruption is None
            else self._layer_corruption(seed),
            noise_fixed=self.noise_fixed,
        )

    def _layer_corruption(self, seed: int) -> Callable[[int], Corruption]:
        """Noise for the inputs of pretraining layer ``i``, each with its own seed.

        Clipping to [0, 1] is for pixel data: deeper layers see codes, which are
        clipped only when they are sigmoid activations (already in [0, 1]).
        """

        def layer_noise(i: int) -> Corruption:
            generator = torch.Generator().manual_seed(seed + 10 + i)
            clip = self.noise_clip and (i == 0 or self.activation == "sigmoid")
            return self._corruption(generator, clip)

        return layer_noise

    def _extra_state(self) -> dict[str, Any]:
        return {"pretrain_history_": getattr(self, "pretrain_history_", [])}

    def _module_config(self, n_features: int) -> dict[str, Any]:
        return {
            "input_dim": n_features,
            "hidden_layer_sizes": list(
                check_sizes("hidden_layer_sizes", self.hidden_layer_sizes)
            ),
            "code_size": int(self.code_size),
            "activation": self.activation,
            "code_activation": self.code_activation or self.activation,
            "output_activation": self.output_activation,
        }


_KERAS_BLOG = "Chollet, 'Building Autoencoders in Keras', blog.keras.io (2016)"
AutoEncoder.presets.register(
    "vanilla-mnist",
    {
        # 784-32-784, ReLU code, sigmoid output, BCE — the Keras blog's first model.
        "code_size": 32,
        "activation": "relu",
        "output_activation": "sigmoid",
        "loss": "bce",
        "optimizer": "adam",
        "batch_size": 256,
        "epochs": 50,
    },
)
AutoEncoder.presets.register(
    "deep-mnist",
    {
        # 784-128-64-32 mirrored, from the same blog post, 100 epochs.
        "hidden_layer_sizes": (128, 64),
        "code_size": 32,
        "activation": "relu",
        "output_activation": "sigmoid",
        "loss": "bce",
        "batch_size": 256,
        "epochs": 100,
    },
)
AutoEncoder.presets.register(
    "sparse-mnist",
    {
        # The blog's sparse model: activity_regularizer=l1(10e-5) — that is 1e-4,
        # often misread as 1e-5 — on the 32-unit code, 100 epochs. Keras 1
        # averaged the term over the batch, as aekit does (see l1_activity);
        # 1e-5 only halves the mean activation (benchmarks/regularized.py notes).
        "code_size": 32,
        "activation": "relu",
        "output_activation": "sigmoid",
        "loss": "bce",
        "batch_size": 256,
        "epochs": 100,
        "sparsity": "l1",
        "sparsity_weight": 1e-4,
    },
)
AutoEncoder.presets.register(
    "denoise-mnist",
    {
        # The blog's denoising setup on the dense model: 0.5 * N(0, 1), clipped.
        "code_size": 32,
        "hidden_layer_sizes": (128,),
        "activation": "relu",
        "output_activation": "sigmoid",
        "loss": "bce",
        "batch_size": 256,
        "epochs": 100,
        "corruption": "gaussian",
        "noise_level": 0.5,
        "noise_clip": True,
    },
)
AutoEncoder.presets.register(
    "mse-128",
    {
        # One 128-unit code layer trained with squared error.
        "code_size": 128,
        "activation": "relu",
        "output_activation": "sigmoid",
        "loss": "mse",
        "batch_size": 256,
        "epochs": 50,
    },
)
AutoEncoder.presets.register(
    "hinton-30d",
    {
        # 784-1000-500-250-30 with a linear code (Hinton & Salakhutdinov, 2006), trained
        # end to end with Adam instead of RBM pretraining + conjugate gradients.
        "hidden_layer_sizes": (1000, 500, 250),
        "code_size": 30,
        "activation": "relu",
        "code_activation": "linear",
        "output_activation": "sigmoid",
        "loss": "bce",
        "batch_size": 256,
        "epochs": 100,
    },
)
AutoEncoder.presets.register(
    "packt-2d",
    {
        # 784-500-2 for dimensionality reduction, set side by side with PCA's first
        # two components (issue 8; the exact settings of the book's listing were not
        # found, so these are the Keras blog's: ReLU hidden layer, sigmoid output,
        # BCE, Adam 1e-3, batch 256). The 2-D code is linear, as in Hinton &
        # Salakhutdinov (2006): a ReLU code would fold the plane onto a quadrant
        # and let whole classes collapse onto the axes. `code_size` overrides it
        # (`aekit embed --code-size 32` gives 784-500-32).
        "hidden_layer_sizes": (500,),
        "code_size": 2,
        "activation": "relu",
        "code_activation": "linear",
        "output_activation": "sigmoid",
        "loss": "bce",
        "optimizer": "adam",
        "learning_rate": 1e-3,
        "batch_size": 256,
        "epochs": 50,
    },
)
