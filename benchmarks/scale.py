"""Scaling benchmark: seconds/epoch vs samples and width, aekit vs Keras 3 (issue 9).

Three parts, each selectable with ``--part``, all on synthetic MNIST-like data
(28×28 float32 images in [0, 1]: smooth random blobs in a dark frame, about 20 %
of the pixels lit, drawn from ``--seed``; timings do not depend on the pixels):

- ``samples``: seconds/epoch of the dense 784-32-784 autoencoder (preset
  ``vanilla-mnist``) for n = 10k … 1M images and of the conv denoiser (preset
  ``packt-denoiser``) for n = 10k … 100k (``--conv-sizes 1000000`` adds 1M:
  about 25 min per epoch on one core). Each point runs in a fresh process, which
  reports its peak resident memory (``ru_maxrss``), so one point's memory does not
  hide the next; µs/sample and a least-squares line s/epoch = a + b·n show how
  linear the growth is.
- ``width``: at fixed n (``--width-samples``), the dense model 784-W-32-W-784 for
  W in ``--widths`` and the conv denoiser with filters (8, 8, 4)·k for k in
  ``--filter-multipliers``: seconds/epoch, parameters, peak memory.
- ``families``: one row per model family, aekit and its Keras 3 twin (the
  ``_keras_*.py`` scripts, one subprocess per backend: JAX and TensorFlow) on
  identical models and the very same arrays in this run: dense 784-32-784 and
  784-128-64-32 (``vanilla-mnist``, ``deep-mnist``; both libraries with the same
  validation array), the Packt conv denoiser (noisy input, clean target as in
  ``denoise.py``: aekit draws fresh 0.5·N(0, 1) noise per batch, its preset's
  default, Keras trains on one fixed noisy copy), the keras.io conv VAE
  (``keras-io-conv``, 134,165 parameters) and the Packt LSTM sentence autoencoder
  (``reuters-sentences``) on a synthetic (n, 50, 50) array of GloVe-like vectors.
  Seconds/epoch is the median over the epochs after the first for both
  libraries; the table gives aekit ÷ the fastest Keras backend and whether aekit
  is at or below it. Parameter counts are compared (PyTorch's LSTM has a second
  bias vector per gate, which is allowed for).

aekit uses its default device ("auto": CUDA when present); the hardware record
names the GPU, so on a GPU machine the same command gives GPU numbers. No
``MALLOC_*`` variables are set for either library: library defaults are compared.

Prints JSON, writes ``benchmarks/results/scale.json`` and ``scale.md``; ``--part``
re-runs one part and keeps the others' stored results. Recommended, so that both
libraries get the same single core::

    OMP_NUM_THREADS=1 taskset -c 0 python benchmarks/scale.py            # ~30 min
    OMP_NUM_THREADS=1 taskset -c 0 python benchmarks/scale.py --part families
    python benchmarks/scale.py --sizes 500 2000 --conv-sizes 200 400 \\
        --widths 16 64 --filter-multipliers 1 --width-samples 500 \\
        --samples 500 --sequence-samples 64 --epochs 2 --no-write  # smoke run
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import resource
import shlex
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

import aekit
from _common import (
    RESULTS,
    add_output_args,
    compare_keras,
    cpu_phrase,
    hardware,
    rendered,
    save_result,
    seconds_per_epoch,
)
from aekit.corruption import corrupt

SIDE = 28
#: Default sweeps (images): the dense model is cheap enough for 1M on one core.
SIZES = (10_000, 30_000, 100_000, 300_000, 1_000_000)
CONV_SIZES = (10_000, 30_000, 100_000)
WIDTHS = (64, 256, 1024, 4096)
FILTER_MULTIPLIERS = (1, 2, 4)
BASE_FILTERS = (8, 8, 4)
#: name -> (estimator class, preset) of the models the sweeps time.
SWEEP_MODELS: dict[str, tuple[Any, str]] = {
    "dense": (aekit.AutoEncoder, "vanilla-mnist"),
    "conv": (aekit.ConvAutoEncoder, "packt-denoiser"),
}


@dataclass(frozen=True)
class Family:
    """One row of the aekit-vs-Keras table: an aekit preset and its Keras twin."""

    label: str
    estimator: Any
    preset: str
    script: str
    data: str  # "flat" (+ validation), "denoise", "images" or "sentences"
    options: dict[str, Any] = field(default_factory=dict)


FAMILIES: dict[str, Family] = {
    "dense": Family(
        "dense 784-32-784 (`vanilla-mnist`)",
        aekit.AutoEncoder,
        "vanilla-mnist",
        "_keras_dense.py",
        "flat",
        {"code_size": 32},
    ),
    "dense-deep": Family(
        "dense 784-128-64-32 (`deep-mnist`)",
        aekit.AutoEncoder,
        "deep-mnist",
        "_keras_dense.py",
        "flat",
        {"hidden": "128,64", "code_size": 32},
    ),
    "conv": Family(
        "conv denoiser 32-32-16 (`packt-denoiser`)",
        aekit.ConvAutoEncoder,
        "packt-denoiser",
        "_keras_conv.py",
        "denoise",
        {"filters": "32,32,16", "upsample": "conv-upsample"},
    ),
    "conv-vae": Family(
        "conv VAE, latent 2 (`keras-io-conv`)",
        aekit.VariationalAutoEncoder,
        "keras-io-conv",
        "_keras_vae.py",
        "images",
    ),
    "lstm": Family(
        "LSTM sentence AE, 512 units (`reuters-sentences`)",
        aekit.SequenceAutoEncoder,
        "reuters-sentences",
        "_keras_sequence.py",
        "sentences",
        {"units": 512},
    ),
}


# ------------------------------------------------------------------------- data
def synthetic_images(n: int, seed: int = 0, chunk: int = 65536) -> np.ndarray:
    """``n`` MNIST-like 28×28 float32 images in [0, 1], deterministic in ``seed``.

    A 7×7 standard-normal field per image, bilinearly upsampled, faded towards
    the border by a Gaussian window, then thresholded and stretched: smooth blobs
    on a dark background, ~20 % of the pixels non-zero (MNIST: 19 %). Built in
    chunks, so 1M images (3.1 GB) need little more than the output array.
    """
    coarse = 7
    rng = np.random.default_rng(seed)
    nodes = np.linspace(0, coarse - 1, SIDE)
    interp = np.maximum(0.0, 1.0 - np.abs(nodes[:, None] - np.arange(coarse)))
    r = (np.arange(SIDE) - (SIDE - 1) / 2) / (SIDE / 4)
    window = np.exp(-0.5 * (r[:, None] ** 2 + r[None, :] ** 2)).reshape(-1, 1)
    basis = (np.kron(interp, interp) * window).T.astype(np.float32)
    out = np.empty((n, SIDE, SIDE), dtype=np.float32)
    flat = out.reshape(n, -1)
    for start in range(0, n, chunk):
        stop = min(start + chunk, n)
        field_ = rng.standard_normal((stop - start, coarse**2), dtype=np.float32)
        block = flat[start:stop]
        np.matmul(field_, basis, out=block)
        block -= 0.15
        block *= 4.0
        np.clip(block, 0.0, 1.0, out=block)
    return out


def synthetic_sentences(n: int, seed: int = 0, steps: int = 50) -> np.ndarray:
    """``(n, steps, 50)`` float32 "sentences": GloVe-scale vectors, zero-padded."""
    rng = np.random.default_rng(seed)
    X = 0.4 * rng.standard_normal((n, steps, 50), dtype=np.float32)
    lengths = rng.integers(5, steps + 1, size=n)
    X[np.arange(steps)[None, :] >= lengths[:, None]] = 0.0
    return X


# ---------------------------------------------------------------------- timing
def n_params(est: Any) -> int:
    return sum(p.numel() for p in est.module_.parameters())


def keras_param_count(est: Any) -> int:
    """The parameter count Keras would report for the same model.

    PyTorch's LSTMs carry a second bias vector (``b_hh``, 4·units per layer and
    direction) where Keras has one; every other layer counts alike.
    """
    extra = sum(
        m.num_layers * (2 if m.bidirectional else 1) * 4 * m.hidden_size
        for m in est.module_.modules()
        if isinstance(m, torch.nn.LSTM)
    )
    return n_params(est) - extra


def fit_timed(est: Any, X: np.ndarray) -> dict[str, Any]:
    """Train ``est`` on ``X``; seconds/epoch (median after the first), loss."""
    start = time.perf_counter()
    est.fit(X)
    seconds = time.perf_counter() - start
    times = est.history_["epoch_time"]
    spe = seconds_per_epoch(times)
    return {
        "epochs": len(times),
        "epoch_times": times,
        "seconds_total": seconds,
        "seconds_per_epoch": spe,
        "us_per_sample": 1e6 * spe / len(X),
        "final_train_loss": est.history_["loss"][-1],
        "n_params": n_params(est),
        "device": str(est.device_),
    }


def _max_rss_gb() -> float:
    """This process's peak resident memory so far (Linux: ``ru_maxrss`` in KiB)."""
    scale = 1 if sys.platform == "darwin" else 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale / 1e9


def measure_point(spec: dict[str, Any]) -> dict[str, Any]:
    """One sweep point: make the data, train, time; meant for a fresh process.

    ``spec``: ``model`` (a key of :data:`SWEEP_MODELS`), ``n``, ``epochs``,
    ``seed``, ``threads``, ``verbose`` and the estimator ``overrides``.
    """
    torch.set_num_threads(spec["threads"])
    cls, preset = SWEEP_MODELS[spec["model"]]
    rss_start = _max_rss_gb()
    start = time.perf_counter()
    X = synthetic_images(spec["n"], spec["seed"])
    if spec["model"] == "dense":
        X = X.reshape(len(X), -1)
    data_seconds = time.perf_counter() - start
    est = cls.from_preset(
        preset,
        epochs=spec["epochs"],
        random_state=spec["seed"],
        verbose=spec["verbose"],
        **spec.get("overrides", {}),
    )
    out = fit_timed(est, X)
    out |= {
        "model": spec["model"],
        "preset": preset,
        "overrides": spec.get("overrides", {}),
        "n": spec["n"],
        "data_gb": X.nbytes / 1e9,
        "data_seconds": data_seconds,
        "rss_before_data_gb": rss_start,
        "peak_rss_gb": _max_rss_gb(),
    }
    if torch.cuda.is_available() and out["device"].startswith("cuda"):
        out["peak_gpu_gb"] = torch.cuda.max_memory_allocated() / 1e9
    return out


def isolated(spec: dict[str, Any]) -> dict[str, Any]:
    """:func:`measure_point` in a fresh (spawned) process, for its own peak RSS."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context) as pool:
        return pool.submit(measure_point, spec).result()


def linear_fit(points: list[dict[str, Any]]) -> dict[str, float] | None:
    """Least squares s/epoch = a + b·n over the points, with R² and µs/sample."""
    if len(points) < 2:
        return None
    n = np.array([p["n"] for p in points], dtype=float)
    s = np.array([p["seconds_per_epoch"] for p in points])
    slope, intercept = np.polyfit(n, s, 1)
    residual = float(((s - (intercept + slope * n)) ** 2).sum())
    total = float(((s - s.mean()) ** 2).sum())
    us = [p["us_per_sample"] for p in points]
    return {
        "intercept_seconds": float(intercept),
        "us_per_sample_slope": float(1e6 * slope),
        "r2": 1.0 - residual / total if total > 0 else 1.0,
        "us_per_sample_min": min(us),
        "us_per_sample_max": max(us),
    }


def _spec(args: argparse.Namespace, model: str, n: int, **overrides: Any) -> dict:
    return {
        "model": model,
        "n": n,
        "epochs": args.sweep_epochs,
        "seed": args.seed,
        "threads": torch.get_num_threads(),
        "verbose": args.verbose,
        "overrides": overrides,
    }


def _sweep(
    specs: list[dict[str, Any]], tag: str, in_process: bool = False
) -> list[dict[str, Any]]:
    points = []
    for spec in specs:
        point = measure_point(spec) if in_process else isolated(spec)
        point["fresh_process"] = not in_process
        print(
            f"[{tag}] {spec['model']} n={spec['n']} {spec['overrides'] or ''}".rstrip()
            + ": "
            f"{point['seconds_per_epoch']:.3g} s/epoch, "
            f"peak RSS {point['peak_rss_gb']:.2f} GB",
            flush=True,
        )
        points.append(point)
    return points


# ------------------------------------------------------------------------ parts
def samples(args: argparse.Namespace) -> dict[str, Any]:
    out: dict[str, Any] = {"epochs": args.sweep_epochs}
    for model, sizes in (("dense", args.sizes), ("conv", args.conv_sizes)):
        specs = [_spec(args, model, n) for n in sizes]
        points = _sweep(specs, "samples", args.in_process)
        out[model] = {
            "preset": SWEEP_MODELS[model][1],
            "points": points,
            "fit": linear_fit(points),
        }
    return out


def width(args: argparse.Namespace) -> dict[str, Any]:
    n = args.width_samples
    dense = [_spec(args, "dense", n, hidden_layer_sizes=(w,)) for w in args.widths]
    conv = [
        _spec(args, "conv", n, filters=tuple(k * f for f in BASE_FILTERS))
        for k in args.filter_multipliers
    ]
    return {
        "n": n,
        "epochs": args.sweep_epochs,
        "dense": {
            "widths": args.widths,
            "points": _sweep(dense, "width", args.in_process),
        },
        "conv": {
            "filter_multipliers": args.filter_multipliers,
            "points": _sweep(conv, "width", args.in_process),
        },
    }


def family_arrays(
    family: Family, n: int, seed: int
) -> tuple[np.ndarray, dict[str, Any], dict[str, np.ndarray]]:
    """aekit's training array, its extra estimator parameters, Keras's arrays."""
    if family.data == "sentences":
        X = synthetic_sentences(n, seed)
        return X, {}, {"train": X}
    X = synthetic_images(n, seed)
    if family.data == "flat":
        X = X.reshape(n, -1)
        X_val = synthetic_images(max(n // 10, 1), seed + 1).reshape(-1, SIDE * SIDE)
        return X, {"validation_data": X_val}, {"train": X, "val": X_val}
    if family.data == "denoise":
        noisy = corrupt(X, "gaussian", 0.5, clip=True, random_state=seed + 99)
        return X, {}, {"train_noisy": noisy, "train": X}
    return X, {}, {"train": X}


def _median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The last run's record, with the median seconds/epoch over all runs."""
    spe = [r["seconds_per_epoch"] for r in runs]
    out = dict(runs[-1])
    out["seconds_per_epoch"] = float(np.median(spe))
    out["us_per_sample"] = (
        runs[-1]["us_per_sample"] * out["seconds_per_epoch"] / spe[-1]
    )
    if len(runs) > 1:
        out["repeat_seconds_per_epoch"] = spe
    return out


def _median_keras(
    runs: list[list[dict[str, Any]]], aekit_seconds: float
) -> list[dict[str, Any]]:
    """Per backend: the last run's row, with the median over the repeats."""
    rows = []
    for i, last in enumerate(runs[-1]):
        row = dict(last)
        spe = [r[i]["seconds_per_epoch"] for r in runs if "seconds_per_epoch" in r[i]]
        if spe:
            row["seconds_per_epoch"] = float(np.median(spe))
            row["aekit_time_ratio"] = aekit_seconds / row["seconds_per_epoch"]
            if len(spe) > 1:
                row["repeat_seconds_per_epoch"] = spe
        rows.append(row)
    return rows


def families(args: argparse.Namespace) -> dict[str, Any]:
    rows: dict[str, Any] = {}
    for key in args.families:
        family = FAMILIES[key]
        n, epochs = args.samples, args.epochs
        if family.data == "sentences":
            n = args.sequence_samples
        elif family.data == "flat":
            # A dense epoch on 12,800 images lasts ~0.1 s: too short to time
            # against per-epoch overheads and timer noise.
            n, epochs = args.dense_samples, args.dense_epochs
        X, extra, keras_arrays = family_arrays(family, n, args.seed)
        runs: list[tuple[dict[str, Any], list[dict[str, Any]]]] = []
        # Each repeat trains aekit, then each Keras backend, so that a slow spell
        # of a shared machine falls on both sides; the row keeps the medians.
        for _ in range(args.repeats):
            est = family.estimator.from_preset(
                family.preset,
                epochs=epochs,
                random_state=args.seed,
                verbose=args.verbose,
                **extra,
            )
            aekit_run = fit_timed(est, X)
            keras_rows = compare_keras(
                family.script,
                keras_arrays,
                aekit_run["seconds_per_epoch"],
                backends=args.keras_backends,
                epochs=epochs if family.data == "flat" else args.keras_epochs or epochs,
                seed=args.seed,
                **family.options,
            )
            runs.append((aekit_run, keras_rows))
        row: dict[str, Any] = {
            "label": family.label,
            "preset": family.preset,
            "n": n,
            "epochs": epochs,
            **_median_run([t for t, _ in runs]),
            "n_params_keras_convention": keras_param_count(est),
        }
        row["keras"] = _median_keras([k for _, k in runs], row["seconds_per_epoch"])
        timed = [k for k in row["keras"] if "seconds_per_epoch" in k]
        row["params_match"] = all(
            k.get("n_params") == row["n_params_keras_convention"] for k in timed
        )
        if not row["params_match"]:
            print(f"[families] {key}: parameter counts differ", file=sys.stderr)
        if timed:
            fastest = min(timed, key=lambda k: k["seconds_per_epoch"])
            row["fastest_keras"] = fastest["backend"]
            row["ratio_to_fastest_keras"] = (
                row["seconds_per_epoch"] / fastest["seconds_per_epoch"]
            )
            row["at_or_below_fastest_keras"] = row["ratio_to_fastest_keras"] <= 1.0
        rows[key] = row
        print(f"[families] {key} done", flush=True)
    return {
        "n": args.samples,
        "dense_n": args.dense_samples,
        "dense_epochs": args.dense_epochs,
        "sequence_n": args.sequence_samples,
        "epochs": args.epochs,
        "keras_epochs": args.keras_epochs or args.epochs,
        "rows": rows,
    }


PARTS = {"samples": samples, "width": width, "families": families}


# ----------------------------------------------------------------------- report
def _device(hw: dict[str, Any]) -> str:
    threads = hw["cpu_threads"]
    device = f"GPU {hw['cuda']}" if hw["cuda"] else "CPU only"
    return (
        f"{threads} torch thread{'s' if threads > 1 else ''} on {cpu_phrase(hw)}, "
        f"torch {hw['torch']}, aekit {hw['aekit']}, {device}"
    )


def _sec(x: float) -> str:
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


def _timed(epochs: int) -> str:
    return f"median epoch after the first of {epochs}" if epochs > 1 else "1 epoch"


def _rss_note(part: dict[str, Any]) -> str:
    points = [p for model in SWEEP_MODELS for p in part[model]["points"]]
    if all(p.get("fresh_process", True) for p in points):
        return "one fresh process per point, peak RSS of that process"
    return "all points in one process, peak RSS its running maximum"


def _sweep_label(point: dict[str, Any]) -> str:
    if point["model"] == "dense":
        hidden = point["overrides"].get("hidden_layer_sizes", ())
        dims = [SIDE * SIDE, *hidden, 32, *reversed(hidden), SIDE * SIDE]
        return f"dense {'-'.join(map(str, dims))}"
    filters = point["overrides"].get("filters", (32, 32, 16))
    return f"conv {'-'.join(map(str, filters))}"


def markdown(result: dict[str, Any]) -> str:
    """README-ready tables (written to ``results/scale.md``)."""
    lines: list[str] = []
    if "samples" in result:
        s = result["samples"]
        lines += [
            f"Seconds/epoch vs training samples (synthetic 28×28 images; "
            f"{_timed(s['epochs'])}; {_rss_note(s)}). {_device(s['hardware'])}. "
            f"`{s['command']}`",
            "",
            "| model | samples | s/epoch | µs/sample | data (GB) | peak RSS (GB) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for model in SWEEP_MODELS:
            for p in s[model]["points"]:
                lines.append(
                    f"| {_sweep_label(p)} (`{p['preset']}`) | {p['n']:,} | "
                    f"{_sec(p['seconds_per_epoch'])} | {p['us_per_sample']:.1f} | "
                    f"{p['data_gb']:.2f} | {p['peak_rss_gb']:.2f} |"
                )
        fits = [
            f"{model}: {f['intercept_seconds']:.2g} s + "
            f"{f['us_per_sample_slope']:.1f} µs·n (R² = {f['r2']:.4f}; µs/sample "
            f"{f['us_per_sample_min']:.1f}–{f['us_per_sample_max']:.1f})"
            for model in SWEEP_MODELS
            if (f := s[model]["fit"])
        ]
        if fits:
            lines += ["", "Least-squares line s/epoch = a + b·n: " + "; ".join(fits)]
        lines.append("")
    if "width" in result:
        w = result["width"]
        lines += [
            f"Seconds/epoch vs model width, {w['n']:,} samples ({_timed(w['epochs'])}"
            f"; {_rss_note(w)}). {_device(w['hardware'])}. "
            f"`{w['command']}`",
            "",
            "| model | parameters | s/epoch | µs/sample | peak RSS (GB) |",
            "|---|---:|---:|---:|---:|",
        ]
        for model in SWEEP_MODELS:
            for p in w[model]["points"]:
                lines.append(
                    f"| {_sweep_label(p)} | {p['n_params']:,} | "
                    f"{_sec(p['seconds_per_epoch'])} | {p['us_per_sample']:.1f} | "
                    f"{p['peak_rss_gb']:.2f} |"
                )
        lines.append("")
    if "families" in result:
        f = result["families"]
        backends = sorted(
            {k["backend"] for r in f["rows"].values() for k in r["keras"]}
        )
        versions = sorted(
            {
                k["keras_version"]
                for r in f["rows"].values()
                for k in r["keras"]
                if "keras_version" in k
            }
        )
        lines += [
            f"aekit vs Keras {'/'.join(versions) or '3'}, identical models on the "
            f"same arrays in one run: {f['n']:,} synthetic images, "
            f"{f['epochs']} epochs per library (dense: "
            f"{f.get('dense_n', f['n']):,} images, "
            f"{f.get('dense_epochs', f['epochs'])} epochs; LSTM: "
            f"{f['sequence_n']:,} synthetic 50×50 sentences); s/epoch = median "
            f"epoch after the first. {_device(f['hardware'])}. `{f['command']}`",
            "",
            "| family | samples | parameters (aekit / Keras) | aekit s/epoch |"
            + "".join(f" Keras + {b} |" for b in backends)
            + " aekit ÷ fastest Keras | ≤ fastest Keras |",
            "|---|---:|---:|---:|" + "---:|" * len(backends) + "---:|---|",
        ]
        for row in f["rows"].values():
            by_backend = {k["backend"]: k for k in row["keras"]}
            cells = []
            for b in backends:
                k = by_backend.get(b, {})
                cells.append(
                    _sec(k["seconds_per_epoch"])
                    if "seconds_per_epoch" in k
                    else f"failed: {k.get('error', 'not run')}"
                )
            keras_params = sorted(
                {k["n_params"] for k in row["keras"] if "n_params" in k}
            )
            params = f"{row['n_params']:,} / " + (
                ", ".join(f"{p:,}" for p in keras_params) or "–"
            )
            if not row["params_match"]:
                params += " (differ!)"
            ratio = row.get("ratio_to_fastest_keras")
            verdict = row.get("at_or_below_fastest_keras")
            repeats = len(row.get("repeat_seconds_per_epoch", [0]))
            label = row["label"] + (f" ×{repeats}" if repeats > 1 else "")
            lines.append(
                f"| {label} | {row['n']:,} | {params} | "
                f"{_sec(row['seconds_per_epoch'])} |"
                + "".join(f" {c} |" for c in cells)
                + (f" {ratio:.2f} |" if ratio is not None else " |")
                + {True: " yes |", False: " no |", None: " |"}[verdict]
            )
        if any("repeat_seconds_per_epoch" in r for r in f["rows"].values()):
            lines += [
                "",
                "×N: each library trained N times, alternating (aekit, then each "
                "Keras backend); the row gives the medians.",
            ]
        by_command: dict[str, list[str]] = {}
        for key, row in f["rows"].items():
            if row.get("command", f["command"]) != f["command"]:
                by_command.setdefault(row["command"], []).append(key)
        rerun = [f"{', '.join(keys)} (`{cmd}`)" for cmd, keys in by_command.items()]
        if rerun:
            lines += ["", "Rows re-run on their own since: " + "; ".join(rerun) + "."]
        for key, why in f.get("dropped", {}).items():
            lines += ["", f"Not shown: {key}, {why}."]
        lines += [
            "",
            "Parameters are equal on both sides except the LSTM's: PyTorch keeps "
            "a second bias vector per gate (4·units per layer and direction), the "
            "function computed is the same. The conv denoiser: aekit draws fresh "
            "noise per batch, Keras trains on one fixed noisy copy. Dense rows "
            "include a validation pass on the same 10 % array for both libraries.",
        ]
    return "\n".join(lines).rstrip() + "\n"


# ------------------------------------------------------------------------- main
def _command(argv: list[str] | None) -> str:
    """The command line of this run, with the thread settings it ran under."""
    argv = sys.argv[1:] if argv is None else argv
    prefix = ""
    if "OMP_NUM_THREADS" in os.environ:
        prefix += f"OMP_NUM_THREADS={os.environ['OMP_NUM_THREADS']} "
    affinity = _threads()["cpu_affinity"]
    if affinity is not None and len(affinity) < (os.cpu_count() or 0):
        prefix += f"taskset -c {','.join(map(str, affinity))} "
    return f"{prefix}python benchmarks/scale.py {shlex.join(argv)}".rstrip()


def _threads() -> dict[str, Any]:
    affinity = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return {
        "torch_threads": torch.get_num_threads(),
        "omp_num_threads": os.environ.get("OMP_NUM_THREADS"),
        "cpu_affinity": sorted(affinity) if affinity is not None else None,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=["all", *PARTS], default="all")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=list(SIZES), help="dense sweep n"
    )
    parser.add_argument("--conv-sizes", type=int, nargs="+", default=list(CONV_SIZES))
    parser.add_argument(
        "--sweep-epochs",
        type=int,
        default=2,
        help="epochs per samples/width point (the first is not timed if > 1)",
    )
    parser.add_argument(
        "--in-process",
        action="store_true",
        help="time the samples/width points in this process (quicker to start; "
        "peak RSS is then this process's running maximum)",
    )
    parser.add_argument("--width-samples", type=int, default=20_000)
    parser.add_argument("--widths", type=int, nargs="+", default=list(WIDTHS))
    parser.add_argument(
        "--filter-multipliers",
        type=int,
        nargs="+",
        default=list(FILTER_MULTIPLIERS),
        help="conv filters (8, 8, 4)·k",
    )
    parser.add_argument(
        "--families", nargs="+", choices=list(FAMILIES), default=list(FAMILIES)
    )
    parser.add_argument(
        "--samples",
        "--limit",
        type=int,
        default=12_800,
        help="images per family in the Keras comparison",
    )
    parser.add_argument(
        "--sequence-samples",
        type=int,
        default=1_600,
        help="sentences for the LSTM family (as sequence.py's timing)",
    )
    parser.add_argument("--epochs", type=int, default=3, help="aekit, families part")
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="families part: train aekit and each Keras backend this many times, "
        "alternating, and report the medians",
    )
    parser.add_argument(
        "--dense-samples",
        type=int,
        default=60_000,
        help="images for the dense families (their epochs are short)",
    )
    parser.add_argument(
        "--dense-epochs",
        type=int,
        default=10,
        help="epochs of the dense families, both libraries",
    )
    parser.add_argument(
        "--keras-epochs", type=int, default=None, help="default: --epochs"
    )
    parser.add_argument(
        "--keras-backends",
        nargs="*",
        choices=["jax", "tensorflow"],
        default=None,
        help="compare with these backends only (default: every installed one; "
        "none given: no Keras)",
    )
    add_output_args(parser, "scale")
    args = parser.parse_args(argv)
    if (result := rendered(args, "scale", markdown)) is not None:
        return result

    config = {k: v for k, v in vars(args).items() if k not in ("no_write", "render")}
    meta = {
        "config": config,
        "command": _command(argv),
        "threads": _threads(),
        "hardware": hardware(),
    }
    result: dict[str, Any] = {"benchmark": "scale"}
    for name, run in PARTS.items():
        if args.part in ("all", name):
            result[name] = {**run(args), **meta}
            print(f"[{name}] done", flush=True)
    print(json.dumps(result, indent=2))
    if not args.no_write:
        if args.part == "families" and set(args.families) != set(FAMILIES):
            result["families"] = _merge_rows(args.results_name, result["families"])
        result = save_result(
            args.results_name, result, markdown, merge=args.part != "all"
        )
    return result


def _merge_rows(name: str, part: dict[str, Any]) -> dict[str, Any]:
    """A ``--families`` subset re-run: its rows replace those stored, the other
    rows and the table's header stay; each re-run row keeps its own command."""
    path = RESULTS / f"{name}.json"
    stored = json.loads(path.read_text()).get("families") if path.exists() else None
    if not stored:
        return part
    for key, row in part["rows"].items():
        row["command"], row["hardware"] = part["command"], part["hardware"]
        stored["rows"][key] = row
        stored.get("dropped", {}).pop(key, None)
    stored["rows"] = {k: stored["rows"][k] for k in FAMILIES if k in stored["rows"]}
    return stored


if __name__ == "__main__":
    main()
