"""The dense autoencoder estimator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from ..io import register_estimator
from ..losses.objective import Objective
from ..losses.reconstruction import RECONSTRUCTION_LOSSES
from ..nn.layers import ACTIVATIONS
from ..registry import Registry
from ..train.trainer import OPTIMIZERS
from ._validation import check_choice, check_int, check_sizes, check_unit_range
from .base import BaseAutoEncoder


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
    random_state : int, RandomState or None, default=None
        Seeds weight initialisation, shuffling and the validation split; an int
        makes ``fit`` reproducible bit for bit on CPU.
    device : str, default="auto"
        ``"auto"`` (CUDA when available, else CPU), ``"cpu"``, ``"cuda"``, ``"cuda:N"``.
    verbose : int, default=0
        0 silent, 1 progress bar over epochs, 2 also over batches.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network (:class:`aekit.nn.DenseAutoEncoderModule`).
    history_ : dict of list of float
        Per-epoch ``loss`` (and ``val_loss``, loss terms, ``epoch_time``).
    n_features_in_ : int
        Number of features after flattening each sample.
    input_shape_ : tuple of int
        Shape of one training sample, used by ``inverse_transform``.
    n_iter_ : int
        Epochs actually run.

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
        random_state: Any = None,
        device: str = "auto",
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
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    def _check_params(self) -> None:
        super()._check_params()
        check_sizes("hidden_layer_sizes", self.hidden_layer_sizes)
        check_int("code_size", self.code_size, minimum=1)
        check_choice("activation", self.activation, ACTIVATIONS)
        if self.code_activation is not None:
            check_choice("code_activation", self.code_activation, ACTIVATIONS)
        check_choice("output_activation", self.output_activation, ("linear", "sigmoid"))
        check_choice("loss", self.loss, RECONSTRUCTION_LOSSES)
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        if self.loss == "bce" and self.output_activation != "sigmoid":
            raise ValueError(
                "loss='bce' needs output_activation='sigmoid' (BCE compares "
                f"probabilities), got output_activation={self.output_activation!r}"
            )

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

    def _objective(self) -> Objective:
        return Objective(self.loss)

    def _check_input_range(self, X: np.ndarray, input_name: str = "X") -> None:
        if self.loss == "bce":
            check_unit_range(X, "loss='bce'", input_name)


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
