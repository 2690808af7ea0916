"""The training loop shared by every estimator."""

from . import distributed
from .callbacks import Callback, EarlyStopping, History, KLWarmup, ModelCheckpoint
from .trainer import Trainer, make_optimizer, resolve_device

__all__ = [
    "Callback",
    "EarlyStopping",
    "History",
    "KLWarmup",
    "ModelCheckpoint",
    "Trainer",
    "distributed",
    "make_optimizer",
    "resolve_device",
]
