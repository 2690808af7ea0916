"""``deep-mnist``: the Keras blog's deep 784-128-64-32 autoencoder.

Source: F. Chollet, "Building Autoencoders in Keras", The Keras Blog, 2016
(section "Deep autoencoder"): encoder 128-64-32 and mirrored decoder, ReLU,
sigmoid output, binary cross-entropy, 100 epochs; the blog reports a train/test
loss of about 0.08 after 100 epochs.
"""

from __future__ import annotations

from ..estimators import AutoEncoder
from . import Context, Experiment, Published
from ._data import reconstruction_experiment


def run(ctx: Context) -> dict[str, float]:
    return reconstruction_experiment(ctx, AutoEncoder, "deep-mnist", flat=True)[2]


EXPERIMENT = Experiment(
    name="deep-mnist",
    title="Deep 784-128-64-32 autoencoder on MNIST (Keras blog)",
    source='F. Chollet, "Building Autoencoders in Keras", The Keras Blog, 2016',
    description="preset deep-mnist: encoder 128-64-32, mirrored decoder, ReLU, "
    "sigmoid output, BCE, batch 256, 100 epochs",
    runner=run,
    published={
        "val_bce": Published(0.08, 0.005, "lower", "train/test loss ≈ 0.08"),
    },
)
