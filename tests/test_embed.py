"""Embedding quality metrics and the side-by-side embedding plot."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.decomposition import PCA

import aekit
from aekit.metrics import (
    EmbeddingQuality,
    embedding_quality,
    knn_accuracy,
    trustworthiness,
)
from aekit.plots import embedding_comparison


@pytest.fixture(scope="module")
def digits_pca():
    X, y = aekit.datasets.load("digits", split="train")
    X_test, y_test = aekit.datasets.load("digits", split="test")
    pca = PCA(n_components=2, random_state=0).fit(X.reshape(len(X), -1))
    codes = pca.transform(X.reshape(len(X), -1))
    codes_test = pca.transform(X_test.reshape(len(X_test), -1))
    return X, y, X_test, y_test, codes, codes_test


def test_knn_accuracy_separable_and_shuffled():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 50)
    codes = y[:, None] * 10.0 + rng.normal(size=(150, 2))
    assert knn_accuracy(codes, y, codes, y) == 1.0
    shuffled = rng.permutation(y)
    assert knn_accuracy(codes, shuffled, codes + 0.01, y, k=5) < 0.6


def test_trustworthiness_identity_and_subsample():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 10))
    assert trustworthiness(X, X, n_samples=None) == pytest.approx(1.0)
    noise = rng.normal(size=(300, 2))
    low = trustworthiness(X, noise, n_samples=100)
    assert 0.0 <= low < 0.8
    # A fixed seed scores the same subsample; a different seed another one.
    assert trustworthiness(X, noise, n_samples=100) == low
    assert trustworthiness(X, noise, n_samples=100, random_state=1) != low


def test_embedding_quality_pca_on_digits(digits_pca):
    _, y, X_test, y_test, codes, codes_test = digits_pca
    quality = embedding_quality(
        X_test, codes_test, y_test, codes_train=codes, y_train=y, n_trust=200
    )
    assert isinstance(quality, EmbeddingQuality)
    assert 0.5 < quality.knn_accuracy < 0.8  # 2-D PCA of digits: ~0.6
    assert 0.7 < quality.trustworthiness < 1.0
    assert quality.k == 5 and quality.n_trust == 200
    assert quality.as_dict()["knn_accuracy"] == quality.knn_accuracy
    whole = embedding_quality(
        X_test, codes_test, y_test, codes_train=codes, y_train=y, n_trust=None
    )
    assert whole.n_trust == len(X_test)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda c, y: knn_accuracy(c, y[:-1], c, y), "labels for"),
        (lambda c, y: knn_accuracy(c, y, c[:, :1], y), "same embedding"),
        (lambda c, y: knn_accuracy(c, y, c, y, k=0), "k must be an integer >= 1"),
        (lambda c, y: knn_accuracy(c[:3], y[:3], c, y, k=4), "only 3 training"),
        (lambda c, y: knn_accuracy(c[:, 0], y, c, y), "one sample per row"),
        (lambda c, y: knn_accuracy(np.full_like(c, np.nan), y, c, y), "NaN"),
        (lambda c, y: trustworthiness(c, c[:-1]), "samples but codes has"),
        (lambda c, y: trustworthiness(c, c, n_samples=1), "n_samples must be >= 2"),
        (lambda c, y: trustworthiness(c[:8], c[:8], k=4), "k < half the samples"),
        (lambda c, y: trustworthiness(c.astype(str), c), "real numbers"),
    ],
)
def test_bad_input_is_a_clear_error(call, match):
    rng = np.random.default_rng(0)
    codes = rng.normal(size=(40, 2))
    y = np.arange(40) % 3
    with pytest.raises(ValueError, match=match):
        call(codes, y)


def test_embedding_comparison_panels_and_legend(digits_pca):
    _, _, X_test, y_test, _, codes_test = digits_pca
    wide = np.random.default_rng(0).normal(size=(len(X_test), 5))
    fig = embedding_comparison(
        {"PCA": codes_test, "noise 5-D": wide},
        y_test,
        scores={"PCA": {"kNN acc.": 0.6, "trust.": 0.8}},
        class_names=[f"digit {i}" for i in range(10)],
        title="digits",
    )
    assert isinstance(fig, Figure)
    pca_ax, wide_ax = fig.axes
    assert "kNN acc. 0.600, trust. 0.800" in pca_ax.get_title()
    assert "first two PCs" in wide_ax.get_title() and wide_ax.get_xlabel() == "PC1"
    legend = fig.legends[0]
    assert [t.get_text() for t in legend.get_texts()][:2] == ["digit 0", "digit 1"]
    # Without labels, and wrapping to a second row.
    fig = embedding_comparison({str(i): codes_test for i in range(4)}, ncols=2)
    assert len(fig.axes) == 4 and not fig.legends


def test_embedding_comparison_many_classes_uses_a_colour_bar():
    rng = np.random.default_rng(0)
    fig = embedding_comparison({"a": rng.normal(size=(60, 2))}, np.arange(60) % 20)
    assert len(fig.axes) == 2  # the panel and its colour bar


@pytest.mark.parametrize(
    "embeddings, y, match",
    [
        ({}, None, "embeddings is empty"),
        ({"a": np.zeros(5)}, None, "must be \\(n_samples, n_components\\)"),
        ({"a": np.zeros((5, 2)), "b": np.zeros((4, 2))}, None, "different numbers"),
        ({"a": np.zeros((5, 2))}, np.zeros(4), "4 labels for 5 samples"),
        ({"a": np.full((5, 2), np.inf)}, None, "NaN or infinite"),
    ],
)
def test_embedding_comparison_rejects_bad_input(embeddings, y, match):
    with pytest.raises(ValueError, match=match):
        embedding_comparison(embeddings, y)
