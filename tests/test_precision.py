"""Mixed precision (``precision``) and ``compile`` of the shared training loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import aekit
from aekit.io import load


@pytest.fixture(scope="module")
def data():
    X, _ = aekit.datasets.load("digits")
    X = X.reshape(len(X), -1).astype(np.float32)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(X))
    return X[order[:1400]], X[order[1400:]]


def _fit(X, **params):
    base = {
        "code_size": 16,
        "epochs": 15,
        "batch_size": 64,
        "learning_rate": 3e-3,
        "random_state": 0,
        "device": "cpu",
    }
    return aekit.AutoEncoder(**{**base, **params}).fit(X)


def test_bf16_on_cpu_trains_close_to_fp32(data):
    X, X_test = data
    fp32 = _fit(X)
    bf16 = _fit(X, precision="bf16")
    mean_error = float(((X_test - X.mean(axis=0)) ** 2).mean())
    err32 = -fp32.score(X_test)
    err16 = -bf16.score(X_test)
    assert err16 < 0.5 * mean_error  # it learns
    assert abs(err16 - err32) < 0.1 * err32  # as well as float32
    # The history is accumulated in float32: plain finite Python floats.
    assert all(isinstance(v, float) and np.isfinite(v) for v in bf16.history_["loss"])


def test_fp16_on_cpu_is_a_clear_error(data):
    X, _ = data
    with pytest.raises(ValueError, match=r"fp16.*CUDA.*bf16"):
        _fit(X, precision="fp16")


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"precision": "fp8"}, "precision='fp8' is not supported"),
        ({"precision": "float16"}, "choose one of: 'fp32', 'bf16', 'fp16'"),
        ({"compile": "yes"}, "compile must be True or False"),
    ],
)
def test_invalid_values(data, params, match):
    with pytest.raises(ValueError, match=match):
        _fit(data[0], **params)


def test_trainer_rejects_unknown_precision():
    with pytest.raises(ValueError, match="precision"):
        aekit.train.Trainer(epochs=1, batch_size=8, precision="half")


def test_compile_failure_at_wrap_warns_and_trains(data, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no compiler here")

    monkeypatch.setattr(torch, "compile", broken)
    X, _ = data
    with pytest.warns(RuntimeWarning, match="torch.compile failed.*no compiler"):
        ae = _fit(X, compile=True, epochs=3)
    assert ae.history_["loss"][-1] < ae.history_["loss"][0]


def test_compile_failure_at_first_call_warns_once_and_trains_eagerly(data, monkeypatch):
    calls = []

    def lazy_failure(fn, *args, **kwargs):
        def compiled(*a, **k):
            calls.append(1)
            raise RuntimeError("unsupported op")

        return compiled

    monkeypatch.setattr(torch, "compile", lazy_failure)
    X, _ = data
    with pytest.warns(RuntimeWarning, match="unsupported op") as record:
        ae = _fit(X, compile=True, epochs=2)
    assert len([w for w in record if "torch.compile" in str(w.message)]) == 1
    assert len(calls) == 1  # never retried after the failure
    eager = _fit(X, epochs=2)
    # The eager fallback is the ordinary training: bit-identical weights.
    for a, b in zip(
        ae.module_.state_dict().values(),
        eager.module_.state_dict().values(),
        strict=True,
    ):
        assert torch.equal(a, b)
    # The compiled forward is removed after training.
    assert "forward" not in vars(ae.module_)


@pytest.mark.parametrize(
    "cls",
    [
        aekit.AutoEncoder,
        aekit.ConvAutoEncoder,
        aekit.VariationalAutoEncoder,
        aekit.SequenceAutoEncoder,
    ],
)
def test_every_family_has_the_params(cls):
    params = cls().get_params()
    assert params["precision"] == "fp32"
    assert params["compile"] is False
    est = cls(precision="bf16", compile=True)
    from sklearn.base import clone

    assert clone(est).get_params()["precision"] == "bf16"


def test_params_round_trip_save_load(data, tmp_path):
    X, _ = data
    ae = _fit(X, precision="bf16", epochs=2)
    path = ae.save(tmp_path / "m.safetensors")
    loaded = load(path)
    assert loaded.precision == "bf16"
    assert loaded.compile is False
    np.testing.assert_array_equal(loaded.transform(X[:5]), ae.transform(X[:5]))


def test_old_files_without_the_params_load_with_defaults(data, tmp_path):
    from aekit.io import read_tensor_file, write_tensor_file

    X, _ = data
    path = _fit(X, epochs=1).save(tmp_path / "m.safetensors")
    tensors, header = read_tensor_file(path, "aekit-model")
    del header["params"]["precision"], header["params"]["compile"]
    old = tmp_path / "old.safetensors"
    write_tensor_file(old, tensors, header)
    loaded = load(old)
    assert (loaded.precision, loaded.compile) == ("fp32", False)


def test_bf16_resume_is_exact(data, tmp_path):
    X, _ = data
    ckpt = tmp_path / "c.safetensors"
    full = _fit(X, precision="bf16", epochs=3)
    part = aekit.AutoEncoder(
        code_size=16,
        epochs=1,
        batch_size=64,
        learning_rate=3e-3,
        random_state=0,
        device="cpu",
        precision="bf16",
    ).fit(X, checkpoint=ckpt)
    part.set_params(epochs=3).fit(X, checkpoint=ckpt, resume=True)
    for a, b in zip(
        full.module_.state_dict().values(),
        part.module_.state_dict().values(),
        strict=True,
    ):
        assert torch.equal(a, b)
    # Another precision is another run: refused.
    with pytest.raises(ValueError, match="precision"):
        part.set_params(precision="fp32", epochs=4).fit(X, checkpoint=ckpt, resume=True)


def test_fp16_scaler_state_goes_into_checkpoints():
    """The CUDA-only float16 path, exercised on the CPU's GradScaler state."""
    from aekit.train import Trainer

    trainer = Trainer(epochs=1, batch_size=4)
    trainer.module = torch.nn.Linear(2, 2)
    trainer.scaler = torch.amp.GradScaler("cpu", init_scale=1024.0)
    _, header = trainer.checkpoint_state()
    assert header["scaler"]["scale"] == 1024.0
    restored = torch.amp.GradScaler("cpu")
    restored.load_state_dict(header["scaler"])
    assert restored.get_scale() == 1024.0
