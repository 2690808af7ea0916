"""Evaluation metrics for reconstructions and embeddings."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from .exceptions import DataError


def _pair(reference: Any, estimate: Any) -> tuple[np.ndarray, np.ndarray]:
    """Both arrays as float64, checked to be same-shaped ``(n_samples, ...)``."""
    ref = np.asarray(reference, dtype=np.float64)
    est = np.asarray(estimate, dtype=np.float64)
    if ref.shape != est.shape:
        raise ValueError(f"shapes differ: {ref.shape} vs {est.shape}")
    if ref.ndim < 2:
        raise ValueError("expected (n_samples, ...) arrays")
    return ref, est


def psnr(reference: Any, estimate: Any, data_range: float = 1.0) -> np.ndarray:
    """Peak signal-to-noise ratio of each sample, in dB.

    ``PSNR = 10 log10(data_range² / MSE)`` with the MSE over one sample's features;
    ``data_range`` is the span of possible values (1.0 for images scaled to [0, 1],
    255 for 8-bit images). A perfect reconstruction gives ``inf``.

    Parameters
    ----------
    reference, estimate : array-like of shape (n_samples, ...)
        Clean data and its reconstruction (or noisy version).
    data_range : float
        Maximum possible value minus minimum possible value.

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    ref, est = _pair(reference, estimate)
    mse = ((ref - est) ** 2).reshape(len(ref), -1).mean(axis=1)
    with np.errstate(divide="ignore"):
        return 10.0 * np.log10(data_range**2 / mse)


def squared_error_per_sample(reference: Any, estimate: Any) -> np.ndarray:
    """Sum of squared errors over each sample's features (Hinton & Salakhutdinov)."""
    ref, est = _pair(reference, estimate)
    return ((ref - est) ** 2).reshape(len(ref), -1).sum(axis=1)


def ssim(reference: Any, estimate: Any, data_range: float = 1.0) -> np.ndarray:
    """Structural similarity of each image (Wang et al., IEEE TIP 13(4), 2004).

    Computed by scikit-image's ``structural_similarity`` (Gaussian-free 7×7
    window, its defaults) one image at a time; ``data_range`` is the span of
    possible pixel values (1.0 for images in [0, 1]). Images are ``(n, h, w)``
    greyscale or ``(n, h, w, c)`` colour (channels last).

    Returns
    -------
    ndarray of shape (n_samples,)
    """
    from skimage.metrics import structural_similarity

    ref, est = _pair(reference, estimate)
    if ref.ndim not in (3, 4):
        raise ValueError(
            f"ssim needs images shaped (n, h, w) or (n, h, w, c), got {ref.shape}"
        )
    channel_axis = -1 if ref.ndim == 4 else None
    return np.array(
        [
            structural_similarity(
                r, e, data_range=data_range, channel_axis=channel_axis
            )
            for r, e in zip(ref, est, strict=True)
        ]
    )


# --------------------------------------------------------------- embeddings
def _samples_2d(name: str, array: Any) -> np.ndarray:
    """``array`` as finite float64 ``(n_samples, n_features)``, samples flattened."""
    values = np.asarray(array)
    if values.ndim < 2:
        raise DataError(
            f"{name} must hold one sample per row, (n_samples, n_features), got "
            f"an array of shape {values.shape}"
        )
    if not np.issubdtype(values.dtype, np.number) or np.iscomplexobj(values):
        raise DataError(f"{name} must hold real numbers, got dtype {values.dtype}")
    values = values.reshape(len(values), -1).astype(np.float64, copy=False)
    if values.shape[0] == 0 or values.shape[1] == 0:
        raise DataError(f"{name} holds no data (shape {values.shape})")
    bad = ~np.isfinite(values).all(axis=1)
    if bad.any():
        raise DataError(
            f"{name} row {int(np.argmax(bad))} holds NaN or infinite values "
            "(an embedding of a diverged model?)"
        )
    return values


def _labels(name: str, y: Any, n_samples: int, samples: str) -> np.ndarray:
    """``y`` as a 1-D array with one label per sample of ``samples``."""
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise DataError(f"{name} must be 1-D, one label per sample, got {labels.shape}")
    if len(labels) != n_samples:
        raise DataError(f"{name} has {len(labels)} labels for {n_samples} {samples}")
    return labels


def _check_k(k: Any) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    return int(k)


def knn_accuracy(
    codes_train: Any, y_train: Any, codes_test: Any, y_test: Any, *, k: int = 5
) -> float:
    """Test accuracy of a k-nearest-neighbour classifier in the code space.

    A scikit-learn ``KNeighborsClassifier(n_neighbors=k)`` (Euclidean distance,
    uniform vote) is fitted on the training codes and their labels and scored on
    the test codes: how well classes stay apart in the embedding, the usual way
    to compare 2-D embeddings such as those of Hinton & Salakhutdinov, "Reducing
    the Dimensionality of Data with Neural Networks", Science 313 (2006), and van
    der Maaten, Postma & van den Herik, "Dimensionality Reduction: A Comparative
    Review", TiCC TR 2009-005 (which uses 1-NN error).

    Parameters
    ----------
    codes_train : array-like of shape (n_train, n_components)
        Embedding of the training samples.
    y_train : array-like of shape (n_train,)
        Their class labels.
    codes_test : array-like of shape (n_test, n_components)
        Embedding of the test samples, by the same mapping.
    y_test : array-like of shape (n_test,)
        Their class labels.
    k : int, default=5
        Neighbours that vote; at most ``n_train``.

    Returns
    -------
    float
        Share of test samples whose predicted class is right, in [0, 1].

    Examples
    --------
    >>> import numpy as np
    >>> codes = np.array([[0.0], [0.1], [1.0], [1.1]])
    >>> knn_accuracy(codes, [0, 0, 1, 1], [[0.05], [1.05]], [0, 1], k=1)
    1.0
    """
    from sklearn.neighbors import KNeighborsClassifier

    k = _check_k(k)
    train = _samples_2d("codes_train", codes_train)
    test = _samples_2d("codes_test", codes_test)
    labels_train = _labels("y_train", y_train, len(train), "training codes")
    labels_test = _labels("y_test", y_test, len(test), "test codes")
    if train.shape[1] != test.shape[1]:
        raise DataError(
            f"codes_test has {test.shape[1]} dimensions, codes_train "
            f"{train.shape[1]}: they must come from the same embedding"
        )
    if k > len(train):
        raise ValueError(f"k={k} neighbours but only {len(train)} training codes")
    classifier = KNeighborsClassifier(n_neighbors=k).fit(train, labels_train)
    return float(classifier.score(test, labels_test))


def trustworthiness(
    X: Any,
    codes: Any,
    *,
    k: int = 5,
    n_samples: int | None = 2000,
    random_state: int | None = 0,
) -> float:
    """Trustworthiness of an embedding, on a random subsample.

    Trustworthiness (Venna & Kaski, "Neighborhood Preservation in Nonlinear
    Projection Methods: An Experimental Study", ICANN 2001) penalises points that
    are among a sample's ``k`` nearest neighbours in the embedding but not in the
    original space, by how far down the original ranking they are; 1 means every
    embedded neighbourhood is a true one. Computed by
    :func:`sklearn.manifold.trustworthiness` (Euclidean distances; van der Maaten's
    formulation), which takes time and memory quadratic in the number of samples,
    so by default it runs on ``n_samples`` samples drawn at random, without
    replacement — the score of a subsample, whose neighbourhoods are sparser than
    those of the full set.

    Parameters
    ----------
    X : array-like of shape (n, ...)
        The samples in their original space (images are flattened).
    codes : array-like of shape (n, n_components)
        Their embedding, row for row.
    k : int, default=5
        Neighbourhood size; must be below half the number of samples used.
    n_samples : int or None, default=2000
        Samples drawn for the computation; ``None`` (or a number >= ``n``) uses
        all of them. 2000 samples take about a second.
    random_state : int or None, default=0
        Seeds the subsample, so repeated calls score the same points.

    Returns
    -------
    float
        In [0, 1] (for ``k`` well below the number of samples).
    """
    from sklearn.manifold import trustworthiness as sklearn_trustworthiness

    k = _check_k(k)
    high = _samples_2d("X", X)
    low = _samples_2d("codes", codes)
    if len(high) != len(low):
        raise DataError(f"X has {len(high)} samples but codes has {len(low)}")
    if n_samples is not None:
        if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)):
            raise ValueError(f"n_samples must be an integer or None, got {n_samples!r}")
        if n_samples < 2:
            raise ValueError(f"n_samples must be >= 2, got {n_samples}")
        if n_samples < len(high):
            rows = np.random.default_rng(random_state).choice(
                len(high), size=int(n_samples), replace=False
            )
            rows.sort()
            high, low = high[rows], low[rows]
    if not k < len(high) / 2:
        raise ValueError(
            f"trustworthiness needs k < half the samples used: k={k}, "
            f"{len(high)} samples"
        )
    return float(sklearn_trustworthiness(high, low, n_neighbors=k))


@dataclass(frozen=True)
class EmbeddingQuality:
    """How good a low-dimensional embedding is (see :func:`embedding_quality`).

    Attributes
    ----------
    knn_accuracy : float
        Test accuracy of k-NN fitted on the training codes.
    trustworthiness : float
        Trustworthiness of the test codes with respect to the test samples.
    k : int
        Neighbours used by both.
    n_trust : int
        Test samples the trustworthiness was computed on.
    """

    knn_accuracy: float
    trustworthiness: float
    k: int
    n_trust: int

    def as_dict(self) -> dict[str, float | int]:
        """The four numbers as a plain dict (e.g. for JSON)."""
        return asdict(self)


def embedding_quality(
    X_test: Any,
    codes_test: Any,
    y_test: Any,
    *,
    codes_train: Any,
    y_train: Any,
    k: int = 5,
    n_trust: int | None = 2000,
    random_state: int | None = 0,
) -> EmbeddingQuality:
    """Class separation and neighbourhood preservation of an embedding.

    Two numbers, the ones used to compare an autoencoder's 2-D codes with PCA's:
    :func:`knn_accuracy` (fitted on ``codes_train``, scored on ``codes_test``) and
    :func:`trustworthiness` of ``codes_test`` as an embedding of ``X_test``, on
    ``n_trust`` test samples drawn at random.

    Parameters
    ----------
    X_test : array-like of shape (n_test, ...)
        Test samples in their original space.
    codes_test : array-like of shape (n_test, n_components)
        Their embedding.
    y_test : array-like of shape (n_test,)
        Their labels.
    codes_train : array-like of shape (n_train, n_components)
        Embedding of the training samples, by the same mapping.
    y_train : array-like of shape (n_train,)
        Their labels.
    k : int, default=5
        Neighbours for both the classifier and trustworthiness.
    n_trust : int or None, default=2000
        Test samples for trustworthiness (quadratic cost); ``None`` for all.
    random_state : int or None, default=0
        Seeds the trustworthiness subsample.

    Returns
    -------
    EmbeddingQuality

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.decomposition import PCA
    >>> import aekit
    >>> X, y = aekit.datasets.load("digits", split="train")
    >>> X_test, y_test = aekit.datasets.load("digits", split="test")
    >>> pca = PCA(n_components=2).fit(X.reshape(len(X), -1))
    >>> q = embedding_quality(
    ...     X_test, pca.transform(X_test.reshape(len(X_test), -1)), y_test,
    ...     codes_train=pca.transform(X.reshape(len(X), -1)), y_train=y,
    ... )
    >>> 0.5 < q.knn_accuracy < 1 and 0.5 < q.trustworthiness <= 1
    True
    """
    codes = _samples_2d("codes_test", codes_test)
    accuracy = knn_accuracy(codes_train, y_train, codes, y_test, k=k)
    trust = trustworthiness(
        X_test, codes, k=k, n_samples=n_trust, random_state=random_state
    )
    n_used = len(codes) if n_trust is None else min(int(n_trust), len(codes))
    return EmbeddingQuality(
        knn_accuracy=accuracy, trustworthiness=trust, k=int(k), n_trust=n_used
    )
