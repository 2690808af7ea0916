"""What every Keras 3 twin script shares: options, backend start-up, timed fit.

The twins (``_keras_dense.py``, ``_keras_conv.py``, ``_keras_vae.py``,
``_keras_sequence.py``) each build one model; this module parses the options they
share, starts Keras on the requested backend (Keras fixes it at import, hence one
subprocess per backend) and trains with an epoch timer, printing the JSON that
``_common.run_keras`` reads.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any


def parse_args(
    add_arguments: Callable[[argparse.ArgumentParser], None],
    *,
    epochs: int,
    batch_size: int,
) -> argparse.Namespace:
    """``--backend --epochs --batch-size --seed`` plus the twin's own options."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--backend", required=True)
    parser.add_argument("--epochs", type=int, default=epochs)
    parser.add_argument("--batch-size", type=int, default=batch_size)
    parser.add_argument("--seed", type=int, default=0)
    add_arguments(parser)
    return parser.parse_args()


def start_keras(args: argparse.Namespace) -> Any:
    """Import Keras on ``args.backend``, seeded; returns the ``keras`` module."""
    os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    import keras

    keras.utils.set_random_seed(args.seed)
    return keras


def fit_and_report(
    keras: Any,
    model: Any,
    inputs: Any,
    targets: Any,
    args: argparse.Namespace,
    validation_data: Any = None,
) -> None:
    """Train with a per-epoch timer and print the result as JSON on stdout."""
    times: list[float] = []

    class Timer(keras.callbacks.Callback):  # type: ignore[misc]
        def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
            self.start = time.perf_counter()

        def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
            times.append(time.perf_counter() - self.start)

    hist = model.fit(
        inputs,
        targets,
        epochs=args.epochs,
        batch_size=args.batch_size,
        shuffle=True,
        validation_data=validation_data,
        verbose=0,
        callbacks=[Timer()],
    )
    out = {
        "backend": args.backend,
        "keras_version": keras.__version__,
        "n_params": int(model.count_params()),
        "epoch_times": times,
        "loss": hist.history["loss"],
    }
    if "val_loss" in hist.history:
        out["val_loss"] = hist.history["val_loss"]
    json.dump(out, sys.stdout)
