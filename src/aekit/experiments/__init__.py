"""Reproductions of published autoencoder results: ``aekit reproduce NAME``.

Each experiment is one small module here holding its configuration, the
published numbers it is checked against (with their source and a tolerance) and
the figures it draws. :func:`run` trains it and writes ``OUT/NAME/result.json``
plus the figures as PNG files; ``aekit report OUT`` turns a folder of such runs
into one static HTML page (:func:`aekit.experiments.report.write_report`).

``quick=True`` trains for one epoch on a few thousand samples, so that CI can
run every experiment in seconds; a quick run's numbers are recorded but never
judged against the published ones (a verdict of ``"quick"``).

>>> from aekit import experiments
>>> "vanilla-mnist" in experiments.names()
True
"""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..exceptions import AekitError
from ..io import atomic_write_bytes

#: Epochs and sample counts of a ``--quick`` run: enough to exercise the whole
#: pipeline (data, training, metrics, figures), small enough for CI.
QUICK_EPOCHS = 1
QUICK_TRAIN = 2000
QUICK_TEST = 500

DIRECTIONS = ("lower", "higher", "close")


@dataclass(frozen=True)
class Published:
    """A published number and how close a reproduction must come.

    Parameters
    ----------
    value : float
        The number as published.
    tolerance : float
        Allowed distance, in the metric's units.
    direction : {"lower", "higher", "close"}
        ``"lower"``: a reached value passes when ``<= value + tolerance`` (a loss
        or an error: beating the paper is fine); ``"higher"``: when ``>= value -
        tolerance`` (an accuracy, a similarity); ``"close"``: when within
        ``tolerance`` either way (a deterministic baseline such as PCA).
    note : str
        Where in the source the number is, or how it was measured.
    """

    value: float
    tolerance: float
    direction: str = "lower"
    note: str = ""

    def __post_init__(self) -> None:
        if self.direction not in DIRECTIONS:
            raise ValueError(f"direction must be one of {DIRECTIONS}")

    def passes(self, reached: float) -> bool:
        """Whether ``reached`` reproduces this number within the tolerance."""
        if self.direction == "lower":
            return reached <= self.value + self.tolerance
        if self.direction == "higher":
            return reached >= self.value - self.tolerance
        return abs(reached - self.value) <= self.tolerance

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "tolerance": self.tolerance,
            "direction": self.direction,
            "note": self.note,
        }


@dataclass
class Context:
    """What a running experiment is told, and where it leaves its outputs.

    Runners ask it for their epochs and sample counts (:meth:`epochs`,
    :meth:`limit`) so that ``--quick`` shrinks every experiment the same way,
    save figures with :meth:`save_figure`, and record settings and tables.
    """

    quick: bool
    out: Path
    seed: int = 0
    verbose: int = 0
    figures: list[str] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    tables: list[dict[str, Any]] = field(default_factory=list)

    def epochs(self, published: int) -> int:
        """The published epoch count, or :data:`QUICK_EPOCHS` in a quick run."""
        epochs = QUICK_EPOCHS if self.quick else published
        self.settings["epochs"] = epochs
        return epochs

    def limit(self, n: int | None = None, *, test: bool = False) -> int | None:
        """How many samples to use: all (``None``, or ``n``), or a quick subset."""
        if self.quick:
            return QUICK_TEST if test else QUICK_TRAIN
        return n

    def save_figure(self, name: str, fig: Any) -> None:
        """Write ``fig`` to ``OUT/NAME/<name>.png`` and list it in the result."""
        from ..cli._common import save_figure

        filename = f"{name}.png"
        save_figure(self.out / filename, fig)
        self.figures.append(filename)

    def add_table(self, title: str, columns: list[str], rows: list[list[Any]]) -> None:
        """A table for the report, beside the published-vs-reached one."""
        self.tables.append({"title": title, "columns": columns, "rows": rows})


Runner = Callable[[Context], Mapping[str, float]]


@dataclass(frozen=True)
class Experiment:
    """One reproducible result.

    Parameters
    ----------
    name : str
        Command-line name, e.g. ``"vanilla-mnist"``.
    title : str
        One line for listings and the report.
    source : str
        Citation of the publication the numbers and settings come from.
    runner : callable
        ``runner(context)`` trains and evaluates, saves figures through the
        context, and returns the reached metrics ``{name: float}``.
    published : mapping of str to Published
        Published numbers, keyed like the runner's metrics. May be empty when
        the source shows figures only.
    description : str
        The configuration in words (model, data, epochs).
    """

    name: str
    title: str
    source: str
    runner: Runner
    published: Mapping[str, Published] = field(default_factory=dict)
    description: str = ""

    def run(
        self, out: str | Path, *, quick: bool = False, seed: int = 0, verbose: int = 0
    ) -> dict[str, Any]:
        """Run the experiment; write ``out/NAME/result.json`` and its figures.

        Returns
        -------
        dict
            The result as written to ``result.json``: reached ``metrics``
            (non-finite values as ``None``), per-metric ``checks``
            (``"pass"``, ``"fail"``, ``"quick"``, ``"missing"``), ``figures``
            (file names next to ``result.json``), ``seconds``, ``hardware`` and
            ``versions``.
        """
        folder = Path(out) / self.name
        folder.mkdir(parents=True, exist_ok=True)
        ctx = Context(quick=quick, out=folder, seed=seed, verbose=verbose)
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        start = time.perf_counter()
        metrics = {k: float(v) for k, v in self.runner(ctx).items()}
        seconds = time.perf_counter() - start
        finite = {k: (v if math.isfinite(v) else None) for k, v in metrics.items()}
        result: dict[str, Any] = {
            "name": self.name,
            "title": self.title,
            "source": self.source,
            "description": self.description,
            "quick": quick,
            "seed": seed,
            "started": started,
            "seconds": seconds,
            "settings": ctx.settings,
            "published": {k: p.as_dict() for k, p in self.published.items()},
            "metrics": finite,
            "finite": all(v is not None for v in finite.values()),
            "checks": self.checks(finite, quick),
            "figures": ctx.figures,
            "tables": ctx.tables,
            "hardware": hardware(),
            "versions": versions(),
        }
        text = json.dumps(result, indent=2, allow_nan=False, default=_jsonable)
        atomic_write_bytes(folder / "result.json", (text + "\n").encode())
        return result

    def checks(
        self, metrics: Mapping[str, float | None], quick: bool
    ) -> dict[str, str]:
        """Verdict per published metric: pass, fail, quick (not compared), missing."""
        verdicts = {}
        for key, published in self.published.items():
            reached = metrics.get(key)
            if reached is None:
                verdicts[key] = "missing"
            elif quick:
                verdicts[key] = "quick"
            else:
                verdicts[key] = "pass" if published.passes(reached) else "fail"
        return verdicts


def _jsonable(value: Any) -> Any:
    """numpy scalars and arrays in tables and settings, as plain JSON."""
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} to JSON")


def hardware() -> dict[str, Any]:
    """The machine a run used: CPU, threads and GPU, for the report."""
    import os
    import platform

    import torch

    return {
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpus": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "cuda": torch.cuda.get_device_name(0) if torch.cuda.is_available() else None,
    }


def versions() -> dict[str, str]:
    """Versions of the packages that decide a run's numbers."""
    import platform

    import matplotlib
    import numpy
    import sklearn
    import torch

    from .._version import __version__

    return {
        "aekit": __version__,
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": numpy.__version__,
        "scikit-learn": sklearn.__version__,
        "matplotlib": matplotlib.__version__,
    }


# The registry: imported after the classes above, which the modules use.
from . import (  # noqa: E402
    adbench,
    ae_vs_pca,
    conv_mnist,
    deep_mnist,
    denoise_conv,
    encoder_weights,
    hinton_30d,
    lstm_reuters,
    sparse_mnist,
    vae_fashion,
    vae_mnist_2d,
    vanilla_mnist,
)

EXPERIMENTS: dict[str, Experiment] = {
    module.EXPERIMENT.name: module.EXPERIMENT
    for module in (
        vanilla_mnist,
        deep_mnist,
        sparse_mnist,
        conv_mnist,
        denoise_conv,
        ae_vs_pca,
        encoder_weights,
        hinton_30d,
        lstm_reuters,
        vae_fashion,
        vae_mnist_2d,
        adbench,
    )
}


def names() -> list[str]:
    """The experiment names, in the order of issue 10's list."""
    return list(EXPERIMENTS)


def get(name: str) -> Experiment:
    """The experiment called ``name``; an unknown name lists the known ones."""
    try:
        return EXPERIMENTS[name]
    except KeyError:
        raise AekitError(
            f"unknown experiment {name!r}; known: {', '.join(EXPERIMENTS)}"
        ) from None


def run(
    name: str, out: str | Path, *, quick: bool = False, seed: int = 0, verbose: int = 0
) -> dict[str, Any]:
    """Run the experiment ``name`` into ``out/name/`` (see :meth:`Experiment.run`)."""
    return get(name).run(out, quick=quick, seed=seed, verbose=verbose)


__all__ = [
    "EXPERIMENTS",
    "QUICK_EPOCHS",
    "Context",
    "Experiment",
    "Published",
    "get",
    "hardware",
    "names",
    "run",
    "versions",
]
