"""The `make demo` script: the Keras blog's 784-32-784 autoencoder on MNIST vs PCA.

Trains the seed vanilla autoencoder (ReLU code of 32 units, sigmoid output, binary
cross-entropy, Adam, batch 256), prints its test loss next to PCA with the same code
size, and writes ``demo/reconstructions.png`` and ``demo/loss.png``. Without MNIST
on disk or online it falls back to scikit-learn's bundled 8x8 digits, and says so.

    python examples/demo.py [--epochs 15] [--out demo] [--dataset mnist]
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.decomposition import PCA

import aekit
from aekit.plots import reconstruction_grid, training_curves


def load(dataset: str) -> tuple[str, np.ndarray, np.ndarray]:
    try:
        X_train, _ = aekit.datasets.load(dataset, split="train")
        X_test, _ = aekit.datasets.load(dataset, split="test")
        return dataset, X_train, X_test
    except aekit.DatasetNotFoundError as exc:
        warnings.warn(
            f"{dataset} is not available ({exc}); falling back to the bundled "
            "8x8 digits",
            stacklevel=2,
        )
        X_train, _ = aekit.datasets.load("digits", split="train")
        X_test, _ = aekit.datasets.load("digits", split="test")
        return "digits", X_train, X_test


def bce(recon: np.ndarray, X: np.ndarray) -> float:
    p = np.clip(recon, 1e-7, 1 - 1e-7)
    return float(-np.mean(X * np.log(p) + (1 - X) * np.log(1 - p)))


def sq_err_per_image(recon: np.ndarray, X: np.ndarray) -> float:
    return float(((recon - X) ** 2).reshape(len(X), -1).sum(axis=1).mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--out", type=Path, default=Path("demo"))
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(message)s")

    name, X_train, X_test = load(args.dataset)
    code_size = 32 if name != "digits" else 8
    print(f"dataset: {name}  train {X_train.shape}  test {X_test.shape}")
    ae = aekit.AutoEncoder.from_preset(
        "vanilla-mnist",
        code_size=code_size,
        epochs=args.epochs,
        validation_data=X_test,
        random_state=args.seed,
        verbose=int(sys.stderr.isatty()),
    )
    start = time.perf_counter()
    ae.fit(X_train)
    seconds = time.perf_counter() - start

    flat_train = X_train.reshape(len(X_train), -1)
    flat_test = X_test.reshape(len(X_test), -1)
    pca = PCA(n_components=code_size, random_state=args.seed).fit(flat_train)
    pca_recon = pca.inverse_transform(pca.transform(flat_test))
    ae_recon = ae.reconstruct(flat_test)

    print(
        f"\nautoencoder {flat_train.shape[1]}-{code_size}-{flat_train.shape[1]}, "
        f"{ae.n_iter_} epochs in {seconds:.1f} s ({seconds / ae.n_iter_:.2f} s/epoch)"
    )
    print(f"{'test set':<24}{'BCE':>10}{'squared error / image':>26}")
    print(
        f"{'autoencoder':<24}{bce(ae_recon, flat_test):>10.4f}"
        f"{sq_err_per_image(ae_recon, flat_test):>26.2f}"
    )
    print(
        f"{f'PCA ({code_size} components)':<24}{bce(pca_recon, flat_test):>10.4f}"
        f"{sq_err_per_image(pca_recon, flat_test):>26.2f}"
    )

    args.out.mkdir(parents=True, exist_ok=True)
    reconstruction_grid(ae, X_test, n=10).savefig(
        args.out / "reconstructions.png", dpi=120, bbox_inches="tight"
    )
    training_curves(ae.history_).savefig(
        args.out / "loss.png", dpi=120, bbox_inches="tight"
    )
    print(f"\nwrote {args.out / 'reconstructions.png'} and {args.out / 'loss.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
