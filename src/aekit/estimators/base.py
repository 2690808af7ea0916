"""Shared scikit-learn contract of every aekit autoencoder estimator.

Subclasses say which registered module to build (:meth:`_module_config`), how to
check their own parameters (:meth:`_check_params`) and which objective to train
(:meth:`_objective`). Everything else — input validation, seeding, the Trainer,
``transform``/``inverse_transform``/``score_samples``, presets and save/load — is
here once.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import torch
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    TransformerMixin,
)
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from .. import models
from ..corruption import Corruption, check_corruption, make_corruption
from ..data.stream import StreamingData, open_source
from ..exceptions import DataError
from ..io import _jsonable_params
from ..losses.objective import Objective
from ..losses.penalties import (
    Penalty,
    contractive,
    kl_sparsity,
    l1_activity,
    single_sigmoid_layer,
)
from ..losses.reconstruction import RECONSTRUCTION_LOSSES
from ..nn.layers import ACTIVATIONS
from ..registry import Registry
from ..train import EarlyStopping, ModelCheckpoint, Trainer, distributed, resolve_device
from ..train.callbacks import Callback
from ..train.precision import check_precision
from ..train.trainer import OPTIMIZERS, Data, read_checkpoint
from ._validation import (
    as_float32_samples,
    check_choice,
    check_float,
    check_int,
    check_unit_range,
)

logger = logging.getLogger("aekit")


class BaseAutoEncoder(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Base class; not for direct use. See :class:`aekit.AutoEncoder`."""

    #: Name of the module factory in :mod:`aekit.models`.
    _model_name: ClassVar[str]
    #: Named parameter sets reproducing published models.
    presets: ClassVar[Registry[dict[str, Any]]]
    #: Names of the fitted attributes returned by :meth:`_extra_state`.
    _extra_state_keys: ClassVar[tuple[str, ...]] = ()

    def _store_params(self, params: dict[str, Any]) -> None:
        """Store ``__init__``'s arguments unchanged (the scikit-learn contract).

        Call as ``self._store_params(locals())`` so estimators with many shared
        parameters do not repeat one assignment per parameter.
        """
        for name, value in params.items():
            if name not in ("self", "__class__"):
                setattr(self, name, value)

    # ------------------------------------------------------------ subclass hooks
    def _check_training_params(self) -> None:
        """Check the parameters every family shares: training loop and device."""
        check_int("epochs", self.epochs, minimum=1)
        check_int("batch_size", self.batch_size, minimum=1)
        check_int("patience", self.patience, minimum=1)
        check_float("learning_rate", self.learning_rate, low=0.0, low_open=True)
        check_float(
            "validation_fraction", self.validation_fraction, 0.0, 1.0, high_open=True
        )
        check_int("verbose", self.verbose, minimum=0)
        check_precision(self.precision, resolve_device(self.device))
        if not isinstance(self.compile, bool | np.bool_):
            raise ValueError(f"compile must be True or False, got {self.compile!r}")
        check_choice("optimizer", self.optimizer, OPTIMIZERS)
        check_choice("activation", self.activation, ACTIVATIONS)

    def _check_params(self) -> None:
        """Raise ``ValueError`` for invalid parameter values (called by ``fit``)."""
        self._check_training_params()
        check_choice("output_activation", self.output_activation, ("linear", "sigmoid"))
        check_choice("loss", self.loss, RECONSTRUCTION_LOSSES)
        if self.loss == "bce" and self.output_activation != "sigmoid":
            raise ValueError(
                "loss='bce' needs output_activation='sigmoid' (BCE compares "
                f"probabilities), got output_activation={self.output_activation!r}"
            )
        self._check_regularization()

    def _check_regularization(self) -> None:
        check_choice("sparsity", self.sparsity, (None, "l1", "kl"))
        if self.sparsity_weight is not None:
            check_float("sparsity_weight", self.sparsity_weight, low=0.0)
        check_float(
            "sparsity_target",
            self.sparsity_target,
            0.0,
            1.0,
            low_open=True,
            high_open=True,
        )
        if self.sparsity == "kl" and self._code_activation() != "sigmoid":
            raise ValueError(
                "sparsity='kl' pushes the mean activation of each code unit towards "
                "sparsity_target, which needs code activations in (0, 1): set "
                f"code_activation='sigmoid' (got {self._code_activation()!r})"
            )
        check_corruption(self.corruption, self.noise_level, self.noise_mean)
        check_float("contractive", self.contractive, low=0.0)
        check_choice(
            "contractive_method",
            self.contractive_method,
            ("auto", "closed_form", "exact", "hutchinson"),
        )
        check_int("contractive_samples", self.contractive_samples, minimum=1)

    def _code_activation(self) -> str:
        """Activation of the code layer (families without one return "linear")."""
        return "linear"

    def _module_config(self, n_features: int) -> dict[str, Any]:
        raise NotImplementedError

    def _objective(self, seed: int | None = None) -> Objective:
        """The training objective: loss, sparsity/contractive terms, corruption.

        ``seed`` seeds the corruption and Hutchinson probes during ``fit``; other
        callers (``score_samples``) only use the clean reconstruction loss.
        """
        generator = torch.Generator()
        if seed is not None:
            generator.manual_seed(seed + 1)
        penalties: list[tuple[str, Penalty]] = []
        if self.sparsity == "l1":
            weight = _default(self.sparsity_weight, 1e-3)
            penalties.append(("l1", l1_activity(weight)))
        elif self.sparsity == "kl":
            weight = _default(self.sparsity_weight, 0.1)
            penalties.append(("kl_sparsity", kl_sparsity(weight, self.sparsity_target)))
        if self.contractive:
            penalties.append(
                (
                    "contractive",
                    contractive(
                        self.contractive,
                        self.contractive_method,
                        self.contractive_samples,
                        generator,
                    ),
                )
            )
        corruption = None
        if self.corruption is not None and not self.noise_fixed:
            corruption = self._corruption(generator)
        return Objective(self.loss, penalties, corruption, generators=[generator])

    def _corruption(
        self, generator: torch.Generator, clip: bool | None = None
    ) -> Corruption:
        """The configured input noise, drawn from ``generator``."""
        return make_corruption(
            self.corruption,
            self.noise_level,
            self.noise_mean,
            self.noise_clip if clip is None else clip,
            generator,
        )

    def _training_data(self, X: torch.Tensor, seed: int) -> Data:
        """Clean data, or (noisy, clean) pairs when the noise is drawn once."""
        if self.corruption is None or not self.noise_fixed:
            return X
        noisy = self._corruption(torch.Generator().manual_seed(seed + 2))(X)
        return (noisy, X)

    def _extra_callbacks(self) -> list[Callback]:
        """Family-specific training callbacks (they may use ``self.objective_``)."""
        return []

    def _pretrain(self, X: torch.Tensor, seed: int) -> None:
        """Hook run before training (greedy layer-wise pretraining)."""

    def _check_module(self, module: torch.nn.Module) -> None:
        """Reject settings that the built network cannot honour (before training)."""
        if (
            self.contractive
            and self.contractive_method == "closed_form"
            and single_sigmoid_layer(module) is None
        ):
            raise ValueError(
                "contractive_method='closed_form' needs an encoder of one Linear "
                "layer with a sigmoid code (no hidden_layer_sizes, "
                "code_activation='sigmoid'); use 'exact' or 'hutchinson' for "
                "this network"
            )

    def _check_input_range(self, X: np.ndarray, input_name: str = "X") -> None:
        """BCE compares with probabilities, so it needs data in [0, 1]."""
        if self.loss == "bce":
            check_unit_range(X, "loss='bce'", input_name)

    # ---------------------------------------------------------------- presets
    @classmethod
    def from_preset(cls, name: str, **overrides: Any) -> BaseAutoEncoder:
        """Build an estimator from a named published configuration.

        Parameters
        ----------
        name : str
            One of ``cls.presets.names()``.
        **overrides
            Parameters to change, e.g. ``epochs=5`` for a quick run.
        """
        params = {**cls.presets.get(name), **overrides}
        return cls(**params)

    # ---------------------------------------------------------------- data
    def _validate_X(self, X: Any, *, reset: bool, input_name: str = "X") -> np.ndarray:
        """Validate ``X`` and return it as float32 ``(n_samples, n_features)``."""
        arr = as_float32_samples(X, input_name=input_name)
        flat = arr.reshape(arr.shape[0], -1)
        if reset:
            self.n_features_in_ = int(flat.shape[1])
            self.input_shape_ = tuple(int(s) for s in arr.shape[1:])
        elif flat.shape[1] != self.n_features_in_:
            raise DataError(
                f"{input_name} has {flat.shape[1]} features, but {type(self).__name__} "
                f"is expecting {self.n_features_in_} features as input "
                f"(samples of shape {arr.shape[1:]} given, fitted on "
                f"{self.input_shape_})."
            )
        return flat

    def _split_validation(
        self, X: np.ndarray, rng: np.random.RandomState
    ) -> tuple[np.ndarray, np.ndarray | None]:
        if self.validation_data is not None:
            X_val = self._validate_X(
                self.validation_data, reset=False, input_name="validation_data"
            )
            self._check_input_range(X_val, "validation_data")
            return X, X_val
        if not self.validation_fraction:
            return X, None
        n_val = round(self.validation_fraction * X.shape[0])
        if n_val < 1 or n_val >= X.shape[0]:
            raise DataError(
                f"validation_fraction={self.validation_fraction} leaves "
                f"{n_val} of {X.shape[0]} samples for validation; need at least one "
                "sample on each side"
            )
        order = rng.permutation(X.shape[0])
        return X[order[n_val:]], X[order[:n_val]]

    def _check_streamable(self) -> None:
        """Refuse settings that need all the training data in memory at once."""
        if getattr(self, "pretrain", None) is not None:
            raise ValueError(
                "pretrain='greedy' trains each layer on the codes of all the data "
                "and needs it in memory; load it (np.load) or drop pretraining"
            )
        if self.corruption is not None and self.noise_fixed:
            raise ValueError(
                "noise_fixed=True draws the noise for all the data once and needs "
                "it in memory; use fresh noise (noise_fixed=False) to stream"
            )

    def _split_stream(
        self, source: Any
    ) -> tuple[StreamingData, StreamingData | np.ndarray | None]:
        """Training and validation rows of an out-of-core source.

        ``validation_fraction`` sets aside the *last* rows in storage order (not
        a random sample: reading scattered rows would defeat block reads), so
        data stored in a meaningful order should be shuffled when written.
        """
        n = source.n_samples

        def check(block: np.ndarray, where: str) -> None:
            self._check_input_range(block, where)

        def stream(start: int, stop: int) -> StreamingData:
            return StreamingData(source, start, stop, self.device_, check=check)

        if self.validation_data is not None:
            X_val = self._validate_X(
                self.validation_data, reset=False, input_name="validation_data"
            )
            self._check_input_range(X_val, "validation_data")
            return stream(0, n), X_val
        if not self.validation_fraction:
            return stream(0, n), None
        n_val = round(self.validation_fraction * n)
        if n_val < 1 or n_val >= n:
            raise DataError(
                f"validation_fraction={self.validation_fraction} leaves "
                f"{n_val} of {n} samples for validation; need at least one "
                "sample on each side"
            )
        return stream(0, n - n_val), stream(n - n_val, n)

    def _to_tensor(self, X: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(X).to(self.device_)

    # ---------------------------------------------------------------- fitting
    def fit(
        self,
        X: Any,
        y: Any = None,
        *,
        checkpoint: str | os.PathLike[str] | None = None,
        checkpoint_every_batches: int | None = None,
        resume: str | os.PathLike[str] | bool | None = None,
    ) -> BaseAutoEncoder:
        """Train the autoencoder on ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, ...), path or memory map
            Training data; any trailing shape (images stay ``(n, h, w)``). Data
            too large for memory can be streamed from disk: pass the path of a
            ``.npy`` file, of a folder of ``.npy`` shards or of a Parquet file
            or folder (``pip install 'aekit[data]'``), or a memory-mapped array
            (``np.load(path, mmap_mode="r")``). Each epoch then reads blocks of
            rows in a shuffled order and shuffles each block (see
            :mod:`aekit.data.stream`); ``validation_fraction`` takes the last
            rows; greedy pretraining and ``noise_fixed`` are not available.
        y : ignored
            Present for scikit-learn API compatibility.
        checkpoint : path-like, optional
            Write a resumable checkpoint to this file at the end of every epoch
            (atomically: a crash leaves the previous one or the new one).
        checkpoint_every_batches : int, optional
            Also write it every this many optimisation steps, so a crash loses
            at most that many.
        resume : path-like or True, optional
            Continue the run that wrote this checkpoint, with the same data and
            parameters (``epochs`` may be larger, ``verbose`` and ``device`` may
            differ); the result is bit-identical on CPU to a run that was never
            interrupted. ``True`` resumes from ``checkpoint`` when that file
            exists and starts afresh otherwise, so a restarted job picks up where
            the last one stopped.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            When the checkpoint was written by another estimator class, another
            network configuration, other parameters or for other data.

        Notes
        -----
        Under an initialised ``torch.distributed`` process group of more than
        one process (e.g. a script started by ``torchrun``), every process calls
        ``fit`` with the same data and parameters and training is data-parallel:
        ``batch_size`` is the global batch, split over the processes; every
        process ends with the same weights; rank 0 alone writes checkpoints. See
        ``docs/distributed.md``.
        """
        self._check_params()
        source = open_source(X)
        if source is None:
            X2 = self._validate_X(X, reset=True)
            self._check_input_range(X2)
        else:
            self._check_streamable()
            # The first rows set (and check) the sample shape; every block's
            # values are checked as it is read.
            self._validate_X(source.head(), reset=True)
        saved = self._read_resume(resume, checkpoint)
        rng = self._fit_rng(saved)
        rng_state = _rng_state_json(rng)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        self.device_ = resolve_device(self.device)
        X_val: Any
        if source is None:
            X_train, X_val = self._split_validation(X2, rng)
        else:
            stream, X_val = self._split_stream(source)
        self.module_config_ = self._module_config(self.n_features_in_)
        if saved is not None:
            self._check_resume(saved)
        module = self._build_module(seed)
        self._check_module(module)
        self.module_ = module
        self.objective_ = self._objective(seed)
        callbacks = self._extra_callbacks()
        if self.early_stopping:
            callbacks.append(EarlyStopping(patience=self.patience))
        if checkpoint is not None:
            callbacks.append(
                ModelCheckpoint(checkpoint, every_batches=checkpoint_every_batches)
            )
        trainer = Trainer(
            epochs=self.epochs,
            seed=seed,
            callbacks=callbacks,
            **self._trainer_options(),
        )
        X_tensor = self._to_tensor(X_train) if source is None else None
        if saved is None:
            if X_tensor is not None:
                self._pretrain(X_tensor, seed)
        else:  # the checkpoint's weights already include any pretraining
            extra = saved[1]["estimator"].get("extra_state", {})
            for key in self._extra_state_keys:
                setattr(self, key, extra.get(key, []))
        trainer.checkpoint_meta = {
            "estimator": {
                "class": type(self).__name__,
                "params": _jsonable_params(self.get_params(deep=False)),
                "module_config": _as_json(self.module_config_),
                "rng_state": rng_state,
                "extra_state": _as_json(self._extra_state()),
            }
        }
        train_data: Data = (
            stream if X_tensor is None else self._training_data(X_tensor, seed)
        )
        try:
            self.history_ = trainer.fit(
                self.module_,
                self.objective_,
                train_data,
                X_val
                if X_val is None or isinstance(X_val, StreamingData)
                else self._to_tensor(X_val),
                description=type(self).__name__,
                resume=saved,
            )
        finally:
            self.module_.eval()
        self.n_iter_ = len(self.history_.get("loss", []))
        return self

    #: Parameters that may change between an interrupted run and its resumption.
    _RESUMABLE_CHANGES: ClassVar[frozenset[str]] = frozenset(
        {"epochs", "verbose", "device", "compile"}
    )

    def _read_resume(self, resume: Any, checkpoint: Any) -> Any:
        """The checkpoint to resume from, or None to start afresh."""
        if resume is None or resume is False:
            return None
        if resume is True:
            if checkpoint is None:
                raise ValueError("resume=True resumes from `checkpoint`; pass one")
            exists = distributed.broadcast_object(Path(checkpoint).is_file())
            if not exists:
                return None
            resume = checkpoint
        saved = read_checkpoint(resume)
        if "estimator" not in saved[1]:
            raise ValueError(
                f"checkpoint {saved[0]['path']} was not written by an estimator's "
                "fit (it holds no estimator configuration); resume it with "
                "aekit.train.Trainer"
            )
        return saved

    def _fit_rng(self, saved: Any) -> np.random.RandomState:
        """The RandomState that ``fit`` draws its seed and validation split from."""
        if saved is not None:
            # The interrupted run's, also when random_state=None drew it afresh.
            name, keys, pos, has_gauss, cached = saved[1]["estimator"]["rng_state"]
            rng = np.random.RandomState()
            rng.set_state((name, np.asarray(keys, np.uint32), pos, has_gauss, cached))
            return rng
        rng = check_random_state(self.random_state)
        if distributed.is_distributed():
            # Every rank must draw the same seed and split; random_state=None
            # would give each its own.
            state = distributed.broadcast_object(rng.get_state())
            rng = np.random.RandomState()
            rng.set_state(state)
        return rng

    def _check_resume(self, saved: Any) -> None:
        """Refuse a checkpoint of another estimator, network or set of parameters."""
        parts, header = saved
        where = f"checkpoint {parts.get('path', '')}".rstrip()
        meta = header["estimator"]
        if meta["class"] != type(self).__name__:
            raise ValueError(
                f"{where} was written by {meta['class']}, not {type(self).__name__}"
            )
        mine = _as_json(self.module_config_)
        differ = sorted(
            k
            for k in set(mine) | set(meta["module_config"])
            if mine.get(k) != meta["module_config"].get(k)
        )
        if differ:
            details = ", ".join(
                f"{k}: checkpoint {meta['module_config'].get(k)!r}, "
                f"this estimator {mine.get(k)!r}"
                for k in differ
            )
            raise ValueError(
                f"{where} holds a different network than this estimator builds "
                f"({details})"
            )
        params = _jsonable_params(self.get_params(deep=False))
        # A parameter added since the checkpoint was written had its default.
        defaults = _jsonable_params(type(self)().get_params(deep=False))
        theirs = {**defaults, **meta["params"]}
        differ = sorted(
            k
            for k in set(params) | set(theirs)
            if k not in self._RESUMABLE_CHANGES and params.get(k) != theirs.get(k)
        )
        if differ:
            details = ", ".join(
                f"{k}={theirs.get(k)!r} (now {params.get(k)!r})" for k in differ
            )
            raise ValueError(
                f"{where} was written with other parameters: {details}; only "
                f"{', '.join(sorted(self._RESUMABLE_CHANGES))} may change on resume"
            )

    def _trainer_options(self) -> dict[str, Any]:
        return {
            "batch_size": self.batch_size,
            "optimizer": self.optimizer,
            "learning_rate": self.learning_rate,
            "verbose": self.verbose,
            "precision": self.precision,
            "compile": self.compile,
        }

    def _build_module(self, seed: int) -> torch.nn.Module:
        # Seed a private copy of the CPU RNG so building a model never disturbs the
        # user's global torch random state, and the same seed gives the same weights.
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            module = models.create(self._model_name, **self.module_config_)
        return module.to(self.device_).eval()

    # ---------------------------------------------------------------- inference
    def _batched(self, fn: Any, X: np.ndarray, batch_size: int = 4096) -> np.ndarray:
        outs = []
        with torch.inference_mode():
            for start in range(0, X.shape[0], batch_size):
                batch = self._to_tensor(X[start : start + batch_size])
                outs.append(fn(batch).float().cpu().numpy())
        return np.concatenate(outs, axis=0)

    def transform(self, X: Any) -> np.ndarray:
        """Encode ``X`` into codes of shape ``(n_samples, code_size)`` (float32)."""
        check_is_fitted(self, "module_")
        X2 = self._validate_X(X, reset=False)
        return self._batched(self.module_.encode, X2)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Decode codes back to data space, shaped like the training samples."""
        check_is_fitted(self, "module_")
        codes = as_float32_samples(X, input_name="codes")
        code_size = self._n_features_out
        if codes.ndim != 2 or codes.shape[1] != code_size:
            raise DataError(
                f"codes must have shape (n_samples, {code_size}), got {codes.shape}"
            )
        recon = self._batched(self.module_.decode, codes)
        return recon.reshape(codes.shape[0], *self.input_shape_)

    def reconstruct(self, X: Any) -> np.ndarray:
        """Encode then decode ``X``; the result has the same shape as ``X``."""
        check_is_fitted(self, "module_")
        shape = np.shape(X)
        X2 = self._validate_X(X, reset=False)
        recon = self._batched(lambda b: self.module_(b).recon, X2)
        return recon.reshape(shape)

    def score_samples(self, X: Any) -> np.ndarray:
        """Per-sample reconstruction error, in the units of ``loss`` (lower is better).

        The mean over features of the training loss (BCE, squared or absolute
        error), computed without corruption or penalties.
        """
        check_is_fitted(self, "module_")
        X2 = self._validate_X(X, reset=False)
        self._check_input_range(X2)
        objective = self._objective()
        return self._batched(lambda b: objective.per_sample(self.module_, b), X2)

    def score(self, X: Any, y: Any = None) -> float:
        """Negative mean reconstruction error (higher is better, as in scikit-learn)."""
        return -float(np.mean(self.score_samples(X)))

    @property
    def _n_features_out(self) -> int:
        code_dim: Any = self.module_.code_dim
        return int(code_dim)

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        if tags.transformer_tags is not None:
            tags.transformer_tags.preserves_dtype = ["float32"]
        return tags

    # ---------------------------------------------------------------- persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save the fitted estimator to one safetensors file (see :mod:`aekit.io`)."""
        check_is_fitted(self, "module_")
        from ..io import save

        return save(self, path)

    def _get_saved_state(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        tensors = {f"module.{k}": v for k, v in self.module_.state_dict().items()}
        state = {
            "model": self._model_name,
            "module_config": self.module_config_,
            "n_features_in_": self.n_features_in_,
            "input_shape_": list(self.input_shape_),
            "history_": self.history_,
            "n_iter_": self.n_iter_,
            **self._extra_state(),
        }
        return tensors, state

    def _extra_state(self) -> dict[str, Any]:
        """JSON-able fitted attributes of a subclass, saved with the model."""
        return {}

    def _set_saved_state(
        self,
        tensors: dict[str, torch.Tensor],
        state: dict[str, Any],
        device: str | None = None,
    ) -> None:
        if state["model"] != self._model_name:
            raise ValueError(
                f"file holds model {state['model']!r}, expected {self._model_name!r}"
            )
        if device is None:
            try:
                device = str(resolve_device(self.device))
            except ValueError:
                logger.warning(
                    "device %r is not available; loading on CPU", self.device
                )
                device = "cpu"
        self.device_ = resolve_device(device)
        self.module_config_ = dict(state["module_config"])
        self.n_features_in_ = int(state["n_features_in_"])
        self.input_shape_ = tuple(int(s) for s in state["input_shape_"])
        self.history_ = {k: list(v) for k, v in state["history_"].items()}
        self.n_iter_ = int(state["n_iter_"])
        for key in self._extra_state_keys:
            if key in state:
                setattr(self, key, state[key])
        self.objective_ = self._objective()
        module = models.create(self._model_name, **self.module_config_)
        weights = {
            k[len("module.") :]: v
            for k, v in tensors.items()
            if k.startswith("module.")
        }
        module.load_state_dict(weights, strict=True)
        self.module_ = module.to(self.device_).eval()


def _default(value: float | None, default: float) -> float:
    return default if value is None else float(value)


def _as_json(value: Any) -> Any:
    """``value`` as it reads back from a JSON header (tuples become lists)."""
    return json.loads(json.dumps(value))


def _rng_state_json(rng: np.random.RandomState) -> list[Any]:
    """``rng.get_state()`` in a JSON-able form."""
    name, keys, pos, has_gauss, cached = rng.get_state()
    return [name, np.asarray(keys).tolist(), int(pos), int(has_gauss), float(cached)]
