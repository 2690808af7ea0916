"""Anomaly detection by reconstruction error, with PyOD's detector contract.

An autoencoder trained on (mostly) normal data reconstructs normal samples well and
unusual ones badly, so its reconstruction error is an outlier score (Sakurada &
Yairi, "Anomaly Detection Using Autoencoders with Nonlinear Dimensionality
Reduction", MLSDA 2014). :class:`OutlierDetector` wraps any registered aekit
autoencoder family and exposes it through the detector API of PyOD (Zhao,
Nasrullah & Li, "PyOD: A Python Toolbox for Scalable Outlier Detection", JMLR
20(96), 2019): ``decision_scores_``, ``threshold_``, ``labels_``,
``decision_function``, ``predict`` and ``predict_proba``.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from scipy.special import erf, logsumexp
from sklearn.base import BaseEstimator, clone
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_array, check_is_fitted

from .. import io as _io
from ..exceptions import DataError
from ._validation import (
    FORWARDED_PARAMS,
    check_choice,
    check_int,
    check_model_params,
)
from .base import BaseAutoEncoder
from .variational import VariationalAutoEncoder


# --------------------------------------------------------------------- backbones
def backbone_families() -> dict[str, type[BaseAutoEncoder]]:
    """The autoencoder families a detector can use: ``{model name: estimator class}``.

    Read from the estimator registry :data:`aekit.io.ESTIMATORS` at call time, so a
    newly registered autoencoder estimator (e.g. a future sequence family) is
    available to :class:`OutlierDetector` without any change here.
    """
    families: dict[str, type[BaseAutoEncoder]] = {}
    for name in _io.ESTIMATORS.names():
        cls: Any = _io.ESTIMATORS.get(name)
        families[str(cls._model_name)] = cls
    return families


def _code_width(n_features: int) -> int:
    """Default bottleneck width for tabular data: a quarter of the features."""
    return max(2, min(n_features // 4, 32))


def _dense_defaults(n_features: int) -> dict[str, Any]:
    return {
        "hidden_layer_sizes": (64,),
        "code_size": _code_width(n_features),
        "activation": "relu",
        "code_activation": "linear",
        "output_activation": "linear",
        "loss": "mse",
        "batch_size": 64,
        "epochs": 50,
    }


def _vae_defaults(n_features: int) -> dict[str, Any]:
    return {
        "hidden_layer_sizes": (64,),
        "latent_dim": _code_width(n_features),
        "likelihood": "gaussian",
        "batch_size": 64,
        "epochs": 50,
    }


#: Detector defaults per family, as a function of the number of features; the
#: user's ``model_params`` override them. Families not listed use their own
#: estimator's defaults.
FAMILY_DEFAULTS: dict[str, Callable[[int], dict[str, Any]]] = {
    "dense": _dense_defaults,
    "vae": _vae_defaults,
}

#: Families whose ``score_samples`` is a log-likelihood bound (higher = more
#: normal); every other family returns a reconstruction error (higher = worse),
#: as decided in ``docs/decisions/0004-score-samples-is-reconstruction-error.md``.
LIKELIHOOD_SCORED: tuple[type[BaseAutoEncoder], ...] = (VariationalAutoEncoder,)


def outlier_scores(backbone: BaseAutoEncoder, X: np.ndarray) -> np.ndarray:
    """Outlier scores of a fitted autoencoder: higher means more abnormal.

    The one place where the orientation of ``score_samples`` is decided: the
    reconstruction error for error-scored families, the negative ELBO (nats per
    sample) for a variational autoencoder.

    Returns
    -------
    ndarray of shape (n_samples,), float64
    """
    scores = np.asarray(backbone.score_samples(X), dtype=np.float64)
    return -scores if isinstance(backbone, LIKELIHOOD_SCORED) else scores


# --------------------------------------------------------------------- scaling
#: The ``constant_columns`` options of :class:`OutlierDetector`.
CONSTANT_COLUMNS = ("error", "ignore")


def _is_constant(mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """Features whose standard deviation is zero or negligible next to their mean."""
    return np.asarray(
        std <= 10 * np.finfo(np.float64).eps * np.maximum(1.0, np.abs(mean))
    )


def constant_columns(X: np.ndarray) -> np.ndarray:
    """Indices of the constant columns of flat ``X``, ascending (int64).

    A column is constant when its standard deviation is zero, or negligible next
    to its mean (the rule by which :func:`_fit_standardizer` gives it scale 1).
    """
    X64 = np.asarray(X, dtype=np.float64)
    return np.flatnonzero(_is_constant(X64.mean(axis=0), X64.std(axis=0)))


def describe_columns(indices: np.ndarray, limit: int = 10) -> str:
    """``"column 3"`` or ``"columns 0, 3, 6 and 2 more"``: at most ``limit`` named."""
    named = ", ".join(str(int(i)) for i in indices[:limit])
    rest = len(indices) - limit
    more = f" and {rest} more" if rest > 0 else ""
    return f"column{'s' if len(indices) > 1 else ''} {named}{more}"


def _fit_standardizer(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-feature mean and scale of flat ``X`` (float64).

    A feature whose standard deviation is zero (or negligible next to its mean)
    gets scale 1, as scikit-learn's ``StandardScaler`` does, so it is centred
    but never divided by zero.
    """
    X64 = X.astype(np.float64)
    mean = X64.mean(axis=0)
    scale = X64.std(axis=0)
    scale[_is_constant(mean, scale)] = 1.0
    return mean, scale


# --------------------------------------------------------------------- quantile
#: Most quantiles a ``standardize="quantile"`` detector keeps per feature.
N_QUANTILES = 1000


def _fit_quantiles(X: np.ndarray) -> np.ndarray:
    """Per-feature quantiles of flat ``X``, evenly spaced from minimum to maximum.

    With at most :data:`N_QUANTILES` samples they are the sorted training values
    themselves (the order statistics), which :func:`quantile_normal` maps to
    their Hazen plotting positions: the transform of the training data then
    depends on their ranks only.

    Returns
    -------
    ndarray of shape (n_quantiles, n_features), float64, non-decreasing by row.
    """
    n_quantiles = min(N_QUANTILES, len(X))
    return np.asarray(
        np.quantile(X.astype(np.float64), np.linspace(0, 1, n_quantiles), axis=0),
        dtype=np.float64,
    )


def _levels(n_quantiles: int) -> np.ndarray:
    """Hazen plotting positions ``(k + 0.5) / n``: strictly inside (0, 1)."""
    return (np.arange(n_quantiles, dtype=np.float64) + 0.5) / n_quantiles


def quantile_normal(
    X: np.ndarray, quantiles: np.ndarray, scale: np.ndarray
) -> np.ndarray:
    """Rank-based inverse normal transform of flat ``X``, feature by feature.

    Inside the training range a value goes to ``Φ⁻¹(F(x))``, with ``F`` the
    training data's empirical CDF interpolated between ``quantiles``, the k-th
    of n at the Hazen plotting position ``(k + 0.5) / n`` (tied
    quantiles, as in discrete features, get the mean of their levels, as in
    scikit-learn's ``QuantileTransformer``). Beyond the training range the map
    continues linearly with slope ``1 / scale`` (the feature's standard
    deviation), so it stays strictly monotone and unbounded: a value far beyond
    anything seen in training still maps far out, instead of being clipped to
    the last quantile.
    """
    from scipy.stats import norm

    levels = _levels(len(quantiles))
    lo_z, hi_z = float(norm.ppf(levels[0])), float(norm.ppf(levels[-1]))
    out = np.empty(X.shape, dtype=np.float64)
    for j in range(X.shape[1]):
        x, q = X[:, j], quantiles[:, j]
        # Mean of the forward and backward interpolation: ties get mid levels.
        u = 0.5 * (np.interp(x, q, levels) - np.interp(-x, -q[::-1], -levels[::-1]))
        z = norm.ppf(u)
        z = np.where(x < q[0], lo_z + (x - q[0]) / scale[j], z)
        out[:, j] = np.where(x > q[-1], hi_z + (x - q[-1]) / scale[j], z)
    return out


# --------------------------------------------------------------------- ensembles
#: The median of a chi-squared variable with one degree of freedom: a squared
#: N(0, σ²) residual has median 0.4549 σ².
CHI2_1_MEDIAN = 0.45493642311957283
#: The weight of a feature in ``normalize_errors`` is at most this many times
#: that of a feature with the mean residual variance.
MAX_ERROR_WEIGHT = 100.0


def _error_scales(squared: np.ndarray) -> np.ndarray:
    """Robust per-feature residual variance: ``median(e²) / 0.4549``, floored.

    The floor, ``1/100`` of the mean over features, keeps a feature that the
    autoencoder reconstructs (nearly) perfectly, such as a constant column, from
    turning numerical noise into a huge score.
    """
    variance = np.median(squared, axis=0) / CHI2_1_MEDIAN
    floor = max(float(variance.mean()) / MAX_ERROR_WEIGHT, 1e-12)
    return np.asarray(np.maximum(variance, floor), dtype=np.float64)


def _robust_location_scale(scores: np.ndarray) -> tuple[float, float]:
    """Median and IQR / 1.349 of ``scores`` (the std for a normal), never 0."""
    q1, median, q3 = np.percentile(scores, [25.0, 50.0, 75.0])
    scale = (q3 - q1) / 1.349
    if not scale > 1e-12:
        scale = float(np.std(scores)) or 1.0
    return float(median), float(scale)


# --------------------------------------------------------------------- thresholds
def tukey_fence(scores: np.ndarray) -> float:
    """Upper Tukey fence ``Q3 + 1.5 * (Q3 - Q1)`` of ``scores``.

    Tukey's boxplot rule (Tukey, *Exploratory Data Analysis*, 1977): quartiles
    ignore the tails, so the outliers among the training data barely move the
    threshold, and the rule needs no guess of the outlier fraction.
    """
    q1, q3 = np.percentile(scores, [25.0, 75.0])
    return float(q3 + 1.5 * (q3 - q1))


# --------------------------------------------------------------------- latent density
#: The ``score`` options of :class:`OutlierDetector`.
SCORES = ("reconstruction", "latent-density", "trimmed-density")
#: The arrays of a fitted latent density (``density_``), as saved.
DENSITY_KEYS = ("mean", "scale", "weights", "means", "precisions_cholesky")
#: The extra arrays of a ``"trimmed-density"`` mixture: the median and robust
#: spread of its scores on the training data, by which they are standardised.
TRIMMED_KEYS = ("center", "spread")
#: Fraction of rows each concentration step of a trimmed mixture keeps, and the
#: number of steps (see :func:`fit_mixture`).
TRIM_KEEP = 0.9
CONCENTRATION_STEPS = 5
#: The features of member k are drawn by ``np.random.default_rng(offset + s)``
#: for an int ``random_state`` s: a generator of its own, so that turning
#: ``feature_bagging`` on keeps every member's seed and rows. (The offset is the
#: one the benchmark's setting was selected with; any would do.)
FEATURE_SEED_OFFSET = 1000


def latent_features(
    backbone: BaseAutoEncoder,
    X: np.ndarray,
    base: np.ndarray,
    *,
    base_is_log: bool | None = None,
) -> np.ndarray:
    """Codes of ``X`` and their reconstruction score, side by side (float64).

    The features of DAGMM's estimation network (Zong et al., ICLR 2018): the
    low-dimensional representation and how badly the sample is reconstructed.
    The log of the reconstruction error is used (``log1p``: errors are skewed
    over orders of magnitude); a VAE's score, the negative ELBO in nats, is a
    log quantity already and is used as it is. ``base_is_log`` overrides that
    choice (None: decided by the backbone's family).
    """
    codes = np.asarray(backbone.transform(X), dtype=np.float64).reshape(len(X), -1)
    if base_is_log is None:
        base_is_log = isinstance(backbone, LIKELIHOOD_SCORED)
    recon = base if base_is_log else np.log1p(np.maximum(base, 0.0))
    return np.column_stack([codes, recon])


def gaussian_mixture_log_density(
    F: np.ndarray,
    weights: np.ndarray,
    means: np.ndarray,
    precisions_cholesky: np.ndarray,
) -> np.ndarray:
    """log p(f) of a full-covariance Gaussian mixture, row by row.

    ``precisions_cholesky[k]`` is the Cholesky factor P of component k's
    precision matrix (Σ⁻¹ = P Pᵀ), as scikit-learn's ``GaussianMixture`` stores
    it; computing the density here keeps a saved detector independent of
    scikit-learn's private attributes.
    """
    n, p = F.shape
    log_probs = np.empty((n, len(weights)))
    for k, (mu, P) in enumerate(zip(means, precisions_cholesky, strict=True)):
        y = (F - mu) @ P
        log_det = float(np.sum(np.log(np.diag(P))))
        log_probs[:, k] = (
            np.log(weights[k])
            - 0.5 * (p * math.log(2 * math.pi) + (y * y).sum(1))
            + log_det
        )
    return np.asarray(logsumexp(log_probs, axis=1))


def fit_mixture(
    F: np.ndarray,
    n_components: int,
    seed: int,
    *,
    concentration_steps: int = 0,
) -> dict[str, np.ndarray]:
    """Standardise ``F`` and fit a full-covariance Gaussian mixture to it.

    With ``concentration_steps`` the mixture is then refitted that many times,
    each time on the :data:`TRIM_KEEP` (90 %) of the rows it gives the highest
    density: the concentration steps of the trimmed likelihood estimator
    (Neykov, Filzmoser, Dimova & Neytchev, "Robust fitting of mixtures using
    the trimmed likelihood estimator", Computational Statistics & Data Analysis
    52(1), 2007), which for one component are the C-steps of FAST-MCD
    (Rousseeuw & Van Driessen, "A Fast Algorithm for the Minimum Covariance
    Determinant Estimator", Technometrics 41(3), 1999). The outliers among the
    training rows then no longer widen the components that should exclude
    them. A step that would keep fewer than ``2 * n_components`` rows is not
    taken.

    Returns
    -------
    dict
        The arrays of :data:`DENSITY_KEYS` (float64): the standardisation
        ``mean`` and ``scale`` and the mixture's parameters.
    """
    from sklearn.mixture import GaussianMixture

    mean, scale = F.mean(axis=0), F.std(axis=0)
    scale[scale <= 1e-12] = 1.0
    G = (F - mean) / scale

    def fit(rows: np.ndarray) -> Any:
        return GaussianMixture(
            n_components,
            covariance_type="full",
            reg_covar=1e-3,  # keeps near-degenerate codes (e.g. ReLU zeros) finite
            random_state=seed,
        ).fit(rows)

    gmm = fit(G)
    for _ in range(concentration_steps):
        scores = -gmm.score_samples(G)
        kept = G[scores <= np.quantile(scores, TRIM_KEEP)]
        if len(kept) < 2 * n_components:
            break
        gmm = fit(kept)
    return {
        "mean": mean,
        "scale": scale,
        "weights": gmm.weights_.astype(np.float64),
        "means": gmm.means_.astype(np.float64),
        "precisions_cholesky": gmm.precisions_cholesky_.astype(np.float64),
    }


def mixture_scores(density: dict[str, np.ndarray], F: np.ndarray) -> np.ndarray:
    """Negative log-density of the rows of ``F`` under a :func:`fit_mixture` fit."""
    G = (F - density["mean"]) / density["scale"]
    return -gaussian_mixture_log_density(
        G, density["weights"], density["means"], density["precisions_cholesky"]
    )


#: An ensemble member's (seed, training rows, features); None: the detector's
#: seed, all rows, all features.
Member = tuple[int | None, np.ndarray | None, np.ndarray | None]


def _check_max_samples(value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        ok = False
    elif isinstance(value, numbers.Integral):
        ok = int(value) >= 2
    else:
        ok = 0.0 < float(value) <= 1.0
    if not ok:
        raise ValueError(
            "max_samples must be a fraction of the training samples in (0, 1] or "
            f"a number of samples >= 2, got {value!r}"
        )


def _n_member_samples(max_samples: float | int, n: int) -> int:
    """Training rows per ensemble member: a fraction of ``n`` or a count."""
    if isinstance(max_samples, numbers.Integral):
        size = int(max_samples)
    else:
        size = round(float(max_samples) * n)
    return max(2, min(size, n)) if n >= 2 else n


def _member_standardizer(
    member_scores: list[np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """Each member's training-score median and robust spread (0 and 1 for one)."""
    if len(member_scores) == 1:
        return np.zeros(1), np.ones(1)
    pairs = [_robust_location_scale(scores) for scores in member_scores]
    return (
        np.array([c for c, _ in pairs], dtype=np.float64),
        np.array([w for _, w in pairs], dtype=np.float64),
    )


def _shares(parts: np.ndarray) -> np.ndarray:
    """Each row of non-negative ``parts`` over its sum (equal shares for zeros)."""
    totals = parts.sum(axis=1, keepdims=True)
    return np.divide(
        parts,
        totals,
        out=np.full_like(parts, 1.0 / parts.shape[1]),
        where=totals > 0,
    )


def _check_contamination(value: Any) -> None:
    if isinstance(value, str) and value == "auto":
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not 0.0 < float(value) <= 0.5
    ):
        raise ValueError(
            "contamination must be 'auto' or the expected fraction of outliers, a "
            f"number in (0, 0.5], got {value!r}"
        )


@_io.register_composite
class OutlierDetector(BaseEstimator):
    """Outlier detector scoring samples by autoencoder reconstruction error.

    ``fit`` standardises the features, trains an autoencoder of the family
    ``model`` on them and sets the threshold on the training scores; a sample
    whose score is above ``threshold_`` is an outlier (Sakurada & Yairi, MLSDA
    2014). The API is PyOD's detector contract (Zhao et al., JMLR 2019): scores
    are oriented so that *higher means more abnormal*, ``predict`` returns 1 for
    outliers and 0 for inliers. Evaluate it as ADBench does (Han et al.,
    "ADBench: Anomaly Detection Benchmark", NeurIPS 2022): ROC-AUC of
    ``decision_function`` on held-out labelled data.

    **Outlier score.** For ``"dense"`` and ``"conv"`` it is the backbone's
    ``score_samples``: the per-sample reconstruction error, mean over features of
    the training loss (squared error by default). For ``"vae"`` it is the
    negative ELBO in nats per sample, ``−E_q log p(x|z) + KL(q(z|x) || p(z))``,
    a bound that, like the reconstruction probability of An & Cho ("Variational
    Autoencoder based Anomaly Detection using Reconstruction Probability", SNU
    Data Mining Center, 2015), also penalises unlikely codes.

    **Latent density** (``score="latent-density"``). Reconstruction error misses
    anomalies that lie on the learned manifold but in a sparse part of it. With
    this option the detector fits a Gaussian mixture (``n_components``, full
    covariances) to the standardised pair (code, log reconstruction score) of
    the training data, and the outlier score is the negative log-density of that
    pair. This is the two-stage form of DAGMM (Zong, Song, Min, Cheng, Lumezanu,
    Cho & Chen, "Deep Autoencoding Gaussian Mixture Model for Unsupervised
    Anomaly Detection", ICLR 2018), which trains the autoencoder first and the
    mixture after it.

    **Ensembles** (``n_estimators > 1``). A single autoencoder trained on
    contaminated data also learns to reconstruct some of the anomalies, and its
    scores vary a lot with the seed. With this option the detector trains
    ``n_estimators`` autoencoders, each with its own seed on its own random
    subset of ``max_samples`` training rows, standardises each member's scores
    by the median and interquartile range of its training scores, and averages
    them: the subsampled, diverse ensemble of RandNet (Chen, Sathe, Aggarwal &
    Turaga, "Outlier Detection with Autoencoder Ensembles", SDM 2017), combined
    by averaging standardised scores, which reduces the variance of the
    detector (Aggarwal & Sathe, "Theoretical Foundations and Algorithms for
    Outlier Ensembles", SIGKDD Explorations 17(1), 2015). Fewer rows and epochs
    per member also give each one less chance to memorise the anomalies.

    **Trimmed density** (``score="trimmed-density"``). The mixture of the
    latent density is fitted to all training rows, anomalies included, so its
    components stretch to cover them. This score fits two mixtures to the same
    features by trimmed likelihood (:func:`fit_mixture`: five concentration
    steps, each refitting on the 90 % of rows the mixture finds most likely;
    Neykov et al., CSDA 2007): one with ``n_components`` components and one
    with a single component (a robust Mahalanobis distance, as the minimum
    covariance determinant of Rousseeuw & Van Driessen, Technometrics 1999,
    gives). Each one's negative log-density is standardised by its median and
    IQR / 1.349 on the training data, and the score is their mean: the many
    components follow the shape of the normal data, the one component gives
    the far-away points their due where the many components are too local.

    **Feature bagging** (``feature_bagging=True``). Each ensemble member sees
    its own random subset of between ``d // 2`` and ``d - 1`` of the ``d``
    features, drawn without replacement (Lazarevic & Kumar, "Feature Bagging
    for Outlier Detection", KDD 2005): an anomaly that shows in a few features
    is then not averaged away by the many features in which it is ordinary,
    in the members that leave most of those out, and the members differ more,
    which is what an ensemble gains from. Tabular input only.

    **Trimmed refit** (``trim_fraction > 0``). Training on contaminated data
    teaches the autoencoder to reconstruct the anomalies it sees. With this
    option each member is trained, scores its training rows (by its
    reconstruction score, or for the density scores by the negative
    log-density of an ``n_components`` mixture of its latent features), and is
    trained again from scratch, with the same seed, on all but the
    ``trim_fraction`` of its rows that score worst; its error scales and
    mixtures come from the kept rows. It is one step of the trimmed loss of
    robust statistics (least trimmed squares, Rousseeuw, JASA 1984), as the
    iterative retraining of Beggel, Pfeiffer & Bischl ("Robust Anomaly
    Detection in Images using Adversarial Autoencoders", ECML-PKDD 2019) drops
    likely anomalies from the training set. It doubles the training time.

    **Normalised errors** (``normalize_errors=True``). The squared error of a
    feature the autoencoder cannot predict from the others (an independent,
    noisy feature) is large for every sample and swamps the errors of the
    features it does model. With this option each feature's squared error is
    divided by a robust estimate of that feature's residual variance on the
    training data, ``median(e²) / 0.4549`` (a squared normal residual has
    median ``0.4549 σ²``), floored at 1/100 of the mean over features: the
    score is then the mean squared *standardised* residual, the negative
    log-likelihood (up to constants) of a decoder with one variance per feature
    fitted after training, as the PCA detector of Shyu, Chen, Sarinnapakorn &
    Chang ("A Novel Anomaly Detection Scheme Based on Principal Component
    Classifier", ICDM 2003) weights each residual direction by its variance.
    It applies to every family (a VAE is then scored by its reconstruction,
    not its ELBO).

    **Quantile standardisation** (``standardize="quantile"``). z-scores leave a
    skewed feature skewed: its long tail dominates the squared error of normal
    samples. The rank-based inverse normal transform (Beasley, Erickson &
    Allison, "Rank-Based Inverse Normal Transformations are Increasingly Used,
    But are They Merited?", Behavior Genetics 39, 2009) maps every feature to a
    standard normal through its empirical CDF on the training data (up to 1000
    quantiles), as Isolation Forest is invariant to such monotone per-feature
    maps. Beyond the training range the map continues linearly (slope one over
    the feature's standard deviation), so a value far outside it still scores
    as extreme (see :func:`quantile_normal`).

    **Defaults for tabular data** (merged under ``model_params``; ``d`` = number
    of features, code width ``k = max(2, min(d // 4, 32))``):

    - ``"dense"``: ``d``-64-``k``-64-``d``, ReLU hidden layer, linear code and
      output, squared error, Adam 1e-3, batch 64, 50 epochs.
    - ``"vae"``: dense encoder with one 64-unit layer, ``latent_dim=k``,
      ``likelihood="gaussian"`` (a learned variance; standardised features are
      not probabilities, so the Bernoulli decoder does not apply), batch 64,
      50 epochs.
    - ``"conv"`` and families registered later: their estimator's own defaults.

    Parameters
    ----------
    model : str, default="dense"
        Autoencoder family: a model name of a registered estimator
        (:func:`backbone_families`): ``"dense"`` (:class:`aekit.AutoEncoder`),
        ``"conv"`` (:class:`aekit.ConvAutoEncoder`, images) or ``"vae"``
        (:class:`aekit.VariationalAutoEncoder`).
    contamination : float or "auto", default=0.1
        Expected fraction of outliers in the training data, in (0, 0.5]:
        ``threshold_`` is the ``1 - contamination`` quantile of the training
        scores (PyOD's rule). ``"auto"``: Tukey's fence ``Q3 + 1.5·IQR`` of the
        training scores (see :func:`tukey_fence`) — the quartiles are robust to
        the outliers themselves, and no outlier fraction has to be guessed. It
        is a rule, not an estimate of the contamination: on right-skewed
        reconstruction errors it typically flags a few percent to ~10% of the
        training samples.
    model_params : dict or None, default=None
        Parameters of the backbone estimator (e.g. ``hidden_layer_sizes``,
        ``code_size``, ``epochs``); they override the defaults above.
        ``random_state``, ``device`` and ``verbose`` are set on the detector;
        ``validation_data`` is not accepted (it would skip standardisation:
        use ``validation_fraction``).
    score : {"reconstruction", "latent-density", "trimmed-density"}, \
default="reconstruction"
        The outlier score: the backbone's reconstruction score, the negative
        log-density of (code, reconstruction score) under a Gaussian mixture
        fitted after the autoencoder, or the mean standardised negative
        log-density under two mixtures fitted by trimmed likelihood (see above).
    n_components : int, default=4
        Mixture components for the density scores (DAGMM used 2 to 4).
    standardize : {"auto", "quantile", True, False}, default="auto"
        Centre each feature and divide it by its standard deviation, with
        statistics learned in ``fit`` (a constant feature kept with
        ``constant_columns="ignore"`` is only centred). ``"quantile"``: map
        each feature to a standard normal through its training quantiles
        instead (see above); like ``True``, an error for a backbone that needs
        data in [0, 1].
        ``"auto"`` standardises tabular input, shaped ``(n_samples,
        n_features)``, and leaves images (3-D or 4-D input) as they are; it also
        leaves data as it is for a backbone that needs values in [0, 1]
        (``loss="bce"`` or ``likelihood="bernoulli"``), for which ``True`` is an
        error.
    constant_columns : {"error", "ignore"}, default="error"
        What ``fit`` does with tabular input (``(n_samples, n_features)``) that
        has a constant column, one holding a single value in every training
        sample. ``"error"``: raise :class:`aekit.DataError` naming the columns. A
        feature that never varies in the training data carries no information
        about what is normal, and usually means a preprocessing mistake (a
        wrong join, a filter that fixed a category, a unit column, an ID read
        as a number); PyOD's detectors keep such a column silently, and the
        error makes the mistake visible instead. ``"ignore"``: keep the columns
        (the behaviour before this option, and the ADBench protocol's, which
        keeps every feature): standardisation centres them to 0 without
        dividing, the backbone learns to reconstruct them, and they add next to
        nothing to the score. Images (3-D or 4-D input) are not checked: pixels
        that never change, such as a blank border, are normal there.
    n_estimators : int, default=1
        Number of autoencoders in the ensemble (see above). ``1``: a single
        autoencoder, whose scores are used as they are.
    max_samples : float or int, default=1.0
        Training rows of each ensemble member, drawn without replacement: a
        fraction in (0, 1] of the training samples, or a number (>= 2; more
        than there are means all of them). With ``n_estimators=1`` and all rows,
        the one autoencoder is trained on the data as given.
    normalize_errors : bool, default=False
        Divide each feature's squared reconstruction error by its typical
        value on the training data (see above).
    feature_bagging : bool, default=False
        Train each member on its own random subset of the features (see
        above); tabular input with at least 2 features. Each member's network
        is sized for its number of features (the defaults below with ``d`` its
        feature count).
    trim_fraction : float, default=0.0
        Fraction in [0, 0.5) of each member's training rows dropped before it is
        trained a second time (see above); 0 trains once.
    random_state : int, RandomState or None, default=None
        Seeds the backbone (the members' seeds and subsets, for an ensemble);
        an int makes ``fit`` reproducible bit for bit on CPU.
    device : str, default="auto"
        Where the backbone runs (see :class:`aekit.AutoEncoder`).
    verbose : int, default=0
        Progress output of the backbone's training.

    Attributes
    ----------
    backbone_ : BaseAutoEncoder
        The fitted autoencoder (trained on standardised data when
        ``standardize_``); the first member of an ensemble.
    backbones_ : list of BaseAutoEncoder
        All ``n_estimators`` fitted autoencoders.
    member_center_, member_scale_ : ndarray of shape (n_estimators,)
        Median and robust spread (IQR / 1.349) of each member's training
        scores, by which its scores are standardised before averaging (0 and 1
        for a single autoencoder).
    error_scales_ : list of ndarray or None
        Per member, the residual variance of each of its features (all
        ``n_features_in_``, or those of ``features_[i]``) by which its squared
        error is divided (``normalize_errors``), else None.
    features_ : list of ndarray of int64 or None
        Per member, the indices of its features (ascending), with
        ``feature_bagging``; else None (every member sees every feature).
    densities_ : list of list of dict or None
        Per member, its fitted mixtures (one for ``"latent-density"``, two for
        ``"trimmed-density"``), each a dict of arrays; None for
        ``"reconstruction"``. ``density_`` is the first member's first.
    quantiles_ : ndarray of shape (n_quantiles, n_features_in_) or None
        Training quantiles of each feature (``standardize="quantile"``).
    decision_scores_ : ndarray of shape (n_samples,)
        Outlier scores of the training data (float64; higher = more abnormal).
    threshold_ : float
        Scores above it are outliers.
    labels_ : ndarray of shape (n_samples,)
        Training labels: 0 inlier, 1 outlier (``decision_scores_ > threshold_``).
    standardize_ : bool
        Whether the features are standardised.
    mean_, scale_ : ndarray of shape (n_features_in_,) or None
        Standardisation statistics (float64), ``None`` without standardisation.
    n_features_in_ : int
        Number of features after flattening each sample.
    input_shape_ : tuple of int
        Shape of one training sample.

    See Also
    --------
    aekit.plots_anomaly.score_histogram, aekit.plots_anomaly.roc_pr_curves

    Examples
    --------
    >>> import numpy as np, aekit
    >>> X = np.random.default_rng(0).normal(size=(500, 8))
    >>> det = aekit.OutlierDetector(contamination=0.05, random_state=0).fit(X)
    >>> det.labels_.mean()
    np.float64(0.05)
    >>> det.predict(X[:3]).shape
    (3,)
    """

    def __init__(
        self,
        *,
        model: str = "dense",
        contamination: float | str = 0.1,
        model_params: dict[str, Any] | None = None,
        score: str = "reconstruction",
        n_components: int = 4,
        standardize: bool | str = "auto",
        constant_columns: str = "error",
        n_estimators: int = 1,
        max_samples: float | int = 1.0,
        normalize_errors: bool = False,
        feature_bagging: bool = False,
        trim_fraction: float = 0.0,
        random_state: Any = None,
        device: str = "auto",
        verbose: int = 0,
    ) -> None:
        self.model = model
        self.contamination = contamination
        self.model_params = model_params
        self.score = score
        self.n_components = n_components
        self.standardize = standardize
        self.constant_columns = constant_columns
        self.n_estimators = n_estimators
        self.max_samples = max_samples
        self.normalize_errors = normalize_errors
        self.feature_bagging = feature_bagging
        self.trim_fraction = trim_fraction
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ---------------------------------------------------------------- params
    def _backbone_class(self) -> type[BaseAutoEncoder]:
        families = backbone_families()
        if not isinstance(self.model, str) or self.model not in families:
            available = ", ".join(repr(name) for name in sorted(families))
            raise ValueError(
                f"model={self.model!r} is not a registered autoencoder family; "
                f"available: {available}"
            )
        return families[self.model]

    def _check_params(self) -> type[BaseAutoEncoder]:
        _check_contamination(self.contamination)
        check_choice("score", self.score, SCORES)
        check_int("n_components", self.n_components, minimum=1)
        if not (
            isinstance(self.standardize, (bool, np.bool_))
            or (
                isinstance(self.standardize, str)
                and self.standardize in ("auto", "quantile")
            )
        ):
            raise ValueError(
                "standardize must be 'auto', 'quantile', True or False, got "
                f"{self.standardize!r}"
            )
        check_choice("constant_columns", self.constant_columns, CONSTANT_COLUMNS)
        check_int("n_estimators", self.n_estimators, minimum=1)
        _check_max_samples(self.max_samples)
        if not isinstance(self.normalize_errors, (bool, np.bool_)):
            raise ValueError(
                f"normalize_errors must be True or False, got {self.normalize_errors!r}"
            )
        if not isinstance(self.feature_bagging, (bool, np.bool_)):
            raise ValueError(
                f"feature_bagging must be True or False, got {self.feature_bagging!r}"
            )
        if (
            isinstance(self.trim_fraction, bool)
            or not isinstance(self.trim_fraction, numbers.Real)
            or not 0.0 <= float(self.trim_fraction) < 0.5
        ):
            raise ValueError(
                "trim_fraction must be a fraction of the training rows in [0, 0.5), "
                f"got {self.trim_fraction!r}"
            )
        check_int("verbose", self.verbose, minimum=0)
        cls = self._backbone_class()
        check_model_params(
            self.model_params,
            cls,
            owner="OutlierDetector",
            model=f"{cls.__name__} (model={self.model!r})",
            validation_hint="the backbone sees standardised data; use "
            "model_params={'validation_fraction': ...}",
        )
        return cls

    def _make_backbone(
        self, cls: type[BaseAutoEncoder], n_features: int
    ) -> BaseAutoEncoder:
        defaults = FAMILY_DEFAULTS.get(self.model, lambda d: {})(n_features)
        valid = set(cls._get_param_names())
        forwarded = {
            name: getattr(self, name) for name in FORWARDED_PARAMS if name in valid
        }
        params = {**defaults, **(self.model_params or {}), **forwarded}
        return cls(**params)

    def _resolve_standardize(self, backbone: BaseAutoEncoder, ndim: int) -> bool:
        needs_unit_range = _needs_unit_range(backbone)
        if isinstance(self.standardize, str) and self.standardize == "auto":
            return ndim == 2 and not needs_unit_range
        if self.standardize and needs_unit_range:
            raise ValueError(
                f"standardize={self.standardize!r} gives features outside [0, 1], "
                "but this "
                f"{type(backbone).__name__} needs data in [0, 1] (loss='bce' or "
                "likelihood='bernoulli'); use standardize=False with data in "
                "[0, 1], or a squared-error / Gaussian backbone"
            )
        return bool(self.standardize)

    # ---------------------------------------------------------------- data
    def _validate_X(self, X: Any, *, reset: bool) -> np.ndarray:
        """Check ``X`` (finite numbers, >= 2-D) and its number of features.

        Float64 input stays float64 until standardised, so that features with a
        large offset (timestamps, IDs) keep their precision; the backbone gets
        float32.
        """
        try:
            arr = check_array(
                X,
                allow_nd=True,
                dtype=(np.float64, np.float32),
                ensure_all_finite=True,
                input_name="X",
            )
        except ValueError as exc:
            raise DataError(str(exc)) from None
        n_features = int(np.prod(arr.shape[1:]))
        if reset:
            self.n_features_in_ = n_features
            self.input_shape_ = tuple(int(s) for s in arr.shape[1:])
        elif n_features != self.n_features_in_:
            raise DataError(
                f"X has {n_features} features, but OutlierDetector is expecting "
                f"{self.n_features_in_} features as input (samples of shape "
                f"{arr.shape[1:]} given, fitted on {self.input_shape_})."
            )
        return arr

    def _scale(self, X: np.ndarray) -> np.ndarray:
        """Standardise ``X`` (any sample shape) with the fitted statistics."""
        if not self.standardize_:
            return np.ascontiguousarray(X, dtype=np.float32)
        assert self.mean_ is not None and self.scale_ is not None
        flat = X.reshape(X.shape[0], -1).astype(np.float64)
        if self.quantiles_ is not None:
            scaled = quantile_normal(flat, self.quantiles_, self.scale_)
        else:
            scaled = (flat - self.mean_) / self.scale_
        return scaled.astype(np.float32).reshape(X.shape)

    def _prepared(self, X: Any) -> np.ndarray:
        check_is_fitted(self, "backbone_")
        return self._scale(self._validate_X(X, reset=False))

    # ---------------------------------------------------------------- fitting
    def fit(self, X: Any, y: Any = None) -> OutlierDetector:
        """Train the backbone on ``X`` and set the threshold on its scores.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features) or (n_samples, ...)
            Training data: tabular rows, or images for ``model="conv"``.
        y : ignored
            Unsupervised: present for API compatibility.

        Returns
        -------
        self
        """
        cls = self._check_params()
        arr = self._validate_X(X, reset=True)
        if arr.ndim == 2 and self.constant_columns == "error":
            error = constant_column_error(arr, "X", "constant_columns='ignore'")
            if error is not None:
                raise error
        backbone = self._make_backbone(cls, self.n_features_in_)
        self.standardize_ = self._resolve_standardize(backbone, arr.ndim)
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None
        self.quantiles_: np.ndarray | None = None
        if self.standardize_:
            flat = arr.reshape(len(arr), -1)
            self.mean_, self.scale_ = _fit_standardizer(flat)
            if self.standardize == "quantile":
                self.quantiles_ = _fit_quantiles(flat)
        if self.feature_bagging and (arr.ndim != 2 or self.n_features_in_ < 2):
            raise DataError(
                "feature_bagging=True needs tabular input of shape (n_samples, "
                f"n_features) with at least 2 features, got samples of shape "
                f"{arr.shape[1:]}"
            )
        Z = self._scale(arr)
        self.backbones_: list[BaseAutoEncoder] = []
        self.features_: list[np.ndarray] | None = [] if self.feature_bagging else None
        self.error_scales_: list[np.ndarray] | None = (
            [] if self.normalize_errors else None
        )
        self.densities_: list[list[dict[str, np.ndarray]]] | None = (
            None if self.score == "reconstruction" else []
        )
        member_scores = []
        for seed, rows, features in self._member_plan(len(Z), self.n_features_in_):
            prototype = backbone
            if features is not None:
                assert self.features_ is not None
                self.features_.append(features)
                prototype = self._make_backbone(cls, len(features))
            Z_all = self._view(len(self.backbones_), Z)
            Z_member = Z_all if rows is None else Z_all[rows]
            member_scores.append(self._fit_member(prototype, seed, Z_member, Z_all))
        self.backbone_ = self.backbones_[0]
        self.density_ = None if self.densities_ is None else self.densities_[0][0]
        self.member_center_, self.member_scale_ = _member_standardizer(member_scores)
        self.decision_scores_ = self._combine(member_scores)
        self.threshold_ = self._threshold(self.decision_scores_)
        self.labels_ = self._labels(self.decision_scores_)
        return self

    def _member_plan(self, n: int, d: int) -> list[Member]:
        """(seed, training rows, features) of each member; None: the detector's
        own seed / all rows / all features.

        One member on all rows and features is exactly the single detector
        (seeded with ``random_state``). Otherwise each member gets its own seed
        and its own random subset of ``max_samples`` rows, drawn without
        replacement, from one generator seeded with ``random_state``; with
        ``feature_bagging``, its features come from a second generator (see
        :data:`FEATURE_SEED_OFFSET`).
        """
        size = _n_member_samples(self.max_samples, n)
        if self.n_estimators == 1 and size == n and not self.feature_bagging:
            return [(None, None, None)]
        rng = check_random_state(self.random_state)
        plan: list[Member] = []
        for _ in range(self.n_estimators):
            seed = int(rng.randint(np.iinfo(np.int32).max))
            rows = None if size == n else np.sort(rng.choice(n, size, replace=False))
            plan.append((seed, rows, None))
        if not self.feature_bagging:
            return plan
        if isinstance(self.random_state, numbers.Integral):
            feature_seed = FEATURE_SEED_OFFSET + int(self.random_state)
        else:
            feature_seed = int(rng.randint(np.iinfo(np.int32).max))
        feature_rng = np.random.default_rng(feature_seed)
        bagged: list[Member] = []
        for member_seed, rows, _ in plan:
            k = int(feature_rng.integers(d // 2, d))  # d // 2 .. d - 1 features
            features = np.sort(feature_rng.choice(d, k, replace=False))
            bagged.append((member_seed, rows, features.astype(np.int64)))
        return bagged

    def _fit_member(
        self,
        prototype: BaseAutoEncoder,
        seed: int | None,
        Z_member: np.ndarray,
        Z_all: np.ndarray,
    ) -> np.ndarray:
        """Train one member on ``Z_member`` (its rows and features) and fit its
        error scales and mixtures there; with ``trim_fraction``, train it again
        on the rows that its first fit scores best (see the class docstring).
        ``Z_all``: its features of every training row, on which the trimmed
        mixtures' scores are standardised.

        Returns
        -------
        ndarray
            The member's scores of every training row (before combination).
        """
        member = clone(prototype) if self.n_estimators > 1 else prototype
        if seed is not None:
            member.set_params(random_state=seed)
        mixture_seed = self._mixture_seed(seed)
        self.backbones_.append(member.fit(Z_member))
        index = len(self.backbones_) - 1
        if self.trim_fraction > 0:
            self._fit_member_scoring(Z_member, mixture_seed, trimming=True)
            (criterion,) = self._raw_scores(index, Z_member)
            keep = criterion <= np.quantile(criterion, 1.0 - self.trim_fraction)
            self._drop_last_member_scoring()
            Z_member = Z_member[keep]
            self.backbones_[index] = clone(member).fit(Z_member)
        self._fit_member_scoring(Z_member, mixture_seed, trimming=False)
        raw = self._raw_scores(index, Z_all)
        if self.score == "trimmed-density":
            assert self.densities_ is not None
            for mixture, scores in zip(self.densities_[index], raw, strict=True):
                center, spread = _robust_location_scale(scores)
                mixture["center"] = np.array([center])
                mixture["spread"] = np.array([spread])
        return self._member_score(index, raw)

    def _mixture_seed(self, member_seed: int | None) -> int:
        """Seed of a member's mixtures: the detector's for ``"latent-density"``
        (as fitted before the trimmed density existed, so earlier results
        reproduce), the member's own for ``"trimmed-density"``."""
        detector_seed = self.random_state if isinstance(self.random_state, int) else 0
        if self.score == "latent-density" or member_seed is None:
            return int(detector_seed)
        return member_seed

    def _fit_member_scoring(
        self, Z_member: np.ndarray, seed: int, *, trimming: bool
    ) -> None:
        """Error scales and mixtures of the last member, fitted on ``Z_member``.

        ``trimming``: only what ranks the rows for a trimmed refit (the plain
        ``n_components`` mixture of a density score).
        """
        index = len(self.backbones_) - 1
        member = self.backbones_[index]
        if self.error_scales_ is not None:
            squared = self._squared_errors(member, Z_member)
            self.error_scales_.append(_error_scales(squared))
        if self.densities_ is None:
            return
        base, is_log = self._base_scores(index, Z_member)
        F = latent_features(member, Z_member, base, base_is_log=is_log)
        self._check_density_rows(len(F))
        if trimming:
            mixtures = [fit_mixture(F, int(self.n_components), seed)]
        else:
            steps = CONCENTRATION_STEPS if self.score == "trimmed-density" else 0
            mixtures = [
                fit_mixture(F, k, seed, concentration_steps=steps)
                for k in self._mixture_components()
            ]
        self.densities_.append(mixtures)

    def _mixture_components(self) -> list[int]:
        """Components of each fitted mixture of a member, for a density score."""
        n = int(self.n_components)
        if self.score == "trimmed-density":
            return [n, 1] if n > 1 else [1]
        return [n]

    def _drop_last_member_scoring(self) -> None:
        if self.error_scales_ is not None:
            self.error_scales_.pop()
        if self.densities_ is not None:
            self.densities_.pop()

    def _check_density_rows(self, n: int) -> None:
        if n < 2 * self.n_components:
            raise DataError(
                f"score={self.score!r} with n_components={self.n_components} "
                f"needs at least {2 * self.n_components} training samples, got {n}"
            )

    def _view(self, index: int, Z: np.ndarray) -> np.ndarray:
        """The features of ``Z`` that member ``index`` sees."""
        return Z if self.features_ is None else Z[:, self.features_[index]]

    @staticmethod
    def _squared_errors(backbone: BaseAutoEncoder, Z: np.ndarray) -> np.ndarray:
        """Per-feature squared reconstruction errors, flat, float64."""
        recon = np.asarray(backbone.reconstruct(Z), dtype=np.float64)
        flat = Z.reshape(len(Z), -1).astype(np.float64)
        return np.asarray((recon.reshape(len(Z), -1) - flat) ** 2)

    def _error_parts(self, index: int, Z: np.ndarray) -> np.ndarray:
        """Member ``index``'s per-feature normalised squared errors over ``d``.

        ``Z``: the member's features (see :meth:`_view`), as for every method
        that takes a member ``index`` except :meth:`_member_scores` and
        :meth:`_member_parts`, which take all of them.
        """
        assert self.error_scales_ is not None
        squared = self._squared_errors(self.backbones_[index], Z)
        return squared / (self.error_scales_[index] * squared.shape[1])

    def _base_scores(self, index: int, Z: np.ndarray) -> tuple[np.ndarray, bool]:
        """Member ``index``'s reconstruction score, and whether it is a log."""
        if self.error_scales_ is not None:
            return self._error_parts(index, Z).sum(axis=1), False
        backbone = self.backbones_[index]
        return outlier_scores(backbone, Z), isinstance(backbone, LIKELIHOOD_SCORED)

    def _raw_scores(self, index: int, Z: np.ndarray) -> list[np.ndarray]:
        """Member ``index``'s scores of its features ``Z`` before they are
        combined: its reconstruction score, or one negative log-density per
        mixture of its latent features."""
        base, is_log = self._base_scores(index, Z)
        if self.densities_ is None:
            return [base]
        features = latent_features(self.backbones_[index], Z, base, base_is_log=is_log)
        return [mixture_scores(m, features) for m in self.densities_[index]]

    def _member_score(self, index: int, raw: list[np.ndarray]) -> np.ndarray:
        """Member ``index``'s score from its :meth:`_raw_scores`: the one score,
        or for ``"trimmed-density"`` the mean of the mixtures' standardised
        scores."""
        if self.score != "trimmed-density":
            return raw[0]
        assert self.densities_ is not None
        return np.asarray(
            np.mean(
                [
                    (scores - m["center"][0]) / m["spread"][0]
                    for scores, m in zip(raw, self.densities_[index], strict=True)
                ],
                axis=0,
            )
        )

    def _member_scores(self, index: int, Z: np.ndarray) -> np.ndarray:
        """Outlier scores of member ``index`` (before combination) on all of
        ``Z``'s features."""
        return self._member_score(index, self._raw_scores(index, self._view(index, Z)))

    def _combine(self, member_scores: list[np.ndarray]) -> np.ndarray:
        """Mean of the members' standardised scores; one member's as they are."""
        if len(member_scores) == 1:
            return np.asarray(member_scores[0], dtype=np.float64)
        z = [
            (scores - center) / scale
            for scores, center, scale in zip(
                member_scores, self.member_center_, self.member_scale_, strict=True
            )
        ]
        return np.asarray(np.mean(z, axis=0), dtype=np.float64)

    def _threshold(self, scores: np.ndarray) -> float:
        if isinstance(self.contamination, str):  # "auto"
            return tukey_fence(scores)
        return float(np.percentile(scores, 100.0 * (1.0 - self.contamination)))

    def _labels(self, scores: np.ndarray) -> np.ndarray:
        return (scores > self.threshold_).astype(np.int64)

    def fit_predict(self, X: Any, y: Any = None) -> np.ndarray:
        """Fit on ``X`` and return ``labels_`` (0 inlier, 1 outlier)."""
        return self.fit(X, y).labels_

    # ---------------------------------------------------------------- inference
    def decision_function(self, X: Any) -> np.ndarray:
        """Outlier scores of ``X``: higher means more abnormal.

        Parameters
        ----------
        X : array-like
            Samples shaped like the training data.

        Returns
        -------
        ndarray of shape (n_samples,), float64
        """
        Z = self._prepared(X)
        return self._combine(
            [self._member_scores(i, Z) for i in range(len(self.backbones_))]
        )

    def predict(self, X: Any) -> np.ndarray:
        """1 for samples scoring above ``threshold_`` (outliers), else 0."""
        return self._labels(self.decision_function(X))

    def predict_proba(self, X: Any, method: str = "linear") -> np.ndarray:
        """Probability that each sample is an outlier, as PyOD computes it.

        Parameters
        ----------
        X : array-like
            Samples shaped like the training data.
        method : {"linear", "unify"}, default="linear"
            ``"linear"``: min-max scaling of the score by the training scores,
            clipped to [0, 1]. ``"unify"``: Gaussian scaling,
            ``erf((s - μ) / (σ √2))`` clipped to [0, 1], with μ and σ the mean
            and standard deviation of the training scores (Kriegel, Kröger,
            Schubert & Zimek, "Interpreting and Unifying Outlier Scores", SDM
            2011). Both are non-decreasing in the score.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Column 0: inlier probability; column 1: outlier probability.
        """
        check_choice("method", method, ("linear", "unify"))
        scores = self.decision_function(X)
        train = self.decision_scores_
        if method == "linear":
            low, high = float(train.min()), float(train.max())
            outlier = (scores - low) / (high - low if high > low else 1.0)
        else:
            sigma = float(train.std())
            z = (scores - float(train.mean())) / ((sigma or 1.0) * math.sqrt(2.0))
            outlier = erf(z)
        outlier = np.clip(outlier, 0.0, 1.0)
        return np.column_stack([1.0 - outlier, outlier])

    def explain(self, X: Any) -> np.ndarray:
        """Per-feature contributions to each sample's outlier score.

        Each feature's share of the sample's squared reconstruction error (in
        the standardised space when ``standardize_``), times the sample's score,
        so every row sums to ``decision_function(X)``. For the default squared
        error loss this is exactly each feature's squared error divided by the
        number of features; with ``normalize_errors`` it is each feature's
        normalised squared error divided by the number of features. An
        ensemble shares its combined score in proportion to the members'
        contributions, each divided by the spread of that member's training
        scores (the weights with which the scores are averaged). For a VAE
        scored by its ELBO the score also holds the KL term and the Gaussian
        normaliser, which no feature owns: they are shared out in
        proportion to the squared errors too (and a negative score gives
        negative contributions). A row whose reconstruction is perfect shares its
        score equally.

        Parameters
        ----------
        X : array-like
            Samples shaped like the training data.

        Returns
        -------
        ndarray of shape (n_samples, n_features_in_), float64
            Images are flattened; ``.reshape(-1, *det.input_shape_)`` gives maps.
        """
        Z = self._prepared(X)
        if self.densities_ is not None:
            raise ValueError(
                "explain() splits a reconstruction score over the features; the "
                f"{self.score} score is not a sum over features (fit with "
                "score='reconstruction' to explain)"
            )
        parts = [self._member_parts(i, Z) for i in range(len(self.backbones_))]
        if len(parts) == 1:
            return parts[0]
        weights = np.mean(
            [p / scale for p, scale in zip(parts, self.member_scale_, strict=True)],
            axis=0,
        )
        scores = self._combine([p.sum(axis=1) for p in parts])
        return _shares(weights) * scores[:, None]

    def _member_parts(self, index: int, Z: np.ndarray) -> np.ndarray:
        """Member ``index``'s score split over all of ``Z``'s features (rows sum
        to it; 0 for a feature the member does not see)."""
        Zm = self._view(index, Z)
        if self.error_scales_ is not None:
            parts = self._error_parts(index, Zm)
        else:
            backbone = self.backbones_[index]
            squared = self._squared_errors(backbone, Zm)
            parts = _shares(squared) * outlier_scores(backbone, Zm)[:, None]
        if self.features_ is None:
            return parts
        full = np.zeros((len(Z), self.n_features_in_))
        full[:, self.features_[index]] = parts
        return full

    # ---------------------------------------------------------------- persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save the fitted detector to one safetensors file (see :mod:`aekit.io`).

        The file holds the backbone's weights and configuration, the
        standardisation statistics, the training scores and the threshold;
        :func:`aekit.load` gives back a detector with identical scores.
        """
        check_is_fitted(self, "backbone_")
        return _io.save(self, path)

    def _get_saved_state(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        tensors: dict[str, torch.Tensor] = {}
        members = []
        for i, backbone in enumerate(self.backbones_):
            backbone_tensors, backbone_state = backbone._get_saved_state()
            prefix = _member_prefix(i)
            tensors.update({f"{prefix}{k}": v for k, v in backbone_tensors.items()})
            members.append(
                {
                    "backbone_class": type(backbone).__name__,
                    "backbone_params": _io._jsonable_params(
                        backbone.get_params(deep=False)
                    ),
                    "backbone_state": backbone_state,
                }
            )

        def put(key: str, value: Any) -> None:
            tensors[key] = torch.from_numpy(
                np.array(value, dtype=np.float64, copy=True, ndmin=1)
            )

        put("detector.decision_scores", self.decision_scores_)
        put("detector.threshold", [self.threshold_])
        if self.standardize_:
            put("detector.mean", self.mean_)
            put("detector.scale", self.scale_)
        if self.quantiles_ is not None:
            put("detector.quantiles", self.quantiles_)
        if len(self.backbones_) > 1:
            put("detector.member_center", self.member_center_)
            put("detector.member_scale", self.member_scale_)
        if self.features_ is not None:
            # One (members, features) 0/1 mask: members see different numbers
            # of features, and the mask keeps every saved array rectangular.
            mask = np.zeros((len(self.backbones_), self.n_features_in_))
            for i, features in enumerate(self.features_):
                mask[i, features] = 1.0
            put("detector.feature_mask", mask)
        if self.error_scales_ is not None:
            # Full width (1 where a member does not see a feature), as the mask.
            scales = np.ones((len(self.backbones_), self.n_features_in_))
            for i, member_scales in enumerate(self.error_scales_):
                scales[i, self._member_features(i)] = member_scales
            put("detector.error_scales", scales)
        for i, mixtures in enumerate(self.densities_ or []):
            for j, density in enumerate(mixtures):
                for key, value in density.items():
                    put(f"{_density_prefix(i, j)}{key}", value)
        state = {
            **members[0],
            "more_members": members[1:],
            "standardize_": bool(self.standardize_),
            "n_features_in_": self.n_features_in_,
            "input_shape_": list(self.input_shape_),
        }
        return tensors, state

    def _set_saved_state(
        self,
        tensors: dict[str, torch.Tensor],
        state: dict[str, Any],
        device: str | None = None,
    ) -> None:
        self._check_params()
        members = [state, *state.get("more_members", [])]
        if len(members) != self.n_estimators:
            raise ValueError(
                f"the file holds {len(members)} autoencoders, but n_estimators="
                f"{self.n_estimators}"
            )
        self.backbones_ = []
        for i, member in enumerate(members):
            cls: Any = _io.ESTIMATORS.get(str(member["backbone_class"]))
            if cls._model_name != self.model:
                raise ValueError(
                    f"backbone {cls.__name__} is not of model family {self.model!r}"
                )
            backbone = cls(**_io._restore_tuples(cls, member["backbone_params"]))
            prefix = _member_prefix(i)
            backbone._set_saved_state(
                {
                    k[len(prefix) :]: v
                    for k, v in tensors.items()
                    if k.startswith(prefix)
                },
                member["backbone_state"],
                device=device,
            )
            self.backbones_.append(backbone)
        self.backbone_ = self.backbones_[0]
        if isinstance(self.model_params, dict):  # JSON turned tuples into lists
            self.model_params = _io._restore_tuples(
                type(self.backbone_), self.model_params
            )
        n = len(members)
        d = self.n_features_in_ = int(state["n_features_in_"])
        self.input_shape_ = tuple(int(s) for s in state["input_shape_"])
        self.standardize_ = bool(state["standardize_"])
        self.mean_ = self.scale_ = self.quantiles_ = None
        if self.standardize_:
            self.mean_ = _float64(tensors, "detector.mean", (d,))
            self.scale_ = _float64(tensors, "detector.scale", (d,))
            if self.standardize == "quantile":
                self.quantiles_ = _float64(tensors, "detector.quantiles", None)
                if self.quantiles_.ndim != 2 or self.quantiles_.shape[1] != d:
                    raise ValueError(
                        f"tensor 'detector.quantiles' has shape "
                        f"{self.quantiles_.shape}, expected (n_quantiles, {d})"
                    )
        self.decision_scores_ = _float64(tensors, "detector.decision_scores", None)
        self.threshold_ = float(_float64(tensors, "detector.threshold", (1,))[0])
        self.labels_ = self._labels(self.decision_scores_)
        self.member_center_, self.member_scale_ = np.zeros(1), np.ones(1)
        if n > 1:
            self.member_center_ = _float64(tensors, "detector.member_center", (n,))
            self.member_scale_ = _float64(tensors, "detector.member_scale", (n,))
        self.features_ = None
        if self.feature_bagging:
            mask = _float64(tensors, "detector.feature_mask", (n, d))
            if not np.isin(mask, (0.0, 1.0)).all() or (mask.sum(axis=1) < 1).any():
                raise ValueError(
                    "tensor 'detector.feature_mask' must hold 0 and 1 only, with "
                    "at least one 1 per member"
                )
            self.features_ = [np.flatnonzero(row).astype(np.int64) for row in mask]
            for i, (features, backbone) in enumerate(
                zip(self.features_, self.backbones_, strict=True)
            ):
                width = getattr(backbone, "n_features_in_", len(features))
                if width != len(features):
                    raise ValueError(
                        f"tensor 'detector.feature_mask' gives member {i} "
                        f"{len(features)} features, but its autoencoder takes {width}"
                    )
        self.error_scales_ = None
        if self.normalize_errors:
            scales = _float64(tensors, "detector.error_scales", (n, d))
            self.error_scales_ = [scales[i, self._member_features(i)] for i in range(n)]
        self.densities_ = None
        if self.score != "reconstruction":
            components = self._mixture_components()
            keys = DENSITY_KEYS + (
                TRIMMED_KEYS if self.score == "trimmed-density" else ()
            )
            self.densities_ = []
            for i in range(n):
                mixtures = []
                for j, k in enumerate(components):
                    density = {
                        key: _float64(tensors, f"{_density_prefix(i, j)}{key}", None)
                        for key in keys
                    }
                    _check_density_shapes(density, k, i, j)
                    mixtures.append(density)
                self.densities_.append(mixtures)
        self.density_ = None if self.densities_ is None else self.densities_[0][0]

    def _member_features(self, index: int) -> np.ndarray | slice:
        """Member ``index``'s feature indices (all features: a full slice)."""
        return slice(None) if self.features_ is None else self.features_[index]


def _member_prefix(index: int) -> str:
    """Where member ``index``'s weights are saved (the first one as before)."""
    return "backbone." if index == 0 else f"member{index}.backbone."


def _density_prefix(index: int, part: int = 0) -> str:
    """Where mixture ``part`` of member ``index`` is saved (the first as before)."""
    member = "" if index == 0 else str(index)
    return f"detector.density{member}{'' if part == 0 else f'.part{part}'}."


def constant_column_error(X: np.ndarray, what: str, keep: str) -> DataError | None:
    """The error for the constant columns of 2-D ``X``, or None if there are none.

    ``what`` names the data (``"X"``, or a CLI flag and file) and ``keep`` the
    setting that keeps the columns, so the estimator and ``aekit detect`` give
    the same one-line message in their own terms.
    """
    constant = constant_columns(X)
    if len(constant) == 0:
        return None
    n = len(constant)
    them = "it" if n == 1 else "them"
    return DataError(
        f"{what} has {n} constant column{'s' if n > 1 else ''} of {X.shape[1]} "
        f"(one value in all {len(X)} training samples): "
        f"{describe_columns(constant)} (0-based). A feature that never varies "
        f"carries no information and usually means a preprocessing mistake; drop "
        f"{them}, or pass {keep} to keep {them}."
    )


def _check_density_shapes(
    density: dict[str, np.ndarray], k: int, member: int = 0, part: int = 0
) -> None:
    """A saved mixture's arrays agree with each other and with ``n_components``."""
    means = density["means"]
    p = means.shape[1] if means.ndim == 2 else -1
    expected = {
        "weights": (k,),
        "means": (k, p),
        "precisions_cholesky": (k, p, p),
        "mean": (p,),
        "scale": (p,),
        **{key: (1,) for key in TRIMMED_KEYS if key in density},
    }
    for key, shape in expected.items():
        if p < 1 or density[key].shape != shape:
            raise ValueError(
                f"tensor '{_density_prefix(member, part)}{key}' has shape "
                f"{density[key].shape}, "
                f"expected {shape} for {k} mixture components"
            )


def _float64(
    tensors: dict[str, torch.Tensor], key: str, shape: tuple[int, ...] | None
) -> np.ndarray:
    """A float64 array from a saved file, checked for presence, dtype and shape."""
    if key not in tensors:
        raise ValueError(f"missing tensor {key!r}")
    tensor = tensors[key]
    if tensor.dtype != torch.float64 or (
        shape is not None and tuple(tensor.shape) != shape
    ):
        raise ValueError(
            f"tensor {key!r} has dtype {tensor.dtype} and shape "
            f"{tuple(tensor.shape)}, expected float64 {shape}"
        )
    return tensor.numpy().copy()


def _needs_unit_range(backbone: BaseAutoEncoder) -> bool:
    """Whether the (unfitted) backbone only accepts data in [0, 1]."""
    probe = np.array([[-1.0, 2.0]], dtype=np.float32)
    try:
        backbone._check_input_range(probe)
    except DataError:
        return True
    return False
