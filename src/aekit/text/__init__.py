"""Text pipeline for sentence autoencoders: Reuters-21578, tokens, vocabulary, GloVe.

The steps follow the sentence-autoencoder example of the Packt chapter on
autoencoders [3]_: Reuters-21578 newswire stories [1]_ are split into sentences and
lowercased word tokens with every number replaced by ``"9"``; the 5000 most
frequent words plus ``PAD`` and ``UNK`` form the vocabulary; each sentence is
padded or truncated to 50 ids; each id maps to a 50-dimensional GloVe vector [2]_.

>>> from aekit import text
>>> corpus = text.load_reuters(split="modapte-train")          # doctest: +SKIP
>>> sentences = [s for doc in corpus for s in text.tokenize_sentences(doc.text)]
...                                                             # doctest: +SKIP
>>> vocab = text.Vocabulary.build(sentences, max_words=5000)    # doctest: +SKIP
>>> ids = vocab.encode_batch(sentences, max_len=50)             # doctest: +SKIP
>>> glove = text.load_glove(vocab)                              # doctest: +SKIP
>>> inputs = glove.matrix[ids]       # (n_sentences, 50, 50)    # doctest: +SKIP

:class:`SentenceEncoder` does all of this, and trains the chapter's LSTM
autoencoder, in one estimator whose ``transform`` gives sentence vectors.

References
----------
.. [1] D. D. Lewis, "Reuters-21578 text categorization test collection,
   Distribution 1.0", README file v1.2, 1997.
.. [2] J. Pennington, R. Socher and C. D. Manning, "GloVe: Global Vectors for Word
   Representation", EMNLP 2014, pp. 1532–1543.
.. [3] A. Gulli, A. Kapoor and S. Pal, "Deep Learning with TensorFlow 2 and
   Keras", 2nd ed., Packt, 2019, chapter 9 (Autoencoders), "Sentence vectors".
"""

from __future__ import annotations

from .encoder import SIMILARITY_KINDS, SentenceEncoder, as_sentences
from .glove import GLOVE_URL, GloveEmbeddings, default_glove_path, load_glove
from .reuters import (
    REUTERS_FILE,
    REUTERS_SPLITS,
    REUTERS_URL,
    ReutersCorpus,
    ReutersDocument,
    default_reuters_path,
    load_reuters,
)
from .tokenize import NUMBER_TOKEN, split_sentences, tokenize, tokenize_sentences
from .vocab import Vocabulary

__all__ = [
    "GLOVE_URL",
    "NUMBER_TOKEN",
    "REUTERS_FILE",
    "REUTERS_SPLITS",
    "REUTERS_URL",
    "SIMILARITY_KINDS",
    "GloveEmbeddings",
    "ReutersCorpus",
    "ReutersDocument",
    "SentenceEncoder",
    "Vocabulary",
    "as_sentences",
    "default_glove_path",
    "default_reuters_path",
    "load_glove",
    "load_reuters",
    "split_sentences",
    "tokenize",
    "tokenize_sentences",
]
