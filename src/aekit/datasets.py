"""Public dataset API: ``aekit.datasets.load("mnist")`` and friends.

>>> import aekit
>>> X, y = aekit.datasets.load("digits")
>>> X.shape
(1500, 8, 8)

Named datasets (:func:`list_datasets`) are MNIST (LeCun et al., 1998),
Fashion-MNIST (Xiao et al., 2017) and scikit-learn's bundled 8×8 digits. Files are
looked up in ``$AEKIT_DATA_DIR/<dataset>/``, then in the user cache
(``$AEKIT_CACHE_DIR``, ``$XDG_CACHE_HOME/aekit`` or ``~/.cache/aekit``) and
otherwise downloaded there with SHA-256 verification (``$AEKIT_MIRROR`` first;
``AEKIT_OFFLINE=1`` forbids downloads). Your own arrays load with
:func:`load_array` / :func:`load_xy`. The implementation is in :mod:`aekit.data`.
"""

from .data import (
    SPLITS,
    cache_dir,
    dataset_info,
    list_datasets,
    load,
    load_array,
    load_xy,
    read_idx,
    read_idx_pair,
    search_dirs,
    write_idx,
)
from .data.images import load_images
from .data.windows import windows

__all__ = [
    "SPLITS",
    "cache_dir",
    "dataset_info",
    "list_datasets",
    "load",
    "load_array",
    "load_images",
    "load_xy",
    "read_idx",
    "read_idx_pair",
    "search_dirs",
    "windows",
    "write_idx",
]
