"""``aekit encode``: codes of a dataset or array file under a saved model."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import add_data_args, load_data, load_model, save_npy


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "encode",
        help="encode data into codes (.npy)",
        description="Write the codes (encoder outputs) of the data to a .npy file.",
        epilog="Example: aekit encode --model runs/vanilla/model.safetensors "
        "--dataset mnist --split test --output codes.npy",
    )
    p.add_argument("--model", type=Path, required=True, help="a saved model file")
    add_data_args(p)
    p.add_argument("--output", type=Path, required=True, help="output .npy file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    codes = model.transform(load_data(args))
    save_npy(args.output, codes)
    print(f"wrote codes of shape {codes.shape} to {args.output}")
    return 0
