"""``conv-mnist``: the Keras blog's convolutional autoencoder, 4×4×8 code.

Source: F. Chollet, "Building Autoencoders in Keras", The Keras Blog, 2016
(section "Convolutional autoencoder"): three 3×3 conv + 2×2 max-pool stages of
16, 8, 8 filters down to a 4×4×8 code, mirrored with upsampling, sigmoid
output, binary cross-entropy, batch 128, 50 epochs; "the model converges to a
loss of 0.094".
"""

from __future__ import annotations

from ..estimators import ConvAutoEncoder
from . import Context, Experiment, Published
from ._data import reconstruction_experiment


def run(ctx: Context) -> dict[str, float]:
    return reconstruction_experiment(
        ctx, ConvAutoEncoder, "keras-blog-conv", flat=False
    )[2]


EXPERIMENT = Experiment(
    name="conv-mnist",
    title="Convolutional autoencoder with a 4×4×8 code on MNIST (Keras blog)",
    source='F. Chollet, "Building Autoencoders in Keras", The Keras Blog, 2016',
    description="preset keras-blog-conv: filters (16, 8, 8), 3×3 kernels, "
    "max-pooling to 4×4×8, upsampling decoder, BCE, batch 128, 50 epochs",
    runner=run,
    published={
        "val_bce": Published(0.094, 0.005, "lower", "converges to a loss of 0.094"),
    },
)
