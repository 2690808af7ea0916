"""``aekit reconstruct``: reconstructions of a dataset or array file."""

from __future__ import annotations

import argparse
from pathlib import Path

from ._common import add_data_args, load_data, load_model, save_npy


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "reconstruct",
        help="reconstruct data through a model (.npy)",
        description="Encode and decode the data; writes reconstructions shaped "
        "like the input to a .npy file.",
        epilog="Example: aekit reconstruct --model runs/vanilla/model.safetensors "
        "--data images.npy --output recon.npy",
    )
    p.add_argument("--model", type=Path, required=True, help="a saved model file")
    add_data_args(p)
    p.add_argument("--output", type=Path, required=True, help="output .npy file")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    recon = model.reconstruct(load_data(args))
    save_npy(args.output, recon)
    print(f"wrote reconstructions of shape {recon.shape} to {args.output}")
    return 0
