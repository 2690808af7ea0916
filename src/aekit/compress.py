"""Lossy compression with an autoencoder: quantised, entropy-coded codes in one file.

:func:`compress` encodes samples with a fitted autoencoder, quantises the codes
(``"int8"``: 256 uniform levels per code dimension between its minimum and
maximum; ``"int7"`` to ``"int2"``: 128 to 4 levels; ``"float16"``: half
precision) and entropy-codes them with a standard codec (``"zlib"``, ``"lzma"``
or ``"none"``). :func:`decompress` reverses it with the same model. The model
itself is not stored: sender and receiver share it, as JPEG coders share their
decoder.

File format (``.aekc``, version 1; all integers little-endian)::

    offset      size  field
    0           4     magic b"AEKC"
    4           2     format version, uint16 (1)
    6           4     header length H, uint32
    10          H     header: UTF-8 JSON (see below)
    10+H        8     payload length P, uint64
    18+H        P     payload: the codec's output
    18+H+P      4     CRC-32 of bytes [0, 18+H+P)

The header holds ``n_samples``, ``code_size``, ``quantization`` (for ``"intN"``
with the ``scale`` and ``offset`` of each code dimension: little-endian float32
arrays, base64-encoded), ``codec`` (and ``codec_options``), ``sample_shape`` and
``dtype`` of the compressed samples, the ``model`` that made the codes (class
name and SHA-256 fingerprint, see :func:`model_fingerprint`) and the
``aekit_version`` that wrote it.

The decompressed payload is the quantised codes in *byte planes, dimension
major*. ``"intN"`` levels take one byte each (the entropy coder, not bit
packing, removes the unused bits), half floats two. For codes of shape ``(n, d)``
with ``k`` bytes per value the payload holds the ``n`` values of dimension 0,
then those of dimension 1, ...; for ``k > 1``, first the lowest byte of every
value in that order, then the next byte (``k`` planes of ``d * n`` bytes).
Values of one dimension share a distribution, and the high bytes of half floats
vary far less than the low ones, so this order gives the codec long runs of
similar bytes (the "shuffle" filter of HDF5 and Blosc).

``"zlib"`` stores a raw DEFLATE stream (level 9, no zlib wrapper: the file's
CRC-32 already covers the data) and ``"lzma"`` a raw LZMA2 stream (preset 9e)
whose dictionary size is in ``codec_options``. See ``docs/compression.md``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import lzma
import math
import os
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import torch
from sklearn.utils.validation import check_is_fitted

from ._version import __version__
from .estimators._validation import check_choice
from .exceptions import DataError
from .io import atomic_write_bytes

MAGIC = b"AEKC"
FORMAT_VERSION = 1
#: Quantisations :func:`encode_codes` offers: name -> stored dtype.
QUANTIZATIONS: dict[str, str] = {
    **{f"int{bits}": "u1" for bits in range(8, 1, -1)},
    "float16": "<f2",
}
#: Codecs :func:`encode_codes` offers.
CODECS = ("zlib", "lzma", "none")

_PREFIX = struct.Struct("<4sHI")  # magic, version, header length
_PAYLOAD_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")
_FLOAT16_MAX = float(np.finfo(np.float16).max)
_LZMA_DICT_MIN, _LZMA_DICT_MAX = 1 << 12, 1 << 26

PathOrFile = str | os.PathLike[str] | BinaryIO


@dataclass(frozen=True)
class CompressionStats:
    """Sizes of one compressed file (returned by :func:`compress`).

    Attributes
    ----------
    n_samples : int
        Samples compressed.
    code_size : int
        Dimensions of each code.
    quantization, codec : str
        As passed to :func:`compress`.
    file_bytes : int
        Size of the whole file: prefix, header, payload and checksum.
    payload_bytes : int
        Size of the entropy-coded codes alone.
    """

    n_samples: int
    code_size: int
    quantization: str
    codec: str
    file_bytes: int
    payload_bytes: int

    @property
    def bits_per_sample(self) -> float:
        """Whole-file bits per sample (the header amortised over the samples)."""
        return 8.0 * self.file_bytes / self.n_samples

    @property
    def payload_bits_per_sample(self) -> float:
        """Bits per sample of the entropy-coded codes alone."""
        return 8.0 * self.payload_bytes / self.n_samples


@dataclass(frozen=True)
class CodesFile:
    """A parsed compressed file (returned by :func:`read_codes`).

    Attributes
    ----------
    codes : ndarray of shape (n_samples, code_size), float32
        The dequantised codes.
    header : dict
        The file's JSON header.
    payload_bytes : int
        Size of the entropy-coded payload.
    """

    codes: np.ndarray
    header: dict[str, Any]
    payload_bytes: int


# ------------------------------------------------------------------ model identity
def model_fingerprint(estimator: Any) -> str:
    """SHA-256 identifying a fitted autoencoder's encoder and decoder.

    Hashes the class name, the network configuration (``module_config_``, which
    holds e.g. the activations) and every tensor of the network's state dict
    (name, dtype, shape and bytes, in sorted order). A model saved and loaded
    again keeps its fingerprint; any retraining changes it.

    Parameters
    ----------
    estimator : fitted aekit autoencoder

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    check_is_fitted(estimator, "module_")
    config = json.dumps(
        {
            "class": type(estimator).__name__,
            "module_config": getattr(estimator, "module_config_", None),
        },
        sort_keys=True,
    )
    h = hashlib.sha256(config.encode("utf-8"))
    state = estimator.module_.state_dict()
    for key in sorted(state):
        t = state[key].detach().cpu().contiguous()
        h.update(f"|{key}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


# ------------------------------------------------------------------ quantisation
def _quantize(
    codes: np.ndarray, quantization: str
) -> tuple[np.ndarray, dict[str, Any]]:
    """Quantised codes (stored dtype) and the header fields needed to undo it."""
    if quantization == "float16":
        too_big = np.abs(codes) > _FLOAT16_MAX
        if too_big.any():
            raise DataError(
                f"codes reach {float(np.abs(codes).max()):.4g}, beyond float16's "
                f"largest value {_FLOAT16_MAX:g}; use quantization='int8'"
            )
        return codes.astype(QUANTIZATIONS[quantization]), {}
    top = _top_level(quantization)
    lo = codes.min(axis=0).astype(np.float32)
    hi = codes.max(axis=0).astype(np.float32)
    span = hi.astype(np.float64) - lo.astype(np.float64)
    scale = (span / top).astype(np.float32)
    # float32 rounding may leave top * scale just short of the span, which would
    # push the maximum past the top level; one ulp up keeps every value in range.
    short = scale.astype(np.float64) * top < span
    scale[short] = np.nextafter(scale[short], np.float32(np.inf))
    # A constant dimension needs no levels; any positive scale decodes it exactly.
    scale[scale == 0] = 1.0
    levels = np.rint((codes - lo.astype(np.float64)) / scale.astype(np.float64))
    q = np.clip(levels, 0, top).astype(QUANTIZATIONS[quantization])
    return q, {"scale": _b64_float32(scale), "offset": _b64_float32(lo)}


def _top_level(quantization: str) -> int:
    """Highest level of ``"intN"``: ``2**N - 1``."""
    return (1 << int(quantization[3:])) - 1


def _b64_float32(values: np.ndarray) -> str:
    # Exact and about a third the size of decimal JSON numbers.
    return base64.b64encode(values.astype("<f4").tobytes()).decode("ascii")


def _float32_b64(text: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(text, validate=True), dtype="<f4")


def _dequantize(q: np.ndarray, header: Mapping[str, Any]) -> np.ndarray:
    if header["quantization"] == "float16":
        return q.astype(np.float32)
    scale = _float32_b64(header["scale"]).astype(np.float64)
    offset = _float32_b64(header["offset"]).astype(np.float64)
    return (offset + q.astype(np.float64) * scale).astype(np.float32)


# ------------------------------------------------------------------ byte layout
def _to_planes(q: np.ndarray) -> bytes:
    """``(n, d)`` values → byte planes, dimension-major (see the module docstring)."""
    n, d = q.shape
    k = q.dtype.itemsize
    per_dim = np.ascontiguousarray(q.T).view(np.uint8).reshape(d, n, k)
    return np.ascontiguousarray(per_dim.transpose(2, 0, 1)).tobytes()


def _from_planes(raw: bytes, n: int, d: int, dtype: str) -> np.ndarray:
    k = np.dtype(dtype).itemsize
    planes = np.frombuffer(raw, dtype=np.uint8).reshape(k, d, n)
    per_dim = np.ascontiguousarray(planes.transpose(1, 2, 0))
    return per_dim.view(dtype).reshape(d, n).T.copy()


# ------------------------------------------------------------------ codecs
def _lzma_filters(dict_size: int) -> list[dict[str, Any]]:
    return [
        {
            "id": lzma.FILTER_LZMA2,
            "preset": 9 | lzma.PRESET_EXTREME,
            "dict_size": dict_size,
        }
    ]


def _compress_bytes(raw: bytes, codec: str) -> tuple[bytes, dict[str, Any]]:
    if codec == "zlib":
        packer = zlib.compressobj(level=9, wbits=-15)
        return packer.compress(raw) + packer.flush(), {}
    if codec == "lzma":
        # The decoder allocates the whole dictionary, so size it to the data
        # instead of preset 9's 64 MiB.
        dict_size = min(
            max(_LZMA_DICT_MIN, 1 << (len(raw) - 1).bit_length()), _LZMA_DICT_MAX
        )
        packed = lzma.compress(
            raw, format=lzma.FORMAT_RAW, filters=_lzma_filters(dict_size)
        )
        return packed, {"dict_size": dict_size}
    return raw, {}


def _decompress_bytes(
    payload: bytes, header: Mapping[str, Any], expected: int, source: str
) -> bytes:
    codec = header["codec"]
    try:
        if codec == "zlib":
            unpacker = zlib.decompressobj(wbits=-15)
            # max_length: a damaged stream must not expand without bound.
            raw = unpacker.decompress(payload, expected + 1)
            complete = unpacker.eof and not unpacker.unused_data
        elif codec == "lzma":
            dict_size = int((header.get("codec_options") or {})["dict_size"])
            if not _LZMA_DICT_MIN <= dict_size <= _LZMA_DICT_MAX:
                raise ValueError(f"dictionary size {dict_size} out of range")
            lz = lzma.LZMADecompressor(
                format=lzma.FORMAT_RAW, filters=_lzma_filters(dict_size)
            )
            raw = lz.decompress(payload, max_length=expected + 1)
            complete = lz.eof and not lz.unused_data
        else:
            raw, complete = payload, True
    except (zlib.error, lzma.LZMAError, KeyError, TypeError, ValueError) as exc:
        raise DataError(f"{source}: corrupt {codec} payload ({exc})") from None
    if len(raw) != expected or not complete:
        raise DataError(
            f"{source}: corrupt payload: the {codec} stream does not decode to the "
            f"{expected} bytes the header announces"
        )
    return raw


# ------------------------------------------------------------------ the format
def _check_codes(codes: Any) -> np.ndarray:
    arr = np.asarray(codes)
    if arr.ndim != 2:
        raise DataError(f"codes must be (n_samples, code_size), got shape {arr.shape}")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise DataError(f"codes hold no data (shape {arr.shape})")
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise DataError(f"codes must be real numbers, got dtype {arr.dtype}")
    arr = arr.astype(np.float32, copy=False)
    bad = ~np.isfinite(arr).all(axis=1)
    if bad.any():
        raise DataError(
            f"codes row {int(np.argmax(bad))} holds NaN or infinite values "
            "(NaN input, or a diverged model?)"
        )
    return arr


def _pack(
    codes: Any,
    quantization: str,
    codec: str,
    extra: Mapping[str, Any],
) -> tuple[bytes, int]:
    """The whole file and the length of its payload."""
    check_choice("quantization", quantization, QUANTIZATIONS)
    check_choice("codec", codec, CODECS)
    arr = _check_codes(codes)
    q, quant_fields = _quantize(arr, quantization)
    payload, codec_options = _compress_bytes(_to_planes(q), codec)
    header: dict[str, Any] = {
        "aekit_version": __version__,
        "n_samples": int(arr.shape[0]),
        "code_size": int(arr.shape[1]),
        "quantization": quantization,
        **quant_fields,
        "codec": codec,
        **({"codec_options": codec_options} if codec_options else {}),
        **extra,
    }
    header_bytes = json.dumps(header, sort_keys=True, separators=(",", ":")).encode()
    body = b"".join(
        [
            _PREFIX.pack(MAGIC, FORMAT_VERSION, len(header_bytes)),
            header_bytes,
            _PAYLOAD_LENGTH.pack(len(payload)),
            payload,
        ]
    )
    return body + _CRC.pack(zlib.crc32(body)), len(payload)


def encode_codes(
    codes: Any,
    *,
    quantization: str = "int8",
    codec: str = "zlib",
    sample_shape: Sequence[int] | None = None,
    dtype: str | None = None,
    model: Mapping[str, str] | None = None,
) -> bytes:
    """Quantise and entropy-code ``codes`` into the bytes of a compressed file.

    Parameters
    ----------
    codes : array-like of shape (n_samples, code_size)
        Finite real numbers, e.g. an autoencoder's ``transform`` output.
    quantization : {"int8", "int7", ..., "int2", "float16"}, default="int8"
        ``"intN"``: each dimension's range [min, max] over the samples is cut
        into ``2**N - 1`` equal steps and every value rounded to the nearest
        level, so the error is at most half a step (``scale / 2``); the step and
        minimum of each dimension go into the header as float32. Fewer bits
        trade reconstruction quality for size (on MNIST codes ``"int6"`` costs
        under 0.1 dB PSNR and a quarter of the bits). ``"float16"``: IEEE half
        precision (about 3 significant digits; values beyond ±65504 are
        rejected).
    codec : {"zlib", "lzma", "none"}, default="zlib"
        Entropy coder for the quantised bytes: DEFLATE (level 9), LZMA2
        (preset 9e; smaller for large files, slower) or none.
    sample_shape : sequence of int, optional
        Shape of one original sample, so decompression can restore it.
    dtype : str, optional
        The original samples' dtype name, e.g. ``"float32"``.
    model : mapping, optional
        ``{"class": ..., "fingerprint": ...}`` of the model that made the codes.

    Returns
    -------
    bytes
        The file's contents (see the module docstring for the layout).

    Raises
    ------
    ValueError
        For an unknown ``quantization`` or ``codec``.
    aekit.DataError
        For codes that are not a non-empty 2-D array of finite real numbers, or
        exceed float16's range with ``quantization="float16"``.

    Examples
    --------
    >>> import numpy as np
    >>> codes = np.random.default_rng(0).normal(size=(100, 8))
    >>> data = encode_codes(codes)
    >>> bool(np.abs(decode_codes(data) - codes).max() < 0.05)
    True
    """
    shape = None if sample_shape is None else [int(s) for s in sample_shape]
    extra = {
        "sample_shape": shape,
        "dtype": dtype,
        "model": None if model is None else dict(model),
    }
    return _pack(codes, quantization, codec, extra)[0]


def read_codes(data: bytes, *, source: str = "<bytes>") -> CodesFile:
    """Verify and decode the bytes of a compressed file.

    Parameters
    ----------
    data : bytes
        A file written by :func:`encode_codes` or :func:`compress`.
    source : str, default="<bytes>"
        How error messages name the data (the file name).

    Returns
    -------
    CodesFile

    Raises
    ------
    aekit.DataError
        If the data is not an aekit compressed file (wrong magic bytes), is
        from a newer format version, is truncated or has bytes after its end,
        fails the checksum, or its header or payload does not make sense.
    """
    prefix_end = _PREFIX.size
    if len(data) < len(MAGIC) or data[: len(MAGIC)] != MAGIC:
        raise DataError(
            f"{source}: not an aekit compressed file (it does not start with {MAGIC!r})"
        )
    if len(data) < prefix_end:
        raise DataError(f"{source}: truncated: {len(data)} bytes, no complete header")
    _, version, header_len = _PREFIX.unpack_from(data)
    if version > FORMAT_VERSION or version < 1:
        raise DataError(
            f"{source}: format version {version}; this aekit {__version__} reads "
            f"versions up to {FORMAT_VERSION}. Upgrade aekit to decompress it."
        )
    payload_start = prefix_end + header_len + _PAYLOAD_LENGTH.size
    if len(data) < payload_start:
        raise DataError(
            f"{source}: truncated: {len(data)} bytes, but its header alone needs "
            f"{payload_start}"
        )
    (payload_len,) = _PAYLOAD_LENGTH.unpack_from(data, payload_start - 8)
    end = payload_start + payload_len
    if len(data) < end + _CRC.size:
        raise DataError(
            f"{source}: truncated: {len(data)} bytes of {end + _CRC.size} (the file "
            "was cut short while writing or copying)"
        )
    if len(data) > end + _CRC.size:
        raise DataError(
            f"{source}: {len(data) - end - _CRC.size} unexpected bytes after the end "
            "of the compressed data"
        )
    (stored_crc,) = _CRC.unpack_from(data, end)
    if zlib.crc32(data[:end]) != stored_crc:
        raise DataError(
            f"{source}: corrupt: checksum mismatch, the file was damaged or modified "
            "after it was written"
        )
    header = _parse_header(data[prefix_end : prefix_end + header_len], source)
    n, d = header["n_samples"], header["code_size"]
    dtype = QUANTIZATIONS[header["quantization"]]
    raw = _decompress_bytes(
        data[payload_start:end], header, n * d * np.dtype(dtype).itemsize, source
    )
    q = _from_planes(raw, n, d, dtype)
    quantization = header["quantization"]
    if quantization != "float16" and int(q.max()) > _top_level(quantization):
        raise DataError(
            f"{source}: corrupt payload: levels above {quantization}'s "
            f"{_top_level(quantization)}"
        )
    codes = _dequantize(q, header)
    return CodesFile(codes=codes, header=header, payload_bytes=int(payload_len))


def _parse_header(raw: bytes, source: str) -> dict[str, Any]:
    """The JSON header, checked field by field (a valid CRC proves no intent)."""
    try:
        header = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(f"{source}: damaged header ({exc})") from None

    def bad(what: str) -> DataError:
        return DataError(f"{source}: damaged header: {what}")

    if not isinstance(header, dict):
        raise bad("not a JSON object")
    for key in ("n_samples", "code_size"):
        value = header.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise bad(f"{key} must be a positive integer, found {value!r}")
    if header.get("quantization") not in QUANTIZATIONS:
        raise bad(f"unsupported quantization {header.get('quantization')!r}")
    if header.get("codec") not in CODECS:
        raise bad(f"unsupported codec {header.get('codec')!r}")
    if header["quantization"] != "float16":
        for key in ("scale", "offset"):
            try:
                values = _float32_b64(header[key])
            except (KeyError, TypeError, ValueError, binascii.Error):
                raise bad(f"{key} is not base64 float32 data") from None
            if len(values) != header["code_size"] or not np.isfinite(values).all():
                raise bad(f"{key} must hold code_size finite float32 values")
    shape = header.get("sample_shape")
    if shape is not None and not (
        isinstance(shape, list) and all(isinstance(s, int) and s > 0 for s in shape)
    ):
        raise bad(f"sample_shape must be a list of positive integers, found {shape!r}")
    return header


def decode_codes(data: bytes, *, source: str = "<bytes>") -> np.ndarray:
    """The dequantised codes of a compressed file's bytes.

    Parameters
    ----------
    data : bytes
        A file written by :func:`encode_codes` or :func:`compress`.
    source : str, default="<bytes>"
        How error messages name the data.

    Returns
    -------
    ndarray of shape (n_samples, code_size), float32

    Raises
    ------
    aekit.DataError
        As :func:`read_codes`.
    """
    return read_codes(data, source=source).codes


# ------------------------------------------------------------------ with a model
def compress(
    estimator: Any,
    X: Any,
    path_or_file: PathOrFile,
    *,
    quantization: str = "int8",
    codec: str = "zlib",
) -> CompressionStats:
    """Encode ``X`` with a fitted autoencoder and write the compressed codes.

    Parameters
    ----------
    estimator : fitted aekit autoencoder
        Anything with ``transform`` and ``inverse_transform``, e.g.
        :class:`aekit.AutoEncoder` or :class:`aekit.ConvAutoEncoder`.
    X : array-like of shape (n_samples, ...)
        Samples shaped as the model expects (images may stay ``(n, h, w)``).
    path_or_file : path-like or binary file object
        Where to write. A path is written atomically (a temporary file renamed
        over it); a file object receives the bytes at its current position.
    quantization : {"int8", "int7", ..., "int2", "float16"}, default="int8"
        See :func:`encode_codes`.
    codec : {"zlib", "lzma", "none"}, default="zlib"
        See :func:`encode_codes`.

    Returns
    -------
    CompressionStats
        File and payload sizes, and bits per sample.

    Raises
    ------
    ValueError
        For an unknown ``quantization`` or ``codec``.
    aekit.DataError
        For invalid samples (NaN, wrong number of features, ...).

    Examples
    --------
    >>> import io, aekit
    >>> X, _ = aekit.datasets.load("digits")
    >>> ae = aekit.AutoEncoder(code_size=8, epochs=2, random_state=0).fit(X)
    >>> buffer = io.BytesIO()
    >>> stats = compress(ae, X, buffer)
    >>> stats.payload_bytes <= 8 * len(X)
    True
    >>> decompress(ae, io.BytesIO(buffer.getvalue())).shape
    (1500, 8, 8)
    """
    # Check the options before the (possibly long) encoding pass.
    check_choice("quantization", quantization, QUANTIZATIONS)
    check_choice("codec", codec, CODECS)
    codes = estimator.transform(X)
    source = np.asarray(X)
    extra = {
        "sample_shape": [int(s) for s in source.shape[1:]],
        "dtype": str(source.dtype),
        "model": {
            "class": type(estimator).__name__,
            "fingerprint": model_fingerprint(estimator),
        },
    }
    data, payload_bytes = _pack(codes, quantization, codec, extra)
    if isinstance(path_or_file, (str, os.PathLike)):
        atomic_write_bytes(path_or_file, data)
    else:
        path_or_file.write(data)
    return CompressionStats(
        n_samples=int(codes.shape[0]),
        code_size=int(codes.shape[1]),
        quantization=quantization,
        codec=codec,
        file_bytes=len(data),
        payload_bytes=payload_bytes,
    )


def _read_source(path_or_file: PathOrFile) -> tuple[bytes, str]:
    if isinstance(path_or_file, (str, os.PathLike)):
        path = Path(path_or_file)
        if not path.is_file():
            raise DataError(f"{path}: no such file")
        return path.read_bytes(), str(path)
    name = getattr(path_or_file, "name", None)
    return path_or_file.read(), str(name) if name else "<file object>"


def decompress(estimator: Any, path_or_file: PathOrFile) -> np.ndarray:
    """Decode a compressed file back to samples with the model that wrote it.

    Parameters
    ----------
    estimator : fitted aekit autoencoder
        The model passed to :func:`compress` (or a copy saved and loaded).
    path_or_file : path-like or binary file object
        A file written by :func:`compress`.

    Returns
    -------
    ndarray of shape (n_samples, ...)
        Reconstructions, shaped like the compressed samples; float64 if those
        were float64, else float32.

    Raises
    ------
    aekit.DataError
        If the file is missing, not an aekit compressed file, truncated or
        corrupt (see :func:`read_codes`), or was made by a different model
        (other code size, other weights).
    """
    data, source = _read_source(path_or_file)
    parsed = read_codes(data, source=source)
    header = parsed.header
    check_is_fitted(estimator, "module_")
    code_size = int(estimator.module_.code_dim)
    if header["code_size"] != code_size:
        raise DataError(
            f"{source} holds codes of size {header['code_size']}, but this "
            f"{type(estimator).__name__} has code size {code_size}: decompress with "
            "the model that compressed it"
        )
    model = header.get("model")
    if isinstance(model, dict) and "fingerprint" in model:
        fingerprint = model_fingerprint(estimator)
        if model["fingerprint"] != fingerprint:
            raise DataError(
                f"{source} was compressed with a different model ({model.get('class')}"
                f" {str(model['fingerprint'])[:12]}…, this one is "
                f"{type(estimator).__name__} {fingerprint[:12]}…): decompress with "
                "the model that compressed it"
            )
    X_hat = estimator.inverse_transform(parsed.codes)
    shape = header.get("sample_shape")
    if shape is not None and math.prod(shape) == math.prod(X_hat.shape[1:]):
        X_hat = X_hat.reshape(len(X_hat), *shape)
    if header.get("dtype") == "float64":
        X_hat = X_hat.astype(np.float64)
    return X_hat


__all__ = [
    "CODECS",
    "FORMAT_VERSION",
    "MAGIC",
    "QUANTIZATIONS",
    "CodesFile",
    "CompressionStats",
    "compress",
    "decode_codes",
    "decompress",
    "encode_codes",
    "model_fingerprint",
    "read_codes",
]
