"""The ``aekit`` command line. ``main(argv)`` runs in-process (tests call it).

Each subcommand lives in its own module exposing ``add_parser(subparsers)``; the
parser's ``func`` default does the work by calling library functions.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from .._version import __version__
from ..exceptions import AekitError
from . import datasets, denoise, encode, models, plot, reconstruct, train

SUBCOMMANDS = (train, encode, reconstruct, denoise, plot, models, datasets)

#: Errors that mean "the user asked for something impossible": one line, exit 2.
USER_ERRORS = (AekitError, ValueError, FileNotFoundError, OSError, KeyError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="aekit",
        description="Train, apply and inspect autoencoders.",
        epilog="Example: aekit train --dataset mnist --preset vanilla-mnist "
        "--epochs 20 --out runs/vanilla",
    )
    parser.add_argument("--version", action="version", version=f"aekit {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="show full tracebacks instead of one-line errors",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in SUBCOMMANDS:
        module.add_parser(subparsers)
    return parser


def _configure_logging(verbose: int) -> None:
    logger = logging.getLogger("aekit")
    if not any(getattr(h, "_aekit_cli", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("aekit: %(message)s"))
        handler._aekit_cli = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI with ``argv`` (default: ``sys.argv[1:]``); return the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    _configure_logging(getattr(args, "verbose", 0))
    try:
        return int(args.func(args) or 0)
    except USER_ERRORS as exc:
        if args.debug:
            raise
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        print(f"aekit: error: {message}", file=sys.stderr)
        return 2


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
