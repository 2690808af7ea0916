"""Sentence vectors: tokenizer + vocabulary + GloVe + LSTM autoencoder in one estimator.

:class:`SentenceEncoder` is the sentence autoencoder of the Packt chapter on
autoencoders (Gulli, Kapoor & Pal, 2019, ch. 9, "Sentence vectors") as one
scikit-learn-style object: it takes raw sentences (``str``), tokenizes them with
:func:`aekit.text.tokenize`, builds a :class:`~aekit.text.Vocabulary`, looks the
words up in GloVe (Pennington, Socher & Manning, 2014), pads every sentence to
``max_len`` word vectors and trains a :class:`aekit.SequenceAutoEncoder` (preset
``"reuters-sentences"``) to reconstruct them. The encoder's code is the sentence
vector. ``save`` writes vocabulary, GloVe matrix and network to one safetensors
file, so :func:`aekit.load` needs neither the corpus nor the GloVe file again.

>>> from aekit.text import SentenceEncoder
>>> enc = SentenceEncoder(random_state=0).fit(sentences)           # doctest: +SKIP
>>> vectors = enc.transform(["Oil prices rose 5 pct."])           # doctest: +SKIP
>>> enc.similarity(held_out).mean()       # the chapter's check    # doctest: +SKIP
>>> enc.save("sentences.safetensors")                              # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from .. import io as _io
from ..estimators._validation import (
    FORWARDED_PARAMS,
    check_choice,
    check_int,
    check_model_params,
)
from ..estimators.sequence import SequenceAutoEncoder
from ..exceptions import DataError
from .glove import load_glove
from .tokenize import tokenize
from .vocab import VOCABULARY_FORMAT, VOCABULARY_VERSION, Vocabulary

logger = logging.getLogger("aekit")

#: How :meth:`SentenceEncoder.similarity` compares a sentence with its
#: reconstruction; ``"code"`` is the Packt chapter's measure.
SIMILARITY_KINDS = ("code", "flat", "mean")
_SIDES = ("pre", "post")
#: Sentences embedded at once by transform & co. (bounds the float32 copies:
#: 2048 x 50 x 50 x 4 bytes = 20 MB).
_CHUNK = 2048


def as_sentences(sentences: Any, name: str = "sentences") -> list[str]:
    """Check a collection of sentences and return it as a list of ``str``.

    Parameters
    ----------
    sentences : iterable of str or bytes
        One sentence per item. ``bytes`` items are decoded as UTF-8.
    name : str
        What to call the input in error messages.

    Returns
    -------
    list of str

    Raises
    ------
    TypeError
        For a single ``str``/``bytes`` instead of a collection, something that is
        not iterable, or an item that is neither ``str`` nor ``bytes`` (the
        message gives its position and type).
    aekit.DataError
        For an empty collection, or ``bytes`` that are not valid UTF-8 (the
        message gives the sentence, the byte offset, and how to decode with
        replacement characters instead).
    """
    if isinstance(sentences, str | bytes | bytearray):
        raise TypeError(
            f"{name} must be a list of sentences, got a single "
            f"{type(sentences).__name__}; wrap it in a list: [sentence]"
        )
    if isinstance(sentences, np.ndarray) and sentences.ndim != 1:
        raise DataError(
            f"{name} must be one-dimensional (one sentence per item), got an array "
            f"of shape {sentences.shape}"
        )
    try:
        items = list(sentences)
    except TypeError:
        raise TypeError(
            f"{name} must be a list of str, got {type(sentences).__name__}"
        ) from None
    if not items:
        raise DataError(f"{name} is empty: give at least one sentence")
    out: list[str] = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            out.append(str(item))
        elif isinstance(item, bytes | bytearray):
            try:
                out.append(bytes(item).decode("utf-8"))
            except UnicodeDecodeError as exc:
                raise DataError(
                    f"{name}[{i}] is bytes that are not valid UTF-8 ({exc.reason} "
                    f"at byte {exc.start}); decode it yourself, e.g. "
                    "raw.decode('utf-8', errors='replace')"
                ) from None
        else:
            raise TypeError(
                f"{name}[{i}] is a {type(item).__name__}, not a str: every item "
                "must be one sentence of text"
            )
    return out


@_io.register_composite
class SentenceEncoder(TransformerMixin, BaseEstimator):
    """Sentence vectors from an LSTM autoencoder over GloVe word vectors.

    ``fit`` runs the Packt chapter's pipeline [1]_: each sentence is tokenized
    (lowercase, numbers → ``"9"``, see :func:`aekit.text.tokenize`), the
    ``max_words`` most frequent words plus ``PAD`` and ``UNK`` become the
    vocabulary, each sentence becomes ``max_len`` ids (padded and truncated at
    the front by default, as Keras' ``pad_sequences`` in the chapter) and each id
    its GloVe vector [2]_; a :class:`aekit.SequenceAutoEncoder` then learns to
    reconstruct these ``(max_len, dim)`` matrices. ``transform`` returns the
    encoder's code, one vector per sentence.

    Parameters
    ----------
    max_words : int, default=4998
        Vocabulary size without ``PAD`` and ``UNK`` (the chapter's
        ``VOCAB_SIZE = 5000`` counts them).
    max_len : int, default=50
        Word vectors per sentence (the chapter's ``SEQUENCE_LEN``).
    padding, truncating : {"pre", "post"}, default="pre"
        Where padding is added to short sentences and words are dropped from
        long ones. ``"pre"``, ``"pre"`` are Keras' ``pad_sequences`` defaults,
        which the chapter uses: a sentence's last word is always the last step
        the encoder reads.
    glove_path : path-like or None, default=None
        A GloVe ``.txt`` (or ``.txt.gz``) file; default
        ``glove/glove.6B.50d.txt[.gz]`` in the data folders (see
        :func:`aekit.text.load_glove`). Only read by ``fit``: the vectors of the
        vocabulary are saved with the model.
    preset : str or None, default="reuters-sentences"
        :class:`aekit.SequenceAutoEncoder` preset to start from; ``None`` starts
        from that estimator's defaults. The default is the chapter's model:
        ``Bidirectional(LSTM(512), merge_mode="sum")`` → ``RepeatVector`` →
        ``Bidirectional(LSTM(dim), merge_mode="sum")``, MSE, Adam 1e-3, batch
        64, 20 epochs.
    model_params : dict or None, default=None
        Parameters of the :class:`aekit.SequenceAutoEncoder`, over the preset's
        (e.g. ``{"encoder_units": 64, "epochs": 5}``). ``random_state``,
        ``device`` and ``verbose`` are set on this estimator instead;
        ``validation_data`` is replaced by ``fit(..., validation_sentences=...)``.
    random_state : int, RandomState or None, default=None
        Seeds the autoencoder (weights, shuffling); the vocabulary is
        deterministic.
    device : str, default="auto"
        Where the autoencoder runs (see :class:`aekit.AutoEncoder`).
    verbose : int, default=0
        Training progress output.

    Attributes
    ----------
    autoencoder_ : SequenceAutoEncoder
        The fitted network; its input is ``(n, max_len, dim)`` word vectors.
    vocabulary_ : Vocabulary
        Built from the training sentences.
    embeddings_ : ndarray of float32, shape (len(vocabulary_), dim)
        GloVe vector of each vocabulary id: zeros for ``PAD`` and for words
        GloVe lacks, the mean of the found vectors for ``UNK``.
    glove_coverage_ : float
        Fraction of the vocabulary's words that have a GloVe vector.
    token_coverage_ : float
        Fraction of the training tokens (within ``max_len``) that are
        vocabulary words with a GloVe vector; the rest are ``UNK`` (rare words)
        or words GloVe lacks (zero vectors, indistinguishable from padding).
    n_sentences_ : int
        Sentences trained on (sentences without any token are left out).
    history_ : dict of list of float
        The autoencoder's per-epoch ``loss`` (and ``val_loss``).

    Notes
    -----
    **Input.** A list (or other iterable) of sentences, one ``str`` each; an
    item is treated as one sentence even if it holds several (tokens beyond
    ``max_len`` are truncated). ``bytes`` items are decoded as UTF-8, and bytes
    that are not valid UTF-8 raise :class:`aekit.DataError` rather than being
    silently altered; anything else raises ``TypeError``.

    **Sentences without words.** An empty (or blank) sentence has no tokens.
    ``fit`` leaves such sentences out (with a warning) and raises if none is
    left. ``transform`` and the other methods encode one as all padding, so it
    keeps its row (row ``i`` is always sentence ``i``); every empty sentence
    gets the same vector, and a warning says how many there were.

    **Sentences of unknown words only** (no word in the vocabulary) are
    encoded as a run of ``UNK`` vectors: their vectors differ only by sentence
    length, and a warning says how many there were.

    **Similarity.** The chapter checks the model by encoding a test sentence's
    input matrix *and* its reconstruction, and taking the cosine between the two
    codes — see :meth:`similarity`, which also offers the cosine between the
    flattened matrices and between the mean word vectors.

    References
    ----------
    .. [1] A. Gulli, A. Kapoor and S. Pal, "Deep Learning with TensorFlow 2 and
       Keras", 2nd ed., Packt, 2019, chapter 9 (Autoencoders), "Sentence
       vectors".
    .. [2] J. Pennington, R. Socher and C. D. Manning, "GloVe: Global Vectors for
       Word Representation", EMNLP 2014, pp. 1532–1543.

    Examples
    --------
    >>> from aekit.text import SentenceEncoder, load_reuters, split_sentences
    >>> docs = load_reuters(split="modapte-train")                  # doctest: +SKIP
    >>> sentences = [s for d in docs for s in split_sentences(d.text)]
    ...                                                             # doctest: +SKIP
    >>> enc = SentenceEncoder(model_params={"epochs": 5}, random_state=0)
    >>> enc.fit(sentences[:5000]).transform(sentences[:3]).shape    # doctest: +SKIP
    (3, 512)
    """

    def __init__(
        self,
        *,
        max_words: int = 4998,
        max_len: int = 50,
        padding: str = "pre",
        truncating: str = "pre",
        glove_path: str | os.PathLike[str] | None = None,
        preset: str | None = "reuters-sentences",
        model_params: dict[str, Any] | None = None,
        random_state: Any = None,
        device: str = "auto",
        verbose: int = 0,
    ) -> None:
        self.max_words = max_words
        self.max_len = max_len
        self.padding = padding
        self.truncating = truncating
        self.glove_path = glove_path
        self.preset = preset
        self.model_params = model_params
        self.random_state = random_state
        self.device = device
        self.verbose = verbose

    # ---------------------------------------------------------------- params
    def _check_params(self) -> None:
        check_int("max_words", self.max_words, minimum=1)
        check_int("max_len", self.max_len, minimum=1)
        check_choice("padding", self.padding, _SIDES)
        check_choice("truncating", self.truncating, _SIDES)
        check_int("verbose", self.verbose, minimum=0)
        if self.glove_path is not None and not isinstance(
            self.glove_path, str | os.PathLike
        ):
            raise ValueError(
                f"glove_path must be a path or None, got {type(self.glove_path)}"
            )
        if self.preset is not None:
            SequenceAutoEncoder.presets.get(self.preset)  # unknown: lists known ones
        check_model_params(
            self.model_params,
            SequenceAutoEncoder,
            owner="SentenceEncoder",
            model="SequenceAutoEncoder",
            validation_hint="pass sentences with fit(X, validation_sentences=...), "
            "or set model_params={'validation_fraction': ...}",
        )

    def _make_autoencoder(self) -> SequenceAutoEncoder:
        params: dict[str, Any] = {}
        if self.preset is not None:
            params.update(SequenceAutoEncoder.presets.get(self.preset))
        params.update(self.model_params or {})
        params.update({name: getattr(self, name) for name in FORWARDED_PARAMS})
        return SequenceAutoEncoder(**params)

    # ---------------------------------------------------------------- fitting
    def fit(
        self, X: Iterable[str], y: Any = None, *, validation_sentences: Any = None
    ) -> SentenceEncoder:
        """Build the vocabulary, look it up in GloVe and train the autoencoder.

        Parameters
        ----------
        X : iterable of str
            Training sentences, one per item (see the class notes on input).
        y : ignored
            Unsupervised: present for API compatibility.
        validation_sentences : iterable of str, optional
            Held-out sentences, embedded with the vocabulary built from ``X``;
            their loss is ``history_["val_loss"]`` (the chapter validates on
            held-out sentences in the same way).

        Returns
        -------
        self

        Raises
        ------
        aekit.DataError
            For bad input (see :func:`as_sentences`), when no sentence has a
            token, or when GloVe has none of the vocabulary's words.
        aekit.DatasetNotFoundError
            When the GloVe file is not found (the message says where to put it).
        """
        self._check_params()
        token_lists = [tokenize(s) for s in as_sentences(X)]
        kept = [tokens for tokens in token_lists if tokens]
        if not kept:
            raise DataError(
                "none of the sentences has a word or punctuation token; there is "
                "nothing to learn from"
            )
        if len(kept) < len(token_lists):
            logger.warning(
                "SentenceEncoder.fit: left out %d of %d sentences without any "
                "token (empty or blank)",
                len(token_lists) - len(kept),
                len(token_lists),
            )
        vocabulary = Vocabulary.build(kept, max_words=self.max_words)
        glove = load_glove(vocabulary, self.glove_path)
        if glove.n_found == 0:
            raise DataError(
                f"{glove.path}: none of the {len(vocabulary) - 2} vocabulary words "
                "has a GloVe vector there; is it a GloVe file of lowercase words?"
            )
        self.vocabulary_ = vocabulary
        self.embeddings_ = np.ascontiguousarray(glove.matrix, dtype=np.float32)
        self.glove_coverage_ = float(glove.coverage)
        self.glove_source_ = str(glove.path)
        ids = self._encode_ids(kept)
        self.token_coverage_ = self._token_coverage(ids)
        self.n_sentences_ = len(kept)
        logger.info(
            "SentenceEncoder: %d sentences, %d words + PAD, UNK; GloVe covers "
            "%.1f%% of the words and %.1f%% of the training tokens",
            self.n_sentences_,
            len(vocabulary) - 2,
            100.0 * self.glove_coverage_,
            100.0 * self.token_coverage_,
        )
        autoencoder = self._make_autoencoder()
        if validation_sentences is not None:
            held_out = as_sentences(validation_sentences, "validation_sentences")
            autoencoder.set_params(
                validation_data=self.embeddings_[self._sentence_ids(held_out)]
            )
        self.autoencoder_ = autoencoder.fit(self.embeddings_[ids])
        # The validation arrays are data, not configuration: do not keep them.
        self.autoencoder_.set_params(validation_data=None)
        return self

    def _token_coverage(self, ids: np.ndarray) -> float:
        """Share of the non-padding ids that are words with a GloVe vector."""
        has_vector = np.abs(self.embeddings_).sum(axis=1) > 0
        has_vector[: Vocabulary.UNK_ID + 1] = False
        real = ids != Vocabulary.PAD_ID
        return float(has_vector[ids][real].mean()) if real.any() else 0.0

    # ---------------------------------------------------------------- helpers
    def _encode_ids(self, token_lists: list[list[str]]) -> np.ndarray:
        return self.vocabulary_.encode_batch(
            token_lists,
            max_len=self.max_len,
            padding=self.padding,
            truncating=self.truncating,
        )

    def _fitted_ids(self, sentences: Any) -> np.ndarray:
        """Token ids ``(n, max_len)`` of new sentences, warning about odd ones."""
        check_is_fitted(self, "autoencoder_")
        return self._sentence_ids(sentences)

    def _sentence_ids(self, sentences: Any) -> np.ndarray:
        token_lists = [tokenize(s) for s in as_sentences(sentences)]
        ids = self._encode_ids(token_lists)
        n_empty = sum(1 for tokens in token_lists if not tokens)
        if n_empty:
            logger.warning(
                "%d of %d sentences have no tokens (empty or blank): encoded as all "
                "padding, so they share one vector",
                n_empty,
                len(token_lists),
            )
        real = ids != Vocabulary.PAD_ID
        all_unk = real.any(axis=1) & ((ids == Vocabulary.UNK_ID) | ~real).all(axis=1)
        if all_unk.any():
            logger.warning(
                "%d of %d sentences have no word in the vocabulary (all <unk>): "
                "their vectors only reflect their length",
                int(all_unk.sum()),
                len(token_lists),
            )
        return ids

    def _chunks(self, n: int) -> Iterator[slice]:
        for start in range(0, n, _CHUNK):
            yield slice(start, min(start + _CHUNK, n))

    # ---------------------------------------------------------------- inference
    def token_ids(self, sentences: Any) -> np.ndarray:
        """Vocabulary ids of the sentences, padded/truncated to ``max_len``.

        Returns
        -------
        ndarray of int64, shape (n_sentences, max_len)
            ``0`` is ``PAD``, ``1`` is ``UNK``.
        """
        return self._fitted_ids(sentences)

    def embed(self, sentences: Any) -> np.ndarray:
        """The autoencoder's input: each sentence's ``max_len`` GloVe vectors.

        Returns
        -------
        ndarray of float32, shape (n_sentences, max_len, dim)
        """
        return self.embeddings_[self._fitted_ids(sentences)]

    def transform(self, X: Any) -> np.ndarray:
        """Sentence vectors: the autoencoder's code of each sentence.

        Parameters
        ----------
        X : iterable of str
            Sentences, one per item.

        Returns
        -------
        ndarray of float32, shape (n_sentences, code_dim_)
            Row ``i`` is sentence ``i`` (empty sentences included, see the class
            notes).
        """
        ids = self._fitted_ids(X)
        parts = [
            self.autoencoder_.transform(self.embeddings_[ids[part]])
            for part in self._chunks(len(ids))
        ]
        return np.concatenate(parts, axis=0)

    def reconstruct_embeddings(self, X: Any) -> np.ndarray:
        """The autoencoder's reconstruction of each sentence's word vectors.

        Returns
        -------
        ndarray of float32, shape (n_sentences, max_len, dim)
            Compare with :meth:`embed`. With the chapter's decoder
            (``output_projection=False``) every value lies in (-2, 2).
        """
        ids = self._fitted_ids(X)
        parts = [
            self.autoencoder_.reconstruct(self.embeddings_[ids[part]])
            for part in self._chunks(len(ids))
        ]
        return np.concatenate(parts, axis=0)

    def similarity(self, X: Any, kind: str = "code") -> np.ndarray:
        """Cosine similarity between each sentence and its reconstruction.

        Parameters
        ----------
        X : iterable of str
            Sentences, one per item; held-out ones for an honest check.
        kind : {"code", "flat", "mean"}, default="code"
            What "sentence embedding" is compared:

            - ``"code"`` — the chapter's measure [1]_: the sentence vector of
              the input matrix, ``encoder(x)``, against the sentence vector of
              its reconstruction, ``encoder(autoencoder(x))``
              (``Xvec = encoder.predict(xtest)``, ``Yvec =
              encoder.predict(autoencoder.predict(xtest))``);
            - ``"flat"`` — the flattened ``(max_len, dim)`` input matrix
              against the flattened reconstruction, padding steps included;
            - ``"mean"`` — the mean word vector of the sentence's real tokens
              (``PAD`` steps excluded) against the mean of the reconstruction at
              the same steps.

        Returns
        -------
        ndarray of float64, shape (n_sentences,)
            In [-1, 1]; NaN where a vector is zero (``"flat"``/``"mean"`` of an
            empty sentence, or of one whose words all lack a GloVe vector).

        References
        ----------
        .. [1] A. Gulli, A. Kapoor and S. Pal, "Deep Learning with TensorFlow 2
           and Keras", 2nd ed., Packt, 2019, ch. 9, "Sentence vectors": the
           histogram of these cosines over 500 test sentences, most above 0.9.
        """
        check_choice("kind", kind, SIMILARITY_KINDS)
        return self.similarities(X, kinds=(kind,))[kind]

    def similarities(
        self, X: Any, kinds: Iterable[str] = SIMILARITY_KINDS
    ) -> dict[str, np.ndarray]:
        """Several kinds of :meth:`similarity` from one reconstruction pass.

        Parameters
        ----------
        X : iterable of str
            Sentences, one per item.
        kinds : str or iterable of str, default=("code", "flat", "mean")
            Which of :data:`SIMILARITY_KINDS` to compute.

        Returns
        -------
        dict of str to ndarray of float64, shape (n_sentences,)
            One entry per kind in ``kinds``.
        """
        kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
        for kind in kinds:
            check_choice("kind", kind, SIMILARITY_KINDS)
        ids = self._fitted_ids(X)
        out: dict[str, list[np.ndarray]] = {kind: [] for kind in kinds}
        for part in self._chunks(len(ids)):
            x = self.embeddings_[ids[part]]
            recon = self.autoencoder_.reconstruct(x)
            if "code" in out:
                out["code"].append(
                    _cosine(
                        self.autoencoder_.transform(x),
                        self.autoencoder_.transform(recon),
                    )
                )
            if "flat" in out:
                out["flat"].append(
                    _cosine(x.reshape(len(x), -1), recon.reshape(len(x), -1))
                )
            if "mean" in out:
                real = (ids[part] != Vocabulary.PAD_ID)[..., None]
                count = np.maximum(real.sum(axis=1), 1)
                out["mean"].append(
                    _cosine(
                        (x * real).sum(axis=1) / count, (recon * real).sum(1) / count
                    )
                )
        return {kind: np.concatenate(values) for kind, values in out.items()}

    # ---------------------------------------------------------------- properties
    @property
    def history_(self) -> dict[str, list[float]]:
        """The autoencoder's per-epoch training history."""
        check_is_fitted(self, "autoencoder_")
        history: dict[str, list[float]] = self.autoencoder_.history_
        return history

    @property
    def code_dim_(self) -> int:
        """Width of the sentence vectors."""
        check_is_fitted(self, "autoencoder_")
        return int(self.autoencoder_._n_features_out)

    # ---------------------------------------------------------------- persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save to one safetensors file: network, vocabulary and GloVe matrix.

        The vocabulary (in the JSON layout of :meth:`Vocabulary.save`) and the
        training statistics go into the file's JSON header, the embedding matrix
        and the weights into its tensors (see :mod:`aekit.io`);
        :func:`aekit.load` gives back an encoder with identical vectors.
        """
        check_is_fitted(self, "autoencoder_")
        return _io.save(self, path)

    def _get_saved_state(self) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
        inner_tensors, inner_state = self.autoencoder_._get_saved_state()
        tensors = {f"autoencoder.{k}": v for k, v in inner_tensors.items()}
        tensors["text.embeddings"] = torch.from_numpy(self.embeddings_.copy())
        vocabulary = self.vocabulary_
        state = {
            "autoencoder_class": type(self.autoencoder_).__name__,
            "autoencoder_params": _io._jsonable_params(
                self.autoencoder_.get_params(deep=False)
            ),
            "autoencoder_state": inner_state,
            "vocabulary": {
                "format": VOCABULARY_FORMAT,
                "version": VOCABULARY_VERSION,
                "pad": Vocabulary.PAD,
                "unk": Vocabulary.UNK,
                "words": list(vocabulary.tokens[2:]),
                "counts": None
                if vocabulary.counts is None
                else list(vocabulary.counts),
            },
            "glove_coverage_": self.glove_coverage_,
            "glove_source_": self.glove_source_,
            "token_coverage_": self.token_coverage_,
            "n_sentences_": self.n_sentences_,
        }
        return tensors, state

    def _set_saved_state(
        self,
        tensors: dict[str, torch.Tensor],
        state: dict[str, Any],
        device: str | None = None,
    ) -> None:
        if state["autoencoder_class"] != SequenceAutoEncoder.__name__:
            raise ValueError(
                f"autoencoder class {state['autoencoder_class']!r} is not "
                "SequenceAutoEncoder"
            )
        autoencoder = SequenceAutoEncoder(
            **_io._restore_tuples(SequenceAutoEncoder, state["autoencoder_params"])
        )
        prefix = "autoencoder."
        autoencoder._set_saved_state(
            {k[len(prefix) :]: v for k, v in tensors.items() if k.startswith(prefix)},
            state["autoencoder_state"],
            device=device,
        )
        vocabulary = _vocabulary_from_state(state["vocabulary"])
        embeddings = tensors.get("text.embeddings")
        if embeddings is None or embeddings.dtype != torch.float32:
            raise ValueError("missing float32 tensor 'text.embeddings'")
        matrix = embeddings.numpy().copy()
        if matrix.ndim != 2 or matrix.shape[0] != len(vocabulary):
            raise ValueError(
                f"embedding matrix of shape {matrix.shape} does not fit a "
                f"vocabulary of {len(vocabulary)} tokens"
            )
        expected = (int(self.max_len), int(matrix.shape[1]))
        if tuple(autoencoder.input_shape_) != expected:
            raise ValueError(
                f"autoencoder input {tuple(autoencoder.input_shape_)} does not "
                f"match max_len x embedding dim {expected}"
            )
        if isinstance(self.model_params, dict):  # JSON turned tuples into lists
            self.model_params = _io._restore_tuples(
                SequenceAutoEncoder, self.model_params
            )
        self.autoencoder_ = autoencoder
        self.vocabulary_ = vocabulary
        self.embeddings_ = matrix
        self.glove_coverage_ = float(state["glove_coverage_"])
        self.glove_source_ = str(state["glove_source_"])
        self.token_coverage_ = float(state["token_coverage_"])
        self.n_sentences_ = int(state["n_sentences_"])


def _vocabulary_from_state(document: Any) -> Vocabulary:
    """Rebuild the vocabulary saved in a model header (checked like a file)."""
    if not isinstance(document, dict) or document.get("format") != VOCABULARY_FORMAT:
        raise ValueError("the saved vocabulary is not an aekit vocabulary")
    if document.get("version") != VOCABULARY_VERSION:
        raise ValueError(
            f"unsupported vocabulary version {document.get('version')!r}; this aekit "
            f"reads version {VOCABULARY_VERSION}"
        )
    words, counts = document.get("words"), document.get("counts")
    if not isinstance(words, list) or not (counts is None or isinstance(counts, list)):
        raise ValueError("the saved vocabulary's words or counts are not lists")
    return Vocabulary(words, counts)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine similarity in float64; NaN where a row is all zeros."""
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    norms = np.linalg.norm(a64, axis=1) * np.linalg.norm(b64, axis=1)
    dots = np.einsum("ij,ij->i", a64, b64)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, dots / norms, np.nan)
