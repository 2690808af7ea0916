"""One training loop for every autoencoder family.

Batches are sliced from a tensor that lives on the training device (no
``DataLoader``, no per-sample Python work), so small models on a laptop CPU are
limited by arithmetic rather than by the framework.
"""

from __future__ import annotations

import contextlib
import copy
import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import torch
from torch import nn

from ..data.stream import StreamingData
from ..exceptions import TrainingError
from ..losses.objective import ObjectiveOutput
from . import allocator, distributed
from .callbacks import Callback, History, ModelCheckpoint
from .precision import autocast, check_precision, compiled_forward, make_scaler

logger = logging.getLogger("aekit")

StepFn = Callable[..., ObjectiveOutput]
#: Training data: one tensor, several sliced with the same batch indices, or a
#: stream of blocks read from disk (:class:`aekit.data.stream.StreamingData`).
Data = torch.Tensor | tuple[torch.Tensor, ...] | StreamingData

OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "adam": torch.optim.Adam,
    "adamw": torch.optim.AdamW,
    "sgd": torch.optim.SGD,
    "rmsprop": torch.optim.RMSprop,
    "adadelta": torch.optim.Adadelta,
    "adagrad": torch.optim.Adagrad,
}


def make_optimizer(
    name: str, params: Any, learning_rate: float
) -> torch.optim.Optimizer:
    """Build optimizer ``name`` (a key of ``OPTIMIZERS``) over ``params``."""
    try:
        cls = OPTIMIZERS[name]
    except KeyError:
        known = ", ".join(sorted(OPTIMIZERS))
        raise ValueError(
            f"unknown optimizer {name!r}; choose one of: {known}"
        ) from None
    params = list(params)
    try:
        # Fused kernels (one op per step for all parameters) are markedly faster
        # for small models on CPU; older torch or other devices may lack them.
        return cls(params, lr=learning_rate, fused=True)  # type: ignore[call-arg]
    except (TypeError, RuntimeError, ValueError):
        return cls(params, lr=learning_rate)  # type: ignore[call-arg]


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"`` → CUDA when available, else CPU; anything else is checked.

    In a data-parallel run an unnumbered ``"cuda"`` means this process's own GPU
    (the current device, which ``torchrun`` launches set to ``LOCAL_RANK``).
    """
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and distributed.is_distributed():
        return torch.device("cuda", torch.cuda.current_device())
    try:
        resolved = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got {device!r}"
        ) from None
    if resolved.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device {device!r} was requested but CUDA is not available")
    return resolved


class Trainer:
    """Mini-batch training with callbacks, NaN guard, reproducible shuffling,
    resumable checkpoints and data-parallel training.

    Parameters
    ----------
    epochs : int
        Number of passes over the training data.
    batch_size : int
        Samples per optimisation step (the last batch may be smaller). Under
        data-parallel training this is the *global* batch, split evenly over the
        ranks (see :mod:`aekit.train.distributed`).
    optimizer : str
        Name of a ``torch.optim`` optimizer, see ``OPTIMIZERS``.
    learning_rate : float
        Optimizer learning rate.
    seed : int
        Seeds the shuffling generator; with the same module initialisation the run
        is bit-for-bit reproducible on CPU. Every rank of a data-parallel run must
        pass the same seed: they draw the same permutation and each takes its share.
    callbacks : sequence of Callback
        Extra callbacks; a :class:`History` is always added. Checkpoint callbacks
        run after all others, so a checkpoint holds the state they leave behind.
    verbose : int
        0 silent, 1 a progress bar over epochs, 2 also a bar over batches (on
        rank 0 only under data-parallel training).
    eval_batch_size : int
        Batch size used for validation passes.
    precision : {"fp32", "bf16", "fp16"}
        Number format of the forward pass: ``"bf16"`` and ``"fp16"`` run it
        under :func:`torch.autocast` (weights, gradients and optimizer state stay
        float32; loss terms are accumulated in float32); ``"fp16"`` also scales
        the loss (see :func:`aekit.train.precision.make_scaler`) and needs CUDA.
    compile : bool
        Run the module's ``forward`` through :func:`torch.compile` during
        training; a failure to compile warns once and training continues eagerly.

    Notes
    -----
    A step may expose ``step.generators``, the ``torch.Generator`` objects it
    draws noise from (as :class:`aekit.losses.Objective` does). Checkpoints save
    their states and a resumed run restores them, so its noise continues exactly
    where the interrupted run's stopped. Under data-parallel training each rank
    reseeds them with :func:`~aekit.train.distributed.rank_seed`, so the ranks
    corrupt their samples independently.

    When a ``torch.distributed`` process group of more than one rank is
    initialised, :meth:`fit` trains data-parallel with
    :class:`~torch.nn.parallel.DistributedDataParallel` (Li et al., "PyTorch
    Distributed: Experiences on Accelerating Data Parallel Training", PVLDB
    13(12), 2020): every rank must call it with the same data, seed and
    settings; all end with identical weights and identical history.
    """

    def __init__(
        self,
        *,
        epochs: int,
        batch_size: int,
        optimizer: str = "adam",
        learning_rate: float = 1e-3,
        seed: int = 0,
        callbacks: Sequence[Callback] = (),
        verbose: int = 0,
        eval_batch_size: int = 4096,
        precision: str = "fp32",
        compile: bool = False,
    ) -> None:
        check_precision(precision)
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer_name = optimizer
        self.learning_rate = learning_rate
        self.seed = seed
        self.history = History()
        checkpoints = [cb for cb in callbacks if isinstance(cb, ModelCheckpoint)]
        others = [cb for cb in callbacks if not isinstance(cb, ModelCheckpoint)]
        self.callbacks: list[Callback] = [self.history, *others, *checkpoints]
        self.verbose = verbose
        self.eval_batch_size = eval_batch_size
        self.precision = precision
        self.compile = compile
        #: Check each step's loss for NaN/inf one step late, without waiting
        #: for the GPU (see :meth:`_late_guard`); ``None``: on CUDA only.
        self.defer_finite_check: bool | None = None
        #: The float16 gradient scaler of the run under way (None otherwise).
        self.scaler: torch.amp.GradScaler | None = None
        self.device = torch.device("cpu")
        self.stop_training = False
        #: The epoch being trained (0-based).
        self.epoch = 0
        #: Epochs completed, and batches completed in the epoch under way.
        self.epochs_done = 0
        self.batch = 0
        #: Optimisation steps since the start of training (across resumes).
        self.global_step = 0
        self.batches_per_epoch = 0
        self.n_samples = 0
        self._plan: list[tuple[int, int]] = []
        self.rank, self.world_size = 0, 1
        #: Extra JSON-able entries for checkpoint headers (the estimator's config).
        self.checkpoint_meta: dict[str, Any] = {}
        self.module: nn.Module = nn.Identity()
        self.optimizer: torch.optim.Optimizer | None = None
        self.generator = torch.Generator()
        self.step_generators: list[torch.Generator] = []
        self._epoch_rng_state: torch.Tensor | None = None
        self._sums: dict[str, torch.Tensor] = {}
        self._count = 0
        self._epoch_start = 0.0
        self._elapsed_in_epoch = 0.0

    def fit(
        self,
        module: nn.Module,
        step: StepFn,
        X: Data,
        X_val: torch.Tensor | StreamingData | None = None,
        description: str = "training",
        resume: Any = None,
    ) -> dict[str, list[float]]:
        """Train ``module`` in place to minimise ``step(module, batch).total``.

        Parameters
        ----------
        module : nn.Module
            Already on the same device as ``X``.
        step : callable
            ``step(module, batch, train=bool) -> ObjectiveOutput``.
        X : Tensor, tuple of Tensor or StreamingData
            Training data, first dimension = samples; a tuple (e.g. noisy inputs
            and clean targets) is batched with the same indices. A
            :class:`~aekit.data.stream.StreamingData` is read from disk block by
            block, in a shuffled block order with each block shuffled; its
            global batches are cut into the ranks' shares exactly like those of
            a tensor, and a mid-epoch resume re-reads only the blocks it needs.
        X_val : Tensor or StreamingData, optional
            Validation data.
        description : str
            Label of the progress bar (e.g. which layer greedy pretraining trains).
        resume : path-like or tuple, optional
            A checkpoint written by :class:`ModelCheckpoint` for this module,
            data and settings (a path, or the ``(parts, header)`` pair of
            :func:`aekit.io.load_checkpoint`): training continues at the batch
            after the one it recorded, with the optimizer, random generators,
            history and callback states it saved, and ends with the weights an
            uninterrupted run would have (bit for bit on CPU with the same number
            of threads).

        Returns
        -------
        dict of list of float
            The per-epoch history (``loss``, ``val_loss``, each term, ``epoch_time``).

        Raises
        ------
        TrainingError
            When a loss term becomes NaN or infinite; the module keeps the last
            weights that were finite.
        ValueError
            When ``resume`` was written for other data or another batch size.
        """
        self.module = module
        self.optimizer = make_optimizer(
            self.optimizer_name, module.parameters(), self.learning_rate
        )
        self.generator.manual_seed(self.seed)
        self.stop_training = False
        self.epoch = self.epochs_done = self.batch = self.global_step = 0
        self._sums, self._count, self._elapsed_in_epoch = {}, 0, 0.0
        self.rank, self.world_size = distributed.rank(), distributed.world_size()
        self.step_generators = list(getattr(step, "generators", ()))
        if self.world_size > 1:
            for g in self.step_generators:
                g.manual_seed(distributed.rank_seed(g.initial_seed(), self.rank))
        self.device = _device_of(X)
        check_precision(self.precision, self.device)
        self.scaler = make_scaler(self.precision, self.device)
        self.n_samples = _n_samples(X)
        self._plan = self._batch_plan(self.n_samples)
        self.batches_per_epoch = len(self._plan)
        for cb in self.callbacks:
            cb.on_train_begin(self)
        if resume is not None:
            self._restore(resume)
        if self.device.type == "cpu":
            allocator.retain_freed_memory()
        try:
            with compiled_forward(module, self.compile):
                self._run_epochs(module, step, X, X_val, description)
        finally:
            allocator.release_free_memory()
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.history.history

    def _run_epochs(
        self,
        module: nn.Module,
        step: StepFn,
        X: Data,
        X_val: torch.Tensor | StreamingData | None,
        description: str,
    ) -> None:
        from tqdm.auto import tqdm

        train_step = (
            distributed.wrap(module, step, self.device) if self.world_size > 1 else None
        )
        verbose = self.verbose if self.rank == 0 else 0
        epochs = tqdm(
            range(self.epochs_done, self.epochs),
            desc=description,
            unit="epoch",
            initial=self.epochs_done,
            total=self.epochs,
            disable=verbose < 1,
            leave=verbose >= 1,
        )
        for epoch in epochs:
            if self.stop_training:  # resumed from a run that had stopped early
                break
            self.epoch = epoch
            self._epoch_start = time.perf_counter() - self._elapsed_in_epoch
            with flush_denormal():
                logs = self._train_epoch(module, step, train_step, X, epoch, verbose)
            if X_val is not None and _n_samples(X_val):
                for key, value in self.evaluate(module, step, X_val).items():
                    logs[f"val_{key}"] = value
            elapsed = torch.tensor([time.perf_counter() - self._epoch_start])
            # The slowest rank's time, so that every rank records the same history.
            logs["epoch_time"] = float(distributed.all_reduce(elapsed, "max")[0])
            self._elapsed_in_epoch = 0.0
            self.epochs_done, self.batch = epoch + 1, 0
            epochs.set_postfix(
                {k: f"{v:.4g}" for k, v in logs.items() if k in ("loss", "val_loss")}
            )
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
            if self.world_size > 1:
                # One rank leaving the loop alone would leave the others waiting
                # in a collective; stop together if any callback asked to.
                flag = torch.tensor([float(self.stop_training)])
                self.stop_training = bool(distributed.all_reduce(flag, "max")[0])
            if self.stop_training:
                break

    def _batch_plan(self, n: int) -> list[tuple[int, int]]:
        """``(offset, size)`` into the epoch's permutation of this rank's batches.

        Global batch ``[s, s + batch_size)`` of the permutation is cut into
        ``world_size`` equal, contiguous shares, one per rank; the few samples
        that do not divide evenly (fewer than ``world_size``) are left out of that
        step. Equal shares make DDP's average of the ranks' mean gradients the
        mean gradient of the whole global batch.
        """
        W = self.world_size
        if self.batch_size < W:
            raise ValueError(
                f"batch_size={self.batch_size} is the global batch, split over "
                f"{W} processes; it must be at least {W}"
            )
        if self.batch_size % W and self.rank == 0:
            logger.warning(
                "batch_size=%d does not divide over %d processes: each step uses "
                "%d samples",
                self.batch_size,
                W,
                self.batch_size // W * W,
            )
        plan = []
        for start in range(0, n, self.batch_size):
            share = (min(start + self.batch_size, n) - start) // W
            if share:
                plan.append((start + self.rank * share, share))
        if not plan:
            raise ValueError(f"{n} training samples cannot be split over {W} ranks")
        return plan

    def _train_epoch(
        self,
        module: nn.Module,
        step: StepFn,
        train_step: nn.Module | None,
        X: Data,
        epoch: int,
        verbose: int,
    ) -> dict[str, float]:
        from tqdm.auto import tqdm

        assert self.optimizer is not None
        module.train()
        if train_step is not None:
            train_step.train()
        if self.batch == 0:
            self._epoch_rng_state = self.generator.get_state()
            self._sums, self._count = {}, 0
        else:
            # Resumed mid-epoch: draw this epoch's permutation again from the
            # generator state saved at its start, then skip the finished batches.
            assert self._epoch_rng_state is not None
            self.generator.set_state(self._epoch_rng_state)
        sums = self._sums
        safe_state = _snapshot(module)
        batch_callbacks = [
            cb
            for cb in self.callbacks
            if type(cb).on_batch_end is not Callback.on_batch_end
        ]
        batches = tqdm(
            self._plan[self.batch :],
            desc=f"epoch {epoch + 1}",
            unit="batch",
            initial=self.batch,
            total=len(self._plan),
            disable=verbose < 2,
            leave=False,
        )
        guard = self._late_guard(train_step, batch_callbacks)
        for (_, size), batch in zip(batches, self._epoch_batches(X), strict=True):
            if train_step is None:
                with autocast(self.precision, self.device):
                    out = step(module, batch, train=True)
                if guard is None:
                    finite = bool(torch.isfinite(out.total))
                else:
                    failed = guard.push(out, self.batch, self.optimizer)
                    if failed is not None:
                        self._fail(failed[0], epoch, failed[1], safe_state)
                    finite = True
            else:
                with autocast(self.precision, self.device):
                    out = train_step(batch)
                # Every rank must take the same branch: a rank that raised alone
                # would leave the others waiting in the gradient all-reduce.
                ok = torch.isfinite(out.total.detach()).float().reshape(1)
                finite = bool(distributed.all_reduce(ok, "min")[0])
            if not finite:
                self._fail(out, epoch, self.batch, safe_state)
            self.optimizer.zero_grad(set_to_none=True)
            if self.scaler is None:
                out.total.backward()
                self.optimizer.step()
            else:
                # Micikevicius et al. (2018): scale so float16 gradients do not
                # underflow; steps whose gradients overflowed are skipped.
                self.scaler.scale(out.total).backward()
                self.scaler.step(self.optimizer)
                self.scaler.update()
            weight = float(size)
            for key, value in _named_terms(out).items():
                # float32 sums whatever the autocast dtype of the term.
                acc = value.detach().float() * weight
                sums[key] = sums[key] + acc if key in sums else acc
            self._count += size
            self.batch += 1
            self.global_step += 1
            for cb in batch_callbacks:
                cb.on_batch_end(self, epoch, self.batch - 1)
        if guard is not None:
            failed = guard.finish(self.optimizer)
            if failed is not None:
                self._fail(failed[0], epoch, failed[1], safe_state)
        keys = list(sums)
        if self.world_size > 1:
            total = torch.stack([sums[k].float() for k in keys])
            total = distributed.all_reduce(total)
            # Every rank runs the same plan of equal shares: W times this count.
            count = self._count * self.world_size
            logs = {k: float(v) / count for k, v in zip(keys, total, strict=True)}
        else:
            logs = {k: float(sums[k]) / self._count for k in keys}
        self._sums, self._count = {}, 0
        return logs

    def _late_guard(
        self, train_step: nn.Module | None, batch_callbacks: list[Callback]
    ) -> _LateGuard | None:
        """The one-step-late NaN/inf guard where it applies (see :class:`_LateGuard`).

        Only on CUDA, for a single process without float16 loss scaling, with an
        optimizer that can skip a step on the device (the fused ones), and when
        no callback acts after each batch (a batch checkpoint must never hold a
        step that has not been checked yet). ``defer_finite_check`` forces it
        on or off (tests run it on the CPU).
        """
        wanted = self.defer_finite_check
        if wanted is None:
            wanted = self.device.type == "cuda"
        if (
            not wanted
            or train_step is not None
            or self.scaler is not None
            or batch_callbacks
            or not getattr(self.optimizer, "_step_supports_amp_scaling", False)
        ):
            return None
        return _LateGuard(self.device)

    def _epoch_batches(self, X: Data) -> Iterator[Data]:
        """This rank's batches of the epoch, from batch ``self.batch`` on.

        Global batch ``i`` covers positions ``[i * batch_size, (i + 1) *
        batch_size)`` of the epoch's order; plan entry ``i`` is this rank's share
        of it (entries are only ever dropped at the end, see :meth:`_batch_plan`).
        """
        first = self.batch
        plan = self._plan[first:]
        if isinstance(X, StreamingData):
            stream = X.batches(self.generator, self.batch_size, skip=first)
            # The plan may drop a last batch too small to share; the stream does not.
            pairs = zip(plan, stream, strict=False)
            for i, ((offset, size), batch) in enumerate(pairs):
                lo = offset - (first + i) * self.batch_size
                yield batch[lo : lo + size]
            return
        # Shuffle with a CPU generator so the order is identical on every device.
        order = torch.randperm(self.n_samples, generator=self.generator)
        order = order.to(_first(X).device)
        for offset, size in plan:
            yield _select(X, order[offset : offset + size])

    @torch.no_grad()
    def evaluate(
        self, module: nn.Module, step: StepFn, X: torch.Tensor | StreamingData
    ) -> dict[str, float]:
        """Mean of every loss term over ``X`` in eval mode, without corruption.

        Under data-parallel training each rank scores a contiguous share of a
        tensor ``X`` and the sums are all-reduced, so every rank returns the same
        values; a streamed ``X`` is scored whole by every rank (the same values
        too, without any collective).
        """
        was_training = module.training
        module.eval()
        n = _n_samples(X)
        W = distributed.world_size()
        lo, hi = 0, n
        if W > 1 and n >= W and not isinstance(X, StreamingData):
            r = distributed.rank()
            lo, hi = n * r // W, n * (r + 1) // W
        if isinstance(X, StreamingData):
            batches: Iterator[torch.Tensor] = X.sequential(self.eval_batch_size)
        else:
            batches = (
                X[start : min(start + self.eval_batch_size, hi)]
                for start in range(lo, hi, self.eval_batch_size)
            )
        sums: dict[str, float] = {}
        for batch in batches:
            with autocast(self.precision, _device_of(X)):
                out = step(module, batch, train=False)
            for key, value in _named_terms(out).items():
                sums[key] = sums.get(key, 0.0) + float(value) * batch.shape[0]
        module.train(was_training)
        if (lo, hi) != (0, n):
            keys = list(sums)
            packed = distributed.all_reduce(
                torch.tensor([sums[k] for k in keys], dtype=torch.float64)
            )
            sums = dict(zip(keys, packed.tolist(), strict=True))
        return {k: v / n for k, v in sums.items()}

    # ------------------------------------------------------------ checkpoints
    def checkpoint_state(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        """Everything a resumed run needs, as tensors and a JSON-able header.

        Under data-parallel training every rank must call it at the same point
        (it gathers each rank's random states and partial loss sums); the result
        is the same on every rank. See :func:`aekit.io.save_checkpoint`.
        """
        device = next(iter(self.module.parameters()), torch.empty(0)).device
        local = {
            "torch": torch.get_rng_state(),
            "cuda": torch.cuda.get_rng_state(device) if device.type == "cuda" else None,
            "step": [g.get_state() for g in self.step_generators],
            "sums": {k: v.detach().cpu() for k, v in self._sums.items()},
            "count": self._count,
        }
        tensors = {f"module.{k}": v for k, v in self.module.state_dict().items()}
        optim_meta: dict[str, Any] = {}
        if self.optimizer is not None:
            sd = self.optimizer.state_dict()
            scalars: dict[str, Any] = {}
            for pid, state in sd["state"].items():
                for key, value in state.items():
                    if torch.is_tensor(value):
                        tensors[f"optim.{pid}.{key}"] = value
                    else:
                        scalars[f"{pid}.{key}"] = value
            optim_meta = {"param_groups": sd["param_groups"], "scalars": scalars}
        tensors["rng.shuffle"] = self.generator.get_state()
        # The state this epoch's permutation was drawn from (at an epoch's end:
        # the state the next one will be drawn from).
        epoch_state = self._epoch_rng_state if self.batch else None
        tensors["rng.epoch"] = (
            epoch_state if epoch_state is not None else self.generator.get_state()
        )
        ranks = []
        for r, state in enumerate(distributed.all_gather_object(local)):
            tensors[f"rank.{r}.rng.torch"] = state["torch"]
            if state["cuda"] is not None:
                tensors[f"rank.{r}.rng.cuda"] = state["cuda"]
            for i, g_state in enumerate(state["step"]):
                tensors[f"rank.{r}.rng.step.{i}"] = g_state
            for key, value in state["sums"].items():
                tensors[f"rank.{r}.sum.{key}"] = value
            ranks.append(
                {
                    "step_generators": len(state["step"]),
                    "sums": list(state["sums"]),
                    "count": state["count"],
                    "cuda_rng": state["cuda"] is not None,
                }
            )
        callbacks = []
        for i, cb in enumerate(self.callbacks):
            cb_json, cb_tensors = _split_state(cb.state_dict())
            tensors.update({f"callback.{i}.{k}": v for k, v in cb_tensors.items()})
            callbacks.append({"class": type(cb).__name__, "state": cb_json})
        header = {
            "epoch": self.epochs_done,
            "batch": self.batch,
            "global_step": self.global_step,
            "stopped": bool(self.stop_training),
            "elapsed_in_epoch": (
                time.perf_counter() - self._epoch_start if self.batch else 0.0
            ),
            "epochs": self.epochs,
            "batch_size": self.batch_size,
            "seed": self.seed,
            "n_samples": self.n_samples,
            "world_size": self.world_size,
            "optimizer_name": self.optimizer_name,
            "optimizer": optim_meta,
            "precision": self.precision,
            # Plain numbers (scale, growth tracker, ...): JSON, not tensors.
            "scaler": None if self.scaler is None else self.scaler.state_dict(),
            "history": self.history.history,
            "ranks": ranks,
            "callbacks": callbacks,
            **self.checkpoint_meta,
        }
        return tensors, header

    def _restore(self, resume: Any) -> None:
        """Load a checkpoint into the freshly set-up trainer (see :meth:`fit`)."""
        checkpoint = resume if isinstance(resume, tuple) else read_checkpoint(resume)
        parts, header = checkpoint
        where = f"checkpoint {parts.get('path', '')}".rstrip()
        if "batch" not in header:
            raise ValueError(
                f"{where} was written by aekit {header.get('aekit_version', '?')}, "
                "which did not record the batch position; it cannot be resumed"
            )
        for key, mine in (
            ("n_samples", self.n_samples),
            ("batch_size", self.batch_size),
            ("optimizer_name", self.optimizer_name),
            ("precision", self.precision),
        ):
            # Checkpoints from before mixed precision trained in float32.
            if header.get(key, "fp32") != mine:
                raise ValueError(
                    f"{where} was written with {key}={header[key]!r}, but this run "
                    f"has {key}={mine!r}; resume with the same data and settings"
                )
        assert self.optimizer is not None
        try:
            self.module.load_state_dict(parts["module"])
            self.optimizer.load_state_dict(parts["optimizer"])
        except (RuntimeError, ValueError, KeyError) as exc:
            raise ValueError(f"{where} does not fit this model: {exc}") from None
        for group in self.optimizer.param_groups:
            for key, value in group.items():
                if isinstance(value, list) and key != "params":
                    group[key] = tuple(value)  # JSON turned betas into a list
        if self.scaler is not None and header.get("scaler"):
            self.scaler.load_state_dict(header["scaler"])
        self.generator.set_state(parts["rng"])
        self._epoch_rng_state = parts["rng_epoch"]
        self.epochs_done = self.epoch = int(header["epoch"])
        self.batch = int(header["batch"])
        self.global_step = int(header["global_step"])
        self.stop_training = bool(header["stopped"])
        self._elapsed_in_epoch = float(header.get("elapsed_in_epoch", 0.0))
        self.history.history = copy.deepcopy(header["history"])
        self._restore_rank_state(parts, header)
        states = header.get("callbacks", [])
        for i, cb in enumerate(self.callbacks):
            if i < len(states) and states[i]["class"] == type(cb).__name__:
                cb.load_state_dict(
                    {**states[i]["state"], **parts["callbacks"].get(i, {})}
                )
            else:
                logger.warning(
                    "%s has no state for callback %d (%s); it starts afresh",
                    where,
                    i,
                    type(cb).__name__,
                )

    def _restore_rank_state(
        self, parts: dict[str, Any], header: dict[str, Any]
    ) -> None:
        """This rank's random states and partial loss sums."""
        saved: list[dict[str, Any]] = parts["ranks"]
        device = next(iter(self.module.parameters()), torch.empty(0)).device
        if len(saved) == self.world_size:
            mine = saved[self.rank]
            torch.set_rng_state(mine["torch"])
            if mine.get("cuda") is not None and device.type == "cuda":
                torch.cuda.set_rng_state(mine["cuda"], device)
            if len(mine["step"]) != len(self.step_generators):
                raise ValueError(
                    f"the checkpoint holds {len(mine['step'])} random generator(s) "
                    f"of the training step, this step has {len(self.step_generators)}"
                )
            for g, state in zip(self.step_generators, mine["step"], strict=True):
                g.set_state(state)
            self._sums = {k: v.to(device) for k, v in mine["sums"].items()}
            self._count = int(mine["count"])
            return
        # Another number of processes: the global batches still follow the same
        # permutation, but the per-rank noise streams cannot be matched up.
        if self.rank == 0:
            logger.warning(
                "resuming a %d-process checkpoint with %d processes: training "
                "continues, but not bit-exactly (new noise streams per process)",
                len(saved),
                self.world_size,
            )
        for g in self.step_generators:
            g.manual_seed(
                distributed.rank_seed(g.initial_seed() + self.global_step, self.rank)
            )
        self._sums, self._count = {}, 0
        if self.rank == 0 and self.batch:
            # The ranks' partial sums all go to rank 0: their total is unchanged.
            for state in saved:
                for key, value in state["sums"].items():
                    value = value.to(device)
                    self._sums[key] = (
                        self._sums[key] + value if key in self._sums else value
                    )
            self._count = sum(int(s["count"]) for s in saved) // self.world_size

    def _fail(
        self,
        out: ObjectiveOutput,
        epoch: int,
        batch_index: int,
        safe_state: dict[str, torch.Tensor],
    ) -> None:
        bad = [k for k, v in out.terms.items() if not torch.isfinite(v)] or ["total"]
        if not all(torch.isfinite(p).all() for p in self.module.parameters()):
            # The weights themselves went bad during the previous step; fall back
            # to the snapshot taken at the start of this epoch (or of the resume).
            self.module.load_state_dict(safe_state)
            kept = f"the weights from the start of epoch {epoch + 1}"
        else:
            kept = "the last weights, which are still finite"
        raise TrainingError(
            f"training stopped at epoch {epoch + 1}, batch {batch_index + 1}: "
            f"the loss term(s) {', '.join(bad)} became "
            f"{float(out.total.detach())}; the model "
            f"keeps {kept}. Try a smaller learning_rate, or check the data's scale."
        )


def read_checkpoint(path: Any) -> Any:
    """:func:`aekit.io.load_checkpoint`, read once on rank 0 and sent to the others.

    Only rank 0 needs to see the file, so a multi-node run can resume from a
    checkpoint on rank 0's local disk.
    """
    from ..io import load_checkpoint

    error: Exception | None = None
    checkpoint = None
    if distributed.rank() == 0:
        try:
            checkpoint = load_checkpoint(path)
        except Exception as exc:  # re-raised on every rank below
            error = exc
    checkpoint, error = distributed.broadcast_object((checkpoint, error))
    if error is not None:
        raise error
    return checkpoint


def _split_state(
    state: dict[str, Any],
) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    """A callback's state as JSON values and tensors (``key`` or ``key:subkey``)."""
    plain: dict[str, Any] = {}
    tensors: dict[str, torch.Tensor] = {}
    for key, value in state.items():
        if torch.is_tensor(value):
            tensors[key] = value
        elif (
            isinstance(value, dict)
            and value
            and all(torch.is_tensor(v) for v in value.values())
        ):
            tensors.update({f"{key}:{k}": v for k, v in value.items()})
        else:
            plain[key] = value
    return plain, tensors


@contextlib.contextmanager
def flush_denormal() -> Iterator[None]:
    """Treat denormal floats as zero on the CPU for the duration of the block.

    Gradients of ReLU networks drift into the denormal range (below 1.2e-38 in
    float32), where x86 arithmetic is many times slower: a conv VAE's epoch on
    MNIST ran 1.5 to 2.5 times faster with them flushed, at no visible cost in
    accuracy. TensorFlow flushes them by default. PyTorch offers no way to read
    the current setting, so it is switched off again afterwards (its default).
    """
    supported = torch.set_flush_denormal(True)
    try:
        yield
    finally:
        if supported:
            torch.set_flush_denormal(False)


def _first(X: torch.Tensor | tuple[torch.Tensor, ...]) -> torch.Tensor:
    return X[0] if isinstance(X, tuple) else X


def _n_samples(X: Data) -> int:
    return X.n_samples if isinstance(X, StreamingData) else _first(X).shape[0]


def _device_of(X: Data) -> torch.device:
    return X.device if isinstance(X, StreamingData) else _first(X).device


def _select(X: torch.Tensor | tuple[torch.Tensor, ...], index: torch.Tensor) -> Data:
    if isinstance(X, tuple):
        return tuple(torch.index_select(t, 0, index) for t in X)
    return torch.index_select(X, 0, index)


def _named_terms(out: ObjectiveOutput) -> dict[str, torch.Tensor]:
    terms = {"loss": out.total}
    if len(out.terms) > 1:  # a lone reconstruction term would only repeat "loss"
        terms.update(out.terms)
    return terms


class _LateGuard:
    """The NaN/inf guard of a GPU training step, read one step late.

    Reading the loss on the host (``bool(torch.isfinite(loss))``) makes the CPU
    wait for the GPU at every step, so the next step's kernels cannot be queued
    while this one runs: ~19 % of an epoch of the 784-32-784 dense model on an
    H200 (``benchmarks/gpu_syncs.py``). Instead the flag is handed to the fused
    optimizer as ``found_inf``, the hook PyTorch's ``GradScaler`` uses: a step
    whose loss is not finite leaves the weights and the optimizer state as they
    were, on the device, without a sync. The flag is copied to pinned host
    memory asynchronously and read after the next step is queued; a bad step
    then stops training exactly as the immediate guard does, with the last
    finite weights.
    """

    def __init__(self, device: torch.device) -> None:
        pinned = device.type == "cuda"
        # Two slots: step i's copy may still be in flight while step i+1 queues its.
        self._host = [
            torch.zeros((), dtype=torch.bool, pin_memory=pinned) for _ in range(2)
        ]
        self._cuda = pinned
        self._slot = 0
        self._pending: tuple[ObjectiveOutput, int, torch.Tensor, Any] | None = None

    def push(
        self, out: ObjectiveOutput, batch: int, optimizer: torch.optim.Optimizer
    ) -> tuple[ObjectiveOutput, int] | None:
        """Arm the guard for this step; the previous step, if it was bad."""
        bad = ~torch.isfinite(out.total.detach())
        optimizer.found_inf = bad.float()  # type: ignore[attr-defined]
        host = self._host[self._slot]
        self._slot ^= 1
        host.copy_(bad, non_blocking=self._cuda)
        event = None
        if self._cuda:
            event = torch.cuda.Event()
            event.record()
        previous, self._pending = self._pending, (out, batch, host, event)
        failed = self._check(previous)
        if failed is not None:
            optimizer.found_inf = None  # type: ignore[attr-defined]
        return failed

    def finish(
        self, optimizer: torch.optim.Optimizer
    ) -> tuple[ObjectiveOutput, int] | None:
        """Disarm; the epoch's last step, if it was bad."""
        optimizer.found_inf = None  # type: ignore[attr-defined]
        last, self._pending = self._pending, None
        return self._check(last)

    @staticmethod
    def _check(
        entry: tuple[ObjectiveOutput, int, torch.Tensor, Any] | None,
    ) -> tuple[ObjectiveOutput, int] | None:
        if entry is None:
            return None
        out, batch, host, event = entry
        if event is not None:
            event.synchronize()
        return (out, batch) if bool(host) else None


def _snapshot(module: nn.Module) -> dict[str, torch.Tensor]:
    return copy.deepcopy(module.state_dict())
