"""Reconstruction losses and the :class:`Objective` that composes loss terms."""

from .objective import Objective, ObjectiveOutput
from .reconstruction import RECONSTRUCTION_LOSSES, reconstruction_loss
from .variational import VariationalObjective

__all__ = [
    "RECONSTRUCTION_LOSSES",
    "Objective",
    "ObjectiveOutput",
    "VariationalObjective",
    "reconstruction_loss",
]
