"""Errors raised by aekit.

Every error a user can trigger with bad input derives from :class:`AekitError`, and
the ones about bad values also derive from :class:`ValueError`, so both
``except ValueError`` (the scikit-learn habit) and ``except aekit.AekitError`` work.
"""

from __future__ import annotations


class AekitError(Exception):
    """Base class of every error aekit raises on purpose."""


class DataError(AekitError, ValueError):
    """Input data is malformed: wrong shape, dtype, range, NaN/inf or a corrupt file."""


class DatasetNotFoundError(AekitError, FileNotFoundError):
    """A named dataset is neither on disk nor downloadable right now."""


class ModelFileError(AekitError, ValueError):
    """A saved model file is truncated, tampered with, or from an unknown version."""


class TrainingError(AekitError, RuntimeError):
    """Training could not continue, e.g. the loss became NaN or infinite."""


class RegistryError(AekitError, KeyError):
    """Unknown or duplicate name in a registry."""

    def __str__(self) -> str:
        # KeyError quotes its message; users should read plain words.
        return str(self.args[0]) if self.args else ""
