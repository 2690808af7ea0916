"""``aekit denoise``: clean a folder of images with a saved (denoising) model."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from ..data.images import image_bytes, load_images
from ..io import atomic_write_bytes
from ._common import load_model

_FORMATS = {
    ".png": "PNG",
    ".jpg": "JPEG",
    ".jpeg": "JPEG",
    ".bmp": "BMP",
    ".gif": "GIF",
    ".tif": "TIFF",
    ".tiff": "TIFF",
    ".webp": "WEBP",
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "denoise",
        help="denoise a folder of images",
        description="Reconstruct every image of INPUT through a saved model and "
        "write the results to OUTPUT with the same names and formats.",
        epilog="Example: aekit denoise --model runs/dae/model.safetensors "
        "--input noisy/ --output clean/",
    )
    p.add_argument("--model", type=Path, required=True, help="a saved model file")
    p.add_argument("--input", type=Path, required=True, help="folder of images")
    p.add_argument("--output", type=Path, required=True, help="output folder")
    p.add_argument(
        "--skip-unreadable",
        action="store_true",
        help="skip files that are not images instead of failing",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    shape = tuple(model.input_shape_)
    if len(shape) not in (2, 3):
        raise ValueError(
            f"{args.model}: the model was trained on samples of shape {shape}, not "
            "images; denoise needs a model trained on (n, h, w[, c]) images"
        )
    channels_first = len(shape) == 3 and shape[0] in (1, 3) and shape[-1] not in (1, 3)
    n_channels = (shape[0] if channels_first else shape[-1]) if len(shape) == 3 else 1
    height, width = shape[-2:] if channels_first else shape[:2]
    images, paths = load_images(
        args.input,
        size=(width, height),
        mode="RGB" if n_channels == 3 else "L",
        errors="skip" if args.skip_unreadable else "raise",
    )
    # Pillow gives (n, h, w) or (n, h, w, 3); bring them to the model's layout.
    batch = images if images.ndim == 4 else images[..., None]
    batch = np.moveaxis(batch, -1, 1) if channels_first else batch
    cleaned = model.reconstruct(batch.reshape(len(batch), *shape))
    cleaned = cleaned.reshape(batch.shape)
    cleaned = np.moveaxis(cleaned, 1, -1) if channels_first else cleaned
    for image, path in zip(cleaned, paths, strict=True):
        fmt = _FORMATS[path.suffix.lower()]
        atomic_write_bytes(args.output / path.name, image_bytes(image, fmt))
    print(f"denoised {len(paths)} images into {args.output}")
    return 0
