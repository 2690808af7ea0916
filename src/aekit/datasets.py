"""Public dataset API: ``aekit.datasets.load("mnist")`` and friends.

See :mod:`aekit.data` for the implementation (catalogue, IDX reader, download).
"""

from .data import (
    cache_dir,
    dataset_info,
    list_datasets,
    load,
    load_array,
    read_idx,
    search_dirs,
    write_idx,
)

__all__ = [
    "cache_dir",
    "dataset_info",
    "list_datasets",
    "load",
    "load_array",
    "read_idx",
    "search_dirs",
    "write_idx",
]
