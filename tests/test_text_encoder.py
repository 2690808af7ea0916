"""SentenceEncoder: tokenizer + vocabulary + GloVe + SequenceAutoEncoder in one."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

import aekit
from aekit.io import COMPOSITES, ESTIMATORS, write_tensor_file
from aekit.text import SIMILARITY_KINDS, SentenceEncoder, Vocabulary, as_sentences

WORDS = [
    "the", "oil", "price", "rose", "fell", "bank", "said", "profit", "company",
    "shares", "market", "dollar", "9", "pct", ".", ",", "in", "of", "to", "a",
]  # fmt: skip
DIM = 6
TINY = {"encoder_units": 8, "epochs": 2}


def write_glove(path, words=WORDS, dim=DIM, seed=0):
    """A GloVe-format text file: one word and ``dim`` numbers per line."""
    rng = np.random.default_rng(seed)
    lines = (
        w + " " + " ".join(f"{v:.5f}" for v in rng.normal(size=dim)) for w in words
    )
    path.write_text("\n".join(lines) + "\n")
    return path


def make_sentences(n, seed=0):
    rng = np.random.default_rng(seed)
    return [" ".join(rng.choice(WORDS, size=rng.integers(3, 10))) for _ in range(n)]


@pytest.fixture(scope="module")
def glove(tmp_path_factory):
    # "shares" has no vector: a vocabulary word GloVe lacks.
    words = [w for w in WORDS if w != "shares"]
    return write_glove(tmp_path_factory.mktemp("glove") / "glove.txt", words)


@pytest.fixture(scope="module")
def sentences():
    return make_sentences(40)


@pytest.fixture(scope="module")
def fitted(glove, sentences):
    enc = SentenceEncoder(
        max_len=12, glove_path=glove, model_params=TINY, random_state=0
    )
    return enc.fit(sentences, validation_sentences=make_sentences(8, seed=1))


def test_fit_transform_shapes_and_attributes(fitted, sentences):
    vectors = fitted.transform(sentences[:5])
    assert vectors.shape == (5, 8) and vectors.dtype == np.float32
    assert fitted.code_dim_ == 8 and fitted.n_sentences_ == 40
    assert len(fitted.vocabulary_) == len(WORDS) + 2
    assert fitted.embeddings_.shape == (len(WORDS) + 2, DIM)
    # PAD and the word GloVe lacks are zero rows; UNK is the mean vector.
    assert not fitted.embeddings_[Vocabulary.PAD_ID].any()
    assert not fitted.embeddings_[fitted.vocabulary_.token_to_id("shares")].any()
    assert fitted.embeddings_[Vocabulary.UNK_ID].any()
    assert fitted.glove_coverage_ == pytest.approx((len(WORDS) - 1) / len(WORDS))
    assert 0.8 < fitted.token_coverage_ < 1.0
    assert set(fitted.history_) >= {"loss", "val_loss"}
    assert len(fitted.history_["loss"]) == 2
    # the held-out arrays are not kept in the fitted autoencoder
    assert fitted.autoencoder_.validation_data is None
    assert fitted.autoencoder_.input_shape_ == (12, DIM)


def test_preset_is_the_textbook_model_with_overrides(fitted):
    ae = fitted.autoencoder_
    assert ae.merge_mode == "sum" and ae.output_projection is False
    assert ae.encoder_units == 8 and ae.epochs == 2 and ae.batch_size == 64
    assert ae.random_state == 0


def test_padding_and_truncating_sides(glove, sentences):
    enc = SentenceEncoder(
        max_len=4, glove_path=glove, model_params={**TINY, "epochs": 1}
    ).fit(sentences)
    vocab = enc.vocabulary_
    ids = enc.token_ids(["oil price", "the oil price rose fell"])
    oil, price, fell = (vocab.token_to_id(w) for w in ("oil", "price", "fell"))
    # "pre", as Keras' pad_sequences in the chapter: padding and cuts at the front
    assert ids[0].tolist() == [0, 0, oil, price]
    assert ids[1].tolist()[-1] == fell and ids[1].tolist()[1] == price
    post = clone(enc).set_params(padding="post", truncating="post").fit(sentences)
    ids = post.token_ids(["oil price", "the oil price rose fell"])
    assert ids[0].tolist() == [oil, price, 0, 0]
    assert ids[1].tolist()[0] == post.vocabulary_.token_to_id("the")


def test_embed_and_reconstruct(fitted, sentences):
    x = fitted.embed(sentences[:3])
    recon = fitted.reconstruct_embeddings(sentences[:3])
    assert x.shape == recon.shape == (3, 12, DIM)
    assert np.abs(recon).max() < 2  # summed tanh outputs of the chapter's decoder
    np.testing.assert_array_equal(
        x, fitted.embeddings_[fitted.token_ids(sentences[:3])]
    )


def test_similarity_kinds(fitted, sentences):
    both = fitted.similarities(sentences[:6])
    assert set(both) == set(SIMILARITY_KINDS)
    for kind in SIMILARITY_KINDS:
        values = fitted.similarity(sentences[:6], kind=kind)
        assert values.shape == (6,) and np.all(np.abs(values) <= 1 + 1e-9)
        np.testing.assert_allclose(values, both[kind])
    # "code" is the chapter's: encoder(x) against encoder(autoencoder(x))
    x = fitted.embed(sentences[:6])
    a = fitted.autoencoder_.transform(x).astype(np.float64)
    b = fitted.autoencoder_.transform(fitted.autoencoder_.reconstruct(x))
    expected = (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)
    np.testing.assert_allclose(both["code"], expected, rtol=1e-5)
    # "flat" compares the whole (max_len, dim) matrices
    recon = fitted.reconstruct_embeddings(sentences[:1]).ravel()
    flat = x[0].ravel() @ recon / np.linalg.norm(x[0]) / np.linalg.norm(recon)
    assert both["flat"][0] == pytest.approx(flat, rel=1e-5)
    assert set(fitted.similarities(sentences[:2], kinds="flat")) == {"flat"}
    with pytest.raises(ValueError, match="kind='words' is not supported"):
        fitted.similarity(sentences[:2], kind="words")


def test_save_load_is_one_file_and_bit_exact(fitted, sentences, tmp_path):
    path = fitted.save(tmp_path / "enc.safetensors")
    assert [p.name for p in tmp_path.iterdir()] == ["enc.safetensors"]
    loaded = aekit.load(path)
    assert isinstance(loaded, SentenceEncoder)
    assert loaded.vocabulary_ == fitted.vocabulary_
    np.testing.assert_array_equal(loaded.embeddings_, fitted.embeddings_)
    np.testing.assert_array_equal(
        loaded.transform(sentences), fitted.transform(sentences)
    )
    assert loaded.get_params()["model_params"] == TINY
    assert loaded.history_ == fitted.history_
    assert loaded.glove_coverage_ == fitted.glove_coverage_
    assert "SentenceEncoder" in COMPOSITES and "SentenceEncoder" not in ESTIMATORS


def test_inconsistent_file_is_refused(fitted, tmp_path):
    tensors, state = fitted._get_saved_state()
    tensors["text.embeddings"] = tensors["text.embeddings"][:-1]
    header = {
        "format": "aekit-model",
        "format_version": 1,
        "class": "SentenceEncoder",
        "params": {"max_len": 12},
        "state": state,
    }
    path = tmp_path / "bad.safetensors"
    write_tensor_file(path, tensors, header)
    with pytest.raises(aekit.ModelFileError, match="does not fit a vocabulary"):
        aekit.load(path)


def test_clone_and_params():
    enc = SentenceEncoder(max_len=7, model_params={"epochs": 1})
    copy = clone(enc)
    assert copy.get_params() == enc.get_params() and copy is not enc


@pytest.mark.parametrize(
    "bad, error, match",
    [
        ("one sentence", TypeError, "wrap it in a list"),
        (b"one sentence", TypeError, "single bytes"),
        ([], aekit.DataError, "is empty"),
        (["fine", None], TypeError, r"sentences\[1\] is a NoneType, not a str"),
        (["fine", 3.5], TypeError, r"sentences\[1\] is a float"),
        ([b"ok", b"\xfcber"], aekit.DataError, r"sentences\[1\] is bytes that are"),
        (42, TypeError, "must be a list of str, got int"),
        (np.array([["a", "b"]]), aekit.DataError, "one-dimensional"),
    ],
)
def test_bad_sentences_rejected(bad, error, match):
    with pytest.raises(error, match=match):
        as_sentences(bad)


def test_utf8_bytes_and_numpy_strings_accepted():
    assert as_sentences([b"caf\xc3\xa9", np.str_("x")]) == ["café", "x"]
    assert as_sentences(s for s in ["a", "b"]) == ["a", "b"]


def test_fit_errors(glove, sentences, tmp_path):
    enc = SentenceEncoder(glove_path=glove, model_params=TINY)
    with pytest.raises(aekit.DataError, match="none of the sentences has a word"):
        enc.fit(["", "   ", "\n"])
    with pytest.raises(TypeError, match="wrap it in a list"):
        enc.fit("oil price rose")
    missing = SentenceEncoder(glove_path=tmp_path / "nope.txt", model_params=TINY)
    with pytest.raises(aekit.DatasetNotFoundError, match="no such file"):
        missing.fit(sentences)
    other = write_glove(tmp_path / "other.txt", ["zebra", "yak"])
    with pytest.raises(aekit.DataError, match=r"none of the .* vocabulary words"):
        SentenceEncoder(glove_path=other, model_params=TINY).fit(sentences)
    with pytest.raises(NotFittedError, match="not fitted"):
        enc.transform(sentences)


@pytest.mark.parametrize(
    "params, match",
    [
        ({"max_len": 0}, "max_len must be >= 1"),
        ({"max_words": "many"}, "max_words must be an integer"),
        ({"padding": "middle"}, "padding='middle' is not supported"),
        ({"truncating": "both"}, "truncating='both' is not supported"),
        ({"preset": "nope"}, "unknown SequenceAutoEncoder preset 'nope'"),
        ({"model_params": {"units": 3}}, "'units' that SequenceAutoEncoder"),
        ({"model_params": {"random_state": 3}}, "set random_state on Sentence"),
        ({"model_params": {"validation_data": 1}}, "validation_sentences"),
        ({"model_params": [1]}, "model_params must be a dict"),
        ({"glove_path": 3}, "glove_path must be a path"),
    ],
)
def test_bad_params_rejected(params, match, sentences):
    with pytest.raises((ValueError, KeyError), match=match):
        SentenceEncoder(**params).fit(sentences)


def test_empty_and_unknown_sentences_are_handled_and_reported(
    glove, sentences, fitted, caplog
):
    with caplog.at_level(logging.WARNING, logger="aekit"):
        small = SentenceEncoder(
            max_len=12, glove_path=glove, model_params={**TINY, "epochs": 1}
        ).fit([*sentences[:10], "", "  "])
    assert small.n_sentences_ == 10
    assert "left out 2 of 12 sentences without any token" in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="aekit"):
        vectors = fitted.transform(["", "zebra yak gnu", "   ", sentences[0]])
    assert vectors.shape == (4, 8) and np.isfinite(vectors).all()
    np.testing.assert_array_equal(vectors[0], vectors[2])  # one shared vector
    assert "2 of 4 sentences have no tokens" in caplog.text
    assert "1 of 4 sentences have no word in the vocabulary" in caplog.text
    # all padding: no word vectors to compare, so flat and mean are NaN
    sims = fitted.similarities(["", sentences[0]])
    assert np.isnan(sims["flat"][0]) and np.isnan(sims["mean"][0])
    assert np.isfinite(sims["code"]).all()
