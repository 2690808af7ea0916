"""Datasets: catalogue, IDX reader, checksummed download and cache, array files."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import DataError
from .arrays import load_array
from .catalog import DATASETS, DIGITS_TRAIN, DatasetSpec
from .download import cache_dir, fetch, locate, search_dirs
from .idx import read_idx, write_idx

SPLITS = ("train", "test")


def list_datasets() -> list[str]:
    """Names accepted by :func:`load`."""
    return DATASETS.names()


def load(name: str, split: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Load a dataset split as ``(X, y)``.

    Parameters
    ----------
    name : {"mnist", "fashion-mnist", "digits"}
        MNIST (LeCun et al., 1998), Fashion-MNIST (Xiao et al., 2017) or
        scikit-learn's bundled 8×8 digits (always available offline).
    split : {"train", "test"}
        For ``digits``: the first 1500 images train, the remaining 297 test.

    Returns
    -------
    X : ndarray of float32, shape (n, h, w)
        Pixels scaled to [0, 1]; (n, 28, 28) for MNIST and Fashion-MNIST.
    y : ndarray of int64, shape (n,)
        Class labels 0–9.

    Raises
    ------
    aekit.DatasetNotFoundError
        If the files are neither on disk nor downloadable; says where to put them.
    aekit.DataError
        If a file is corrupt (checksum, truncated, bad IDX header).
    """
    spec = DATASETS.get(name)
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; choose one of: {', '.join(SPLITS)}")
    if name == "digits":
        return _load_digits(split)
    images_file, labels_file = spec.splits[split]
    images = read_idx(fetch(spec, images_file))
    labels = read_idx(fetch(spec, labels_file))
    if images.shape[0] != labels.shape[0]:
        raise DataError(
            f"{name} {split}: {images.shape[0]} images but {labels.shape[0]} labels"
        )
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
    """Description, size, citation and local availability of a dataset."""
    spec = DATASETS.get(name)
    local = {f: locate(spec, f) for f in spec.files}
    if spec.files:
        available = all(p is not None for p in local.values())
        where = next((str(p.parent) for p in local.values() if p is not None), None)
    else:
        available, where = True, "bundled with scikit-learn"
    return {
        "name": spec.name,
        "description": spec.description,
        "citation": spec.citation,
        "shape": spec.shape,
        "n_samples": dict(spec.n_samples),
        "available": available,
        "location": where,
    }


__all__ = [
    "DATASETS",
    "DatasetSpec",
    "cache_dir",
    "dataset_info",
    "fetch",
    "list_datasets",
    "load",
    "load_array",
    "read_idx",
    "search_dirs",
    "write_idx",
]
