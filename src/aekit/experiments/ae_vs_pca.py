"""``ae-vs-pca-2d``: 2-D codes of a 784-500-2 autoencoder beside PCA's.

Source: G. E. Hinton and R. R. Salakhutdinov, "Reducing the Dimensionality of
Data with Neural Networks", Science 313 (2006), figure 3 (MNIST test digits in
two dimensions, autoencoder codes against the first two principal components),
in the smaller 784-500-2 form of the Packt chapter (A. Gulli, A. Kapoor and S.
Pal, "Deep Learning with TensorFlow 2 and Keras", 2nd ed., Packt, 2019, ch. 9).
The sources show scatter plots only, so no number is checked; the run reports
the 5-nearest-neighbour accuracy of each embedding to say how well classes
separate.
"""

from __future__ import annotations

from sklearn.decomposition import PCA

from ..estimators import AutoEncoder
from ..metrics import knn_accuracy
from ..plots import embedding_comparison
from . import Context, Experiment
from ._data import fit_preset, images


def run(ctx: Context) -> dict[str, float]:
    X, y, X_test, y_test = images(ctx, flat=True)
    ae = fit_preset(ctx, AutoEncoder, "packt-2d", X)
    pca = PCA(n_components=2, random_state=ctx.seed).fit(X)
    ae_train, ae_test = ae.transform(X), ae.transform(X_test)
    pca_train, pca_test = pca.transform(X), pca.transform(X_test)
    scores = {
        "autoencoder 784-500-2": {
            "5-NN acc.": knn_accuracy(ae_train, y, ae_test, y_test)
        },
        "PCA": {"5-NN acc.": knn_accuracy(pca_train, y, pca_test, y_test)},
    }
    fig = embedding_comparison(
        {"autoencoder 784-500-2": ae_test, "PCA": pca_test},
        y_test,
        scores=scores,
        title="MNIST test digits in two dimensions",
    )
    ctx.save_figure("embedding_comparison", fig)
    return {
        "ae_knn_accuracy": scores["autoencoder 784-500-2"]["5-NN acc."],
        "pca_knn_accuracy": scores["PCA"]["5-NN acc."],
    }


EXPERIMENT = Experiment(
    name="ae-vs-pca-2d",
    title="2-D codes: 784-500-2 autoencoder vs PCA on MNIST (Hinton 2006, fig. 3)",
    source='G. E. Hinton and R. R. Salakhutdinov, "Reducing the Dimensionality of '
    'Data with Neural Networks", Science 313, 2006, fig. 3',
    description="preset packt-2d: 784-500-2, linear code, BCE, Adam 1e-3, batch "
    "256, 50 epochs; PCA with two components on the same training images",
    runner=run,
)
