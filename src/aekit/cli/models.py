"""``aekit models``: registered models and estimator presets."""

from __future__ import annotations

import argparse
from typing import Any


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "models",
        help="list registered models and presets",
        description="List the registered network families and the named presets "
        "that reproduce published models.",
        epilog="Example: aekit models, then aekit train --dataset mnist "
        "--preset vanilla-mnist --out runs/vanilla",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Print the registered models, then each estimator's presets."""
    from .. import models
    from ..io import ESTIMATORS

    trained_by = {}
    for name in ESTIMATORS.names():
        cls: Any = ESTIMATORS.get(name)
        trained_by[cls._model_name] = name
    print("models (aekit train --model NAME):")
    for model in models.list():
        estimator = trained_by.get(model)
        print(f"  {model:<10} {f'aekit.{estimator}' if estimator else ''}".rstrip())
    for name in ESTIMATORS.names():
        cls = ESTIMATORS.get(name)
        presets = cls.presets.names()
        if not presets:
            continue
        print(
            f"\n{name} presets (aekit train --model {cls._model_name} --preset NAME):"
        )
        width = max(len(p) for p in presets) + 2
        for preset in presets:
            params = [f"{k}={v}" for k, v in cls.presets.get(preset).items()]
            lines = _wrap(params, 86 - width)
            print(f"  {preset:<{width}}{lines[0]}")
            for line in lines[1:]:
                print(f"  {'':<{width}}{line}")
    return 0


def _wrap(items: list[str], width: int) -> list[str]:
    """Join ``items`` with ", " into lines of at most ``width``, never splitting one."""
    lines = [""]
    for item in items:
        candidate = f"{lines[-1]}, {item}" if lines[-1] else item
        if len(candidate) > width and lines[-1]:
            lines[-1] += ","
            lines.append(item)
        else:
            lines[-1] = candidate
    return lines
