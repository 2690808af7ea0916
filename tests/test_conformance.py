"""One conformance suite over every registered model and every preset.

Each case builds an estimator, trains it briefly on the bundled digits data and
checks the behaviour every aekit autoencoder must have. A model registered in
``aekit.models`` without an estimator case here fails ``test_every_model_covered``.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

import aekit
from aekit.io import ESTIMATORS

#: Regularised configurations of AutoEncoder: each alone, and combined.
REGULARIZED = {
    "l1": {"sparsity": "l1", "sparsity_weight": 1e-3},
    "kl": {"sparsity": "kl", "sparsity_target": 0.2, "code_activation": "sigmoid"},
    "gaussian": {"corruption": "gaussian", "noise_level": 0.3, "noise_clip": True},
    "masking": {"corruption": "masking", "noise_level": 0.3},
    "salt-pepper-fixed": {
        "corruption": "salt_pepper",
        "noise_level": 0.1,
        "noise_fixed": True,
    },
    "contractive-closed": {"contractive": 0.1, "code_activation": "sigmoid"},
    "contractive-exact": {
        "contractive": 0.1,
        "hidden_layer_sizes": (16,),
        "code_size": 4,
    },
    "contractive-hutchinson": {
        "contractive": 0.1,
        "contractive_method": "hutchinson",
        "hidden_layer_sizes": (16,),
        "code_size": 4,
    },
    "greedy": {
        "pretrain": "greedy",
        "pretrain_epochs": 2,
        "hidden_layer_sizes": (32, 16),
        "code_size": 8,
    },
    "stacked-denoising-fixed": {
        "pretrain": "greedy",
        "pretrain_epochs": 2,
        "hidden_layer_sizes": (32,),
        "code_size": 8,
        "corruption": "gaussian",
        "noise_level": 0.3,
        "noise_mean": 0.1,
        "noise_clip": True,
        "noise_fixed": True,
    },
    "l1-contractive-salt-pepper": {
        "sparsity": "l1",
        "sparsity_weight": 1e-3,
        "corruption": "salt_pepper",
        "noise_level": 0.1,
        "contractive": 0.05,
        "contractive_method": "hutchinson",
        "contractive_samples": 2,
        "hidden_layer_sizes": (16,),
        "code_size": 8,
    },
    "all-combined": {
        "sparsity": "kl",
        "code_activation": "sigmoid",
        "corruption": "masking",
        "noise_level": 0.2,
        "contractive": 0.05,
        "pretrain": "greedy",
        "pretrain_epochs": 1,
        "hidden_layer_sizes": (16,),
        "code_size": 8,
    },
}


#: VariationalAutoEncoder: both encoders, both likelihoods, every objective option.
VARIATIONAL = {
    "conv-gaussian-learned": {
        "encoder": "conv",
        "filters": (8, 16),
        "likelihood": "gaussian",
        "latent_dim": 4,
    },
    "dense-gaussian-fixed": {"likelihood": "gaussian", "decoder_variance": 0.05},
    "iwae": {"objective": "iwae", "k": 3, "latent_dim": 4},
    "beta-warmup-free-bits": {"beta": 2.0, "kl_warmup_epochs": 5, "free_bits": 0.05},
    "conv-binarized": {
        "encoder": "conv",
        "filters": (8,),
        "dynamic_binarization": True,
    },
}


#: SequenceAutoEncoder on digits read as 8 steps of 8 features: both decoders,
#: every merge mode, bottleneck, stacking, padding mask and the regularisers (the
#: exact contractive penalty, slow through an LSTM, is in test_sequence.py).
SEQUENCE = {
    "teacher-forcing": {
        "decoder": "teacher_forcing",
        "bidirectional": False,
        "encoder_units": 32,
    },
    "concat-code-2-layers": {
        "merge_mode": "concat",
        "code_size": 16,
        "num_layers": 2,
        "encoder_units": 32,
    },
    "mean-no-projection-masked": {
        "merge_mode": "mean",
        "output_projection": False,
        "mask_padding": True,
        "encoder_units": 32,
    },
    "l1-masking-hutchinson": {
        "sparsity": "l1",
        "sparsity_weight": 1e-3,
        "corruption": "masking",
        "noise_level": 0.2,
        "contractive": 0.01,
        "contractive_method": "hutchinson",
        "code_size": 8,
        "encoder_units": 32,
    },
    "gaussian-fixed": {
        "corruption": "gaussian",
        "noise_level": 0.1,
        "noise_fixed": True,
        "bidirectional": False,
        "encoder_units": 32,
    },
}


def _cases() -> list[tuple[str, type, dict]]:
    # AEKIT_TEST_DEVICE=cuda runs the whole suite on a GPU (see test_cuda.py).
    device = os.environ.get("AEKIT_TEST_DEVICE", "cpu")
    quick = {"epochs": 15, "batch_size": 32, "random_state": 0, "device": device}
    cases = [
        (f"AutoEncoder-{name}", aekit.AutoEncoder, {**params, **quick})
        for name, params in REGULARIZED.items()
    ]
    cases += [
        (f"VariationalAutoEncoder-{name}", aekit.VariationalAutoEncoder, {**p, **quick})
        for name, p in VARIATIONAL.items()
    ]
    cases += [
        (f"SequenceAutoEncoder-{name}", aekit.SequenceAutoEncoder, {**p, **quick})
        for name, p in SEQUENCE.items()
    ]
    for cls_name in ESTIMATORS.names():
        cls = ESTIMATORS.get(cls_name)
        cases.append((f"{cls_name}-default", cls, dict(quick)))
        for preset in cls.presets.names():
            params = {**cls.presets.get(preset), **quick}
            cases.append((f"{cls_name}-{preset}", cls, params))
    return cases


CASES = _cases()
IDS = [c[0] for c in CASES]


@pytest.fixture(scope="module")
def digits() -> tuple[np.ndarray, np.ndarray]:
    X, _ = aekit.datasets.load("digits")
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    return X[order[:1400]], X[order[1400:]]


@pytest.fixture(scope="module")
def fitted(digits):
    X_train, _ = digits
    return {name: cls(**params).fit(X_train) for name, cls, params in CASES}


def test_every_model_covered():
    covered = {ESTIMATORS.get(n)._model_name for n in ESTIMATORS.names()}
    assert covered == set(aekit.models.list())


@pytest.mark.parametrize("name", IDS)
def test_loss_falls_and_history(fitted, name):
    est = fitted[name]
    loss = est.history_["loss"]
    assert len(loss) == est.n_iter_ == est.epochs
    assert np.all(np.isfinite(loss))
    assert loss[-1] < loss[0]


@pytest.mark.parametrize("name", IDS)
def test_beats_mean_prediction_on_held_out(fitted, digits, name):
    X_train, X_test = digits
    est = fitted[name]
    recon = est.reconstruct(X_test)
    mse_model = np.mean((recon - X_test) ** 2)
    mse_mean = np.mean((X_train.mean(axis=0) - X_test) ** 2)
    assert mse_model < mse_mean


@pytest.mark.parametrize("name", IDS)
def test_shapes(fitted, digits, name):
    _, X_test = digits
    est = fitted[name]
    codes = est.transform(X_test)
    code_size = est.module_.code_dim
    assert codes.shape == (len(X_test), code_size) and codes.dtype == np.float32
    assert est.inverse_transform(codes).shape == X_test.shape
    assert est.reconstruct(X_test).shape == X_test.shape
    flat = X_test.reshape(len(X_test), -1)
    assert est.reconstruct(flat).shape == flat.shape
    assert est.score_samples(X_test).shape == (len(X_test),)
    assert est.get_feature_names_out().shape == (code_size,)


@pytest.mark.parametrize("name", IDS)
def test_save_load_round_trip_bit_exact(fitted, digits, tmp_path, name):
    _, X_test = digits
    est = fitted[name]
    path = est.save(tmp_path / "model.safetensors")
    loaded = aekit.load(path)
    assert type(loaded) is type(est)
    expected = {**est.get_params(), "validation_data": None}  # data is not saved
    assert loaded.get_params() == expected
    np.testing.assert_array_equal(loaded.transform(X_test), est.transform(X_test))
    np.testing.assert_array_equal(loaded.reconstruct(X_test), est.reconstruct(X_test))
    assert loaded.history_ == est.history_


@pytest.mark.parametrize("name", IDS)
@pytest.mark.parametrize(
    "bad, match",
    [
        ("nan", "NaN"),
        ("inf", "infinity"),
        ("empty", "0 sample"),
        ("wrong_features", "features"),
        ("one_dim", "2D array"),
    ],
)
def test_bad_input_rejected_at_transform(fitted, digits, name, bad, match):
    _, X_test = digits
    X = X_test[:10].copy()
    if bad == "nan":
        X[0, 0, 0] = np.nan
    elif bad == "inf":
        X[1, 2, 3] = np.inf
    elif bad == "empty":
        X = X[:0]
    elif bad == "wrong_features":
        X = X[:, :, :7]
    elif bad == "one_dim":
        X = X[0, 0]
    with pytest.raises(aekit.DataError, match=match):
        fitted[name].transform(X)
