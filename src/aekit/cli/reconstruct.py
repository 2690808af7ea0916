"""``aekit reconstruct``: reconstructions of a dataset or array file."""

from __future__ import annotations

import argparse

from ._common import add_apply_command


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    add_apply_command(
        subparsers,
        "reconstruct",
        "reconstruct",
        "reconstructions",
        description="Encode and decode the data; writes reconstructions shaped like "
        "the input to a .npy file.",
        example="aekit reconstruct --model runs/vanilla/model.safetensors "
        "--data images.npy --output recon.npy",
    )
