"""Train the Keras 3 twin of the Packt sentence autoencoder; print JSON. Internal.

Run by ``benchmarks/sequence.py --compare keras`` in a subprocess per backend (Keras
fixes its backend at import), on the very ``(n, 50, 50)`` GloVe array aekit timed
(passed as .npy). The model is the chapter's (Gulli, Kapoor & Pal, "Deep Learning
with TensorFlow 2 and Keras", 2nd ed., Packt 2019, ch. 9) and aekit's preset
``reuters-sentences``: ``Bidirectional(LSTM(units), merge_mode="sum")`` →
``RepeatVector(steps)`` → ``Bidirectional(LSTM(features, return_sequences=True),
merge_mode="sum")``, mean squared error, Adam 1e-3, batch 64, shuffled every epoch.
"""

from __future__ import annotations

from _keras_common import fit_and_report, parse_args, start_keras


def main() -> None:
    def options(parser):
        parser.add_argument("--train", required=True)
        parser.add_argument("--units", type=int, default=512)

    args = parse_args(options, epochs=2, batch_size=64)
    keras = start_keras(args)
    import numpy as np
    from keras import layers

    X = np.load(args.train)
    steps, features = X.shape[1], X.shape[2]
    inputs = keras.Input(shape=(steps, features))
    code = layers.Bidirectional(layers.LSTM(args.units), merge_mode="sum")(inputs)
    h = layers.RepeatVector(steps)(code)
    outputs = layers.Bidirectional(
        layers.LSTM(features, return_sequences=True), merge_mode="sum"
    )(h)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")
    fit_and_report(keras, model, X, X, args)


if __name__ == "__main__":
    main()
