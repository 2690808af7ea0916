"""Train the Keras 3 twin of an aekit dense autoencoder; print JSON. Internal helper.

Run by ``benchmarks/dense.py --compare keras`` in a subprocess per backend (Keras
fixes its backend at import), on the very arrays aekit trained on (passed as .npy).
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
    parser.add_argument("--val", required=True)
    parser.add_argument("--hidden", default="")
    parser.add_argument("--code-size", type=int, default=32)
    parser.add_argument("--code-activation", default="relu")
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

    import keras
    import numpy as np

    keras.utils.set_random_seed(args.seed)
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
        validation_data=(X_val, X_val),
        verbose=0,
        callbacks=[Timer()],
    )
    json.dump(
        {
            "backend": args.backend,
            "keras_version": keras.__version__,
            "epoch_times": times,
            "loss": hist.history["loss"],
            "val_loss": hist.history["val_loss"],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
