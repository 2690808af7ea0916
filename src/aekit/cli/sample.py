"""``aekit sample``: draw new data from a saved variational autoencoder."""

from __future__ import annotations

import argparse
import math
from pathlib import Path

from ._common import add_verbose, load_model, save_figure, save_npy


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "sample",
        help="generate samples from a saved VAE (.npy or an image grid)",
        description="Decode draws z ~ N(0, I) of a saved variational autoencoder. "
        "An --output ending in .npy gets the array; .png/.svg/.pdf a grid of images.",
        epilog="Example: aekit sample --model runs/vae/model.safetensors --n 64 "
        "--seed 0 --output samples.png",
    )
    p.add_argument("--model", type=Path, required=True, help="a saved VAE file")
    p.add_argument("--n", type=int, default=64, help="how many samples (default 64)")
    p.add_argument("--seed", type=int, default=None, help="for reproducible samples")
    p.add_argument(
        "--binary",
        action="store_true",
        help="draw x ~ p(x|z) instead of the decoder's mean",
    )
    p.add_argument("--output", type=Path, required=True, help=".npy, or an image file")
    add_verbose(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    if not hasattr(model, "sample"):
        raise ValueError(
            f"{args.model} holds a {type(model).__name__}, which cannot generate "
            "data; train one with `aekit train --model vae`"
        )
    if args.n < 1:
        raise ValueError(f"--n must be >= 1, got {args.n}")
    samples = model.sample(args.n, random_state=args.seed, mean=not args.binary)
    if args.output.suffix == ".npy":
        save_npy(args.output, samples)
    else:
        from ..plots import as_images, image_grid

        images = as_images(samples)
        if images is None:
            raise ValueError(
                "the samples are not images; write them to a .npy file instead"
            )
        ncols = math.ceil(math.sqrt(args.n))
        nrows = math.ceil(args.n / ncols)
        save_figure(
            args.output,
            image_grid(images, nrows, ncols, title=f"{args.n} samples", cell_size=0.7),
        )
    print(f"wrote {args.n} samples to {args.output}")
    return 0
