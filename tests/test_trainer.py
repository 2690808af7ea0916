"""The Trainer: NaN guard, callbacks, checkpoints, determinism."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from aekit import TrainingError
from aekit.io import load_checkpoint
from aekit.losses import Objective, ObjectiveOutput
from aekit.nn import DenseAutoEncoderModule
from aekit.train import EarlyStopping, ModelCheckpoint, Trainer


def _data(n: int = 256, d: int = 12) -> torch.Tensor:
    g = torch.Generator().manual_seed(0)
    return torch.rand(n, d, generator=g)


def _module(d: int = 12) -> DenseAutoEncoderModule:
    torch.manual_seed(0)
    return DenseAutoEncoderModule(d, (8,), 3, "relu", "relu", "sigmoid")


class NaNAfter:
    """Objective that returns NaN from the ``k``-th call on."""

    def __init__(self, k: int) -> None:
        self.k, self.calls = k, 0
        self.objective = Objective("mse")

    def __call__(self, module, x, *, train=True) -> ObjectiveOutput:
        self.calls += 1
        out = self.objective(module, x, train=train)
        if self.calls >= self.k:
            bad = out.terms["reconstruction"] * float("nan")
            return ObjectiveOutput(total=bad, terms={"reconstruction": bad})
        return out


@pytest.mark.parametrize(
    ("defer", "k", "where"),
    [
        (False, 6, "epoch 2, batch 2"),
        # The GPU's one-step-late guard, forced on the CPU; k=4 is an epoch's
        # last batch, caught when the epoch's loop ends.
        (True, 6, "epoch 2, batch 2"),
        (True, 4, "epoch 1, batch 4"),
    ],
)
def test_nan_loss_stops_with_clear_error_and_keeps_last_good_weights(defer, k, where):
    module, X = _module(), _data()
    step = NaNAfter(k=k)
    trainer = Trainer(epochs=5, batch_size=64, seed=0)
    trainer.defer_finite_check = defer
    snapshots = []

    original = step.__call__

    def recording(mod, x, *, train=True):
        snapshots.append({k: v.clone() for k, v in mod.state_dict().items()})
        return original(mod, x, train=train)

    with pytest.raises(TrainingError, match=rf"{where}.*reconstruction.*nan"):
        trainer.fit(module, recording, X)
    # The weights are those seen by the failing step: nothing was applied after it
    # (the late guard has let one more step run, on the same weights).
    assert len(snapshots) == k + (defer and k % 4 != 0)
    for key, value in module.state_dict().items():
        torch.testing.assert_close(value, snapshots[k - 1][key], rtol=0, atol=0)
        assert torch.isfinite(value).all()
    assert getattr(trainer.optimizer, "found_inf", None) is None


def test_diverging_weights_fall_back_to_epoch_start():
    module, X = _module(), _data()
    trainer = Trainer(
        epochs=3, batch_size=64, seed=0, optimizer="sgd", learning_rate=1e12
    )
    with pytest.raises(TrainingError, match="became"):
        trainer.fit(module, Objective("mse"), X * 1e3)
    assert all(torch.isfinite(p).all() for p in module.parameters())


def test_history_and_validation_keys():
    trainer = Trainer(epochs=3, batch_size=32, seed=0)
    history = trainer.fit(_module(), Objective("bce"), _data(), _data(64))
    assert set(history) == {"loss", "val_loss", "epoch_time"}
    assert all(len(v) == 3 for v in history.values())
    assert history["loss"][-1] < history["loss"][0]


def test_penalty_terms_are_logged_separately():
    def l1(module, x, out):
        return 1e-3 * out.code.abs().sum(dim=1).mean()

    trainer = Trainer(epochs=2, batch_size=32, seed=0)
    history = trainer.fit(_module(), Objective("mse", penalties=[("l1", l1)]), _data())
    assert {"loss", "reconstruction", "l1"} <= set(history)
    np.testing.assert_allclose(
        history["loss"], np.add(history["reconstruction"], history["l1"]), rtol=1e-5
    )


def test_same_seed_same_weights_bit_exact():
    def train(seed: int):
        module = _module()
        Trainer(epochs=2, batch_size=32, seed=seed).fit(
            module, Objective("mse"), _data()
        )
        return torch.cat([p.detach().flatten() for p in module.parameters()])

    assert torch.equal(train(3), train(3))
    assert not torch.equal(train(3), train(4))


def test_early_stopping_callback_stops():
    stopper = EarlyStopping(monitor="loss", patience=1, min_delta=10.0)
    trainer = Trainer(epochs=50, batch_size=64, seed=0, callbacks=[stopper])
    history = trainer.fit(_module(), Objective("mse"), _data())
    assert len(history["loss"]) == 2 and stopper.stopped_epoch == 1


def test_checkpoint_every_n_epochs_round_trips(tmp_path):
    ckpt = ModelCheckpoint(tmp_path / "ckpt-{epoch}.safetensors", every=2)
    module = _module()
    trainer = Trainer(epochs=5, batch_size=64, seed=0, callbacks=[ckpt])
    trainer.fit(module, Objective("mse"), _data())
    assert [p.rsplit("-", 1)[1] for p in ckpt.saved] == [
        "2.safetensors",
        "4.safetensors",
    ]
    parts, header = load_checkpoint(ckpt.saved[-1])
    assert header["epoch"] == 4 and len(header["history"]["loss"]) == 4
    fresh = _module()
    fresh.load_state_dict(parts["module"])
    optimizer = torch.optim.Adam(fresh.parameters())
    optimizer.load_state_dict(parts["optimizer"])
    assert parts["rng"].dtype == torch.uint8
    assert not list(tmp_path.glob("*.tmp"))


def test_checkpoint_rejects_bad_interval(tmp_path):
    with pytest.raises(ValueError, match="every"):
        ModelCheckpoint(tmp_path / "x", every=0)


def test_late_guard_trains_the_same_weights_as_the_immediate_one():
    weights = []
    for defer in (False, True):
        module = _module()
        trainer = Trainer(epochs=2, batch_size=64, seed=0)
        trainer.defer_finite_check = defer
        trainer.fit(module, Objective("mse"), _data())
        weights.append(module.state_dict())
    for key, value in weights[0].items():
        assert torch.equal(value, weights[1][key]), key
