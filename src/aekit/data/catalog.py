"""The dataset catalogue: files, checksums, mirrors and citations."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..registry import Registry


@dataclass(frozen=True)
class RemoteFile:
    """One file of a dataset, with its published size and SHA-256."""

    name: str
    sha256: str
    size: int


@dataclass(frozen=True)
class DatasetSpec:
    """What aekit knows about a dataset.

    ``splits`` maps a split name to the ``(images, labels)`` file names; a dataset
    bundled with a package (``digits``) has no files. ``mirrors`` are base URLs
    that hold the files directly (``<mirror><file>``).
    """

    name: str
    description: str
    citation: str
    homepage: str
    shape: tuple[int, ...]
    n_samples: dict[str, int]
    files: dict[str, RemoteFile] = field(default_factory=dict)
    splits: dict[str, tuple[str, str]] = field(default_factory=dict)
    mirrors: tuple[str, ...] = ()


DATASETS: Registry[DatasetSpec] = Registry("dataset")


def _idx_files(*rows: tuple[str, str, int]) -> dict[str, RemoteFile]:
    return {name: RemoteFile(name, sha, size) for name, sha, size in rows}


_IDX_SPLITS = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}

DATASETS.register(
    "mnist",
    DatasetSpec(
        name="mnist",
        description="MNIST handwritten digits, 28x28 greyscale, 10 classes",
        citation=(
            "Y. LeCun, L. Bottou, Y. Bengio, P. Haffner, Gradient-based learning "
            "applied to document recognition, Proc. IEEE 86(11):2278-2324, 1998"
        ),
        homepage="http://yann.lecun.com/exdb/mnist/",
        shape=(28, 28),
        n_samples={"train": 60000, "test": 10000},
        files=_idx_files(
            (
                "train-images-idx3-ubyte.gz",
                "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                9912422,
            ),
            (
                "train-labels-idx1-ubyte.gz",
                "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                28881,
            ),
            (
                "t10k-images-idx3-ubyte.gz",
                "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                1648877,
            ),
            (
                "t10k-labels-idx1-ubyte.gz",
                "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                4542,
            ),
        ),
        splits=_IDX_SPLITS,
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
    ),
)

DATASETS.register(
    "fashion-mnist",
    DatasetSpec(
        name="fashion-mnist",
        description="Fashion-MNIST Zalando article images, 28x28 greyscale, 10 classes",
        citation=(
            "H. Xiao, K. Rasul, R. Vollgraf, Fashion-MNIST: a novel image dataset for "
            "benchmarking machine learning algorithms, arXiv:1708.07747, 2017"
        ),
        homepage="https://github.com/zalandoresearch/fashion-mnist",
        shape=(28, 28),
        n_samples={"train": 60000, "test": 10000},
        files=_idx_files(
            (
                "train-images-idx3-ubyte.gz",
                "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
                26421880,
            ),
            (
                "train-labels-idx1-ubyte.gz",
                "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
                29515,
            ),
            (
                "t10k-images-idx3-ubyte.gz",
                "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
                4422102,
            ),
            (
                "t10k-labels-idx1-ubyte.gz",
                "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
                5148,
            ),
        ),
        splits=_IDX_SPLITS,
        mirrors=("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    ),
)

#: scikit-learn's bundled digits: the first 1500 images train, the last 297 test.
DIGITS_TRAIN = 1500

DATASETS.register(
    "digits",
    DatasetSpec(
        name="digits",
        description="scikit-learn's bundled 8x8 digits (UCI optdigits), offline",
        citation=(
            "E. Alpaydin, C. Kaynak, Optical Recognition of Handwritten Digits, "
            "UCI Machine Learning Repository, 1998"
        ),
        homepage="https://archive.ics.uci.edu/dataset/80",
        shape=(8, 8),
        n_samples={"train": DIGITS_TRAIN, "test": 1797 - DIGITS_TRAIN},
    ),
)
