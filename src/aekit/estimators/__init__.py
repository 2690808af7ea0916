"""scikit-learn-style estimators."""

from .base import BaseAutoEncoder
from .conv import ConvAutoEncoder
from .dense import AutoEncoder

__all__ = ["AutoEncoder", "BaseAutoEncoder", "ConvAutoEncoder"]
