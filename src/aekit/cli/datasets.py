"""``aekit datasets``: known datasets and where they are on this machine."""

from __future__ import annotations

import argparse


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "datasets",
        help="list datasets and whether they are available",
        description="List the datasets aekit knows, with sizes, citations and "
        "where each is found (AEKIT_DATA_DIR, the cache, or downloadable).",
        epilog="Example: AEKIT_DATA_DIR=../shared/data aekit datasets",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from .. import datasets

    for name in datasets.list_datasets():
        info = datasets.dataset_info(name)
        sizes = ", ".join(f"{k} {v}" for k, v in info["n_samples"].items())
        where = info["location"] if info["available"] else "not on disk (downloadable)"
        print(f"{name:<14} {info['description']}")
        print(f"{'':<14} {sizes}; {where}")
    print(f"\nsearched: {', '.join(str(d) for d in datasets.search_dirs())}")
    return 0
