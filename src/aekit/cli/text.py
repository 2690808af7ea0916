"""``aekit text ACTION``: sentence vectors with a :class:`aekit.text.SentenceEncoder`.

- ``fit``: train on Reuters-21578 sentences or a text file (one sentence a line);
- ``encode``: sentence vectors of a text file (or stdin) as a ``.npy`` file (or
  stdout);
- ``similar``: the sentences of a corpus nearest to a query, by cosine similarity
  of their vectors.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import DataError
from ..io import atomic_write_bytes
from ._common import add_verbose, load_model, save_npy

_MODEL = "runs/text/model.safetensors"
_SPLITS = ("modapte-train", "modapte-test", "all")


# --------------------------------------------------------------------- input
def read_lines(path: str, *, keep_blank: bool) -> list[str]:
    """The lines of a UTF-8 text file (``-``: standard input), stripped.

    ``keep_blank=False`` leaves blank lines out (corpora); ``True`` keeps them,
    so that row ``i`` of an output is line ``i`` of the input.

    Raises
    ------
    aekit.DataError
        Naming the file and line, for bytes that are not UTF-8; or when the file
        holds no sentence.
    """
    name = "standard input" if path == "-" else path
    raw = sys.stdin.buffer.read() if path == "-" else Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{name}, line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); "
            "save the file as UTF-8"
        ) from None
    lines = [line.strip() for line in text.split("\n")]
    if lines and not lines[-1]:
        lines.pop()  # the newline that ends the last line
    if not keep_blank:
        lines = [line for line in lines if line]
    if not any(lines):
        raise DataError(f"{name}: no sentences (the file is empty or blank)")
    return lines


def corpus_sentences(args: argparse.Namespace) -> list[str]:
    """Sentences from ``--corpus reuters [--split S]`` or ``--sentences FILE``,
    the first ``--limit`` of them."""
    if args.limit is not None and args.limit < 1:
        raise DataError(f"--limit must be >= 1, got {args.limit}")
    if args.sentences is not None:
        sentences = read_lines(args.sentences, keep_blank=False)
    else:
        from ..text import load_reuters, split_sentences

        split = None if args.split == "all" else args.split
        corpus = load_reuters(split=split)
        # One line each: newswire sentences span several lines of the source.
        sentences = [
            " ".join(s.split()) for doc in corpus for s in split_sentences(doc.text)
        ]
    return sentences[: args.limit] if args.limit is not None else sentences


def _add_source(p: argparse.ArgumentParser, default_split: str) -> None:
    group = p.add_mutually_exclusive_group(required=True)
    group.add_argument(
        "--corpus",
        choices=["reuters"],
        help="Reuters-21578 from the data folders, split into sentences",
    )
    group.add_argument(
        "--sentences",
        metavar="FILE",
        help="a UTF-8 text file, one sentence per line (- for stdin)",
    )
    p.add_argument(
        "--split",
        choices=_SPLITS,
        default=default_split,
        help=f"Reuters documents to use (default: {default_split})",
    )
    p.add_argument(
        "--limit", type=int, metavar="N", help="use only the first N sentences"
    )


# --------------------------------------------------------------------- fit
def _add_fit(actions: argparse._SubParsersAction) -> None:
    p = actions.add_parser(
        "fit",
        help="train a sentence encoder and save it",
        description="Train a SentenceEncoder (tokenizer, vocabulary, GloVe vectors "
        "and the Packt chapter's LSTM autoencoder, preset reuters-sentences) and "
        "write OUT/model.safetensors (one file, vocabulary and GloVe matrix "
        "included) and OUT/history.json. Options left out keep the preset's "
        "values.",
        epilog="Example: aekit text fit --corpus reuters --split modapte-train "
        "--limit 5000 --epochs 5 --out runs/text",
    )
    _add_source(p, "modapte-train")
    p.add_argument(
        "--glove",
        metavar="FILE",
        help="GloVe .txt[.gz] file (default: glove/glove.6B.50d.txt[.gz] in the "
        "data folders)",
    )
    p.add_argument("--max-words", type=int, default=4998, metavar="N")
    p.add_argument(
        "--max-len", type=int, default=50, metavar="N", help="words per sentence"
    )
    p.add_argument(
        "--padding",
        choices=["pre", "post"],
        default="pre",
        help="pad and truncate before (default, as the textbook) or after",
    )
    p.add_argument(
        "--preset",
        default="reuters-sentences",
        help="SequenceAutoEncoder preset (default: reuters-sentences)",
    )
    p.add_argument("--epochs", type=int, metavar="N")
    p.add_argument(
        "--encoder-units", type=int, metavar="N", help="LSTM units (textbook: 512)"
    )
    p.add_argument("--batch-size", type=int, metavar="N")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument(
        "--validation-fraction",
        type=float,
        metavar="F",
        help="share of the sentences held out for val_loss",
    )
    p.add_argument("--seed", type=int, help="random_state, for reproducible runs")
    p.add_argument("--device", default="auto", help="auto (default), cpu, cuda")
    p.add_argument("--out", type=Path, required=True, help="output folder")
    add_verbose(p)
    p.set_defaults(func=_fit)


def _fit(args: argparse.Namespace) -> int:
    from ..text import SentenceEncoder

    flags = {
        "epochs": "epochs",
        "encoder_units": "encoder_units",
        "batch_size": "batch_size",
        "lr": "learning_rate",
        "validation_fraction": "validation_fraction",
    }
    model_params = {
        param: getattr(args, flag)
        for flag, param in flags.items()
        if getattr(args, flag) is not None
    }
    encoder = SentenceEncoder(
        max_words=args.max_words,
        max_len=args.max_len,
        padding=args.padding,
        truncating=args.padding,
        glove_path=args.glove,
        preset=args.preset,
        model_params=model_params,
        random_state=args.seed,
        device=args.device,
        verbose=args.verbose,
    )
    sentences = corpus_sentences(args)
    encoder.fit(sentences)
    path = encoder.save(args.out / "model.safetensors")
    history = encoder.history_
    atomic_write_bytes(
        args.out / "history.json", (json.dumps(history, indent=1) + "\n").encode()
    )
    summary = f"loss {history['loss'][-1]:.5g}"
    if "val_loss" in history:
        summary += f", val_loss {history['val_loss'][-1]:.5g}"
    print(
        f"trained {len(history['loss'])} epochs on {encoder.n_sentences_} sentences "
        f"({len(encoder.vocabulary_) - 2} words, GloVe coverage "
        f"{100 * encoder.glove_coverage_:.1f}% of words, "
        f"{100 * encoder.token_coverage_:.1f}% of tokens): {summary}; saved {path}"
    )
    return 0


# --------------------------------------------------------------------- encode
def _add_encode(actions: argparse._SubParsersAction) -> None:
    p = actions.add_parser(
        "encode",
        help="sentence vectors of a text file as .npy",
        description="Write one vector per line of INPUT (a UTF-8 text file, one "
        "sentence per line; - for stdin) as a float32 .npy array of shape "
        "(lines, code size). Row i is line i: a blank line gets the vector of an "
        "empty sentence. Without --output, the .npy data goes to standard output "
        "when that is redirected.",
        epilog=f"Examples: aekit text encode --model {_MODEL} sentences.txt "
        f"--output vectors.npy\n  aekit text encode --model {_MODEL} sentences.txt "
        "> vectors.npy",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model", type=Path, required=True, help="a saved SentenceEncoder")
    p.add_argument("input", metavar="INPUT", help="text file, one sentence a line")
    p.add_argument(
        "--output",
        help="output .npy file; - for standard output (the default "
        "when it is redirected)",
    )
    add_verbose(p)
    p.set_defaults(func=_encode)


def _encoder(path: Path) -> Any:
    from ..text import SentenceEncoder

    model = load_model(path)
    if not isinstance(model, SentenceEncoder):
        raise DataError(
            f"{path} holds a {type(model).__name__}, not a SentenceEncoder (train "
            "one with `aekit text fit`)"
        )
    return model


def _encode(args: argparse.Namespace) -> int:
    to_stdout = args.output == "-" or args.output is None
    if args.output is None and sys.stdout.isatty():
        raise DataError(
            "refusing to write binary .npy data to a terminal: give --output FILE, "
            "or redirect standard output (> vectors.npy)"
        )
    encoder = _encoder(args.model)
    vectors = encoder.transform(read_lines(args.input, keep_blank=True))
    if to_stdout:
        buffer = io.BytesIO()
        np.save(buffer, vectors, allow_pickle=False)
        stream = getattr(sys.stdout, "buffer", None)
        if stream is None:
            raise DataError("standard output takes no binary data here; use --output")
        stream.write(buffer.getvalue())
        stream.flush()
        print(f"wrote vectors of shape {vectors.shape} to stdout", file=sys.stderr)
    else:
        save_npy(Path(args.output), vectors)
        print(f"wrote vectors of shape {vectors.shape} to {args.output}")
    return 0


# --------------------------------------------------------------------- similar
def _add_similar(actions: argparse._SubParsersAction) -> None:
    p = actions.add_parser(
        "similar",
        help="sentences of a corpus nearest to a query",
        description="Encode QUERY and every sentence of a corpus (duplicates "
        "counted once) and print the nearest sentences by cosine similarity of "
        "their vectors, most similar first.",
        epilog=f'Example: aekit text similar --model {_MODEL} "Oil prices rose '
        'sharply" --corpus reuters --split modapte-test --limit 5000 --top 5',
    )
    p.add_argument("--model", type=Path, required=True, help="a saved SentenceEncoder")
    p.add_argument("query", metavar="QUERY", help="the query sentence")
    _add_source(p, "modapte-test")
    p.add_argument(
        "--top", type=int, default=5, metavar="K", help="how many (default 5)"
    )
    add_verbose(p)
    p.set_defaults(func=_similar)


def _similar(args: argparse.Namespace) -> int:
    from ..text import tokenize

    if args.top < 1:
        raise DataError(f"--top must be >= 1, got {args.top}")
    if not tokenize(args.query):
        raise DataError("the query sentence is empty: give some words")
    encoder = _encoder(args.model)
    sentences = list(dict.fromkeys(corpus_sentences(args)))
    vectors = encoder.transform([args.query, *sentences]).astype(np.float64)
    norms = np.linalg.norm(vectors, axis=1)
    norms[norms == 0] = 1.0
    unit = vectors / norms[:, None]
    scores = unit[1:] @ unit[0]
    order = np.argsort(-scores, kind="stable")[: args.top]
    for rank, i in enumerate(order, 1):
        print(f"{rank}. {scores[i]:.4f}  {sentences[i]}")
    return 0


# --------------------------------------------------------------------- parser
def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "text",
        help="sentence vectors: fit, encode, similar",
        description="Sentence vectors from the Packt chapter's LSTM autoencoder "
        "over GloVe word vectors (aekit.text.SentenceEncoder). ACTION: fit "
        "trains and saves one, encode writes the vectors of a text file, similar "
        "finds the sentences nearest to a query.",
        epilog=f"Examples:\n  aekit text fit --corpus reuters --limit 5000 "
        f"--epochs 5 --out runs/text\n  aekit text encode --model {_MODEL} "
        f"sentences.txt > vectors.npy\n  aekit text similar --model {_MODEL} "
        '"Oil prices rose" --corpus reuters --split modapte-test --top 5',
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    _add_fit(actions)
    _add_encode(actions)
    _add_similar(actions)
