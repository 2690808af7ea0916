"""Metrics compute what their formulas say."""

from __future__ import annotations

import numpy as np
import pytest

from aekit.metrics import psnr, squared_error_per_sample


def test_psnr_matches_formula_and_data_range():
    ref = np.zeros((2, 4, 4))
    est = ref.copy()
    est[0] += 0.1  # MSE 0.01 -> 20 dB
    est[1, 0, 0] = 1.0  # MSE 1/16 -> 12.04 dB
    np.testing.assert_allclose(psnr(ref, est), [20.0, 10 * np.log10(16)])
    np.testing.assert_allclose(
        psnr(ref * 255, est * 255, data_range=255), psnr(ref, est)
    )
    assert psnr(ref, ref)[0] == np.inf


def test_shape_mismatch_rejected():
    with pytest.raises(ValueError, match="shapes differ"):
        psnr(np.zeros((2, 3)), np.zeros((2, 4)))


def test_squared_error_per_sample():
    np.testing.assert_allclose(
        squared_error_per_sample(np.zeros((2, 3)), np.ones((2, 3))), [3.0, 3.0]
    )
