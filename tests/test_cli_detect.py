"""``aekit detect``, run in-process through ``main(argv)`` on tiny synthetic data."""

from __future__ import annotations

import csv

import numpy as np
import pytest

import aekit
from aekit.cli import main

PNG = b"\x89PNG\r\n\x1a\n"
N_FEATURES = 5
FAST = ["--epochs", "20", "--seed", "0", "--device", "cpu"]


def _blob(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, N_FEATURES))


def _far(n: int) -> np.ndarray:
    """Points 8 standard deviations away from the blob in every feature."""
    signs = np.where(np.arange(n * N_FEATURES).reshape(n, N_FEATURES) % 2, 1, -1)
    return 8.0 * signs


def _read_csv(path):
    with open(path, newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], np.array(rows[1:], dtype=np.float64)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("detect")
    header = ",".join(f"f{i}" for i in range(N_FEATURES))
    np.savetxt(
        root / "normal.csv", _blob(300, 0), delimiter=",", header=header, comments=""
    )
    new = np.vstack([_blob(40, 1), _far(3)])  # the last 3 rows are outliers
    np.savetxt(root / "new.csv", new, delimiter=",")
    return root


@pytest.fixture(scope="module")
def detected(files):
    out = files / "out"
    argv = ["detect", "--train", str(files / "normal.csv")]
    argv += ["--score", str(files / "new.csv"), "--contamination", "0.05", *FAST]
    argv += ["--output", str(out / "scores.csv"), "--plot", str(out / "hist.png")]
    argv += ["--save-model", str(out / "det.safetensors")]
    assert main(argv) == 0
    return out


def test_far_points_are_flagged(detected):
    header, table = _read_csv(detected / "scores.csv")
    assert header == ["score", "label", "probability"]
    assert table.shape == (43, 3)
    scores, labels, probability = table.T
    assert np.all(labels[-3:] == 1)
    assert labels[:-3].mean() < 0.2
    assert set(np.unique(labels)) <= {0.0, 1.0}
    # The far points score above every blob point and get the top probability.
    assert scores[-3:].min() > scores[:-3].max()
    assert np.all((probability >= 0) & (probability <= 1))
    order = np.argsort(scores)
    assert np.all(np.diff(probability[order]) >= 0)
    assert np.all(probability[-3:] == 1.0)


def test_saved_detector_reproduces_the_csv(detected, files):
    detector = aekit.load(detected / "det.safetensors")
    assert isinstance(detector, aekit.OutlierDetector)
    assert detector.contamination == 0.05 and detector.model == "dense"
    new = aekit.datasets.load_array(files / "new.csv")
    _, table = _read_csv(detected / "scores.csv")
    np.testing.assert_array_equal(table[:, 0], detector.decision_function(new))
    np.testing.assert_array_equal(table[:, 1], detector.predict(new))
    np.testing.assert_array_equal(table[:, 2], detector.predict_proba(new)[:, 1])
    # The output CSV reads back with aekit's own loader (the header is skipped).
    assert aekit.datasets.load_array(detected / "scores.csv").shape == (43, 3)


def test_histogram_and_summary(detected, files, tmp_path, capsys):
    assert (detected / "hist.png").read_bytes()[:8] == PNG
    assert sorted(p.name for p in detected.iterdir()) == [
        "det.safetensors",
        "hist.png",
        "scores.csv",
    ]  # no temporary files left behind
    argv = ["detect", "--train", str(files / "normal.csv")]
    argv += ["--score", str(files / "new.csv"), "--contamination", "0.05", *FAST]
    assert main([*argv, "--output", str(tmp_path / "s.csv")]) == 0
    out = capsys.readouterr().out
    threshold = aekit.load(detected / "det.safetensors").threshold_
    assert f"threshold {threshold:.6g} (contamination 0.05: 15 of 300" in out
    assert "flagged " in out and " of 43 samples of " in out


def test_train_only_scores_the_training_data(tmp_path, capsys):
    X = np.vstack([_blob(200, 2), _far(4)])
    np.save(tmp_path / "train.npy", X)
    argv = ["detect", "--train", str(tmp_path / "train.npy"), *FAST]
    argv += ["--output", str(tmp_path / "scores.csv")]
    assert main(argv) == 0
    _, table = _read_csv(tmp_path / "scores.csv")
    assert table.shape == (204, 3)
    assert np.all(table[-4:, 1] == 1)
    # Default contamination 0.1: a tenth of the training rows are above threshold.
    assert table[:, 1].sum() == pytest.approx(0.1 * 204, abs=1)
    assert "of 204 samples of " in capsys.readouterr().out


def test_vae_with_auto_threshold_on_npz(tmp_path):
    np.savez(tmp_path / "train.npz", X=_blob(200, 3), y=np.zeros(200))
    np.savez(tmp_path / "new.npz", X=np.vstack([_blob(20, 4), _far(2)]))
    argv = ["detect", "--train", str(tmp_path / "train.npz")]
    argv += ["--score", str(tmp_path / "new.npz"), "--model", "vae"]
    argv += ["--contamination", "auto", *FAST, "--output", str(tmp_path / "s.csv")]
    assert main(argv) == 0
    _, table = _read_csv(tmp_path / "s.csv")
    assert table.shape == (22, 3) and np.all(table[-2:, 1] == 1)


@pytest.mark.parametrize(
    "flags, expected",
    [
        (
            [
                "--max-samples",
                "0.5",
                "--latent-density",
                "--normalize-errors",
                "--standardize",
                "quantile",
            ],
            {"score": "latent-density", "normalize_errors": True},
        ),
        (
            ["--trimmed-density", "--feature-bagging", "--trim-fraction", "0.1"],
            {"score": "trimmed-density", "feature_bagging": True, "trim_fraction": 0.1},
        ),
    ],
)
def test_ensemble_options_flag_the_far_points(tmp_path, flags, expected):
    np.savetxt(tmp_path / "train.csv", _blob(200, 8), delimiter=",")
    np.savetxt(tmp_path / "new.csv", np.vstack([_blob(20, 9), _far(2)]), delimiter=",")
    argv = ["detect", "--train", str(tmp_path / "train.csv")]
    argv += ["--score", str(tmp_path / "new.csv"), "--n-estimators", "3", *flags]
    argv += ["--contamination", "0.05", *FAST, "--output", str(tmp_path / "s.csv")]
    argv += ["--save-model", str(tmp_path / "det.safetensors")]
    assert main(argv) == 0
    _, table = _read_csv(tmp_path / "s.csv")
    assert table.shape == (22, 3) and np.all(table[-2:, 1] == 1)
    det = aekit.load(tmp_path / "det.safetensors")
    assert det.n_estimators == 3
    assert {name: getattr(det, name) for name in expected} == expected
    if "--standardize" in flags:
        assert det.standardize == "quantile"
    if "--feature-bagging" in flags:
        assert len(det.features_) == 3


@pytest.mark.parametrize(
    "argv, needle",
    [
        (
            ["--score", "{tmp}/narrow.csv"],
            "--score {tmp}/narrow.csv has 4 features per sample, but --train",
        ),
        (["--contamination", "0.7"], "--contamination must be 'auto' or a fraction"),
        (["--contamination", "0"], "--contamination must be 'auto' or a fraction"),
        (["--contamination", "nan"], "--contamination must be 'auto' or a fraction"),
        (["--contamination", "lots"], "expected 'auto' or a fraction such as 0.05"),
        (["--score", "{tmp}/missing.csv"], "missing.csv: no such file"),
        (["--score", "{tmp}/nan.csv"], "row 1 (0-based) holds NaN or infinite"),
        (["--score", "{tmp}/flat.npy"], "expected one sample per row (a 2-D array)"),
        (["--epochs", "0"], "--epochs must be >= 1"),
        (["--model", "gan"], "model='gan' is not a registered autoencoder family"),
        (["--n-estimators", "0"], "n_estimators must be >= 1, got 0"),
        (
            ["--n-estimators", "2", "--max-samples", "1.5"],
            "max_samples must be a fraction of the training samples in (0, 1]",
        ),
    ],
)
def test_bad_input_one_line_exit_2(tmp_path, capsys, argv, needle):
    np.savetxt(tmp_path / "train.csv", _blob(50, 5), delimiter=",")
    np.savetxt(tmp_path / "narrow.csv", _blob(10, 6)[:, :4], delimiter=",")
    bad = _blob(3, 7)
    bad[1, 2] = np.nan
    np.savetxt(tmp_path / "nan.csv", bad, delimiter=",")
    np.save(tmp_path / "flat.npy", np.arange(5.0))
    output = tmp_path / "scores.csv"
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    code = main(
        [
            "detect",
            "--train",
            str(tmp_path / "train.csv"),
            *argv,
            "--output",
            str(output),
        ]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert needle.replace("{tmp}", str(tmp_path)) in err and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(("aekit: error:", "aekit detect"))
    assert not output.exists()


def test_missing_training_file(tmp_path, capsys):
    argv = ["detect", "--train", str(tmp_path / "none.csv")]
    assert main([*argv, "--output", str(tmp_path / "s.csv")]) == 2
    assert "none.csv: no such file" in capsys.readouterr().err


def test_constant_columns_one_line_error_or_ignored(tmp_path, capsys):
    X = _blob(60, 8)
    X[:, 1] = 4.0
    X[:, 3] = 0.0
    np.savetxt(tmp_path / "train.csv", X, delimiter=",")
    output = tmp_path / "scores.csv"
    argv = ["detect", "--train", str(tmp_path / "train.csv"), *FAST]
    argv += ["--output", str(output)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    train = tmp_path / "train.csv"
    assert err.startswith(f"aekit: error: --train {train} has 2 constant columns of 5")
    assert "columns 1, 3 (0-based)" in err
    assert "pass --constant-columns ignore" in err
    assert not output.exists()
    # Kept on request: the run succeeds and the saved detector says so.
    model = tmp_path / "det.safetensors"
    argv += ["--constant-columns", "ignore", "--save-model", str(model)]
    assert main(argv) == 0
    _, table = _read_csv(output)
    assert table.shape == (60, 3) and np.all(np.isfinite(table))
    assert aekit.load(model).constant_columns == "ignore"
    # Only 'error' and 'ignore' are accepted (argparse: usage error, exit 2).
    bad = ["detect", "--train", str(tmp_path / "train.csv"), "--output", str(output)]
    assert main([*bad, "--constant-columns", "drop"]) == 2
    assert "invalid choice: 'drop'" in capsys.readouterr().err
