"""Reading and writing folders of images with Pillow."""

from __future__ import annotations

import io
import logging
import os
from pathlib import Path

import numpy as np

from ..exceptions import DataError

logger = logging.getLogger("aekit")

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp")


def list_images(folder: str | os.PathLike[str]) -> list[Path]:
    """Image files directly in ``folder`` (by suffix), sorted by name."""
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: not a folder")
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
    )


def load_images(
    folder: str | os.PathLike[str],
    size: tuple[int, int] | None = None,
    mode: str = "L",
    errors: str = "raise",
) -> tuple[np.ndarray, list[Path]]:
    """Load every image in ``folder`` as float32 in [0, 1].

    Parameters
    ----------
    folder : path-like
        Folder holding image files (PNG, JPEG, BMP, GIF, TIFF, WebP).
    size : (width, height), optional
        Resize every image to this size (bilinear). Without it all images must
        already have the same size.
    mode : {"L", "RGB"}
        Greyscale ``(n, h, w)`` or colour ``(n, h, w, 3)``.
    errors : {"raise", "skip"}
        ``"raise"``: one :class:`aekit.DataError` listing every unreadable file;
        ``"skip"``: leave them out with a logged warning.

    Returns
    -------
    images : ndarray of float32
    paths : list of Path
        The file each image came from, in the same order.
    """
    from PIL import Image, UnidentifiedImageError

    if mode not in ("L", "RGB"):
        raise ValueError(f"mode must be 'L' or 'RGB', got {mode!r}")
    if errors not in ("raise", "skip"):
        raise ValueError(f"errors must be 'raise' or 'skip', got {errors!r}")
    arrays, paths, bad = [], [], []
    for path in list_images(folder):
        try:
            with Image.open(path) as img:
                img = img.convert(mode)
                if size is not None:
                    img = img.resize(tuple(size), Image.Resampling.BILINEAR)
                arrays.append(np.asarray(img, dtype=np.float32) / 255.0)
            paths.append(path)
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            bad.append(f"{path.name} ({exc})")
    if bad and errors == "raise":
        raise DataError(
            f"{len(bad)} unreadable image file(s) in {folder}: " + "; ".join(bad)
        )
    for item in bad:
        logger.warning("skipped unreadable image %s", item)
    if not arrays:
        raise DataError(f"{folder}: no readable images")
    shapes = {a.shape for a in arrays}
    if len(shapes) > 1:
        raise DataError(
            f"{folder}: images have different sizes {sorted(shapes)}; pass size=(w, h)"
        )
    return np.stack(arrays), paths


def image_bytes(image: np.ndarray, fmt: str) -> bytes:
    """Encode one float image in [0, 1] (``(h, w)`` or ``(h, w, 3)``) as ``fmt``."""
    from PIL import Image

    pixels = np.clip(np.rint(np.asarray(image) * 255.0), 0, 255).astype(np.uint8)
    if pixels.ndim == 3 and pixels.shape[2] == 1:
        pixels = pixels[..., 0]
    buffer = io.BytesIO()
    Image.fromarray(pixels).save(buffer, format=fmt)
    return buffer.getvalue()
