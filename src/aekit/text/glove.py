"""GloVe word vectors: build the embedding matrix of a :class:`Vocabulary`.

GloVe's text format (Pennington et al., 2014) has one word per line followed by its
vector components, separated by single spaces. The file is streamed line by line
and only the vocabulary's words are parsed, so the 400,000 vectors of
``glove.6B.50d.txt`` never sit in memory at once.
"""

from __future__ import annotations

import gzip
import logging
import math
import os
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np

from ..data.download import search_dirs
from ..exceptions import DataError, DatasetNotFoundError
from .vocab import Vocabulary

logger = logging.getLogger("aekit")

#: Where the GloVe vectors can be downloaded from (``glove.6B.zip``).
GLOVE_URL = "https://nlp.stanford.edu/projects/glove/"
_UNK_CHOICES = ("mean", "zeros")
_GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class GloveEmbeddings:
    """An embedding matrix for a vocabulary, and how much of it GloVe covers.

    Attributes
    ----------
    matrix : ndarray of float32, shape (len(vocabulary), dim)
        Row ``i`` is the vector of the token with id ``i``: zeros for ``PAD``;
        for ``UNK`` the mean of the vectors found (or zeros, see
        :func:`load_glove`); zeros for words GloVe lacks.
    coverage : float
        Fraction of the vocabulary's words (``PAD`` and ``UNK`` excluded) found.
    n_found : int
        Number of those words found.
    missing : tuple of str
        The words not found, in id order.
    path : Path
        The GloVe file read.
    """

    matrix: np.ndarray
    coverage: float
    n_found: int
    missing: tuple[str, ...]
    path: Path

    @property
    def dim(self) -> int:
        """Vector dimension."""
        return int(self.matrix.shape[1])


def load_glove(
    vocabulary: Vocabulary,
    path: str | os.PathLike[str] | None = None,
    *,
    dim: int | None = None,
    unk: str = "mean",
) -> GloveEmbeddings:
    """Build the embedding matrix of ``vocabulary`` from a GloVe text file.

    Parameters
    ----------
    vocabulary : Vocabulary
        Usually built from lowercased tokens; words are looked up exactly as they
        are (GloVe 6B is lowercase).
    path : path-like, optional
        A GloVe ``.txt`` file, gzip-compressed or not (recognised by content, so
        ``.txt.gz`` works too). Default: ``glove/glove.6B.<dim>d.txt.gz``, else
        ``glove/glove.6B.<dim>d.txt``, in ``$AEKIT_DATA_DIR`` then the user cache,
        with ``dim`` defaulting to 50 (the Packt chapter's ``EMBED_SIZE``). It is
        never downloaded automatically.
    dim : int, optional
        Expected vector dimension; by default the one of the first line.
    unk : {"mean", "zeros"}, default "mean"
        Row of ``UNK``: the mean of the vectors found, a neutral point in the
        embedding space, or zeros. (The chapter draws it uniformly from [-1, 1]
        without a seed; a fixed choice keeps runs reproducible.)

    Returns
    -------
    GloveEmbeddings
        The matrix, the coverage (also logged at INFO level) and the missing words.

    Raises
    ------
    aekit.DatasetNotFoundError
        If ``path`` is not given and no default file exists (the message says
        where to put it), or ``path`` does not exist.
    aekit.DataError
        Naming the file and line number, for a malformed line (too few fields, a
        value that is not a finite number, a word2vec header) or a vector of the
        wrong dimension; also for an empty file or a corrupt gzip stream.
    ValueError
        For a vocabulary without words, ``dim < 1`` or an unknown ``unk``.

    Notes
    -----
    Every line's field count is checked; values are parsed, and checked, only for
    the vocabulary's words. When a word occurs twice, its first vector is used.

    References
    ----------
    .. [1] J. Pennington, R. Socher and C. D. Manning, "GloVe: Global Vectors for
       Word Representation", EMNLP 2014, pp. 1532–1543.
    .. [2] A. Gulli, A. Kapoor and S. Pal, "Deep Learning with TensorFlow 2 and
       Keras", 2nd ed., Packt, 2019, chapter 9 (Autoencoders), "Sentence
       vectors" example.
    """
    if not isinstance(vocabulary, Vocabulary):
        raise TypeError(
            f"vocabulary must be a Vocabulary, got {type(vocabulary).__name__}"
        )
    if len(vocabulary) <= 2:
        raise ValueError("the vocabulary has no words besides PAD and UNK")
    if dim is not None and (
        isinstance(dim, bool) or not isinstance(dim, int) or dim < 1
    ):
        raise ValueError(f"dim must be None or an int >= 1, got {dim!r}")
    if unk not in _UNK_CHOICES:
        raise ValueError(f"unk must be one of {', '.join(_UNK_CHOICES)}, got {unk!r}")
    source = _resolve(path, dim)
    wanted = {
        token.encode("utf-8"): i for i, token in enumerate(vocabulary.tokens) if i >= 2
    }
    rows, dim = _read_rows(source, wanted, dim)
    return _assemble(vocabulary, rows, dim, unk, source)


def default_glove_path(dim: int = 50) -> Path | None:
    """First existing ``<dir>/glove/glove.6B.<dim>d.txt[.gz]`` in the data folders."""
    for folder in search_dirs():
        for suffix in (".txt.gz", ".txt"):
            candidate = folder / "glove" / f"glove.6B.{dim}d{suffix}"
            if candidate.is_file():
                return candidate
    return None


def _resolve(path: str | os.PathLike[str] | None, dim: int | None) -> Path:
    if path is not None:
        source = Path(path)
        if not source.is_file():
            raise DatasetNotFoundError(f"{source}: no such file")
        return source
    size = 50 if dim is None else dim
    found = default_glove_path(size)
    if found is not None:
        return found
    dirs = search_dirs()
    name = f"glove.6B.{size}d.txt"
    places = " or ".join(str(d / "glove" / f"{name}[.gz]") for d in dirs)
    raise DatasetNotFoundError(
        f"GloVe vectors not found: looked for {places}. They are not downloaded "
        f"automatically: get glove.6B.zip from {GLOVE_URL}, and put {name} (or "
        f"{name}.gz) in {dirs[-1] / 'glove'}"
        + ("" if len(dirs) > 1 else ", or set AEKIT_DATA_DIR=<dir> and use <dir>/glove")
        + "."
    )


def _open(path: Path) -> BinaryIO:
    with path.open("rb") as probe:
        magic = probe.read(2)
    if magic == _GZIP_MAGIC:
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _read_rows(
    path: Path, wanted: dict[bytes, int], dim: int | None
) -> tuple[dict[int, np.ndarray], int]:
    """Check every line; parse the vectors of ``wanted`` words (word -> row)."""
    rows: dict[int, np.ndarray] = {}
    lineno = 0
    try:
        with _open(path) as fh:
            for lineno, line in enumerate(fh, 1):
                if dim is None:
                    dim = _first_dim(line, path, lineno)
                word, _, rest = line.rstrip(b"\r\n").partition(b" ")
                rest = rest.rstrip(b" ")
                # Counting spaces is far cheaper than splitting 400,000 lines.
                if not word or not rest or rest.count(b" ") + 1 != dim:
                    word, rest = _slow_split(line, path, lineno, dim)
                row = wanted.get(word)
                if row is not None and row not in rows:
                    rows[row] = _parse_vector(rest, path, lineno, dim)
    except (OSError, EOFError, zlib.error) as exc:
        raise DataError(
            f"{path}: cannot read past line {lineno}: corrupt or truncated file "
            f"({exc or type(exc).__name__})"
        ) from None
    if dim is None:
        raise DataError(f"{path}: empty file, no word vectors")
    return rows, dim


def _first_dim(line: bytes, path: Path, lineno: int) -> int:
    fields = line.split()
    if len(fields) == 2 and fields[0].isdigit() and fields[1].isdigit():
        raise DataError(
            f"{path}, line {lineno}: looks like a word2vec header "
            f"({line.strip().decode('ascii')!r}); GloVe text files have none — "
            "remove that line"
        )
    if len(fields) < 2:
        raise DataError(
            f"{path}, line {lineno}: malformed line, expected a word followed by "
            f"its vector components, found {len(fields)} field(s)"
        )
    return len(fields) - 1


def _slow_split(line: bytes, path: Path, lineno: int, dim: int) -> tuple[bytes, bytes]:
    """Handle irregular spacing, and words that contain spaces (as in glove.840B)."""
    fields = line.split()
    if not fields:
        raise DataError(f"{path}, line {lineno}: empty line")
    n_values = len(fields) - 1
    # Extra leading fields that are numbers mean a longer vector, not a word with
    # spaces in it.
    if n_values < dim or any(_is_float(f) for f in fields[1:-dim]):
        raise DataError(
            f"{path}, line {lineno}: {n_values} values, expected {dim} "
            "(dimension mismatch or malformed line)"
        )
    if not all(_is_float(v) for v in fields[-dim:]):
        raise DataError(
            f"{path}, line {lineno}: expected a word and {dim} numbers, found "
            f"{line.strip()[:60].decode('utf-8', 'replace')!r}"
        )
    return b" ".join(fields[:-dim]), b" ".join(fields[-dim:])


def _parse_vector(values: bytes, path: Path, lineno: int, dim: int) -> np.ndarray:
    try:
        numbers = [float(v) for v in values.split()]
    except ValueError:
        bad = next(v for v in values.split() if not _is_float(v))
        raise DataError(
            f"{path}, line {lineno}: {bad.decode('utf-8', 'replace')!r} is not a number"
        ) from None
    if len(numbers) != dim:  # pragma: no cover - _read_rows counted the fields
        raise DataError(f"{path}, line {lineno}: {len(numbers)} values, expected {dim}")
    if not all(math.isfinite(x) for x in numbers):
        raise DataError(f"{path}, line {lineno}: vector holds NaN or infinity")
    vector = np.asarray(numbers, dtype=np.float32)
    if not np.isfinite(vector).all():
        raise DataError(f"{path}, line {lineno}: value too large for float32")
    return vector


def _is_float(value: bytes) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def _assemble(
    vocabulary: Vocabulary,
    rows: dict[int, np.ndarray],
    dim: int,
    unk: str,
    source: Path,
) -> GloveEmbeddings:
    matrix = np.zeros((len(vocabulary), dim), dtype=np.float32)
    for i, vector in rows.items():
        matrix[i] = vector
    if rows and unk == "mean":
        found = np.fromiter(rows, dtype=np.int64)
        matrix[Vocabulary.UNK_ID] = matrix[found].mean(axis=0, dtype=np.float64)
    n_words = len(vocabulary) - 2
    tokens = vocabulary.tokens
    missing = tuple(tokens[i] for i in range(2, len(tokens)) if i not in rows)
    coverage = len(rows) / n_words
    logger.info(
        "GloVe: %d of %d vocabulary words found (coverage %.2f%%) in %s",
        len(rows),
        n_words,
        100.0 * coverage,
        source,
    )
    if not rows:
        logger.warning(
            "GloVe: none of the vocabulary's words are in %s; is the vocabulary "
            "lowercased like GloVe 6B?",
            source,
        )
    return GloveEmbeddings(matrix, coverage, len(rows), missing, source)
