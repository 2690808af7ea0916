"""ConvAutoEncoder: image layouts, sizes, colour, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import aekit
from aekit.estimators.conv import image_layout

QUICK = {
    "filters": (8, 8),
    "epochs": 2,
    "batch_size": 64,
    "random_state": 0,
    "device": "cpu",
}


@pytest.fixture(scope="module")
def digits():
    X, _ = aekit.datasets.load("digits")
    return X[:600]


@pytest.mark.parametrize(
    "make, image_shape, layout",
    [
        (lambda X: X, (1, 8, 8), "chw"),
        (lambda X: X[..., None], (1, 8, 8), "hwc"),
        (lambda X: X[:, None], (1, 8, 8), "chw"),
        (lambda X: np.repeat(X[..., None], 3, axis=-1), (3, 8, 8), "hwc"),
        (lambda X: np.repeat(X[:, None], 3, axis=1), (3, 8, 8), "chw"),
        (lambda X: X[:, :7, :5], (1, 7, 5), "chw"),
        (lambda X: np.pad(X, ((0, 0), (0, 3), (0, 1))), (1, 11, 9), "chw"),
    ],
)
@pytest.mark.parametrize("upsample", ["upsample", "conv-upsample"])
def test_layouts_and_sizes_round_trip(digits, make, image_shape, layout, upsample):
    X = make(digits)
    ae = aekit.ConvAutoEncoder(**{**QUICK, "upsample": upsample}).fit(X)
    assert ae.image_shape_ == image_shape and ae.layout_ == layout
    assert ae.reconstruct(X).shape == X.shape
    codes = ae.transform(X)
    assert ae.inverse_transform(codes).shape == X.shape


def test_channel_order_is_respected(digits):
    # Three different channels: a channels-last model must reconstruct each
    # channel from its own values, which a scrambled layout would not.
    rgb = np.stack([digits, digits[:, ::-1], digits.transpose(0, 2, 1)], axis=-1)
    ae = aekit.ConvAutoEncoder(**{**QUICK, "epochs": 30}).fit(rgb)
    recon = ae.reconstruct(rgb)
    per_channel = [np.mean((recon[..., c] - rgb[..., c]) ** 2) for c in range(3)]
    swapped = np.mean((recon[..., 0] - rgb[..., 1]) ** 2)
    assert max(per_channel) < swapped


def test_packt_denoiser_is_the_books_network():
    # Gulli, Kapoor & Pal (2019), ch. 9: encoder 28 -> 14 -> 7 -> 4 ("same"
    # pooling), decoder conv before each up-sampling: 4 -> 8 -> 16, a valid conv
    # to 14, then 28; 30,689 parameters.
    from aekit.nn.conv import ConvAutoEncoderModule

    params = aekit.ConvAutoEncoder.presets.get("packt-denoiser")
    net = ConvAutoEncoderModule(
        (1, 28, 28), filters=params["filters"], upsample=params["upsample"]
    )
    assert sum(p.numel() for p in net.parameters()) == 30_689
    assert net.feature_shape == (16, 4, 4)
    convs = [m for m in net.decoder if isinstance(m, torch.nn.Conv2d)]
    assert [c.padding for c in convs] == [(1, 1), (1, 1), (0, 0), (1, 1)]
    x = torch.rand(2, 784)
    assert net.decode(net.encode(x)).shape == (2, 784)


@pytest.mark.parametrize("shape", [(1, 1), (5, 7), (13, 29), (28, 28), (32, 32)])
def test_conv_upsample_covers_any_size(shape):
    from aekit.nn.conv import ConvAutoEncoderModule

    net = ConvAutoEncoderModule((3, *shape), "hwc", (4, 4, 4), upsample="conv-upsample")
    maps = net.decoder(net.features(torch.rand(2, 3, *shape)))
    # Covers the image with less than one stage's worth of overshoot, then crops.
    assert all(0 <= m - s < 8 for m, s in zip(maps.shape[2:], shape, strict=True))
    assert net(torch.rand(2, 3 * shape[0] * shape[1])).logits.shape == (
        2,
        3 * shape[0] * shape[1],
    )


def test_padding_does_not_leak_into_reconstruction(digits):
    X = digits[:, :7, :5]
    ae = aekit.ConvAutoEncoder(**{**QUICK, "filters": (4, 4, 4)}).fit(X)
    assert ae.module_.padded == (8, 8)
    assert ae.reconstruct(X).shape == (len(X), 7, 5)


def test_dense_bottleneck_sets_code_size(digits):
    ae = aekit.ConvAutoEncoder(**QUICK, code_size=5).fit(digits)
    assert ae.transform(digits).shape == (len(digits), 5)
    assert ae.get_feature_names_out().shape == (5,)


def test_ambiguous_layout_needs_channels_argument():
    X = np.zeros((4, 3, 5, 3), np.float32)
    with pytest.raises(aekit.DataError, match="channels='first' or channels='last'"):
        aekit.ConvAutoEncoder(**QUICK).fit(X)
    ae = aekit.ConvAutoEncoder(**QUICK, channels="first").fit(X)
    assert ae.image_shape_ == (3, 5, 3)


def test_layout_change_at_transform_is_rejected(digits):
    rgb = np.repeat(digits[..., None], 3, axis=-1)
    ae = aekit.ConvAutoEncoder(**QUICK).fit(rgb)
    with pytest.raises(aekit.DataError, match="same layout"):
        ae.transform(rgb.transpose(0, 3, 1, 2))


def test_flat_vectors_are_rejected(digits):
    with pytest.raises(aekit.DataError, match=r"needs images shaped \(n, h, w\)"):
        aekit.ConvAutoEncoder(**QUICK).fit(digits.reshape(len(digits), -1))


@pytest.mark.parametrize(
    "params, match",
    [
        ({"filters": ()}, "at least one"),
        ({"kernel_size": 4}, "odd"),
        ({"downsample": "avg"}, "downsample"),
        ({"upsample": "bilinear"}, "upsample"),
        ({"channels": "middle"}, "channels"),
        ({"loss": "bce"}, "needs output_activation='sigmoid'"),
    ],
)
def test_invalid_params(digits, params, match):
    with pytest.raises(ValueError, match=match):
        aekit.ConvAutoEncoder(**{**QUICK, **params}).fit(digits)


def test_image_layout_rule():
    assert image_layout((28, 28), "auto") == ((1, 28, 28), "chw")
    assert image_layout((32, 32, 3), "auto") == ((3, 32, 32), "hwc")
    assert image_layout((3, 32, 32), "auto") == ((3, 32, 32), "chw")
    with pytest.raises(aekit.DataError):
        image_layout((2, 2, 2, 2), "auto")


def test_save_load_keeps_layout(digits, tmp_path):
    rgb = np.repeat(digits[..., None], 3, axis=-1)
    ae = aekit.ConvAutoEncoder(**QUICK).fit(rgb)
    loaded = aekit.load(ae.save(tmp_path / "conv.safetensors"))
    assert loaded.image_shape_ == (3, 8, 8) and loaded.layout_ == "hwc"
    np.testing.assert_array_equal(loaded.reconstruct(rgb), ae.reconstruct(rgb))


def test_feature_order_hwc_is_chw_with_permuted_dense_weights():
    # "hwc" (what the estimators build) flattens the channels-last maps without a
    # copy; it is the same network as "chw" up to the order of the dense units.
    from aekit.nn.conv import ConvAutoEncoderModule

    config = {
        "image_shape": (2, 12, 12),
        "filters": (4, 6),
        "code_size": 3,
        "hidden_sizes": (5,),
        "downsample": "stride",
        "upsample": "transpose",
        "transpose_kernel": 3,
    }
    torch.manual_seed(0)
    chw = ConvAutoEncoderModule(**config)
    hwc = ConvAutoEncoderModule(**config, feature_order="hwc")
    assert ConvAutoEncoderModule(**config).feature_order == "chw"  # old files
    c, h, w = chw.feature_shape
    # Position of each hwc-flattened feature in the chw order.
    order = torch.arange(c * h * w).reshape(c, h, w).permute(1, 2, 0).reshape(-1)
    state = chw.state_dict()
    state["hidden.0.weight"] = state["hidden.0.weight"][:, order]
    state["unbottleneck.0.weight"] = state["unbottleneck.0.weight"][order]
    state["unbottleneck.0.bias"] = state["unbottleneck.0.bias"][order]
    hwc.load_state_dict(state)
    x = torch.rand(5, 2 * 12 * 12)
    a, b = chw(x), hwc(x)
    torch.testing.assert_close(b.code, a.code)
    torch.testing.assert_close(b.logits, a.logits)
    with pytest.raises(ValueError, match="feature_order"):
        ConvAutoEncoderModule(**config, feature_order="whc")


def test_estimators_build_hwc_feature_order(digits):
    est = aekit.ConvAutoEncoder(**{**QUICK, "epochs": 1, "code_size": 4}).fit(
        digits[:128]
    )
    assert est.module_config_["feature_order"] == "hwc"
    vae = aekit.VariationalAutoEncoder(
        encoder="conv", filters=(4, 8), latent_dim=2, epochs=1, random_state=0
    ).fit(digits[:128])
    assert vae.module_config_["backbone_config"]["feature_order"] == "hwc"
