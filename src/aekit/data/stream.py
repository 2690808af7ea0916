"""Out-of-core training data: arrays on disk, read in shuffled blocks.

``fit`` accepts, besides in-memory arrays, a ``.npy`` file (by path or as a
memory-mapped array), a folder of ``.npy`` shards, or a Parquet file or folder
(with ``pyarrow``, the ``aekit[data]`` extra). Each epoch the training rows are
cut into blocks of about ``block_bytes``; the block order is shuffled, each block
is read whole into memory and shuffled, and batches are cut from the shuffled
stream, so memory holds about two blocks whatever the size of the data. See
``docs/decisions/0011-precision-compile-streaming.md``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ..exceptions import DataError

#: Default bytes of float32 rows read at once (two blocks are in memory at a time).
DEFAULT_BLOCK_BYTES = 128 * 2**20


@dataclass(frozen=True)
class Part:
    """One storage unit of a source: a file, or a Parquet row group."""

    label: str
    rows: int


class Source:
    """Rows stored on disk in ``parts``, each readable by row range.

    Attributes
    ----------
    sample_shape : tuple of int
        Shape of one sample (``(784,)``, ``(28, 28)``, ...).
    parts : list of Part
        Storage units in order; row ``i`` of the source is the ``i``-th row of
        their concatenation.
    """

    sample_shape: tuple[int, ...] = ()
    parts: list[Part]
    #: Blocks never span parts; a part larger than this is read whole anyway.
    split_parts: bool = True

    @property
    def n_samples(self) -> int:
        return sum(p.rows for p in self.parts)

    @property
    def n_features(self) -> int:
        return math.prod(self.sample_shape)

    def read(self, part: int, start: int, stop: int) -> np.ndarray:
        """Rows ``[start, stop)`` of ``parts[part]``, shaped ``(n, *sample_shape)``."""
        raise NotImplementedError

    def head(self, n: int = 2) -> np.ndarray:
        """The first ``n`` rows as float32 (for the estimator's shape checks)."""
        part = next((i for i, p in enumerate(self.parts) if p.rows), None)
        if part is None:
            raise DataError("the training data holds no samples")
        rows = min(n, self.parts[part].rows)
        return _as_float32(self.read(part, 0, rows), self.parts[part].label)


def _as_float32(arr: np.ndarray, label: str) -> np.ndarray:
    if arr.dtype.kind != "f":
        raise DataError(
            f"{label} holds {arr.dtype} values; aekit trains on floating-point "
            "data (convert it, e.g. to float32, when writing the file)"
        )
    return np.ascontiguousarray(arr, dtype=np.float32)


def _npy_header(path: Path) -> tuple[tuple[int, ...], np.dtype, int]:
    """``(shape, dtype, data offset)`` of a ``.npy`` file, without reading data."""
    try:
        with open(path, "rb") as f:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            offset = f.tell()
    except (OSError, ValueError) as exc:
        raise DataError(f"{path}: not a readable .npy file ({exc})") from None
    if dtype.hasobject:
        raise DataError(f"{path} holds Python objects; aekit never unpickles data")
    if fortran and len(shape) > 1:
        raise DataError(
            f"{path} is stored in Fortran order; save it C-ordered "
            "(np.save(path, np.ascontiguousarray(X))) to stream it by rows"
        )
    if len(shape) < 2:
        raise DataError(
            f"{path} has shape {shape}; expected (n_samples, n_features, ...)"
        )
    if dtype.kind != "f":
        raise DataError(
            f"{path} holds {dtype} values; aekit trains on floating-point data "
            "(save it as float32)"
        )
    return tuple(int(s) for s in shape), dtype, offset


class NpyFilesSource(Source):
    """One or more C-ordered ``.npy`` files of the same sample shape.

    Rows are read with ordinary file reads, not through a memory map: pages of
    a mapped file count towards the process's resident memory until the kernel
    reclaims them, so a pass over a memory-mapped 4 GB file shows ~4 GB of RSS.
    """

    def __init__(self, paths: list[Path]) -> None:
        if not paths:
            raise DataError("no .npy files to train on")
        self.paths = paths
        self.parts = []
        self._layout: list[tuple[np.dtype, int]] = []
        for path in paths:
            shape, dtype, offset = _npy_header(path)
            if not self.parts:
                self.sample_shape = shape[1:]
            elif shape[1:] != self.sample_shape:
                raise DataError(
                    f"{path} holds samples of shape {shape[1:]}, but {paths[0]} "
                    f"holds {self.sample_shape}; every shard needs the same shape"
                )
            expected = offset + math.prod(shape) * dtype.itemsize
            if os.path.getsize(path) < expected:
                raise DataError(f"{path} is truncated (shorter than its header says)")
            self.parts.append(Part(str(path), shape[0]))
            self._layout.append((dtype, offset))

    def read(self, part: int, start: int, stop: int) -> np.ndarray:
        dtype, offset = self._layout[part]
        out = np.empty((stop - start, *self.sample_shape), dtype=dtype)
        with open(self.paths[part], "rb") as f:
            f.seek(offset + start * self.n_features * dtype.itemsize)
            got = f.readinto(out.data.cast("B"))
        if got != out.nbytes:
            raise DataError(f"{self.paths[part]}: short read at row {start}")
        return out


class ArraySource(Source):
    """Any sliceable array (a memory map that is a view of a file, h5py, zarr).

    Rows are read by slicing; for a memory map, the pages read stay in the
    process's resident memory until the kernel needs them (see
    :class:`NpyFilesSource`, which ``fit`` uses for a whole-file memory map).
    """

    def __init__(self, array: Any, label: str = "X") -> None:
        shape = tuple(int(s) for s in array.shape)
        if len(shape) < 2:
            raise DataError(
                f"{label} has shape {shape}; expected (n_samples, n_features, ...)"
            )
        self.array = array
        self.sample_shape = shape[1:]
        self.parts = [Part(label, shape[0])]

    def read(self, part: int, start: int, stop: int) -> np.ndarray:
        return np.asarray(self.array[start:stop])


class ParquetSource(Source):
    """A Parquet file or folder of ``.parquet`` files (needs ``pyarrow``).

    Each row group is one block (Parquet decodes whole row groups), so write the
    files with row groups of a few hundred thousand rows at most. The features
    are either one list column (fixed-length lists of floats) or every column,
    each a float scalar.
    """

    split_parts = False

    def __init__(self, path: Path) -> None:
        try:
            import pyarrow.parquet as pq
        except ImportError:  # pragma: no cover - depends on the environment
            raise ImportError(
                "reading Parquet needs pyarrow: pip install 'aekit[data]'"
            ) from None
        files = sorted(path.glob("*.parquet")) if path.is_dir() else [path]
        if not files:
            raise DataError(f"{path} holds no .parquet files")
        self._files = []
        self.parts = []
        self._groups: list[tuple[int, int]] = []
        for i, file in enumerate(files):
            try:
                pf = pq.ParquetFile(file)
            except Exception as exc:  # pyarrow raises its own error types
                raise DataError(
                    f"{file}: not a readable Parquet file ({exc})"
                ) from None
            self._files.append(pf)
            for g in range(pf.metadata.num_row_groups):
                rows = pf.metadata.row_group(g).num_rows
                self.parts.append(Part(f"{file} (row group {g})", rows))
                self._groups.append((i, g))
        first = next((i for i, p in enumerate(self.parts) if p.rows), None)
        if first is None:
            raise DataError(f"{path} holds no rows")
        self.sample_shape = self.read(first, 0, 1).shape[1:]

    def read(self, part: int, start: int, stop: int) -> np.ndarray:
        file, group = self._groups[part]
        table = self._files[file].read_row_group(group)
        label = self.parts[part].label
        arr = _table_to_numpy(table, label)
        if self.sample_shape and arr.shape[1:] != self.sample_shape:
            raise DataError(
                f"{label} has {arr.shape[1]} features, but {self.parts[0].label} "
                f"has {self.sample_shape[0]}; every file needs the same columns"
            )
        return arr[start:stop]


def _table_to_numpy(table: Any, label: str) -> np.ndarray:
    import pyarrow as pa

    columns = table.columns
    if len(columns) == 1 and (
        pa.types.is_list(columns[0].type)
        or pa.types.is_fixed_size_list(columns[0].type)
    ):
        col = columns[0].combine_chunks()
        if pa.types.is_fixed_size_list(col.type):
            width = col.type.list_size
        else:
            lengths = np.asarray(col.value_lengths())
            if len(lengths) and (lengths != lengths[0]).any():
                raise DataError(f"{label}: the rows' feature lists differ in length")
            width = int(lengths[0]) if len(lengths) else 0
        if not pa.types.is_floating(col.type.value_type):
            raise DataError(
                f"{label}: the feature lists hold {col.type.value_type}; aekit "
                "trains on floating-point features"
            )
        values = col.flatten().to_numpy(zero_copy_only=False)
        return values.reshape(len(col), width)
    for name, column in zip(table.column_names, columns, strict=True):
        if not pa.types.is_floating(column.type):
            raise DataError(
                f"{label}: column {name!r} holds {column.type}; aekit trains on "
                "floating-point features"
            )
    return np.column_stack([c.to_numpy(zero_copy_only=False) for c in columns]).reshape(
        table.num_rows, len(columns)
    )


def open_source(X: Any) -> Source | None:
    """The out-of-core source ``X`` names, or None for in-memory data.

    A path (``str`` or ``os.PathLike``) to a ``.npy`` file, a folder of
    ``.npy`` shards, or a ``.parquet`` file or folder; or a memory-mapped array
    (``np.memmap``, ``np.load(path, mmap_mode="r")``).
    """
    if isinstance(X, np.memmap):
        return _memmap_source(X)
    if not isinstance(X, str | os.PathLike):
        return None
    path = Path(X)
    if not path.exists():
        raise DataError(f"{path} does not exist")
    if path.is_dir():
        if any(path.glob("*.npy")):
            return NpyFilesSource(sorted(path.glob("*.npy")))
        if any(path.glob("*.parquet")):
            return ParquetSource(path)
        raise DataError(f"{path} holds no .npy or .parquet files")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return NpyFilesSource([path])
    if suffix == ".parquet":
        return ParquetSource(path)
    raise DataError(
        f"{path}: fit streams .npy files, folders of .npy shards and Parquet data; "
        "load other formats with aekit.data.load_array"
    )


def _memmap_source(X: np.memmap) -> Source:
    """Read a whole-file memory map by file reads; anything else by slicing."""
    filename = getattr(X, "filename", None)
    if filename is not None and X.flags.c_contiguous:
        try:
            shape, dtype, offset = _npy_header(Path(filename))
        except DataError:
            pass
        else:
            if (shape, dtype, offset) == (X.shape, X.dtype, X.offset):
                return NpyFilesSource([Path(filename)])
    if X.dtype.kind != "f":
        raise DataError(
            f"X holds {X.dtype} values; aekit trains on floating-point data"
        )
    return ArraySource(X, label=str(filename or "X"))


@dataclass(frozen=True)
class Block:
    part: int
    start: int
    stop: int


def plan_blocks(
    source: Source, start: int, stop: int, block_bytes: int = DEFAULT_BLOCK_BYTES
) -> list[Block]:
    """Blocks covering rows ``[start, stop)`` of ``source``, each within one part."""
    rows = max(1, block_bytes // (4 * max(1, source.n_features)))
    blocks = []
    base = 0
    for i, part in enumerate(source.parts):
        lo, hi = max(start, base), min(stop, base + part.rows)
        step = rows if source.split_parts else max(1, hi - lo)
        for s in range(lo, hi, step):
            blocks.append(Block(i, s - base, min(s + step, hi) - base))
        base += part.rows
    return blocks


class StreamingData:
    """Training or validation rows of a :class:`Source`, read block by block.

    Parameters
    ----------
    source : Source
        Where the rows are.
    start, stop : int
        The row range used (the validation split takes the last rows).
    device : torch.device
        Where batches go.
    check : callable, optional
        ``check(block, label)`` raises for a block the estimator cannot train on
        (e.g. values outside [0, 1] for a BCE loss); finite values and the
        feature count are always checked.
    block_bytes : int, optional
        Bytes of float32 rows per block (default ``DEFAULT_BLOCK_BYTES``).
    """

    def __init__(
        self,
        source: Source,
        start: int,
        stop: int,
        device: torch.device,
        check: Callable[[np.ndarray, str], None] | None = None,
        block_bytes: int | None = None,
    ) -> None:
        if block_bytes is None:  # read at call time, so it can be tuned globally
            block_bytes = DEFAULT_BLOCK_BYTES
        self.source = source
        self.device = device
        self.check = check
        self.blocks = plan_blocks(source, start, stop, block_bytes)
        self.n_samples = stop - start

    def load(self, block: Block) -> np.ndarray:
        """The block's rows as validated, flat float32 ``(n, n_features)``."""
        part = self.source.parts[block.part]
        raw = self.source.read(block.part, block.start, block.stop)
        arr = _as_float32(raw, part.label).reshape(len(raw), -1)
        if not arr.flags.writeable:  # e.g. zero-copy Arrow buffers
            arr = arr.copy()
        if arr.shape[1] != self.source.n_features:
            raise DataError(
                f"{part.label} has {arr.shape[1]} features, expected "
                f"{self.source.n_features}"
            )
        bad = ~np.isfinite(arr).all(axis=1)
        if bad.any():
            row = block.start + int(np.argmax(bad))
            raise DataError(
                f"{part.label}: row {row} holds NaN or infinity; aekit trains on "
                "finite values"
            )
        if self.check is not None:
            self.check(arr, f"{part.label} rows {block.start}-{block.stop}")
        return arr

    def batches(
        self, generator: torch.Generator, batch_size: int, skip: int = 0
    ) -> Iterator[torch.Tensor]:
        """One epoch of shuffled batches, from batch ``skip`` on.

        All permutations are drawn from ``generator`` first (the block order,
        then one per block), so the epoch's order, and the generator's state
        after it, do not depend on how many batches are consumed or skipped.
        Batches run across block boundaries: all are full but the last.
        Skipped blocks are never read.
        """
        order = torch.randperm(len(self.blocks), generator=generator).tolist()
        perms = [
            torch.randperm(
                self.blocks[b].stop - self.blocks[b].start, generator=generator
            )
            for b in order
        ]
        skip_rows = skip * batch_size
        position = 0  # stream rows before the current block
        pending: list[torch.Tensor] = []
        n_pending = 0
        for b, perm in zip(order, perms, strict=True):
            n = len(perm)
            if position + n <= skip_rows:
                position += n
                continue
            shuffled = torch.from_numpy(self.load(self.blocks[b]))[perm]
            i = max(0, skip_rows - position)
            position += n
            while i < n:
                take = shuffled[i : i + batch_size - n_pending]
                i += len(take)
                pending.append(take)
                n_pending += len(take)
                if n_pending == batch_size:
                    yield self._to_device(pending)
                    pending, n_pending = [], 0
            if pending:
                # Copy the remainder so it does not keep the whole block alive.
                pending = [torch.cat(pending)]
            del shuffled
        if pending:
            yield self._to_device(pending)

    def sequential(self, batch_size: int) -> Iterator[torch.Tensor]:
        """All rows in storage order, in batches of at most ``batch_size``."""
        for block in self.blocks:
            rows = torch.from_numpy(self.load(block))
            for s in range(0, len(rows), batch_size):
                yield rows[s : s + batch_size].to(self.device)

    def _to_device(self, pieces: list[torch.Tensor]) -> torch.Tensor:
        batch = pieces[0] if len(pieces) == 1 else torch.cat(pieces)
        return batch.to(self.device)
