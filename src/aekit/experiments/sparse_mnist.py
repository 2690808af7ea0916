"""``sparse-mnist``: the Keras blog's 784-32-784 autoencoder with an L1 code penalty.

Source: F. Chollet, "Building Autoencoders in Keras", The Keras Blog, 2016
(section "Adding a sparsity constraint on the encoded representations"):
``activity_regularizer=regularizers.l1(10e-5)`` on the 32-unit code, 100 epochs;
"the models ends with a train loss of 0.11 and test loss of 0.10". ``10e-5``
is 1e-4, the preset's ``sparsity_weight``. Keras' training loss includes the L1
penalty, so ``train_loss`` here does too; ``test_bce`` is the reconstruction
term alone, which the blog's test loss (also with the penalty) bounds from above.
"""

from __future__ import annotations

from ..estimators import AutoEncoder
from ..plots import code_activations, reconstruction_grid
from . import Context, Experiment, Published
from ._data import bce, fit_preset, images, last


def run(ctx: Context) -> dict[str, float]:
    X, _, X_test, _ = images(ctx, flat=True)
    ae = fit_preset(ctx, AutoEncoder, "sparse-mnist", X, X_test)
    ctx.save_figure("reconstructions", reconstruction_grid(ae, X_test, n=10))
    ctx.save_figure("code_activations", code_activations(ae, X_test))
    codes = ae.transform(X_test)
    return {
        "train_loss": last(ae.history_, "loss"),
        "val_loss": last(ae.history_, "val_loss"),
        "test_bce": bce(X_test, ae.reconstruct(X_test)),
        "mean_code_activation": float(codes.mean()),
    }


EXPERIMENT = Experiment(
    name="sparse-mnist",
    title="Sparse (L1 activity) 784-32-784 autoencoder on MNIST (Keras blog)",
    source='F. Chollet, "Building Autoencoders in Keras", The Keras Blog, 2016',
    description="preset sparse-mnist: 784-32-784, L1 activity penalty 1e-4 "
    "(the blog's 10e-5) on the code, BCE, batch 256, 100 epochs",
    runner=run,
    published={
        "train_loss": Published(0.11, 0.005, "lower", "train loss 0.11"),
        "val_loss": Published(0.10, 0.005, "lower", "test loss 0.10"),
    },
)
