"""The convolutional autoencoder estimator."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from ..exceptions import DataError
from ..io import register_estimator
from ..registry import Registry
from ._validation import (
    as_float32_samples,
    check_choice,
    check_conv_params,
    check_int,
    check_sizes,
)
from .base import BaseAutoEncoder

_CHANNEL_COUNTS = (1, 3, 4)


def image_layout(
    shape: tuple[int, ...], channels: str
) -> tuple[tuple[int, int, int], str]:
    """``(channels, height, width)`` and ``"chw"``/``"hwc"`` of one sample's shape.

    The rule (also in :class:`ConvAutoEncoder`'s docstring): ``(h, w)`` is one grey
    channel; ``(a, b, c)`` is channels-last when only ``c`` is 1, 3 or 4,
    channels-first when only ``a`` is, and otherwise needs ``channels="first"`` or
    ``"last"``.
    """
    if len(shape) == 2:
        return (1, shape[0], shape[1]), "chw"
    if len(shape) != 3:
        raise DataError(
            "a convolutional network needs images shaped (n, h, w), (n, h, w, c) or "
            f"(n, c, h, w); got samples of shape {shape}"
        )
    first, last = shape[0] in _CHANNEL_COUNTS, shape[2] in _CHANNEL_COUNTS
    if channels == "last" or (channels == "auto" and last and not first):
        return (shape[2], shape[0], shape[1]), "hwc"
    if channels == "first" or (channels == "auto" and first and not last):
        return (shape[0], shape[1], shape[2]), "chw"
    raise DataError(
        f"cannot tell where the channels are in samples of shape {shape}; pass "
        "channels='first' or channels='last'"
    )


class ImageInputMixin:
    """Image-layout handling shared by the estimators with a convolutional network.

    Sets ``image_shape_`` and ``layout_`` at ``fit`` (see :func:`image_layout`) and
    refuses, later, images whose values match in number but not in layout.
    """

    channels: str
    image_shape_: tuple[int, int, int]
    layout_: str
    input_shape_: tuple[int, ...]
    n_features_in_: int

    def _check_image_layout(self, X: Any, *, reset: bool, input_name: str) -> None:
        if reset:
            shape = as_float32_samples(X, input_name=input_name).shape[1:]
            self.image_shape_, self.layout_ = image_layout(tuple(shape), self.channels)
        elif np.shape(X)[1:] != self.input_shape_ and np.ndim(X) > 1:
            # Same number of values in another layout would be silently scrambled.
            given = tuple(np.shape(X)[1:])
            if int(np.prod(given)) == self.n_features_in_ and self.image_shape_[0] > 1:
                raise DataError(
                    f"{input_name} has samples of shape {given}, but the model was "
                    f"fitted on {self.input_shape_}; pass images in the same layout"
                )

    def _image_state(self) -> dict[str, Any]:
        return {"image_shape_": list(self.image_shape_), "layout_": self.layout_}

    def _set_image_state(self, state: dict[str, Any]) -> None:
        self.image_shape_ = tuple(state["image_shape_"])
        self.layout_ = state["layout_"]


@register_estimator
class ConvAutoEncoder(ImageInputMixin, BaseAutoEncoder):
    """Convolutional autoencoder with a scikit-learn interface.

    Each encoder stage is a "same" convolution, the activation and a 2× down-sampling
    (max-pooling or a stride-2 convolution); the decoder mirrors it with
    nearest-neighbour up-sampling + convolution or stride-2 transposed
    convolutions, and a final convolution back to the input channels (Masci et al.,
    "Stacked Convolutional Auto-Encoders for Hierarchical Feature Extraction",
    ICANN 2011). Images of any size work: they are padded to a multiple of
    ``2 ** len(filters)`` and the reconstruction is cropped back.

    **Input layout.** ``(n, h, w)`` is greyscale. For 4-D input ``(n, a, b, c)``,
    channels are last when only ``c`` is 1, 3 or 4, first when only ``a`` is;
    when both or neither are, set ``channels="first"`` or ``"last"``.
    Reconstructions come back in the layout given.

    Parameters
    ----------
    filters : tuple of int, default=(32, 32)
        Channels of each encoder stage (the decoder uses them in reverse).
    kernel_size : int, default=3
        Odd convolution kernel size.
    downsample : {"pool", "stride"}, default="pool"
        Max-pooling or strided convolutions.
    upsample : {"upsample", "transpose", "conv-upsample"}, default="upsample"
        Up-sampling + convolution, transposed convolutions, or convolution +
        up-sampling with Keras' "same" geometry (no padding of the image; the
        Packt denoiser's decoder, see :class:`aekit.nn.ConvAutoEncoderModule`).
    code_size : int or None, default=None
        Width of an optional dense bottleneck; ``None`` uses the last feature map
        (flattened) as the code.
    channels : {"auto", "first", "last"}, default="auto"
        Where the channel axis of 4-D input is.
    **other parameters
        As :class:`aekit.AutoEncoder` (training, loss, sparsity, corruption,
        contractive — use ``contractive_method="hutchinson"`` for large codes).

    Attributes
    ----------
    image_shape_ : tuple of int
        ``(channels, height, width)`` of the training images.
    layout_ : str
        ``"chw"`` or ``"hwc"``: how samples are stored.
    """

    _model_name = "conv"
    presets: ClassVar[Registry[dict[str, Any]]] = Registry("ConvAutoEncoder preset")

    def __init__(
        self,
        *,
        filters: Sequence[int] = (32, 32),
        kernel_size: int = 3,
        downsample: str = "pool",
        upsample: str = "upsample",
        code_size: int | None = None,
        channels: str = "auto",
        activation: str = "relu",
        output_activation: str = "linear",
        loss: str = "mse",
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        batch_size: int = 128,
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
        random_state: Any = None,
        device: str = "auto",
        precision: str = "fp32",
        compile: bool = False,
        verbose: int = 0,
    ) -> None:
        self._store_params(locals())

    def _check_params(self) -> None:
        super()._check_params()
        check_conv_params(self.filters, self.kernel_size, self.channels)
        check_choice("downsample", self.downsample, ("pool", "stride"))
        check_choice(
            "upsample", self.upsample, ("upsample", "transpose", "conv-upsample")
        )
        if self.code_size is not None:
            check_int("code_size", self.code_size, minimum=1)

    def _code_activation(self) -> str:
        return "linear" if self.code_size else self.activation

    def _validate_X(self, X: Any, *, reset: bool, input_name: str = "X") -> np.ndarray:
        self._check_image_layout(X, reset=reset, input_name=input_name)
        return super()._validate_X(X, reset=reset, input_name=input_name)

    def _module_config(self, n_features: int) -> dict[str, Any]:
        return {
            "image_shape": list(self.image_shape_),
            "layout": self.layout_,
            "filters": list(check_sizes("filters", self.filters)),
            "kernel_size": int(self.kernel_size),
            "downsample": self.downsample,
            "upsample": self.upsample,
            "code_size": None if self.code_size is None else int(self.code_size),
            "activation": self.activation,
            "output_activation": self.output_activation,
            "feature_order": "hwc",
        }

    def _extra_state(self) -> dict[str, Any]:
        return self._image_state()

    def _set_saved_state(
        self, tensors: Any, state: dict[str, Any], device: str | None = None
    ) -> None:
        self._set_image_state(state)
        super()._set_saved_state(tensors, state, device)


_IMAGE = {"output_activation": "sigmoid", "loss": "bce", "activation": "relu"}
ConvAutoEncoder.presets.register(
    "keras-blog-conv",
    {
        # Chollet (2016): 16-8-8 filters, max-pooling, up-sampling → 4×4×8 code.
        **_IMAGE,
        "filters": (16, 8, 8),
        "batch_size": 128,
        "epochs": 50,
    },
)
ConvAutoEncoder.presets.register(
    "keras-guide-conv",
    {
        # keras.io "Convolutional autoencoder for image denoising": 32-32, pooling,
        # transposed convolutions → 7×7×32 code.
        **_IMAGE,
        "filters": (32, 32),
        "upsample": "transpose",
        "batch_size": 128,
        "epochs": 50,
    },
)
ConvAutoEncoder.presets.register(
    "packt-denoiser",
    {
        # The Packt chapter's denoiser: filters [32, 32, 16], BCE, 50 epochs, trained
        # on 0.5·N(0, 1) noise clipped to [0, 1]; its decoder convolves before each
        # up-sampling, at Keras' "same" geometry (28 → 14 → 7 → 4, then 4 → 8 →
        # 16 → valid conv 14 → 28): 30,689 parameters, as the book's model.
        **_IMAGE,
        "filters": (32, 32, 16),
        "upsample": "conv-upsample",
        "batch_size": 128,
        "epochs": 50,
        "corruption": "gaussian",
        "noise_level": 0.5,
        "noise_clip": True,
    },
)
