"""Out-of-core ``fit``: .npy files, memory maps, shard folders and Parquet."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import aekit
from aekit.data import stream
from aekit.exceptions import DataError


@pytest.fixture(scope="module")
def data():
    X, _ = aekit.datasets.load("digits")
    X = X.reshape(len(X), -1).astype(np.float32)
    order = np.random.default_rng(0).permutation(len(X))
    return X[order[:1400]], X[order[1400:]]


@pytest.fixture()
def small_blocks(monkeypatch):
    # ~100 rows of 64 float32 per block: many blocks even for small data.
    monkeypatch.setattr(stream, "DEFAULT_BLOCK_BYTES", 100 * 64 * 4)


def _ae(**params):
    base = {
        "code_size": 16,
        "epochs": 10,
        "batch_size": 64,
        "learning_rate": 3e-3,
        "random_state": 0,
        "device": "cpu",
    }
    return aekit.AutoEncoder(**{**base, **params})


def _beats_mean(ae, X, X_test):
    mean_error = float(((X_test - X.mean(axis=0)) ** 2).mean())
    return -ae.score(X_test) < 0.5 * mean_error


def _write_shards(folder, X, n_shards=3):
    folder.mkdir()
    for i, part in enumerate(np.array_split(X, n_shards)):
        np.save(folder / f"part-{i:03d}.npy", part)
    return folder


def test_npy_path_streams_and_matches_in_memory(data, tmp_path, small_blocks):
    X, X_test = data
    np.save(tmp_path / "X.npy", X)
    streamed = _ae().fit(tmp_path / "X.npy")
    in_memory = _ae().fit(X)
    assert _beats_mean(streamed, X, X_test)
    a, b = streamed.history_["loss"][-1], in_memory.history_["loss"][-1]
    assert abs(a - b) < 0.15 * b
    assert streamed.n_features_in_ == 64
    assert len(streamed.history_["loss"]) == 10


def test_memmap_and_shard_folder(data, tmp_path, small_blocks):
    X, X_test = data
    np.save(tmp_path / "X.npy", X)
    mm = np.load(tmp_path / "X.npy", mmap_mode="r")
    assert isinstance(stream.open_source(mm), stream.NpyFilesSource)
    from_mm = _ae().fit(mm)
    from_path = _ae().fit(str(tmp_path / "X.npy"))
    # The same rows in the same blocks: the same run.
    for p, q in zip(
        from_mm.module_.parameters(), from_path.module_.parameters(), strict=True
    ):
        assert torch.equal(p, q)
    shards = _write_shards(tmp_path / "shards", X)
    sharded = _ae().fit(shards)
    assert _beats_mean(sharded, X, X_test)


def test_memmap_view_is_read_by_slicing(data, tmp_path):
    X, _ = data
    np.save(tmp_path / "X.npy", X)
    view = np.load(tmp_path / "X.npy", mmap_mode="r")[100:]
    source = stream.open_source(view)
    assert isinstance(source, stream.ArraySource)
    assert source.n_samples == len(X) - 100
    np.testing.assert_array_equal(source.read(0, 0, 3), X[100:103])


def test_parquet_file_and_folder(data, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    X, X_test = data
    # One float column per feature, row groups of 300 rows.
    table = pa.table({f"f{i}": X[:, i] for i in range(X.shape[1])})
    pq.write_table(table, tmp_path / "X.parquet", row_group_size=300)
    ae = _ae().fit(tmp_path / "X.parquet")
    assert _beats_mean(ae, X, X_test)
    # A folder of files holding one fixed-size list column.
    folder = tmp_path / "lists"
    folder.mkdir()
    for i, part in enumerate(np.array_split(X, 2)):
        values = pa.array(part.ravel())
        column = pa.FixedSizeListArray.from_arrays(values, X.shape[1])
        pq.write_table(pa.table({"x": column}), folder / f"{i}.parquet")
    source = stream.open_source(folder)
    assert source.n_samples == len(X) and source.sample_shape == (64,)
    np.testing.assert_array_equal(source.head(3), X[:3])
    assert _beats_mean(_ae().fit(folder), X, X_test)


def test_validation_fraction_takes_the_last_rows(data, tmp_path, small_blocks):
    X, _ = data
    np.save(tmp_path / "X.npy", X)
    ae = _ae(validation_fraction=0.2, epochs=2).fit(tmp_path / "X.npy")
    expected = -ae.score(X[-280:])
    assert ae.history_["val_loss"][-1] == pytest.approx(expected, rel=1e-4)


def test_batches_cover_every_row_once_and_skip(data, tmp_path, small_blocks):
    X, _ = data
    np.save(tmp_path / "X.npy", X)
    source = stream.open_source(tmp_path / "X.npy")
    streamed = stream.StreamingData(source, 0, len(X), torch.device("cpu"))
    assert len(streamed.blocks) == 14
    g = torch.Generator().manual_seed(3)
    batches = list(streamed.batches(g, 64))
    assert [len(b) for b in batches] == [64] * 21 + [56]
    rows = torch.cat(batches).numpy()
    order = np.lexsort(rows.T)
    np.testing.assert_array_equal(rows[order], X[np.lexsort(X.T)])
    after = g.get_state()
    # Skipping k batches (a mid-epoch resume) gives the rest, the same state.
    g2 = torch.Generator().manual_seed(3)
    rest = list(streamed.batches(g2, 64, skip=5))
    assert all(torch.equal(a, b) for a, b in zip(rest, batches[5:], strict=True))
    assert torch.equal(g2.get_state(), after)


def test_streamed_resume_mid_epoch_is_exact(data, tmp_path, small_blocks):
    X, _ = data
    np.save(tmp_path / "X.npy", X)
    ckpt = tmp_path / "c.safetensors"
    full = _ae(epochs=2).fit(tmp_path / "X.npy")

    class Stop(Exception):
        pass

    from aekit.train import callbacks

    original = callbacks.ModelCheckpoint.on_batch_end

    def stop_after_save(self, trainer, epoch, batch):
        original(self, trainer, epoch, batch)
        if epoch == 1 and batch == 6:
            raise Stop

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(callbacks.ModelCheckpoint, "on_batch_end", stop_after_save)
        with pytest.raises(Stop):
            _ae(epochs=2).fit(
                tmp_path / "X.npy", checkpoint=ckpt, checkpoint_every_batches=7
            )
    resumed = _ae(epochs=2).fit(tmp_path / "X.npy", checkpoint=ckpt, resume=True)
    for p, q in zip(
        full.module_.parameters(), resumed.module_.parameters(), strict=True
    ):
        assert torch.equal(p, q)
    assert resumed.history_["loss"] == full.history_["loss"]


def test_nan_in_a_block_names_file_and_row(data, tmp_path, small_blocks):
    X, _ = data
    bad = X.copy()
    bad[1234, 5] = np.nan
    folder = _write_shards(tmp_path / "shards", bad, n_shards=2)
    with pytest.raises(DataError, match=r"part-001\.npy: row 534 holds NaN"):
        _ae(epochs=1).fit(folder)


def test_mismatched_shards_are_named(data, tmp_path):
    X, _ = data
    folder = tmp_path / "shards"
    folder.mkdir()
    np.save(folder / "a.npy", X[:100])
    np.save(folder / "b.npy", X[100:200, :32])
    with pytest.raises(DataError, match=r"b\.npy holds samples of shape \(32,\)"):
        _ae(epochs=1).fit(folder)


def test_non_float_shard_is_named(data, tmp_path):
    X, _ = data
    folder = tmp_path / "shards"
    folder.mkdir()
    np.save(folder / "a.npy", X[:100])
    np.save(folder / "b.npy", (X[100:200] * 16).astype(np.int64))
    with pytest.raises(DataError, match=r"b\.npy holds int64 values"):
        _ae(epochs=1).fit(folder)


def test_other_stream_errors(data, tmp_path):
    X, _ = data
    with pytest.raises(DataError, match="does not exist"):
        _ae().fit(tmp_path / "missing.npy")
    (tmp_path / "X.csv").write_text("1,2\n")
    with pytest.raises(DataError, match="load other formats"):
        _ae().fit(tmp_path / "X.csv")
    np.save(tmp_path / "X.npy", X)
    with pytest.raises(ValueError, match=r"pretrain='greedy'.*in memory"):
        _ae(pretrain="greedy", hidden_layer_sizes=(16,)).fit(tmp_path / "X.npy")
    with pytest.raises(DataError, match=r"loss='bce' needs .*big\.npy rows 0-1400"):
        _ae(loss="bce", output_activation="sigmoid").fit(
            np.save(tmp_path / "big.npy", X * 2) or tmp_path / "big.npy"
        )


def test_conv_streams_images(data, tmp_path):
    X, _ = data
    np.save(tmp_path / "img.npy", X.reshape(-1, 8, 8))
    ae = aekit.ConvAutoEncoder(
        filters=(4,), epochs=1, random_state=0, device="cpu"
    ).fit(tmp_path / "img.npy")
    assert ae.input_shape_ == (8, 8)
    assert ae.transform(X[:3].reshape(-1, 8, 8)).shape[0] == 3
