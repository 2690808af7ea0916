"""Variational autoencoder benchmark (issue: VAEs).

Three parts, each selectable with ``--part``:

- ``fashion``: the Packt chapter's MLP VAE on Fashion-MNIST (784-512-10, batch
  100, 80 epochs, preset ``packt-fashion-mlp``): final train and test loss (nats
  per image = summed BCE + KL) and a grid of samples;
- ``conv``: the keras.io conv VAE with a 2-D latent space on MNIST (preset
  ``keras-io-conv``, 30 epochs): its loss next to keras.io's ≈ 147, the manifold
  and latent-scatter figures, and, with ``--compare keras``, seconds/epoch of the
  identical Keras 3 model (``_keras_vae.py``) on the same array in this run;
- ``nll``: the IWAE paper's one-stochastic-layer model (784-200-200-50, tanh) on
  dynamically binarized MNIST (preset ``iwae-mnist``): test negative
  log-likelihood estimated with 5000 importance samples, on the test set
  binarized once with a fixed seed. Published: 86.76 (Burda et al. 2016, VAE,
  3280 epochs), 89.78 (pythae's reproduction).

Prints JSON, writes ``benchmarks/results/vae.json``/``.md`` and the figures to
``docs/images/``. A part re-run replaces only its own results.

    python benchmarks/vae.py --compare keras
    python benchmarks/vae.py --part nll --nll-epochs 300
    python benchmarks/vae.py --limit 2000 --epochs 1 --nll-importance 10 --no-write
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

import aekit
from _common import (
    add_output_args,
    compare_keras,
    run_parts,
    seconds_per_epoch,
)
from aekit.plots import image_grid, latent_manifold, latent_scatter

IMAGES = Path(__file__).resolve().parents[1] / "docs" / "images"


def _load(name: str, limit: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X, _ = aekit.datasets.load(name, split="train")
    X_test, y_test = aekit.datasets.load(name, split="test")
    if limit:
        X, X_test, y_test = X[:limit], X_test[:limit], y_test[:limit]
    return X, X_test, y_test


def _fit(est: Any, X: np.ndarray, X_test: np.ndarray | None = None) -> dict[str, Any]:
    """Train, then (outside the timed epochs, so seconds/epoch compare with a Keras
    run that has no validation pass) measure the test loss = −ELBO."""
    start = time.perf_counter()
    est.fit(X)
    seconds = time.perf_counter() - start
    h = est.history_
    out = {
        "epochs": est.n_iter_,
        "seconds_total": seconds,
        "seconds_per_epoch": seconds_per_epoch(h["epoch_time"]),
        "train_loss": h["loss"][-1],
        "train_reconstruction": h["reconstruction"][-1],
        "train_kl": h["kl"][-1],
    }
    if X_test is not None:
        out["test_loss"] = -float(np.mean(est.score_samples(X_test, n_samples=1)))
    return out


def _save(fig: Any, name: str, write: bool) -> str:
    path = IMAGES / name
    if write:
        IMAGES.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=100, bbox_inches="tight")
    return str(path.relative_to(IMAGES.parents[1]))


def fashion(args: argparse.Namespace) -> dict[str, Any]:
    X, X_test, _ = _load("fashion-mnist", args.limit)
    est = aekit.VariationalAutoEncoder.from_preset(
        "packt-fashion-mlp",
        random_state=args.seed,
        verbose=args.verbose,
        **({"epochs": args.epochs} if args.epochs else {}),
    )
    out = _fit(est, X, X_test)
    samples = est.sample(100, random_state=args.seed)
    fig = image_grid(samples, 10, 10, title="Fashion-MNIST VAE samples", cell_size=0.6)
    out["figure"] = _save(fig, "vae_fashion_samples.png", not args.no_write)
    return out


def conv(args: argparse.Namespace) -> dict[str, Any]:
    X, X_test, y_test = _load("mnist", args.limit)
    est = aekit.VariationalAutoEncoder.from_preset(
        "keras-io-conv",
        random_state=args.seed,
        verbose=args.verbose,
        **({"epochs": args.epochs} if args.epochs else {}),
    )
    out = _fit(est, X, X_test)
    out["n_params"] = sum(p.numel() for p in est.module_.parameters())
    out["figures"] = [
        _save(latent_manifold(est, n=20), "vae_mnist_manifold.png", not args.no_write),
        _save(
            latent_scatter(est, X_test, y_test),
            "vae_mnist_latent.png",
            not args.no_write,
        ),
    ]
    if args.compare == "keras":
        out["keras"] = compare_keras(
            "_keras_vae.py",
            {"train": X},
            out["seconds_per_epoch"],
            backends=args.keras_backends,
            epochs=args.keras_epochs,
            seed=args.seed,
        )
    return out


def nll(args: argparse.Namespace) -> dict[str, Any]:
    X, X_test, _ = _load("mnist", args.limit)
    rng = np.random.default_rng(args.seed + 7)
    X_test_bin = (rng.random(X_test.shape) < X_test).astype(np.float32)
    if args.nll_test_limit:
        X_test_bin = X_test_bin[: args.nll_test_limit]
    est = aekit.VariationalAutoEncoder.from_preset(
        "iwae-mnist",
        epochs=args.nll_epochs,
        batch_size=args.nll_batch_size,
        random_state=args.seed,
        verbose=args.verbose,
    )
    out = _fit(est, X)
    start = time.perf_counter()
    log_px = est.log_likelihood(X_test_bin, n_importance=args.nll_importance)
    out |= {
        "test_nll": -float(np.mean(log_px)),
        "test_negative_elbo": -float(np.mean(est.score_samples(X_test_bin))),
        "n_importance": args.nll_importance,
        "n_test": len(X_test_bin),
        "batch_size": args.nll_batch_size,
        "seconds_nll": time.perf_counter() - start,
    }
    return out


def markdown(result: dict[str, Any]) -> str:
    """README-ready table (written to ``results/vae.md``)."""
    lines = [
        "| experiment | epochs | s/epoch | aekit | published |",
        "|---|---:|---:|---:|---|",
    ]
    if "fashion" in result:
        f = result["fashion"]
        lines.append(
            f"| Fashion-MNIST MLP VAE 784-512-10 (`packt-fashion-mlp`), "
            f"train / test loss | {f['epochs']} | {f['seconds_per_epoch']:.2f} | "
            f"{f['train_loss']:.1f} / {f.get('test_loss', float('nan')):.1f} | "
            "(Packt shows samples only) |"
        )
    if "conv" in result:
        c = result["conv"]
        lines.append(
            f"| MNIST conv VAE, latent 2 (`keras-io-conv`), train loss = "
            f"reconstruction + KL | {c['epochs']} | {c['seconds_per_epoch']:.1f} | "
            f"{c['train_loss']:.1f} = {c['train_reconstruction']:.1f} + "
            f"{c['train_kl']:.1f} (test {c['test_loss']:.1f}) | ≈ 147 = 140 + 7 "
            "(keras.io) |"
        )
        for k in c.get("keras", []):
            if "seconds_per_epoch" in k:
                lines.append(
                    f"| same conv VAE in Keras {k['keras_version']} + {k['backend']} "
                    f"| {k['epochs']} | {k['seconds_per_epoch']:.1f} | "
                    f"{k['final_train_loss']:.1f} (after {k['epochs']} epochs) | |"
                )
    if "nll" in result:
        n = result["nll"]
        lines.append(
            f"| binarized MNIST, 784-200-200-50 tanh (`iwae-mnist`, batch "
            f"{n['batch_size']}), test NLL, {n['n_importance']} importance samples "
            f"| {n['epochs']} | {n['seconds_per_epoch']:.2f} | **{n['test_nll']:.2f}** "
            "| 86.76 (Burda et al., 3280 epochs); 89.78 (pythae) |"
        )
    ratios = [
        f"{k['backend']}: {k['aekit_time_ratio']:.2f}"
        for k in result.get("conv", {}).get("keras", [])
        if "aekit_time_ratio" in k
    ]
    if ratios:
        lines += [
            "",
            "Conv VAE, aekit seconds/epoch ÷ Keras seconds/epoch (below 1 = aekit "
            "faster): " + ", ".join(ratios) + ".",
        ]
    return "\n".join(lines) + "\n"


PARTS = {"fashion": fashion, "conv": conv, "nll": nll}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", *PARTS], default="all")
    parser.add_argument("--compare", choices=["keras"], default=None)
    parser.add_argument(
        "--epochs", type=int, default=None, help="override the presets' epochs"
    )
    parser.add_argument("--keras-epochs", type=int, default=2)
    parser.add_argument(
        "--keras-backends",
        nargs="+",
        choices=["jax", "tensorflow"],
        default=None,
        help="compare with these Keras backends only (default: every installed one)",
    )
    parser.add_argument("--nll-epochs", type=int, default=300)
    parser.add_argument("--nll-batch-size", type=int, default=100)
    parser.add_argument("--nll-importance", type=int, default=5000)
    parser.add_argument("--nll-test-limit", type=int, default=None)
    parser.add_argument("--limit", type=int, default=None, help="training images")
    add_output_args(parser, "vae", render=False)
    args = parser.parse_args(argv)

    return run_parts(args, "vae", PARTS, markdown)


if __name__ == "__main__":
    main()
