"""Where a GPU training step waits for the GPU: a diagnostic for docs/gpu.md.

For each model family of ``scale.py``'s table (synthetic data, as there) it
trains the model:

1. under ``torch.cuda.set_sync_debug_mode("warn")``, counting every host-device
   synchronisation by the aekit source lines that caused it;
2. timed three ways: with the per-step NaN/inf guard read at once (a sync per
   step, aekit's behaviour before the late guard), with the guard read one step
   late (aekit's default on CUDA, ``trainer._LateGuard``), and with no guard at
   all (an experiment only: a NaN would go unnoticed), the bound on what any
   guard could cost.

Needs a CUDA device; prints text, writes nothing. ``python benchmarks/gpu_syncs.py``
(about 30 s on an H200).
"""

from __future__ import annotations

import argparse
import collections
import traceback
import types
import warnings
from typing import Any

import torch

from aekit.train import trainer
from scale import FAMILIES, family_arrays

#: Images per family (the dense ones get 60,000, the LSTM 1,600, as in scale.py).
SIZES = {"flat": 60_000, "sentences": 1_600}


def train(key: str, epochs: int, sync_debug: bool) -> tuple[list[float], Any]:
    """Train family ``key``; its epoch times and, with ``sync_debug``, sync sites."""
    family = FAMILIES[key]
    n = SIZES.get(family.data, 12_800)
    X, extra, _ = family_arrays(family, n, 0)
    est = family.estimator.from_preset(
        family.preset, epochs=epochs, random_state=0, **extra
    )
    sites: collections.Counter[str] = collections.Counter()
    if sync_debug:

        def record(*args: Any, **kwargs: Any) -> None:
            frames = traceback.extract_stack()[:-1]
            ours = [
                f"{f.filename.split('/src/')[-1]}:{f.lineno}"
                for f in frames
                if "/aekit/" in f.filename
            ]
            sites[" < ".join(ours[-3:][::-1])] += 1

        torch.cuda.set_sync_debug_mode("warn")
        with warnings.catch_warnings():
            warnings.simplefilter("always")
            warnings.showwarning = record  # restored by catch_warnings
            est.fit(X)
        torch.cuda.set_sync_debug_mode(0)
    else:
        est.fit(X)
    return est.history_["epoch_time"], sites


class _Finite:
    """Stands for ``bool(torch.isfinite(loss))`` without reading the loss."""

    def __bool__(self) -> bool:
        return True


def without_guard() -> types.ModuleType:
    """A ``torch`` for the trainer module whose scalar ``isfinite`` never syncs."""
    fake = types.ModuleType("torch_without_guard")
    fake.__dict__.update(torch.__dict__)

    def isfinite(x: torch.Tensor) -> Any:
        return _Finite() if x.dim() == 0 else torch.isfinite(x)

    fake.isfinite = isfinite  # type: ignore[attr-defined]
    return fake


def _no_late_guard(self: Any, *args: Any) -> None:
    """``Trainer._late_guard`` that always answers "immediate guard"."""
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--families", nargs="+", default=["conv", "conv-vae", "dense-deep", "dense"]
    )
    parser.add_argument("--epochs", type=int, default=3)
    args = parser.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("gpu_syncs.py needs a CUDA device")
    for key in args.families:
        _, sites = train(key, 2, sync_debug=True)
        print(f"{key}: synchronisations over 2 epochs, by aekit call site")
        for site, count in sites.most_common(8):
            print(f"   {count:6d}  {site}")
    late_guard = trainer.Trainer._late_guard
    modes = (
        ("immediate guard", torch, False),
        ("late guard", torch, True),  # aekit's default on CUDA
        ("no guard", without_guard(), False),
    )
    for label, module, late in modes:
        trainer.torch = module  # type: ignore[attr-defined]
        trainer.Trainer._late_guard = late_guard if late else _no_late_guard  # type: ignore[method-assign]
        for key in args.families:
            times, _ = train(key, args.epochs, sync_debug=False)
            print(f"{label:16s} {key:11s} s/epoch {[round(t, 3) for t in times]}")
    trainer.torch = torch  # type: ignore[attr-defined]
    trainer.Trainer._late_guard = late_guard  # type: ignore[method-assign]


if __name__ == "__main__":
    main()
