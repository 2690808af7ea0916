"""Loading user arrays from ``.npy``, ``.npz`` and ``.csv`` files — never via pickle."""

from __future__ import annotations

import csv
import os
import warnings
import zipfile
from pathlib import Path

import numpy as np

from ..exceptions import DataError

_SUFFIXES = (".npy", ".npz", ".csv")


def load_array(path: str | os.PathLike[str], key: str | None = None) -> np.ndarray:
    """Load a numeric array from ``.npy``, ``.npz`` or ``.csv``.

    Parameters
    ----------
    path : path-like
        The file. ``.npz``: the array under ``key``, else under ``"X"``, else the
        only array in the file. ``.csv``: comma-separated numbers; a first line
        that is not numeric is taken as a header and skipped.
    key : str, optional
        Array name inside a ``.npz`` file.

    Returns
    -------
    ndarray
        As stored for ``.npy``/``.npz``; float64 of shape (rows, columns) for
        ``.csv``. Only the data: use :func:`load_xy` for labels too.

    Raises
    ------
    aekit.DataError
        For a missing file, an unknown extension, pickled object arrays, an
        ``.npz`` with several arrays and none chosen, a non-numeric CSV cell
        (naming its line) or ragged CSV rows.
    """
    path = _existing(path)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        return _load_npy(path)
    if suffix == ".npz":
        return _load_npz(path, key)
    return _load_csv(path)


def load_xy(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray | None]:
    """Load ``(X, y)``: the data and, from an ``.npz`` holding ``"y"``, labels.

    Parameters
    ----------
    path : path-like
        ``.npy``, ``.npz`` or ``.csv`` file, as for :func:`load_array`.

    Returns
    -------
    X : ndarray
        As returned by :func:`load_array`.
    y : ndarray or None
        The ``"y"`` array of an ``.npz`` file; None for other files or when absent.
    """
    X = load_array(path)
    if Path(path).suffix.lower() != ".npz":
        return X, None
    with _open_npz(Path(path)) as archive:
        if "y" not in archive.files:
            return X, None
        return X, _get(Path(path), archive, "y")


def _existing(path: str | os.PathLike[str]) -> Path:
    path = Path(path)
    if path.suffix.lower() not in _SUFFIXES:
        raise DataError(
            f"{path}: unsupported file type {path.suffix!r}; use "
            + ", ".join(_SUFFIXES)
        )
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    return path


def _load_npy(path: Path) -> np.ndarray:
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise DataError(f"{path}: not a readable .npy array ({exc})") from None


def _open_npz(path: Path) -> np.lib.npyio.NpzFile:
    try:
        return np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path}: not a readable .npz archive ({exc})") from None


def _get(path: Path, archive: np.lib.npyio.NpzFile, key: str) -> np.ndarray:
    try:
        return archive[key]
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as exc:
        raise DataError(f"{path}: array {key!r} is not readable ({exc})") from None


def _load_npz(path: Path, key: str | None) -> np.ndarray:
    with _open_npz(path) as archive:
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
        return _get(path, archive, chosen)


def _parse_row(row: list[str]) -> list[float] | None:
    try:
        return [float(cell) for cell in row]
    except ValueError:
        return None


def _has_header(path: Path) -> bool:
    with path.open(newline="", encoding="utf-8") as fh:
        first = next(csv.reader(fh), None)
    return bool(first) and _parse_row(first or []) is None


def _load_csv(path: Path) -> np.ndarray:
    try:
        skip = int(_has_header(path))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # numpy warns on empty input
            data = np.loadtxt(
                path,
                delimiter=",",
                skiprows=skip,
                comments=None,
                dtype=np.float64,
                ndmin=2,
                encoding="utf-8",
            )
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not UTF-8 text ({exc.reason})") from None
    except ValueError:
        # numpy's message is vague (and quoted cells fail it): rescan exactly.
        data = _scan_csv(path)
    if data.size == 0:
        raise DataError(f"{path}: no numeric rows")
    return data


def _scan_csv(path: Path) -> np.ndarray:
    """Slow, exact CSV parse whose errors name the line and the cell."""
    rows: list[list[float]] = []
    with path.open(newline="", encoding="utf-8") as fh:
        for line_no, row in enumerate(csv.reader(fh), start=1):
            if not row or all(not c.strip() for c in row):
                continue
            values = _parse_row(row)
            if values is None:
                if line_no == 1:  # the header
                    continue
                bad = next(c for c in row if _parse_row([c]) is None)
                raise DataError(f"{path}, line {line_no}: not a number: {bad!r}")
            if rows and len(values) != len(rows[0]):
                raise DataError(
                    f"{path}, line {line_no}: {len(values)} columns, expected "
                    f"{len(rows[0])}"
                )
            rows.append(values)
    return np.asarray(rows, dtype=np.float64) if rows else np.empty((0, 0))
