"""Convolutional autoencoders for images of any size, grey or colour.

The module takes *flattened* samples, like every aekit module, and reshapes them to
images itself (``layout`` says whether a sample is stored channels-first or
channels-last), so the estimator layer stays family-agnostic. Images are padded to
a multiple of ``2 ** len(filters)`` so that every down-sampling halves exactly, and
the reconstruction is cropped back to the input size; the ``"conv-upsample"``
decoder instead keeps Keras' geometry (see :func:`_decoder_padding`).
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn

from .functional import cpu_autocast, tap_conv2d
from .layers import AEOutput, activation_layer


def _glorot(module: nn.Module) -> None:
    # Keras' default for Conv2D/Conv2DTranspose/Dense, so textbook models start alike.
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d | nn.ConvTranspose2d | nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)


def _decoder_padding(size: int, target: int, kernel_size: int) -> int:
    """Padding of a ``"conv-upsample"`` decoder conv: the least that still lets
    the 2× up-sampled map cover ``target`` (the matching encoder stage's size).

    Keras-style decoders put each conv before its up-sampling and, for odd
    sizes, trim with a "valid" conv where a "same" one would overshoot: the
    Packt denoiser (Gulli, Kapoor & Pal, 2019, ch. 9) goes 4 → 8 → 16, then a
    valid 3×3 conv to 14 → 28 for 28×28 MNIST. Choosing, per stage, the smallest
    padding whose up-sampled output is at least ``target`` reproduces that
    network exactly and gives any other size the same treatment; what is left
    over is cropped after the output conv.
    """
    for pad in range(kernel_size // 2 + 1):
        if 2 * (size + 2 * pad - kernel_size + 1) >= target:
            return pad
    return kernel_size // 2


class OutputConv2d(nn.Conv2d):
    """The decoder's last convolution, to the image's channels.

    Same parameters and function as :class:`torch.nn.Conv2d` (saved models are
    unchanged). On the CPU, in float32, a stride-1 "same" convolution to at
    most 27 kernel taps × output channels runs as
    :func:`aekit.nn.functional.tap_conv2d`: otherwise the decoder's costliest
    layer, a fifth of a training step of the keras.io conv VAE.
    """

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        kh, kw = self.kernel_size
        if (
            x.device.type == "cpu"
            and x.dtype == torch.float32
            and self.weight.dtype == torch.float32
            and not cpu_autocast()
            and x.ndim == 4
            and self.stride == (1, 1)
            and self.dilation == (1, 1)
            and self.groups == 1
            and self.padding_mode == "zeros"
            and kh % 2 == 1
            and kw % 2 == 1
            and self.padding == (kh // 2, kw // 2)
            and self.out_channels * kh * kw <= 27
            and self.in_channels >= 8
        ):
            return tap_conv2d(x, self.weight, self.bias)
        return super().forward(x)


class ConvAutoEncoderModule(nn.Module):
    """Conv encoder (conv → activation → down-sample, per filter count) and a
    mirrored decoder, with an optional dense bottleneck.

    Masci, Meier, Cireşan & Schmidhuber, "Stacked Convolutional Auto-Encoders for
    Hierarchical Feature Extraction", ICANN 2011.

    Parameters
    ----------
    image_shape : (channels, height, width)
        Shape of one image.
    layout : {"chw", "hwc"}
        Order of a flattened sample's values.
    filters : sequence of int
        Channels of each encoder stage; the decoder uses them reversed.
    kernel_size : int
        Odd kernel size of every convolution ("same" padding).
    downsample : {"pool", "stride"}
        2×2 max-pooling after each conv, or the conv itself with stride 2.
    upsample : {"upsample", "transpose", "conv-upsample"}
        Nearest-neighbour up-sampling then conv, a stride-2 transposed conv, or
        conv then up-sampling (the Packt denoiser's decoder: convs run at the
        lower resolution). ``"conv-upsample"`` does not pad the image: the
        encoder rounds odd sizes up (Keras' "same" pooling) and each decoder conv
        drops padding where the up-sampled map still covers the matching
        encoder stage, then the output is cropped.
    code_size : int or None
        Add a dense bottleneck of this width; ``None`` keeps the last feature map
        as the code.
    hidden_sizes : sequence of int
        Dense layers (with ``activation``) between the flattened feature map and
        the bottleneck, in the encoder only: the keras.io VAE's ``Dense(16)``.
        Needs ``code_size``.
    transpose_kernel : int
        Kernel of the stride-2 transposed convolutions (``upsample="transpose"``):
        2 tiles each input pixel into a 2×2 block without overlap; an odd size
        (keras.io's 3) overlaps neighbours, padded so every stage doubles exactly.
    feature_order : {"chw", "hwc"}
        How the last feature map is flattened for the dense layers (and the
        dense output unflattened for the decoder). ``"hwc"``, Keras' order, is a
        view of the channels-last maps; ``"chw"`` copies them (two layout
        conversions each way per step, 4 % of a conv VAE epoch on one CPU
        thread). The two are the same function class; a model keeps the order it
        was trained with. The estimators build ``"hwc"``; ``"chw"`` is the default
        here only so that files saved before the option load unchanged.
    activation : str
        Hidden activation.
    output_activation : str
        ``"sigmoid"`` or ``"linear"``.
    """

    def __init__(
        self,
        image_shape: Sequence[int],
        layout: str = "chw",
        filters: Sequence[int] = (32, 32),
        kernel_size: int = 3,
        downsample: str = "pool",
        upsample: str = "upsample",
        code_size: int | None = None,
        activation: str = "relu",
        output_activation: str = "sigmoid",
        hidden_sizes: Sequence[int] = (),
        transpose_kernel: int = 2,
        feature_order: str = "chw",
    ) -> None:
        super().__init__()
        if feature_order not in ("chw", "hwc"):
            raise ValueError(
                f"feature_order must be 'chw' or 'hwc', got {feature_order!r}"
            )
        self.feature_order = feature_order
        channels, height, width = (int(s) for s in image_shape)
        self.image_shape = (channels, height, width)
        self.layout = layout
        factor = 2 ** len(filters)
        keras_geometry = upsample == "conv-upsample"
        if keras_geometry:
            self.padded = (height, width)
        else:
            self.padded = (-(-height // factor) * factor, -(-width // factor) * factor)
        pad = kernel_size // 2
        encoder: list[nn.Module] = []
        c = channels
        # Map size entering each encoder stage, then the code's: halved, rounded up.
        sizes: list[tuple[int, int]] = [self.padded]
        for f in filters:
            stride = 2 if downsample == "stride" else 1
            encoder += [
                nn.Conv2d(c, f, kernel_size, stride, pad),
                activation_layer(activation),
            ]
            if downsample == "pool":
                encoder.append(nn.MaxPool2d(2, ceil_mode=keras_geometry))
            c = f
            sizes.append((-(-sizes[-1][0] // 2), -(-sizes[-1][1] // 2)))
        self.features = nn.Sequential(*encoder)
        self.feature_shape = (c, *sizes[-1])
        n_features = c * self.feature_shape[1] * self.feature_shape[2]
        self.bottleneck: nn.Module = nn.Identity()
        self.unbottleneck: nn.Module = nn.Identity()
        if hidden_sizes and not code_size:
            raise ValueError("hidden_sizes needs a dense bottleneck (code_size)")
        hidden: list[nn.Module] = []
        width = n_features
        for size in hidden_sizes:
            hidden += [nn.Linear(width, int(size)), activation_layer(activation)]
            width = int(size)
        self.hidden = nn.Sequential(*hidden)
        if code_size:
            self.bottleneck = nn.Linear(width, code_size)
            self.unbottleneck = nn.Sequential(
                nn.Linear(code_size, n_features), activation_layer(activation)
            )
        self.code_dim = int(code_size) if code_size else n_features
        decoder: list[nn.Module] = []
        at = sizes[-1]  # the decoder's current map size (conv-upsample)
        for f, target in zip(reversed(filters), reversed(sizes[:-1]), strict=True):
            if keras_geometry:
                ph = _decoder_padding(at[0], target[0], kernel_size)
                pw = _decoder_padding(at[1], target[1], kernel_size)
                decoder += [
                    nn.Conv2d(c, f, kernel_size, 1, (ph, pw)),
                    activation_layer(activation),
                    nn.Upsample(scale_factor=2, mode="nearest"),
                ]
                grow = 1 - kernel_size
                at = (2 * (at[0] + 2 * ph + grow), 2 * (at[1] + 2 * pw + grow))
            elif upsample == "transpose":
                # Output 2n for any kernel: (n-1)·2 - 2·padding + k + output_padding.
                k = int(transpose_kernel)
                decoder += [
                    nn.ConvTranspose2d(c, f, k, 2, (k - 1) // 2, k % 2),
                    activation_layer(activation),
                ]
            else:
                decoder += [
                    nn.Upsample(scale_factor=2, mode="nearest"),
                    nn.Conv2d(c, f, kernel_size, 1, pad),
                    activation_layer(activation),
                ]
            c = f
        decoder.append(OutputConv2d(c, channels, kernel_size, 1, pad))
        self.decoder = nn.Sequential(*decoder)
        self.output_activation = activation_layer(output_activation)
        _glorot(self)
        # oneDNN (CPU) and cuDNN run NHWC convolutions much faster than NCHW: a
        # training step of the Packt denoiser took 0.6x the time on one CPU thread.
        # Saving makes the weights contiguous again, so files are unaffected.
        self.to(memory_format=torch.channels_last)  # type: ignore[call-overload]

    def _to_images(self, x: torch.Tensor) -> torch.Tensor:
        c, h, w = self.image_shape
        if self.layout == "hwc":
            images = x.reshape(-1, h, w, c).permute(0, 3, 1, 2)
        else:
            images = x.reshape(-1, c, h, w)
        images = F.pad(images, (0, self.padded[1] - w, 0, self.padded[0] - h))
        return images.contiguous(memory_format=torch.channels_last)

    def _to_flat(self, images: torch.Tensor) -> torch.Tensor:
        _, h, w = self.image_shape
        images = images[:, :, :h, :w]
        if self.layout == "hwc":
            images = images.permute(0, 2, 3, 1)
        return images.reshape(images.shape[0], -1)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Flattened samples → codes of shape ``(batch, code_dim)``."""
        return self.bottleneck(self.encode_features(x))

    @property
    def code_layer(self) -> nn.Linear:
        """The dense bottleneck (exists only with ``code_size``)."""
        if not isinstance(self.bottleneck, nn.Linear):
            raise AttributeError("this network has no dense bottleneck (code_size)")
        return self.bottleneck

    def encode_features(self, x: torch.Tensor) -> torch.Tensor:
        """The last feature map, flattened (then through ``hidden_sizes``): what
        the dense bottleneck sees."""
        maps = self.features(self._to_images(x))
        if self.feature_order == "hwc":
            # The maps are channels-last in memory: a view, no copy.
            return self.hidden(maps.permute(0, 2, 3, 1).reshape(maps.shape[0], -1))
        return self.hidden(maps.flatten(1))

    def decode_logits(self, code: torch.Tensor) -> torch.Tensor:
        c, h, w = self.feature_shape
        flat = self.unbottleneck(code)
        if self.feature_order == "hwc":
            maps = flat.reshape(-1, h, w, c).permute(0, 3, 1, 2)
        else:
            maps = flat.reshape(-1, c, h, w)
        return self._to_flat(self.decoder(maps))

    def decode(self, code: torch.Tensor) -> torch.Tensor:
        """Codes → flattened reconstructions."""
        return self.output_activation(self.decode_logits(code))

    def forward(self, x: torch.Tensor) -> AEOutput:
        code = self.encode(x)
        return AEOutput(code, self.decode_logits(code), self.output_activation)
