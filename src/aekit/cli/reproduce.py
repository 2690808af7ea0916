"""``aekit reproduce``: rerun a published autoencoder result."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import add_verbose


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "reproduce",
        help="rerun a published experiment (list: aekit reproduce list)",
        description="Rerun a published autoencoder experiment with its published "
        "settings, write OUT/NAME/result.json (reached vs published numbers) and "
        "its figures. `aekit reproduce list` lists the experiments.",
        epilog="Example: aekit reproduce vanilla-mnist --quick --out runs/repro, "
        "then aekit report runs/repro",
    )
    p.add_argument("name", metavar="NAME", help="an experiment name, or `list`")
    p.add_argument(
        "--quick",
        action="store_true",
        help="one epoch on a small subset (for CI); numbers are not compared",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("reproduce"),
        metavar="DIR",
        help="output folder; the run goes to DIR/NAME/ (default: reproduce)",
    )
    p.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    add_verbose(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List the experiments, or run one and print its verdicts."""
    from .. import experiments

    if args.name == "list":
        width = max(len(n) for n in experiments.names()) + 2
        for name in experiments.names():
            print(f"{name:<{width}}{experiments.get(name).title}")
        return 0
    experiment = experiments.get(args.name)  # unknown: one-line error
    result = experiment.run(
        args.out, quick=args.quick, seed=args.seed, verbose=args.verbose
    )
    folder = args.out / experiment.name
    for key, value in result["metrics"].items():
        verdict = result["checks"].get(key)
        shown = "nan/inf" if value is None else f"{value:.6g}"
        print(f"{key}: {shown}" + (f" ({verdict})" if verdict else ""))
    print(
        f"wrote {folder / 'result.json'} and {len(result['figures'])} figure(s) "
        f"in {result['seconds']:.1f} s"
    )
    if not result["finite"]:
        print("aekit: error: some metrics are NaN or infinite")
        return 1
    return 0
