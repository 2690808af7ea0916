"""Train the Keras 3 twin of an aekit dense autoencoder; print JSON. Internal helper.

Run by ``benchmarks/dense.py --compare keras`` in a subprocess per backend (Keras
fixes its backend at import), on the very arrays aekit trained on (passed as .npy).
"""

from __future__ import annotations

from _keras_common import fit_and_report, parse_args, start_keras


def main() -> None:
    def options(parser):
        parser.add_argument("--train", required=True)
        parser.add_argument("--val", required=True)
        parser.add_argument("--hidden", default="")
        parser.add_argument("--code-size", type=int, default=32)
        parser.add_argument("--code-activation", default="relu")

    args = parse_args(options, epochs=50, batch_size=256)
    keras = start_keras(args)
    import numpy as np

    X = np.load(args.train)
    X_val = np.load(args.val)
    hidden = [int(h) for h in args.hidden.split(",") if h]
    inputs = keras.Input(shape=(X.shape[1],))
    h = inputs
    for width in hidden:
        h = keras.layers.Dense(width, activation="relu")(h)
    code = keras.layers.Dense(args.code_size, activation=args.code_activation)(h)
    h = code
    for width in reversed(hidden):
        h = keras.layers.Dense(width, activation="relu")(h)
    outputs = keras.layers.Dense(X.shape[1], activation="sigmoid")(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy")
    fit_and_report(keras, model, X, X, args, validation_data=(X_val, X_val))


if __name__ == "__main__":
    main()
