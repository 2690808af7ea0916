"""``deep-mnist``: the Keras blog's deep 784-128-64-32 autoencoder.

Source: F. Chollet, "Building Autoencoders in Keras", The Keras Blog, 2016
(section "Deep autoencoder"): encoder 128-64-32 and mirrored decoder, ReLU,
sigmoid output, binary cross-entropy, 100 epochs; the blog reports a train/test
loss of about 0.08 after 100 epochs.
"""

from __future__ import annotations

from ..estimators import AutoEncoder
from ..plots import reconstruction_grid
from . import Context, Experiment, Published
from ._data import bce, fit_preset, images, last


def run(ctx: Context) -> dict[str, float]:
    X, _, X_test, _ = images(ctx, flat=True)
    ae = fit_preset(ctx, AutoEncoder, "deep-mnist", X, X_test)
    ctx.save_figure("reconstructions", reconstruction_grid(ae, X_test, n=10))
    return {
        "train_bce": last(ae.history_, "loss"),
        "val_bce": last(ae.history_, "val_loss"),
        "test_bce": bce(X_test, ae.reconstruct(X_test)),
    }


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
