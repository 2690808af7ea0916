"""End-to-end runs of the benchmark scripts on small data (``-m slow``).

They check that the scripts run and report finite, sensible numbers; the full
runs that produce README's table are ``make bench``.
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"

pytestmark = pytest.mark.slow


@pytest.fixture()
def bench_path(monkeypatch):
    monkeypatch.syspath_prepend(str(BENCH))
    yield
    for name in ("dense", "_common"):
        sys.modules.pop(name, None)


def test_dense_benchmark_small(bench_path, capsys):
    import dense

    result = dense.main(
        [
            "--epochs",
            "2",
            "--limit",
            "3000",
            "--hinton",
            "--hinton-epochs",
            "1",
            "--no-write",
        ]
    )
    vanilla, deep = result["vanilla"], result["hinton"]
    for run in (vanilla, deep):
        assert math.isfinite(run["seconds_per_epoch"]) and run["seconds_per_epoch"] > 0
        assert 0 < run["final_val_bce"] < 0.7
    # Even 2 epochs on 3000 images must be a real model: below the all-mean image.
    assert vanilla["test_sq_err_per_image"] < 60
    assert vanilla["pca_32"]["test_sq_err_per_image"] > 0
    assert '"benchmark": "dense"' in capsys.readouterr().out
    table = dense.markdown(result)
    assert "`vanilla-mnist`" in table and "`hinton-30d`" in table
    assert f"{vanilla['final_val_bce']:.4f}" in table
