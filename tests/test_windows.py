"""Sliding windows over time series: aekit.datasets.windows."""

from __future__ import annotations

import numpy as np
import pytest

import aekit
from aekit.datasets import windows


def test_univariate_series_becomes_one_feature():
    out = windows(np.arange(6), length=3)
    assert out.shape == (4, 3, 1) and out.dtype == np.float32
    np.testing.assert_array_equal(
        out[..., 0], [[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]]
    )


def test_multivariate_windows_keep_time_and_feature_order():
    series = np.arange(20, dtype=np.float64).reshape(10, 2)  # step t = [2t, 2t + 1]
    out = windows(series, length=4, stride=3)
    # Starts at steps 0, 3, 6; step 9 is left out (no full window).
    assert out.shape == (3, 4, 2)
    for i, start in enumerate((0, 3, 6)):
        np.testing.assert_array_equal(out[i], series[start : start + 4])


@pytest.mark.parametrize(
    ("n_steps", "length", "stride", "n_windows"),
    [(10, 10, 1, 1), (10, 1, 1, 10), (10, 3, 2, 4), (10, 3, 7, 2), (10, 3, 100, 1)],
)
def test_window_count(n_steps, length, stride, n_windows):
    out = windows(np.zeros((n_steps, 3)), length, stride)
    assert out.shape == (n_windows, length, 3)
    assert n_windows == (n_steps - length) // stride + 1


def test_result_is_a_contiguous_copy():
    series = np.arange(8, dtype=np.float32)
    out = windows(series, length=4, stride=2)
    assert out.flags["C_CONTIGUOUS"] and out.flags["OWNDATA"]
    out[:] = -1
    np.testing.assert_array_equal(series, np.arange(8))


def test_accepts_lists_ints_and_bools():
    out = windows([[1, 2], [3, 4], [5, 6]], length=2)
    np.testing.assert_array_equal(out[1], [[3, 4], [5, 6]])
    assert windows(np.array([True, False, True]), 2).dtype == np.float32


@pytest.mark.parametrize(
    ("series", "length", "stride", "error", "match"),
    [
        (np.zeros(5), 6, 1, aekit.DataError, r"length 6 is longer than .*5 steps"),
        (np.zeros(5), 2, 0, ValueError, "stride must be >= 1, got 0"),
        (np.zeros(5), 0, 1, ValueError, "length must be >= 1, got 0"),
        (np.zeros(5), 2.0, 1, ValueError, "length must be an int, got float"),
        (np.zeros(5), True, 1, ValueError, "length must be an int, got bool"),
        (np.zeros((2, 3, 4)), 1, 1, aekit.DataError, "got 3-D shape"),
        (np.float64(1.0), 1, 1, aekit.DataError, "got 0-D shape"),
        (np.zeros((0, 2)), 1, 1, aekit.DataError, "series is empty"),
        (np.array(["a", "b"]), 1, 1, aekit.DataError, "must be numeric"),
        (np.array([1j, 2j]), 1, 1, aekit.DataError, "real-valued"),
        (
            np.array([[0.0, 1.0], [np.nan, 2.0]]),
            1,
            1,
            aekit.DataError,
            r"NaN at step 1, feature 0",
        ),
        (np.array([0.0, np.inf]), 1, 1, aekit.DataError, "infinity at step 1"),
        (np.array([0.0, 1e300]), 1, 1, aekit.DataError, "too large for float32"),
    ],
)
def test_bad_input_is_named(series, length, stride, error, match):
    with pytest.raises(error, match=match):
        windows(series, length, stride)
