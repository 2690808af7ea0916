"""A word vocabulary: the most frequent tokens, plus padding and unknown-word ids."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import DataError
from ..io import atomic_write_bytes

VOCABULARY_FORMAT = "aekit-vocabulary"
VOCABULARY_VERSION = 1
_SIDES = ("post", "pre")


class Vocabulary:
    """Map tokens to integer ids and back: ``PAD`` = 0, ``UNK`` = 1, words from 2.

    Build one from tokenized sentences with :meth:`build`; words then get ids in
    order of decreasing frequency. This follows the Packt chapter on sentence
    autoencoders, whose ``word2id`` holds ``PAD`` = 0, ``UNK`` = 1 and the most
    common words of Reuters-21578 from id 2.

    Parameters
    ----------
    words : iterable of str
        The regular words, in id order (the first gets id 2). Must be unique,
        non-empty, and not ``"<pad>"`` or ``"<unk>"``.
    counts : iterable of int, optional
        How often each word was seen, kept for reference and saved with it.

    Attributes
    ----------
    PAD, UNK : str
        The special tokens ``"<pad>"`` and ``"<unk>"``.
    PAD_ID, UNK_ID : int
        Their ids, 0 and 1.

    Raises
    ------
    ValueError
        For duplicate, empty, special or non-string words, or counts that are not
        one non-negative integer per word.

    Examples
    --------
    >>> vocab = Vocabulary.build([["the", "cat"], ["the", "dog"]])
    >>> len(vocab), vocab.encode(["the", "dog", "emu"], max_len=5).tolist()
    (5, [2, 4, 1, 0, 0])
    >>> vocab.decode([2, 4, 1, 0, 0])
    ['the', 'dog', '<unk>']
    """

    PAD = "<pad>"
    UNK = "<unk>"
    PAD_ID = 0
    UNK_ID = 1

    def __init__(self, words: Iterable[str], counts: Iterable[int] | None = None):
        words = list(words)
        self._tokens: list[str] = [self.PAD, self.UNK, *words]
        self._index: dict[str, int] = {}
        for i, token in enumerate(self._tokens):
            if not isinstance(token, str) or not token:
                raise ValueError(f"word at id {i} is {token!r}, not a non-empty str")
            if token in self._index:
                special = token in (self.PAD, self.UNK)
                what = "reserved for a special token" if special else "a duplicate"
                raise ValueError(f"word {token!r} at id {i} is {what}")
            self._index[token] = i
        self._counts: list[int] | None = None
        if counts is not None:
            self._counts = [int(c) for c in counts]
            if len(self._counts) != len(words) or min(self._counts, default=0) < 0:
                raise ValueError(
                    f"counts must be {len(words)} non-negative integers, one per "
                    f"word; got {len(self._counts)}"
                )

    @classmethod
    def build(
        cls,
        sentences: Iterable[Iterable[str]],
        max_words: int | None = None,
        min_count: int = 1,
    ) -> Vocabulary:
        """Count the tokens of ``sentences`` and keep the most frequent.

        Parameters
        ----------
        sentences : iterable of iterable of str
            Tokenized sentences, e.g. from :func:`aekit.text.tokenize_sentences`.
        max_words : int, optional
            Keep at most this many words, not counting ``PAD`` and ``UNK`` (so
            ``len(vocab) <= max_words + 2``). Default: every word. The Packt
            chapter's ``VOCAB_SIZE = 5000`` counts ``PAD`` and ``UNK``, i.e.
            ``max_words=4998``.
        min_count : int, default 1
            Leave out words seen fewer times.

        Returns
        -------
        Vocabulary
            Words ordered by decreasing count; ties keep the order in which the
            words first occur in ``sentences`` (the order of Python's
            ``Counter.most_common``, which the chapter uses), so the result is
            deterministic. ``"<pad>"`` and ``"<unk>"`` in the input are not
            counted.

        Raises
        ------
        TypeError
            If a sentence is a str rather than a list of tokens.
        ValueError
            For ``max_words < 0`` or ``min_count < 1``.
        """
        if max_words is not None and (_not_int(max_words) or max_words < 0):
            raise ValueError(
                f"max_words must be None or an int >= 0, got {max_words!r}"
            )
        if _not_int(min_count) or min_count < 1:
            raise ValueError(f"min_count must be an int >= 1, got {min_count!r}")
        counter: Counter[str] = Counter()
        for sentence in sentences:
            if isinstance(sentence, str):
                raise TypeError(
                    "sentences must be lists of tokens, got a str; tokenize it first "
                    "(aekit.text.tokenize_sentences)"
                )
            counter.update(sentence)
        for special in (cls.PAD, cls.UNK):
            counter.pop(special, None)
        # most_common sorts stably, so ties stay in first-occurrence order.
        common = [(w, c) for w, c in counter.most_common() if c >= min_count]
        if max_words is not None:
            common = common[:max_words]
        return cls((w for w, _ in common), (c for _, c in common))

    # ------------------------------------------------------------------ lookup
    def __len__(self) -> int:
        return len(self._tokens)

    def __contains__(self, token: object) -> bool:
        return token in self._index

    def __iter__(self) -> Iterator[str]:
        return iter(self._tokens)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Vocabulary):
            return NotImplemented
        return self._tokens == other._tokens and self._counts == other._counts

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Vocabulary({len(self._tokens) - 2} words + PAD, UNK)"

    @property
    def tokens(self) -> tuple[str, ...]:
        """Every token in id order, ``"<pad>"`` and ``"<unk>"`` first."""
        return tuple(self._tokens)

    @property
    def counts(self) -> tuple[int, ...] | None:
        """How often each regular word (id 2 onwards) was seen, if known."""
        return None if self._counts is None else tuple(self._counts)

    def token_to_id(self, token: str) -> int:
        """The id of ``token``; :attr:`UNK_ID` for a word not in the vocabulary."""
        return self._index.get(token, self.UNK_ID)

    def id_to_token(self, token_id: int) -> str:
        """The token with id ``token_id``.

        Raises
        ------
        ValueError
            If ``token_id`` is not in ``range(len(self))``.
        """
        if _not_int(token_id) or not 0 <= token_id < len(self._tokens):
            raise ValueError(
                f"token id {token_id!r} is out of range for a vocabulary of "
                f"{len(self._tokens)} tokens"
            )
        return self._tokens[int(token_id)]

    # ------------------------------------------------------------------ encode
    def encode(
        self,
        tokens: Sequence[str],
        max_len: int = 50,
        *,
        padding: str = "post",
        truncating: str = "post",
    ) -> np.ndarray:
        """Turn one token list into exactly ``max_len`` ids.

        Parameters
        ----------
        tokens : sequence of str
            One tokenized sentence. Unknown tokens become :attr:`UNK_ID`.
        max_len : int, default 50
            Output length (the chapter's ``SEQUENCE_LEN``).
        padding : {"post", "pre"}, default "post"
            Add :attr:`PAD_ID` after the tokens, or before them.
        truncating : {"post", "pre"}, default "post"
            Drop tokens beyond ``max_len`` from the end, or from the start.
            ``padding="pre", truncating="pre"`` reproduces Keras'
            ``pad_sequences`` defaults used in the chapter.

        Returns
        -------
        ndarray of int64, shape (max_len,)

        Raises
        ------
        TypeError
            If ``tokens`` is a str (tokenize it first).
        ValueError
            For ``max_len < 1`` or an unknown ``padding``/``truncating``.
        """
        _check_padding(max_len, padding, truncating)
        return self._encode(tokens, max_len, padding, truncating)

    def encode_batch(
        self,
        sentences: Iterable[Sequence[str]],
        max_len: int = 50,
        *,
        padding: str = "post",
        truncating: str = "post",
    ) -> np.ndarray:
        """Encode many token lists; see :meth:`encode`.

        Returns
        -------
        ndarray of int64, shape (n_sentences, max_len)
        """
        _check_padding(max_len, padding, truncating)
        rows = [self._encode(s, max_len, padding, truncating) for s in sentences]
        if not rows:
            return np.zeros((0, max_len), dtype=np.int64)
        return np.stack(rows)

    def _encode(
        self, tokens: Sequence[str], max_len: int, padding: str, truncating: str
    ) -> np.ndarray:
        if isinstance(tokens, str):
            raise TypeError(
                "encode takes a list of tokens, got a str; tokenize it first "
                "(aekit.text.tokenize)"
            )
        get, unk = self._index.get, self.UNK_ID
        ids = [get(t, unk) for t in tokens]
        if len(ids) > max_len:
            ids = ids[:max_len] if truncating == "post" else ids[-max_len:]
        out = np.full(max_len, self.PAD_ID, dtype=np.int64)
        if ids:
            if padding == "post":
                out[: len(ids)] = ids
            else:
                out[max_len - len(ids) :] = ids
        return out

    def decode(
        self, ids: Iterable[int] | np.ndarray, *, skip_pad: bool = True
    ) -> list[str]:
        """Turn ids back into tokens.

        Parameters
        ----------
        ids : 1-D sequence or array of int
        skip_pad : bool, default True
            Leave out :attr:`PAD_ID` entries.

        Returns
        -------
        list of str
            Unknown words come back as ``"<unk>"``.

        Raises
        ------
        ValueError
            If ``ids`` is not one-dimensional, not integers, or holds an id outside
            ``range(len(self))`` (the message names it).
        """
        array = np.asarray(ids)
        if array.size == 0:
            return []
        if array.ndim != 1:
            raise ValueError(f"ids must be one-dimensional, got shape {array.shape}")
        if not np.issubdtype(array.dtype, np.integer):
            raise ValueError(f"ids must be integers, got dtype {array.dtype}")
        bad = (array < 0) | (array >= len(self._tokens))
        if bad.any():
            raise ValueError(
                f"token id {int(array[bad][0])} is out of range for a vocabulary of "
                f"{len(self._tokens)} tokens"
            )
        tokens = self._tokens
        return [
            tokens[i] for i in array.tolist() if not (skip_pad and i == self.PAD_ID)
        ]

    # ------------------------------------------------------------------ files
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the vocabulary as JSON, atomically.

        The file holds ``format``, ``version``, the special tokens, ``words`` in id
        order (from id 2) and their ``counts`` (or null).

        Returns
        -------
        Path
            The file written.
        """
        document = {
            "format": VOCABULARY_FORMAT,
            "version": VOCABULARY_VERSION,
            "pad": self.PAD,
            "unk": self.UNK,
            "words": self._tokens[2:],
            "counts": self._counts,
        }
        target = Path(path)
        text = json.dumps(document, ensure_ascii=False, indent=0)
        atomic_write_bytes(target, text.encode("utf-8"))
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Vocabulary:
        """Read a vocabulary written by :meth:`save`.

        Raises
        ------
        aekit.DataError
            Naming the file, when it cannot be read, is not valid JSON (e.g.
            truncated), is not an aekit vocabulary, has an unsupported version or
            inconsistent content.
        """
        path = Path(path)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise DataError(f"{path}: cannot read ({exc.strerror or exc})") from None
        try:
            document: Any = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not UTF-8 text ({exc.reason})") from None
        except json.JSONDecodeError as exc:
            raise DataError(
                f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg}); the file is truncated or not a vocabulary"
            ) from None
        if (
            not isinstance(document, dict)
            or document.get("format") != VOCABULARY_FORMAT
        ):
            raise DataError(f"{path}: not an aekit vocabulary file (format field)")
        if document.get("version") != VOCABULARY_VERSION:
            raise DataError(
                f"{path}: unsupported vocabulary version {document.get('version')!r}; "
                f"this aekit reads version {VOCABULARY_VERSION}"
            )
        if (document.get("pad"), document.get("unk")) != (cls.PAD, cls.UNK):
            raise DataError(
                f"{path}: special tokens {document.get('pad')!r}, "
                f"{document.get('unk')!r} differ from {cls.PAD!r}, {cls.UNK!r}"
            )
        words, counts = document.get("words"), document.get("counts")
        if not isinstance(words, list):
            raise DataError(f"{path}: 'words' must be a list of strings")
        if counts is not None and not (
            isinstance(counts, list)
            and all(isinstance(c, int) and not isinstance(c, bool) for c in counts)
        ):
            raise DataError(f"{path}: 'counts' must be null or a list of integers")
        try:
            return cls(words, counts)
        except ValueError as exc:
            raise DataError(f"{path}: {exc}") from None


def _not_int(value: object) -> bool:
    return isinstance(value, bool) or not isinstance(value, (int, np.integer))


def _check_padding(max_len: int, padding: str, truncating: str) -> None:
    if _not_int(max_len) or max_len < 1:
        raise ValueError(f"max_len must be an int >= 1, got {max_len!r}")
    for name, value in (("padding", padding), ("truncating", truncating)):
        if value not in _SIDES:
            raise ValueError(f"{name} must be 'post' or 'pre', got {value!r}")
