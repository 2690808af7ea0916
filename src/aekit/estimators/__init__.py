"""scikit-learn-style estimators."""

from .base import BaseAutoEncoder
from .dense import AutoEncoder

__all__ = ["AutoEncoder", "BaseAutoEncoder"]
