"""Shared fixtures: where the real datasets are."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

_DEFAULT = Path(__file__).resolve().parents[2] / "shared" / "data"


def shared_data_dir() -> Path | None:
    """``$AEKIT_DATA_DIR`` or ``../shared/data`` beside the checkout, if present."""
    env = os.environ.get("AEKIT_DATA_DIR")
    path = Path(env) if env else _DEFAULT
    return path.resolve() if (path / "mnist").is_dir() else None


@pytest.fixture(scope="session")
def data_dir() -> Path:
    path = shared_data_dir()
    if path is None:
        pytest.skip("real datasets not found: set AEKIT_DATA_DIR=../shared/data")
    return path
