"""Regularised autoencoders on MNIST (issue: sparse, denoising, contractive, greedy).

Measures, on the held-out MNIST test set, the effect each regulariser is meant to
have, against the same model trained without it:

- sparse: the Keras blog's 784-32-784 model with its ``l1(10e-5)`` (= 1e-4)
  activity penalty (preset ``sparse-mnist``), 100 epochs: mean code activation
  and the share of activations below 0.01, and the BCE paid (blog: train 0.11 /
  test 0.10);
- denoising: 784-128-32 with 0.5·N(0, 1) noise clipped to [0, 1] (preset
  ``denoise-mnist``): PSNR of the noisy test images, and of what a denoising and a
  plain autoencoder make of them;
- contractive: the 784-32-784 ReLU model with λ = 0.01 (Hutchinson estimate
  while training): exact mean Jacobian Frobenius norm on test data, and the
  reconstruction cost paid;
- greedy: 784-1000-500-250-30 with greedy layer-wise pretraining vs random init at
  the same total number of epochs: test squared error per image.

Prints JSON, writes ``benchmarks/results/regularized.json`` and ``.md``.

    python benchmarks/regularized.py                   # full run, ~15 min on 2 cores
    python benchmarks/regularized.py --epochs 2 --limit 3000 --greedy-epochs 4
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import torch

import aekit
from _common import emit, hardware, load_flat, squared_error_per_image
from aekit.corruption import corrupt
from aekit.losses.penalties import jacobian_norm_exact
from aekit.metrics import psnr


def _fit(estimator: aekit.AutoEncoder, X: np.ndarray) -> tuple[Any, float]:
    start = time.perf_counter()
    estimator.fit(X)
    return estimator, time.perf_counter() - start


def _bce(model: Any, X: np.ndarray) -> float:
    return float(np.mean(model.score_samples(X)))


def sparse(X, X_test, epochs: int, seed: int) -> dict[str, Any]:
    rows = {}
    for name in ("vanilla-mnist", "sparse-mnist"):
        model, seconds = _fit(
            aekit.AutoEncoder.from_preset(name, epochs=epochs, random_state=seed), X
        )
        codes = model.transform(X_test)
        rows[name] = {
            "train_loss": model.history_["loss"][-1],
            "test_bce": _bce(model, X_test),
            "mean_code_activation": float(codes.mean()),
            "fraction_below_0.01": float(np.mean(codes < 0.01)),
            "seconds": seconds,
        }
    plain, sparse_ = rows["vanilla-mnist"], rows["sparse-mnist"]
    return {
        "plain": plain,
        "sparse": sparse_,
        "activation_reduction": plain["mean_code_activation"]
        / sparse_["mean_code_activation"],
        "bce_increase": sparse_["test_bce"] / plain["test_bce"] - 1,
        "reference": "Keras blog: sparse model train 0.11 / test 0.10 BCE, 100 epochs",
    }


def denoising(X, X_test, epochs: int, seed: int) -> dict[str, Any]:
    noisy = corrupt(X_test, "gaussian", 0.5, clip=True, random_state=seed + 1)
    dae_params = aekit.AutoEncoder.presets.get("denoise-mnist")
    plain_params = {
        k: v
        for k, v in dae_params.items()
        if k not in ("corruption", "noise_level", "noise_clip")
    }
    plain, _ = _fit(
        aekit.AutoEncoder(**{**plain_params, "epochs": epochs}, random_state=seed), X
    )
    dae, seconds = _fit(
        aekit.AutoEncoder.from_preset(
            "denoise-mnist", epochs=epochs, random_state=seed
        ),
        X,
    )
    result = {
        "noisy_input_psnr": float(psnr(X_test, noisy).mean()),
        "plain_on_noisy_psnr": float(psnr(X_test, plain.reconstruct(noisy)).mean()),
        "denoising_on_noisy_psnr": float(psnr(X_test, dae.reconstruct(noisy)).mean()),
        "plain_on_clean_psnr": float(psnr(X_test, plain.reconstruct(X_test)).mean()),
        "denoising_seconds": seconds,
    }
    result["gain_over_noisy_db"] = (
        result["denoising_on_noisy_psnr"] - result["noisy_input_psnr"]
    )
    result["gain_over_plain_db"] = (
        result["denoising_on_noisy_psnr"] - result["plain_on_noisy_psnr"]
    )
    return result


def contractive(X, X_test, epochs: int, seed: int, lam: float) -> dict[str, Any]:
    # The vanilla ReLU model: a sigmoid code sits for thousands of steps on the
    # mean-image plateau, which would make any Jacobian comparison meaningless.
    # Hutchinson's estimate keeps training cheap; the norm is measured exactly.
    x = torch.from_numpy(X_test)
    rows: dict[str, Any] = {}
    for name, weight in (("plain", 0.0), ("contractive", lam)):
        model, seconds = _fit(
            aekit.AutoEncoder.from_preset(
                "vanilla-mnist",
                epochs=epochs,
                random_state=seed,
                contractive=weight,
                contractive_method="hutchinson",
            ),
            X,
        )
        norms = torch.cat(
            [
                jacobian_norm_exact(model.module_, chunk).detach()
                for chunk in x.split(1000)
            ]
        )
        rows[name] = {
            "mean_jacobian_frobenius": float(norms.sqrt().mean()),
            "test_bce": _bce(model, X_test),
            "seconds": seconds,
        }
    rows["lambda"] = lam
    rows["jacobian_reduction"] = (
        rows["plain"]["mean_jacobian_frobenius"]
        / rows["contractive"]["mean_jacobian_frobenius"]
    )
    return rows


def greedy(X, X_test, total: int, pretrain: int, seed: int) -> dict[str, Any]:
    depth = 4  # 784-1000-500-250-30: four encoder layers to pretrain
    fine_tune = total - depth * pretrain
    if fine_tune < 1:
        raise SystemExit(f"--greedy-epochs {total} leaves no epoch for fine-tuning")
    rows: dict[str, Any] = {}
    for name, extra in (
        ("random_init", {"epochs": total}),
        (
            "greedy",
            {"epochs": fine_tune, "pretrain": "greedy", "pretrain_epochs": pretrain},
        ),
    ):
        model, seconds = _fit(
            aekit.AutoEncoder.from_preset("hinton-30d", random_state=seed, **extra), X
        )
        rows[name] = {
            "test_sq_err_per_image": squared_error_per_image(
                model.reconstruct(X_test), X_test
            ),
            "seconds": seconds,
            **extra,
        }
    rows["total_epochs"] = total
    return rows


def markdown(r: dict[str, Any]) -> str:
    s, d, c, g = r["sparse"], r["denoising"], r["contractive"], r["greedy"]
    return (
        "\n".join(
            [
                f"MNIST, {r['n_train']} train / {r['n_test']} test images, "
                f"{r['epochs']} epochs; {r['hardware']['cpus']} CPUs, CPU only.",
                "",
                "| regulariser | measure | plain | regularised | effect |",
                "|---|---|---:|---:|---|",
                "| L1 activity 1e-4, code 32 (`sparse-mnist`) | mean code activation | "
                f"{s['plain']['mean_code_activation']:.3f} | "
                f"{s['sparse']['mean_code_activation']:.4f} | "
                f"{s['activation_reduction']:.1f}× lower |",
                "| | share of activations < 0.01 | "
                f"{s['plain']['fraction_below_0.01']:.2f}"
                f" | {s['sparse']['fraction_below_0.01']:.2f} | |",
                f"| | test BCE (blog: 0.10) | {s['plain']['test_bce']:.4f} | "
                f"{s['sparse']['test_bce']:.4f} | {100 * s['bce_increase']:+.1f} % |",
                f"| denoising, 0.5·N(0,1) clipped | PSNR on noisy test images (noisy: "
                f"{d['noisy_input_psnr']:.2f} dB) | "
                f"{d['plain_on_noisy_psnr']:.2f} dB | "
                f"{d['denoising_on_noisy_psnr']:.2f} dB | "
                f"+{d['gain_over_noisy_db']:.2f} dB "
                f"over noisy, +{d['gain_over_plain_db']:.2f} dB over plain |",
                f"| contractive λ={c['lambda']:g}, ReLU code 32 | mean ‖∂h/∂x‖_F | "
                f"{c['plain']['mean_jacobian_frobenius']:.3f} | "
                f"{c['contractive']['mean_jacobian_frobenius']:.3f} | "
                f"{c['jacobian_reduction']:.1f}× lower |",
                f"| | test BCE | {c['plain']['test_bce']:.4f} | "
                f"{c['contractive']['test_bce']:.4f} | |",
                f"| greedy pretraining, 784-1000-500-250-30 | test sq. err/image at "
                f"{g['total_epochs']} total epochs | "
                f"{g['random_init']['test_sq_err_per_image']:.2f}"
                f" | {g['greedy']['test_sq_err_per_image']:.2f} | "
                f"{g['greedy']['pretrain_epochs']} epochs/layer + "
                f"{g['greedy']['epochs']} "
                "fine-tuning |",
            ]
        )
        + "\n"
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument(
        "--greedy-epochs",
        type=int,
        default=40,
        help="total epochs of each deep model (default 40)",
    )
    parser.add_argument(
        "--pretrain-epochs",
        type=int,
        default=5,
        help="greedy pretraining epochs per layer (default 5)",
    )
    parser.add_argument("--contractive", type=float, default=0.01, help="λ")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    X = load_flat("mnist", "train", args.limit)
    X_test = load_flat("mnist", "test")
    result: dict[str, Any] = {
        "benchmark": "regularized",
        "hardware": hardware(),
        "n_train": len(X),
        "n_test": len(X_test),
        "epochs": args.epochs,
        "sparse": sparse(X, X_test, args.epochs, args.seed),
        "denoising": denoising(X, X_test, args.epochs, args.seed),
        "contractive": contractive(X, X_test, args.epochs, args.seed, args.contractive),
        "greedy": greedy(
            X, X_test, args.greedy_epochs, args.pretrain_epochs, args.seed
        ),
    }
    emit(
        "regularized",
        result,
        markdown,
        write=not args.no_write and args.limit is None,
    )
    return result


if __name__ == "__main__":
    main()
