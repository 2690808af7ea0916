"""aekit — autoencoders for practitioners.

>>> import aekit
>>> X, _ = aekit.datasets.load("digits")
>>> ae = aekit.AutoEncoder(code_size=8, epochs=3, random_state=0).fit(X)
"""

from . import compress, corruption, datasets, models, text
from ._version import __version__
from .estimators import (
    AutoEncoder,
    ConvAutoEncoder,
    SequenceAutoEncoder,
    VariationalAutoEncoder,
)
from .estimators.outlier import OutlierDetector
from .exceptions import (
    AekitError,
    DataError,
    DatasetNotFoundError,
    ModelFileError,
    RegistryError,
    TrainingError,
)
from .io import load

__all__ = [
    "AekitError",
    "AutoEncoder",
    "ConvAutoEncoder",
    "DataError",
    "DatasetNotFoundError",
    "ModelFileError",
    "OutlierDetector",
    "RegistryError",
    "SequenceAutoEncoder",
    "TrainingError",
    "VariationalAutoEncoder",
    "__version__",
    "compress",
    "corruption",
    "datasets",
    "load",
    "models",
    "text",
]
