"""Helpers shared by the subcommands: data arguments and atomic output files."""

from __future__ import annotations

import argparse
import csv
import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import DataError
from ..io import atomic_write_bytes


def add_data_args(parser: argparse.ArgumentParser, required: bool = True) -> None:
    """``--dataset NAME [--split S] | --data FILE`` and ``--limit N``."""
    group = parser.add_mutually_exclusive_group(required=required)
    group.add_argument("--dataset", help="a dataset name (see `aekit datasets`)")
    group.add_argument(
        "--data", type=Path, help="an array file: .npy, .npz (key X) or .csv"
    )
    parser.add_argument(
        "--split",
        default="train",
        choices=["train", "test"],
        help="dataset split (default: train)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="use only the first N samples",
    )


def sizes(text: str) -> tuple[int, ...]:
    """argparse type: ``"128,64"`` → ``(128, 64)``."""
    try:
        return tuple(int(s) for s in text.split(",") if s.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers like 128,64, got {text!r}"
        ) from None


def load_data(args: argparse.Namespace) -> np.ndarray:
    """The samples named by the data arguments."""
    return load_data_xy(args)[0]


def load_data_xy(args: argparse.Namespace) -> tuple[np.ndarray, np.ndarray | None]:
    """The samples named by the data arguments, and their labels if they have any
    (a named dataset, or an .npz file with a ``y`` array)."""
    from .. import datasets

    y: np.ndarray | None = None
    if args.dataset:
        X, y = datasets.load(args.dataset, split=args.split)
    else:
        X = datasets.load_array(args.data)
        if args.data.suffix == ".npz":
            with np.load(args.data, allow_pickle=False) as archive:
                y = archive["y"] if "y" in archive.files else None
    if args.limit is not None:
        if args.limit < 1:
            raise DataError(f"--limit must be >= 1, got {args.limit}")
        X = X[: args.limit]
        y = None if y is None else y[: args.limit]
    return X, y


def add_verbose(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="progress bars and log messages (-vv: per batch)",
    )


def save_npy(path: Path, array: np.ndarray) -> None:
    """Write ``array`` to ``path`` atomically."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    atomic_write_bytes(path, buffer.getvalue())


def save_csv(path: Path, columns: Mapping[str, np.ndarray]) -> None:
    """Write equal-length 1-D ``columns`` to ``path`` as CSV with a header, atomically.

    Integers are written as integers; floats with the shortest text that reads
    back to the same float64.
    """
    arrays = [np.asarray(column).ravel() for column in columns.values()]
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(zip(*(array.tolist() for array in arrays), strict=True))
    atomic_write_bytes(path, text.getvalue().encode())


def save_figure(path: Path, fig: Any) -> None:
    """Render a matplotlib figure to ``path`` atomically (format from the suffix)."""
    buffer = io.BytesIO()
    fig.savefig(
        buffer, format=path.suffix.lstrip(".") or "png", dpi=120, bbox_inches="tight"
    )
    atomic_write_bytes(path, buffer.getvalue())


def load_model(path: Path) -> Any:
    from ..io import load

    return load(path)


def add_apply_command(
    subparsers: argparse._SubParsersAction,
    name: str,
    method: str,
    noun: str,
    description: str,
    example: str,
) -> None:
    """A subcommand that applies ``model.<method>`` to data and saves a ``.npy``."""
    p = subparsers.add_parser(
        name,
        help=f"{name} data with a saved model (.npy)",
        description=description,
        epilog=f"Example: {example}",
    )
    p.add_argument("--model", type=Path, required=True, help="a saved model file")
    add_data_args(p)
    p.add_argument("--output", type=Path, required=True, help="output .npy file")
    add_verbose(p)

    def run(args: argparse.Namespace) -> int:
        result = getattr(load_model(args.model), method)(load_data(args))
        save_npy(args.output, result)
        print(f"wrote {noun} of shape {result.shape} to {args.output}")
        return 0

    p.set_defaults(func=run)
