"""Reader and writer for the IDX format of MNIST and Fashion-MNIST.

Format (LeCun et al., http://yann.lecun.com/exdb/mnist/): two zero bytes, a type code
(0x08 ubyte, 0x09 byte, 0x0B int16, 0x0C int32, 0x0D float32, 0x0E float64), the number
of dimensions, then each dimension as a big-endian uint32, then the data in C order.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib
from pathlib import Path

import numpy as np

from ..exceptions import DataError

IDX_TYPES: dict[int, np.dtype] = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_GZIP_MAGIC = b"\x1f\x8b"


def _read_bytes(path: Path) -> bytes:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if not raw.startswith(_GZIP_MAGIC):
        return raw
    try:
        return gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(f"{path}: corrupt or truncated gzip stream ({exc})") from None


def read_idx(path: str | os.PathLike[str]) -> np.ndarray:
    """Read an IDX file (raw or gzip-compressed) into a numpy array.

    Parameters
    ----------
    path : path-like
        ``*-idx3-ubyte``, ``*-idx1-ubyte`` or the same with ``.gz``.

    Returns
    -------
    ndarray
        In the file's dimensions, with the native-endian version of its dtype.

    Raises
    ------
    aekit.DataError
        Naming the file and the problem: bad magic number, unknown type code,
        truncated header or data, trailing bytes, or a corrupt gzip stream.
    """
    path = Path(path)
    raw = _read_bytes(path)
    if len(raw) < 4:
        raise DataError(f"{path}: truncated: {len(raw)} bytes, too short for a header")
    zero_a, zero_b, code, ndim = raw[:4]
    if zero_a or zero_b:
        raise DataError(
            f"{path}: not an IDX file: bad magic number 0x{raw[:4].hex()} "
            "(must start with two zero bytes)"
        )
    if code not in IDX_TYPES:
        raise DataError(f"{path}: unknown IDX data type code 0x{code:02x}")
    if ndim == 0:
        raise DataError(f"{path}: IDX header declares 0 dimensions")
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise DataError(
            f"{path}: truncated header: need {header} bytes, found {len(raw)}"
        )
    dims = struct.unpack(f">{ndim}I", raw[4:header])
    dtype = IDX_TYPES[code]
    count = int(np.prod(dims, dtype=np.int64))
    expected, found = count * dtype.itemsize, len(raw) - header
    if found < expected:
        raise DataError(
            f"{path}: truncated: expected {expected} bytes of data for shape "
            f"{dims}, found {found}"
        )
    if found > expected:
        raise DataError(
            f"{path}: {found - expected} unexpected trailing bytes after the data "
            f"for shape {dims}"
        )
    data = np.frombuffer(raw, dtype=dtype, count=count, offset=header).reshape(dims)
    return data.astype(dtype.newbyteorder("="), copy=False)


def write_idx(path: str | os.PathLike[str], array: np.ndarray) -> None:
    """Write ``array`` as an IDX file, gzip-compressed when ``path`` ends in ``.gz``."""
    arr = np.asarray(array)
    codes = {dt.newbyteorder("=").str: code for code, dt in IDX_TYPES.items()}
    key = arr.dtype.newbyteorder("=").str
    if key not in codes:
        raise DataError(f"dtype {arr.dtype} cannot be stored in an IDX file")
    code = codes[key]
    header = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    payload = header + arr.astype(IDX_TYPES[code], copy=False).tobytes()
    path = Path(path)
    path.write_bytes(gzip.compress(payload) if path.suffix == ".gz" else payload)


def read_idx_pair(
    images_path: str | os.PathLike[str],
    labels_path: str | os.PathLike[str],
    image_shape: tuple[int, ...] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Read an images file and its labels file and check that they belong together.

    Parameters
    ----------
    images_path, labels_path : path-like
        IDX files, e.g. ``train-images-idx3-ubyte.gz`` and
        ``train-labels-idx1-ubyte.gz``.
    image_shape : tuple of int, optional
        Expected shape of one image, e.g. ``(28, 28)``.

    Returns
    -------
    images : ndarray, shape (n, *image_shape)
    labels : ndarray, shape (n,)

    Raises
    ------
    aekit.DataError
        If either file is unreadable, the labels are not one-dimensional, the
        image shape is not ``image_shape``, or the counts differ (naming both files).
    """
    images, labels = read_idx(images_path), read_idx(labels_path)
    if labels.ndim != 1:
        raise DataError(
            f"{labels_path}: labels must be 1-D, found shape {labels.shape}"
        )
    if image_shape is not None and images.shape[1:] != tuple(image_shape):
        raise DataError(
            f"{images_path}: images of shape {images.shape[1:]}, expected "
            f"{tuple(image_shape)}"
        )
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{images_path} holds {images.shape[0]} images but {labels_path} holds "
            f"{labels.shape[0]} labels"
        )
    return images, labels
