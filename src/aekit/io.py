"""Saving and loading fitted estimators and training checkpoints — never with pickle.

A saved model is **one safetensors file**: the tensors (network weights and any
fitted arrays) plus, in the safetensors metadata, a JSON header with the aekit
version, the estimator class, its parameters and its fitted attributes, and a
SHA-256 over header and tensor bytes. Loading rebuilds the estimator only from
classes in aekit's estimator registry (no arbitrary imports), verifies the checksum
and the format version, and fails with :class:`~aekit.exceptions.ModelFileError`
naming the file and the problem. Writes go to a temporary file that is fsynced and
then renamed over the target, so a crash never leaves a half-written model.
See ``docs/decisions/0002-single-file-safetensors.md``.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import torch

from ._version import __version__
from .exceptions import ModelFileError, RegistryError
from .registry import Registry

if TYPE_CHECKING:  # pragma: no cover
    from .train.trainer import Trainer

FORMAT_VERSION = 1
MODEL_FORMAT = "aekit-model"
CHECKPOINT_FORMAT = "aekit-checkpoint"
_HEADER_KEY = "aekit"
_CHECKSUM_KEY = "aekit_sha256"

#: Estimator classes that :func:`load` may instantiate, by class name: the
#: autoencoders (the CLI's model list and the conformance suite iterate over them).
ESTIMATORS: Registry[type] = Registry("estimator class")
#: Other classes :func:`load` may instantiate: estimators built around an
#: autoencoder (e.g. :class:`aekit.OutlierDetector`), which are not autoencoders
#: themselves and so stay out of :data:`ESTIMATORS`.
COMPOSITES: Registry[type] = Registry("composite estimator class")


def register_estimator(cls: type) -> type:
    """Class decorator: allow :func:`load` to rebuild ``cls`` from a file."""
    _check_unique_class_name(cls)
    ESTIMATORS.register(cls.__name__, cls)
    return cls


def register_composite(cls: type) -> type:
    """Class decorator: like :func:`register_estimator`, for a non-autoencoder."""
    _check_unique_class_name(cls)
    COMPOSITES.register(cls.__name__, cls)
    return cls


def _check_unique_class_name(cls: type) -> None:
    """A saved file names its class, so one name must mean one class."""
    if cls.__name__ in ESTIMATORS or cls.__name__ in COMPOSITES:
        raise RegistryError(f"estimator class {cls.__name__!r} is already registered")


def _digest(header_json: str, tensors: dict[str, torch.Tensor]) -> str:
    h = hashlib.sha256(header_json.encode("utf-8"))
    for key in sorted(tensors):
        t = tensors[key].detach().cpu().contiguous()
        h.update(f"{key}|{t.dtype}|{tuple(t.shape)}|".encode())
        h.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())
    return h.hexdigest()


def _umask() -> int:
    """The process's umask (reading it means setting it, so set it back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` via a fsynced temporary file and a rename."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent
    )
    try:
        # mkstemp creates the file 0600; give it the mode open() would have.
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_folder(target.parent)


def _fsync_folder(folder: Path) -> None:
    """Make a rename durable: until its folder is synced, a power cut may undo it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # e.g. Windows, where folders cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems do not support syncing folders
        pass
    finally:
        os.close(fd)


def write_tensor_file(
    path: str | os.PathLike[str],
    tensors: dict[str, torch.Tensor],
    header: dict[str, Any],
) -> None:
    """Atomically write ``tensors`` and a JSON ``header`` to one safetensors file."""
    from safetensors.torch import save

    tensors = {k: v.detach().cpu().contiguous() for k, v in tensors.items()}
    header_json = json.dumps(header, sort_keys=True, allow_nan=True)
    metadata = {_HEADER_KEY: header_json, _CHECKSUM_KEY: _digest(header_json, tensors)}
    atomic_write_bytes(path, save(tensors, metadata=metadata))


def read_tensor_file(
    path: str | os.PathLike[str], expected_format: str
) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """Read and verify a file written by :func:`write_tensor_file`."""
    from safetensors import safe_open
    from safetensors.torch import load

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"{path}: no such file")
    data = path.read_bytes()
    try:
        tensors = load(data)
        # safetensors' bytes loader drops the metadata, so read it separately.
        with safe_open(str(path), framework="pt") as fh:
            metadata = fh.metadata() or {}
    except Exception as exc:  # safetensors raises several unrelated types
        raise ModelFileError(
            f"{path}: not a readable aekit file (truncated or corrupt safetensors "
            f"data: {exc})"
        ) from None
    if _HEADER_KEY not in metadata or _CHECKSUM_KEY not in metadata:
        raise ModelFileError(
            f"{path}: a safetensors file, but not one written by aekit"
        )
    header_json = metadata[_HEADER_KEY]
    if _digest(header_json, tensors) != metadata[_CHECKSUM_KEY]:
        raise ModelFileError(
            f"{path}: checksum mismatch — the file was modified or damaged after "
            "it was saved"
        )
    try:
        header = json.loads(header_json)
    except json.JSONDecodeError as exc:
        raise ModelFileError(f"{path}: damaged JSON header ({exc})") from None
    fmt = header.get("format")
    if fmt != expected_format:
        raise ModelFileError(
            f"{path}: expected a {expected_format!r} file, found {fmt!r}"
        )
    version = header.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise ModelFileError(
            f"{path}: written by aekit {header.get('aekit_version', '?')} in format "
            f"version {version!r}; this aekit {__version__} reads format versions up "
            f"to {FORMAT_VERSION}. Upgrade aekit to load it."
        )
    return tensors, header


def save(estimator: Any, path: str | os.PathLike[str]) -> Path:
    """Save a fitted estimator to ``path`` (one ``.safetensors`` file)."""
    tensors, state = estimator._get_saved_state()
    header = {
        "format": MODEL_FORMAT,
        "format_version": FORMAT_VERSION,
        "aekit_version": __version__,
        "class": type(estimator).__name__,
        "params": _jsonable_params(estimator.get_params(deep=False)),
        "state": state,
    }
    write_tensor_file(path, tensors, header)
    return Path(path)


def load(path: str | os.PathLike[str], device: str | None = None) -> Any:
    """Load an estimator saved with ``est.save(path)``.

    Parameters
    ----------
    path : path-like
        File written by ``save``.
    device : str, optional
        Where to put the network; default: the estimator's own ``device`` param,
        falling back to CPU when that device is not available here.

    Raises
    ------
    aekit.exceptions.ModelFileError
        If the file is missing, truncated, tampered with, from a newer format, or
        names an estimator class aekit does not know.
    """
    tensors, header = read_tensor_file(path, MODEL_FORMAT)
    name = header.get("class")
    registry = ESTIMATORS if name in ESTIMATORS else COMPOSITES
    if name not in registry:
        raise ModelFileError(f"{path}: unknown estimator class {name!r}")
    cls = registry.get(str(name))
    try:
        estimator = cls(**_restore_tuples(cls, header["params"]))
        estimator._set_saved_state(tensors, header["state"], device=device)
    except (KeyError, TypeError, ValueError, RuntimeError) as exc:
        raise ModelFileError(f"{path}: inconsistent model file ({exc})") from None
    return estimator


def _jsonable_params(params: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in params.items():
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, os.PathLike):
            value = os.fspath(value)  # loads back as a str: same file
        elif hasattr(value, "item") and getattr(value, "ndim", None) == 0:
            value = value.item()  # numpy scalar, e.g. epochs=np.int64(20)
        try:
            json.dumps(value)
        except TypeError:
            # e.g. validation_data arrays: data, not configuration; not saved.
            value = None
        out[key] = value
    return out


def _restore_tuples(cls: type, params: dict[str, Any]) -> dict[str, Any]:
    """JSON has no tuples: give back tuples where the parameter's default is one."""
    defaults = {p.name: p.default for p in inspect.signature(cls).parameters.values()}
    return {
        k: tuple(v) if isinstance(v, list) and isinstance(defaults.get(k), tuple) else v
        for k, v in params.items()
    }


# --------------------------------------------------------------------- checkpoints
def save_checkpoint(path: str | os.PathLike[str], trainer: Trainer) -> None:
    """Atomically write everything ``trainer`` needs to resume to ``path``.

    See :meth:`aekit.train.Trainer.checkpoint_state` for the contents. Under
    data-parallel training every rank must call this at the same step; rank 0
    alone writes the file.
    """
    tensors, fields = trainer.checkpoint_state()
    if trainer.rank != 0:
        return
    header = {
        "format": CHECKPOINT_FORMAT,
        "format_version": FORMAT_VERSION,
        "aekit_version": __version__,
        **fields,
    }
    write_tensor_file(path, tensors, header)


def load_checkpoint(
    path: str | os.PathLike[str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Read a checkpoint: returns ``(parts, header)``.

    ``parts`` has ``module`` (a state dict), ``optimizer`` (a state dict, or
    None), ``rng`` (the shuffling generator's state), ``rng_epoch`` (its state
    at the start of the epoch under way), ``ranks`` (per rank: ``torch`` and
    ``cuda`` generator states, ``step`` generator states, partial ``sums`` and
    ``count``), ``callbacks`` (tensors of callback states, by index) and
    ``path``. ``header`` holds the position (``epoch`` completed, ``batch``
    completed in the next), ``history`` and the settings the run used.
    """
    tensors, header = read_tensor_file(path, CHECKPOINT_FORMAT)
    module = _strip(tensors, "module.")
    optimizer: dict[str, Any] | None = None
    meta = header.get("optimizer") or {}
    if meta:
        state: dict[int, dict[str, Any]] = {}
        for key, value in _strip(tensors, "optim.").items():
            pid, name = key.split(".", 1)
            state.setdefault(int(pid), {})[name] = value
        for key, value in meta["scalars"].items():
            pid, name = key.split(".", 1)
            state.setdefault(int(pid), {})[name] = value
        optimizer = {"state": state, "param_groups": meta["param_groups"]}
    ranks = []
    for r, info in enumerate(header.get("ranks", [])):
        own = _strip(tensors, f"rank.{r}.")
        ranks.append(
            {
                "torch": own["rng.torch"],
                "cuda": own.get("rng.cuda"),
                "step": [own[f"rng.step.{i}"] for i in range(info["step_generators"])],
                "sums": {key: own[f"sum.{key}"] for key in info["sums"]},
                "count": int(info["count"]),
            }
        )
    callbacks: dict[int, dict[str, Any]] = {}
    for key, value in _strip(tensors, "callback.").items():
        index, name = key.split(".", 1)
        entry = callbacks.setdefault(int(index), {})
        if ":" in name:
            outer, inner = name.split(":", 1)
            entry.setdefault(outer, {})[inner] = value
        else:
            entry[name] = value
    return {
        "module": module,
        "optimizer": optimizer,
        "rng": tensors["rng.shuffle"],
        "rng_epoch": tensors.get("rng.epoch", tensors["rng.shuffle"]),
        "ranks": ranks,
        "callbacks": callbacks,
        "path": os.fspath(path),
    }, header


def _strip(tensors: dict[str, torch.Tensor], prefix: str) -> dict[str, torch.Tensor]:
    """The tensors whose key starts with ``prefix``, keyed without it."""
    return {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)}
