"""Train the Keras 3 twin of an aekit conv denoiser; print JSON. Internal helper.

Run by ``benchmarks/denoise.py --compare keras`` and ``benchmarks/scale.py`` in a
subprocess per backend (Keras fixes its backend at import), on the very arrays
aekit trained on (passed as .npy). The network is built layer for layer like
:class:`aekit.nn.ConvAutoEncoderModule`, in either geometry:

- ``--upsample conv-upsample`` (the ``packt-denoiser`` preset, the book's model):
  per filter count a 3×3 "same" ReLU convolution and 2×2 "same" max-pooling
  (odd sizes round up), then per filter count in reverse a 3×3 ReLU convolution
  — "valid" where the up-sampled map still covers the matching encoder size,
  else "same" — and nearest 2× up-sampling, a 3×3 sigmoid output convolution
  and a crop to the input size. For 28×28 this is the Packt chapter's
  ``Encoder``/``Decoder`` exactly (4 → 8 → 16 → valid 14 → 28).
- ``--upsample upsample``: zero-pad to a multiple of ``2 ** len(filters)``,
  conv + pooling per filter count, then the mirror image with up-sampling
  before each conv, the sigmoid output conv and a crop.

Glorot-uniform weights, Adam 1e-3, binary cross-entropy. Keras trains on one fixed
noisy copy of the training set (the textbooks' way).
"""

from __future__ import annotations

from _keras_common import fit_and_report, parse_args, start_keras


def _valid_fits(size: int, target: int) -> bool:
    """aekit's ``_decoder_padding`` for a 3×3 kernel: padding 0 ("valid") when
    the up-sampled output of the valid conv still covers ``target``."""
    return 2 * (size - 2) >= target


def main() -> None:
    def options(parser):
        parser.add_argument("--train-noisy", required=True)
        parser.add_argument("--train", required=True)
        parser.add_argument("--filters", default="32,32,16")
        parser.add_argument(
            "--upsample", choices=["conv-upsample", "upsample"], default="conv-upsample"
        )

    args = parse_args(options, epochs=50, batch_size=128)
    keras = start_keras(args)
    import numpy as np

    X_noisy = np.load(args.train_noisy)[..., None]
    X = np.load(args.train)[..., None]
    filters = [int(f) for f in args.filters.split(",")]
    height, width = X.shape[1:3]
    layers = keras.layers
    inputs = keras.Input(shape=X.shape[1:])
    if args.upsample == "upsample":
        factor = 2 ** len(filters)
        pad_h, pad_w = -height % factor, -width % factor
        h = layers.ZeroPadding2D(((0, pad_h), (0, pad_w)))(inputs)
        for f in filters:
            h = layers.Conv2D(f, 3, padding="same", activation="relu")(h)
            h = layers.MaxPooling2D(2)(h)
        for f in reversed(filters):
            h = layers.UpSampling2D(2)(h)
            h = layers.Conv2D(f, 3, padding="same", activation="relu")(h)
    else:
        sizes = [(height, width)]
        h = inputs
        for f in filters:
            h = layers.Conv2D(f, 3, padding="same", activation="relu")(h)
            h = layers.MaxPooling2D(2, padding="same")(h)
            sizes.append((-(-sizes[-1][0] // 2), -(-sizes[-1][1] // 2)))
        size = sizes[-1]
        for f, target in zip(reversed(filters), reversed(sizes[:-1]), strict=True):
            pads = [
                0 if _valid_fits(s, t) else 1 for s, t in zip(size, target, strict=True)
            ]
            if pads[0] != pads[1]:  # "same" on one axis only: pad it by hand
                h = layers.ZeroPadding2D(((pads[0], pads[0]), (pads[1], pads[1])))(h)
                h = layers.Conv2D(f, 3, padding="valid", activation="relu")(h)
            else:
                padding = "same" if pads[0] else "valid"
                h = layers.Conv2D(f, 3, padding=padding, activation="relu")(h)
            h = layers.UpSampling2D(2)(h)
            size = tuple(2 * (s + 2 * p - 2) for s, p in zip(size, pads, strict=True))
        pad_h, pad_w = size[0] - height, size[1] - width
    h = layers.Conv2D(X.shape[-1], 3, padding="same", activation="sigmoid")(h)
    outputs = layers.Cropping2D(((0, pad_h), (0, pad_w)))(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    fit_and_report(keras, model, X_noisy, X, args)


if __name__ == "__main__":
    main()
