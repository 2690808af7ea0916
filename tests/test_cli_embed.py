"""``aekit embed``: autoencoder codes next to PCA, on the bundled 8×8 digits."""

from __future__ import annotations

import numpy as np
import pytest

from aekit.cli import main

PNG = b"\x89PNG\r\n\x1a\n"
QUICK = ["--dataset", "digits", "--epochs", "3", "--seed", "0", "--device", "cpu"]


def _rows(out: str) -> dict[str, list[float]]:
    """Method name → (kNN accuracy, trustworthiness, fit seconds) from the table."""
    rows = {}
    for line in out.splitlines()[1:]:
        parts = line.rsplit(maxsplit=3)
        if len(parts) == 4 and parts[0].startswith(("autoencoder", "PCA")):
            rows[parts[0]] = [float(v) for v in parts[1:]]
    return rows


def test_embed_prints_both_methods_and_writes_plot_and_codes(tmp_path, capsys):
    plot, codes = tmp_path / "embed.png", tmp_path / "codes.npy"
    argv = [*QUICK, "--limit", "600", "--plot", str(plot), "--output", str(codes)]
    assert main(["embed", *argv]) == 0
    out = capsys.readouterr().out
    rows = _rows(out)
    assert set(rows) == {"autoencoder 64-500-2", "PCA, 2 components"}
    for accuracy, trust, seconds in rows.values():
        assert 0.1 < accuracy <= 1 and 0.5 < trust <= 1 and seconds >= 0
    assert "kNN fitted on 600 training codes" in out
    assert "trustworthiness on all 297 of the test codes" in out
    assert plot.read_bytes().startswith(PNG)
    saved = np.load(codes)
    assert saved.shape == (297, 2) and np.isfinite(saved).all()


def test_embed_wider_code_without_pca(tmp_path, capsys):
    argv = [*QUICK, "--limit", "300", "--code-size", "3", "--hidden", "32"]
    argv += ["--no-compare-pca", "--n-trust", "100", "--k", "3"]
    assert main(["embed", *argv, "--plot", str(tmp_path / "e.svg")]) == 0
    out = capsys.readouterr().out
    assert set(_rows(out)) == {"autoencoder 64-32-3"}
    assert "kNN acc. (k=3)" in out and "on 100 drawn at random" in out
    assert (tmp_path / "e.svg").read_text().lstrip().startswith("<?xml")


@pytest.mark.parametrize(
    "extra, needle",
    [
        (["--code-size", "0"], "--code-size must be >= 1"),
        (["--k", "0"], "--k must be >= 1"),
        (["--n-trust", "1"], "--n-trust must be >= 2"),
        (["--limit", "0"], "--limit must be >= 1"),
        (["--output", "{tmp}/c.csv"], "the codes are written as .npy"),
        (["--plot", "{tmp}/p.nope"], "unknown image format"),
        (["--code-size", "65"], "PCA can give at most 64 components"),
        (["--limit", "8"], "k < half the samples"),
        (["--hidden", "8,x"], "expected comma-separated integers"),
    ],
)
def test_bad_arguments_one_line_exit_2(tmp_path, capsys, extra, needle):
    extra = [a.replace("{tmp}", str(tmp_path)) for a in extra]
    assert main(["embed", *QUICK, "--epochs", "1", *extra]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(("aekit: error:", "aekit embed"))
    assert not list(tmp_path.iterdir())


def test_unknown_dataset(capsys):
    assert main(["embed", "--dataset", "cifar"]) == 2
    assert "unknown dataset 'cifar'" in capsys.readouterr().err
