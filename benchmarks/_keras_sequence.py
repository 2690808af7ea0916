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

import argparse
import json
import os
import sys
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", required=True)
    parser.add_argument("--train", required=True)
    parser.add_argument("--units", type=int, default=512)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    import keras
    import numpy as np
    from keras import layers

    keras.utils.set_random_seed(args.seed)
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

    times: list[float] = []

    class Timer(keras.callbacks.Callback):
        def on_epoch_begin(self, epoch, logs=None):
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch, logs=None):
            times.append(time.perf_counter() - self.start)

    hist = model.fit(
        X,
        X,
        epochs=args.epochs,
        batch_size=args.batch_size,
        shuffle=True,
        verbose=0,
        callbacks=[Timer()],
    )
    json.dump(
        {
            "backend": args.backend,
            "keras_version": keras.__version__,
            "n_params": int(model.count_params()),
            "epoch_times": times,
            "loss": hist.history["loss"],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
