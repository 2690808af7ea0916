"""The `make demo` script: the Keras blog's 784-32-784 autoencoder on MNIST vs PCA.

Trains the seed vanilla autoencoder (ReLU code of 32 units, sigmoid output, binary
cross-entropy, Adam, batch 256), prints its test loss next to PCA with the same code
size, and writes ``demo/reconstructions.png`` and ``demo/loss.png``. Without MNIST
on disk or online it falls back to scikit-learn's bundled 8x8 digits (code size 8),
with a WARNING.

    python examples/demo.py [--epochs 15] [--out demo] [--dataset mnist] [--threads 1]

15 epochs take well under a minute on two CPU cores.
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from pathlib import Path

import numpy as np
import torch
from sklearn.decomposition import PCA

import aekit
from aekit.plots import reconstruction_grid, training_curves

logger = logging.getLogger("aekit.demo")


def load(dataset: str) -> tuple[str, np.ndarray, np.ndarray]:
    """Train and test images of ``dataset``, or of ``digits`` if it is missing."""
    try:
        X_train, _ = aekit.datasets.load(dataset, split="train")
        X_test, _ = aekit.datasets.load(dataset, split="test")
        return dataset, X_train, X_test
    except aekit.DatasetNotFoundError as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else exc
        logger.warning(
            "%s is not available (%s); falling back to the bundled 8x8 digits",
            dataset,
            reason,
        )
        X_train, _ = aekit.datasets.load("digits", split="train")
        X_test, _ = aekit.datasets.load("digits", split="test")
        return "digits", X_train, X_test


def bce(recon: np.ndarray, X: np.ndarray) -> float:
    """Mean binary cross-entropy, predictions clipped to [1e-7, 1 - 1e-7]."""
    p = np.clip(recon, 1e-7, 1 - 1e-7)
    return float(-np.mean(X * np.log(p) + (1 - X) * np.log(1 - p)))


def sq_err_per_image(recon: np.ndarray, X: np.ndarray) -> float:
    """Squared error summed over pixels, averaged over images."""
    return float(((recon - X) ** 2).reshape(len(X), -1).sum(axis=1).mean())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--dataset", default="mnist")
    parser.add_argument("--out", type=Path, default=Path("demo"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="PyTorch CPU threads (default 1: this small model gains little from "
        "more, and several threads slow down badly on busy shared cores)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s: %(message)s")
    threads = torch.get_num_threads()
    torch.set_num_threads(args.threads)
    try:
        return run(args)
    finally:
        torch.set_num_threads(threads)


def run(args: argparse.Namespace) -> int:
    """Train, compare with PCA, print the table and write the two figures."""
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
    ae_bce, pca_bce = bce(ae_recon, flat_test), bce(pca_recon, flat_test)
    ae_sq, pca_sq = (
        sq_err_per_image(ae_recon, flat_test),
        sq_err_per_image(pca_recon, flat_test),
    )

    shape = f"{flat_train.shape[1]}-{code_size}-{flat_train.shape[1]}"
    print(
        f"\nautoencoder {shape}, {ae.n_iter_} epochs in {seconds:.1f} s "
        f"({seconds / ae.n_iter_:.2f} s/epoch)"
    )
    print(f"{f'{name} test set':<24}{'BCE':>10}{'squared error / image':>26}")
    print(f"{'autoencoder':<24}{ae_bce:>10.4f}{ae_sq:>26.2f}")
    print(f"{f'PCA ({code_size} components)':<24}{pca_bce:>10.4f}{pca_sq:>26.2f}")
    verdict = "lower" if ae_bce < pca_bce else "higher"
    print(
        f"autoencoder vs PCA: test BCE {100 * abs(1 - ae_bce / pca_bce):.0f}% "
        f"{verdict} after {ae.n_iter_} epochs"
    )

    args.out.mkdir(parents=True, exist_ok=True)
    recon_png, loss_png = args.out / "reconstructions.png", args.out / "loss.png"
    reconstruction_grid(
        ae, X_test, n=10, title=f"{name} test images (top) and their reconstructions"
    ).savefig(recon_png, dpi=120, bbox_inches="tight")
    training_curves(
        ae.history_,
        title=f"{name}: {shape} autoencoder",
        ylabel="binary cross-entropy",
    ).savefig(loss_png, dpi=120, bbox_inches="tight")
    print(f"\nwrote {recon_png} and {loss_png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
