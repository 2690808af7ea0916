"""Saved models: bit-exact round trip, and clear errors for damaged files."""

from __future__ import annotations

import json
import os
import struct

import numpy as np
import pytest

import aekit
from aekit.io import write_tensor_file


@pytest.fixture(scope="module")
def fitted():
    X, _ = aekit.datasets.load("digits")
    ae = aekit.AutoEncoder(
        hidden_layer_sizes=(16,), code_size=4, epochs=2, random_state=0, device="cpu"
    )
    return ae.fit(X), X


@pytest.fixture()
def saved(fitted, tmp_path):
    return fitted[0].save(tmp_path / "m.safetensors")


def _header(path):
    raw = path.read_bytes()
    (n,) = struct.unpack("<Q", raw[:8])
    return raw, n, json.loads(raw[8 : 8 + n])


def test_round_trip_is_bit_exact(fitted, saved):
    est, X = fitted
    loaded = aekit.load(saved)
    np.testing.assert_array_equal(loaded.transform(X), est.transform(X))
    np.testing.assert_array_equal(loaded.score_samples(X), est.score_samples(X))
    assert loaded.input_shape_ == (8, 8) and loaded.hidden_layer_sizes == (16,)


def test_file_is_plain_safetensors_with_readable_json(saved):
    from safetensors import safe_open

    with safe_open(str(saved), framework="pt") as fh:
        meta = json.loads(fh.metadata()["aekit"])
    assert meta["class"] == "AutoEncoder" and meta["aekit_version"] == aekit.__version__
    assert meta["params"]["code_size"] == 4


@pytest.mark.parametrize("keep", [0, 7, 100, -1])
def test_truncated_file_rejected(saved, keep):
    raw = saved.read_bytes()
    saved.write_bytes(raw[: keep if keep >= 0 else len(raw) - 3])
    with pytest.raises(aekit.ModelFileError, match=str(saved.name)):
        aekit.load(saved)


def test_tampered_weights_rejected(saved):
    raw = bytearray(saved.read_bytes())
    raw[-5] ^= 0xFF
    saved.write_bytes(bytes(raw))
    with pytest.raises(aekit.ModelFileError, match="checksum mismatch"):
        aekit.load(saved)


def test_tampered_params_rejected(saved):
    raw, n, header = _header(saved)
    meta = json.loads(header["__metadata__"]["aekit"])
    meta["params"]["code_size"] = 5
    header["__metadata__"]["aekit"] = json.dumps(meta, sort_keys=True)
    body = json.dumps(header).encode()
    body += b" " * (-len(body) % 8)
    saved.write_bytes(struct.pack("<Q", len(body)) + body + raw[8 + n :])
    with pytest.raises(aekit.ModelFileError, match="checksum mismatch"):
        aekit.load(saved)


@pytest.mark.parametrize(
    "changes, match",
    [
        (
            {"format_version": 99, "aekit_version": "9.0"},
            r"format version 99.*Upgrade aekit",
        ),
        ({"class": "os.system"}, "unknown estimator class"),
    ],
)
def test_unreadable_headers_rejected(fitted, tmp_path, changes, match):
    est, _ = fitted
    tensors, state = est._get_saved_state()
    header = {
        "format": "aekit-model",
        "format_version": 1,
        "aekit_version": "0",
        "class": "AutoEncoder",
        "params": {},
        "state": state,
        **changes,
    }
    path = tmp_path / "odd.safetensors"
    write_tensor_file(path, tensors, header)
    with pytest.raises(aekit.ModelFileError, match=match):
        aekit.load(path)


def test_foreign_and_missing_files_rejected(tmp_path):
    from safetensors.numpy import save_file

    other = tmp_path / "other.safetensors"
    save_file({"w": np.zeros(3, np.float32)}, str(other))
    with pytest.raises(aekit.ModelFileError, match="not one written by aekit"):
        aekit.load(other)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(aekit.ModelFileError, match="not a readable aekit file"):
        aekit.load(text)
    with pytest.raises(aekit.ModelFileError, match="no such file"):
        aekit.load(tmp_path / "missing.safetensors")


def test_failed_write_leaves_old_file_and_no_temp(fitted, saved, monkeypatch):
    before = saved.read_bytes()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        fitted[0].save(saved)
    assert saved.read_bytes() == before
    assert [p.name for p in saved.parent.iterdir()] == [saved.name]


def test_unfitted_save_raises(tmp_path):
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        aekit.AutoEncoder().save(tmp_path / "x.safetensors")


def test_written_files_get_the_usual_permissions(tmp_path):
    import os
    import stat

    from aekit.io import atomic_write_bytes

    old = os.umask(0o022)
    try:
        atomic_write_bytes(tmp_path / "out.bin", b"data")
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "out.bin").stat().st_mode)
    assert mode == 0o644  # not mkstemp's private 0600
    assert (tmp_path / "out.bin").read_bytes() == b"data"


def test_numpy_scalar_and_path_params_survive_save(tmp_path):
    import numpy as np

    import aekit

    X, _ = aekit.datasets.load("digits")
    ae = aekit.AutoEncoder(code_size=np.int64(4), epochs=np.int64(2), random_state=0)
    ae.fit(X)
    loaded = aekit.load(ae.save(tmp_path / "m.safetensors"))
    assert loaded.code_size == 4 and loaded.epochs == 2  # not dropped to None
    np.testing.assert_array_equal(loaded.transform(X), ae.transform(X))
