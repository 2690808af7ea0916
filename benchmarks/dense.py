"""Dense autoencoder benchmark on MNIST (issue: foundation).

Runs the Keras blog's 784-32-784 model (ReLU code, sigmoid output, BCE, Adam,
batch 256) for 50 epochs and reports seconds/epoch, final train/val BCE and the
test squared error per image next to PCA with the same code size. With
``--compare keras`` it trains the identical Keras 3 model on the same arrays, in
this same script, once per installed backend (JAX, TensorFlow) and reports the
time ratio. With ``--hinton`` it also trains Hinton & Salakhutdinov's
784-1000-500-250-30 autoencoder for 100 epochs (paper: 3.00 squared error per
test image; PCA-30: 13.87).

Prints JSON and writes ``benchmarks/results/dense.json``.

Usage::

    python benchmarks/dense.py --compare keras --hinton
    python benchmarks/dense.py --epochs 2 --limit 5000     # a quick smoke run
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
from sklearn.decomposition import PCA

import aekit
from _common import (
    add_output_args,
    compare_keras,
    emit,
    hardware,
    load_flat,
    rendered,
    seconds_per_epoch,
    squared_error_per_image,
)


def pca_baseline(X: np.ndarray, X_test: np.ndarray, k: int) -> dict[str, float]:
    pca = PCA(n_components=k, random_state=0).fit(X)
    recon = pca.inverse_transform(pca.transform(X_test))
    p = np.clip(recon, 1e-7, 1 - 1e-7)
    bce = -np.mean(X_test * np.log(p) + (1 - X_test) * np.log(1 - p))
    return {
        "test_sq_err_per_image": squared_error_per_image(recon, X_test),
        "test_bce": float(bce),
    }


def train_aekit(preset: str, X, X_test, epochs: int, seed: int, verbose: int) -> dict:
    ae = aekit.AutoEncoder.from_preset(
        preset,
        epochs=epochs,
        validation_data=X_test,
        random_state=seed,
        verbose=verbose,
    )
    start = time.perf_counter()
    ae.fit(X)
    total = time.perf_counter() - start
    recon = ae.reconstruct(X_test)
    return {
        "preset": preset,
        "params": {k: v for k, v in ae.get_params().items() if k != "validation_data"},
        "epochs": ae.n_iter_,
        "seconds_total": total,
        "seconds_per_epoch": seconds_per_epoch(ae.history_["epoch_time"]),
        "final_train_bce": ae.history_["loss"][-1],
        "final_val_bce": ae.history_["val_loss"][-1],
        "test_sq_err_per_image": squared_error_per_image(recon, X_test),
    }


def _get(row: dict[str, Any], key: str, old_key: str) -> float:
    """``row[key]``, or its name in result files written before the rename."""
    return float(row[key] if key in row else row[old_key])


def markdown(result: dict[str, Any]) -> str:
    """README-ready table of a result (written to ``results/dense.md``)."""
    v = result["vanilla"]
    hw = result["hardware"]
    lines = [
        f"MNIST, {result['n_train']} train / {result['n_test']} test images; "
        f"{hw['cpus']} CPUs, torch {hw['torch']}, aekit {hw['aekit']}"
        + (f", GPU {hw['cuda']}" if hw["cuda"] else ", CPU only")
        + ".",
        "",
        "| model | epochs | s/epoch | train BCE | val BCE | test sq. err/image "
        "| published |",
        "|---|---:|---:|---:|---:|---:|---|",
        f"| aekit 784-32-784 (`vanilla-mnist`) | {v['epochs']} | "
        f"{v['seconds_per_epoch']:.2f} | {v['final_train_bce']:.4f} | "
        f"{v['final_val_bce']:.4f} | {v['test_sq_err_per_image']:.2f} | "
        "val BCE ≈ 0.09 (Keras blog) |",
    ]
    for k in v.get("keras", []):
        if "seconds_per_epoch" in k:
            lines.append(
                f"| Keras {k['keras_version']} + {k['backend']}, same model and "
                f"arrays | {v['epochs']} | {k['seconds_per_epoch']:.2f} | "
                f"{_get(k, 'final_train_loss', 'final_train_bce'):.4f} | "
                f"{_get(k, 'final_val_loss', 'final_val_bce'):.4f} | | |"
            )
    lines.append(
        f"| PCA, 32 components | | | | {v['pca_32']['test_bce']:.4f} | "
        f"{v['pca_32']['test_sq_err_per_image']:.2f} | |"
    )
    if "hinton" in result:
        h = result["hinton"]
        lines += [
            f"| aekit 784-1000-500-250-30 (`hinton-30d`) | {h['epochs']} | "
            f"{h['seconds_per_epoch']:.2f} | {h['final_train_bce']:.4f} | "
            f"{h['final_val_bce']:.4f} | {h['test_sq_err_per_image']:.2f} | "
            "3.00 (Hinton & Salakhutdinov 2006) |",
            f"| PCA, 30 components | | | | {h['pca_30']['test_bce']:.4f} | "
            f"{h['pca_30']['test_sq_err_per_image']:.2f} | 13.87 (same paper) |",
        ]
    ratios = [
        f"{k['backend']}: {k['aekit_time_ratio']:.2f}"
        for k in v.get("keras", [])
        if "aekit_time_ratio" in k
    ]
    if ratios:
        lines += [
            "",
            "aekit seconds/epoch ÷ Keras seconds/epoch (below 1 = aekit "
            "faster): " + ", ".join(ratios) + ".",
        ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", choices=["keras"], default=None)
    parser.add_argument(
        "--hinton",
        action="store_true",
        help="also train 784-1000-500-250-30 (slow: ~10 min on 2 cores)",
    )
    parser.add_argument("--epochs", type=int, default=50)
    parser.add_argument("--hinton-epochs", type=int, default=100)
    parser.add_argument("--limit", type=int, default=None, help="use N training images")
    add_output_args(parser, "dense")
    args = parser.parse_args(argv)
    if (result := rendered(args, "dense", markdown)) is not None:
        return result

    X = load_flat("mnist", "train", args.limit)
    X_test = load_flat("mnist", "test")
    result: dict[str, Any] = {
        "benchmark": "dense",
        "hardware": hardware(),
        "n_train": len(X),
        "n_test": len(X_test),
    }
    vanilla = train_aekit(
        "vanilla-mnist", X, X_test, args.epochs, args.seed, args.verbose
    )
    vanilla["pca_32"] = pca_baseline(X, X_test, 32)
    vanilla["reference"] = "Keras blog (Chollet 2016): val BCE ~0.09 at 50 epochs"
    result["vanilla"] = vanilla
    if args.compare == "keras":
        result["vanilla"]["keras"] = compare_keras(
            "_keras_dense.py",
            {"train": X, "val": X_test},
            vanilla["seconds_per_epoch"],
            code_size=32,
            epochs=args.epochs,
            seed=args.seed,
        )
    if args.hinton:
        deep = train_aekit(
            "hinton-30d", X, X_test, args.hinton_epochs, args.seed, args.verbose
        )
        deep["pca_30"] = pca_baseline(X, X_test, 30)
        deep["reference"] = (
            "Hinton & Salakhutdinov, Science 2006: 3.00 (deep AE) vs "
            "13.87 (PCA) squared error per test image"
        )
        result["hinton"] = deep
    emit(
        args.results_name,
        result,
        markdown,
        write=not args.no_write and args.limit is None,
    )
    return result


if __name__ == "__main__":
    main()
