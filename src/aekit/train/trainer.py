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

from ..exceptions import TrainingError
from ..losses.objective import ObjectiveOutput
from .callbacks import Callback, History

logger = logging.getLogger("aekit")

StepFn = Callable[..., ObjectiveOutput]
#: Training data: one tensor, or several sliced with the same batch indices.
Data = torch.Tensor | tuple[torch.Tensor, ...]

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
    """``"auto"`` → CUDA when available, else CPU; anything else is checked."""
    if isinstance(device, torch.device):
        return device
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
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
    """Mini-batch training with callbacks, NaN guard and reproducible shuffling.

    Parameters
    ----------
    epochs : int
        Number of passes over the training data.
    batch_size : int
        Samples per optimisation step (the last batch may be smaller).
    optimizer : str
        Name of a ``torch.optim`` optimizer, see ``OPTIMIZERS``.
    learning_rate : float
        Optimizer learning rate.
    seed : int
        Seeds the shuffling generator; with the same module initialisation the run
        is bit-for-bit reproducible on CPU.
    callbacks : sequence of Callback
        Extra callbacks; a :class:`History` is always added.
    verbose : int
        0 silent, 1 a progress bar over epochs, 2 also a bar over batches.
    eval_batch_size : int
        Batch size used for validation passes.
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
    ) -> None:
        self.epochs = epochs
        self.batch_size = batch_size
        self.optimizer_name = optimizer
        self.learning_rate = learning_rate
        self.seed = seed
        self.history = History()
        self.callbacks: list[Callback] = [self.history, *callbacks]
        self.verbose = verbose
        self.eval_batch_size = eval_batch_size
        self.stop_training = False
        self.epoch = 0
        self.module: nn.Module = nn.Identity()
        self.optimizer: torch.optim.Optimizer | None = None
        self.generator = torch.Generator()

    def fit(
        self,
        module: nn.Module,
        step: StepFn,
        X: Data,
        X_val: torch.Tensor | None = None,
        description: str = "training",
    ) -> dict[str, list[float]]:
        """Train ``module`` in place to minimise ``step(module, batch).total``.

        Parameters
        ----------
        module : nn.Module
            Already on the same device as ``X``.
        step : callable
            ``step(module, batch, train=bool) -> ObjectiveOutput``.
        X : Tensor or tuple of Tensor
            Training data, first dimension = samples; a tuple (e.g. noisy inputs
            and clean targets) is batched with the same indices.
        X_val : Tensor, optional
            Validation data.
        description : str
            Label of the progress bar (e.g. which layer greedy pretraining trains).

        Returns
        -------
        dict of list of float
            The per-epoch history (``loss``, ``val_loss``, each term, ``epoch_time``).

        Raises
        ------
        TrainingError
            When a loss term becomes NaN or infinite; the module keeps the last
            weights that were finite.
        """
        from tqdm.auto import tqdm

        self.module = module
        self.optimizer = make_optimizer(
            self.optimizer_name, module.parameters(), self.learning_rate
        )
        self.generator.manual_seed(self.seed)
        self.stop_training = False
        n = _first(X).shape[0]
        for cb in self.callbacks:
            cb.on_train_begin(self)
        epochs = tqdm(
            range(self.epochs),
            desc=description,
            unit="epoch",
            disable=self.verbose < 1,
            leave=self.verbose >= 1,
        )
        for epoch in epochs:
            self.epoch = epoch
            start = time.perf_counter()
            with flush_denormal():
                logs = self._train_epoch(module, step, X, n, epoch)
            if X_val is not None and len(X_val):
                for key, value in self.evaluate(module, step, X_val).items():
                    logs[f"val_{key}"] = value
            logs["epoch_time"] = time.perf_counter() - start
            epochs.set_postfix(
                {k: f"{v:.4g}" for k, v in logs.items() if k in ("loss", "val_loss")}
            )
            for cb in self.callbacks:
                cb.on_epoch_end(self, epoch, logs)
            if self.stop_training:
                break
        for cb in self.callbacks:
            cb.on_train_end(self)
        return self.history.history

    def _train_epoch(
        self, module: nn.Module, step: StepFn, X: Data, n: int, epoch: int
    ) -> dict[str, float]:
        from tqdm.auto import tqdm

        assert self.optimizer is not None
        module.train()
        # Shuffle with a CPU generator so the order is identical on every device.
        order = torch.randperm(n, generator=self.generator).to(_first(X).device)
        sums: dict[str, torch.Tensor] = {}
        safe_state = _snapshot(module)
        batches = tqdm(
            range(0, n, self.batch_size),
            desc=f"epoch {epoch + 1}",
            unit="batch",
            disable=self.verbose < 2,
            leave=False,
        )
        for start in batches:
            index = order[start : start + self.batch_size]
            batch = _select(X, index)
            out = step(module, batch, train=True)
            if not torch.isfinite(out.total):
                self._fail(out, epoch, start // self.batch_size, safe_state)
            self.optimizer.zero_grad(set_to_none=True)
            out.total.backward()
            self.optimizer.step()
            weight = float(index.shape[0])
            for key, value in _named_terms(out).items():
                acc = value.detach() * weight
                sums[key] = sums[key] + acc if key in sums else acc
        return {k: float(v) / n for k, v in sums.items()}

    @torch.no_grad()
    def evaluate(
        self, module: nn.Module, step: StepFn, X: torch.Tensor
    ) -> dict[str, float]:
        """Mean of every loss term over ``X`` in eval mode, without corruption."""
        was_training = module.training
        module.eval()
        sums: dict[str, float] = {}
        for start in range(0, X.shape[0], self.eval_batch_size):
            batch = X[start : start + self.eval_batch_size]
            out = step(module, batch, train=False)
            for key, value in _named_terms(out).items():
                sums[key] = sums.get(key, 0.0) + float(value) * batch.shape[0]
        module.train(was_training)
        return {k: v / X.shape[0] for k, v in sums.items()}

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
            # to the snapshot taken at the start of this epoch.
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


def _first(X: Data) -> torch.Tensor:
    return X[0] if isinstance(X, tuple) else X


def _select(X: Data, index: torch.Tensor) -> Data:
    if isinstance(X, tuple):
        return tuple(torch.index_select(t, 0, index) for t in X)
    return torch.index_select(X, 0, index)


def _named_terms(out: ObjectiveOutput) -> dict[str, torch.Tensor]:
    terms = {"loss": out.total}
    if len(out.terms) > 1:  # a lone reconstruction term would only repeat "loss"
        terms.update(out.terms)
    return terms


def _snapshot(module: nn.Module) -> dict[str, torch.Tensor]:
    return copy.deepcopy(module.state_dict())
