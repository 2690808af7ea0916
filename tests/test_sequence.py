"""Behaviour specific to the LSTM sequence autoencoder (the shared contract is in
test_conformance.py): learning sine waves, padding masks, per-step scores, both
decoders, merge modes, the Keras-compatible textbook preset and bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.utils.estimator_checks import parametrize_with_checks

import aekit
from aekit.losses.sequence import SequenceObjective, padding_mask
from aekit.nn.layers import AEOutput
from aekit.nn.recurrent import SequenceAutoEncoderModule

SMALL = {"encoder_units": 16, "batch_size": 32, "random_state": 0, "device": "cpu"}


def sine_waves(n: int, steps: int, seed: int) -> np.ndarray:
    """Sine waves with random phase and frequency (0.5 to 1.5 periods), (n, steps)."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0.0, 2 * np.pi, steps)
    freq = rng.uniform(0.5, 1.5, (n, 1))
    phase = rng.uniform(0.0, 2 * np.pi, (n, 1))
    return np.sin(freq * t + phase).astype(np.float32)


@pytest.fixture(scope="module")
def waves() -> tuple[np.ndarray, np.ndarray]:
    return sine_waves(256, 20, seed=0), sine_waves(64, 20, seed=1)


@pytest.fixture(scope="module")
def fitted(waves) -> aekit.SequenceAutoEncoder:
    X, _ = waves
    return aekit.SequenceAutoEncoder(epochs=40, learning_rate=1e-2, **SMALL).fit(X)


def _mse_vs_mean(est, X_train, X_test) -> tuple[float, float]:
    recon = est.reconstruct(X_test)
    return (
        float(np.mean((recon - X_test) ** 2)),
        float(np.mean((X_train.mean(axis=0) - X_test) ** 2)),
    )


# ------------------------------------------------------------------ learning
def test_learns_sine_waves_far_better_than_the_mean(fitted, waves):
    X, X_test = waves
    model, baseline = _mse_vs_mean(fitted, X, X_test)
    assert model < 0.05 * baseline


def test_univariate_2d_input_is_one_feature_per_step(fitted, waves):
    _, X_test = waves
    assert fitted.input_shape_ == (20,)
    assert fitted.module_config_["n_features"] == 1
    assert fitted.reconstruct(X_test).shape == X_test.shape
    # The same series with an explicit feature axis is the same input.
    np.testing.assert_array_equal(
        fitted.transform(X_test[:, :, None]), fitted.transform(X_test)
    )


def test_teacher_forcing_decoder_learns_too(waves):
    X, X_test = waves
    params = {**SMALL, "encoder_units": 32}
    est = aekit.SequenceAutoEncoder(
        decoder="teacher_forcing",
        bidirectional=False,
        epochs=60,
        learning_rate=3e-3,
        **params,
    ).fit(X)
    model, baseline = _mse_vs_mean(est, X, X_test)
    # Scored free-running (its own outputs fed back), the honest number.
    assert model < 0.25 * baseline
    # ... and well above the teacher-forced training loss: exposure bias.
    assert model > 5 * est.history_["loss"][-1]


# ------------------------------------------------------------------ scores
def test_score_timesteps_shape_and_mean_is_score_samples(fitted, waves):
    _, X_test = waves
    steps = fitted.score_timesteps(X_test)
    assert steps.shape == (64, 20) and steps.dtype == np.float32
    assert np.all(steps >= 0)
    np.testing.assert_allclose(
        steps.mean(axis=1), fitted.score_samples(X_test), rtol=1e-5
    )
    recon = fitted.reconstruct(X_test)
    np.testing.assert_allclose(steps, (recon - X_test) ** 2, rtol=1e-4, atol=1e-7)


def test_score_timesteps_locates_an_anomaly(fitted, waves):
    _, X_test = waves
    X = X_test.copy()
    X[:, 12] += 3.0  # a spike at step 12 of every series
    steps = fitted.score_timesteps(X)
    assert np.all(steps.argmax(axis=1) == 12)


# ------------------------------------------------------------------ masking
def _padded_batch() -> torch.Tensor:
    """Two sequences of 4 steps × 3 features; zero rows are padding."""
    x = torch.tensor(
        [
            [[1.0, 2.0, 0.0], [0.0, -1.0, 1.0], [0.0, 0.0, 0.0], [0.0, 0.0, 0.0]],
            [[0.0, 0.0, 0.0], [0.5, 0.5, 0.5], [1.0, 0.0, 0.0], [2.0, 1.0, 0.0]],
        ]
    )
    return x.reshape(2, -1)


def test_padding_mask_marks_all_zero_steps():
    mask = padding_mask(_padded_batch(), 3)
    expected = [[True, True, False, False], [False, True, True, True]]
    assert mask.tolist() == expected


def test_masked_loss_ignores_padded_steps_of_the_reconstruction():
    x = _padded_batch()
    objective = SequenceObjective("mse", 3, mask_padding=True)
    recon = x + 0.1
    changed = recon.clone().reshape(2, 4, 3)
    changed[0, 2:] = 100.0  # only padded steps differ
    changed[1, 0] = float("inf")
    per_sample = objective.reconstruction(AEOutput(recon, recon), x)
    same = objective.reconstruction(AEOutput(recon, changed.reshape(2, -1)), x)
    torch.testing.assert_close(per_sample, same)
    # Every real element is off by 0.1: the masked mean is 0.01 exactly.
    torch.testing.assert_close(per_sample, torch.full((2,), 0.01))
    # Unmasked, the padded steps count (as zeros to reconstruct).
    unmasked = SequenceObjective("mse", 3).reconstruction(AEOutput(recon, recon), x)
    torch.testing.assert_close(unmasked, torch.full((2,), 0.01))
    changed_unmasked = SequenceObjective("mse", 3).reconstruction(
        AEOutput(recon, changed.reshape(2, -1)), x
    )
    assert torch.all(changed_unmasked > 1.0)


def test_masked_batch_mean_weighs_every_real_step_equally():
    x = _padded_batch()
    recon = x.clone().reshape(2, 4, 3)
    recon[0, 0] += 1.0  # one wrong step in sequence 0 (2 real steps)
    out = AEOutput(x, recon.reshape(2, -1))
    objective = SequenceObjective("mae", 3, mask_padding=True)
    per_sample = objective.reconstruction(out, x)
    torch.testing.assert_close(per_sample, torch.tensor([0.5, 0.0]))
    mean = objective.reconstruction(out, x, reduction="mean")
    torch.testing.assert_close(mean, torch.tensor(1.0 / 5))  # 5 real steps


def test_masked_estimator_scores_only_real_steps():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(96, 10, 3)).astype(np.float32)
    lengths = rng.integers(3, 11, size=96)
    for row, length in zip(X, lengths, strict=True):
        row[length:] = 0.0  # post-padding
    est = aekit.SequenceAutoEncoder(mask_padding=True, epochs=2, **SMALL).fit(X)
    steps = est.score_timesteps(X)
    assert np.array_equal(np.isnan(steps), ~(np.abs(X).sum(-1) > 0))
    np.testing.assert_allclose(
        np.nanmean(steps, axis=1), est.score_samples(X), rtol=1e-5
    )
    plain = aekit.SequenceAutoEncoder(epochs=2, **SMALL).fit(X)
    assert not np.isnan(plain.score_timesteps(X)).any()


# ------------------------------------------------------------------ network
@pytest.mark.parametrize(
    "params, code_dim",
    [
        ({"merge_mode": "sum"}, 16),
        ({"merge_mode": "mean"}, 16),
        ({"merge_mode": "concat"}, 32),
        ({"bidirectional": False, "merge_mode": "concat"}, 16),
        ({"merge_mode": "concat", "code_size": 5}, 5),
    ],
)
def test_merge_modes_and_code_width(params, code_dim):
    torch.manual_seed(0)
    module = SequenceAutoEncoderModule(3, 7, encoder_units=16, **params).eval()
    x = torch.randn(4, 21)
    code = module.encode(x)
    assert code.shape == (4, code_dim) == (4, module.code_dim)
    assert module(x).recon.shape == (4, 21)
    if "code_size" in params or not module.bidirectional:
        return
    # Keras' Bidirectional(LSTM(return_sequences=False)): the forward output at
    # the last step and the backward output at the first step, merged.
    outputs, _ = module.encoder(x.reshape(4, 7, 3))
    forward, backward = outputs[:, -1, :16], outputs[:, 0, 16:]
    expected = {
        "sum": forward + backward,
        "mean": (forward + backward) / 2,
        "concat": torch.cat([forward, backward], dim=1),
    }[params["merge_mode"]]
    torch.testing.assert_close(code, expected)


def test_teacher_forcing_feeds_the_target_in_training_only():
    torch.manual_seed(0)
    module = SequenceAutoEncoderModule(
        2, 6, encoder_units=8, decoder="teacher_forcing", bidirectional=False
    )
    x = torch.randn(3, 12)
    with torch.no_grad():
        forced = module.train()(x).recon.reshape(3, 6, 2)
        free = module.eval()(x).recon.reshape(3, 6, 2)
        decoded = module.decode(module.encode(x)).reshape(3, 6, 2)
    torch.testing.assert_close(free, decoded)
    # Step 0 sees zeros and the same state either way; later steps see the true
    # previous value (training) or the model's own output (inference).
    torch.testing.assert_close(forced[:, 0], free[:, 0])
    assert not torch.allclose(forced[:, 1:], free[:, 1:])
    # In training, step t depends on the input at t - 1 only through the
    # decoder's input: changing the last step changes no earlier output via the
    # decoder, only via the code.
    x2 = x.clone().reshape(3, 6, 2)
    x2[:, -1] += 1.0
    module.train()
    code = module.encode(x)
    with torch.no_grad():
        a = module._teacher_forced(code, x.reshape(3, 6, 2))
        b = module._teacher_forced(code, x2)
    torch.testing.assert_close(a, b)


def test_keras_initialisation():
    module = SequenceAutoEncoderModule(50, 5, encoder_units=32)
    lstm = module.encoder
    units = 32
    bias = lstm.bias_ih_l0 + lstm.bias_hh_l0
    assert torch.all(bias[units : 2 * units] == 1.0)
    assert torch.all(bias[:units] == 0) and torch.all(bias[2 * units :] == 0)
    w_hh = lstm.weight_hh_l0.detach()  # (4 units, units): orthonormal columns
    torch.testing.assert_close(w_hh.T @ w_hh, torch.eye(units), atol=1e-5, rtol=0)
    limit = (6 / (50 + 4 * units)) ** 0.5  # glorot_uniform of a (50, 128) kernel
    assert lstm.weight_ih_l0.abs().max() <= limit


def test_reuters_preset_is_the_textbook_model_and_trains():
    est = aekit.SequenceAutoEncoder.from_preset(
        "reuters-sentences", epochs=1, device="cpu", random_state=0
    )
    rng = np.random.default_rng(0)
    X = rng.normal(0.0, 0.4, size=(16, 50, 50)).astype(np.float32)
    X[:, 30:] = 0.0  # padding, unmasked as in the chapter
    est.fit(X)
    module = est.module_
    assert module.encoder.hidden_size == 512 and module.encoder.bidirectional
    assert module.decoder.hidden_size == 50 and module.decoder.bidirectional
    assert module.projection is None and module.code_layer is None
    assert est.transform(X).shape == (16, 512)
    recon = est.reconstruct(X)
    assert recon.shape == (16, 50, 50)
    assert np.abs(recon).max() < 2.0  # the sum of two LSTM outputs in (-1, 1)
    assert np.isfinite(est.history_["loss"]).all() and est.n_iter_ == 1
    assert (est.batch_size, est.optimizer, est.learning_rate) == (64, "adam", 1e-3)


# ------------------------------------------------------------------ options
def test_denoising_sparse_contractive_combination(waves):
    X, _ = waves
    est = aekit.SequenceAutoEncoder(
        sparsity="l1",
        sparsity_weight=1e-3,
        corruption="gaussian",
        noise_level=0.1,
        contractive=1e-3,
        contractive_method="hutchinson",
        code_size=4,
        epochs=3,
        **SMALL,
    ).fit(X[:96])
    history = est.history_
    assert {"reconstruction", "l1", "contractive"} <= set(history)
    assert np.isfinite(history["loss"]).all()
    np.testing.assert_allclose(
        history["loss"],
        np.add(history["reconstruction"], history["l1"]) + history["contractive"],
        rtol=1e-5,
    )


def test_exact_contractive_penalty_through_the_lstm(waves):
    X, _ = waves
    est = aekit.SequenceAutoEncoder(
        contractive=1e-2, code_size=2, epochs=2, **SMALL
    ).fit(X[:64])
    assert np.all(np.array(est.history_["contractive"]) > 0)


def test_save_load_round_trip_teacher_forcing(waves, tmp_path):
    X, X_test = waves
    est = aekit.SequenceAutoEncoder(
        decoder="teacher_forcing", num_layers=2, mask_padding=True, epochs=2, **SMALL
    ).fit(X[:64])
    loaded = aekit.load(est.save(tmp_path / "seq.safetensors"))
    assert loaded.get_params() == est.get_params()
    np.testing.assert_array_equal(loaded.transform(X_test), est.transform(X_test))
    np.testing.assert_array_equal(loaded.reconstruct(X_test), est.reconstruct(X_test))
    np.testing.assert_array_equal(
        loaded.score_timesteps(X_test), est.score_timesteps(X_test)
    )


def test_clone_and_params():
    est = aekit.SequenceAutoEncoder(encoder_units=8, merge_mode="mean")
    copy = clone(est)
    assert copy.get_params() == est.get_params()
    assert "activation" not in est.get_params()


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize(
    "ragged",
    [
        [np.zeros((5, 3)), np.zeros((7, 3))],
        [[[0.0, 1.0], [1.0, 2.0]], [[0.0, 1.0]]],
        np.array([np.zeros((5, 3)), np.zeros((7, 3))], dtype=object),
        [np.zeros((5, 3)), np.zeros((5, 2))],
    ],
    ids=["list-of-arrays", "nested-lists", "object-array", "different-features"],
)
def test_ragged_input_asks_for_padding(ragged, fitted):
    with pytest.raises(aekit.DataError, match=r"ragged.*Pad"):
        aekit.SequenceAutoEncoder(**SMALL).fit(ragged)
    for method in ("transform", "reconstruct", "score_samples", "score_timesteps"):
        with pytest.raises(aekit.DataError, match="ragged"):
            getattr(fitted, method)(ragged)


def test_equal_length_list_and_object_array_are_accepted(fitted, waves):
    _, X_test = waves
    expected = fitted.transform(X_test[:3])
    as_list = [row for row in X_test[:3]]
    np.testing.assert_array_equal(fitted.transform(as_list), expected)
    objects = np.empty(3, dtype=object)
    for i in range(3):
        objects[i] = X_test[i]
    np.testing.assert_array_equal(fitted.transform(objects), expected)


def test_same_size_other_layout_is_refused():
    X = sine_waves(32, 8, seed=0)[:, :, None] * np.ones(4, dtype=np.float32)
    est = aekit.SequenceAutoEncoder(epochs=1, **SMALL).fit(X)  # 8 steps × 4
    with pytest.raises(aekit.DataError, match="fitted on 8 steps of 4 features"):
        est.transform(X.reshape(32, 4, 8))
    assert est.transform(X.reshape(32, -1)).shape == (32, 16)  # flattened is fine
    with pytest.raises(aekit.DataError, match="features"):
        est.transform(X[:, :, :3])


def test_more_than_three_dimensions_rejected():
    with pytest.raises(aekit.DataError, match=r"\(n, seq_len, n_features\)"):
        aekit.SequenceAutoEncoder(**SMALL).fit(np.zeros((4, 3, 2, 2)))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"merge_mode": "ave"}, "merge_mode"),
        ({"decoder": "attention"}, "decoder"),
        ({"bidirectional": 1}, "bidirectional must be True or False"),
        ({"encoder_units": 0}, "encoder_units"),
        ({"code_size": 0}, "code_size"),
        ({"num_layers": 0}, "num_layers"),
        ({"loss": "bce"}, "loss"),
        ({"sparsity": "kl"}, "sparsity='kl'.*l1"),
        ({"contractive": 0.1, "contractive_method": "closed_form"}, "closed_form"),
        (
            {"output_projection": False, "merge_mode": "concat"},
            "output_projection=False.*'sum' or 'mean'",
        ),
    ],
)
def test_bad_params_rejected(params, match):
    with pytest.raises(ValueError, match=match):
        aekit.SequenceAutoEncoder(**{**SMALL, **params}).fit(np.zeros((8, 5)))


# ------------------------------------------------------------------ scikit-learn
# sklearn's checks feed 2-D arrays: univariate series of n_features steps here.
# Skipped checks: none.
@parametrize_with_checks(
    [
        aekit.SequenceAutoEncoder(
            encoder_units=4, epochs=2, batch_size=16, random_state=0, device="cpu"
        )
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)
