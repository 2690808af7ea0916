"""Out-of-core training: peak memory and speed of streaming a large .npy file.

Writes a synthetic float32 ``.npy`` of ``--gigabytes`` (MNIST-like rows of 784
values in [0, 1], written in chunks so the file never sits in memory), trains a
dense AutoEncoder for one epoch streaming from it, and trains the same model in
memory on a ``--in-memory-rows`` subset. Reports the peak resident memory of
the streaming run (sampled every 50 ms) and the seconds per sample of both.

Prints JSON, writes ``benchmarks/results/outofcore.json`` and ``outofcore.md``.
Acceptance (issue 9): peak RSS < 1.5 GB for a 4 GB file, and seconds per sample
within 1.5x of in-memory training.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

import aekit
from _common import emit, hardware
from aekit.data import stream

N_FEATURES = 784


def rss_bytes() -> int:
    """Current resident set size of this process (Linux ``/proc``)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


class PeakRSS:
    """Samples the resident memory in a thread; ``peak`` after the block."""

    def __init__(self, interval: float = 0.05) -> None:
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()

    def __enter__(self) -> PeakRSS:
        self.peak = rss_bytes()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, rss_bytes())

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_bytes())


def write_synthetic(path: Path, n_rows: int, seed: int = 0) -> None:
    """MNIST-like rows: a few smooth blobs per row, written in 64 MB chunks."""
    rng = np.random.default_rng(seed)
    out = np.lib.format.open_memmap(
        path, mode="w+", dtype=np.float32, shape=(n_rows, N_FEATURES)
    )
    basis = rng.random((32, N_FEATURES), dtype=np.float32)
    chunk = 64 * 2**20 // (4 * N_FEATURES)
    for start in range(0, n_rows, chunk):
        stop = min(start + chunk, n_rows)
        weights = rng.random((stop - start, 32), dtype=np.float32) / 16
        out[start:stop] = np.clip(weights @ basis, 0.0, 1.0)
        out.flush()
    del out


def train(X: Any, args: argparse.Namespace) -> tuple[float, Any]:
    ae = aekit.AutoEncoder(
        hidden_layer_sizes=(256,),
        code_size=32,
        epochs=1,
        batch_size=args.batch_size,
        random_state=0,
        device="cpu",
    )
    start = time.perf_counter()
    ae.fit(X)
    return time.perf_counter() - start, ae


def markdown(result: dict[str, Any]) -> str:
    s, m = result["streaming"], result["in_memory"]
    return "\n".join(
        [
            "| run | rows | GB | peak RSS (GB) | s/epoch | µs/sample | loss |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| streaming .npy | {s['rows']} | {s['gigabytes']:.2f} | "
            f"{s['peak_rss_gb']:.2f} | {s['seconds']:.1f} | "
            f"{s['us_per_sample']:.1f} | {s['loss']:.4g} |",
            f"| in memory | {m['rows']} | {m['gigabytes']:.2f} | "
            f"{m['peak_rss_gb']:.2f} | {m['seconds']:.1f} | "
            f"{m['us_per_sample']:.1f} | {m['loss']:.4g} |",
            "",
            f"Streaming / in-memory time per sample: "
            f"**{result['time_per_sample_ratio']:.2f}x** (acceptance < 1.5x); "
            f"peak RSS while streaming **{s['peak_rss_gb']:.2f} GB** "
            "(acceptance < 1.5 GB).",
            "",
        ]
    )


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gigabytes", type=float, default=4.0)
    parser.add_argument("--in-memory-rows", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--dir", type=Path, default=None, help="where to write")
    parser.add_argument("--keep", action="store_true", help="keep the .npy file")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)

    n_rows = int(args.gigabytes * 1e9) // (4 * N_FEATURES)
    folder = Path(tempfile.mkdtemp(prefix="aekit-ooc-", dir=args.dir))
    path = folder / "synthetic.npy"
    try:
        t0 = time.perf_counter()
        write_synthetic(path, n_rows)
        write_seconds = time.perf_counter() - t0
        # Warm up (thread pools, kernels) so neither timed run pays for it.
        train(np.array(np.load(path, mmap_mode="r")[:2048]), args)
        with PeakRSS() as stream_mem:
            seconds, ae = train(path, args)
        streaming = {
            "rows": n_rows,
            "gigabytes": path.stat().st_size / 1e9,
            "peak_rss_gb": stream_mem.peak / 1e9,
            "seconds": seconds,
            "us_per_sample": 1e6 * seconds / n_rows,
            "loss": ae.history_["loss"][-1],
        }
        rows = min(args.in_memory_rows, n_rows)
        X = np.array(np.load(path, mmap_mode="r")[:rows])
        with PeakRSS() as mem:
            seconds, ae = train(X, args)
        in_memory = {
            "rows": rows,
            "gigabytes": X.nbytes / 1e9,
            "peak_rss_gb": mem.peak / 1e9,
            "seconds": seconds,
            "us_per_sample": 1e6 * seconds / rows,
            "loss": ae.history_["loss"][-1],
        }
    finally:
        if args.keep:
            print(f"kept {path}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    result = {
        "model": "dense 784-256-32, batch 256, 1 epoch, fp32, CPU",
        "block_bytes": stream.DEFAULT_BLOCK_BYTES,
        "write_seconds": write_seconds,
        "streaming": streaming,
        "in_memory": in_memory,
        "time_per_sample_ratio": streaming["us_per_sample"]
        / in_memory["us_per_sample"],
        "hardware": hardware(),
    }
    return emit("outofcore", result, markdown, write=not args.no_write)


if __name__ == "__main__":
    main()
