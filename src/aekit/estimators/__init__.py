"""scikit-learn-style estimators."""

from .base import BaseAutoEncoder
from .conv import ConvAutoEncoder
from .dense import AutoEncoder
from .sequence import SequenceAutoEncoder
from .variational import VariationalAutoEncoder

__all__ = [
    "AutoEncoder",
    "BaseAutoEncoder",
    "ConvAutoEncoder",
    "SequenceAutoEncoder",
    "VariationalAutoEncoder",
]
