"""Datasets: catalogue, IDX reader, checksummed download and cache, array files."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from .arrays import load_array, load_xy
from .catalog import DATASETS, DIGITS_TRAIN, DatasetSpec, RemoteFile
from .download import (
    cache_dir,
    fetch,
    fetch_files,
    locate,
    mirrors_for,
    search_dirs,
)
from .idx import read_idx, read_idx_pair, write_idx

#: Accepted ``split`` values; ``"all"`` is train followed by test.
SPLITS = ("train", "test", "all")


def list_datasets() -> list[str]:
    """Names accepted by :func:`load`, sorted."""
    return DATASETS.names()


def load(
    name: str,
    split: str = "train",
    *,
    mirrors: Sequence[str] | None = None,
    timeout: float = 60.0,
    progress: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Load a dataset split as ``(X, y)``.

    Files are looked up in ``$AEKIT_DATA_DIR/<name>/``, then in the user cache
    (see :func:`cache_dir`), and downloaded into the cache when missing.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist", "digits"}
        MNIST [1]_, Fashion-MNIST [2]_, or scikit-learn's bundled 8×8 digits
        (always available offline).
    split : {"train", "test", "all"}, default "train"
        MNIST and Fashion-MNIST: the published 60000/10000 split. ``digits``: the
        first 1500 images train, the remaining 297 test. ``"all"``: train then test.
    mirrors : sequence of str, optional
        Base URLs holding ``<name>/<file>``, tried in this order instead of
        ``$AEKIT_MIRROR`` and the official mirrors.
    timeout : float, default 60
        Seconds to wait on a stalled download.
    progress : bool, optional
        Show a download progress bar; default: only when stderr is a terminal.

    Returns
    -------
    X : ndarray of float32, shape (n, h, w)
        Pixels scaled to [0, 1]; (n, 28, 28) for MNIST and Fashion-MNIST,
        (n, 8, 8) for digits.
    y : ndarray of int64, shape (n,)
        Class labels 0–9.

    Raises
    ------
    aekit.RegistryError
        For an unknown ``name`` (the message lists the known ones).
    ValueError
        For an unknown ``split``.
    aekit.DatasetNotFoundError
        If files are neither on disk nor downloadable; says where to put them.
    aekit.DataError
        If a file is corrupt (size, checksum, IDX header or truncated data).

    References
    ----------
    .. [1] Y. LeCun, L. Bottou, Y. Bengio and P. Haffner, "Gradient-based learning
       applied to document recognition", Proc. IEEE 86(11):2278–2324, 1998.
    .. [2] H. Xiao, K. Rasul and R. Vollgraf, "Fashion-MNIST: a novel image dataset
       for benchmarking machine learning algorithms", arXiv:1708.07747, 2017.

    Examples
    --------
    >>> X, y = load("digits", split="test")
    >>> X.shape, X.dtype, y.dtype
    ((297, 8, 8), dtype('float32'), dtype('int64'))
    """
    spec = DATASETS.get(name)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
    if split == "all":
        kw: dict[str, Any] = {
            "mirrors": mirrors,
            "timeout": timeout,
            "progress": progress,
        }
        train, test = load(name, "train", **kw), load(name, "test", **kw)
        return np.concatenate([train[0], test[0]]), np.concatenate([train[1], test[1]])
    if not spec.files:
        return _load_digits(split)
    images_path, labels_path = fetch_files(
        spec, spec.splits[split], mirrors=mirrors, timeout=timeout, progress=progress
    )
    images, labels = read_idx_pair(images_path, labels_path, spec.shape)
    X = images.astype(np.float32)
    X /= np.float32(255.0)
    return X, labels.astype(np.int64)


def _load_digits(split: str) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    bunch = load_digits()
    X = (bunch.images / 16.0).astype(np.float32)
    y = bunch.target.astype(np.int64)
    part = slice(None, DIGITS_TRAIN) if split == "train" else slice(DIGITS_TRAIN, None)
    return X[part], y[part]


def dataset_info(name: str) -> dict[str, Any]:
    """What aekit knows about a dataset, and whether it is on this machine.

    Only checks that the files exist; their checksums are verified by :func:`load`.

    Parameters
    ----------
    name : str
        One of :func:`list_datasets`.

    Returns
    -------
    dict
        ``name``, ``description``, ``citation``, ``homepage``, ``source`` (first
        download URL, or the package it is bundled with), ``mirrors``, ``shape``
        (of one sample), ``n_train``, ``n_test``, ``n_samples`` (split → count),
        ``files`` (file name → local path or None), ``available`` (bool),
        ``local_path`` (folder holding the files, or None) and ``location``
        (``local_path``, or a note for bundled datasets).
    """
    spec = DATASETS.get(name)
    files = {f: locate(spec, f) for f in spec.files}
    available = all(p is not None for p in files.values())
    local = next((p.parent for p in files.values() if p is not None), None)
    local_path = str(local) if available and local is not None else None
    bundled = "scikit-learn (sklearn.datasets.load_digits)"
    return {
        "name": spec.name,
        "description": spec.description,
        "citation": spec.citation,
        "homepage": spec.homepage,
        "source": spec.mirrors[0] if spec.mirrors else bundled,
        "mirrors": mirrors_for(spec) if spec.files else [],
        "shape": spec.shape,
        "n_train": spec.n_samples["train"],
        "n_test": spec.n_samples["test"],
        "n_samples": dict(spec.n_samples),
        "files": {f: str(p) if p else None for f, p in files.items()},
        "available": available,
        "local_path": local_path,
        "location": local_path if spec.files else f"bundled with {bundled}",
    }


__all__ = [
    "DATASETS",
    "SPLITS",
    "DatasetSpec",
    "RemoteFile",
    "cache_dir",
    "dataset_info",
    "fetch",
    "fetch_files",
    "list_datasets",
    "load",
    "load_array",
    "load_xy",
    "read_idx",
    "read_idx_pair",
    "search_dirs",
    "write_idx",
]
