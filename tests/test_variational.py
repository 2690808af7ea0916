"""Behaviour specific to the variational autoencoder (the shared contract is in
test_conformance.py): likelihood bounds, sampling, warm-up, and bad settings."""

from __future__ import annotations

import numpy as np
import pytest

import aekit


@pytest.fixture(scope="module")
def digits():
    # Binarized, as likelihoods of VAEs are usually reported: grey pixels under a
    # Bernoulli decoder carry entropy no model can remove.
    X, y = aekit.datasets.load("digits")
    X = (X > 0.5).astype(np.float32)
    return X[:1200], X[1200:], y[1200:]


@pytest.fixture(scope="module")
def vae(digits):
    X, _, _ = digits
    return aekit.VariationalAutoEncoder(
        latent_dim=4, epochs=30, batch_size=50, random_state=0, device="cpu"
    ).fit(X)


def test_history_logs_reconstruction_and_kl_separately(vae):
    h = vae.history_
    np.testing.assert_allclose(
        h["loss"], np.add(h["reconstruction"], h["kl"]), rtol=1e-5
    )
    assert h["kl"][-1] > 0.1  # the posterior is used, not collapsed to the prior


def test_importance_sampling_tightens_the_bound(vae, digits):
    _, X_test, _ = digits
    elbo = vae.score_samples(X_test, n_samples=50).mean()
    ll_small = vae.log_likelihood(X_test, n_importance=5).mean()
    ll_large = vae.log_likelihood(X_test, n_importance=500).mean()
    # E log mean_k w is a lower bound on log p(x) that grows with k (Burda et al.).
    assert elbo < ll_small < ll_large
    assert ll_large - elbo < 10  # and the gap is a few nats, not an artefact


def test_log_likelihood_does_not_depend_on_chunking(vae, digits):
    _, X_test, _ = digits
    a = vae.log_likelihood(X_test[:40], n_importance=64, batch_size=40)
    b = vae.log_likelihood(X_test[:40], n_importance=64, batch_size=7)
    assert a.shape == (40,) and np.all(np.isfinite(a))
    # Different chunking draws the samples in another order: close, not equal.
    assert abs(a.mean() - b.mean()) < 0.5


def test_beats_independent_pixels_in_likelihood(vae, digits):
    X, X_test, _ = digits
    # Independent Bernoulli pixels with the training means: the trivial model.
    p = np.clip(X.reshape(len(X), -1).mean(0), 1e-3, 1 - 1e-3)
    flat = X_test.reshape(len(X_test), -1)
    baseline = (flat * np.log(p) + (1 - flat) * np.log(1 - p)).sum(1).mean()
    # 64 binary pixels, 1200 images, 30 epochs: a few nats per image (e^3 = 20x).
    assert vae.log_likelihood(X_test, n_importance=100).mean() > baseline + 3


def test_sampling_is_reproducible_and_shaped(vae):
    a = vae.sample(6, random_state=3)
    b = vae.sample(6, random_state=3)
    c = vae.sample(6, random_state=4)
    assert a.shape == (6, 8, 8) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert a.min() >= 0 and a.max() <= 1
    binary = vae.sample(6, random_state=3, mean=False)
    assert set(np.unique(binary)) <= {0.0, 1.0}


def test_save_load_round_trips_transform_and_sample(vae, digits, tmp_path):
    _, X_test, _ = digits
    loaded = aekit.load(vae.save(tmp_path / "vae.safetensors"))
    np.testing.assert_array_equal(loaded.transform(X_test), vae.transform(X_test))
    np.testing.assert_array_equal(
        loaded.transform(X_test, sample=True, random_state=1),
        vae.transform(X_test, sample=True, random_state=1),
    )
    np.testing.assert_array_equal(
        loaded.sample(5, random_state=2), vae.sample(5, random_state=2)
    )
    np.testing.assert_array_equal(
        loaded.score_samples(X_test), vae.score_samples(X_test)
    )


def test_posterior_draws_scatter_around_the_mean(vae, digits):
    _, X_test, _ = digits
    mean = vae.transform(X_test)
    draws = np.stack(
        [vae.transform(X_test, sample=True, random_state=s) for s in range(20)]
    )
    assert not np.allclose(draws[0], mean)
    # The average of 20 draws is closer to μ than any one draw.
    assert np.abs(draws.mean(0) - mean).mean() < np.abs(draws[0] - mean).mean()


def test_kl_warmup_scales_the_kl_term(digits):
    X, _, _ = digits
    vae = aekit.VariationalAutoEncoder(
        latent_dim=2, epochs=4, kl_warmup_epochs=4, random_state=0, device="cpu"
    ).fit(X)
    h = vae.history_
    for epoch, scale in enumerate([0.25, 0.5, 0.75, 1.0]):
        expected = h["reconstruction"][epoch] + scale * h["kl"][epoch]
        assert h["loss"][epoch] == pytest.approx(expected, rel=1e-5)
    assert vae.objective_.kl_scale == 1.0


def test_same_seed_same_model(digits):
    X, X_test, _ = digits
    params = {"latent_dim": 2, "epochs": 3, "random_state": 5, "device": "cpu"}
    a = aekit.VariationalAutoEncoder(**params).fit(X)
    b = aekit.VariationalAutoEncoder(**params).fit(X)
    np.testing.assert_array_equal(a.transform(X_test), b.transform(X_test))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"latent_dim": 0}, "latent_dim"),
        ({"beta": -1.0}, "beta"),
        ({"free_bits": -0.1}, "free_bits"),
        ({"kl_warmup_epochs": -1}, "kl_warmup_epochs"),
        ({"likelihood": "poisson"}, "likelihood"),
        ({"decoder_variance": 0.0}, "decoder_variance"),
        ({"decoder_variance": "fixed"}, "decoder_variance"),
        ({"encoder": "lstm"}, "encoder"),
        ({"objective": "iwae", "beta": 2.0}, "beta must be 1"),
        ({"likelihood": "gaussian", "dynamic_binarization": True}, "bernoulli"),
        ({"encoder": "conv", "kernel_size": 2}, "odd"),
    ],
)
def test_bad_settings_rejected_at_fit(digits, params, match):
    X, _, _ = digits
    with pytest.raises(ValueError, match=match):
        aekit.VariationalAutoEncoder(epochs=1, **params).fit(X)


def test_bernoulli_needs_data_in_unit_range(digits):
    X, _, _ = digits
    with pytest.raises(aekit.DataError, match=r"\[0, 1\]"):
        aekit.VariationalAutoEncoder(epochs=1).fit(X * 2)
    # A Gaussian decoder takes real-valued data.
    aekit.VariationalAutoEncoder(epochs=1, likelihood="gaussian").fit(X * 2 - 1)


def test_sample_rejects_bad_count(vae):
    with pytest.raises(ValueError, match="n_samples"):
        vae.sample(0)
