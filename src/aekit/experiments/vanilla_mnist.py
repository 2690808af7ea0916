"""``vanilla-mnist``: the Keras blog's single-layer 784-32-784 autoencoder.

Source: F. Chollet, "Building Autoencoders in Keras", The Keras Blog, 14 May
2016 (section "Let's build the simplest possible autoencoder"): ReLU code of 32
units, sigmoid output, binary cross-entropy, Adam, batch 256, 50 epochs on the
60 000 MNIST training images with the test images as validation data; "the model
converges to a train/test loss of about 0.09".
"""

from __future__ import annotations

from ..estimators import AutoEncoder
from . import Context, Experiment, Published
from ._data import reconstruction_experiment


def run(ctx: Context) -> dict[str, float]:
    return reconstruction_experiment(ctx, AutoEncoder, "vanilla-mnist", flat=True)[2]


EXPERIMENT = Experiment(
    name="vanilla-mnist",
    title="Single-layer 784-32-784 autoencoder on MNIST (Keras blog)",
    source='F. Chollet, "Building Autoencoders in Keras", The Keras Blog, 2016',
    description="preset vanilla-mnist: 784-32-784, ReLU code, sigmoid output, BCE, "
    "Adam, batch 256, 50 epochs; MNIST test images as validation data",
    runner=run,
    published={
        # The blog gives "about 0.09": half a unit in the last place as tolerance.
        "val_bce": Published(0.09, 0.005, "lower", "train/test loss ≈ 0.09"),
    },
)
