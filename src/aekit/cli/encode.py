"""``aekit encode``: codes of a dataset or array file under a saved model."""

from __future__ import annotations

import argparse

from ._common import add_apply_command


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    add_apply_command(
        subparsers,
        "encode",
        "transform",
        "codes",
        description="Write the codes (encoder outputs) of the data to a .npy file.",
        example="aekit encode --model runs/vanilla/model.safetensors "
        "--dataset mnist --split test --output codes.npy",
    )
