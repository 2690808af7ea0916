"""The aekit command line, run in-process through ``main(argv)``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import aekit
from aekit.cli import SUBCOMMANDS, main
from aekit.cli.plot import KINDS

PNG = b"\x89PNG\r\n\x1a\n"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("run")
    code = main(
        [
            "train",
            "--dataset",
            "digits",
            "--preset",
            "vanilla-mnist",
            "--code-size",
            "8",
            "--epochs",
            "3",
            "--validation-fraction",
            "0.2",
            "--seed",
            "0",
            "--device",
            "cpu",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    return out


def test_train_writes_model_and_history(trained):
    model = aekit.load(trained / "model.safetensors")
    assert model.code_size == 8 and model.loss == "bce" and model.epochs == 3
    history = json.loads((trained / "history.json").read_text())
    assert len(history["loss"]) == len(history["val_loss"]) == 3


def test_preset_is_not_overridden_by_unset_flags(tmp_path):
    assert (
        main(
            [
                "train",
                "--dataset",
                "digits",
                "--preset",
                "deep-mnist",
                "--epochs",
                "1",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    model = aekit.load(tmp_path / "model.safetensors")
    assert model.hidden_layer_sizes == (128, 64) and model.loss == "bce"


def test_train_on_array_file_with_hidden_sizes(tmp_path):
    X = np.random.default_rng(0).normal(size=(64, 6)).astype(np.float32)
    np.save(tmp_path / "x.npy", X)
    assert (
        main(
            [
                "train",
                "--data",
                str(tmp_path / "x.npy"),
                "--hidden",
                "5,4",
                "--code-size",
                "2",
                "--epochs",
                "2",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    model = aekit.load(tmp_path / "model.safetensors")
    assert model.hidden_layer_sizes == (5, 4) and model.loss == "mse"


def test_train_with_every_regularizer_combined(tmp_path):
    code = main(
        [
            "train",
            "--dataset",
            "digits",
            "--hidden",
            "16",
            "--code-size",
            "8",
            "--code-activation",
            "sigmoid",
            "--sparsity",
            "kl",
            "--sparsity-target",
            "0.1",
            "--corruption",
            "gaussian",
            "--noise-level",
            "0.2",
            "--noise-clip",
            "--contractive",
            "0.05",
            "--contractive-method",
            "hutchinson",
            "--pretrain",
            "greedy",
            "--pretrain-epochs",
            "1",
            "--epochs",
            "2",
            "--out",
            str(tmp_path),
        ]
    )
    assert code == 0
    model = aekit.load(tmp_path / "model.safetensors")
    assert (model.sparsity, model.corruption, model.noise_clip) == (
        "kl",
        "gaussian",
        True,
    )
    assert model.contractive == 0.05 and model.pretrain == "greedy"
    assert {"reconstruction", "kl_sparsity", "contractive"} <= set(model.history_)
    assert len(model.pretrain_history_) == 2


def test_encode_and_reconstruct(trained, tmp_path, capsys):
    model = str(trained / "model.safetensors")
    assert (
        main(
            [
                "encode",
                "--model",
                model,
                "--dataset",
                "digits",
                "--split",
                "test",
                "--output",
                str(tmp_path / "codes.npy"),
            ]
        )
        == 0
    )
    assert np.load(tmp_path / "codes.npy").shape == (297, 8)
    assert (
        main(
            [
                "reconstruct",
                "--model",
                model,
                "--dataset",
                "digits",
                "--limit",
                "7",
                "--output",
                str(tmp_path / "r.npy"),
            ]
        )
        == 0
    )
    assert np.load(tmp_path / "r.npy").shape == (7, 8, 8)
    assert "wrote reconstructions of shape (7, 8, 8)" in capsys.readouterr().out


@pytest.mark.parametrize(
    "kind, extra",
    [
        ("reconstructions", ["--dataset", "digits", "--n", "6"]),
        ("history", ["--log"]),
    ],
)
def test_plots_write_png(trained, tmp_path, kind, extra):
    out = tmp_path / "sub" / f"{kind}.png"
    code = main(
        [
            "plot",
            kind,
            "--model",
            str(trained / "model.safetensors"),
            *extra,
            "--output",
            str(out),
        ]
    )
    assert code == 0 and out.read_bytes()[:8] == PNG


def test_models_and_datasets_listings(capsys):
    assert main(["models"]) == 0
    out = capsys.readouterr().out
    assert "dense" in out and "vanilla-mnist" in out and "hinton-30d" in out
    assert main(["datasets"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ("mnist", "fashion-mnist", "digits"))


def _subcommand_argvs() -> list[list[str]]:
    argvs = [[]]
    for module in SUBCOMMANDS:
        name = module.__name__.rsplit(".", 1)[1]
        argvs.append([name])
    argvs += [["plot", kind] for kind in KINDS]
    return argvs


@pytest.mark.parametrize("argv", _subcommand_argvs(), ids=" ".join)
def test_help_everywhere(argv, capsys):
    assert main([*argv, "--help"]) == 0
    assert "usage: aekit" in capsys.readouterr().out


def _bad_model(tmp_path: Path) -> Path:
    path = tmp_path / "bad.safetensors"
    path.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json at all}")
    return path


@pytest.mark.parametrize(
    "argv, needle",
    [
        (
            ["train", "--dataset", "digits", "--preset", "nope", "--out", "{tmp}"],
            "unknown AutoEncoder preset 'nope'",
        ),
        (["train", "--dataset", "cifar", "--out", "{tmp}"], "unknown dataset 'cifar'"),
        (
            ["train", "--dataset", "digits", "--model", "gan", "--out", "{tmp}"],
            "unknown model 'gan'",
        ),
        (
            ["train", "--dataset", "digits", "--epochs", "-2", "--out", "{tmp}"],
            "epochs must be >= 1",
        ),
        (
            [
                "train",
                "--data",
                "{tmp}/wide.npy",
                "--loss",
                "bce",
                "--output-activation",
                "sigmoid",
                "--out",
                "{tmp}",
            ],
            "needs X in [0, 1]",
        ),
        (
            [
                "encode",
                "--model",
                "{tmp}/missing.safetensors",
                "--dataset",
                "digits",
                "--output",
                "{tmp}/c.npy",
            ],
            "no such file",
        ),
        (
            [
                "encode",
                "--model",
                "{tmp}/bad.safetensors",
                "--dataset",
                "digits",
                "--output",
                "{tmp}/c.npy",
            ],
            "not a readable aekit file",
        ),
        (
            ["train", "--dataset", "digits", "--limit", "0", "--out", "{tmp}"],
            "--limit must be >= 1",
        ),
        (
            ["train", "--dataset", "digits", "--hidden", "12,x", "--out", "{tmp}"],
            "expected comma-separated integers",
        ),
        (
            ["train", "--out", "{tmp}"],
            "one of the arguments --dataset --data is required",
        ),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_bad_arguments_one_line_exit_2(tmp_path, capsys, argv, needle):
    np.save(tmp_path / "wide.npy", np.linspace(-1, 2, 40).reshape(10, 4))
    _bad_model(tmp_path)
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err
    assert err.strip().splitlines()[-1].startswith(("aekit: error:", "aekit "))
    assert (
        not (tmp_path / "c.npy").exists()
        and not (tmp_path / "model.safetensors").exists()
    )


def test_python_dash_m_entry_point():
    proc = subprocess.run(
        [sys.executable, "-m", "aekit", "--version"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0 and proc.stdout.startswith("aekit ")


def test_demo_runs_fast_on_digits(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "demo.py"),
            "--dataset",
            "digits",
            "--epochs",
            "2",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "autoencoder" in proc.stdout and "PCA (8 components)" in proc.stdout
    for name in ("reconstructions.png", "loss.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG


@pytest.mark.slow
def test_demo_on_mnist_beats_pca(tmp_path, data_dir):
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "demo.py"),
            "--epochs",
            "3",
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**__import__("os").environ, "AEKIT_DATA_DIR": str(data_dir)},
    )
    assert proc.returncode == 0, proc.stderr
    lines = {
        line.split()[0]: line.split()
        for line in proc.stdout.splitlines()
        if line.startswith(("autoencoder ", "PCA"))
    }
    assert "dataset: mnist" in proc.stdout
    ae_bce, pca_bce = float(lines["autoencoder"][1]), float(lines["PCA"][4])
    assert ae_bce < pca_bce
