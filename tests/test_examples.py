"""The scripts in ``examples/`` run and print what they promise (digits, fast)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _example(name: str):
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_features_example_grid_search_on_digits(capsys):
    argv = ["--epochs", "3", "--code-sizes", "4", "8", "--limit", "600"]
    assert _example("features.py").main(argv) == 0
    out = capsys.readouterr().out
    assert "digits: 600 training images, 3-fold cross-validation" in out
    assert out.count("<- best") == 1
    rows = [line for line in out.splitlines() if line.startswith(("autoenc", "PCA"))]
    assert rows[0].startswith("autoencoder 64-500-")
    for line in [*rows, next(x for x in out.splitlines() if x.startswith("raw"))]:
        accuracy = float(line.split()[-2])
        assert 0.1 < accuracy <= 1


@pytest.mark.slow
def test_timeseries_example_flags_the_injected_fault(tmp_path, capsys):
    pytest.importorskip("statsmodels")
    plot = tmp_path / "co2.png"
    result = _example("timeseries.py").main(["--plot", str(plot)])
    # A stuck sensor held for 8 weeks in the held-out part of the record is found,
    # and ranks far above the normal held-out weeks.
    assert result["fault_detected"]
    assert result["roc_auc_fault_vs_held_out"] > 0.8
    assert result["other_held_out_weeks_flagged"] < 0.05 * result["held_out_weeks"]
    assert plot.stat().st_size > 10_000
