"""scikit-learn-style estimators."""

from .base import BaseAutoEncoder
from .conv import ConvAutoEncoder
from .dense import AutoEncoder
from .variational import VariationalAutoEncoder

__all__ = [
    "AutoEncoder",
    "BaseAutoEncoder",
    "ConvAutoEncoder",
    "VariationalAutoEncoder",
]
