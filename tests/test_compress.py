"""Compression with an autoencoder: the .aekc format, the library API and the CLI."""

from __future__ import annotations

import base64
import io
import json
import struct
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

import aekit
from aekit.cli import main
from aekit.compress import (
    CODECS,
    MAGIC,
    QUANTIZATIONS,
    compress,
    decode_codes,
    decompress,
    encode_codes,
    model_fingerprint,
    read_codes,
)
from aekit.exceptions import DataError
from aekit.metrics import psnr

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


@pytest.fixture(scope="module")
def digits():
    X, _ = aekit.datasets.load("digits")
    return X


def _fit(X, seed, code_size=8):
    return aekit.AutoEncoder(
        hidden_layer_sizes=(32,),
        code_size=code_size,
        code_activation="linear",
        output_activation="sigmoid",
        loss="mse",
        epochs=15,
        batch_size=64,
        random_state=seed,
        device="cpu",
    ).fit(X)


@pytest.fixture(scope="module")
def model(digits):
    return _fit(digits, seed=0)


@pytest.fixture(scope="module")
def saved(model, tmp_path_factory):
    return model.save(tmp_path_factory.mktemp("model") / "model.safetensors")


@pytest.fixture()
def codes():
    rng = np.random.default_rng(0)
    # Dimensions of different scales, one constant, one with exact zeros (ReLU).
    c = rng.normal(size=(500, 6)) * np.array([1.0, 10.0, 0.01, 1.0, 100.0, 1.0])
    c[:, 3] = 2.5
    c[:, 5] = np.maximum(c[:, 5], 0.0)
    return c.astype(np.float32)


# ---------------------------------------------------------------- the format
def test_float16_round_trip_is_exact_to_float16(codes):
    for codec in CODECS:
        data = encode_codes(codes, quantization="float16", codec=codec)
        decoded = decode_codes(data)
        assert decoded.dtype == np.float32 and decoded.shape == codes.shape
        np.testing.assert_array_equal(decoded, codes.astype(np.float16))


def _floats(text):
    return np.frombuffer(base64.b64decode(text), dtype="<f4")


@pytest.mark.parametrize("bits", [8, 6, 4, 2])
def test_intn_error_is_at_most_half_a_step(codes, bits):
    quantization = f"int{bits}"
    for codec in CODECS:
        parsed = read_codes(encode_codes(codes, quantization=quantization, codec=codec))
        header = parsed.header
        assert header["quantization"] == quantization and header["codec"] == codec
        scale = _floats(header["scale"])
        np.testing.assert_allclose(
            scale[[0, 1, 2, 4]],
            np.ptp(codes[:, [0, 1, 2, 4]], axis=0) / (2**bits - 1),
            rtol=1e-6,
        )
        error = np.abs(parsed.codes - codes)
        # Half a step, plus float32 rounding of the decoded value.
        bound = scale / 2 + 1e-6 * np.abs(codes).max(axis=0)
        assert (error <= bound).all()
        assert len(np.unique(parsed.codes[:, 0])) <= 2**bits
        decoded = parsed.codes
        np.testing.assert_array_equal(decoded[:, 3], codes[:, 3])  # constant: exact
        # The minimum is level 0, so ReLU's exact zeros stay exact zeros.
        np.testing.assert_array_equal(decoded[codes[:, 5] == 0, 5], 0.0)


def test_fewer_bits_make_smaller_files(codes):
    sizes = [len(encode_codes(codes, quantization=f"int{b}")) for b in (8, 6, 4, 2)]
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[-1] < sizes[0] / 2


def test_layout_and_encoding_are_deterministic(codes):
    assert encode_codes(codes) == encode_codes(codes.copy())
    one = codes[:1]
    np.testing.assert_array_equal(
        decode_codes(encode_codes(one, quantization="float16")),
        one.astype(np.float16),
    )


def test_file_layout_is_as_documented(codes):
    data = encode_codes(codes, codec="none", sample_shape=(2, 3), dtype="float32")
    magic, version, header_len = struct.unpack_from("<4sHI", data)
    assert magic == MAGIC == b"AEKC" and version == 1
    header = json.loads(data[10 : 10 + header_len])
    assert header["n_samples"] == 500 and header["code_size"] == 6
    assert header["sample_shape"] == [2, 3] and header["dtype"] == "float32"
    (payload_len,) = struct.unpack_from("<Q", data, 10 + header_len)
    assert payload_len == 500 * 6  # one byte per value, no codec
    end = 18 + header_len + payload_len
    assert len(data) == end + 4
    assert struct.unpack_from("<I", data, end)[0] == zlib.crc32(data[:end])
    # Byte planes, dimension major: the first 500 bytes are dimension 0.
    payload = np.frombuffer(data[18 + header_len : end], dtype=np.uint8)
    assert payload[:500].min() == 0 and payload[:500].max() == 255


def test_bad_codes_and_options_are_rejected(codes):
    with pytest.raises(DataError, match="NaN or infinite"):
        encode_codes(np.array([[0.0, np.nan]]))
    with pytest.raises(DataError, match=r"\(n_samples, code_size\)"):
        encode_codes(np.zeros(3))
    with pytest.raises(DataError, match="no data"):
        encode_codes(np.zeros((0, 4)))
    with pytest.raises(DataError, match="float16"):
        encode_codes(np.array([[1e6]]), quantization="float16")
    with pytest.raises(ValueError, match="quantization='int9' is not supported"):
        encode_codes(codes, quantization="int9")
    with pytest.raises(ValueError, match="codec='gzip' is not supported"):
        encode_codes(codes, codec="gzip")
    assert set(QUANTIZATIONS) == {f"int{b}" for b in range(2, 9)} | {"float16"}


# ---------------------------------------------------------------- damaged files
@pytest.fixture()
def data(codes):
    return encode_codes(codes, codec="zlib")


def test_flipped_payload_byte_is_a_checksum_error(data, tmp_path):
    damaged = bytearray(data)
    damaged[-10] ^= 0x01
    path = tmp_path / "codes.aekc"
    path.write_bytes(bytes(damaged))
    with pytest.raises(DataError, match="corrupt: checksum mismatch") as info:
        read_codes(path.read_bytes(), source=str(path))
    assert str(info.value).startswith(f"{path}: ")


@pytest.mark.parametrize("keep", [2, 7, 12, 40, -30, -1])
def test_truncated_file(data, keep):
    with pytest.raises(DataError, match=r"truncated|not an aekit compressed file"):
        decode_codes(data[:keep], source="cut.aekc")


def test_wrong_magic_trailing_bytes_and_version(data):
    with pytest.raises(DataError, match=r"cat\.png: not an aekit compressed file"):
        decode_codes(b"\x89PNG" + data[4:], source="cat.png")
    with pytest.raises(DataError, match="not an aekit compressed file"):
        decode_codes(b"")
    with pytest.raises(DataError, match="3 unexpected bytes after the end"):
        decode_codes(data + b"abc")
    newer = bytearray(data)
    newer[4:6] = struct.pack("<H", 2)
    with pytest.raises(DataError, match=r"format version 2.*Upgrade aekit"):
        decode_codes(bytes(newer))


def _reseal(data: bytes, header: dict) -> bytes:
    """``data`` with another header and a valid checksum (a crafted file)."""
    header_len = struct.unpack_from("<I", data, 6)[0]
    raw = json.dumps(header).encode()
    body = data[:6] + struct.pack("<I", len(raw)) + raw + data[10 + header_len : -4]
    return body + struct.pack("<I", zlib.crc32(body))


def test_inconsistent_header_with_valid_checksum(data):
    header = read_codes(data).header
    for change, needle in [
        ({"codec": "brotli"}, "unsupported codec 'brotli'"),
        ({"n_samples": 0}, "n_samples must be a positive integer"),
        ({"scale": [1.0]}, "scale is not base64 float32 data"),
        ({"offset": "AACAPw=="}, "offset must hold code_size finite float32"),
        ({"quantization": "int2"}, "levels above int2's 3"),
        ({"n_samples": 501}, "does not decode to the 3006 bytes"),
        ({"codec": "lzma"}, "corrupt lzma payload"),
    ]:
        with pytest.raises(DataError, match=needle):
            decode_codes(_reseal(data, {**header, **change}))


def test_lzma_dictionary_size_is_bounded(codes):
    data = encode_codes(codes, codec="lzma")
    header = read_codes(data).header
    assert header["codec_options"]["dict_size"] == 4096  # 3000 bytes of codes
    huge = {**header, "codec_options": {"dict_size": 1 << 40}}
    with pytest.raises(DataError, match="dictionary size 1099511627776 out of range"):
        decode_codes(_reseal(data, huge))


# ---------------------------------------------------------------- with a model
def test_compress_decompress_round_trip(model, digits, tmp_path):
    path = tmp_path / "digits.aekc"
    stats = compress(model, digits, path)
    assert stats.n_samples == len(digits) and stats.code_size == 8
    assert stats.file_bytes == path.stat().st_size
    assert stats.payload_bytes <= 8 * len(digits)  # at most a byte per value
    assert stats.bits_per_sample == 8 * stats.file_bytes / len(digits)
    X_hat = decompress(model, path)
    assert X_hat.shape == digits.shape and X_hat.dtype == np.float32
    exact = model.reconstruct(digits)
    # Behaviour, not bytes: 8-bit codes cost (almost) no reconstruction quality.
    loss = psnr(digits, exact).mean() - psnr(digits, X_hat).mean()
    assert abs(loss) < 0.5
    f16 = io.BytesIO()
    compress(model, digits, f16, quantization="float16", codec="lzma")
    X16 = decompress(model, io.BytesIO(f16.getvalue()))
    np.testing.assert_allclose(X16, exact, atol=1e-2)


def test_flat_float64_input_comes_back_flat_float64(model, digits):
    flat = digits.reshape(len(digits), -1).astype(np.float64)[:10]
    buffer = io.BytesIO()
    compress(model, flat, buffer)
    X_hat = decompress(model, io.BytesIO(buffer.getvalue()))
    assert X_hat.shape == (10, 64) and X_hat.dtype == np.float64


@pytest.mark.parametrize("cls", ["ConvAutoEncoder", "VariationalAutoEncoder"])
def test_other_autoencoders(digits, cls):
    params = {"epochs": 1, "random_state": 0, "device": "cpu"}
    if cls == "ConvAutoEncoder":
        params.update(filters=(4, 4), code_size=6)
    ae = getattr(aekit, cls)(**params).fit(digits[:200])
    buffer = io.BytesIO()
    compress(ae, digits[:20], buffer, quantization="float16")
    X_hat = decompress(ae, io.BytesIO(buffer.getvalue()))
    assert X_hat.shape == (20, 8, 8)
    np.testing.assert_allclose(
        X_hat, ae.inverse_transform(ae.transform(digits[:20])), atol=1e-2
    )


def test_saved_model_keeps_its_fingerprint(model, saved):
    assert model_fingerprint(aekit.load(saved)) == model_fingerprint(model)


def test_wrong_model_is_a_clear_error(model, digits, tmp_path):
    path = tmp_path / "digits.aekc"
    compress(model, digits[:20], path)
    other = _fit(digits[:100], seed=1)  # same architecture, other weights
    with pytest.raises(DataError, match="compressed with a different model"):
        decompress(other, path)
    smaller = _fit(digits[:100], seed=1, code_size=4)
    with pytest.raises(DataError, match=r"codes of size 8.*code size 4"):
        decompress(smaller, path)


def test_nan_input_is_a_clear_error(model, digits, tmp_path):
    bad = digits[:5].copy()
    bad[2, 3, 4] = np.nan
    with pytest.raises(DataError, match="NaN"):
        compress(model, bad, tmp_path / "x.aekc")
    assert not (tmp_path / "x.aekc").exists()


def test_missing_file(model, tmp_path):
    with pytest.raises(DataError, match="no such file"):
        decompress(model, tmp_path / "nope.aekc")


# ---------------------------------------------------------------- command line
def test_cli_matches_library(model, saved, digits, tmp_path, capsys):
    data = tmp_path / "X.npy"
    np.save(data, digits[:100])
    out = tmp_path / "X.aekc"
    argv = ["compress", "--model", str(saved), "--data", str(data)]
    assert main([*argv, "--output", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "wrote 100 codes of size 8 (int8, zlib)" in printed
    assert f"{out.stat().st_size} bytes" in printed and "bits per sample" in printed
    buffer = io.BytesIO()
    compress(model, digits[:100], buffer)
    assert out.read_bytes() == buffer.getvalue()

    recon = tmp_path / "X_hat.npy"
    argv = ["decompress", "--model", str(saved), "--input", str(out)]
    assert main([*argv, "--output", str(recon)]) == 0
    assert "shape (100, 8, 8)" in capsys.readouterr().out
    np.testing.assert_array_equal(np.load(recon), decompress(model, out))

    # A dataset by name, another quantisation and codec.
    out16 = tmp_path / "d.aekc"
    argv = ["compress", "--model", str(saved), "--dataset", "digits", "--limit", "7"]
    argv += ["--output", str(out16), "--quantization", "float16", "--codec", "lzma"]
    assert main(argv) == 0
    assert read_codes(out16.read_bytes()).header["n_samples"] == 7


def test_cli_damaged_file_is_one_line_error(saved, digits, tmp_path, capsys):
    path = tmp_path / "X.aekc"
    with open(path, "wb") as fh:
        compress(aekit.load(saved), digits[:50], fh)
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 0xFF  # the payload's last byte
    path.write_bytes(bytes(raw))
    argv = ["decompress", "--model", str(saved), "--input", str(path)]
    assert main([*argv, "--output", str(tmp_path / "o.npy")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0
    assert err.startswith(f"aekit: error: {path}: corrupt: checksum mismatch")
    assert not (tmp_path / "o.npy").exists()
    argv = ["compress", "--model", str(saved), "--dataset", "digits"]
    assert main([*argv, "--output", str(path), "--codec", "gzip"]) == 2
    assert "invalid choice: 'gzip'" in capsys.readouterr().err


# ---------------------------------------------------------------- benchmark
@pytest.mark.slow
def test_compress_benchmark_small(data_dir, monkeypatch, capsys):
    monkeypatch.setenv("AEKIT_DATA_DIR", str(data_dir))
    monkeypatch.syspath_prepend(str(BENCH))
    for name in ("compress", "_common"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    import compress as bench

    argv = ["--limit", "2000", "--test-limit", "300", "--epochs", "2"]
    result = bench.main([*argv, "--code-sizes", "4", "16", "--no-write"])
    assert '"benchmark": "compress"' in capsys.readouterr().out
    for name in bench.DATASETS:
        rows = result["datasets"][name]
        assert {r["code_size"] for r in rows["aekit"]} == {4, 16}
        for row in rows["aekit"]:
            assert 0 < row["data_bits"] <= row["file_bits"]
            assert 5 < row["psnr"] < 40
        for method in ("jpeg", "webp"):
            for row in rows[method]:
                assert 0 < row["data_bits"] < row["file_bits"]
                assert 5 < row["psnr"] < 60
    assert "bits per image" in bench.markdown(result)
    for name in ("compress", "_common"):
        sys.modules.pop(name, None)
