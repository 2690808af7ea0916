"""The model registry: ``aekit.models.register`` / ``create`` / ``list``.

A registered model is a factory ``f(**config) -> torch.nn.Module`` whose ``forward``
returns :class:`aekit.nn.AEOutput`. Estimators build their networks only through
:func:`create`, so a user can plug in a new architecture by registering it.

Examples
--------
>>> import aekit
>>> "dense" in aekit.models.list()
True
>>> net = aekit.models.create("dense", input_dim=784, code_size=32)
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from torch import nn

from .nn.conv import ConvAutoEncoderModule
from .nn.dense import DenseAutoEncoderModule
from .nn.recurrent import SequenceAutoEncoderModule
from .nn.variational import VariationalAutoEncoderModule
from .registry import Registry

MODELS: Registry[Callable[..., nn.Module]] = Registry("model")


def register(name: str, factory: Callable[..., nn.Module] | None = None) -> Any:
    """Register a module factory under ``name`` (also usable as a decorator).

    Raises
    ------
    aekit.exceptions.RegistryError
        If ``name`` is already registered.
    """
    return MODELS.register(name, factory)


def create(name: str, **config: Any) -> nn.Module:
    """Build the module registered as ``name`` with keyword ``config``."""
    return MODELS.get(name)(**config)


def list() -> builtins.list[str]:
    """Names of all registered models, sorted."""
    return MODELS.names()


register("dense", DenseAutoEncoderModule)
register("conv", ConvAutoEncoderModule)
register("vae", VariationalAutoEncoderModule)
register("sequence", SequenceAutoEncoderModule)
