"""Text pipeline: Reuters-21578 reader, tokenizer, vocabulary, GloVe embeddings."""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
import time
from pathlib import Path

import numpy as np
import pytest

import aekit
from aekit import text
from aekit.text import (
    NUMBER_TOKEN,
    Vocabulary,
    load_glove,
    load_reuters,
    split_sentences,
    tokenize,
    tokenize_sentences,
)


# ------------------------------------------------------------------ helpers
def _document(
    new_id: int,
    *,
    topics_attr: str = "YES",
    lewis: str = "TRAIN",
    topics: tuple[str, ...] = ("earn",),
    title: str = "ACME PROFIT UP",
    body: str = "Acme Inc said profit rose 5 pct.\n Reuter\n&#3;",
    text_type: str = "",
) -> str:
    d = "".join(f"<D>{t}</D>" for t in topics)
    text_tag = f'<TEXT TYPE="{text_type}">' if text_type else "<TEXT>"
    inner = (
        body
        if text_type == "UNPROC"
        else f"&#2;\n<TITLE>{title}</TITLE>\n<DATELINE>NEW YORK, March 1 - "
        f"</DATELINE><BODY>{body}</BODY>"
    )
    return (
        f'<REUTERS TOPICS="{topics_attr}" LEWISSPLIT="{lewis}" '
        f'CGISPLIT="TRAINING-SET" OLDID="{new_id + 5000}" NEWID="{new_id}">\n'
        f"<DATE> 1-MAR-1987 10:00:00.00</DATE>\n<TOPICS>{d}</TOPICS>\n"
        f"<PLACES><D>usa</D></PLACES>\n<UNKNOWN>&#5;&#5;&#5;F\n</UNKNOWN>\n"
        f"{text_tag}{inner}</TEXT>\n</REUTERS>\n"
    )


def _sgm(*docs: str) -> bytes:
    return ('<!DOCTYPE lewis SYSTEM "lewis.dtd">\n' + "".join(docs)).encode("ascii")


def _small_corpus() -> dict[str, bytes]:
    """Two .sgm files with every kind of document and every kind of damage."""
    first = _sgm(
        _document(1),
        _document(2, lewis="TEST", body="Sales &lt;ACME&gt; rose &amp; fell."),
        _document(3, topics_attr="NO", topics=()),
        _document(4, topics_attr="BYPASS"),
    )
    # A byte that is not UTF-8 and a raw ESC byte, as in reut2-017.sgm.
    damaged = "Growth slowed.\xfc&#30;side measures, he said.\x1b Reuter"
    second = _sgm(
        _document(5, lewis="NOT-USED", body="x"),
        _document(6, lewis="TEST", body="PLACEHOLDER"),
        _document(7, text_type="BRIEF", title="ACME SETS DIVIDEND", body=""),
        _document(8, text_type="UNPROC", body="Shr 12 cts vs 15 cts"),
    ).replace(b"PLACEHOLDER", damaged.encode("latin-1"))
    return {"reut2-000.sgm": first, "reut2-001.sgm": second}


def _tarball(path: Path, files: dict[str, bytes]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as archive:
        for name, data in [("README.txt", b"readme\n"), *files.items()]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


@pytest.fixture()
def small_tarball(tmp_path) -> Path:
    return _tarball(tmp_path / "reuters" / text.REUTERS_FILE, _small_corpus())


# ------------------------------------------------------------------ Reuters, small
def test_reader_parses_fields_and_unescapes(small_tarball):
    corpus = load_reuters(small_tarball)
    assert [d.new_id for d in corpus] == list(range(1, 9))
    first = corpus[0]
    assert first.title == "ACME PROFIT UP" and first.topics == ("earn",)
    assert (first.topics_attribute, first.lewis_split, first.cgi_split) == (
        "YES",
        "TRAIN",
        "TRAINING-SET",
    )
    assert first.old_id == 5001 and first.places == ("usa",)
    assert first.date == "1-MAR-1987 10:00:00.00"
    assert first.dateline == "NEW YORK, March 1 -"
    assert first.body == "Acme Inc said profit rose 5 pct.\n Reuter"
    assert first.text == "ACME PROFIT UP. " + first.body
    assert corpus[1].body == "Sales <ACME> rose & fell."
    assert corpus[2].topics == () and corpus[2].topics_attribute == "NO"
    brief, unproc = corpus[6], corpus[7]
    assert brief.text_type == "BRIEF" and brief.title == "ACME SETS DIVIDEND"
    assert unproc.text_type == "UNPROC" and unproc.body == "Shr 12 cts vs 15 cts"


def test_reader_repairs_bad_bytes_and_counts_them(small_tarball, caplog):
    with caplog.at_level("INFO", logger="aekit"):
        corpus = load_reuters(small_tarball)
    damaged = corpus[5].body
    assert damaged == "Growth slowed.  side measures, he said.  Reuter"
    assert corpus.repairs["invalid_bytes"] == 1
    assert corpus.repairs["control_bytes"] == 1
    # &#5; x3 in all 8 documents, &#2; in the 7 that are not UNPROC, &#3; at the
    # end of the 3 default bodies, and the &#30; above.
    assert corpus.repairs["control_references"] == 24 + 7 + 3 + 1
    assert corpus.repairs_by_file["reut2-001.sgm"]["invalid_bytes"] == 1
    assert corpus.repairs_by_file["reut2-000.sgm"]["invalid_bytes"] == 0
    assert "1 invalid byte(s) (in reut2-001.sgm)" in caplog.text


def test_reader_splits_and_rejects_unknown_split(small_tarball):
    train = load_reuters(small_tarball, split="modapte-train")
    test = load_reuters(small_tarball, split="modapte-test")
    # TOPICS="YES" only: NO (3), BYPASS (4) and NOT-USED (5) are out.
    assert [d.new_id for d in train] == [1, 7, 8] and train.split == "modapte-train"
    assert [d.new_id for d in test] == [2, 6]
    with pytest.raises(ValueError, match=r"unknown split 'train'.*modapte-train"):
        load_reuters(small_tarball, split="train")


def test_reader_reads_extracted_folder(tmp_path):
    for name, data in _small_corpus().items():
        (tmp_path / name).write_bytes(data)
    assert len(load_reuters(tmp_path)) == 8
    assert [d.new_id for d in load_reuters(tmp_path / "reut2-001.sgm")] == [5, 6, 7, 8]
    (tmp_path / "empty").mkdir()
    with pytest.raises(aekit.DataError, match=r"empty: folder holds no \.sgm files"):
        load_reuters(tmp_path / "empty")


def test_default_path_from_data_dir_and_missing_message(
    small_tarball, monkeypatch, tmp_path
):
    monkeypatch.setenv("AEKIT_DATA_DIR", str(small_tarball.parent.parent))
    assert len(load_reuters()) == 8
    monkeypatch.setenv("AEKIT_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setenv("AEKIT_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(aekit.DatasetNotFoundError) as info:
        load_reuters()
    message = str(info.value)
    assert str(tmp_path / "nowhere" / "reuters" / "reuters21578.tar.gz") in message
    assert str(tmp_path / "cache" / "reuters" / "reuters21578.tar.gz") in message
    assert "archive.ics.uci.edu" in message
    with pytest.raises(aekit.DatasetNotFoundError, match="no such file"):
        load_reuters(tmp_path / "missing.tar.gz")


def test_truncated_or_corrupt_archive_is_a_data_error(small_tarball, tmp_path):
    raw = small_tarball.read_bytes()
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(raw[: len(raw) // 2])
    with pytest.raises(aekit.DataError, match=r"truncated\.tar\.gz: corrupt or trunc"):
        load_reuters(truncated)
    garbage = tmp_path / "garbage.tar.gz"
    garbage.write_bytes(b"\x1f\x8b" + bytes(range(256)) * 4)
    with pytest.raises(aekit.DataError, match=r"garbage\.tar\.gz: corrupt"):
        load_reuters(garbage)
    not_reuters = _tarball(tmp_path / "other.tar.gz", {"notes.txt": b"hello"})
    with pytest.raises(aekit.DataError, match=r"other\.tar\.gz: .*no \.sgm files"):
        load_reuters(not_reuters)


def test_unterminated_document_is_a_data_error(tmp_path):
    cut = _sgm(_document(1), _document(2))[:-40]  # loses the last </REUTERS>
    path = _tarball(tmp_path / "cut.tar.gz", {"reut2-000.sgm": cut})
    with pytest.raises(aekit.DataError, match=r"reut2-000\.sgm: document 2 has no"):
        load_reuters(path)


# ------------------------------------------------------------------ Reuters, real
@pytest.fixture(scope="module")
def reuters(data_dir):
    path = data_dir / "reuters" / text.REUTERS_FILE
    if not path.is_file():
        pytest.skip(f"Reuters-21578 not found at {path}")
    return load_reuters(path)


def test_real_corpus_counts_match_the_readme(reuters):
    assert len(reuters) == 21578
    assert sorted(d.new_id for d in reuters) == list(range(1, 21579))
    lewis = [d.lewis_split for d in reuters]
    assert (lewis.count("TRAIN"), lewis.count("TEST"), lewis.count("NOT-USED")) == (
        14668,
        6188,
        722,
    )
    assert len(reuters.subset("modapte-train")) == 9603
    assert len(reuters.subset("modapte-test")) == 3299
    first = reuters[0]
    assert first.title == "BAHIA COCOA REVIEW" and first.topics == ("cocoa",)
    assert first.places == ("el-salvador", "usa", "uruguay")
    assert first.body.startswith("Showers continued throughout the week in\nthe Bahia")


def test_real_corpus_is_clean_after_repair(reuters):
    assert reuters.repairs["invalid_bytes"] == 1
    assert reuters.repairs_by_file["reut2-017.sgm"]["invalid_bytes"] == 1
    assert reuters.repairs["control_references"] > 100_000  # &#2; &#3; per story
    junk = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd\udc80-\udcff]")
    for doc in reuters:
        for value in (doc.title, doc.body, doc.dateline, doc.date):
            assert not junk.search(value), doc.new_id
            assert "&lt;" not in value and "&amp;" not in value and "&#" not in value
    # The \xfc byte sat between two sentences of one story.
    (repaired,) = [d for d in reuters if "world economic growth.   side" in d.body]
    assert "side measures to boost growth" in repaired.body
    assert sum("<" in d.body for d in reuters) > 1000  # &lt;ACME> tickers unescaped


@pytest.fixture(scope="module")
def train_sentences(reuters):
    return [
        s for d in reuters.subset("modapte-train") for s in tokenize_sentences(d.text)
    ]


def test_real_vocabulary_follows_the_textbook(train_sentences):
    assert len(train_sentences) > 50_000
    vocab = Vocabulary.build(train_sentences, max_words=5000)
    assert len(vocab) == 5002
    assert vocab.tokens[:5] == ("<pad>", "<unk>", NUMBER_TOKEN, "the", ".")
    assert "u.s." in vocab and "'s" in vocab and "n't" in vocab
    assert not any(any(c.isdigit() and c != "9" for c in t) for t in vocab.tokens)
    ids = vocab.encode_batch(train_sentences[:1000])
    assert ids.shape == (1000, 50) and ids.dtype == np.int64
    assert (ids == Vocabulary.UNK_ID).mean() < 0.05


# ------------------------------------------------------------------ tokenizer
@pytest.mark.parametrize(
    ("sentence", "tokens"),
    [
        ("U.S. exports rose 3.5 pct.", ["u.s.", "exports", "rose", "9", "pct", "."]),
        (
            "Acme Inc. said net was 1,234.5 mln dlrs.",
            ["acme", "inc.", "said", "net", "was", "9", "mln", "dlrs", "."],
        ),
        (
            '"We are pleased," he said.',
            ['"', "we", "are", "pleased", ",", '"', "he", "said", "."],
        ),
        (
            "The company's shares didn't move, O'Neill said.",
            [
                "the",
                "company",
                "'s",
                "shares",
                "did",
                "n't",
                "move",
                ",",
                "o'neill",
                "said",
                ".",
            ],
        ),
        (
            "AT&T's long-term debt: $1,234 in 1987/88, mid-1987, 10-K at 15:30",
            [
                "at&t",
                "'s",
                "long-term",
                "debt",
                ":",
                "$",
                "9",
                "in",
                "9",
                ",",
                "mid-9",
                ",",
                "9-k",
                "at",
                "9",
            ],
        ),
        ("S&P fell -- sharply ...", ["s&p", "fell", "--", "sharply", "..."]),
        ("Sales (1986) rose 10%", ["sales", "(", "9", ")", "rose", "9", "%"]),
    ],
)
def test_tokenize_tricky_cases(sentence, tokens):
    assert tokenize(sentence) == tokens


def test_tokenize_keeps_abbreviations_whole_and_options():
    assert tokenize("Talks with the U.K. e.g. on Jan. 5") == [
        "talks",
        "with",
        "the",
        "u.k.",
        "e.g.",
        "on",
        "jan.",
        "9",
    ]
    assert tokenize("zinc. Inc., Mr. Smith") == [
        "zinc",
        ".",
        "inc.",
        ",",
        "mr.",
        "smith",
    ]
    assert tokenize("U.S. rose 3.5 PCT", lowercase=False, replace_numbers=False) == [
        "U.S.",
        "rose",
        "3.5",
        "PCT",
    ]
    assert tokenize("Put 1,234.5 in Q1", replace_numbers=False) == [
        "put",
        "1,234.5",
        "in",
        "q1",
    ]


@pytest.mark.parametrize("blank", ["", "   ", "\n\t \n"])
def test_empty_text_gives_nothing(blank):
    assert tokenize(blank) == []
    assert split_sentences(blank) == []
    assert tokenize_sentences(blank) == []


@pytest.mark.parametrize(
    ("paragraph", "sentences"),
    [
        (
            "The U.S. Treasury sold bonds. Shares of Acme Inc. rose 5 pct. Wow!",
            [
                "The U.S. Treasury sold bonds.",
                "Shares of Acme Inc. rose 5 pct.",
                "Wow!",
            ],
        ),
        (
            "It sold the unit to Acme Inc. The deal closed on Jan. 5. Is it over?",
            [
                "It sold the unit to Acme Inc.",
                "The deal closed on Jan. 5.",
                "Is it over?",
            ],
        ),
        ('He said "yes." Then he left.', ['He said "yes."', "Then he left."]),
        (
            "Mr. Smith met Dr. Jones. They talked.",
            ["Mr. Smith met Dr. Jones.", "They talked."],
        ),
        (
            "James A. Baker said so. Plan B. The end.",
            ["James A. Baker said so.", "Plan B.", "The end."],
        ),
        (
            "Buy No. 2 wheat. No. It rose 2.5 pct.",
            ["Buy No. 2 wheat.", "No.", "It rose 2.5 pct."],
        ),
        (
            "Prices rose 3.5 pct. to 20 dlrs a share.",
            ["Prices rose 3.5 pct. to 20 dlrs a share."],
        ),
        ("profit rose 5 pct. it was lower", ["profit rose 5 pct.", "it was lower"]),
        (
            "Net 1.2 mln vs 1.0 mln\n    Revs 50 mln",
            ["Net 1.2 mln vs 1.0 mln", "Revs 50 mln"],
        ),
        (
            "A title without period\n\nThe body.",
            ["A title without period", "The body."],
        ),
        (
            "Lines wrap\ninside a sentence. Next.",
            ["Lines wrap\ninside a sentence.", "Next."],
        ),
    ],
)
def test_split_sentences_tricky_cases(paragraph, sentences):
    assert split_sentences(paragraph) == sentences


def test_tokenize_sentences_and_type_errors():
    assert tokenize_sentences("Profit rose 5 pct. It was a record!") == [
        ["profit", "rose", "9", "pct", "."],
        ["it", "was", "a", "record", "!"],
    ]
    for function in (tokenize, split_sentences, tokenize_sentences):
        with pytest.raises(TypeError, match="expected a str of text, got bytes"):
            function(b"bytes")


def test_tokenize_is_fast_enough_for_a_corpus():
    # 20,000 sentences of newswire; a regression to per-character Python loops
    # would take minutes, the regular expressions take well under a second.
    sentence = "Acme Inc. said its 1986 net rose 3.5 pct to 1,234 mln dlrs, it said."
    start = time.perf_counter()
    for _ in range(20_000):
        tokenize(sentence)
    assert time.perf_counter() - start < 10.0


# ------------------------------------------------------------------ vocabulary
def _sentences():
    return [["b", "a", "c"], ["a", "b", "d", "<unk>"], ["c", "a", "e"]]


def test_build_orders_by_count_then_first_occurrence():
    vocab = Vocabulary.build(_sentences())
    # a:3; b, c: 2 (b first seen before c); d, e: 1 (d first). "<unk>" not counted.
    assert vocab.tokens == ("<pad>", "<unk>", "a", "b", "c", "d", "e")
    assert vocab.counts == (3, 2, 2, 1, 1)
    assert Vocabulary.build(_sentences(), max_words=2).tokens[2:] == ("a", "b")
    assert Vocabulary.build(_sentences(), min_count=2).tokens[2:] == ("a", "b", "c")
    assert len(Vocabulary.build(_sentences(), max_words=0)) == 2
    assert (Vocabulary.PAD_ID, Vocabulary.UNK_ID) == (0, 1)
    assert "a" in vocab and "z" not in vocab and len(vocab) == 7


def test_encode_pads_truncates_and_maps_unknown():
    vocab = Vocabulary.build(_sentences())
    assert vocab.encode(["a", "zzz", "e"], max_len=5).tolist() == [2, 1, 6, 0, 0]
    assert vocab.encode(["a", "b"], max_len=4, padding="pre").tolist() == [0, 0, 2, 3]
    long = ["a", "b", "c", "d", "e"]
    assert vocab.encode(long, max_len=3).tolist() == [2, 3, 4]
    assert vocab.encode(long, max_len=3, truncating="pre").tolist() == [4, 5, 6]
    assert vocab.encode([], max_len=2).tolist() == [0, 0]
    batch = vocab.encode_batch([["a"], long], max_len=4)
    assert batch.shape == (2, 4) and batch.dtype == np.int64
    assert batch.tolist() == [[2, 0, 0, 0], [2, 3, 4, 5]]
    assert vocab.encode_batch([], max_len=4).shape == (0, 4)
    assert vocab.encode(["a"]).shape == (50,)


def test_decode_round_trips():
    vocab = Vocabulary.build(_sentences())
    ids = vocab.encode(["c", "a", "unseen"], max_len=6)
    assert vocab.decode(ids) == ["c", "a", "<unk>"]
    assert vocab.decode(ids, skip_pad=False)[-1] == "<pad>"
    assert vocab.decode([]) == [] and vocab.id_to_token(2) == "a"
    assert vocab.token_to_id("a") == 2 and vocab.token_to_id("nope") == 1


def test_vocabulary_rejects_bad_input():
    vocab = Vocabulary.build(_sentences())
    with pytest.raises(TypeError, match="got a str; tokenize it first"):
        vocab.encode("a b c")
    with pytest.raises(TypeError, match="got a str; tokenize it first"):
        Vocabulary.build(["a b c"])
    with pytest.raises(ValueError, match="max_len must be an int >= 1, got 0"):
        vocab.encode(["a"], max_len=0)
    with pytest.raises(ValueError, match="padding must be 'post' or 'pre'"):
        vocab.encode(["a"], padding="left")
    with pytest.raises(ValueError, match="token id 7 is out of range"):
        vocab.decode([2, 7])
    with pytest.raises(ValueError, match="token id -1 is out of range"):
        vocab.id_to_token(-1)
    with pytest.raises(ValueError, match="one-dimensional"):
        vocab.decode([[2, 3]])
    with pytest.raises(ValueError, match="must be integers"):
        vocab.decode([2.0])
    with pytest.raises(ValueError, match="'a' at id 3 is a duplicate"):
        Vocabulary(["a", "a"])
    with pytest.raises(ValueError, match="reserved for a special token"):
        Vocabulary(["<pad>"])
    with pytest.raises(ValueError, match="max_words must be None or an int >= 0"):
        Vocabulary.build(_sentences(), max_words=-1)
    with pytest.raises(ValueError, match="min_count must be an int >= 1"):
        Vocabulary.build(_sentences(), min_count=0)


def test_save_load_round_trip_and_bad_files(tmp_path):
    vocab = Vocabulary.build([["héllo", "wörld", "héllo"]])
    path = vocab.save(tmp_path / "sub" / "vocab.json")
    loaded = Vocabulary.load(path)
    assert loaded == vocab and loaded.counts == (2, 1)
    assert [p.name for p in path.parent.iterdir()] == ["vocab.json"]  # no temp left
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["format"] == "aekit-vocabulary" and document["version"] == 1

    def bad(content: str | bytes, match: str) -> None:
        target = tmp_path / "bad.json"
        if isinstance(content, str):
            content = content.encode("utf-8")
        target.write_bytes(content)
        with pytest.raises(aekit.DataError, match=rf"bad\.json: {match}"):
            Vocabulary.load(target)

    bad(path.read_text(encoding="utf-8")[:30], r"not valid JSON \(line")
    bad(b"\xff\xfe", "not UTF-8")
    bad('{"format": "something"}', "not an aekit vocabulary file")
    bad(json.dumps({**document, "version": 99}), "unsupported vocabulary version 99")
    bad(
        json.dumps({**document, "words": ["a", "a"]}), "word 'a' at id 3 is a duplicate"
    )
    bad(json.dumps({**document, "words": "ab"}), "'words' must be a list")
    bad(json.dumps({**document, "counts": [1]}), "counts must be 2 non-negative")
    bad(json.dumps({**document, "counts": ["1", "2"]}), "'counts' must be null or")
    bad(json.dumps({**document, "pad": "PAD"}), "special tokens 'PAD'")
    with pytest.raises(aekit.DataError, match=r"missing\.json: cannot read"):
        Vocabulary.load(tmp_path / "missing.json")


# ------------------------------------------------------------------ GloVe
def _glove_file(path: Path, lines: list[str]) -> Path:
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


_GLOVE_LINES = [
    "the 0.5 1.0 -1.5",
    "cat 1 2 3",
    "emu 9.5 9.5 9.5",
    "dog -1e-05 0.25 1.5",
    "cat 7 7 7",  # a repeated word: the first vector wins
]


@pytest.mark.parametrize("name", ["glove.txt", "glove.txt.gz"])
def test_glove_builds_the_matrix(tmp_path, name, caplog):
    path = _glove_file(tmp_path / name, _GLOVE_LINES)
    vocab = Vocabulary(["the", "cat", "dog", "gnu"])
    with caplog.at_level("INFO", logger="aekit"):
        glove = load_glove(vocab, path)
    assert glove.matrix.shape == (6, 3) and glove.matrix.dtype == np.float32
    assert glove.dim == 3 and glove.n_found == 3 and glove.missing == ("gnu",)
    assert glove.coverage == pytest.approx(0.75)
    np.testing.assert_array_equal(glove.matrix[0], 0.0)  # PAD
    np.testing.assert_array_equal(glove.matrix[2], [0.5, 1.0, -1.5])
    np.testing.assert_array_equal(glove.matrix[3], [1, 2, 3])
    np.testing.assert_allclose(glove.matrix[4], [-1e-05, 0.25, 1.5])
    np.testing.assert_array_equal(glove.matrix[5], 0.0)  # not in GloVe
    np.testing.assert_allclose(glove.matrix[1], glove.matrix[2:5].mean(axis=0))
    assert "3 of 4 vocabulary words found (coverage 75.00%)" in caplog.text
    zeros = load_glove(vocab, path, unk="zeros")
    np.testing.assert_array_equal(zeros.matrix[1], 0.0)


def test_glove_rejects_malformed_files(tmp_path):
    vocab = Vocabulary(["the", "cat"])

    def bad(lines: list[str], match: str, **kwargs) -> None:
        path = _glove_file(tmp_path / "bad.txt", lines)
        with pytest.raises(aekit.DataError, match=match):
            load_glove(vocab, path, **kwargs)

    bad(["the 1 2 3", "cat 1 2"], r"bad\.txt, line 2: 2 values, expected 3")
    bad(["the 1 2 3", "dog 1 2 3 4"], r"bad\.txt, line 2: 4 values, expected 3")
    bad(["the 1 2 3", "a b c d e"], r"bad\.txt, line 2: expected a word and 3 numb")
    bad(["the 1 2 3", "", "cat 1 2 3"], r"bad\.txt, line 2: empty line")
    bad(["the 1 2 x3"], r"bad\.txt, line 1: 'x3' is not a number")
    bad(["the 1 nan 3"], r"bad\.txt, line 1: vector holds NaN")
    bad(["the 1 2 3"], r"bad\.txt, line 1: 3 values, expected 4", dim=4)
    bad(["400000 3", "the 1 2 3"], r"bad\.txt, line 1: looks like a word2vec header")
    bad(["the"], r"bad\.txt, line 1: malformed line")
    bad([], r"bad\.txt: empty file")
    gz = tmp_path / "cut.txt.gz"
    lines = "".join(f"w{i} {i} {i + 1} {i + 2}\n" for i in range(5000)).encode()
    compressed = gzip.compress(lines)
    gz.write_bytes(compressed[: len(compressed) // 2])
    with pytest.raises(aekit.DataError, match=r"cut\.txt\.gz: cannot read past line"):
        load_glove(vocab, gz)


def test_glove_accepts_words_with_spaces(tmp_path):
    # glove.840B has a few words containing spaces; the vector is the last dim
    # fields of the line.
    path = _glove_file(tmp_path / "g.txt", ["the 1 2 3", ". . . 4 5 6", "cat 1 2 3"])
    glove = load_glove(Vocabulary([". . .", "cat"]), path)
    assert glove.coverage == 1.0
    np.testing.assert_array_equal(glove.matrix[2], [4, 5, 6])


def test_glove_argument_and_lookup_errors(tmp_path, monkeypatch):
    path = _glove_file(tmp_path / "g.txt", _GLOVE_LINES)
    with pytest.raises(ValueError, match="no words besides PAD and UNK"):
        load_glove(Vocabulary([]), path)
    with pytest.raises(ValueError, match="unk must be one of mean, zeros"):
        load_glove(Vocabulary(["the"]), path, unk="random")
    with pytest.raises(ValueError, match="dim must be None or an int >= 1"):
        load_glove(Vocabulary(["the"]), path, dim=0)
    with pytest.raises(TypeError, match="must be a Vocabulary"):
        load_glove(["the"], path)
    monkeypatch.setenv("AEKIT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AEKIT_CACHE_DIR", str(tmp_path / "cache"))
    with pytest.raises(aekit.DatasetNotFoundError) as info:
        load_glove(Vocabulary(["the"]))
    assert str(tmp_path / "cache" / "glove") in str(info.value)
    assert "glove.6B.50d.txt" in str(info.value) and "nlp.stanford.edu" in str(
        info.value
    )
    _glove_file(tmp_path / "data" / "glove" / "glove.6B.3d.txt", _GLOVE_LINES)
    assert load_glove(Vocabulary(["emu"]), dim=3).n_found == 1


@pytest.fixture(scope="module")
def glove_path(data_dir):
    path = data_dir / "glove" / "glove.6B.50d.txt.gz"
    if not path.is_file():
        pytest.skip(f"GloVe vectors not found at {path}")
    return path


def test_real_glove_covers_the_modapte_vocabulary(glove_path, train_sentences):
    vocab = Vocabulary.build(train_sentences, max_words=5000)
    glove = load_glove(vocab, glove_path)
    assert glove.matrix.shape == (5002, 50) and glove.n_found == 5000 - len(
        glove.missing
    )
    assert glove.coverage > 0.97
    with gzip.open(glove_path, "rt", encoding="utf-8") as fh:
        first = fh.readline().split()
    assert first[0] == "the"
    np.testing.assert_array_equal(
        glove.matrix[vocab.token_to_id("the")], np.array(first[1:], dtype=np.float32)
    )
    assert np.abs(glove.matrix[vocab.token_to_id("u.s.")]).sum() > 0
    assert np.abs(glove.matrix[vocab.token_to_id(NUMBER_TOKEN)]).sum() > 0
