"""The aekit command line, run in-process through ``main(argv)``."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import aekit
import aekit.cli.plot
from aekit.cli import SUBCOMMANDS, main
from aekit.cli._common import save_figure
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
    "kind, extra, n_axes",
    [
        ("reconstructions", ["--dataset", "digits", "--n", "6"], 12),
        ("history", ["--log"], 1),
    ],
)
def test_plots_write_png(trained, tmp_path, monkeypatch, kind, extra, n_axes):
    figures = []

    def save(path, fig):
        figures.append(fig)
        save_figure(path, fig)

    monkeypatch.setattr(aekit.cli.plot, "save_figure", save)
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
    assert len(figures) == 1 and len(figures[0].axes) == n_axes
    assert list(out.parent.iterdir()) == [out]  # no temporary file left behind


def test_plot_history_names_the_loss(trained, tmp_path, monkeypatch):
    figures = []
    monkeypatch.setattr(
        aekit.cli.plot, "save_figure", lambda path, fig: figures.append(fig)
    )
    model = str(trained / "model.safetensors")
    assert main(["plot", "history", "--model", model, "--output", "x.png"]) == 0
    ax = figures[0].axes[0]
    assert ax.get_ylabel() == "loss (binary cross-entropy)"
    assert [t.get_text().split()[0] for t in ax.get_legend().get_texts()] == [
        "train",
        "validation",
    ]


@pytest.fixture(scope="module")
def trained_vae(tmp_path_factory):
    out = tmp_path_factory.mktemp("vae")
    argv = ["train", "--model", "vae", "--dataset", "digits", "--latent-dim", "2"]
    argv += ["--hidden", "64", "--epochs", "5", "--kl-warmup-epochs", "2"]
    argv += ["--seed", "0", "--device", "cpu", "--out", str(out)]
    assert main(argv) == 0
    return out / "model.safetensors"


def test_train_vae_and_sample(trained_vae, tmp_path, capsys):
    model = aekit.load(trained_vae)
    assert isinstance(model, aekit.VariationalAutoEncoder)
    assert model.latent_dim == 2 and model.kl_warmup_epochs == 2
    assert {"reconstruction", "kl"} <= set(model.history_)
    npy, png = tmp_path / "s.npy", tmp_path / "s.png"
    for out in (npy, png):
        argv = ["sample", "--model", str(trained_vae), "--n", "9", "--seed", "1"]
        assert main([*argv, "--output", str(out)]) == 0
    samples = np.load(npy)
    assert samples.shape == (9, 8, 8)
    np.testing.assert_array_equal(samples, model.sample(9, random_state=1))
    assert png.read_bytes()[:8] == PNG
    assert "wrote 9 samples" in capsys.readouterr().out


def test_sample_refuses_a_model_that_cannot_generate(trained, tmp_path, capsys):
    model = str(trained / "model.safetensors")
    code = main(["sample", "--model", model, "--output", str(tmp_path / "x.npy")])
    assert code == 2
    assert "cannot generate" in capsys.readouterr().err


@pytest.mark.parametrize(
    "kind, extra, n_axes",
    [
        ("latent", ["--dataset", "digits", "--limit", "300"], 1),
        ("manifold", ["--n", "5"], 25),
        ("interpolation", ["--dataset", "digits", "--steps", "4"], 6),
    ],
)
def test_vae_plots(trained_vae, tmp_path, monkeypatch, kind, extra, n_axes):
    figures = []
    monkeypatch.setattr(
        aekit.cli.plot, "save_figure", lambda path, fig: figures.append(fig)
    )
    argv = ["plot", kind, "--model", str(trained_vae), *extra, "--output", "x.png"]
    assert main(argv) == 0
    assert len(figures[0].axes) == n_axes


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


def test_debug_flag_shows_the_traceback_before_or_after_the_command(tmp_path):
    argv = ["train", "--dataset", "digits", "--preset", "nope", "--out", str(tmp_path)]
    with pytest.raises(aekit.RegistryError):
        main(["--debug", *argv])
    with pytest.raises(aekit.RegistryError):
        main([*argv, "--debug"])


def test_verbose_shows_info_logs_and_leaves_logging_as_it_was(tmp_path, capsys):
    logger = logging.getLogger("aekit")
    handlers, level = list(logger.handlers), logger.level
    argv = [
        "train",
        "--dataset",
        "digits",
        "--limit",
        "200",
        "--epochs",
        "1",
        "--early-stopping",
        "--validation-fraction",
        "0",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0
    assert "early stopping monitors" not in capsys.readouterr().err
    assert main([*argv, "-v"]) == 0
    captured = capsys.readouterr()
    assert "aekit: early stopping monitors 'loss'" in captured.err
    assert captured.out.startswith("trained 1 epochs on 200 samples: loss ")
    assert logger.handlers == handlers and logger.level == level


def _demo_module():
    spec = importlib.util.spec_from_file_location(
        "aekit_demo", ROOT / "examples" / "demo.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _check_demo_output(out: str, tmp_path: Path, code_size: int) -> None:
    assert "1 epochs in" in out
    rows = [
        line for line in out.splitlines() if line.startswith(("autoencoder ", "PCA"))
    ]
    assert rows[1].split()[0] == "autoencoder" and len(rows[1].split()) == 3
    assert rows[2].startswith(f"PCA ({code_size} components)")
    assert "autoencoder vs PCA: test BCE" in out
    for name in ("reconstructions.png", "loss.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG


def test_demo_runs_fast_on_digits(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    argv = ["--epochs", "1", "--dataset", "digits", "--out", str(tmp_path)]
    assert _demo_module().main(argv) == 0
    assert torch.get_num_threads() == threads  # the demo restores it
    out = capsys.readouterr().out
    assert out.startswith("dataset: digits")
    _check_demo_output(out, tmp_path, 8)


def test_demo_falls_back_to_digits_with_a_warning(
    tmp_path, monkeypatch, capsys, caplog
):
    monkeypatch.setenv("AEKIT_DATA_DIR", str(tmp_path / "no-data"))
    monkeypatch.setenv("AEKIT_CACHE_DIR", str(tmp_path / "no-cache"))
    monkeypatch.setenv("AEKIT_OFFLINE", "1")
    out_dir = tmp_path / "demo"
    with caplog.at_level(logging.WARNING, logger="aekit.demo"):
        assert _demo_module().main(["--epochs", "1", "--out", str(out_dir)]) == 0
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "mnist is not available" in warnings[0].getMessage()
    assert "falling back to the bundled 8x8 digits" in warnings[0].getMessage()
    out = capsys.readouterr().out
    assert out.startswith("dataset: digits")
    _check_demo_output(out, out_dir, 8)


@pytest.mark.slow
def test_demo_on_mnist_beats_pca(tmp_path, data_dir):
    """`make demo` as shipped: 15 epochs (after 3 the autoencoder still trails PCA)."""
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "demo.py"),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "AEKIT_DATA_DIR": str(data_dir), "MPLBACKEND": "Agg"},
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith("dataset: mnist") and "15 epochs in" in out
    lines = out.splitlines()
    ae = next(
        r.split() for r in lines if r.startswith("autoencoder ") and len(r.split()) == 3
    )
    pca = next(r.split() for r in lines if r.startswith("PCA (32 components)"))
    ae_bce, ae_se = float(ae[1]), float(ae[2])
    pca_bce, pca_se = float(pca[3]), float(pca[4])
    assert ae_bce < pca_bce and ae_se < pca_se
    assert "autoencoder vs PCA: test BCE" in out and "lower after 15 epochs" in out
    for name in ("reconstructions.png", "loss.png"):
        assert (tmp_path / name).read_bytes()[:8] == PNG
