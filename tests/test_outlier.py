"""OutlierDetector: finds real anomalies, honours the PyOD contract, round-trips."""

from __future__ import annotations

import io

import numpy as np
import pytest
from matplotlib.figure import Figure
from sklearn.base import clone
from sklearn.ensemble import IsolationForest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split

import aekit
from aekit.estimators.outlier import (
    backbone_families,
    constant_columns,
    tukey_fence,
)
from aekit.io import COMPOSITES, ESTIMATORS
from aekit.plots_anomaly import roc_pr_curves, score_histogram
from aekit.registry import Registry

QUICK = {"random_state": 0, "device": "cpu"}


# ------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def thyroid(data_dir):
    """ADBench thyroid (Han et al., NeurIPS 2022): 3772 x 6, 2.5% anomalies."""
    data = np.load(data_dir / "adbench" / "38_thyroid.npz")
    return train_test_split(
        data["X"], data["y"], test_size=0.3, stratify=data["y"], random_state=0
    )


@pytest.fixture(scope="module")
def dense(thyroid):
    X_train, *_ = thyroid
    return aekit.OutlierDetector(model_params={"epochs": 20}, **QUICK).fit(X_train)


@pytest.fixture(scope="module")
def low_rank():
    """Tabular data on a 2-D linear subspace of 10 features, plus a little noise."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 2)) @ rng.normal(size=(2, 10))
    return X + 0.05 * rng.normal(size=X.shape)


@pytest.fixture(scope="module")
def low_rank_detector(low_rank):
    params = {"epochs": 40, "batch_size": 32}
    return aekit.OutlierDetector(model_params=params, **QUICK).fit(low_rank)


# ------------------------------------------------------------------- detection
def test_dense_detector_finds_thyroid_anomalies(thyroid, dense):
    X_train, X_test, _, y_test = thyroid
    auc = roc_auc_score(y_test, dense.decision_function(X_test))
    forest = IsolationForest(random_state=0).fit(X_train)
    auc_forest = roc_auc_score(y_test, -forest.score_samples(X_test))
    assert auc > 0.8  # 0.89 measured
    # Isolation forest is the strongest ADBench baseline here (0.99 measured);
    # the autoencoder stays within reach of it.
    assert auc > auc_forest - 0.15


def test_vae_detector_scores_are_negative_elbo(thyroid):
    X_train, X_test, _, y_test = thyroid
    det = aekit.OutlierDetector(model="vae", model_params={"epochs": 20}, **QUICK)
    det.fit(X_train)
    scores = det.decision_function(X_test)
    assert roc_auc_score(y_test, scores) > 0.9  # 0.97 measured
    standardized = ((X_test - det.mean_) / det.scale_).astype(np.float32)
    elbo = det.backbone_.score_samples(standardized)
    np.testing.assert_allclose(scores, -elbo, rtol=1e-6)
    assert det.backbone_.likelihood == "gaussian" and det.standardize_


def test_contamination_flags_that_fraction_of_training_samples(thyroid, dense):
    X_train, *_ = thyroid
    assert dense.labels_.mean() == pytest.approx(0.1, abs=1 / len(X_train))
    assert dense.threshold_ == pytest.approx(np.percentile(dense.decision_scores_, 90))
    np.testing.assert_array_equal(
        dense.decision_function(X_train), dense.decision_scores_
    )
    np.testing.assert_array_equal(dense.predict(X_train), dense.labels_)
    assert set(np.unique(dense.labels_)) == {0, 1}


def test_auto_threshold_is_tukeys_fence(thyroid, dense):
    X_train, *_ = thyroid
    det = aekit.OutlierDetector(
        contamination="auto", model_params={"epochs": 20}, **QUICK
    ).fit(X_train)
    # Same seed, same scores: the contamination only moves the threshold.
    np.testing.assert_array_equal(det.decision_scores_, dense.decision_scores_)
    q1, q3 = np.percentile(det.decision_scores_, [25, 75])
    assert det.threshold_ == pytest.approx(q3 + 1.5 * (q3 - q1))
    assert det.threshold_ == tukey_fence(det.decision_scores_)
    assert 0.0 < det.labels_.mean() < 0.5
    np.testing.assert_array_equal(
        det.labels_, (det.decision_scores_ > det.threshold_).astype(int)
    )


@pytest.mark.parametrize("method", ["linear", "unify"])
def test_predict_proba_is_a_monotone_probability(thyroid, dense, method):
    X_train, X_test, *_ = thyroid
    proba = dense.predict_proba(X_test, method=method)
    assert proba.shape == (len(X_test), 2)
    assert np.all((proba >= 0) & (proba <= 1))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    order = np.argsort(dense.decision_function(X_test), kind="stable")
    assert np.all(np.diff(proba[order, 1]) >= 0)
    assert proba[:, 1].max() > proba[:, 1].min()
    if method == "linear":  # min-max of the training scores
        train = dense.predict_proba(X_train)[:, 1]
        scores = dense.decision_scores_
        assert train[np.argmin(scores)] == 0.0 and train[np.argmax(scores)] == 1.0


def test_explain_rows_sum_to_scores(thyroid, dense):
    _, X_test, *_ = thyroid
    contributions = dense.explain(X_test)
    assert contributions.shape == (len(X_test), 6)
    assert np.all(contributions >= 0)
    np.testing.assert_allclose(
        contributions.sum(axis=1), dense.decision_function(X_test), rtol=1e-6
    )


def test_explain_points_at_the_corrupted_feature(low_rank, low_rank_detector):
    det = low_rank_detector
    X = low_rank[:100]
    for feature in range(X.shape[1]):
        corrupted = X.copy()
        corrupted[:, feature] += 6 * det.scale_[feature]
        blamed = det.explain(corrupted).argmax(axis=1)
        assert np.mean(blamed == feature) > 0.9
        assert det.predict(corrupted).mean() > 0.9


def test_standardization_learned_in_fit(low_rank, low_rank_detector):
    det = low_rank_detector
    np.testing.assert_allclose(det.mean_, low_rank.mean(axis=0))
    np.testing.assert_allclose(det.scale_, low_rank.std(axis=0))
    # A constant feature kept with constant_columns="ignore" is centred, never
    # divided by zero; rescaled units give the same detector.
    X = np.column_stack([low_rank[:200], np.full(200, 7.0)])
    rescaled = X * np.r_[1000.0, np.ones(10)] + np.r_[0.0, 1e4, np.zeros(9)]
    params = {"model_params": {"epochs": 3}, "constant_columns": "ignore", **QUICK}
    a = aekit.OutlierDetector(**params).fit(X)
    b = aekit.OutlierDetector(**params).fit(rescaled)
    assert a.scale_[-1] == 1.0 and a.mean_[-1] == 7.0
    assert np.all(np.isfinite(a.decision_scores_))
    np.testing.assert_allclose(a.decision_scores_, b.decision_scores_, rtol=1e-5)
    raw = aekit.OutlierDetector(standardize=False, **params).fit(X)
    assert raw.mean_ is None and raw.scale_ is None and not raw.standardize_


# ------------------------------------------------------------------- bad input
@pytest.fixture(scope="module")
def small():
    X = np.random.default_rng(1).normal(size=(80, 5))
    det = aekit.OutlierDetector(model_params={"epochs": 1}, **QUICK).fit(X)
    return det, X


@pytest.mark.parametrize("method", ["decision_function", "predict", "explain"])
def test_bad_input_at_prediction(small, method):
    det, X = small
    nan = X[:5].copy()
    nan[2, 3] = np.nan
    with pytest.raises(aekit.DataError, match="NaN"):
        getattr(det, method)(nan)
    with pytest.raises(aekit.DataError, match=r"4 features, but .* expecting 5"):
        getattr(det, method)(X[:5, :4])
    with pytest.raises(aekit.DataError, match="2D array"):
        getattr(det, method)(X[0])


@pytest.mark.parametrize("contamination", [0, 0.6, -0.1, "most", True, None])
def test_contamination_outside_range_rejected(small, contamination):
    _, X = small
    det = aekit.OutlierDetector(contamination=contamination)
    with pytest.raises(ValueError, match=r"contamination must be 'auto' .*\(0, 0.5\]"):
        det.fit(X)


def test_unknown_model_lists_the_registered_families(small):
    _, X = small
    with pytest.raises(ValueError, match="model='lstm'") as info:
        aekit.OutlierDetector(model="lstm").fit(X)
    families = {ESTIMATORS.get(n)._model_name for n in ESTIMATORS.names()}
    assert {"dense", "conv", "vae", "sequence"} <= families
    for family in families:
        assert repr(family) in str(info.value)


def test_families_are_read_from_the_estimator_registry(monkeypatch):
    class GraphAutoEncoder(aekit.AutoEncoder):
        _model_name = "graph"

    registry: Registry[type] = Registry("estimator class")
    for name in ESTIMATORS.names():
        registry.register(name, ESTIMATORS.get(name))
    registry.register("GraphAutoEncoder", GraphAutoEncoder)
    monkeypatch.setattr(aekit.io, "ESTIMATORS", registry)
    # A family registered later is offered without changing the detector.
    assert backbone_families()["graph"] is GraphAutoEncoder
    with pytest.raises(ValueError, match="'graph'"):
        aekit.OutlierDetector(model="lstm").fit(np.zeros((10, 3)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"model_params": {"hidden_units": 3}}, "'hidden_units'.*does not take"),
        ({"model_params": {"random_state": 1}}, "random_state on OutlierDetector"),
        ({"model_params": {"validation_data": np.zeros((2, 5))}}, "validation_frac"),
        ({"model_params": [("epochs", 1)]}, "model_params must be a dict"),
        ({"standardize": "yes"}, "standardize must be"),
        (
            {"constant_columns": "drop"},
            "constant_columns='drop' is not supported; choose one of: 'error', "
            "'ignore'",
        ),
        ({"constant_columns": None}, "constant_columns=None is not supported"),
        (
            {"model": "vae", "model_params": {"likelihood": "bernoulli"}},
            r"standardize=True .* needs data in \[0, 1\]",
        ),
        ({"model": "conv", "standardize": False}, "images shaped"),
    ],
)
def test_bad_parameters_rejected_at_fit(small, params, match):
    _, X = small
    kwargs = {"standardize": True, **params}
    with pytest.raises(ValueError, match=match):
        aekit.OutlierDetector(**kwargs).fit(X)


def _fit_error(X: np.ndarray) -> str:
    """The DataError message of fitting a default detector on ``X``."""
    with pytest.raises(aekit.DataError) as info:
        aekit.OutlierDetector(**QUICK).fit(X)
    return str(info.value)


def test_constant_columns_rejected_by_default(small):
    _, X = small
    one = X.copy()
    one[:, 2] = 3.5
    message = _fit_error(one)
    assert "X has 1 constant column of 5 (one value in all 80 training" in message
    assert ": column 2 (0-based)" in message
    assert "drop it, or pass constant_columns='ignore'" in message
    assert "\n" not in message  # one line, e.g. for the CLI
    # Also without standardisation, and for a constant column of exact zeros.
    one[:, 2] = 0.0
    with pytest.raises(aekit.DataError, match="column 2 "):
        aekit.OutlierDetector(standardize=False, **QUICK).fit(one)
    # Many: the first ten are named, and how many more there are.
    wide = np.random.default_rng(2).normal(size=(40, 30))
    wide[:, 3:18] = 1.0
    message = _fit_error(wide)
    assert "X has 15 constant columns of 30" in message
    assert "columns 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 and 5 more (0-based)" in message
    assert "drop them, or pass constant_columns='ignore'" in message
    # A column that varies by a relative 1e-9 is not constant.
    nearly = X.copy()
    nearly[:, 2] = 1e6 + 1e-3 * np.sign(X[:, 2])
    aekit.OutlierDetector(model_params={"epochs": 1}, **QUICK).fit(nearly)


def test_constant_columns_ignored_on_request(small, tmp_path):
    _, X = small
    one = X.copy()
    one[:, 2] = 3.5
    det = aekit.OutlierDetector(
        constant_columns="ignore", model_params={"epochs": 20}, **QUICK
    ).fit(one)
    assert det.mean_[2] == 3.5 and det.scale_[2] == 1.0
    assert np.all(np.isfinite(det.decision_scores_))
    scores = det.decision_function(one)
    assert np.all(np.isfinite(scores))
    # The centred column is reconstructed as ~0: it adds (next to) nothing.
    parts = det.explain(one)
    np.testing.assert_allclose(parts.sum(axis=1), scores, rtol=1e-6)
    others = np.delete(parts, 2, axis=1)
    assert parts[:, 2].mean() < 0.02 * others.mean()
    # The option is a parameter: saved and loaded with the detector.
    loaded = aekit.load(det.save(tmp_path / "ignore.safetensors"))
    assert loaded.constant_columns == "ignore"
    np.testing.assert_array_equal(loaded.decision_function(one), scores)
    assert clone(loaded).fit(one).constant_columns == "ignore"


def test_old_files_without_constant_columns_load_with_default(small, tmp_path):
    from aekit.io import read_tensor_file, write_tensor_file

    det, X = small
    path = det.save(tmp_path / "d.safetensors")
    tensors, header = read_tensor_file(path, "aekit-model")
    assert header["params"]["constant_columns"] == "error"
    del header["params"]["constant_columns"]
    old = tmp_path / "old.safetensors"
    write_tensor_file(old, tensors, header)
    loaded = aekit.load(old)
    assert loaded.constant_columns == "error"
    np.testing.assert_array_equal(loaded.decision_function(X), det.decision_function(X))


def test_nan_and_unfitted_rejected(small):
    _, X = small
    bad = X.copy()
    bad[0, 0] = np.inf
    with pytest.raises(aekit.DataError, match="infinity"):
        aekit.OutlierDetector().fit(bad)
    with pytest.raises(NotFittedError):
        aekit.OutlierDetector().decision_function(X)
    det, _ = small
    with pytest.raises(ValueError, match="method='softmax'"):
        det.predict_proba(X, method="softmax")


def test_scikit_learn_contract(small):
    det, X = small
    copy = clone(det)
    assert copy.get_params() == det.get_params() and not hasattr(copy, "backbone_")
    assert aekit.OutlierDetector().model_params is None
    assert det.fit_predict(X).shape == (len(X),)
    assert isinstance(det.backbone_, aekit.AutoEncoder)
    assert det.backbone_.code_size == 2 and det.backbone_.hidden_layer_sizes == (64,)


# ------------------------------------------------------------------- latent density
@pytest.fixture(scope="module")
def blobs():
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=3.0, size=(3, 8))
    X = centres[rng.integers(0, 3, 300)] + rng.normal(size=(300, 8))
    return X, X[:50] + rng.normal(size=(50, 8))


def test_latent_density_beats_reconstruction_on_thyroid(thyroid, dense):
    """ADBench thyroid: its anomalies are reconstructed nearly as well as normal
    samples, but their codes sit where training codes are rare."""
    X_train, X_test, _, y_test = thyroid
    latent = aekit.OutlierDetector(
        score="latent-density", model_params={"epochs": 20}, **QUICK
    ).fit(X_train)
    auc_recon = roc_auc_score(y_test, dense.decision_function(X_test))
    auc_latent = roc_auc_score(y_test, latent.decision_function(X_test))
    assert auc_latent > 0.93 and auc_latent > auc_recon + 0.03
    assert latent.labels_.mean() == pytest.approx(0.1, abs=0.01)
    with pytest.raises(ValueError, match="latent-density score is not a sum"):
        latent.explain(X_test)


def test_latent_density_round_trips_bit_exact(blobs, tmp_path):
    X, X_test = blobs
    det = aekit.OutlierDetector(
        model="vae", score="latent-density", model_params={"epochs": 3}, **QUICK
    ).fit(X)
    loaded = aekit.load(det.save(tmp_path / "latent.safetensors"))
    np.testing.assert_array_equal(
        loaded.decision_function(X_test), det.decision_function(X_test)
    )
    np.testing.assert_array_equal(loaded.decision_scores_, det.decision_scores_)


def test_latent_density_rejects_bad_settings(small):
    _, X = small
    with pytest.raises(ValueError, match=r"score=.density. is not supported"):
        aekit.OutlierDetector(score="density").fit(X)
    with pytest.raises(ValueError, match="n_components"):
        aekit.OutlierDetector(score="latent-density", n_components=0).fit(X)
    with pytest.raises(aekit.DataError, match="at least 8 training samples"):
        aekit.OutlierDetector(score="latent-density", **QUICK).fit(X[:5])


# ------------------------------------------------------------------- save/load
def test_save_load_round_trip_bit_exact(thyroid, dense, tmp_path):
    _, X_test, *_ = thyroid
    loaded = aekit.load(dense.save(tmp_path / "detector.safetensors"))
    assert type(loaded) is aekit.OutlierDetector
    assert loaded.get_params() == dense.get_params()
    for name in ("decision_scores_", "labels_", "mean_", "scale_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(dense, name))
    assert loaded.threshold_ == dense.threshold_
    np.testing.assert_array_equal(
        loaded.decision_function(X_test), dense.decision_function(X_test)
    )
    np.testing.assert_array_equal(loaded.explain(X_test), dense.explain(X_test))
    np.testing.assert_array_equal(loaded.predict(X_test), dense.predict(X_test))


def test_detector_is_loadable_but_not_an_autoencoder_entry(small, tmp_path):
    det, _ = small
    assert "OutlierDetector" in COMPOSITES and "OutlierDetector" not in ESTIMATORS
    path = det.save(tmp_path / "d.safetensors")
    raw = path.read_bytes()
    path.write_bytes(raw[:-10])
    with pytest.raises(aekit.ModelFileError, match=r"d\.safetensors"):
        aekit.load(path)


# ------------------------------------------------------------------- images
IMAGE_BACKBONES = {
    "conv": ("conv", {"filters": (8, 8)}),
    "vae-conv-gaussian": ("vae", {"encoder": "conv", "filters": (8, 16)}),
    "vae-dense-bernoulli": ("vae", {"likelihood": "bernoulli"}),
}


@pytest.mark.parametrize("case", list(IMAGE_BACKBONES))
def test_image_backbones_detect_novel_digits(case, tmp_path):
    """Trained on zeros only, the detector scores the other digits higher."""
    model, params = IMAGE_BACKBONES[case]
    X, y = aekit.datasets.load("digits")
    X_test, y_test = aekit.datasets.load("digits", split="test")
    params = {**params, "epochs": 30, "batch_size": 32}
    if model == "vae":
        params["latent_dim"] = 4
    det = aekit.OutlierDetector(model=model, model_params=params, **QUICK)
    # Blank corners are constant pixels: images are not checked for them.
    assert len(constant_columns(X[y == 0].reshape(int((y == 0).sum()), -1))) > 0
    det.fit(X[y == 0])
    assert not det.standardize_ and det.mean_ is None  # images stay as they are
    scores = det.decision_function(X_test)
    assert roc_auc_score(y_test != 0, scores) > 0.85  # 0.9-1.0 measured
    assert det.explain(X_test[:5]).shape == (5, 64)
    loaded = aekit.load(det.save(tmp_path / "images.safetensors"))
    np.testing.assert_array_equal(loaded.decision_function(X_test), scores)


# ------------------------------------------------------------------- plots
def test_score_histogram(thyroid, dense):
    _, X_test, _, y_test = thyroid
    fig = score_histogram(dense, X_test, y_test)
    assert isinstance(fig, Figure) and len(fig.axes) == 1
    ax = fig.axes[0]
    assert list(ax.lines[0].get_xdata()) == [dense.threshold_] * 2
    inliers, outliers = (sum(p.get_height() for p in c) for c in ax.containers)
    assert (inliers, outliers) == ((y_test == 0).sum(), (y_test == 1).sum())
    plain = score_histogram(dense, X_test, bins=20)
    assert len(plain.axes[0].containers) == 1
    assert sum(p.get_height() for p in plain.axes[0].containers[0]) == len(X_test)
    fig.savefig(io.BytesIO(), format="png")
    with pytest.raises(aekit.DataError, match="one label per sample"):
        score_histogram(dense, X_test, y_test[:-1])


def test_roc_pr_curves(thyroid, dense):
    _, X_test, _, y_test = thyroid
    fig = roc_pr_curves(dense, X_test, y_test)
    assert isinstance(fig, Figure) and len(fig.axes) == 2
    scores = dense.decision_function(X_test)
    roc_text = fig.axes[0].get_legend().get_texts()[0].get_text()
    pr_text = fig.axes[1].get_legend().get_texts()[0].get_text()
    assert f"{roc_auc_score(y_test, scores):.3f}" in roc_text
    assert f"{average_precision_score(y_test, scores):.3f}" in pr_text
    fig.savefig(io.BytesIO(), format="png")
    with pytest.raises(aekit.DataError, match="both inliers"):
        roc_pr_curves(dense, X_test, np.zeros(len(X_test), dtype=int))
    with pytest.raises(aekit.DataError, match="0 \\(inlier\\) and 1"):
        roc_pr_curves(dense, X_test, np.full(len(X_test), 2))


# ------------------------------------------------------------------- ensembles
@pytest.fixture(scope="module")
def noisy_low_rank():
    """Six features on a 2-D subspace plus four independent noise features.

    The anomalies leave the subspace by a little in the modelled features; the
    noise features, which no autoencoder can predict, dominate a plain squared
    error and hide them.
    """
    rng = np.random.default_rng(3)

    def inliers(n):
        signal = rng.normal(size=(n, 2)) @ basis
        return np.column_stack(
            [signal + 0.05 * rng.normal(size=(n, 6)), rng.normal(size=(n, 4))]
        )

    basis = rng.normal(size=(2, 6))
    X_train = inliers(600)
    normal, anomalies = inliers(200), inliers(40)
    anomalies[:, :6] += 0.6 * rng.choice([-1.0, 1.0], size=(40, 6))
    X_test = np.vstack([normal, anomalies])
    y_test = np.r_[np.zeros(200), np.ones(40)]
    return X_train, X_test, y_test


def test_normalized_errors_find_anomalies_hidden_by_noisy_features(noisy_low_rank):
    X_train, X_test, y_test = noisy_low_rank
    params = {"model_params": {"epochs": 30, "code_size": 2}, **QUICK}
    plain = aekit.OutlierDetector(**params).fit(X_train)
    normed = aekit.OutlierDetector(normalize_errors=True, **params).fit(X_train)
    auc_plain = roc_auc_score(y_test, plain.decision_function(X_test))
    auc_normed = roc_auc_score(y_test, normed.decision_function(X_test))
    assert auc_normed > 0.95 and auc_normed > auc_plain + 0.1
    # The score is the mean squared standardised residual, split by explain().
    scales = normed.error_scales_[0]
    assert scales.shape == (10,) and scales[6:].min() > 10 * scales[:6].max()
    Z = ((X_test - normed.mean_) / normed.scale_).astype(np.float32)
    squared = (normed.backbone_.reconstruct(Z).astype(np.float64) - Z) ** 2
    np.testing.assert_allclose(
        normed.decision_function(X_test), (squared / scales).mean(axis=1), rtol=1e-6
    )
    parts = normed.explain(X_test)
    np.testing.assert_allclose(
        parts.sum(axis=1), normed.decision_function(X_test), rtol=1e-6
    )


def test_ensemble_averages_standardized_member_scores(noisy_low_rank):
    X_train, X_test, y_test = noisy_low_rank
    det = aekit.OutlierDetector(
        n_estimators=4,
        max_samples=0.5,
        normalize_errors=True,
        model_params={"epochs": 30, "code_size": 2},
        **QUICK,
    ).fit(X_train)
    assert len(det.backbones_) == 4 and det.backbone_ is det.backbones_[0]
    seeds = {b.random_state for b in det.backbones_}
    assert len(seeds) == 4  # each member its own seed
    members = []
    for i in range(4):
        Z = ((X_test - det.mean_) / det.scale_).astype(np.float32)
        squared = (det.backbones_[i].reconstruct(Z).astype(np.float64) - Z) ** 2
        members.append((squared / det.error_scales_[i]).mean(axis=1))
    z = [
        (s - c) / w
        for s, c, w in zip(members, det.member_center_, det.member_scale_, strict=True)
    ]
    scores = det.decision_function(X_test)
    np.testing.assert_allclose(scores, np.mean(z, axis=0), rtol=1e-5, atol=1e-8)
    assert roc_auc_score(y_test, scores) > 0.95
    # Training scores are standardised: their median is near 0.
    assert abs(np.median(det.decision_scores_)) < 0.5
    np.testing.assert_allclose(det.explain(X_test).sum(axis=1), scores, rtol=1e-6)
    # Reproducible from random_state.
    again = clone(det).fit(X_train)
    np.testing.assert_array_equal(again.decision_function(X_test), scores)


def test_one_member_on_all_rows_is_the_single_detector(small):
    det, X = small
    same = aekit.OutlierDetector(
        n_estimators=1, max_samples=1.0, model_params={"epochs": 1}, **QUICK
    ).fit(X)
    np.testing.assert_array_equal(same.decision_scores_, det.decision_scores_)
    assert det.backbone_.random_state == 0
    np.testing.assert_array_equal(det.member_center_, [0.0])
    np.testing.assert_array_equal(det.member_scale_, [1.0])
    # A subsample (a count here) trains the one network on fewer rows.
    sub = aekit.OutlierDetector(
        max_samples=40, model_params={"epochs": 1}, **QUICK
    ).fit(X)
    assert sub.decision_scores_.shape == (80,)
    assert not np.array_equal(sub.decision_scores_, det.decision_scores_)


# ------------------------------------------------------------------- quantile
def test_quantile_standardization_ignores_monotone_feature_maps(low_rank):
    """Rank-based scaling: a strictly increasing map of a feature (here exp and
    a cube) leaves the transformed data, and so the detector, (nearly) alone."""
    X = low_rank[:400]
    warped = X.copy()
    warped[:, 0] = np.exp(X[:, 0])
    warped[:, 1] = X[:, 1] ** 3
    params = {"standardize": "quantile", "model_params": {"epochs": 3}, **QUICK}
    a = aekit.OutlierDetector(**params).fit(X)
    b = aekit.OutlierDetector(**params).fit(warped)
    assert a.quantiles_.shape == (400, 10)
    Za, Zb = a._scale(X), b._scale(warped)
    np.testing.assert_allclose(Za, Zb, rtol=1e-5, atol=1e-5)  # ranks only
    # Training data come out standard normal, feature by feature.
    np.testing.assert_allclose(Za.mean(axis=0), 0.0, atol=0.02)
    np.testing.assert_allclose(Za.std(axis=0), 1.0, atol=0.05)
    assert np.corrcoef(a.decision_scores_, b.decision_scores_)[0, 1] > 0.99


def test_quantile_standardization_extrapolates_beyond_training_range(low_rank):
    X = low_rank[:300]
    det = aekit.OutlierDetector(
        standardize="quantile", model_params={"epochs": 3}, **QUICK
    ).fit(X)
    probe = np.repeat(X[:1], 5, axis=0)
    top = X[:, 0].max()
    probe[:, 0] = top + det.scale_[0] * np.array([0.0, 1.0, 2.0, 5.0, 50.0])
    z = det._scale(probe)[:, 0].astype(np.float64)
    assert np.all(np.diff(z) > 0)  # strictly increasing, not clipped
    np.testing.assert_allclose(np.diff(z), [1.0, 1.0, 3.0, 45.0], rtol=1e-4)
    # Far out in that feature: far out in score.
    scores = det.decision_function(probe)
    assert scores[-1] > 10 * scores[0]


# ------------------------------------------------------------------- new options
@pytest.mark.parametrize(
    "params",
    [
        {"n_estimators": 3, "max_samples": 0.6, "normalize_errors": True},
        {"n_estimators": 2, "standardize": "quantile"},
        {"n_estimators": 2, "score": "latent-density", "n_components": 2},
        {"model": "vae", "n_estimators": 2, "normalize_errors": True},
        {"n_estimators": 3, "feature_bagging": True, "normalize_errors": True},
        {"feature_bagging": True, "max_samples": 0.7},
        {"n_estimators": 2, "score": "trimmed-density", "trim_fraction": 0.1},
        {
            "n_estimators": 2,
            "score": "trimmed-density",
            "n_components": 1,
            "normalize_errors": True,
            "feature_bagging": True,
        },
    ],
)
def test_new_options_round_trip_bit_exact(blobs, tmp_path, params):
    X, X_test = blobs
    det = aekit.OutlierDetector(model_params={"epochs": 2}, **params, **QUICK).fit(X)
    loaded = aekit.load(det.save(tmp_path / "ensemble.safetensors"))
    assert loaded.get_params() == det.get_params()
    assert len(loaded.backbones_) == len(det.backbones_)
    np.testing.assert_array_equal(loaded.decision_scores_, det.decision_scores_)
    np.testing.assert_array_equal(
        loaded.decision_function(X_test), det.decision_function(X_test)
    )
    np.testing.assert_array_equal(loaded.predict(X_test), det.predict(X_test))
    if params.get("score", "reconstruction") == "reconstruction":
        np.testing.assert_array_equal(loaded.explain(X_test), det.explain(X_test))
    for name in ("member_center_", "member_scale_"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(det, name))
    if det.features_ is not None:
        for a, b in zip(loaded.features_, det.features_, strict=True):
            np.testing.assert_array_equal(a, b)


def test_old_files_without_the_ensemble_options_load_with_defaults(small, tmp_path):
    from aekit.io import read_tensor_file, write_tensor_file

    det, X = small
    tensors, header = read_tensor_file(
        det.save(tmp_path / "d.safetensors"), "aekit-model"
    )
    for name in (
        "n_estimators",
        "max_samples",
        "normalize_errors",
        "feature_bagging",
        "trim_fraction",
    ):
        del header["params"][name]
    del header["state"]["more_members"]
    write_tensor_file(tmp_path / "old.safetensors", tensors, header)
    loaded = aekit.load(tmp_path / "old.safetensors")
    assert (loaded.n_estimators, loaded.max_samples) == (1, 1.0)
    assert (loaded.feature_bagging, loaded.trim_fraction) == (False, 0.0)
    assert loaded.features_ is None
    np.testing.assert_array_equal(loaded.decision_function(X), det.decision_function(X))


def test_file_whose_members_disagree_with_n_estimators_rejected(blobs, tmp_path):
    from aekit.io import read_tensor_file, write_tensor_file

    X, _ = blobs
    det = aekit.OutlierDetector(
        n_estimators=2, model_params={"epochs": 1}, **QUICK
    ).fit(X)
    tensors, header = read_tensor_file(
        det.save(tmp_path / "d.safetensors"), "aekit-model"
    )
    header["params"]["n_estimators"] = 3
    write_tensor_file(tmp_path / "bad.safetensors", tensors, header)
    with pytest.raises(aekit.ModelFileError, match="2 autoencoders, but n_estim"):
        aekit.load(tmp_path / "bad.safetensors")


@pytest.mark.parametrize(
    "row, match",
    [
        ([0.0] * 8, "feature_mask' must hold 0 and 1"),
        ([0.5] + [1.0] * 7, "feature_mask' must hold 0 and 1"),
        ([1.0] * 8, r"gives member 1 8 features, but its autoencoder takes [4-7]"),
    ],
)
def test_file_with_a_bad_feature_mask_rejected(blobs, tmp_path, row, match):
    import torch

    from aekit.io import read_tensor_file, write_tensor_file

    X, _ = blobs
    det = aekit.OutlierDetector(
        n_estimators=2, feature_bagging=True, model_params={"epochs": 1}, **QUICK
    ).fit(X)
    tensors, header = read_tensor_file(
        det.save(tmp_path / "d.safetensors"), "aekit-model"
    )
    mask = tensors["detector.feature_mask"].clone()
    mask[1] = torch.tensor(row, dtype=torch.float64)
    tensors["detector.feature_mask"] = mask
    write_tensor_file(tmp_path / "bad.safetensors", tensors, header)
    with pytest.raises(aekit.ModelFileError, match=match):
        aekit.load(tmp_path / "bad.safetensors")


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_estimators": 0}, "n_estimators"),
        ({"n_estimators": 2.5}, "n_estimators"),
        ({"max_samples": 0.0}, r"max_samples must be a fraction .* in \(0, 1\]"),
        ({"max_samples": 1.5}, "max_samples must be"),
        ({"max_samples": 1}, "a number of samples >= 2, got 1"),
        ({"max_samples": True}, "max_samples must be"),
        ({"max_samples": "half"}, "max_samples must be"),
        ({"normalize_errors": "yes"}, "normalize_errors must be True or False"),
        ({"feature_bagging": 1}, "feature_bagging must be True or False"),
        ({"trim_fraction": 0.5}, r"trim_fraction must be .* in \[0, 0.5\), got 0.5"),
        ({"trim_fraction": -0.1}, "trim_fraction must be"),
        ({"trim_fraction": True}, "trim_fraction must be"),
        ({"score": "trimmed"}, "score='trimmed' is not supported"),
        ({"standardize": "rank"}, "standardize must be 'auto', 'quantile'"),
        (
            {
                "model": "vae",
                "standardize": "quantile",
                "model_params": {"likelihood": "bernoulli"},
            },
            r"standardize='quantile' gives features outside \[0, 1\]",
        ),
    ],
)
def test_bad_ensemble_parameters_rejected_at_fit(small, params, match):
    _, X = small
    with pytest.raises(ValueError, match=match):
        aekit.OutlierDetector(**params).fit(X)


# ------------------------------------------------- trimmed density, bagging, refit
def test_trimmed_mixture_is_not_pulled_by_outliers():
    """Concentration steps (Neykov et al. 2007): 10 % far-away rows widen and
    move a plain Gaussian fit, not the trimmed one."""
    from aekit.estimators.outlier import fit_mixture, mixture_scores

    rng = np.random.default_rng(0)
    inliers = rng.normal(size=(900, 2))
    F = np.vstack([inliers, rng.normal(loc=8.0, size=(100, 2))])
    plain = fit_mixture(F, 1, 0)
    trimmed = fit_mixture(F, 1, 0, concentration_steps=5)

    def centre(d):  # the component's mean in the units of F
        return d["means"][0] * d["scale"] + d["mean"]

    assert np.abs(centre(trimmed)).max() < 0.2 < 0.6 < np.abs(centre(plain)).min()
    probe = np.array([[4.0, 4.0]])  # between the inliers and the outliers
    gap_plain = mixture_scores(plain, probe) - mixture_scores(plain, inliers).mean()
    gap_trim = mixture_scores(trimmed, probe) - mixture_scores(trimmed, inliers).mean()
    assert gap_trim[0] > 2 * gap_plain[0]


def test_feature_bagging_gives_each_member_its_own_features(low_rank):
    det = aekit.OutlierDetector(
        n_estimators=4,
        max_samples=0.5,
        feature_bagging=True,
        normalize_errors=True,
        model_params={"epochs": 2},
        **QUICK,
    ).fit(low_rank)
    sizes = [len(f) for f in det.features_]
    assert all(5 <= k <= 9 for k in sizes)  # d // 2 .. d - 1 of 10
    assert len({tuple(f) for f in det.features_}) == 4
    for features, member, scales in zip(
        det.features_, det.backbones_, det.error_scales_, strict=True
    ):
        assert np.all(np.diff(features) > 0)
        assert member.n_features_in_ == len(features) == len(scales)
        # The network is sized for its own features: code = max(2, k // 4).
        assert member.code_size == max(2, len(features) // 4)
    # Each member saw the same rows as without feature bagging.
    plain = clone(det).set_params(feature_bagging=False, model_params={"epochs": 1})
    plain.fit(low_rank)
    assert [b.random_state for b in plain.backbones_] == [
        b.random_state for b in det.backbones_
    ]
    # explain() puts nothing on a feature no member saw, and sums to the score.
    X = low_rank[:20]
    parts = det.explain(X)
    np.testing.assert_allclose(parts.sum(axis=1), det.decision_function(X), rtol=1e-6)
    unseen = np.setdiff1d(np.arange(10), np.concatenate(det.features_))
    assert np.all(parts[:, unseen] == 0.0)


def test_feature_bagging_needs_tabular_data_with_two_features(small):
    _, X = small
    with pytest.raises(aekit.DataError, match="at least 2 features"):
        aekit.OutlierDetector(feature_bagging=True, **QUICK).fit(X[:, :1])
    images = np.random.default_rng(0).random((20, 1, 8, 8)).astype(np.float32)
    with pytest.raises(aekit.DataError, match=r"feature_bagging=True needs tabular"):
        aekit.OutlierDetector(model="conv", feature_bagging=True, **QUICK).fit(images)


def test_trimmed_refit_retrains_on_the_best_scored_rows(low_rank):
    """One member, reconstruction score: the final network is the one trained,
    with the same seed, on the rows the first fit scores best."""
    X = low_rank[:300]
    params = {"model_params": {"epochs": 3}, "normalize_errors": True, **QUICK}
    once = aekit.OutlierDetector(**params).fit(X)
    det = aekit.OutlierDetector(trim_fraction=0.2, **params).fit(X)
    Z = once._scale(X)
    first = once.decision_scores_  # the first fit's own training scores
    keep = first <= np.quantile(first, 0.8)
    assert keep.sum() == 240
    by_hand = clone(once.backbone_).fit(Z[keep])
    np.testing.assert_array_equal(det.backbone_.reconstruct(Z), by_hand.reconstruct(Z))
    # Its error scales come from the kept rows.
    squared = (by_hand.reconstruct(Z[keep]).astype(np.float64) - Z[keep]) ** 2
    from aekit.estimators.outlier import _error_scales

    np.testing.assert_array_equal(det.error_scales_[0], _error_scales(squared))


def test_benchmark_ensemble_beats_isolation_forest_on_cardio(data_dir, monkeypatch):
    """The setting of ``benchmarks/anomaly.py``'s ``aekit-ensemble`` on one
    ADBench split: above the previous ensemble (latent density, all features,
    one fit) and Isolation Forest on cardio, where the previous one lost
    (0.87 vs 0.92 on this split; 0.94 measured for this one)."""
    from aekit.experiments.adbench import ENSEMBLE, load_dataset, split

    monkeypatch.setenv("AEKIT_DATA_DIR", str(data_dir))
    X, y = load_dataset("cardio")
    X_train, X_test, _, y_test = split(X, y, 0)
    det = aekit.OutlierDetector(**ENSEMBLE, random_state=0).fit(X_train)
    auc = roc_auc_score(y_test, det.decision_function(X_test))
    previous = aekit.OutlierDetector(
        **{
            **ENSEMBLE,
            "score": "latent-density",
            "feature_bagging": False,
            "trim_fraction": 0.0,
        },
        random_state=0,
    ).fit(X_train)
    auc_previous = roc_auc_score(y_test, previous.decision_function(X_test))
    forest = IsolationForest(random_state=0).fit(X_train)
    auc_forest = roc_auc_score(y_test, -forest.score_samples(X_test))
    assert auc > auc_forest > auc_previous
    assert auc > auc_previous + 0.04
