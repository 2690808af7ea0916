"""Data-parallel training: two gloo processes on the CPU, launched by torchrun."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch
from safetensors.torch import load_file

import aekit
from aekit.cli import main
from aekit.io import load_checkpoint
from aekit.train import Trainer
from aekit.train.distributed import rank_seed

needs_gloo = pytest.mark.skipif(
    not (torch.distributed.is_available() and torch.distributed.is_gloo_available()),
    reason="this PyTorch build has no gloo backend",
)

# Runs `aekit train` once per argument (a JSON list: tag, then the argv) in each
# rank, and keeps every rank's final weights and history under OUT/tag-rankR.
# The first job's --distributed joins the process group, which is kept for the
# later jobs: destroying it and creating it again in the same processes now and
# then hung in the first collective, while one group per process is what the
# command line does in real use.
_WORKER = textwrap.dedent(
    """
    import json, os, sys
    import torch
    from safetensors.torch import save_file
    import aekit.estimators.base as base
    from aekit.cli import main
    from aekit.train import distributed

    torch.set_num_threads(1)
    out, rank, fit = sys.argv[1], os.environ["RANK"], base.BaseAutoEncoder.fit
    shutdown, distributed.shutdown = distributed.shutdown, lambda: None

    def keep_every_rank(self, *args, **kwargs):
        result = fit(self, *args, **kwargs)
        state = {k: v.contiguous() for k, v in self.module_.state_dict().items()}
        save_file(state, f"{out}/{tag}-rank{rank}.safetensors")
        with open(f"{out}/{tag}-rank{rank}.json", "w") as fh:
            json.dump(self.history_, fh)
        return result

    base.BaseAutoEncoder.fit = keep_every_rank
    for job in sys.argv[2:]:
        tag, *argv = json.loads(job)
        code = main(argv)
        if code:
            sys.exit(code)
    shutdown()
    """
)

N, D, BATCH = 256, 12, 32


def _X() -> np.ndarray:
    return np.random.RandomState(0).rand(N, D).astype(np.float32)


def _common(data: Path, *model: str) -> list[str]:
    return [
        "train",
        "--distributed",
        "--data",
        str(data),
        *(model or ("--hidden", "8", "--code-size", "3")),
        "--epochs",
        "3",
        "--batch-size",
        str(BATCH),
        "--seed",
        "0",
        "--device",
        "cpu",
    ]


@pytest.fixture(scope="module")
def ddp_run(tmp_path_factory):
    """One ``torchrun --nproc-per-node 2`` launch running four trainings."""
    root = tmp_path_factory.mktemp("ddp")
    np.save(root / "X.npy", _X())
    (root / "worker.py").write_text(_WORKER)
    common = _common(root / "X.npy")
    noisy = [*common, "--corruption", "masking", "--noise-level", "0.2"]
    noisy += ["--validation-fraction", "0.25"]
    jobs = {
        # Denoising with validation, checkpointed every 2 steps.
        "a": [
            *noisy,
            "--checkpoint",
            str(root / "s{step}.safetensors"),
            "--checkpoint-every-batches",
            "2",
            "--out",
            str(root / "a"),
        ],
        # The same run resumed from a mid-epoch checkpoint (epoch 2, batch 2).
        "b": [
            *noisy,
            "--resume",
            str(root / "s8.safetensors"),
            "--out",
            str(root / "b"),
        ],
        # No noise, no validation: comparable with one process.
        "c": [*common, "--out", str(root / "c")],
        # A VAE, whose objective calls the network's methods besides forward.
        "d": [
            *_common(root / "X.npy", "--model", "vae", "--hidden", "8"),
            "--latent-dim",
            "2",
            "--out",
            str(root / "d"),
        ],
    }
    # A lost rank makes the others fail within two minutes instead of ten.
    env = {**os.environ, "OMP_NUM_THREADS": "1", "AEKIT_DIST_TIMEOUT": "120"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "torch.distributed.run",
            "--standalone",
            "--nproc-per-node",
            "2",
            str(root / "worker.py"),
            str(root),
            *(json.dumps([tag, *argv]) for tag, argv in jobs.items()),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        start_new_session=True,  # so a timeout can stop the workers too
    )
    try:
        stdout, stderr = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        stdout, stderr = proc.communicate()
        pytest.fail(f"torchrun timed out:\n{stdout}{stderr}")
    assert proc.returncode == 0, stdout + stderr
    return root, stdout


def _rank_weights(root: Path, tag: str) -> list[dict[str, torch.Tensor]]:
    return [load_file(root / f"{tag}-rank{r}.safetensors") for r in (0, 1)]


def _history(root: Path, tag: str, rank: int) -> dict[str, list[float]]:
    return json.loads((root / f"{tag}-rank{rank}.json").read_text())


def _assert_same(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key


@needs_gloo
@pytest.mark.parametrize("tag", ["a", "b", "c", "d"])
def test_every_rank_ends_with_the_same_weights_and_history(ddp_run, tag):
    root, _ = ddp_run
    rank0, rank1 = _rank_weights(root, tag)
    _assert_same(rank0, rank1)
    h0, h1 = _history(root, tag, 0), _history(root, tag, 1)
    assert h0 == h1
    assert h0["loss"][-1] < h0["loss"][0]


@needs_gloo
def test_rank_zero_alone_writes_and_reports(ddp_run):
    root, stdout = ddp_run
    assert stdout.count("trained 3 epochs") == 4
    assert "on 2 processes" in stdout
    for tag in "abcd":
        assert (root / tag / "model.safetensors").is_file()
    parts, header = load_checkpoint(root / "s8.safetensors")
    assert header["world_size"] == 2 and len(parts["ranks"]) == 2
    assert (header["epoch"], header["batch"]) == (1, 2)
    # The ranks corrupt their samples with their own noise streams.
    noise0, noise1 = (rank["step"][0] for rank in parts["ranks"])
    assert not torch.equal(noise0, noise1)


@needs_gloo
def test_resumed_ddp_run_is_bit_identical(ddp_run):
    root, _ = ddp_run
    _assert_same(_rank_weights(root, "a")[0], _rank_weights(root, "b")[0])
    assert _history(root, "a", 0)["val_loss"] == _history(root, "b", 0)["val_loss"]


@needs_gloo
def test_two_ranks_match_one_process_with_the_same_global_batch(ddp_run):
    """DDP averages the ranks' gradients: the global batch's mean gradient."""
    root, _ = ddp_run
    ddp = _rank_weights(root, "c")[0]
    torch.set_num_threads(1)
    single = aekit.AutoEncoder(
        hidden_layer_sizes=(8,),
        code_size=3,
        epochs=3,
        batch_size=BATCH,
        random_state=0,
        device="cpu",
    ).fit(_X())
    for key, value in single.module_.state_dict().items():
        torch.testing.assert_close(ddp[key], value, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(
        _history(root, "c", 0)["loss"], single.history_["loss"], rtol=1e-5
    )


def test_distributed_needs_torchrun(tmp_path, monkeypatch, capsys):
    for name in ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT"):
        monkeypatch.delenv(name, raising=False)
    np.save(tmp_path / "X.npy", _X())
    argv = [*_common(tmp_path / "X.npy"), "--out", str(tmp_path / "out")]
    assert main(argv) == 2
    assert "launch with e.g. `torchrun" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_batch_plan_cuts_global_batches_into_equal_shares():
    trainer = Trainer(epochs=1, batch_size=10)
    trainer.world_size = 3
    # 25 samples: global batches of 10, 10 and 5; 3 ranks get 3, 3 and 1 each.
    plans = []
    for rank in range(3):
        trainer.rank = rank
        plans.append(trainer._batch_plan(25))
    assert plans[0] == [(0, 3), (10, 3), (20, 1)]
    assert plans[2] == [(6, 3), (16, 3), (22, 1)]
    used = {
        i for plan in plans for start, size in plan for i in range(start, start + size)
    }
    assert len(used) == 21  # one sample of each global batch sits this step out
    trainer.batch_size = 2
    with pytest.raises(ValueError, match="at least 3"):
        trainer._batch_plan(25)


def test_rank_seeds():
    assert rank_seed(7, 0) == 7
    seeds = {rank_seed(7, r) for r in range(1, 8)} | {rank_seed(8, 1)}
    assert len(seeds) == 8 and 7 not in seeds
    assert all(0 <= s < 2**63 for s in seeds)
