"""``aekit text fit|encode|similar``, run in-process through ``main(argv)``."""

from __future__ import annotations

import io
import sys

import numpy as np
import pytest

import aekit
from aekit.cli import main
from aekit.text import SentenceEncoder, default_glove_path, default_reuters_path

WORDS = [
    "the", "oil", "price", "rose", "fell", "bank", "said", "profit", "company",
    "shares", "market", "dollar", "9", "pct", ".", ",", "in", "of", "to", "a",
]  # fmt: skip
TINY = ["--encoder-units", "8", "--epochs", "2", "--max-len", "12", "--seed", "0"]


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    root = tmp_path_factory.mktemp("text")
    rng = np.random.default_rng(0)
    vectors = (" ".join(f"{v:.5f}" for v in rng.normal(size=6)) for _ in WORDS)
    glove = "\n".join(f"{w} {v}" for w, v in zip(WORDS, vectors, strict=True))
    (root / "glove.txt").write_text(glove + "\n")
    lines = [" ".join(rng.choice(WORDS, size=rng.integers(3, 10))) for _ in range(30)]
    (root / "sentences.txt").write_text("\n".join(lines) + "\n\n")  # a blank line
    return root


@pytest.fixture(scope="module")
def model(files):
    out = files / "run"
    argv = ["text", "fit", "--sentences", str(files / "sentences.txt")]
    argv += ["--glove", str(files / "glove.txt"), *TINY, "--out", str(out)]
    assert main(argv) == 0
    return out / "model.safetensors"


def test_fit_writes_one_model_file_and_history(model):
    assert sorted(p.name for p in model.parent.iterdir()) == [
        "history.json",
        "model.safetensors",
    ]
    encoder = aekit.load(model)
    assert isinstance(encoder, SentenceEncoder)
    assert encoder.n_sentences_ == 30 and encoder.code_dim_ == 8
    assert encoder.autoencoder_.epochs == 2 and encoder.max_len == 12


def test_encode_to_file_stdout_and_from_stdin(model, files, tmp_path, capsysbinary):
    sentences = files / "sentences.txt"
    out = tmp_path / "v.npy"
    assert (
        main(
            [
                "text",
                "encode",
                "--model",
                str(model),
                str(sentences),
                "--output",
                str(out),
            ]
        )
        == 0
    )
    vectors = np.load(out)
    # 30 sentences and a blank line: row i is line i, the blank one included
    assert vectors.shape == (31, 8) and vectors.dtype == np.float32
    expected = aekit.load(model).transform(sentences.read_text().split("\n")[:-1])
    np.testing.assert_array_equal(vectors, expected)
    capsysbinary.readouterr()
    # `aekit text encode --model M sentences.txt > vectors.npy`: no --output
    assert main(["text", "encode", "--model", str(model), str(sentences)]) == 0
    captured = capsysbinary.readouterr()
    np.testing.assert_array_equal(np.load(io.BytesIO(captured.out)), vectors)
    assert b"to stdout" in captured.err


def test_encode_reads_stdin_and_keeps_blank_lines(model, monkeypatch, capsysbinary):
    stdin = io.TextIOWrapper(io.BytesIO(b"oil price rose\n\nbank said\n"))
    monkeypatch.setattr(sys, "stdin", stdin)
    assert main(["text", "encode", "--model", str(model), "-", "--output", "-"]) == 0
    captured = capsysbinary.readouterr()
    vectors = np.load(io.BytesIO(captured.out))
    assert vectors.shape == (3, 8)  # row i is line i, the blank one too
    assert b"1 of 3 sentences have no tokens" in captured.err


def test_encode_refuses_to_write_binary_to_a_terminal(
    model, files, monkeypatch, capsys
):
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    argv = ["text", "encode", "--model", str(model), str(files / "sentences.txt")]
    assert main(argv) == 2
    assert "refusing to write binary .npy data to a terminal" in capsys.readouterr().err


def test_similar_prints_the_nearest_sentences(model, files, capsys):
    lines = (files / "sentences.txt").read_text().split("\n")
    query = lines[3]
    argv = ["text", "similar", "--model", str(model), query]
    argv += ["--sentences", str(files / "sentences.txt"), "--top", "3"]
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and out[0].startswith("1. 1.0000  ")
    assert out[0].endswith(query)
    scores = [float(line.split()[1]) for line in out]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["similar", "--model", "{model}", "", "--sentences", "{s}"], "query sentence"),
        (
            [
                "similar",
                "--model",
                "{model}",
                "oil",
                "--sentences",
                "{s}",
                "--top",
                "0",
            ],
            "--top must be >= 1",
        ),
        (
            [
                "similar",
                "--model",
                "{model}",
                "oil",
                "--sentences",
                "{s}",
                "--limit",
                "0",
            ],
            "--limit must be >= 1",
        ),
        (
            ["encode", "--model", "{model}", "{bad}", "--output", "{tmp}/x.npy"],
            "line 2: not UTF-8 text (byte 0xfc)",
        ),
        (
            ["encode", "--model", "{model}", "{empty}", "--output", "{tmp}/x.npy"],
            "no sentences (the file is empty or blank)",
        ),
        (
            [
                "encode",
                "--model",
                "{tmp}/none.safetensors",
                "{s}",
                "--output",
                "{tmp}/x.npy",
            ],
            "no such file",
        ),
        (
            ["encode", "--model", "{other}", "{s}", "--output", "{tmp}/x.npy"],
            "not a SentenceEncoder",
        ),
        (
            ["fit", "--sentences", "{empty}", "--glove", "{glove}", "--out", "{tmp}"],
            "no sentences",
        ),
        (
            ["fit", "--sentences", "{s}", "--glove", "{tmp}/no.txt", "--out", "{tmp}"],
            "no.txt: no such file",
        ),
        (
            [
                "fit",
                "--sentences",
                "{s}",
                "--glove",
                "{glove}",
                "--epochs",
                "0",
                "--out",
                "{tmp}",
            ],
            "epochs must be >= 1",
        ),
        (
            [
                "fit",
                "--sentences",
                "{s}",
                "--glove",
                "{glove}",
                "--preset",
                "nope",
                "--out",
                "{tmp}",
            ],
            "unknown SequenceAutoEncoder preset 'nope'",
        ),
    ],
)
def test_bad_input_is_a_one_line_error(argv, needle, model, files, tmp_path, capsys):
    (tmp_path / "bad.txt").write_bytes(b"fine line\nbad \xfc line\n")
    (tmp_path / "empty.txt").write_bytes(b"\n  \n")
    other = aekit.AutoEncoder(code_size=2, epochs=1).fit(np.zeros((8, 4)))
    other.save(tmp_path / "other.safetensors")
    values = {
        "model": str(model),
        "s": str(files / "sentences.txt"),
        "glove": str(files / "glove.txt"),
        "bad": str(tmp_path / "bad.txt"),
        "empty": str(tmp_path / "empty.txt"),
        "other": str(tmp_path / "other.safetensors"),
        "tmp": str(tmp_path),
    }
    assert main(["text", *(a.format(**values) for a in argv)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("aekit: error: ") and needle in err[-1]


@pytest.mark.parametrize("action", ["fit", "encode", "similar"])
def test_help(action, capsys):
    assert main(["text", action, "--help"]) == 0
    assert f"usage: aekit text {action}" in capsys.readouterr().out


def test_real_reuters_and_glove(data_dir, monkeypatch, tmp_path, capsys):
    """200 Reuters sentences, 1 epoch, 16 units: the real pipeline end to end."""
    monkeypatch.setenv("AEKIT_DATA_DIR", str(data_dir))
    if default_reuters_path() is None or default_glove_path() is None:
        pytest.skip("Reuters-21578 or GloVe 6B 50d not in the data folder")
    out = tmp_path / "run"
    argv = ["text", "fit", "--corpus", "reuters", "--limit", "200", "--epochs", "1"]
    argv += ["--encoder-units", "16", "--seed", "0", "--out", str(out)]
    assert main(argv) == 0
    assert "on 200 sentences" in capsys.readouterr().out
    encoder = aekit.load(out / "model.safetensors")
    assert encoder.embeddings_.shape[1] == 50 and encoder.glove_coverage_ > 0.9
    argv = ["text", "similar", "--model", str(out / "model.safetensors")]
    argv += ["Oil prices rose sharply.", "--corpus", "reuters", "--split"]
    argv += ["modapte-test", "--limit", "200", "--top", "3"]
    assert main(argv) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line[:3] for line in lines] == ["1. ", "2. ", "3. "]
