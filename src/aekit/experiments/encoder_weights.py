"""``encoder-weights``: the first-layer weights of a trained autoencoder as images.

Source: A. Ng, "Sparse autoencoder", CS294A lecture notes, Stanford, 2011,
section "Visualizing a trained autoencoder": each hidden unit's incoming
weights, drawn as an image, show the pen-stroke detectors it learned. Drawn
here for the Keras blog's 784-32-784 model (preset ``vanilla-mnist``). The
source shows a figure only, so no number is checked.
"""

from __future__ import annotations

from ..estimators import AutoEncoder
from ..plots import encoder_weights
from . import Context, Experiment
from ._data import bce, fit_preset, images


def run(ctx: Context) -> dict[str, float]:
    X, _, X_test, _ = images(ctx, flat=True)
    ae = fit_preset(ctx, AutoEncoder, "vanilla-mnist", X)
    ctx.save_figure("encoder_weights", encoder_weights(ae, n=32, ncols=8))
    return {"test_bce": bce(X_test, ae.reconstruct(X_test))}


EXPERIMENT = Experiment(
    name="encoder-weights",
    title="First-layer weights of the 784-32-784 autoencoder on MNIST",
    source='A. Ng, "Sparse autoencoder", CS294A lecture notes, Stanford, 2011',
    description="preset vanilla-mnist (784-32-784, BCE, 50 epochs); the 32 "
    "units' incoming weights drawn as 28×28 images",
    runner=run,
)
