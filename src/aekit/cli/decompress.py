"""``aekit decompress``: reconstructions from a file written by ``aekit compress``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..compress import decompress
from ._common import add_verbose, load_model, save_npy


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "decompress",
        help="decode a compressed file (.aekc) to reconstructions (.npy)",
        description="Decode the codes in a file written by `aekit compress` with "
        "the same saved model; writes reconstructions shaped like the compressed "
        "samples to a .npy file. A damaged file, or one made by another model, is "
        "an error.",
        epilog="Example: aekit decompress --model runs/vanilla/model.safetensors "
        "--input test.aekc --output test_hat.npy",
    )
    p.add_argument(
        "--model",
        type=Path,
        required=True,
        help="the saved model the file was compressed with",
    )
    p.add_argument(
        "--input", type=Path, required=True, help="a file written by aekit compress"
    )
    p.add_argument("--output", type=Path, required=True, help="output .npy file")
    add_verbose(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    X_hat = decompress(load_model(args.model), args.input)
    save_npy(args.output, X_hat)
    print(f"wrote reconstructions of shape {X_hat.shape} to {args.output}")
    return 0
