"""``denoise-conv-mnist``: the Packt chapter's convolutional denoising autoencoder.

Source: A. Gulli, A. Kapoor and S. Pal, "Deep Learning with TensorFlow 2 and
Keras", 2nd ed., Packt, 2019, chapter 9 ("Autoencoders", section "Keras
autoencoder example ― cleaning up images"): encoder filters [32, 32, 16], 0.5 ·
N(0, 1) noise clipped to [0, 1], binary cross-entropy between the denoised noisy
images and the clean ones, 50 epochs; the book's log ends at a test loss of
0.0988. The figure is the book's: noisy, denoised and clean test images.
"""

from __future__ import annotations

from ..corruption import corrupt
from ..estimators import ConvAutoEncoder
from ..metrics import psnr
from ..plots import denoising_grid
from . import Context, Experiment, Published
from ._data import bce, fit_preset, images, last


def run(ctx: Context) -> dict[str, float]:
    X, _, X_test, _ = images(ctx)
    # A fixed noise draw for the test images, separate from the training noise
    # that the estimator draws itself each epoch.
    noisy = corrupt(X_test, "gaussian", 0.5, clip=True, random_state=ctx.seed + 2)
    ae = fit_preset(ctx, ConvAutoEncoder, "packt-denoiser", X)
    denoised = ae.reconstruct(noisy)
    ctx.save_figure("denoising", denoising_grid(ae, X_test, noisy, n=10))
    return {
        "train_loss": last(ae.history_, "loss"),
        "test_bce": bce(X_test, denoised),
        "test_psnr_db": float(psnr(X_test, denoised).mean()),
        "noisy_psnr_db": float(psnr(X_test, noisy).mean()),
    }


EXPERIMENT = Experiment(
    name="denoise-conv-mnist",
    title="Convolutional denoising autoencoder on noisy MNIST (Packt, ch. 9)",
    source='A. Gulli, A. Kapoor and S. Pal, "Deep Learning with TensorFlow 2 and '
    'Keras", 2nd ed., Packt, 2019, ch. 9',
    description="preset packt-denoiser: filters (32, 32, 16), 0.5·N(0,1) noise "
    "clipped to [0, 1], BCE against the clean images, batch 128, 50 epochs",
    runner=run,
    published={
        # Tolerance: 5 % of the published loss, as for the other losses here.
        "test_bce": Published(0.0988, 0.005, "lower", "test loss at epoch 50"),
    },
)
