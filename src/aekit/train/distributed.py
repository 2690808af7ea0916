"""Data-parallel training across processes: PyTorch DDP under ``torchrun``.

Every process (rank) holds the whole training set and the same model. Each step,
all ranks draw the same permutation, each takes its own equal share of the global
batch, and :class:`~torch.nn.parallel.DistributedDataParallel` averages the
gradients with an all-reduce overlapped with the backward pass (Li et al.,
"PyTorch Distributed: Experiences on Accelerating Data Parallel Training",
PVLDB 13(12), 2020), so every rank applies the same update and ends with the same
weights. See ``docs/distributed.md`` and
``docs/decisions/0010-resume-and-distributed.md``.

The :class:`~aekit.train.Trainer` switches to data-parallel training by itself
when a process group with more than one rank is initialised; this module holds the
small helpers it and the command line share.
"""

from __future__ import annotations

import datetime
import os
from typing import Any

import torch
from torch import nn

from ..losses.objective import ObjectiveOutput

_TORCHRUN_VARS = ("RANK", "WORLD_SIZE", "MASTER_ADDR", "MASTER_PORT")


def is_distributed() -> bool:
    """True inside an initialised process group of more than one rank."""
    return (
        torch.distributed.is_available()
        and torch.distributed.is_initialized()
        and torch.distributed.get_world_size() > 1
    )


def rank() -> int:
    """This process's rank in the process group (0 without one)."""
    return torch.distributed.get_rank() if is_distributed() else 0


def world_size() -> int:
    """Number of ranks (1 without a process group)."""
    return torch.distributed.get_world_size() if is_distributed() else 1


def is_main_process() -> bool:
    """True on rank 0, which alone logs, shows progress bars and writes files."""
    return rank() == 0


def init_from_env(device: str | None = None) -> bool:
    """Join the process group described by ``torchrun``'s environment variables.

    The backend is NCCL when the processes train on CUDA and gloo on the CPU;
    each CUDA process uses the GPU numbered by ``LOCAL_RANK``.

    Parameters
    ----------
    device : str, optional
        The estimator's ``device`` parameter (``None`` or ``"auto"``: CUDA when
        available).

    Returns
    -------
    bool
        True when this call created the group (the caller should then
        :func:`shutdown` it); False when one was already initialised.

    Raises
    ------
    ValueError
        When the environment variables set by ``torchrun`` are missing.
    """
    if not torch.distributed.is_available():
        raise ValueError("this PyTorch build has no torch.distributed support")
    if torch.distributed.is_initialized():
        return False
    missing = [name for name in _TORCHRUN_VARS if name not in os.environ]
    if missing:
        raise ValueError(
            "--distributed needs the environment set by torchrun (missing "
            f"{', '.join(missing)}); launch with e.g. `torchrun --nproc-per-node 2 "
            "-m aekit train --distributed ...`"
        )
    use_cuda = (device in (None, "auto") and torch.cuda.is_available()) or str(
        device
    ).startswith("cuda")
    if use_cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    torch.distributed.init_process_group(
        backend="nccl" if use_cuda else "gloo",
        # A rank that dies makes the others wait in a collective; fail within
        # minutes rather than the default half hour so torchrun can restart them.
        timeout=datetime.timedelta(
            seconds=float(os.environ.get("AEKIT_DIST_TIMEOUT", "600"))
        ),
    )
    return True


def shutdown() -> None:
    """Leave the process group (after the last collective)."""
    if torch.distributed.is_available() and torch.distributed.is_initialized():
        torch.distributed.destroy_process_group()


def broadcast_object(obj: Any, src: int = 0) -> Any:
    """``obj`` from rank ``src`` on every rank (itself without a process group)."""
    if not is_distributed():
        return obj
    box = [obj]
    torch.distributed.broadcast_object_list(box, src=src)
    return box[0]


def all_gather_object(obj: Any) -> list[Any]:
    """Every rank's ``obj``, in rank order (``[obj]`` without a process group)."""
    if not is_distributed():
        return [obj]
    out: list[Any] = [None] * world_size()
    torch.distributed.all_gather_object(out, obj)
    return out


def all_reduce(tensor: torch.Tensor, op: str = "sum") -> torch.Tensor:
    """``tensor`` reduced over the ranks (``"sum"``, ``"min"`` or ``"max"``).

    Returns a tensor on ``tensor``'s device; without a process group, ``tensor``.
    """
    if not is_distributed():
        return tensor
    ops = {
        "sum": torch.distributed.ReduceOp.SUM,
        "min": torch.distributed.ReduceOp.MIN,
        "max": torch.distributed.ReduceOp.MAX,
    }
    # NCCL reduces only tensors on the process's GPU, gloo any CPU tensor.
    if torch.distributed.get_backend() == "nccl":
        device = torch.device("cuda", torch.cuda.current_device())
    else:
        device = torch.device("cpu")
    work = tensor.to(device, copy=True)
    torch.distributed.all_reduce(work, op=ops[op])
    return work.to(tensor.device)


def rank_seed(seed: int, rank: int) -> int:
    """A seed for ``rank``'s own random stream, derived from the shared ``seed``.

    Rank 0 keeps ``seed`` itself, so a one-process run draws what a run without
    a process group draws; NumPy's ``SeedSequence`` mixes the two numbers into
    well-spread, unrelated streams for the other ranks.
    """
    if rank == 0:
        return seed
    import numpy as np

    state = np.random.SeedSequence([int(seed), int(rank)]).generate_state(1, np.uint64)
    return int(state[0]) & 0x7FFFFFFFFFFFFFFF


class StepModule(nn.Module):
    """The whole objective as one module, so that DDP sees every parameter use.

    DDP only arms its gradient all-reduce inside its own ``forward``. Objectives
    call other methods of the network too (a VAE's ``encode_distribution`` and
    ``decode_logits``, a contractive penalty's encoder), so the network alone
    cannot be the wrapped module: this wrapper's ``forward`` runs the full step.
    """

    def __init__(self, module: nn.Module, step: Any) -> None:
        super().__init__()
        self.module = module
        self.step = step

    def forward(self, batch: Any) -> ObjectiveOutput:
        out: ObjectiveOutput = self.step(self.module, batch, train=True)
        return out


def wrap(module: nn.Module, step: Any, device: torch.device) -> nn.Module:
    """``module`` and ``step`` wrapped for data-parallel training on ``device``.

    The wrapper broadcasts rank 0's parameters and buffers to the other ranks
    when it is built, so the ranks start from identical weights even if their
    initialisations differed.
    """
    from torch.nn.parallel import DistributedDataParallel

    device_ids = [device.index] if device.type == "cuda" else None
    return DistributedDataParallel(StepModule(module, step), device_ids=device_ids)
