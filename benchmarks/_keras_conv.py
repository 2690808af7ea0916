"""Train the Keras 3 twin of an aekit conv denoiser; print JSON. Internal helper.

Run by ``benchmarks/denoise.py --compare keras`` in a subprocess per backend (Keras
fixes its backend at import), on the very arrays aekit trained on (passed as .npy).
The network is built layer for layer like :class:`aekit.nn.ConvAutoEncoderModule`:
zero-pad to a multiple of ``2 ** len(filters)``, per filter count a 3×3 "same"
ReLU convolution and 2×2 max-pooling, then the mirror image with nearest
up-sampling, a 3×3 sigmoid output convolution, and a crop back to the input size;
Glorot-uniform weights, Adam 1e-3, binary cross-entropy. Keras trains on one fixed
noisy copy of the training set (the textbooks' way).
"""

from __future__ import annotations

from _keras_common import fit_and_report, parse_args, start_keras


def main() -> None:
    def options(parser):
        parser.add_argument("--train-noisy", required=True)
        parser.add_argument("--train", required=True)
        parser.add_argument("--filters", default="32,32,16")

    args = parse_args(options, epochs=50, batch_size=128)
    keras = start_keras(args)
    import numpy as np

    X_noisy = np.load(args.train_noisy)[..., None]
    X = np.load(args.train)[..., None]
    filters = [int(f) for f in args.filters.split(",")]
    height, width = X.shape[1:3]
    factor = 2 ** len(filters)
    pad_h, pad_w = -height % factor, -width % factor
    layers = keras.layers

    inputs = keras.Input(shape=X.shape[1:])
    h = layers.ZeroPadding2D(((0, pad_h), (0, pad_w)))(inputs)
    for f in filters:
        h = layers.Conv2D(f, 3, padding="same", activation="relu")(h)
        h = layers.MaxPooling2D(2)(h)
    for f in reversed(filters):
        h = layers.UpSampling2D(2)(h)
        h = layers.Conv2D(f, 3, padding="same", activation="relu")(h)
    h = layers.Conv2D(X.shape[-1], 3, padding="same", activation="sigmoid")(h)
    outputs = layers.Cropping2D(((0, pad_h), (0, pad_w)))(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    fit_and_report(keras, model, X_noisy, X, args)


if __name__ == "__main__":
    main()
