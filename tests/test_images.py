"""Image folders, SSIM, and denoising images end to end through the CLI."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

import aekit
from aekit.cli import main
from aekit.datasets import load_images
from aekit.metrics import psnr, ssim


def _write(folder, images, suffix=".png"):
    folder.mkdir(parents=True, exist_ok=True)
    for i, image in enumerate(images):
        pixels = np.clip(np.rint(image * 255), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / f"img{i:02d}{suffix}")


@pytest.fixture(scope="module")
def digits():
    X, _ = aekit.datasets.load("digits")
    return X


def test_load_images_grey_rgb_and_resize(tmp_path, digits):
    _write(tmp_path / "grey", digits[:5])
    X, paths = load_images(tmp_path / "grey")
    assert X.shape == (5, 8, 8) and X.dtype == np.float32
    np.testing.assert_allclose(X, np.rint(digits[:5] * 255) / 255, atol=1e-6)
    assert [p.name for p in paths] == [f"img{i:02d}.png" for i in range(5)]
    rgb, _ = load_images(tmp_path / "grey", mode="RGB", size=(12, 10))
    assert rgb.shape == (5, 10, 12, 3)


def test_unreadable_files_listed_or_skipped(tmp_path, digits):
    _write(tmp_path, digits[:3])
    (tmp_path / "broken.png").write_bytes(b"not an image")
    (tmp_path / "also.jpg").write_bytes(b"\xff\xd8 truncated")
    with pytest.raises(aekit.DataError, match=r"2 unreadable.*also\.jpg.*broken\.png"):
        load_images(tmp_path)
    X, paths = load_images(tmp_path, errors="skip")
    assert len(X) == 3 and "broken.png" not in [p.name for p in paths]


def test_mixed_sizes_need_size(tmp_path, digits):
    _write(tmp_path, digits[:2])
    Image.fromarray(np.zeros((5, 5), np.uint8)).save(tmp_path / "small.png")
    with pytest.raises(aekit.DataError, match="different sizes"):
        load_images(tmp_path)
    assert load_images(tmp_path, size=(8, 8))[0].shape == (3, 8, 8)


def test_ssim_and_psnr_order_noisy_below_clean(digits):
    rng = np.random.default_rng(0)
    noisy = np.clip(digits[:20] + rng.normal(0, 0.3, digits[:20].shape), 0, 1)
    assert np.allclose(ssim(digits[:20], digits[:20]), 1.0)
    noisier = np.clip(digits[:20] + rng.normal(0, 0.6, digits[:20].shape), 0, 1)
    assert np.all(ssim(digits[:20], noisy) < 1.0)
    assert np.all(ssim(digits[:20], noisier) < ssim(digits[:20], noisy))
    assert ssim(digits[:20], noisy).shape == (20,)
    rgb = np.repeat(digits[:4, ..., None], 3, axis=-1)
    np.testing.assert_allclose(ssim(rgb, rgb), 1.0)
    assert np.all(psnr(digits[:20], noisy) < 20)
    with pytest.raises(ValueError, match="images shaped"):
        ssim(digits[:2].reshape(2, -1), digits[:2].reshape(2, -1))


@pytest.mark.parametrize("colour", [False, True])
def test_denoise_cli_keeps_names_and_formats(tmp_path, digits, colour):
    X = np.repeat(digits[..., None], 3, axis=-1) if colour else digits
    model = aekit.ConvAutoEncoder(
        filters=(8, 8),
        output_activation="sigmoid",
        loss="bce",
        corruption="gaussian",
        noise_level=0.3,
        noise_clip=True,
        epochs=3,
        random_state=0,
        device="cpu",
    ).fit(X)
    path = model.save(tmp_path / "dae.safetensors")
    noisy = aekit.corruption.corrupt(X[:4], "gaussian", 0.3, clip=True, random_state=0)
    _write(tmp_path / "in", noisy[:2], ".png")
    Image.fromarray((noisy[2] * 255).astype(np.uint8)).save(tmp_path / "in" / "c.jpg")
    assert (
        main(
            [
                "denoise",
                "--model",
                str(path),
                "--input",
                str(tmp_path / "in"),
                "--output",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["c.jpg", "img00.png", "img01.png"]
    with Image.open(tmp_path / "out" / "c.jpg") as img:
        assert img.format == "JPEG" and img.mode == ("RGB" if colour else "L")
    out, _ = load_images(tmp_path / "out", mode="RGB" if colour else "L")
    assert out.shape[1:] == X.shape[1:]


@pytest.fixture()
def tiny_model(tmp_path, digits):
    model = aekit.ConvAutoEncoder(filters=(4,), epochs=1, device="cpu").fit(digits)
    return model.save(tmp_path / "m.safetensors")


def test_denoise_cli_rejects_bad_folder(tmp_path, tiny_model, capsys):
    path = tiny_model
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "x.png").write_bytes(b"garbage")
    assert (
        main(
            [
                "denoise",
                "--model",
                str(path),
                "--input",
                str(tmp_path / "in"),
                "--output",
                str(tmp_path / "out"),
            ]
        )
        == 2
    )
    assert "x.png" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_plot_denoise(tmp_path, tiny_model):
    path = tiny_model
    out = tmp_path / "denoise.png"
    assert (
        main(
            [
                "plot",
                "denoise",
                "--model",
                str(path),
                "--dataset",
                "digits",
                "--n",
                "5",
                "--output",
                str(out),
            ]
        )
        == 0
    )
    assert out.read_bytes()[:4] == b"\x89PNG"
