"""Reconstruction losses and the :class:`Objective` that composes loss terms."""

from .objective import Objective, ObjectiveOutput
from .reconstruction import RECONSTRUCTION_LOSSES, reconstruction_loss

__all__ = [
    "RECONSTRUCTION_LOSSES",
    "Objective",
    "ObjectiveOutput",
    "reconstruction_loss",
]
