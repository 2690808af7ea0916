"""Image denoising benchmark on MNIST and Fashion-MNIST (issue: conv + denoising).

For each dataset and each noise level — 0.5·N(0, 1) (the textbooks' setting),
σ = 0.1 and σ = 0.2, all clipped to [0, 1] so the noisy images stay images — it
reports PSNR and SSIM on the test set of:

(a) the noisy input;
(b) scikit-image's classical denoisers: Gaussian blur, total variation
    (Chambolle), wavelet shrinkage and non-local means, each with its parameter
    chosen by the best mean PSNR on a validation split held out of the training
    images (never on the test set);
(c) aekit's dense denoising autoencoder (preset ``denoise-mnist``, 784-128-32-128-784);
(d) aekit's convolutional denoising autoencoder (preset ``packt-denoiser``,
    filters [32, 32, 16]).

Both autoencoders see fresh noise on every batch, of the level they are tested on,
and never the validation or test images. The test noise is drawn once with a
fixed seed, so every method denoises the very same noisy images.

A second part (``packt``) trains the Packt denoiser as the textbook does — all
60000 MNIST training images, 0.5·N(0, 1), 50 epochs — and reports its test BCE
(textbook: 0.0988); with ``--compare keras`` the identical conv model is trained
in Keras 3 (JAX and TensorFlow backends, each in a subprocess) on the same arrays
for seconds/epoch.

Prints JSON, writes ``benchmarks/results/denoise.json`` and ``.md``; ``--part``
re-runs one part and keeps the other's stored results.

    python benchmarks/denoise.py --compare keras          # both parts, ~1.5 h on 2 CPUs
    python benchmarks/denoise.py --part packt --compare keras
    python benchmarks/denoise.py --limit 2000 --test-limit 500 --epochs 1 --no-write
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from typing import Any

import numpy as np
from scipy import ndimage
from skimage.restoration import (
    denoise_nl_means,
    denoise_tv_chambolle,
    denoise_wavelet,
)

import aekit
from _common import (
    RESULTS,
    compare_keras,
    hardware,
    seconds_per_epoch,
    write_result,
)
from aekit.corruption import corrupt
from aekit.metrics import psnr, ssim

#: name -> standard deviation of the additive Gaussian noise (always clipped).
NOISES = {"0.5·N(0,1)": 0.5, "σ=0.1": 0.1, "σ=0.2": 0.2}
DATASETS = ("mnist", "fashion-mnist")
#: kind -> (estimator class, preset) of the denoising autoencoders compared.
DAES: dict[str, tuple[Any, str]] = {
    "dense": (aekit.AutoEncoder, "denoise-mnist"),
    "conv": (aekit.ConvAutoEncoder, "packt-denoiser"),
}
N_VAL = 5000

Denoiser = Callable[[np.ndarray, float, float], np.ndarray]


def _gaussian(img: np.ndarray, sigma: float, p: float) -> np.ndarray:
    return ndimage.gaussian_filter(img, p, mode="nearest")


def _tv(img: np.ndarray, sigma: float, p: float) -> np.ndarray:
    return denoise_tv_chambolle(img, weight=p)


def _wavelet(img: np.ndarray, sigma: float, p: float) -> np.ndarray:
    return denoise_wavelet(
        img, sigma=p * sigma, method="BayesShrink", mode="soft", rescale_sigma=True
    )


def _nl_means(img: np.ndarray, sigma: float, p: float) -> np.ndarray:
    return denoise_nl_means(
        img, h=p * sigma, sigma=sigma, patch_size=3, patch_distance=4, fast_mode=True
    )


#: name -> (function(image, noise σ, parameter), parameter grid, what it means).
CLASSICAL: dict[str, tuple[Denoiser, tuple[float, ...], str]] = {
    "Gaussian blur": (_gaussian, (0.2, 0.3, 0.4, 0.6, 0.8, 1.0, 1.3), "sigma (px)"),
    "total variation": (_tv, (0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.25, 0.4), "weight"),
    "wavelet": (_wavelet, (0.1, 0.25, 0.5, 0.75, 1.0, 1.5), "sigma / σ"),
    "non-local means": (_nl_means, (0.05, 0.1, 0.2, 0.3, 0.5, 0.8), "h / σ"),
}


def _apply(fn: Denoiser, images: np.ndarray, sigma: float, p: float) -> np.ndarray:
    out = np.stack([fn(img.astype(np.float64), sigma, p) for img in images])
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def _scores(clean: np.ndarray, estimate: np.ndarray) -> dict[str, float]:
    return {
        "psnr": float(np.mean(psnr(clean, estimate))),
        "ssim": float(np.mean(ssim(clean, estimate))),
    }


def _bce(clean: np.ndarray, estimate: np.ndarray) -> float:
    p = np.clip(estimate.astype(np.float64), 1e-7, 1 - 1e-7)
    return float(-np.mean(clean * np.log(p) + (1 - clean) * np.log(1 - p)))


def classical(
    val: np.ndarray,
    val_noisy: np.ndarray,
    test: np.ndarray,
    test_noisy: np.ndarray,
    sigma: float,
) -> dict[str, Any]:
    """Tune each classical denoiser on the validation images, score it on test."""
    rows: dict[str, Any] = {}
    for name, (fn, grid, meaning) in CLASSICAL.items():
        tuning = {
            p: float(np.mean(psnr(val, _apply(fn, val_noisy, sigma, p)))) for p in grid
        }
        best = max(tuning, key=lambda p: tuning[p])
        start = time.perf_counter()
        denoised = _apply(fn, test_noisy, sigma, best)
        seconds = time.perf_counter() - start
        rows[name] = {
            **_scores(test, denoised),
            "parameter": meaning,
            "chosen": best,
            "val_psnr_by_parameter": tuning,
            "seconds_per_1000_images": 1000 * seconds / len(test),
        }
    return rows


def autoencoder(
    kind: str,
    X: np.ndarray,
    test: np.ndarray,
    test_noisy: np.ndarray,
    sigma: float,
    epochs: int,
    seed: int,
    verbose: int,
) -> dict[str, Any]:
    """Train aekit's dense or conv DAE on ``X`` at noise ``sigma``; score on test."""
    cls, preset = DAES[kind]
    est = cls.from_preset(
        preset, noise_level=sigma, epochs=epochs, random_state=seed, verbose=verbose
    )
    start = time.perf_counter()
    est.fit(X)
    seconds = time.perf_counter() - start
    denoised = est.reconstruct(test_noisy)
    return {
        **_scores(test, denoised),
        "test_bce": _bce(test, denoised),
        "final_train_loss": est.history_["loss"][-1],
        "epochs": est.n_iter_,
        "seconds_total": seconds,
        "seconds_per_epoch": seconds_per_epoch(est.history_["epoch_time"]),
        "preset": preset,
    }


def run_dataset(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """The PSNR/SSIM table's columns for one dataset."""
    X_all, _ = aekit.datasets.load(name, split="train")
    test, _ = aekit.datasets.load(name, split="test")
    train, val = X_all[:-N_VAL], X_all[-N_VAL:][: args.val_limit]
    if args.limit:
        train = train[: args.limit]
    if args.test_limit:
        test = test[: args.test_limit]
    out: dict[str, Any] = {
        "n_train": len(train),
        "n_val": len(val),
        "n_test": len(test),
    }
    for k, (noise, sigma) in enumerate(NOISES.items()):
        seed = args.seed + 1000 * k
        val_noisy = corrupt(val, "gaussian", sigma, clip=True, random_state=seed + 1)
        test_noisy = corrupt(test, "gaussian", sigma, clip=True, random_state=seed + 2)
        row: dict[str, Any] = {"sigma": sigma, "noisy": _scores(test, test_noisy)}
        row["classical"] = classical(val, val_noisy, test, test_noisy, sigma)
        for kind in DAES:
            epochs = args.epochs if kind == "dense" else args.conv_epochs
            row[f"{kind}_dae"] = autoencoder(
                kind, train, test, test_noisy, sigma, epochs, args.seed, args.verbose
            )
        best = max(row["classical"], key=lambda m: row["classical"][m]["psnr"])
        row["best_classical"] = best
        row["conv_minus_best_classical_db"] = (
            row["conv_dae"]["psnr"] - row["classical"][best]["psnr"]
        )
        row["conv_minus_dense_db"] = row["conv_dae"]["psnr"] - row["dense_dae"]["psnr"]
        out[noise] = row
        print(f"[{name} {noise}] done", flush=True)
    return out


def packt(args: argparse.Namespace) -> dict[str, Any]:
    """The Packt denoiser as the textbook trains it, and its Keras 3 twin's speed.

    All 60000 MNIST training images, 0.5·N(0, 1) noise clipped to [0, 1], 50
    epochs; BCE between the denoised noisy test images and the clean ones.
    """
    X, _ = aekit.datasets.load("mnist", split="train")
    test, _ = aekit.datasets.load("mnist", split="test")
    if args.limit:
        X = X[: args.limit]
    if args.test_limit:
        test = test[: args.test_limit]
    test_noisy = corrupt(test, "gaussian", 0.5, clip=True, random_state=args.seed + 2)
    out = autoencoder(
        "conv", X, test, test_noisy, 0.5, args.packt_epochs, args.seed, args.verbose
    )
    out["n_train"], out["n_test"] = len(X), len(test)
    if args.compare == "keras":
        noisy = corrupt(X, "gaussian", 0.5, clip=True, random_state=args.seed + 99)
        out["keras"] = compare_keras(
            "_keras_conv.py",
            {"train_noisy": noisy, "train": X},
            out["seconds_per_epoch"],
            filters="32,32,16",
            upsample="conv-upsample",
            epochs=args.keras_epochs,
            seed=args.seed,
        )
    print("[packt] done", flush=True)
    return out


def _hardware(hw: dict[str, Any]) -> str:
    device = f"GPU {hw['cuda']}" if hw["cuda"] else "CPU only"
    threads = hw["cpu_threads"]
    return (
        f"{threads} torch thread{'s' if threads > 1 else ''} on a {hw['cpus']}-CPU "
        f"machine, torch {hw['torch']}, {device}"
    )


def markdown(result: dict[str, Any]) -> str:
    """README-ready tables of a result (written to ``results/denoise.md``)."""
    table, cfg = result["table"], result["table"]["config"]
    m = table["mnist"]
    lines = [
        f"Test PSNR (dB) / SSIM, mean over {m['n_test']} test images per dataset. "
        f"Autoencoders trained on {m['n_train']} images (dense "
        f"{cfg['epochs']} epochs, conv {cfg['conv_epochs']} epochs); classical "
        f"parameters tuned on {m['n_val']} held-out training images. "
        f"{_hardware(table['hardware'])}.",
        "",
        "| method |" + "".join(f" {d} {n} |" for d in DATASETS for n in NOISES),
        "|---|" + "---:|" * (len(DATASETS) * len(NOISES)),
    ]

    def cells(get: Callable[[dict[str, Any]], dict[str, float]]) -> str:
        return "".join(
            f" {get(table[d][n])['psnr']:.2f} / {get(table[d][n])['ssim']:.3f} |"
            for d in DATASETS
            for n in NOISES
        )

    rows: list[tuple[str, Callable[[dict[str, Any]], dict[str, float]]]] = [
        ("noisy input", lambda r: r["noisy"])
    ]
    rows += [
        (f"{m} (tuned)", lambda r, m=m: r["classical"][m])  # type: ignore[misc]
        for m in CLASSICAL
    ]
    rows += [
        ("aekit dense DAE (`denoise-mnist`)", lambda r: r["dense_dae"]),
        ("aekit conv DAE (`packt-denoiser`)", lambda r: r["conv_dae"]),
    ]
    lines += [f"| {label} |" + cells(get) for label, get in rows]
    for label, key in (
        ("conv DAE − best classical (dB)", "conv_minus_best_classical_db"),
        ("conv DAE − dense DAE (dB)", "conv_minus_dense_db"),
    ):
        lines.append(
            f"| {label} |"
            + "".join(f" {table[d][n][key]:+.2f} |" for d in DATASETS for n in NOISES)
        )
    if "packt" not in result:
        return "\n".join(lines) + "\n"
    pk = result["packt"]
    lines += [
        "",
        f"Packt denoiser (`packt-denoiser`) on MNIST as the textbook trains it "
        f"({pk['n_train']} images, 0.5·N(0,1) clipped): test BCE "
        f"**{pk['test_bce']:.4f}** after {pk['epochs']} epochs (textbook: 0.0988 "
        f"at 50), PSNR {pk['psnr']:.2f} dB. {_hardware(pk['hardware'])}.",
    ]
    keras_rows = pk.get("keras", [])
    if keras_rows:
        lines += [
            "",
            "| same conv denoiser, same arrays | epochs timed | s/epoch |",
            "|---|---:|---:|",
            f"| aekit | {pk['epochs']} | {pk['seconds_per_epoch']:.1f} |",
        ]
        for k in keras_rows:
            if "seconds_per_epoch" in k:
                lines.append(
                    f"| Keras {k['keras_version']} + {k['backend']} | {k['epochs']} "
                    f"| {k['seconds_per_epoch']:.1f} |"
                )
            else:
                lines.append(f"| Keras + {k['backend']} | failed: {k['error']} | |")
        ratios = [
            f"{k['backend']}: {k['aekit_time_ratio']:.2f}"
            for k in keras_rows
            if "aekit_time_ratio" in k
        ]
        if ratios:
            lines.append(
                "\naekit seconds/epoch ÷ Keras seconds/epoch (below 1 = aekit "
                "faster): " + ", ".join(ratios) + "."
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part",
        choices=["all", "table", "packt"],
        default="all",
        help="run one part only; its results replace that part in the result file",
    )
    parser.add_argument("--compare", choices=["keras"], default=None)
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=DATASETS,
        default=list(DATASETS),
        help="table datasets (run one per process to split the work; merge with "
        "--no-write output)",
    )
    parser.add_argument("--epochs", type=int, default=20, help="dense DAE epochs")
    parser.add_argument(
        "--conv-epochs", type=int, default=20, help="table conv DAE (as dense)"
    )
    parser.add_argument("--packt-epochs", type=int, default=50)
    parser.add_argument(
        "--keras-epochs", type=int, default=2, help="epochs timed per Keras backend"
    )
    parser.add_argument("--limit", type=int, default=None, help="training images")
    parser.add_argument("--val-limit", type=int, default=1000, help="tuning images")
    parser.add_argument("--test-limit", type=int, default=None, help="test images")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    result: dict[str, Any] = {"benchmark": "denoise"}
    config = {k: v for k, v in vars(args).items() if k not in ("part", "no_write")}
    if args.part in ("all", "table"):
        result["table"] = {"config": config, "hardware": hardware()}
        for name in args.datasets:
            result["table"][name] = run_dataset(name, args)
    if args.part in ("all", "packt"):
        result["packt"] = {**packt(args), "config": config, "hardware": hardware()}
    print(json.dumps(result, indent=2))
    if not args.no_write:
        path = RESULTS / "denoise.json"
        if args.part != "all" and path.exists():
            # Read at the end, not the start, so the two parts can run at once.
            result = {**json.loads(path.read_text()), **result}
        write_result("denoise", result)
        if "table" in result:
            (RESULTS / "denoise.md").write_text(markdown(result))
    return result


if __name__ == "__main__":
    main()
