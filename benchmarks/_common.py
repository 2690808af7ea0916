"""Shared helpers for the benchmark scripts: data, timing summaries, result files."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

import aekit

RESULTS = Path(__file__).resolve().parent / "results"


def load_flat(name: str, split: str, limit: int | None = None) -> np.ndarray:
    """A dataset split flattened to (n, features) float32, optionally truncated."""
    X, _ = aekit.datasets.load(name, split=split)
    X = X.reshape(len(X), -1)
    return X[:limit] if limit else X


def seconds_per_epoch(times: list[float]) -> float:
    """Median epoch time, skipping the first epoch (warm-up / compilation)."""
    return statistics.median(times[1:] if len(times) > 1 else times)


def squared_error_per_image(recon: np.ndarray, X: np.ndarray) -> float:
    """Sum over pixels of the squared error, averaged over images (Hinton 2006)."""
    return float(((recon - X) ** 2).sum(axis=1).mean())


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def hardware() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "aekit": aekit.__version__,
        "cpu_threads": torch.get_num_threads(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        # Timings from a VM move with the host under it: name the CPU and the
        # vector ISA PyTorch's kernels run with (AVX2, AVX512, ...).
        "cpu_model": _cpu_model(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def cpu_phrase(hw: dict[str, Any]) -> str:
    """``"a 2-CPU machine (AMD EPYC, AVX2)"``; runs stored before the CPU was
    recorded give ``"a 2-CPU machine"``."""
    known = [hw[k] for k in ("cpu_model", "cpu_capability") if hw.get(k)]
    return f"a {hw['cpus']}-CPU machine" + (f" ({', '.join(known)})" if known else "")


def run_keras(
    backend: str, script: str, arrays: dict[str, np.ndarray], **model: Any
) -> dict:
    """Run a Keras twin ``script`` in a subprocess on the same arrays; return its JSON.

    Each array is saved as ``.npy`` and passed as ``--<name> path``; every other
    keyword becomes a ``--<key> value`` option. A failure is returned as
    ``{"backend": ..., "error": [last stderr line]}`` rather than raised, so one
    missing backend does not lose the rest of a benchmark run.
    """
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, str(Path(__file__).with_name(script))]
        cmd += ["--backend", backend]
        for name, array in arrays.items():
            path = Path(tmp, f"{name}.npy")
            np.save(path, array)
            cmd += [f"--{name.replace('_', '-')}", str(path)]
        for key, value in model.items():
            cmd += [f"--{key.replace('_', '-')}", str(value)]
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode:
        return {"backend": backend, "error": proc.stderr.strip().splitlines()[-1:]}
    return json.loads(proc.stdout)


def keras_backends() -> list[tuple[str, bool]]:
    """``(backend, installed)`` for the Keras 3 backends the benchmarks compare."""
    have_keras = importlib.util.find_spec("keras") is not None
    return [
        (backend, have_keras and importlib.util.find_spec(backend) is not None)
        for backend in ("jax", "tensorflow")
    ]


def compare_keras(
    script: str,
    arrays: dict[str, np.ndarray],
    aekit_seconds_per_epoch: float,
    backends: list[str] | None = None,
    **options: Any,
) -> list[dict[str, Any]]:
    """Run the Keras twin ``script`` once per installed backend; one row each.

    A row holds the backend, Keras version, epochs, seconds/epoch (median, first
    epoch skipped), the final training (and validation) loss, the twin's
    parameter count when it reports one, and ``aekit_time_ratio`` = aekit's
    seconds/epoch ÷ Keras's (below 1: aekit is faster). ``backends`` limits the
    run to some of them (default: all installed).
    """
    rows: list[dict[str, Any]] = []
    for backend, installed in keras_backends():
        if backends is not None and backend not in backends:
            continue
        if not installed:
            rows.append({"backend": backend, "error": "not installed"})
            continue
        out = run_keras(backend, script, arrays, **options)
        if "epoch_times" in out:
            spe = seconds_per_epoch(out["epoch_times"])
            row = {
                "backend": backend,
                "keras_version": out["keras_version"],
                "epochs": len(out["epoch_times"]),
                "seconds_per_epoch": spe,
                "final_train_loss": out["loss"][-1],
                "aekit_time_ratio": aekit_seconds_per_epoch / spe,
            }
            if "val_loss" in out:
                row["final_val_loss"] = out["val_loss"][-1]
            if "n_params" in out:
                row["n_params"] = out["n_params"]
            out = row
        rows.append(out)
    return rows


def write_result(name: str, result: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    return path


def add_output_args(parser: Any, name: str, *, render: bool = True) -> None:
    """The flags every benchmark shares: ``--seed``, ``--verbose``, ``--no-write``,
    ``--results-name`` and (unless ``render=False``) ``--render JSON``."""
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="print only")
    parser.add_argument(
        "--results-name",
        default=name,
        metavar="NAME",
        help=f"write results/NAME.json and NAME.md (default {name}; e.g. "
        f"{name}-gpu for a GPU run kept beside the CPU one)",
    )
    if render:
        parser.add_argument(
            "--render",
            metavar="JSON",
            default=None,
            help=f"only re-render results/{name}.md from a result file",
        )


def rendered(
    args: Any, name: str, markdown: Callable[[dict[str, Any]], str]
) -> dict[str, Any] | None:
    """With ``--render JSON``: rewrite ``results/NAME.md`` from it and return it
    (NAME: ``--results-name``, else ``name``)."""
    if not getattr(args, "render", None):
        return None
    result = json.loads(Path(args.render).read_text())
    name = getattr(args, "results_name", name)
    (RESULTS / f"{name}.md").write_text(markdown(result))
    return result


def run_parts(
    args: Any,
    benchmark: str,
    parts: dict[str, Callable[[Any], dict[str, Any]]],
    markdown: Callable[[dict[str, Any]], str],
) -> dict[str, Any]:
    """Run the ``--part`` chosen (or all), each recorded with the run's options and
    hardware; print the JSON and, unless ``--no-write``, save it (a single part is
    merged into the stored result)."""
    skip = ("part", "no_write", "render")
    config = {k: v for k, v in vars(args).items() if k not in skip}
    result: dict[str, Any] = {"benchmark": benchmark}
    for name, run in parts.items():
        if args.part in ("all", name):
            result[name] = {**run(args), "config": config, "hardware": hardware()}
            print(f"[{name}] done", flush=True)
    return emit(
        args.results_name,
        result,
        markdown,
        write=not args.no_write,
        merge=args.part != "all",
    )


def emit(
    name: str,
    result: dict[str, Any],
    markdown: Callable[[dict[str, Any]], str],
    *,
    write: bool = True,
    merge: bool = False,
) -> dict[str, Any]:
    """Print ``result`` as JSON and, if ``write``, save it (:func:`save_result`)."""
    print(json.dumps(result, indent=2))
    if write:
        result = save_result(name, result, markdown, merge=merge)
    return result


def save_result(
    name: str,
    result: dict[str, Any],
    markdown: Callable[[dict[str, Any]], str],
    *,
    merge: bool = False,
) -> dict[str, Any]:
    """Write ``results/NAME.json`` and ``NAME.md``; ``merge`` keeps the parts of
    the stored result that this run did not redo (a ``--part`` run)."""
    path = RESULTS / f"{name}.json"
    if merge and path.exists():
        result = {**json.loads(path.read_text()), **result}
    write_result(name, result)
    (RESULTS / f"{name}.md").write_text(markdown(result))
    return result
