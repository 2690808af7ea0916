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
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import models
    from ..io import ESTIMATORS

    print("models:", ", ".join(models.list()))
    for name in ESTIMATORS.names():
        cls: Any = ESTIMATORS.get(name)
        print(f"\n{name} presets:")
        for preset in cls.presets.names():
            params = cls.presets.get(preset)
            shown = ", ".join(f"{k}={v}" for k, v in params.items())
            print(f"  {preset:<16} {shown}")
    return 0
