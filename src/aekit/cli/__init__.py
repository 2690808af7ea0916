"""The ``aekit`` command line. ``main(argv)`` runs in-process (tests call it).

Each subcommand lives in its own module exposing ``add_parser(subparsers)``; the
parser's ``func`` default does the work by calling library functions.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from collections.abc import Iterator, Sequence

from .._version import __version__
from ..exceptions import AekitError
from . import (
    compress,
    datasets,
    decompress,
    denoise,
    detect,
    embed,
    encode,
    models,
    plot,
    reconstruct,
    report,
    reproduce,
    sample,
    text,
    train,
)

SUBCOMMANDS = (
    train,
    encode,
    reconstruct,
    compress,
    decompress,
    denoise,
    sample,
    detect,
    embed,
    text,
    plot,
    models,
    datasets,
    reproduce,
    report,
)

#: Errors that mean "the user asked for something impossible": one line, exit 2.
USER_ERRORS = (AekitError, ValueError, FileNotFoundError, OSError, KeyError)


EPILOG = """\
examples:
  aekit train --dataset mnist --preset vanilla-mnist --epochs 20 --out runs/vanilla
  aekit encode --model runs/vanilla/model.safetensors --dataset mnist --split test \\
      --output codes.npy
  aekit compress --model runs/vanilla/model.safetensors --dataset mnist \\
      --split test --output test.aekc
  aekit decompress --model runs/vanilla/model.safetensors --input test.aekc \\
      --output test_hat.npy
  aekit plot reconstructions --model runs/vanilla/model.safetensors \\
      --dataset mnist --split test --output recon.png
  aekit plot history --model runs/vanilla/model.safetensors --output loss.png
  aekit train --model vae --preset mnist-2d --dataset mnist --epochs 10 --out runs/vae
  aekit sample --model runs/vae/model.safetensors --n 64 --output samples.png
  aekit plot manifold --model runs/vae/model.safetensors --output manifold.png
  aekit detect --train normal.csv --score new.csv --contamination 0.05 \\
      --output scores.csv
  aekit embed --dataset mnist --code-size 2 --plot embed.png --output codes.npy
  aekit text fit --corpus reuters --limit 5000 --epochs 5 --out runs/text
  aekit reproduce list
  aekit reproduce vanilla-mnist --quick --out runs/repro
  aekit report runs/repro

Run `aekit COMMAND --help` for the options of one command."""


def build_parser() -> argparse.ArgumentParser:
    """The ``aekit`` parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="aekit",
        description="Train, apply and inspect autoencoders.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
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
    _accept_debug_everywhere(parser)
    return parser


def _accept_debug_everywhere(parser: argparse.ArgumentParser) -> None:
    """Let ``--debug`` also follow the subcommand (``aekit train ... --debug``)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                sub.add_argument(
                    "--debug",
                    action="store_true",
                    default=argparse.SUPPRESS,
                    help=argparse.SUPPRESS,
                )
                _accept_debug_everywhere(sub)


class _Formatter(logging.Formatter):
    """``aekit: message`` for INFO, ``aekit: warning: message`` above."""

    def format(self, record: logging.LogRecord) -> str:
        level = "" if record.levelno <= logging.INFO else record.levelname.lower()
        return f"aekit: {level + ': ' if level else ''}{record.getMessage()}"


@contextlib.contextmanager
def _logging_to_stderr(verbose: int) -> Iterator[None]:
    """Show aekit's log messages on stderr: warnings always, INFO with ``-v``.

    The handler writes to the current ``sys.stderr`` and is removed afterwards,
    with the logger's level restored, so calling :func:`main` in-process (tests,
    notebooks) leaves no logging state behind.
    """
    logger = logging.getLogger("aekit")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter())
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line in-process and return its exit code.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; default ``sys.argv[1:]``.

    Returns
    -------
    int
        0 on success; 2 for a usage error or a one-line ``aekit: error:`` raised
        by the library (``--debug`` shows the traceback instead); 130 when
        interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return int(exc.code or 0)
    try:
        with _logging_to_stderr(getattr(args, "verbose", 0)):
            return int(args.func(args) or 0)
    except USER_ERRORS as exc:
        if args.debug:
            raise
        text = str(exc).strip()
        message = text.splitlines()[0] if text else type(exc).__name__
        print(f"aekit: error: {message}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        if args.debug:
            raise
        print("aekit: interrupted", file=sys.stderr)
        return 130


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
