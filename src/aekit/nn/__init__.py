"""Pure ``torch.nn`` modules, one file per family. No losses, no I/O, no numpy."""

from .dense import DenseAutoEncoderModule
from .layers import AEOutput, activation_layer, mlp

__all__ = ["AEOutput", "DenseAutoEncoderModule", "activation_layer", "mlp"]
