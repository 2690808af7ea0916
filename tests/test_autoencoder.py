"""Behaviour of aekit.AutoEncoder beyond the shared conformance suite."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.utils.estimator_checks import parametrize_with_checks

import aekit


@pytest.fixture(scope="module")
def digits_split():
    X, y = aekit.datasets.load("digits")
    rng = np.random.default_rng(1)
    order = rng.permutation(len(X))
    tr, te = order[:1400], order[1400:]
    return X[tr], y[tr], X[te], y[te]


# Fast, MSE/linear estimators: sklearn's checks feed negative and tiny data.
# Skipped checks, with reasons: none of aekit's. scikit-learn itself skips its
# array-API check unless SCIPY_ARRAY_API=1 is set (aekit converts to numpy anyway).
@parametrize_with_checks(
    [
        aekit.AutoEncoder(
            epochs=3, batch_size=16, code_size=2, random_state=0, device="cpu"
        )
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_nonlinear_code_beats_pca_on_held_out(digits_split):
    X_train, _, X_test, _ = digits_split
    ae = aekit.AutoEncoder(
        hidden_layer_sizes=(128,),
        code_size=4,
        output_activation="sigmoid",
        loss="bce",
        epochs=150,
        batch_size=64,
        random_state=0,
        device="cpu",
    ).fit(X_train)
    flat_tr = X_train.reshape(len(X_train), -1)
    flat_te = X_test.reshape(len(X_test), -1)
    pca = PCA(n_components=4).fit(flat_tr)
    pca_err = np.mean((pca.inverse_transform(pca.transform(flat_te)) - flat_te) ** 2)
    ae_err = np.mean((ae.reconstruct(X_test) - X_test) ** 2)
    assert ae_err < 0.9 * pca_err


def test_fit_is_reproducible_and_seed_matters(digits_split):
    X_train, _, X_test, _ = digits_split
    params = {"code_size": 8, "epochs": 3, "random_state": 7, "device": "cpu"}
    a = aekit.AutoEncoder(**params).fit(X_train).transform(X_test)
    b = aekit.AutoEncoder(**params).fit(X_train).transform(X_test)
    c = (
        aekit.AutoEncoder(**{**params, "random_state": 8})
        .fit(X_train)
        .transform(X_test)
    )
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_fit_leaves_global_torch_rng_alone(digits_split):
    import torch

    X_train = digits_split[0]
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    aekit.AutoEncoder(epochs=1, random_state=0, device="cpu").fit(X_train)
    np.testing.assert_array_equal(torch.rand(3).numpy(), expected.numpy())


def test_pipeline_gridsearch_and_clone(digits_split):
    X_train, y_train, X_test, y_test = digits_split
    pipe = make_pipeline(
        aekit.AutoEncoder(
            code_size=16, epochs=40, batch_size=64, random_state=0, device="cpu"
        ),
        LogisticRegression(max_iter=500),
    )
    flat = X_train.reshape(len(X_train), -1)
    pipe.fit(flat, y_train)
    assert pipe.score(X_test.reshape(len(X_test), -1), y_test) > 0.8
    search = GridSearchCV(
        aekit.AutoEncoder(epochs=30, batch_size=64, random_state=0, device="cpu"),
        {"code_size": [2, 16]},
        cv=2,
    ).fit(flat)
    assert search.best_params_ == {"code_size": 16}  # a wider code reconstructs better
    twin = clone(pipe.steps[0][1])
    assert twin.get_params() == pipe.steps[0][1].get_params()
    assert not hasattr(twin, "module_")


def test_validation_and_history(digits_split):
    X_train, _, X_test, _ = digits_split
    ae = aekit.AutoEncoder(
        epochs=4, validation_fraction=0.25, random_state=0, device="cpu"
    ).fit(X_train)
    assert set(ae.history_) >= {"loss", "val_loss", "epoch_time"}
    assert len(ae.history_["val_loss"]) == 4
    ae2 = aekit.AutoEncoder(
        epochs=2, validation_data=X_test, random_state=0, device="cpu"
    ).fit(X_train)
    assert len(ae2.history_["val_loss"]) == 2


def test_early_stopping_stops_and_restores_best(digits_split):
    X_train = digits_split[0]
    # Validating on noise: what the model learns about digits stops helping there,
    # so val_loss stalls long before 200 epochs.
    noise = np.random.default_rng(0).random((200, 8, 8)).astype(np.float32)
    ae = aekit.AutoEncoder(
        epochs=200,
        early_stopping=True,
        patience=3,
        validation_data=noise,
        random_state=0,
        device="cpu",
    ).fit(X_train)
    assert ae.n_iter_ < 200
    best = min(ae.history_["val_loss"])
    assert ae.history_["val_loss"][-1] > best
    assert ae.score(noise) == pytest.approx(-best, rel=1e-5)


def test_inverse_transform_shape_and_checks(digits_split):
    X_train = digits_split[0]
    ae = aekit.AutoEncoder(code_size=5, epochs=1, random_state=0, device="cpu")
    ae.fit(X_train)
    assert ae.inverse_transform(np.zeros((3, 5))).shape == (3, 8, 8)
    with pytest.raises(aekit.DataError, match=r"shape \(n_samples, 5\)"):
        ae.inverse_transform(np.zeros((3, 4)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"loss": "bce"}, "needs output_activation='sigmoid'"),
        ({"loss": "huber"}, "loss='huber' is not supported"),
        ({"code_size": 0}, "code_size must be >= 1"),
        ({"hidden_layer_sizes": (10, -1)}, "hidden_layer_sizes"),
        ({"activation": "swishy"}, "activation='swishy'"),
        ({"epochs": 1.5}, "epochs must be an integer"),
        ({"learning_rate": -1.0}, "learning_rate"),
        ({"validation_fraction": 1.0}, "validation_fraction"),
        ({"optimizer": "lbfgs"}, "optimizer='lbfgs'"),
        ({"device": "tpu"}, "device"),
    ],
)
def test_invalid_params_rejected_at_fit(digits_split, params, match):
    with pytest.raises(ValueError, match=match):
        aekit.AutoEncoder(**params).fit(digits_split[0])


def test_bce_rejects_data_outside_unit_interval(digits_split):
    X = digits_split[0] * 2.0 - 0.5
    ae = aekit.AutoEncoder(loss="bce", output_activation="sigmoid", device="cpu")
    with pytest.raises(aekit.DataError, match=r"needs X in \[0, 1\].*-0\.5"):
        ae.fit(X)


@pytest.mark.parametrize("bad", ["nan", "inf", "empty"])
def test_bad_training_data_rejected(bad):
    X = np.random.default_rng(0).random((20, 5)).astype(np.float32)
    if bad == "nan":
        X[3, 1] = np.nan
    elif bad == "inf":
        X[3, 1] = -np.inf
    else:
        X = X[:0]
    with pytest.raises(aekit.DataError):
        aekit.AutoEncoder(epochs=1).fit(X)


def test_presets_are_listed_and_overridable():
    assert {"vanilla-mnist", "deep-mnist", "hinton-30d"} <= set(
        aekit.AutoEncoder.presets.names()
    )
    ae = aekit.AutoEncoder.from_preset("hinton-30d", epochs=1)
    assert ae.hidden_layer_sizes == (1000, 500, 250) and ae.code_size == 30
    assert ae.epochs == 1
    with pytest.raises(aekit.RegistryError, match="unknown AutoEncoder preset"):
        aekit.AutoEncoder.from_preset("nope")
