"""Sliding windows over a time series, for sequence autoencoders."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..exceptions import DataError


def windows(series: np.ndarray, length: int, stride: int = 1) -> np.ndarray:
    """Cut a time series into overlapping windows of ``length`` steps.

    Window ``i`` covers steps ``i * stride`` to ``i * stride + length - 1``; steps
    after the last full window are left out.

    Parameters
    ----------
    series : array-like, shape (n_steps,) or (n_steps, n_features)
        Real-valued observations in time order; one-dimensional input is one
        feature.
    length : int
        Steps per window, at least 1 and at most ``n_steps``.
    stride : int, default 1
        Steps between the starts of consecutive windows.

    Returns
    -------
    ndarray of float32, shape (n_windows, length, n_features)
        A new C-contiguous array, ``n_windows = (n_steps - length) // stride + 1``;
        changing it leaves ``series`` untouched.

    Raises
    ------
    aekit.DataError
        If ``series`` is not 1-D or 2-D, not numeric, empty, holds NaN or
        infinity (or values too large for float32), or is shorter than
        ``length``.
    ValueError
        If ``length`` or ``stride`` is not an integer >= 1.

    Examples
    --------
    >>> windows(np.arange(5), length=3).squeeze(-1)
    array([[0., 1., 2.],
           [1., 2., 3.],
           [2., 3., 4.]], dtype=float32)
    >>> windows(np.zeros((100, 4)), length=10, stride=5).shape
    (19, 10, 4)
    """
    for name, value in (("length", length), ("stride", stride)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be an int, got {type(value).__name__}")
        if value < 1:
            raise ValueError(f"{name} must be >= 1, got {value}")
    values = _as_float32_steps(series)
    n_steps = values.shape[0]
    if length > n_steps:
        raise DataError(
            f"window length {length} is longer than the series ({n_steps} steps)"
        )
    # (n_steps - length + 1, n_features, length) view; copy only the kept windows.
    view = sliding_window_view(values, length, axis=0)[::stride]
    return np.ascontiguousarray(view.transpose(0, 2, 1))


def _as_float32_steps(series: np.ndarray) -> np.ndarray:
    array = np.asarray(series)
    if array.ndim not in (1, 2):
        raise DataError(
            f"series must be 1-D (n_steps,) or 2-D (n_steps, n_features), got "
            f"{array.ndim}-D shape {array.shape}"
        )
    if not (np.issubdtype(array.dtype, np.number) or array.dtype == np.bool_):
        raise DataError(f"series must be numeric, got dtype {array.dtype}")
    if np.issubdtype(array.dtype, np.complexfloating):
        raise DataError("series must be real-valued, got complex numbers")
    if array.size == 0:
        raise DataError(f"series is empty (shape {array.shape})")
    if array.ndim == 1:
        array = array[:, None]
    if np.issubdtype(array.dtype, np.floating):
        bad = ~np.isfinite(array)
        if bad.any():
            step, feature = np.argwhere(bad)[0]
            what = "NaN" if np.isnan(array[step, feature]) else "infinity"
            raise DataError(
                f"series holds {what} at step {step}, feature {feature} "
                f"({int(bad.sum())} non-finite value(s)); fill or drop them first"
            )
    with np.errstate(over="ignore"):
        values = array.astype(np.float32)
    if not np.isfinite(values).all():
        raise DataError("series holds values too large for float32 (beyond ±3.4e38)")
    return values
