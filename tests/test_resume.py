"""Crash-safe checkpoints and resume: a resumed run ends bit-identical on CPU."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np
import pytest
import torch

import aekit
from aekit.cli import main
from aekit.io import atomic_write_bytes, load_checkpoint
from aekit.losses import Objective
from aekit.nn import DenseAutoEncoderModule
from aekit.train import Callback, ModelCheckpoint, Trainer


@pytest.fixture(autouse=True)
def _one_thread():
    # Bit-exact comparisons need the same kernels in every run: one thread.
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _X(n: int = 160, d: int = 12) -> np.ndarray:
    return np.random.RandomState(0).rand(n, d).astype(np.float32)


def _weights(est) -> dict[str, torch.Tensor]:
    return est.module_.state_dict()


def _assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


def _by_step(folder: Path) -> dict[int, Path]:
    return {int(p.stem[1:]): p for p in folder.glob("s*.safetensors")}


SCENARIOS = {
    "dense": lambda: aekit.AutoEncoder(
        hidden_layer_sizes=(8,), code_size=3, epochs=3, batch_size=32, random_state=0
    ),
    # Noise drawn every batch: its generator must be restored.
    "denoising": lambda: aekit.AutoEncoder(
        code_size=4,
        epochs=3,
        batch_size=32,
        corruption="masking",
        noise_level=0.3,
        random_state=1,
    ),
    # Hutchinson probes come from the generator of a penalty.
    "contractive": lambda: aekit.AutoEncoder(
        hidden_layer_sizes=(8,),
        code_size=3,
        epochs=2,
        batch_size=32,
        contractive=0.1,
        contractive_method="hutchinson",
        random_state=2,
    ),
    # Early stopping's best weights and patience counter are callback state.
    "early-stopping": lambda: aekit.AutoEncoder(
        code_size=3,
        epochs=4,
        batch_size=32,
        validation_fraction=0.25,
        early_stopping=True,
        patience=1,
        learning_rate=0.05,
        random_state=3,
    ),
    # ε draws, KL warm-up state, and random_state=None (a fresh seed per fit).
    "vae": lambda: aekit.VariationalAutoEncoder(
        latent_dim=2,
        hidden_layer_sizes=(8,),
        epochs=3,
        batch_size=32,
        kl_warmup_epochs=2,
        random_state=None,
    ),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_resume_from_any_checkpoint_is_bit_exact(tmp_path, name):
    make = SCENARIOS[name]
    X = _X()
    full = make().fit(
        X, checkpoint=tmp_path / "s{step}.safetensors", checkpoint_every_batches=2
    )
    steps = _by_step(tmp_path)
    _, header = load_checkpoint(steps[min(steps)])
    assert header["batch"] == 2 and header["epoch"] == 0
    # The first checkpoint (mid-epoch), one from the middle, and the last.
    ordered = sorted(steps)
    for step in {ordered[0], ordered[len(ordered) // 2], ordered[-1]}:
        resumed = make().fit(X, resume=steps[step])
        _assert_same(_weights(full), _weights(resumed))
        assert resumed.history_.keys() == full.history_.keys()
        for key in full.history_:
            if key != "epoch_time":
                assert resumed.history_[key] == full.history_[key], (step, key)
        assert resumed.n_iter_ == full.n_iter_
    assert not list(tmp_path.glob(".*.tmp"))


def test_greedy_pretraining_is_kept_on_resume(tmp_path):
    def make():
        return aekit.AutoEncoder(
            hidden_layer_sizes=(8,),
            code_size=3,
            epochs=2,
            batch_size=32,
            pretrain="greedy",
            pretrain_epochs=1,
            random_state=0,
        )

    X = _X()
    full = make().fit(X, checkpoint=tmp_path / "s{step}.safetensors")
    resumed = make().fit(X, resume=tmp_path / "s5.safetensors")
    _assert_same(_weights(full), _weights(resumed))
    assert resumed.pretrain_history_ == full.pretrain_history_


def test_more_epochs_continue_a_finished_run(tmp_path):
    def make(epochs):
        return aekit.AutoEncoder(code_size=3, epochs=epochs, random_state=0)

    X = _X()
    make(2).fit(X, checkpoint=tmp_path / "c.safetensors")
    longer = make(3).fit(X, checkpoint=tmp_path / "c.safetensors", resume=True)
    _assert_same(_weights(make(3).fit(X)), _weights(longer))
    assert len(longer.history_["loss"]) == 3
    assert load_checkpoint(tmp_path / "c.safetensors")[1]["epoch"] == 3


def test_resume_true_starts_afresh_without_a_checkpoint(tmp_path):
    X = _X()
    path = tmp_path / "c.safetensors"
    est = aekit.AutoEncoder(code_size=3, epochs=2, random_state=0)
    est.fit(X, checkpoint=path, resume=True)
    _assert_same(_weights(est), _weights(aekit.AutoEncoder(**est.get_params()).fit(X)))
    assert path.is_file()
    with pytest.raises(ValueError, match="resume=True resumes from `checkpoint`"):
        est.fit(X, resume=True)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code_size": 4}, r"different network.*code_size: checkpoint 3"),
        ({"learning_rate": 0.01}, r"other parameters: learning_rate=0.001"),
        ({"batch_size": 64}, r"other parameters: batch_size=32"),
    ],
)
def test_resume_refuses_another_configuration(tmp_path, change, message):
    X = _X()
    params = {"code_size": 3, "epochs": 2, "batch_size": 32, "random_state": 0}
    aekit.AutoEncoder(**params).fit(X, checkpoint=tmp_path / "c.safetensors")
    with pytest.raises(ValueError, match=message):
        aekit.AutoEncoder(**{**params, **change}).fit(
            X, resume=tmp_path / "c.safetensors"
        )


def test_resume_refuses_other_data_and_other_classes(tmp_path):
    path = tmp_path / "c.safetensors"
    aekit.AutoEncoder(code_size=3, epochs=1, random_state=0).fit(_X(), checkpoint=path)
    with pytest.raises(ValueError, match=r"n_samples=160.*n_samples=100"):
        aekit.AutoEncoder(code_size=3, epochs=1, random_state=0).fit(
            _X(100), resume=path
        )
    with pytest.raises(ValueError, match="written by AutoEncoder, not Variational"):
        aekit.VariationalAutoEncoder(epochs=1, random_state=0).fit(_X(), resume=path)
    with pytest.raises(aekit.ModelFileError, match="no such file"):
        aekit.AutoEncoder(epochs=1).fit(_X(), resume=tmp_path / "missing")


# ------------------------------------------------------------------- the Trainer
def _module() -> DenseAutoEncoderModule:
    torch.manual_seed(0)
    return DenseAutoEncoderModule(12, (8,), 3, "relu", "relu", "sigmoid")


def test_trainer_resumes_and_restores_the_global_rng(tmp_path):
    """A step that draws from torch's global generator also resumes exactly."""

    def step(module, x, *, train=True):
        noisy = x + 0.1 * torch.randn(x.shape) if train else x
        return Objective("mse")(module, (noisy, x), train=train)

    X = torch.from_numpy(_X())
    ckpt = ModelCheckpoint(tmp_path / "s{step}.safetensors", every_batches=3)
    full = _module()
    torch.manual_seed(5)
    Trainer(epochs=2, batch_size=32, callbacks=[ckpt]).fit(full, step, X)
    resumed = _module()
    torch.manual_seed(123)  # whatever the state: the checkpoint's is restored
    Trainer(epochs=2, batch_size=32).fit(
        resumed, step, X, resume=tmp_path / "s3.safetensors"
    )
    _assert_same(full.state_dict(), resumed.state_dict())


def test_checkpoints_without_position_or_estimator_are_refused(tmp_path):
    X = torch.from_numpy(_X())
    path = tmp_path / "c.safetensors"
    Trainer(epochs=1, batch_size=32, callbacks=[ModelCheckpoint(path)]).fit(
        _module(), Objective("mse"), X
    )
    with pytest.raises(ValueError, match="not written by an estimator's fit"):
        aekit.AutoEncoder(epochs=1).fit(_X(), resume=path)
    parts, header = load_checkpoint(path)
    del header["batch"]  # as written by aekit before resumable checkpoints
    with pytest.raises(ValueError, match="did not record the batch position"):
        Trainer(epochs=2, batch_size=32).fit(
            _module(), Objective("mse"), X, resume=(parts, header)
        )


def test_checkpoint_callbacks_run_last_and_every_batches_skips_epoch_ends(tmp_path):
    seen: list[tuple[int, int]] = []

    class Spy(Callback):
        def on_batch_end(self, trainer, epoch, batch):
            seen.append((epoch, batch))

    ckpt = ModelCheckpoint(tmp_path / "s{step}.safetensors", every_batches=5)
    trainer = Trainer(epochs=2, batch_size=32, callbacks=[ckpt, Spy()])
    assert trainer.callbacks[-1] is ckpt
    trainer.fit(_module(), Objective("mse"), torch.from_numpy(_X()))
    assert seen[:6] == [(0, b) for b in range(5)] + [(1, 0)]
    # 5 batches per epoch: steps 5 and 10 end epochs, written once each.
    assert [Path(p).name for p in ckpt.saved] == ["s5.safetensors", "s10.safetensors"]
    with pytest.raises(ValueError, match="every_batches"):
        ModelCheckpoint(tmp_path / "x", every_batches=0)


def test_checkpoint_removes_temporaries_of_a_killed_writer(tmp_path):
    stale = tmp_path / ".c.safetensors.k1l2.tmp"
    stale.write_bytes(b"half a checkpoint")
    other = tmp_path / ".other.safetensors.x.tmp"  # not ours: left alone
    other.write_bytes(b"")
    ckpt = ModelCheckpoint(tmp_path / "c.safetensors")
    Trainer(epochs=1, batch_size=64, callbacks=[ckpt]).fit(
        _module(), Objective("mse"), torch.from_numpy(_X())
    )
    assert not stale.exists() and other.exists()


def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch):
    path = tmp_path / "c.bin"
    atomic_write_bytes(path, b"old")

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_bytes(path, b"new" * 1000)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["c.bin"]


# ------------------------------------------------------------------- the CLI
def test_cli_checkpoint_and_resume(tmp_path, capsys):
    np.save(tmp_path / "X.npy", _X())
    argv = [
        "train",
        "--data",
        str(tmp_path / "X.npy"),
        "--code-size",
        "3",
        "--batch-size",
        "32",
        "--seed",
        "0",
        "--device",
        "cpu",
    ]
    ckpt = str(tmp_path / "s{step}.safetensors")
    assert (
        main(
            [
                *argv,
                "--epochs",
                "2",
                "--checkpoint",
                ckpt,
                "--checkpoint-every-batches",
                "3",
                "--out",
                str(tmp_path / "a"),
            ]
        )
        == 0
    )
    assert {3, 5, 6, 9, 10} <= set(_by_step(tmp_path))
    code = main(
        [
            *argv,
            "--epochs",
            "2",
            "--resume",
            str(tmp_path / "s3.safetensors"),
            "--out",
            str(tmp_path / "b"),
        ]
    )
    assert code == 0
    a = aekit.load(tmp_path / "a" / "model.safetensors")
    b = aekit.load(tmp_path / "b" / "model.safetensors")
    _assert_same(_weights(a), _weights(b))
    capsys.readouterr()
    assert main([*argv, "--resume", "--out", str(tmp_path / "c")]) == 2
    assert "--resume without a PATH" in capsys.readouterr().err
    assert main([*argv, "--checkpoint-every-batches", "2", "--out", "x"]) == 2
    assert "needs --checkpoint" in capsys.readouterr().err


# ------------------------------------------------------------------- SIGKILL
_CHILD = textwrap.dedent(
    """
    import sys, time
    import numpy as np, torch
    torch.set_num_threads(1)
    import aekit
    from aekit.train import Callback

    mode, checkpoint, out, pause_at = sys.argv[1], sys.argv[2], sys.argv[3], int(
        sys.argv[4]
    )

    class PauseAt(Callback):
        # Stops the run at a known step, mid-epoch, for the parent to kill it.
        def on_batch_end(self, trainer, epoch, batch):
            if trainer.global_step == pause_at:
                print("paused", epoch, batch, flush=True)
                time.sleep(300)

    X = np.random.RandomState(0).rand(512, 20).astype(np.float32)
    est = aekit.AutoEncoder(
        hidden_layer_sizes=(16,), code_size=4, epochs=4, batch_size=32,
        corruption="masking", noise_level=0.25, random_state=0,
    )
    est._extra_callbacks = lambda: [PauseAt()]
    if mode == "resumed":
        sys.stdin.readline()  # imported already; wait until the victim is dead
    if mode == "reference":
        est.fit(X)
    else:
        est.fit(X, checkpoint=checkpoint, checkpoint_every_batches=5, resume=True)
    est.save(out)
    print("done", flush=True)
    """
)


def _child(tmp_path: Path, mode: str, pause_at: int) -> subprocess.Popen[str]:
    script = tmp_path / "child.py"
    script.write_text(_CHILD)
    args = [str(tmp_path / "run.safetensors"), str(tmp_path / f"{mode}.safetensors")]
    return subprocess.Popen(
        [sys.executable, str(script), mode, *args, str(pause_at)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "OMP_NUM_THREADS": "1"},
    )


def test_sigkill_mid_epoch_then_resume_matches_an_uninterrupted_run(tmp_path):
    # 16 batches per epoch, checkpoints every 5 steps: killed at step 37 (epoch 3,
    # batch 5), the newest checkpoint is from step 35 (epoch 3, batch 3). All
    # three processes start at once, so their slow imports overlap.
    victim = _child(tmp_path, "killed", pause_at=37)
    reference = _child(tmp_path, "reference", pause_at=-1)
    resumed = _child(tmp_path, "resumed", pause_at=-1)
    watchdog = threading.Timer(240, victim.kill)
    watchdog.start()
    try:
        assert victim.stdout is not None and victim.stderr is not None
        line = victim.stdout.readline()
        if line.split() != ["paused", "2", "4"]:
            victim.kill()
            pytest.fail(f"the child did not pause: {line!r} {victim.stderr.read()}")
        victim.send_signal(signal.SIGKILL)
        assert victim.wait(timeout=60) == -signal.SIGKILL
        _, header = load_checkpoint(tmp_path / "run.safetensors")
        assert (header["epoch"], header["batch"], header["global_step"]) == (2, 3, 35)
        for proc, go in ((reference, ""), (resumed, "go\n")):
            out, err = proc.communicate(go, timeout=240)
            assert proc.returncode == 0, err
            assert out.strip().endswith("done")
    except BaseException:
        for proc in (victim, reference, resumed):
            proc.kill()
        raise
    finally:
        watchdog.cancel()
    a = aekit.load(tmp_path / "reference.safetensors")
    b = aekit.load(tmp_path / "resumed.safetensors")
    _assert_same(_weights(a), _weights(b))
    assert a.history_["loss"] == b.history_["loss"]
    assert b.history_["loss"][-1] < b.history_["loss"][0]
