"""Sparse, denoising and contractive autoencoders and greedy pretraining."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import aekit
from aekit import corruption
from aekit.losses.penalties import (
    jacobian_norm_closed_form,
    jacobian_norm_exact,
    jacobian_norm_hutchinson,
)
from aekit.nn import DenseAutoEncoderModule


@pytest.fixture(scope="module")
def digits():
    X, _ = aekit.datasets.load("digits", split="train")
    X_test, _ = aekit.datasets.load("digits", split="test")
    return X, X_test


BASE = {
    "epochs": 30,
    "batch_size": 64,
    "random_state": 0,
    "device": "cpu",
    "output_activation": "sigmoid",
    "loss": "bce",
    "code_size": 16,
}


# ------------------------------------------------------------------ corruption
def test_corruption_statistics_and_reproducibility():
    X = np.full((400, 50), 0.5, np.float32)
    masked = corruption.corrupt(X, "masking", 0.3, random_state=0)
    assert abs((masked == 0).mean() - 0.3) < 0.02
    sp = corruption.corrupt(X, "salt_pepper", 0.2, random_state=0)
    assert abs((sp == 0).mean() - 0.1) < 0.02 and abs((sp == 1).mean() - 0.1) < 0.02
    assert np.all((sp == 0) | (sp == 1) | (sp == 0.5))
    g = corruption.corrupt(X, "gaussian", 0.5, mean=0.5, random_state=0)
    assert abs((g - X).mean() - 0.5) < 0.01 and abs((g - X).std() - 0.5) < 0.01
    clipped = corruption.corrupt(X, "gaussian", 0.5, clip=True, random_state=0)
    assert clipped.min() == 0.0 and clipped.max() == 1.0
    np.testing.assert_array_equal(
        masked, corruption.corrupt(X, "masking", 0.3, random_state=0)
    )
    assert not np.array_equal(
        masked, corruption.corrupt(X, "masking", 0.3, random_state=1)
    )
    assert masked.dtype == np.float32 and masked.shape == X.shape


@pytest.mark.parametrize(
    "kind, level, match",
    [
        ("blur", 0.1, "corruption='blur' is not supported"),
        ("masking", 1.5, r"must be in \[0, 1\]"),
        ("gaussian", -0.1, ">= 0"),
    ],
)
def test_corruption_rejects_bad_settings(kind, level, match):
    with pytest.raises(ValueError, match=match):
        corruption.corrupt(np.zeros((2, 2)), kind, level)


def test_corrupt_keeps_tensors_as_tensors():
    x = torch.full((200, 50), 0.5, dtype=torch.float64)
    noisy = corruption.corrupt(x, "masking", 0.5, random_state=0)
    assert isinstance(noisy, torch.Tensor) and noisy.dtype == torch.float64
    assert torch.equal(x, torch.full((200, 50), 0.5, dtype=torch.float64))
    # The same seed gives the same mask whatever the container.
    as_numpy = corruption.corrupt(x.numpy(), "masking", 0.5, random_state=0)
    np.testing.assert_array_equal(noisy.numpy() == 0, as_numpy == 0)
    with pytest.raises(ValueError, match="kind must be one of"):
        corruption.corrupt(x, None, 0.1)
    with pytest.raises(aekit.DataError, match="NaN"):
        corruption.corrupt(np.array([[np.nan]]), "masking", 0.1)


def _spy_inputs(monkeypatch) -> list[torch.Tensor]:
    """Record every batch the dense module's forward sees."""
    seen: list[torch.Tensor] = []
    forward = DenseAutoEncoderModule.forward

    def spy(self, x):
        seen.append(x.detach().clone())
        return forward(self, x)

    monkeypatch.setattr(DenseAutoEncoderModule, "forward", spy)
    return seen


@pytest.mark.parametrize("fixed", [False, True])
def test_noise_fresh_per_batch_or_fixed_once(digits, monkeypatch, fixed):
    X, _ = digits
    seen = _spy_inputs(monkeypatch)
    aekit.AutoEncoder(
        corruption="salt_pepper",
        noise_level=0.3,
        noise_fixed=fixed,
        epochs=2,
        batch_size=len(X),
        random_state=0,
        device="cpu",
    ).fit(X)
    first, second = seen  # one batch per epoch, rows shuffled differently
    same_rows = torch.equal(
        torch.sort(first.sum(dim=1)).values, torch.sort(second.sum(dim=1)).values
    )
    assert same_rows is fixed


def test_training_sees_noisy_inputs_but_clean_targets(digits, monkeypatch):
    X, _ = digits
    flat = torch.from_numpy(X.reshape(len(X), -1))
    inputs, targets = [], []
    forward, encode = DenseAutoEncoderModule.forward, DenseAutoEncoderModule.encode
    original_loss = aekit.losses.objective.RECONSTRUCTION_LOSSES["mse"]

    def spy_forward(self, x):
        inputs.append(x.detach().clone())
        return forward(self, x)

    def spy_encode(self, x):
        inputs.append(x.detach().clone())
        return encode(self, x)

    def spy_loss(output, target, reduction="none"):
        targets.append(target.detach().clone())
        return original_loss(output, target, reduction)

    monkeypatch.setattr(DenseAutoEncoderModule, "forward", spy_forward)
    monkeypatch.setitem(aekit.losses.objective.RECONSTRUCTION_LOSSES, "mse", spy_loss)
    ae = aekit.AutoEncoder(
        corruption="masking",
        noise_level=0.5,
        epochs=1,
        batch_size=len(X),
        random_state=0,
        device="cpu",
    ).fit(X)
    noisy_input, clean_target = inputs[0], targets[0]
    # One batch holding every sample, shuffled: compare as sets of rows.
    assert sorted(clean_target.sum(1).tolist()) == sorted(flat.sum(1).tolist())
    zeroed = (noisy_input == 0) & (clean_target != 0)
    assert zeroed.float().sum() > 0.3 * (clean_target != 0).float().sum()
    # At inference the network sees the clean data.
    inputs.clear()
    monkeypatch.setattr(DenseAutoEncoderModule, "encode", spy_encode)
    ae.transform(X)
    ae.reconstruct(X)
    assert len(inputs) >= 2 and all(torch.equal(x, flat) for x in inputs)


def test_no_corruption_at_inference(digits):
    X, X_test = digits
    ae = aekit.AutoEncoder(
        **{**BASE, "epochs": 2}, corruption="gaussian", noise_level=0.5
    ).fit(X)
    np.testing.assert_array_equal(ae.transform(X_test), ae.transform(X_test))
    np.testing.assert_array_equal(ae.score_samples(X_test), ae.score_samples(X_test))


def test_denoising_beats_plain_on_noisy_inputs(digits):
    X, X_test = digits
    noisy = corruption.corrupt(X_test, "gaussian", 0.5, clip=True, random_state=1)
    params = {**BASE, "epochs": 100}
    plain = aekit.AutoEncoder(**params).fit(X)
    dae = aekit.AutoEncoder(
        **params, corruption="gaussian", noise_level=0.5, noise_clip=True
    ).fit(X)

    def mse(model):
        return np.mean((model.reconstruct(noisy) - X_test) ** 2)

    assert mse(dae) < 0.8 * mse(plain)
    assert mse(dae) < np.mean((noisy - X_test) ** 2)


# ------------------------------------------------------------------ sparsity
def test_l1_sparsity_lowers_code_activation(digits):
    X, X_test = digits
    plain = aekit.AutoEncoder(**BASE).fit(X)
    sparse = aekit.AutoEncoder(**BASE, sparsity="l1", sparsity_weight=1e-2).fit(X)
    assert sparse.transform(X_test).mean() < plain.transform(X_test).mean() / 3
    assert {"reconstruction", "l1"} <= set(sparse.history_)


def test_kl_sparsity_pushes_mean_activation_to_target(digits):
    X, X_test = digits
    params = {**BASE, "code_activation": "sigmoid", "epochs": 60}
    plain = aekit.AutoEncoder(**params).fit(X)
    sparse = aekit.AutoEncoder(
        **params, sparsity="kl", sparsity_target=0.05, sparsity_weight=1.0
    ).fit(X)
    rho_plain = plain.transform(X_test).mean()
    rho_sparse = sparse.transform(X_test).mean()
    assert abs(rho_sparse - 0.05) < abs(rho_plain - 0.05) / 2
    assert "kl_sparsity" in sparse.history_


# ------------------------------------------------------------------ contractive
def _sigmoid_module(d=10, code=4):
    torch.manual_seed(0)
    return DenseAutoEncoderModule(d, (), code, "relu", "sigmoid", "sigmoid")


def test_closed_form_jacobian_matches_autograd():
    module = _sigmoid_module()
    x = torch.rand(7, 10)
    closed = jacobian_norm_closed_form(module.encoder[0], module.encode(x))
    torch.testing.assert_close(closed, jacobian_norm_exact(module, x))


def test_hutchinson_is_unbiased():
    torch.manual_seed(0)
    module = DenseAutoEncoderModule(10, (8,), 5, "tanh", "tanh", "linear")
    x = torch.rand(3, 10)
    exact = jacobian_norm_exact(module, x)
    g = torch.Generator().manual_seed(0)
    estimate = jacobian_norm_hutchinson(module, x, n_samples=4000, generator=g)
    torch.testing.assert_close(estimate, exact, rtol=0.05, atol=0)


def test_contractive_lowers_jacobian_norm(digits):
    X, X_test = digits
    params = {**BASE, "code_activation": "sigmoid"}
    plain = aekit.AutoEncoder(**params).fit(X)
    cae = aekit.AutoEncoder(**params, contractive=1.0).fit(X)
    x = torch.from_numpy(X_test.reshape(len(X_test), -1))
    norm_plain = jacobian_norm_exact(plain.module_, x).mean()
    norm_cae = jacobian_norm_exact(cae.module_, x).mean()
    assert norm_cae < norm_plain / 2
    assert "contractive" in cae.history_


@pytest.mark.parametrize("method", ["exact", "hutchinson"])
def test_contractive_reported_on_validation_data(digits, method):
    X, _ = digits
    ae = aekit.AutoEncoder(
        **{**BASE, "epochs": 2},
        hidden_layer_sizes=(16,),
        contractive=0.1,
        contractive_method=method,
        validation_fraction=0.2,
    ).fit(X)
    assert np.all(np.isfinite(ae.history_["val_contractive"]))
    assert ae.history_["val_contractive"][-1] > 0


def test_combined_terms_logged_separately(digits):
    X, _ = digits
    ae = aekit.AutoEncoder(
        **{**BASE, "epochs": 3},
        sparsity="l1",
        sparsity_weight=1e-3,
        corruption="masking",
        noise_level=0.2,
        contractive=0.1,
        contractive_method="hutchinson",
        validation_fraction=0.2,
    ).fit(X)
    h = ae.history_
    assert {"reconstruction", "l1", "contractive"} <= set(h)
    assert {"val_reconstruction", "val_l1", "val_contractive"} <= set(h)
    total = np.add(np.add(h["reconstruction"], h["l1"]), h["contractive"])
    np.testing.assert_allclose(h["loss"], total, rtol=1e-5)
    assert all(v > 0 for key in ("l1", "contractive") for v in h[key])


# ------------------------------------------------------------------ greedy
def test_greedy_pretraining_helps_at_equal_small_budget(digits):
    X, X_test = digits
    params = {
        **BASE,
        "hidden_layer_sizes": (64, 32),
        "code_size": 8,
        "epochs": 1,
        "batch_size": 32,
    }
    random_init = aekit.AutoEncoder(**params).fit(X)
    greedy = aekit.AutoEncoder(**params, pretrain="greedy", pretrain_epochs=5).fit(X)
    assert len(greedy.pretrain_history_) == 3
    assert all(len(h["loss"]) == 5 for h in greedy.pretrain_history_)
    assert greedy.score(X_test) > random_init.score(X_test)


def test_greedy_labels_each_layer_and_corrupts_its_inputs(digits, monkeypatch):
    X, _ = digits
    calls = []
    fit = aekit.train.Trainer.fit

    def spy(self, module, step, data, X_val=None, description="training", **kw):
        calls.append((description, data))
        return fit(self, module, step, data, X_val, description, **kw)

    monkeypatch.setattr(aekit.train.Trainer, "fit", spy)
    aekit.AutoEncoder(
        hidden_layer_sizes=(32, 16),
        code_size=8,
        epochs=1,
        pretrain="greedy",
        pretrain_epochs=1,
        corruption="masking",
        noise_level=0.5,
        noise_fixed=True,
        random_state=0,
        device="cpu",
    ).fit(X)
    labels = [label for label, _ in calls]
    assert labels == [
        "pretrain layer 1/3",
        "pretrain layer 2/3",
        "pretrain layer 3/3",
        "AutoEncoder",
    ]
    # Fixed noise: every stage trains on (noisy inputs, clean targets) pairs,
    # each layer on the codes of the one below (32 then 16 features).
    widths = []
    for _, data in calls:
        noisy, clean = data
        zeroed = ((noisy == 0) & (clean != 0)).sum() / (clean != 0).sum()
        assert 0.4 < zeroed < 0.6  # noise_level=0.5 of the entries
        widths.append(clean.shape[1])
    assert widths == [64, 32, 16, 64]


def test_greedy_history_survives_save_load(digits, tmp_path):
    X, _ = digits
    ae = aekit.AutoEncoder(
        hidden_layer_sizes=(16,),
        code_size=4,
        epochs=1,
        pretrain="greedy",
        pretrain_epochs=2,
        random_state=0,
        device="cpu",
    ).fit(X)
    loaded = aekit.load(ae.save(tmp_path / "g.safetensors"))
    assert loaded.pretrain_history_ == ae.pretrain_history_
    assert loaded.pretrain == "greedy"


# ------------------------------------------------------------------ validation
@pytest.mark.parametrize(
    "params, match",
    [
        (
            {"sparsity": "kl", "sparsity_target": 1.0, "code_activation": "sigmoid"},
            "sparsity_target",
        ),
        (
            {"sparsity": "kl", "sparsity_target": 0.0, "code_activation": "sigmoid"},
            "sparsity_target",
        ),
        ({"sparsity": "l1", "sparsity_weight": -1.0}, "sparsity_weight"),
        ({"sparsity": "kl"}, "code_activation='sigmoid'"),
        ({"sparsity": "l2"}, "sparsity='l2'"),
        ({"corruption": "masking", "noise_level": 1.2}, r"\[0, 1\]"),
        ({"corruption": "salt_pepper", "noise_level": -0.1}, ">= 0"),
        ({"contractive": -0.5}, "contractive"),
        ({"contractive": 0.1, "contractive_method": "magic"}, "contractive_method"),
        ({"pretrain": "layerwise"}, "pretrain='layerwise'"),
        ({"pretrain": "greedy", "pretrain_epochs": 0}, "pretrain_epochs"),
    ],
)
def test_invalid_regularization_rejected_at_fit(digits, params, match):
    with pytest.raises(ValueError, match=match):
        aekit.AutoEncoder(epochs=1, **params).fit(digits[0])


def test_closed_form_needs_single_sigmoid_layer(digits):
    ae = aekit.AutoEncoder(
        contractive=0.1,
        contractive_method="closed_form",
        hidden_layer_sizes=(8,),
        epochs=1,
        device="cpu",
    )
    with pytest.raises(ValueError, match="closed_form"):
        ae.fit(digits[0])
    assert not hasattr(ae, "module_")  # rejected before any training
