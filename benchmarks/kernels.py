"""aekit's own CPU kernels against PyTorch's, and what they change in a training run.

Two parts, each selectable with ``--part``:

- ``ops``: forward + backward of one batch, median of repeated runs
  (``torch.utils.benchmark``): ``aekit.nn.functional.tap_conv2d`` against
  ``F.conv2d`` for the 3×3 output convolution of the MNIST conv models
  (128 × 32 × 28 × 28 → 1 channel), and ``mean_bce_with_logits`` against
  ``F.binary_cross_entropy_with_logits`` on a 256 × 784 batch (the dense MNIST
  models), with its Numba kernel and with its PyTorch-ops fallback
  (``AEKIT_NUMBA=0``).
- ``fits``: whole training epochs in one process, alternating the library as it
  is (``new``) with the same model where the op is PyTorch's own (``old``),
  several rounds, so that both see the same machine: the keras.io conv VAE and
  the Packt denoiser (12,800 synthetic images; old = ``nn.Conv2d`` as the output
  layer), the dense 784-32-784 and 784-128-64-32 models (60,000 images; old =
  PyTorch's BCE; and old = aekit's BCE without Numba), and the dense 784-32-784
  model eager (old) against ``compile=True`` (new).
- ``paired``: the BCE kernel against its PyTorch-ops version in alternating
  epochs of one fit per dense model.

Run it on one pinned core, as the scaling table is::

    OMP_NUM_THREADS=1 taskset -c 0 python benchmarks/kernels.py   # ~12 min
"""

from __future__ import annotations

import argparse
import contextlib
import os
import statistics
import time
from collections.abc import Callable
from typing import Any
from unittest import mock

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils import benchmark

import aekit
from _common import add_output_args, cpu_phrase, run_parts
from aekit.losses import reconstruction
from aekit.nn import conv
from aekit.nn.functional import mean_bce_with_logits, tap_conv2d
from aekit.train.callbacks import Callback
from scale import synthetic_images


def _median_us(fn: Callable[[], Any], seconds: float) -> float:
    timer = benchmark.Timer("fn()", globals={"fn": fn})
    return 1e6 * timer.blocked_autorange(min_run_time=seconds).median


def ops(args: argparse.Namespace) -> dict[str, Any]:
    g = torch.Generator().manual_seed(0)
    images = torch.randn(128, 32, 28, 28, generator=g)
    images = images.contiguous(memory_format=torch.channels_last).requires_grad_()
    w = (torch.randn(1, 32, 3, 3, generator=g) * 0.1).requires_grad_()
    b = torch.zeros(1, requires_grad=True)
    grad = torch.randn(128, 1, 28, 28, generator=g)
    logits = (torch.randn(256, 784, generator=g) * 3).requires_grad_()
    target = torch.rand(256, 784, generator=g)
    keep = contextlib.nullcontext

    def torch_bce() -> None:
        F.binary_cross_entropy_with_logits(logits, target).backward()

    def aekit_bce() -> None:
        mean_bce_with_logits(logits, target).backward()

    # name -> (PyTorch's op, aekit's, the context aekit's runs in)
    pairs = {
        "output conv 32->1, 3x3, 128x28x28": (
            lambda: F.conv2d(images, w, b, padding=1).backward(grad),
            lambda: tap_conv2d(images, w, b).backward(grad),
            keep,
        ),
        "mean BCE from logits, 256x784 (Numba kernel)": (torch_bce, aekit_bce, keep),
        "mean BCE from logits, 256x784 (PyTorch ops, AEKIT_NUMBA=0)": (
            torch_bce,
            aekit_bce,
            _without_numba,
        ),
    }
    rows = {}
    for name, (torch_fn, aekit_fn, context) in pairs.items():
        # Alternate, so a slow spell of the machine hits both.
        t_torch, t_aekit = [], []
        for _ in range(args.rounds):
            t_torch.append(_median_us(torch_fn, args.op_seconds))
            with context():
                t_aekit.append(_median_us(aekit_fn, args.op_seconds))
        rows[name] = {
            "torch_us": statistics.median(t_torch),
            "aekit_us": statistics.median(t_aekit),
        }
        print(f"[ops] {name}: {rows[name]}", flush=True)
    return {"rows": rows, "rounds": args.rounds}


def _pytorch_output_conv() -> Any:
    """Train with ``nn.Conv2d``'s own forward as the output layer."""
    return mock.patch.object(conv.OutputConv2d, "forward", torch.nn.Conv2d.forward)


def _pytorch_bce() -> Any:
    """Train with PyTorch's BCE from logits in the reconstruction loss."""
    pytorch = F.binary_cross_entropy_with_logits
    return mock.patch.object(reconstruction, "mean_bce_with_logits", pytorch)


def _without_numba() -> Any:
    """Run aekit's BCE as PyTorch ops, its fallback where Numba is missing."""
    return mock.patch.dict(os.environ, {"AEKIT_NUMBA": "0"})


def _epoch_seconds(make: Callable[[], Any], X: np.ndarray) -> list[float]:
    est = make()
    est.fit(X)
    return list(est.history_["epoch_time"][1:])  # the first epoch warms up


def _dense_arrays(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray]:
    """The dense models' training images and their 10 % validation array."""
    flat = synthetic_images(args.dense_samples, args.seed).reshape(
        args.dense_samples, -1
    )
    return flat, synthetic_images(args.dense_samples // 10, args.seed + 1).reshape(
        -1, 784
    )


def fits(args: argparse.Namespace) -> dict[str, Any]:
    images = synthetic_images(args.conv_samples, args.seed)
    flat, val = _dense_arrays(args)

    def preset(cls: Any, name: str, epochs: int, **extra: Any) -> Callable[[], Any]:
        return lambda: cls.from_preset(
            name, epochs=epochs, random_state=args.seed, verbose=0, **extra
        )

    vae = preset(aekit.VariationalAutoEncoder, "keras-io-conv", args.conv_epochs)
    denoiser = preset(aekit.ConvAutoEncoder, "packt-denoiser", args.conv_epochs)
    dense = preset(
        aekit.AutoEncoder, "vanilla-mnist", args.dense_epochs, validation_data=val
    )
    deep = preset(
        aekit.AutoEncoder, "deep-mnist", args.dense_epochs, validation_data=val
    )
    compiled = preset(
        aekit.AutoEncoder,
        "vanilla-mnist",
        args.dense_epochs,
        validation_data=val,
        compile=True,
    )
    # name -> (data, {label: (make estimator, context it trains in)})
    keep = contextlib.nullcontext
    cases: dict[str, tuple[np.ndarray, dict[str, tuple[Callable[[], Any], Any]]]] = {
        "conv VAE (keras-io-conv), output conv": (
            images,
            {"old": (vae, _pytorch_output_conv), "new": (vae, keep)},
        ),
        "conv denoiser (packt-denoiser), output conv": (
            images,
            {"old": (denoiser, _pytorch_output_conv), "new": (denoiser, keep)},
        ),
        "dense 784-32-784 (vanilla-mnist), BCE": (
            flat,
            {"old": (dense, _pytorch_bce), "new": (dense, keep)},
        ),
        "dense 784-128-64-32 (deep-mnist), BCE": (
            flat,
            {"old": (deep, _pytorch_bce), "new": (deep, keep)},
        ),
        "dense 784-32-784 (vanilla-mnist), BCE as PyTorch ops → Numba kernel": (
            flat,
            {"old": (dense, _without_numba), "new": (dense, keep)},
        ),
        "dense 784-128-64-32 (deep-mnist), BCE as PyTorch ops → Numba kernel": (
            flat,
            {"old": (deep, _without_numba), "new": (deep, keep)},
        ),
        "dense 784-32-784 (vanilla-mnist), eager → compile=True": (
            flat,
            {"old": (dense, keep), "new": (compiled, keep)},
        ),
    }
    rows = {}
    for name, (X, variants) in cases.items():
        times: dict[str, list[float]] = {k: [] for k in variants}
        for _ in range(args.rounds):
            for label, (make, context) in variants.items():
                with context():
                    times[label] += _epoch_seconds(make, X)
        rows[name] = {k: statistics.median(v) for k, v in times.items()}
        print(f"[fits] {name}: {rows[name]}", flush=True)
    return {
        "rows": rows,
        "rounds": args.rounds,
        "conv_samples": args.conv_samples,
        "dense_samples": args.dense_samples,
    }


class _AlternateNumba(Callback):
    """Turn the Numba BCE kernel off after even epochs and on after odd ones."""

    def on_epoch_end(self, trainer: Any, epoch: int, logs: dict[str, float]) -> None:
        os.environ["AEKIT_NUMBA"] = "0" if epoch % 2 == 0 else "1"


def paired(args: argparse.Namespace) -> dict[str, Any]:
    """The BCE kernel's effect on whole epochs, paired: one fit per model whose
    epochs alternate between the Numba kernel and the PyTorch-ops version.
    Neighbouring epochs share the machine's state more closely than separate
    fits do, so a ~10 % effect is not lost in this VM's 20 % drift between
    fits (the ``fits`` rows)."""
    flat, val = _dense_arrays(args)
    rows = {}
    for name, preset in (
        ("dense 784-32-784 (vanilla-mnist)", "vanilla-mnist"),
        ("dense 784-128-64-32 (deep-mnist)", "deep-mnist"),
    ):
        est = aekit.AutoEncoder.from_preset(
            preset,
            epochs=1 + 2 * args.pairs,
            random_state=args.seed,
            verbose=0,
            validation_data=val,
        )
        est._extra_callbacks = lambda: [_AlternateNumba()]
        # Epoch 0 (Numba, compiling on first use) warms up and is dropped; then
        # PyTorch ops, Numba, PyTorch ops, ...
        with mock.patch.dict(os.environ, {"AEKIT_NUMBA": "1"}):
            est.fit(flat)
        t = np.asarray(est.history_["epoch_time"][1:])
        ops_s, numba_s = t[0::2], t[1::2]
        rows[name] = {
            "ops": float(np.median(ops_s)),
            "numba": float(np.median(numba_s)),
            "paired_ratio": float(np.median(numba_s / ops_s)),
            "ops_epochs": ops_s.tolist(),
            "numba_epochs": numba_s.tolist(),
        }
        print(f"[paired] {name}: {rows[name]}", flush=True)
    return {"rows": rows, "pairs": args.pairs, "dense_samples": args.dense_samples}


PARTS = {"ops": ops, "fits": fits, "paired": paired}


def markdown(result: dict[str, Any]) -> str:
    hw = next(result[p]["hardware"] for p in PARTS if p in result)
    lines = [
        f"aekit's CPU kernels against PyTorch's ({hw['cpu_threads']} torch "
        f"thread(s) on {cpu_phrase(hw)}, torch {hw['torch']}, aekit {hw['aekit']}). "
        "`OMP_NUM_THREADS=1 taskset -c N python benchmarks/kernels.py` (one pinned "
        "core)",
    ]
    if "ops" in result:
        o = result["ops"]
        lines += [
            "",
            f"One forward + backward, median µs ({o['rounds']} alternating rounds):",
            "",
            "| op | PyTorch | aekit | aekit ÷ PyTorch |",
            "|---|---:|---:|---:|",
        ]
        for name, r in o["rows"].items():
            ratio = r["aekit_us"] / r["torch_us"]
            lines.append(
                f"| {name} | {r['torch_us']:.0f} | {r['aekit_us']:.0f} | {ratio:.2f} |"
            )
    if "fits" in result:
        f = result["fits"]
        lines += [
            "",
            f"Training, median s/epoch after each fit's first epoch, {f['rounds']} "
            "alternating rounds in one process (conv: "
            f"{f['conv_samples']:,} synthetic images; dense: {f['dense_samples']:,}, "
            "with a 10 % validation array). before = the same model with PyTorch's "
            "op, or with aekit's BCE as PyTorch ops where the row says so:",
            "",
            "| model | before | after | after ÷ before |",
            "|---|---:|---:|---:|",
        ]
        for name, r in f["rows"].items():
            before, after = r["old"], r["new"]
            lines.append(
                f"| {name} | {before:.3f} | {after:.3f} | {after / before:.2f} |"
            )
    if "paired" in result:
        p = result["paired"]
        lines += [
            "",
            f"BCE kernel, paired epochs: one fit per model, {p['pairs']} epochs with "
            "aekit's BCE as PyTorch ops (`AEKIT_NUMBA=0`) alternating with "
            f"{p['pairs']} with the Numba kernel ({p['dense_samples']:,} images, "
            "10 % validation array; median s/epoch; ratio = median over the "
            "pairs of Numba ÷ the PyTorch-ops epoch before it):",
            "",
            "| model | PyTorch ops | Numba kernel | paired ratio |",
            "|---|---:|---:|---:|",
        ]
        for name, r in p["rows"].items():
            lines.append(
                f"| {name} | {r['ops']:.3f} | {r['numba']:.3f} | "
                f"{r['paired_ratio']:.2f} |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", *PARTS], default="all")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--op-seconds", type=float, default=0.5)
    parser.add_argument("--conv-samples", type=int, default=12_800)
    parser.add_argument("--conv-epochs", type=int, default=3)
    parser.add_argument("--dense-samples", type=int, default=60_000)
    parser.add_argument("--dense-epochs", type=int, default=4)
    parser.add_argument(
        "--pairs", type=int, default=10, help="paired part: epochs per BCE version"
    )
    add_output_args(parser, "kernels", render=False)
    args = parser.parse_args(argv)
    return run_parts(args, "kernels", PARTS, markdown)


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"[kernels] {time.perf_counter() - start:.0f} s", flush=True)
