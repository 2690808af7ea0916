"""Plots return matplotlib Figures that show what they claim."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

import aekit
from aekit.plots import (
    as_images,
    code_activations,
    encoder_weights,
    image_grid,
    reconstruction_grid,
    training_curves,
)


@pytest.fixture(scope="module")
def digits_model():
    X, _ = aekit.datasets.load("digits")
    ae = aekit.AutoEncoder(code_size=8, epochs=2, random_state=0, device="cpu")
    return ae.fit(X), X


def test_reconstruction_grid_images(digits_model):
    ae, X = digits_model
    fig = reconstruction_grid(ae, X, n=7)
    assert isinstance(fig, Figure) and len(fig.axes) == 14
    top, bottom = fig.axes[0].images[0].get_array(), fig.axes[7].images[0].get_array()
    np.testing.assert_array_equal(top, X[0])
    np.testing.assert_array_equal(bottom, ae.reconstruct(X[:7])[0])
    assert "reconstructions" in fig.texts[0].get_text()


def test_reconstruction_grid_falls_back_to_profiles():
    X = np.random.default_rng(0).normal(size=(40, 5)).astype(np.float32)
    ae = aekit.AutoEncoder(code_size=2, epochs=1, random_state=0, device="cpu").fit(X)
    fig = reconstruction_grid(ae, X, n=3)
    assert len(fig.axes[0].lines) == 2  # original and reconstruction


def test_training_curves_show_terms():
    history = {
        "loss": [3.0, 2.0, 1.5],
        "val_loss": [3.2, 2.4, 2.0],
        "reconstruction": [2.9, 1.9, 1.4],
        "l1": [0.1, 0.1, 0.1],
        "epoch_time": [1.0, 1.0, 1.0],
    }
    fig = training_curves(history, log_scale=True)
    assert len(fig.axes) == 2
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["train (1.5)", "validation (2)"]
    assert fig.axes[0].get_yscale() == "log"
    assert {line.get_label().split()[0] for line in fig.axes[1].lines} == {
        "reconstruction",
        "l1",
    }


def test_training_curves_without_validation():
    fig = training_curves({"loss": [1.0, 0.5]})
    assert len(fig.axes) == 1 and len(fig.axes[0].lines) == 1


@pytest.mark.parametrize(
    "shape, expected",
    [
        ((3, 28, 28), (3, 28, 28)),
        ((3, 784), (3, 28, 28)),
        ((3, 28, 28, 1), (3, 28, 28)),
        ((3, 1, 28, 28), (3, 28, 28)),
        ((3, 32, 32, 3), (3, 32, 32, 3)),
        ((3, 3, 32, 32), (3, 32, 32, 3)),
        ((3, 10), None),
        ((3, 2, 5, 5), None),
    ],
)
def test_as_images(shape, expected):
    out = as_images(np.zeros(shape))
    assert (out is None and expected is None) or out.shape == expected


def test_image_grid_layout():
    fig = image_grid(np.zeros((5, 4, 4)), 2, 3, row_titles=["a", "b"], title="t")
    assert len(fig.axes) == 6 and sum(len(ax.images) for ax in fig.axes) == 5


def test_encoder_weights_draws_one_image_per_unit(digits_model):
    ae, _ = digits_model
    fig = encoder_weights(ae, n=8, ncols=4)
    images = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(images) == 8 and images[0].shape == (8, 8)
    weight = ae.module_.encoder[0].weight.detach().numpy()
    np.testing.assert_array_equal(images[3], weight[3].reshape(8, 8))


def test_encoder_weights_rejects_non_images():
    X = np.random.default_rng(0).normal(size=(30, 5)).astype(np.float32)
    ae = aekit.AutoEncoder(code_size=2, epochs=1, random_state=0, device="cpu").fit(X)
    with pytest.raises(ValueError, match="as images"):
        encoder_weights(ae)


def test_code_activations_reports_sparsity(digits_model):
    ae, X = digits_model
    fig = code_activations(ae, X)
    codes = ae.transform(X)
    assert f"mean {codes.mean():.3g}" in fig.axes[0].get_title()
    assert sum(p.get_height() for p in fig.axes[0].patches) == codes.size


def test_encoder_weights_of_a_conv_model_draws_kernels(digits_model):
    _, X = digits_model
    conv = aekit.ConvAutoEncoder(filters=(6,), epochs=1, device="cpu").fit(X)
    fig = encoder_weights(conv)
    images = [ax.images[0].get_array() for ax in fig.axes if ax.images]
    assert len(images) == 6 and images[0].shape == (3, 3)
    assert "convolution kernels" in fig.texts[0].get_text()


def test_reconstruction_grid_draws_flat_square_vectors_as_images():
    X = np.random.default_rng(0).random((30, 784), dtype=np.float32)
    ae = aekit.AutoEncoder(code_size=4, epochs=1, random_state=0, device="cpu").fit(X)
    fig = reconstruction_grid(ae, X, n=3, title="custom")
    assert len(fig.axes) == 6 and fig.axes[0].images[0].get_array().shape == (28, 28)
    assert fig.texts[0].get_text() == "custom"
    assert [ax.get_ylabel() for ax in fig.axes[::3]] == ["original", "reconstructed"]
    assert all(not ax.get_xticks().size and not ax.get_yticks().size for ax in fig.axes)


def test_reconstruction_grid_rejects_bad_n(digits_model):
    ae, X = digits_model
    with pytest.raises(ValueError, match="n must be >= 1"):
        reconstruction_grid(ae, X, n=0)


def test_image_grid_titles_colour_and_grey_levels():
    rgb = np.random.default_rng(0).random((3, 3, 4, 4))
    fig = image_grid(as_images(rgb), 1, 3, titles=["a", "b", "c"])
    assert [ax.get_title() for ax in fig.axes] == ["a", "b", "c"]
    assert fig.axes[0].images[0].get_array().shape == (4, 4, 3)
    # Pixel data in [0, 1] keeps the fixed 0..1 scale; other data its own range.
    assert fig.axes[0].images[0].get_clim() == (0.0, 1.0)
    signed = image_grid(np.linspace(-2, 3, 32).reshape(2, 4, 4), 1, 2)
    assert signed.axes[0].images[0].get_clim() == (-2.0, 3.0)
    with pytest.raises(ValueError, match="do not fit"):
        image_grid(np.zeros((7, 2, 2)), 2, 3)


def test_training_curves_draw_validation_terms_dashed():
    history = {
        "loss": [2.0, 1.0],
        "reconstruction": [1.5, 0.8],
        "val_loss": [2.1, 1.2],
        "val_reconstruction": [1.6, 0.9],
    }
    fig = training_curves(history, ylabel="binary cross-entropy")
    assert fig.axes[0].get_ylabel() == "binary cross-entropy"
    terms = fig.axes[1]
    assert [line.get_linestyle() for line in terms.lines] == ["-", "--"]
    assert terms.lines[0].get_color() == terms.lines[1].get_color()
    assert "validation dashed" in terms.get_title()
    with pytest.raises(ValueError, match="no 'loss'"):
        training_curves({})


@pytest.fixture(scope="module")
def small_vae():
    X, y = aekit.datasets.load("digits")
    vae = aekit.VariationalAutoEncoder(
        latent_dim=3, hidden_layer_sizes=(32,), epochs=3, random_state=0, device="cpu"
    )
    return vae.fit(X), X, y


def test_latent_scatter_projects_with_pca_and_colours_by_label(small_vae):
    from aekit.plots import latent_scatter

    vae, X, y = small_vae
    fig = latent_scatter(vae, X, y)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "PC1" and "principal components" in ax.get_title()
    assert len(ax.collections) == len(np.unique(y))  # one scatter per class
    with pytest.raises(ValueError, match="labels"):
        latent_scatter(vae, X, y[:10])


def test_latent_manifold_decodes_the_prior_quantiles(small_vae):
    from aekit.plots import latent_manifold

    vae, _, _ = small_vae
    fig = latent_manifold(vae, n=4, dims=(0, 2))
    assert len(fig.axes) == 16
    # The centre of an even grid straddles z = 0: images there must differ from
    # the corners, i.e. the decoder responds to the latent grid.
    first, last = (np.asarray(ax.images[0].get_array()) for ax in fig.axes[::15])
    assert not np.allclose(first, last)
    with pytest.raises(ValueError, match="dims"):
        latent_manifold(vae, dims=(0, 3))
    with pytest.raises(ValueError, match="quantile_range"):
        latent_manifold(vae, quantile_range=(0.0, 1.0))


def test_interpolation_starts_and_ends_at_the_inputs(small_vae):
    from aekit.plots import interpolate

    vae, X, _ = small_vae
    fig = interpolate(vae, X[0], X[1], steps=5)
    assert len(fig.axes) == 7
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), X[0])
    np.testing.assert_array_equal(fig.axes[-1].images[0].get_array(), X[1])
    with pytest.raises(ValueError, match="steps"):
        interpolate(vae, X[0], X[1], steps=1)
