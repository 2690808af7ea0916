"""Keras/Lightning-style training callbacks: history, early stopping, checkpoints."""

from __future__ import annotations

import copy
import logging
import math
import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from .trainer import Trainer

logger = logging.getLogger("aekit")


class Callback:
    """Base class; override any hook. ``trainer.stop_training = True`` ends training."""

    def on_train_begin(self, trainer: Trainer) -> None:
        """Called once before the first epoch."""

    def on_epoch_end(
        self, trainer: Trainer, epoch: int, logs: dict[str, float]
    ) -> None:
        """Called after every epoch with its metrics (``loss``, ``val_loss``, ...)."""

    def on_train_end(self, trainer: Trainer) -> None:
        """Called once after the last epoch, also when stopped early."""


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
        if key != self.monitor and epoch == 0:
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


class ModelCheckpoint(Callback):
    """Write a training checkpoint every ``every`` epochs (atomically) to ``path``.

    The checkpoint holds the module weights, optimizer state, shuffling RNG state,
    epoch and history, in safetensors + JSON (see :func:`aekit.io.save_checkpoint`).
    ``{epoch}`` in ``path`` is replaced by the 1-based epoch number.
    """

    def __init__(self, path: str | os.PathLike[str], every: int = 1) -> None:
        if every < 1:
            raise ValueError(f"checkpoint 'every' must be >= 1, got {every}")
        self.path = os.fspath(path)
        self.every = every
        self.saved: list[str] = []

    def on_epoch_end(
        self, trainer: Trainer, epoch: int, logs: dict[str, float]
    ) -> None:
        if (epoch + 1) % self.every:
            return
        from ..io import save_checkpoint

        target = self.path.replace("{epoch}", str(epoch + 1))
        save_checkpoint(target, trainer, epoch=epoch + 1)
        self.saved.append(target)


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
