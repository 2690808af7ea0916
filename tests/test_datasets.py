"""Datasets: IDX reader, catalogue lookup, checksummed download, array files."""

from __future__ import annotations

import functools
import gzip
import http.server
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

import aekit
from aekit.data import download
from aekit.datasets import (
    load,
    load_array,
    load_xy,
    read_idx,
    read_idx_pair,
    write_idx,
)


# ------------------------------------------------------------------ real data
@pytest.mark.parametrize("name", ["mnist", "fashion-mnist"])
def test_load_real_idx_datasets(data_dir, monkeypatch, name):
    monkeypatch.setenv("AEKIT_DATA_DIR", str(data_dir))
    X, y = load(name, split="test")
    assert X.shape == (10000, 28, 28) and X.dtype == np.float32
    assert X.min() == 0.0 and X.max() == 1.0
    assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    X_train, y_train = load(name)
    assert X_train.shape == (60000, 28, 28) and y_train.shape == (60000,)


def test_digits_needs_no_files(monkeypatch, tmp_path):
    monkeypatch.delenv("AEKIT_DATA_DIR", raising=False)
    monkeypatch.setenv("AEKIT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("AEKIT_OFFLINE", "1")
    X, y = load("digits")
    X_test, y_test = load("digits", split="test")
    assert X.shape == (1500, 8, 8) and X_test.shape == (297, 8, 8)
    assert X.dtype == np.float32 and X.min() >= 0.0 and X.max() == 1.0
    assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    X_all, y_all = load("digits", split="all")
    np.testing.assert_array_equal(X_all, np.concatenate([X, X_test]))
    np.testing.assert_array_equal(y_all, np.concatenate([y, y_test]))
    assert list(tmp_path.iterdir()) == []


def test_unknown_name_and_split():
    with pytest.raises(aekit.RegistryError, match=r"unknown dataset 'cifar'.*mnist"):
        load("cifar")
    with pytest.raises(ValueError, match=r"unknown split 'val'.*train, test"):
        load("digits", split="val")
    with pytest.raises(ValueError, match=r"unknown split 'validation'"):
        load("mnist", split="validation")


def test_dataset_info_reports_location(data_dir, monkeypatch, tmp_path):
    monkeypatch.setenv("AEKIT_DATA_DIR", str(data_dir))
    info = aekit.datasets.dataset_info("mnist")
    assert info["available"] and info["local_path"] == str(data_dir / "mnist")
    assert info["location"] == info["local_path"]
    assert (info["n_train"], info["n_test"], info["shape"]) == (60000, 10000, (28, 28))
    assert "LeCun" in info["citation"] and info["source"].startswith("https://")
    monkeypatch.setenv("AEKIT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AEKIT_CACHE_DIR", str(tmp_path))
    info = aekit.datasets.dataset_info("fashion-mnist")
    assert not info["available"] and info["local_path"] is None
    assert set(info["files"].values()) == {None} and "Xiao" in info["citation"]
    assert aekit.datasets.dataset_info("digits")["available"]
    assert aekit.datasets.list_datasets() == ["digits", "fashion-mnist", "mnist"]


# ------------------------------------------------------------------ IDX
@pytest.mark.parametrize("suffix", ["", ".gz"])
@pytest.mark.parametrize(
    "dtype", [np.uint8, np.int8, np.int16, np.int32, np.float32, np.float64]
)
def test_idx_round_trip(tmp_path, suffix, dtype):
    arr = (np.arange(2 * 3 * 4) - 5).astype(dtype).reshape(2, 3, 4)
    if dtype == np.uint8:
        arr = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    path = tmp_path / f"a-idx3-ubyte{suffix}"
    write_idx(path, arr)
    out = read_idx(path)
    np.testing.assert_array_equal(out, arr)
    assert out.dtype == np.dtype(dtype)


def _idx_bytes(arr: np.ndarray) -> bytes:
    import struct

    return bytes([0, 0, 8, arr.ndim]) + struct.pack(">3I", *arr.shape) + arr.tobytes()


@pytest.mark.parametrize(
    "mutate, match",
    [
        (lambda b: b[:-10], r"truncated: expected 24 bytes of data.*found 14"),
        (lambda b: b + b"xx", "2 unexpected trailing bytes"),
        (lambda b: b"\x01" + b[1:], "bad magic number"),
        (lambda b: b[:2] + b"\x42" + b[3:], "unknown IDX data type code 0x42"),
        (lambda b: b[:9], "truncated header"),
        (lambda b: b[:2], "too short for a header"),
    ],
)
def test_idx_rejects_corrupt_files(tmp_path, mutate, match):
    raw = _idx_bytes(np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
    path = tmp_path / "bad-idx3-ubyte"
    path.write_bytes(mutate(raw))
    with pytest.raises(aekit.DataError, match=match) as info:
        read_idx(path)
    assert "bad-idx3-ubyte" in str(info.value)


@pytest.mark.parametrize(
    "mutate",
    [lambda gz: gz[:-12], lambda gz: gz[:12] + b"garbage" * 3, lambda gz: gz + b"!!"],
    ids=["truncated", "garbage", "trailing"],
)
def test_idx_rejects_corrupt_gzip(tmp_path, mutate):
    path = tmp_path / "x-idx3-ubyte.gz"
    path.write_bytes(mutate(gzip.compress(_idx_bytes(np.zeros((2, 3, 4), np.uint8)))))
    with pytest.raises(aekit.DataError, match=r"x-idx3-ubyte.gz: corrupt or truncated"):
        read_idx(path)


def test_idx_pair_must_match(tmp_path):
    images, labels = tmp_path / "i-idx3-ubyte", tmp_path / "l-idx1-ubyte"
    write_idx(images, np.zeros((3, 4, 4), np.uint8))
    write_idx(labels, np.zeros(2, np.uint8))
    with pytest.raises(aekit.DataError, match=r"i-idx3-ubyte holds 3 images.*2 labels"):
        read_idx_pair(images, labels)
    with pytest.raises(
        aekit.DataError, match=r"i-idx3-ubyte: images of shape \(4, 4\)"
    ):
        read_idx_pair(images, labels, (28, 28))
    write_idx(labels, np.zeros((3, 1), np.uint8))
    with pytest.raises(aekit.DataError, match="l-idx1-ubyte: labels must be 1-D"):
        read_idx_pair(images, labels)
    write_idx(labels, np.arange(3, dtype=np.uint8))
    out_images, out_labels = read_idx_pair(images, labels, (4, 4))
    assert out_images.shape == (3, 4, 4) and list(out_labels) == [0, 1, 2]


def test_corrupt_file_in_data_dir_named(monkeypatch, tmp_path):
    (tmp_path / "mnist").mkdir()
    for name in ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"):
        (tmp_path / "mnist" / name).write_bytes(b"\x1f\x8b not really gzip")
    monkeypatch.setenv("AEKIT_DATA_DIR", str(tmp_path))
    with pytest.raises(aekit.DataError, match=r"t10k-images-idx3-ubyte.gz: wrong size"):
        load("mnist", split="test")


# ------------------------------------------------------------------ download
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture()
def serve():
    """Serve a folder on 127.0.0.1; yields a function folder -> base URL."""
    servers = []

    def start(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture()
def fresh_cache(monkeypatch, tmp_path):
    cache = tmp_path / "cache"
    monkeypatch.delenv("AEKIT_DATA_DIR", raising=False)
    monkeypatch.delenv("AEKIT_OFFLINE", raising=False)
    monkeypatch.setenv("AEKIT_CACHE_DIR", str(cache))
    return cache


def test_download_verifies_and_caches(data_dir, serve, fresh_cache, monkeypatch):
    monkeypatch.setenv("AEKIT_MIRROR", serve(data_dir))
    monkeypatch.setattr(download, "_verified", set())
    X, y = load("mnist", split="test")
    assert X.shape == (10000, 28, 28) and y.shape == (10000,)
    files = sorted(p.name for p in (fresh_cache / "mnist").iterdir())
    assert files == ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    # Second load reads the cache: works with the server gone and downloads off.
    monkeypatch.setenv("AEKIT_OFFLINE", "1")
    np.testing.assert_array_equal(load("mnist", split="test")[0], X)


TEST_FILES = ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")


def _mirror_copy(data_dir: Path, root: Path, damage=None) -> Path:
    """A mirror folder ``root/mnist`` with the test files, the labels ``damage``d."""
    (root / "mnist").mkdir(parents=True)
    for name in TEST_FILES:
        shutil.copy(data_dir / "mnist" / name, root / "mnist" / name)
    if damage is not None:
        labels = root / "mnist" / TEST_FILES[1]
        labels.write_bytes(damage(labels.read_bytes()))
    return root


def _flip(raw: bytes) -> bytes:
    return raw[:100] + bytes([raw[100] ^ 0xFF]) + raw[101:]


@pytest.mark.parametrize(
    "damage, reason",
    [
        (_flip, "SHA-256 mismatch"),
        (lambda raw: raw[:-5], "incomplete: got 4537 of 4542 bytes"),
        (lambda raw: raw + b"x" * 5, "more than the expected 4542 bytes"),
    ],
    ids=["flipped", "short", "long"],
)
def test_download_with_bad_checksum_leaves_nothing(
    data_dir, serve, fresh_cache, tmp_path, damage, reason
):
    url = serve(_mirror_copy(data_dir, tmp_path / "mirror", damage))
    with pytest.raises(aekit.DatasetNotFoundError, match=reason) as info:
        load("mnist", split="test", mirrors=[url])
    assert "missing t10k-labels-idx1-ubyte.gz" in str(info.value)
    leftovers = sorted(p.name for p in (fresh_cache / "mnist").iterdir())
    assert leftovers == [TEST_FILES[0]]  # the good file only, no .part


def test_download_falls_back_to_next_mirror(data_dir, serve, fresh_cache, tmp_path):
    (tmp_path / "empty").mkdir()
    bad = serve(tmp_path / "empty")  # answers 404
    corrupt = serve(_mirror_copy(data_dir, tmp_path / "corrupt", _flip))
    good = serve(_mirror_copy(data_dir, tmp_path / "good"))
    X, y = load("mnist", split="test", mirrors=[bad, corrupt, good], progress=False)
    assert X.shape == (10000, 28, 28) and y.shape == (10000,)
    assert sorted(p.name for p in (fresh_cache / "mnist").iterdir()) == list(TEST_FILES)


def test_offline_error_says_where_to_put_files(fresh_cache, monkeypatch, tmp_path):
    monkeypatch.setenv("AEKIT_OFFLINE", "1")
    with pytest.raises(aekit.DatasetNotFoundError) as info:
        load("fashion-mnist", split="test")
    message = str(info.value)
    assert "AEKIT_OFFLINE" in message
    assert "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz" in message
    assert str(fresh_cache / "fashion-mnist") in message
    assert not (fresh_cache / "fashion-mnist").exists()
    monkeypatch.setenv("AEKIT_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(FileNotFoundError) as info:
        load("fashion-mnist", split="test")
    assert str(tmp_path / "data" / "fashion-mnist") in str(info.value)


def test_unreachable_mirror_error_lists_failures(fresh_cache, monkeypatch):
    monkeypatch.setenv("AEKIT_MIRROR", "http://127.0.0.1:1/")
    with pytest.raises(aekit.DatasetNotFoundError) as info:
        load("mnist", split="test", mirrors=["http://127.0.0.1:1/"], timeout=5)
    message = str(info.value)
    assert "http://127.0.0.1:1/mnist/t10k-images-idx3-ubyte.gz:" in message
    assert str(fresh_cache / "mnist") in message
    assert list((fresh_cache / "mnist").iterdir()) == []


def test_mirror_list_honours_env_and_argument(monkeypatch):
    spec = aekit.data.catalog.DATASETS.get("mnist")
    monkeypatch.delenv("AEKIT_MIRROR", raising=False)
    assert (
        download.mirrors_for(spec)[0]
        == "https://ossci-datasets.s3.amazonaws.com/mnist/"
    )
    monkeypatch.setenv("AEKIT_MIRROR", "http://example.test/data/")
    urls = download.mirrors_for(spec)
    assert urls[0] == "http://example.test/data/mnist/" and len(urls) == 3
    assert download.mirrors_for(spec, ["http://a.test"]) == ["http://a.test/mnist/"]


def test_cache_dir_follows_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("AEKIT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert aekit.datasets.cache_dir() == tmp_path / "aekit"
    monkeypatch.setenv("AEKIT_CACHE_DIR", str(tmp_path / "c"))
    monkeypatch.setenv("AEKIT_DATA_DIR", str(tmp_path / "d"))
    assert aekit.datasets.search_dirs() == [tmp_path / "d", tmp_path / "c"]


# ------------------------------------------------------------------ arrays
def test_load_array_formats(tmp_path):
    arr = np.arange(12, dtype=np.float32).reshape(4, 3)
    np.save(tmp_path / "a.npy", arr)
    np.savez(tmp_path / "b.npz", X=arr, y=np.arange(4))
    np.savez(tmp_path / "c.npz", only=arr)
    (tmp_path / "d.csv").write_text("a,b,c\n0,1,2\n3,4,5\n")
    (tmp_path / "e.csv").write_text("0,1,2\n3,4,5\n")
    (tmp_path / "f.csv").write_text('x,y,z\n"0",1,2\n\n3,4,5.0\n')
    np.testing.assert_array_equal(load_array(tmp_path / "a.npy"), arr)
    np.testing.assert_array_equal(load_array(tmp_path / "b.npz"), arr)
    np.testing.assert_array_equal(load_array(tmp_path / "c.npz"), arr)
    np.testing.assert_array_equal(load_array(tmp_path / "d.csv"), arr[:2])
    np.testing.assert_array_equal(load_array(tmp_path / "e.csv"), arr[:2])
    np.testing.assert_array_equal(load_array(tmp_path / "f.csv"), arr[:2])
    assert load_array(tmp_path / "e.csv").dtype == np.float64
    np.testing.assert_array_equal(load_array(tmp_path / "c.npz", key="only"), arr)
    X, y = load_xy(tmp_path / "b.npz")
    np.testing.assert_array_equal(X, arr)
    np.testing.assert_array_equal(y, np.arange(4))
    assert load_xy(tmp_path / "a.npy")[1] is None
    assert load_xy(tmp_path / "c.npz")[1] is None


@pytest.mark.parametrize(
    "name, content, match",
    [
        ("bad.csv", "1,2\n3,x\n", r"bad.csv, line 2: not a number: 'x'"),
        ("ragged.csv", "1,2\n3\n", r"line 2: 1 columns, expected 2"),
        ("empty.csv", "a,b\n", "no numeric rows"),
        ("blank.csv", "", "no numeric rows"),
        ("hole.csv", "a,b\n1,2\n3,\n", r"hole.csv, line 3: not a number: ''"),
        ("data.parquet2", "", "unsupported file type"),
        ("junk.npy", "not numpy", "not a readable .npy"),
    ],
)
def test_load_array_rejects_bad_files(tmp_path, name, content, match):
    (tmp_path / name).write_text(content)
    with pytest.raises(aekit.DataError, match=match):
        load_array(tmp_path / name)


def test_load_array_refuses_pickles_and_ambiguous_npz(tmp_path):
    np.save(tmp_path / "obj.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(aekit.DataError, match=r"not a readable \.npy"):
        load_array(tmp_path / "obj.npy")
    np.savez(tmp_path / "two.npz", a=np.zeros(2), b=np.ones(2))
    with pytest.raises(aekit.DataError, match=r"holds arrays \['a', 'b'\]"):
        load_array(tmp_path / "two.npz")
    with pytest.raises(aekit.DataError, match="no such file"):
        load_array(tmp_path / "missing.npy")
