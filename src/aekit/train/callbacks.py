"""Keras/Lightning-style training callbacks: history, early stopping, checkpoints."""

from __future__ import annotations

import contextlib
import copy
import logging
import math
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .trainer import Trainer

logger = logging.getLogger("aekit")


class Callback:
    """Base class; override any hook. ``trainer.stop_training = True`` ends training.

    A callback that keeps state across epochs returns it from :meth:`state_dict`
    so that checkpoints save it and a resumed run restores it. Under data-parallel
    training the hooks run on every rank with the same (all-reduced) metrics, so
    every rank takes the same decisions.
    """

    def on_train_begin(self, trainer: Trainer) -> None:
        """Called once before the first epoch (also when resuming, before the
        saved state is loaded with :meth:`load_state_dict`)."""

    def on_batch_end(self, trainer: Trainer, epoch: int, batch: int) -> None:
        """Called after each optimisation step; ``batch`` counts from 0 in the epoch.

        Only callbacks that override it are called, so the hot loop pays nothing
        for the others.
        """

    def on_epoch_end(
        self, trainer: Trainer, epoch: int, logs: dict[str, float]
    ) -> None:
        """Called after every epoch with its metrics (``loss``, ``val_loss``, ...)."""

    def on_train_end(self, trainer: Trainer) -> None:
        """Called once after the last epoch, also when stopped early."""

    def state_dict(self) -> dict[str, Any]:
        """State to checkpoint: JSON-able values, tensors or dicts of tensors."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what :meth:`state_dict` returned (when resuming)."""


class History(Callback):
    """Collects per-epoch metrics into ``history`` (a dict of lists), like Keras."""

    def __init__(self) -> None:
        self.history: dict[str, list[float]] = {}

    def on_epoch_end(
        self, trainer: Trainer, epoch: int, logs: dict[str, float]
    ) -> None:
        for key, value in logs.items():
            self.history.setdefault(key, []).append(float(value))


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs.

    Parameters
    ----------
    monitor : str
        Metric name; ``"val_loss"`` falls back to ``"loss"`` when there is no
        validation data (with a log message saying so).
    patience : int
        Epochs without improvement before stopping.
    min_delta : float
        Smallest decrease that counts as an improvement.
    restore_best_weights : bool
        Put back the weights of the best epoch when training ends.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        patience: int = 5,
        min_delta: float = 0.0,
        restore_best_weights: bool = True,
    ) -> None:
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.restore_best_weights = restore_best_weights
        self.best = math.inf
        self.best_epoch = -1
        self.stopped_epoch: int | None = None
        self._wait = 0
        self._best_state: dict[str, Any] | None = None

    def on_train_begin(self, trainer: Trainer) -> None:
        self.best, self.best_epoch, self._wait = math.inf, -1, 0
        self.stopped_epoch, self._best_state = None, None

    def on_epoch_end(
        self, trainer: Trainer, epoch: int, logs: dict[str, float]
    ) -> None:
        key = self.monitor if self.monitor in logs else "loss"
        if key != self.monitor and epoch == 0 and trainer.rank == 0:
            logger.info(
                "early stopping monitors %r: no %r was logged", key, self.monitor
            )
        value = logs[key]
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self._wait = value, epoch, 0
            if self.restore_best_weights:
                self._best_state = copy.deepcopy(trainer.module.state_dict())
            return
        self._wait += 1
        if self._wait >= self.patience:
            self.stopped_epoch = epoch
            trainer.stop_training = True
            if trainer.rank == 0:
                logger.info(
                    "early stopping at epoch %d: best %s %.6g at epoch %d",
                    epoch + 1,
                    key,
                    self.best,
                    self.best_epoch + 1,
                )

    def on_train_end(self, trainer: Trainer) -> None:
        if self.restore_best_weights and self._best_state is not None:
            trainer.module.load_state_dict(self._best_state)

    def state_dict(self) -> dict[str, Any]:
        return {
            "best": self.best,
            "best_epoch": self.best_epoch,
            "wait": self._wait,
            "stopped_epoch": self.stopped_epoch,
            "best_state": self._best_state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best = float(state["best"])
        self.best_epoch = int(state["best_epoch"])
        self._wait = int(state["wait"])
        self.stopped_epoch = state["stopped_epoch"]
        self._best_state = state.get("best_state")


class ModelCheckpoint(Callback):
    """Write a resumable training checkpoint to ``path``, atomically.

    The checkpoint holds the module weights, the optimizer state, the states of
    the shuffling generator, of the step's noise generators and of torch's global
    generator, the position (epoch and batch), the history, the running loss sums
    of the epoch under way and the other callbacks' states, in safetensors + JSON
    (see :func:`aekit.io.save_checkpoint`). ``Trainer.fit(..., resume=path)``
    continues from it and ends with the weights of an uninterrupted run.

    Parameters
    ----------
    path : path-like
        Target file. ``{epoch}`` is replaced by the 1-based epoch number and
        ``{step}`` by the number of optimisation steps, to keep several; without
        them each checkpoint replaces the previous one.
    every : int
        Write at the end of every ``every``-th epoch.
    every_batches : int, optional
        Also write after every ``every_batches`` optimisation steps (counted
        across epochs), so that a crash loses at most that many steps.

    Notes
    -----
    A file is written to a temporary name, fsynced and renamed over ``path``
    (then the folder is fsynced), so a crash, even ``SIGKILL`` or a power cut,
    leaves the previous checkpoint or the new one, never a torn file. Under
    data-parallel training every rank takes part (each contributes its random
    states) and rank 0 alone writes.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        every: int = 1,
        every_batches: int | None = None,
    ) -> None:
        if every < 1:
            raise ValueError(f"checkpoint 'every' must be >= 1, got {every}")
        if every_batches is not None and every_batches < 1:
            raise ValueError(
                f"checkpoint 'every_batches' must be >= 1 or None, got {every_batches}"
            )
        self.path = os.fspath(path)
        self.every = every
        self.every_batches = every_batches
        self.saved: list[str] = []

    def on_train_begin(self, trainer: Trainer) -> None:
        if trainer.rank == 0:
            _remove_stale_temporaries(self.path)

    def on_batch_end(self, trainer: Trainer, epoch: int, batch: int) -> None:
        if not self.every_batches or trainer.global_step % self.every_batches:
            return
        if batch + 1 == trainer.batches_per_epoch and (epoch + 1) % self.every == 0:
            return  # the end-of-epoch checkpoint follows at once
        self._save(trainer, epoch)

    def on_epoch_end(
        self, trainer: Trainer, epoch: int, logs: dict[str, float]
    ) -> None:
        if (epoch + 1) % self.every == 0:
            self._save(trainer, epoch)

    def _save(self, trainer: Trainer, epoch: int) -> None:
        from ..io import save_checkpoint

        target = self.path.replace("{epoch}", str(epoch + 1)).replace(
            "{step}", str(trainer.global_step)
        )
        save_checkpoint(target, trainer)
        self.saved.append(target)


def _remove_stale_temporaries(path: str) -> None:
    """Delete temporary files a killed run left beside ``path``.

    A process killed while writing cannot remove its own temporary file
    (:func:`aekit.io.atomic_write_bytes` names them ``.NAME.XXXX.tmp``).
    """
    folder, name = os.path.split(path)
    pattern = "." + name.replace("{epoch}", "*").replace("{step}", "*") + ".*.tmp"
    for stale in Path(folder or ".").glob(pattern):
        with contextlib.suppress(OSError):
            stale.unlink()


class KLWarmup(Callback):
    """Ramp the KL weight of a variational objective linearly from 0 to 1.

    During epoch ``e`` (counting from 0) the KL term is scaled by
    ``min(1, (e + 1) / epochs)``, so training starts close to a plain autoencoder
    and reaches the full ELBO after ``epochs`` epochs (Bowman et al., "Generating
    Sentences from a Continuous Space", CoNLL 2016; Sønderby et al., "Ladder
    Variational Autoencoders", NIPS 2016).

    Parameters
    ----------
    objective : object with a ``kl_scale`` attribute
        The objective being trained (:class:`aekit.losses.VariationalObjective`).
    epochs : int
        Length of the ramp.
    """

    def __init__(self, objective: Any, epochs: int) -> None:
        self.objective = objective
        self.epochs = int(epochs)

    def _set(self, epoch: int) -> None:
        self.objective.kl_scale = min(1.0, (epoch + 1) / self.epochs)

    def on_train_begin(self, trainer: Trainer) -> None:
        self._set(0)

    def on_epoch_end(
        self, trainer: Trainer, epoch: int, logs: dict[str, float]
    ) -> None:
        self._set(epoch + 1)

    def on_train_end(self, trainer: Trainer) -> None:
        self.objective.kl_scale = 1.0

    def state_dict(self) -> dict[str, Any]:
        return {"kl_scale": float(self.objective.kl_scale)}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.objective.kl_scale = float(state["kl_scale"])
