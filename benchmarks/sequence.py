"""Sentence autoencoder benchmark on Reuters-21578 (issue 7).

Two parts, in one run (the second uses the model the first trains):

(a) ``sentences`` — the Packt chapter's sentence autoencoder (Gulli, Kapoor & Pal,
    "Deep Learning with TensorFlow 2 and Keras", 2nd ed., Packt 2019, ch. 9;
    preset ``reuters-sentences``: bidirectional LSTM(512) encoder, summed
    directions, RepeatVector(50), bidirectional LSTM(50) decoder; MSE, Adam 1e-3,
    batch 64) trained through :class:`aekit.text.SentenceEncoder` on sentences of
    the ModApte training documents, embedded with 50-d GloVe vectors (Pennington,
    Socher & Manning, EMNLP 2014). Reported: training and validation MSE per
    epoch (validation: ``--val-limit`` sentences of the ModApte test documents),
    and on those held-out sentences the mean cosine similarity between a
    sentence and its reconstruction — the chapter's measure (the codes of input
    and reconstruction), the flattened 50×50 matrices and the mean word vectors —
    next to the same cosines between *different* sentences, the baseline that
    says how much a high cosine means. With ``--compare keras``: seconds/epoch of
    aekit and of the identical Keras 3 model (``_keras_sequence.py``, JAX and
    TensorFlow backends) on the very same array of ``--keras-limit`` sentences,
    with no validation pass in either.

    All 76,631 training sentences × 20 epochs take about 6–7 hours on two CPU
    cores, so ``--limit`` trains on a random subset of that many sentences (the
    script prints and records how many, and extrapolates the full run's time).

(b) ``downstream`` — topic classification on the ten most frequent ModApte
    topics (earn, acq, money-fx, grain, crude, trade, interest, wheat, ship,
    corn). Reuters stories often carry several topics (wheat and corn stories
    are grain stories too), so this is the standard multi-label task: every
    ModApte document with at least one of the ten topics, one binary logistic
    regression per topic (one-vs-rest), micro- and macro-averaged F1 on the test
    documents. Document vectors, compared in the same run:

    - aekit: the mean of the SentenceEncoder codes of the document's sentences;
    - mean GloVe: the mean 50-d GloVe vector of the document's tokens (the full
      400,000-word GloVe vocabulary, not the autoencoder's 4,998 words);
    - TF-IDF: scikit-learn's ``TfidfVectorizer(sublinear_tf=True, min_df=2)``.

    Each method gets its own inverse regularisation strength C from
    {0.01, 0.1, 1, 10, 100}, chosen by 3-fold cross-validated micro-F1 on the
    training documents; dense vectors are standardised first.

Prints JSON, writes ``benchmarks/results/sequence.json`` and ``.md``.

    python benchmarks/sequence.py --limit 6400 --compare keras    # ~45 min, 2 CPUs
    python benchmarks/sequence.py --compare keras                 # full: ~7 h
    python benchmarks/sequence.py --limit 300 --val-limit 100 --epochs 1 \\
        --encoder-units 16 --doc-limit 150 --no-write             # smoke test
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections import Counter
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import KFold
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer, StandardScaler

import aekit
from _common import (
    add_output_args,
    compare_keras,
    emit,
    hardware,
    seconds_per_epoch,
)
from aekit.text import (
    SentenceEncoder,
    Vocabulary,
    load_glove,
    load_reuters,
    split_sentences,
    tokenize,
)

N_TOPICS = 10
C_GRID = (0.01, 0.1, 1.0, 10.0, 100.0)
#: The chapter's notebook (PacktPublishing/Deep-Learning-with-TensorFlow-2-and-Keras,
#: Chapter 9/sentence_vector_gen.ipynb): 131,545 sentences of all Reuters stories,
#: a random 70/30 split, 20 epochs.
PUBLISHED = {
    "train_sentences": 92081,
    "test_sentences": 39464,
    "epochs": 20,
    "loss": 0.0824,
    "val_loss": 0.0820,
    "first_val_loss": 0.1097,
    "code_cosine_first_11": (0.963, 0.989),
}
METHODS = {
    "aekit": "aekit SentenceEncoder codes, mean over sentences",
    "glove": "mean GloVe 50-d vector of the tokens",
    "tfidf": "TF-IDF (sublinear tf, min_df=2)",
}


def document_sentences(doc: aekit.text.ReutersDocument) -> list[str]:
    """A document's sentences, each on one line (newswire wraps its lines)."""
    return [" ".join(s.split()) for s in split_sentences(doc.text)]


def _sample(items: Sequence[Any], limit: int | None, seed: int) -> list[Any]:
    """``limit`` items drawn without replacement, in their original order."""
    if limit is None or limit >= len(items):
        return list(items)
    rng = np.random.default_rng(seed)
    return [items[i] for i in np.sort(rng.choice(len(items), limit, replace=False))]


def _model_params(args: argparse.Namespace, epochs: int) -> dict[str, Any]:
    params: dict[str, Any] = {"epochs": epochs}
    if args.encoder_units is not None:
        params["encoder_units"] = args.encoder_units
    return params


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = a.reshape(len(a), -1).astype(np.float64), b.reshape(len(b), -1)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(norms > 0, (a * b).sum(axis=1) / norms, np.nan)


def _mean_vectors(x: np.ndarray, ids: np.ndarray) -> np.ndarray:
    real = (ids != Vocabulary.PAD_ID)[..., None]
    return (x * real).sum(axis=1) / np.maximum(real.sum(axis=1), 1)


def different_sentence_cosines(
    enc: SentenceEncoder, sentences: list[str]
) -> dict[str, float]:
    """Mean cosine between sentence ``i`` and the reconstruction of sentence
    ``i + 1``, for each similarity kind: what the cosine is for unrelated pairs."""
    ids = enc.token_ids(sentences)
    x = enc.embeddings_[ids]
    recon = enc.reconstruct_embeddings(sentences)
    other, other_ids = np.roll(recon, -1, axis=0), np.roll(ids, -1, axis=0)
    codes = enc.autoencoder_.transform(x)
    pairs = {
        "code": (codes, enc.autoencoder_.transform(other)),
        "flat": (x, other),
        "mean": (_mean_vectors(x, ids), _mean_vectors(other, other_ids)),
    }
    return {kind: float(np.nanmean(_cosines(a, b))) for kind, (a, b) in pairs.items()}


# --------------------------------------------------------------------- part (a)
def sentences_part(
    args: argparse.Namespace, train_docs: Sequence[Any], test_docs: Sequence[Any]
) -> tuple[dict[str, Any], SentenceEncoder]:
    all_train = [s for d in train_docs for s in document_sentences(d)]
    all_test = [s for d in test_docs for s in document_sentences(d)]
    train = _sample(all_train, args.limit, args.seed)
    held_out = _sample(all_test, args.val_limit, args.seed + 1)
    print(
        f"[sentences] training on {len(train)} of {len(all_train)} ModApte training "
        f"sentences for {args.epochs} epochs; {len(held_out)} of {len(all_test)} "
        "test sentences held out",
        flush=True,
    )
    enc = SentenceEncoder(
        model_params=_model_params(args, args.epochs),
        random_state=args.seed,
        verbose=args.verbose,
    )
    start = time.perf_counter()
    enc.fit(train, validation_sentences=held_out)
    fit_seconds = time.perf_counter() - start
    history = enc.history_
    similarity = enc.similarities(held_out)
    spe = seconds_per_epoch(history["epoch_time"])
    out: dict[str, Any] = {
        "n_train_sentences": len(train),
        "n_train_sentences_available": len(all_train),
        "n_held_out_sentences": len(held_out),
        "n_held_out_available": len(all_test),
        "epochs": len(history["loss"]),
        "encoder_units": enc.autoencoder_.encoder_units,
        "code_dim": enc.code_dim_,
        "n_params": sum(p.numel() for p in enc.autoencoder_.module_.parameters()),
        "vocabulary_words": len(enc.vocabulary_) - 2,
        "glove_coverage": enc.glove_coverage_,
        "token_coverage": enc.token_coverage_,
        "loss": history["loss"],
        "val_loss": history["val_loss"],
        "final_loss": history["loss"][-1],
        "final_val_loss": history["val_loss"][-1],
        "seconds_total": fit_seconds,
        "seconds_per_epoch": spe,
        "estimated_full_run_hours": spe
        * len(all_train)
        / len(train)
        * PUBLISHED["epochs"]
        / 3600,
        "cosine_same_sentence": {
            kind: float(np.nanmean(values)) for kind, values in similarity.items()
        },
        "cosine_same_sentence_median": {
            kind: float(np.nanmedian(values)) for kind, values in similarity.items()
        },
        "cosine_different_sentence": different_sentence_cosines(enc, held_out),
    }
    if args.compare == "keras":
        out["timing"] = keras_timing(args, enc, train)
    return out, enc


def keras_timing(
    args: argparse.Namespace, enc: SentenceEncoder, train: list[str]
) -> dict[str, Any]:
    """aekit and Keras on the same array, same model, no validation pass."""
    X = enc.embed(train[: args.keras_limit])
    print(
        f"[timing] {len(X)} sentences, {args.keras_epochs} epochs per framework",
        flush=True,
    )
    timer = aekit.SequenceAutoEncoder.from_preset(
        "reuters-sentences",
        random_state=args.seed,
        verbose=args.verbose,
        **_model_params(args, args.keras_epochs),
    ).fit(X)
    spe = seconds_per_epoch(timer.history_["epoch_time"])
    return {
        "n_sentences": len(X),
        "epochs": args.keras_epochs,
        "aekit_seconds_per_epoch": spe,
        "aekit_n_params": sum(p.numel() for p in timer.module_.parameters()),
        "keras": compare_keras(
            "_keras_sequence.py",
            {"train": X},
            spe,
            backends=args.keras_backends,
            epochs=args.keras_epochs,
            units=timer.encoder_units,
            seed=args.seed,
        ),
    }


# --------------------------------------------------------------------- part (b)
def _classifier(C: float, dense: bool) -> Any:
    ovr = OneVsRestClassifier(
        LogisticRegression(C=C, solver="liblinear", max_iter=1000)
    )
    return make_pipeline(StandardScaler(), ovr) if dense else ovr


def _choose_C(X: Any, Y: np.ndarray, dense: bool, seed: int) -> float:
    folds = KFold(n_splits=3, shuffle=True, random_state=seed)
    scores = []
    for C in C_GRID:
        fold_scores = []
        for fit_idx, val_idx in folds.split(X):
            model = _classifier(C, dense).fit(X[fit_idx], Y[fit_idx])
            pred = model.predict(X[val_idx])
            fold_scores.append(
                f1_score(Y[val_idx], pred, average="micro", zero_division=0)
            )
        scores.append(float(np.mean(fold_scores)))
    return C_GRID[int(np.argmax(scores))]


def evaluate(
    X_train: Any, Y_train: np.ndarray, X_test: Any, Y_test: np.ndarray, seed: int
) -> dict[str, Any]:
    dense = isinstance(X_train, np.ndarray)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # A topic absent from a small training fold gets a constant predictor.
        warnings.filterwarnings("ignore", message="Label .* is present in all")
        warnings.filterwarnings("ignore", message="Label not .* is present in all")
        C = _choose_C(X_train, Y_train, dense, seed)
        pred = _classifier(C, dense).fit(X_train, Y_train).predict(X_test)
    return {
        "micro_f1": float(f1_score(Y_test, pred, average="micro", zero_division=0)),
        "macro_f1": float(f1_score(Y_test, pred, average="macro", zero_division=0)),
        "C": C,
        "n_features": int(X_train.shape[1]),
        "seconds": time.perf_counter() - start,
    }


def _code_vectors(enc: SentenceEncoder, docs: Sequence[Any]) -> np.ndarray:
    per_doc = [document_sentences(d) for d in docs]
    flat = [s for sentences in per_doc for s in sentences]
    codes = enc.transform(flat)
    out = np.zeros((len(docs), codes.shape[1]), dtype=np.float32)
    start = 0
    for i, sentences in enumerate(per_doc):
        if sentences:
            out[i] = codes[start : start + len(sentences)].mean(axis=0)
        start += len(sentences)
    return out


def _glove_vectors(
    token_lists: list[list[str]], vocab: Vocabulary, matrix: np.ndarray
) -> np.ndarray:
    has_vector = np.abs(matrix).sum(axis=1) > 0
    out = np.zeros((len(token_lists), matrix.shape[1]), dtype=np.float32)
    for i, tokens in enumerate(token_lists):
        ids = np.array([vocab.token_to_id(t) for t in tokens], dtype=np.int64)
        ids = ids[has_vector[ids]] if len(ids) else ids
        if len(ids):
            out[i] = matrix[ids].mean(axis=0)
    return out


def downstream(
    args: argparse.Namespace,
    enc: SentenceEncoder,
    train_docs: Sequence[Any],
    test_docs: Sequence[Any],
) -> dict[str, Any]:
    counts = Counter(t for d in train_docs for t in d.topics)
    topics = [t for t, _ in counts.most_common(N_TOPICS)]
    wanted = set(topics)
    train = _sample(
        [d for d in train_docs if wanted & set(d.topics)], args.doc_limit, args.seed + 2
    )
    test = _sample(
        [d for d in test_docs if wanted & set(d.topics)], args.doc_limit, args.seed + 3
    )
    print(
        f"[downstream] {len(train)} training and {len(test)} test documents, "
        f"topics {', '.join(topics)}",
        flush=True,
    )
    binarizer = MultiLabelBinarizer(classes=topics)
    Y_train = binarizer.fit_transform(
        [[t for t in d.topics if t in wanted] for d in train]
    )
    Y_test = binarizer.transform([[t for t in d.topics if t in wanted] for d in test])

    results: dict[str, Any] = {}
    start = time.perf_counter()
    codes_train, codes_test = _code_vectors(enc, train), _code_vectors(enc, test)
    results["aekit"] = {
        **evaluate(codes_train, Y_train, codes_test, Y_test, args.seed),
        "encode_seconds": time.perf_counter() - start,
    }

    tokens_train = [tokenize(d.text) for d in train]
    tokens_test = [tokenize(d.text) for d in test]
    vocab = Vocabulary.build(tokens_train + tokens_test)
    glove = load_glove(vocab)
    results["glove"] = {
        **evaluate(
            _glove_vectors(tokens_train, vocab, glove.matrix),
            Y_train,
            _glove_vectors(tokens_test, vocab, glove.matrix),
            Y_test,
            args.seed,
        ),
        "glove_coverage": glove.coverage,
    }

    tfidf = TfidfVectorizer(sublinear_tf=True, min_df=2)
    results["tfidf"] = evaluate(
        tfidf.fit_transform([d.text for d in train]),
        Y_train,
        tfidf.transform([d.text for d in test]),
        Y_test,
        args.seed,
    )
    best = max(results, key=lambda m: results[m]["micro_f1"])
    return {
        "topics": topics,
        "n_train_documents": len(train),
        "n_test_documents": len(test),
        "label_counts_test": dict(
            zip(topics, Y_test.sum(axis=0).tolist(), strict=True)
        ),
        "methods": results,
        "best_micro_f1": best,
    }


# --------------------------------------------------------------------- report
def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _sec(x: float) -> str:
    return f"{x:.3g}" if x < 100 else f"{x:.0f}"


NOTES = [
    "Cosines: *codes* is the chapter's check, cos(encoder(x), "
    "encoder(autoencoder(x))); *flat* compares the 50×50 input and reconstruction "
    "matrices, padding included; *mean vectors* the mean word vector of the real "
    "tokens and of the reconstruction at the same steps. The *different "
    "sentences* row pairs each sentence with the reconstruction of another: a "
    "cosine only means something above that line.",
    "The chapter's notebook looks words up by splitting each raw sentence on "
    "whitespace (case and punctuation kept, so many tokens are UNK, a random "
    "vector), and splits all 131,545 Reuters sentences 70/30 at random; aekit "
    "tokenizes (lowercase, numbers → 9), uses a mean-vector UNK, and trains on "
    "ModApte training documents and validates on ModApte test documents. Its "
    "59 s/epoch are on unstated hardware.",
]


def markdown(result: dict[str, Any]) -> str:
    """README-ready tables (written to ``results/sequence.md``)."""
    s = result["sentences"]
    d = result["downstream"]
    hw = result["hardware"]
    subset = s["n_train_sentences"] < s["n_train_sentences_available"]
    lines = [
        f"Reuters-21578 ModApte: {s['n_train_sentences']:,} of "
        f"{s['n_train_sentences_available']:,} training sentences"
        + (" (random subset)" if subset else "")
        + f", {s['epochs']} epochs; {s['n_held_out_sentences']:,} held-out test "
        f"sentences; vocabulary {s['vocabulary_words']:,} words, GloVe 6B 50-d covers "
        f"{_pct(s['glove_coverage'])} of them and {_pct(s['token_coverage'])} of the "
        f"tokens; {hw['cpus']} CPUs, torch threads: {hw['cpu_threads']}, "
        f"{hw['cuda'] or 'CPU only'}.",
        "",
        "| model | sentences × epochs | s/epoch | train MSE | val MSE | cosine "
        "(codes, chapter) | cosine (flat 50×50) | cosine (mean vectors) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    same, other = s["cosine_same_sentence"], s["cosine_different_sentence"]
    lines.append(
        f"| aekit `reuters-sentences`, LSTM {s['encoder_units']}: sentence vs its "
        f"reconstruction | {s['n_train_sentences']:,} × {s['epochs']} | "
        f"{_sec(s['seconds_per_epoch'])} | {s['final_loss']:.4f} | "
        f"{s['final_val_loss']:.4f} | {same['code']:.3f} | {same['flat']:.3f} | "
        f"{same['mean']:.3f} |"
    )
    lines.append(
        f"| same model: sentence vs a *different* sentence's reconstruction "
        f"(baseline) | | | | | {other['code']:.3f} | {other['flat']:.3f} | "
        f"{other['mean']:.3f} |"
    )
    p = PUBLISHED
    low, high = p["code_cosine_first_11"]
    lines.append(
        f"| Packt notebook (Keras, TF 2.0) | {p['train_sentences']:,} × "
        f"{p['epochs']} | 59 | {p['loss']:.4f} | {p['val_loss']:.4f} | "
        f"{low}–{high} (first 11 sentences) | | |"
    )
    if subset:
        lines += [
            "",
            f"**Subset run.** All {s['n_train_sentences_available']:,} sentences × "
            f"20 epochs would take about {s['estimated_full_run_hours']:.1f} h on "
            "this machine (extrapolated from this run's seconds/epoch).",
        ]
    timing = s.get("timing")
    if timing:
        lines += [
            "",
            f"Seconds/epoch of the same model on the same {timing['n_sentences']:,}"
            f"-sentence array, {timing['epochs']} epochs each (median over the "
            "epochs after the first; no validation pass):",
            "",
            "| framework | s/epoch | parameters | aekit s/epoch ÷ this |",
            "|---|---:|---:|---:|",
            f"| aekit (PyTorch {hw['torch']}) | "
            f"{_sec(timing['aekit_seconds_per_epoch'])} | "
            f"{timing['aekit_n_params']:,} | 1.00 |",
        ]
        for k in timing["keras"]:
            if "seconds_per_epoch" in k:
                lines.append(
                    f"| Keras {k['keras_version']} + {k['backend']} | "
                    f"{_sec(k['seconds_per_epoch'])} | {k.get('n_params', 0):,} | "
                    f"{k['aekit_time_ratio']:.2f} |"
                )
            else:
                lines.append(f"| Keras + {k['backend']} | {k.get('error')} | | |")
        lines += [
            "",
            "(PyTorch's LSTM has two bias vectors per gate where Keras has one, "
            "hence the extra parameters; the function computed is the same.)",
        ]
    lines += [
        "",
        f"Topic classification, the {len(d['topics'])} most frequent ModApte topics "
        "(multi-label: one-vs-rest logistic regression, C by 3-fold CV on the "
        f"training documents): {d['n_train_documents']:,} training / "
        f"{d['n_test_documents']:,} test documents.",
        "",
        "| document vector | dimensions | C | micro-F1 | macro-F1 |",
        "|---|---:|---:|---:|---:|",
    ]
    for key, label in METHODS.items():
        m = d["methods"][key]
        best = "**" if key == d["best_micro_f1"] else ""
        lines.append(
            f"| {label} | {m['n_features']:,} | {m['C']:g} | "
            f"{best}{m['micro_f1']:.3f}{best} | {m['macro_f1']:.3f} |"
        )
    for note in NOTES:
        lines += ["", note]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        help="training sentences, a random subset (default: all 76,631)",
    )
    parser.add_argument(
        "--val-limit", type=int, default=2000, help="held-out test sentences"
    )
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument(
        "--encoder-units",
        type=int,
        default=None,
        help="LSTM units (default: the preset's 512)",
    )
    parser.add_argument(
        "--doc-limit",
        type=int,
        default=None,
        help="documents per split for the topic task (default: all)",
    )
    parser.add_argument("--compare", choices=["keras"], default=None)
    parser.add_argument(
        "--keras-limit", type=int, default=3200, help="sentences timed per framework"
    )
    parser.add_argument("--keras-epochs", type=int, default=2)
    parser.add_argument(
        "--keras-backends",
        nargs="+",
        choices=["jax", "tensorflow"],
        default=None,
        help="compare with these Keras backends only (default: every installed one)",
    )
    parser.add_argument("--save-model", default=None, help="also save the encoder")
    add_output_args(parser, "sequence", render=False)
    args = parser.parse_args(argv)
    for name in ("limit", "val_limit", "doc_limit", "keras_limit"):
        value = getattr(args, name)
        if value is not None and value < 2:
            parser.error(f"--{name.replace('_', '-')} must be at least 2")

    corpus = load_reuters()
    train_docs = corpus.subset("modapte-train").documents
    test_docs = corpus.subset("modapte-test").documents
    config = {k: v for k, v in vars(args).items() if k != "no_write"}
    result: dict[str, Any] = {"benchmark": "sequence", "config": config}
    result["hardware"] = hardware()
    result["sentences"], enc = sentences_part(args, train_docs, test_docs)
    print("[sentences] done", flush=True)
    if args.save_model:
        enc.save(args.save_model)
    result["downstream"] = downstream(args, enc, train_docs, test_docs)
    print("[downstream] done", flush=True)
    emit(args.results_name, result, markdown, write=not args.no_write)
    return result


if __name__ == "__main__":
    main()
