"""``aekit compress``: a dataset or array file as a model's quantised, coded codes."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..compress import CODECS, QUANTIZATIONS, compress
from ._common import add_data_args, add_verbose, load_data, load_model


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "compress",
        help="compress data to a saved model's quantised codes (.aekc)",
        description="Encode the data with a saved autoencoder, quantise the codes "
        "(int8: 256 levels per code dimension; float16) and entropy-code them "
        "(zlib, lzma) into one checksummed file. `aekit decompress` with the same "
        "model turns it back into reconstructions. The model is not stored in the "
        "file: sender and receiver must share it.",
        epilog="Example: aekit compress --model runs/vanilla/model.safetensors "
        "--dataset mnist --split test --output test.aekc",
    )
    p.add_argument("--model", type=Path, required=True, help="a saved model file")
    add_data_args(p)
    p.add_argument(
        "--output", type=Path, required=True, help="compressed file to write (.aekc)"
    )
    p.add_argument(
        "--quantization",
        choices=list(QUANTIZATIONS),
        default="int8",
        help="int8: 8 bits per code value (default); float16: 16 bits",
    )
    p.add_argument(
        "--codec",
        choices=list(CODECS),
        default="zlib",
        help="entropy coder for the quantised codes (default zlib)",
    )
    add_verbose(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    stats = compress(
        load_model(args.model),
        load_data(args),
        args.output,
        quantization=args.quantization,
        codec=args.codec,
    )
    print(
        f"wrote {stats.n_samples} codes of size {stats.code_size} "
        f"({stats.quantization}, {stats.codec}) to {args.output}: "
        f"{stats.file_bytes} bytes, {stats.bits_per_sample:.1f} bits per sample "
        f"({stats.payload_bits_per_sample:.1f} of them coded codes, the rest "
        "header and checksum)"
    )
    return 0
