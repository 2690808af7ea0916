"""``vae-fashion-mlp``: the Packt chapter's MLP VAE on Fashion-MNIST.

Source: A. Gulli, A. Kapoor and S. Pal, "Deep Learning with TensorFlow 2 and
Keras", 2nd ed., Packt, 2019, chapter 9 ("Variational autoencoders"): 784-512
encoder, 10 latent units, Bernoulli decoder, batch 100, 80 epochs. The chapter
shows generated samples only, so no number is checked; the run reports the
training loss and the test loss (negative ELBO, nats per image).
"""

from __future__ import annotations

import numpy as np

from ..estimators import VariationalAutoEncoder
from ..plots import image_grid
from . import Context, Experiment
from ._data import fit_preset, images, last


def run(ctx: Context) -> dict[str, float]:
    X, _, X_test, _ = images(ctx, "fashion-mnist")
    vae = fit_preset(ctx, VariationalAutoEncoder, "packt-fashion-mlp", X)
    samples = vae.sample(100, random_state=ctx.seed)
    fig = image_grid(samples, 10, 10, title="Fashion-MNIST VAE samples", cell_size=0.6)
    ctx.save_figure("samples", fig)
    return {
        "train_loss": last(vae.history_, "loss"),
        "test_loss": -float(np.mean(vae.score_samples(X_test, n_samples=1))),
    }


EXPERIMENT = Experiment(
    name="vae-fashion-mlp",
    title="MLP VAE (hidden 512, latent 10) on Fashion-MNIST (Packt, ch. 9)",
    source='A. Gulli, A. Kapoor and S. Pal, "Deep Learning with TensorFlow 2 and '
    'Keras", 2nd ed., Packt, 2019, ch. 9',
    description="preset packt-fashion-mlp: 784-512-10, ReLU, Bernoulli "
    "likelihood, batch 100, 80 epochs; 100 samples from the prior",
    runner=run,
)
