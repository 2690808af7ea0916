"""Loading user arrays from ``.npy``, ``.npz`` and ``.csv`` files — never via pickle."""

from __future__ import annotations

import csv
import os
import zipfile
from pathlib import Path

import numpy as np

from ..exceptions import DataError


def load_array(path: str | os.PathLike[str], key: str | None = None) -> np.ndarray:
    """Load a numeric array from ``.npy``, ``.npz`` or ``.csv``.

    Parameters
    ----------
    path : path-like
        The file. ``.npz``: the array under ``key``, else under ``"X"``, else the
        only array in the file. ``.csv``: comma-separated numbers; a first row that
        is not numeric is taken as a header and skipped.
    key : str, optional
        Array name inside a ``.npz`` file.

    Returns
    -------
    ndarray

    Raises
    ------
    aekit.DataError
        For a missing file, an unknown extension, pickled object arrays, a
        non-numeric CSV cell (naming its line) or ragged CSV rows.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return _load_npy(path)
    if suffix == ".npz":
        return _load_npz(path, key)
    if suffix == ".csv":
        return _load_csv(path)
    raise DataError(f"{path}: unsupported file type {suffix!r}; use .npy, .npz or .csv")


def _load_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise DataError(f"{path}: not a readable .npy array ({exc})") from None


def _load_npz(path: Path, key: str | None) -> np.ndarray:
    try:
        with np.load(path, allow_pickle=False) as archive:
            names = list(archive.files)
            chosen = key or ("X" if "X" in names else None)
            if chosen is None:
                if len(names) != 1:
                    raise DataError(
                        f"{path}: holds arrays {names}; name one with key=... "
                        "(or store the data under 'X')"
                    )
                chosen = names[0]
            if chosen not in names:
                raise DataError(f"{path}: no array {chosen!r}; it holds {names}")
            return archive[chosen]
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path}: not a readable .npz archive ({exc})") from None


def _parse_row(row: list[str]) -> list[float] | None:
    try:
        return [float(cell) for cell in row]
    except ValueError:
        return None


def _load_csv(path: Path) -> np.ndarray:
    rows: list[list[float]] = []
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            for line_no, row in enumerate(csv.reader(fh), start=1):
                if not row or all(not c.strip() for c in row):
                    continue
                values = _parse_row(row)
                if values is None:
                    if line_no == 1:  # a header row
                        continue
                    bad = next(c for c in row if _parse_row([c]) is None)
                    raise DataError(f"{path}, line {line_no}: not a number: {bad!r}")
                if rows and len(values) != len(rows[0]):
                    raise DataError(
                        f"{path}, line {line_no}: {len(values)} columns, expected "
                        f"{len(rows[0])}"
                    )
                rows.append(values)
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason})") from None
    if not rows:
        raise DataError(f"{path}: no numeric rows")
    return np.asarray(rows, dtype=np.float64)
