"""``aekit embed``: reduce a labelled dataset to a few dimensions, next to PCA."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import DataError
from ._common import add_verbose, save_figure, save_npy, sizes

PRESET = "packt-2d"


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "embed",
        help="2-D codes of an autoencoder vs PCA: kNN accuracy, trustworthiness, plot",
        description="Train an autoencoder (preset packt-2d: 784-500-2, ReLU hidden "
        "layer, linear code, sigmoid output, BCE) on the training split of a "
        "labelled dataset, encode its test split and print two measures of the "
        "codes next to PCA's with as many components: the test accuracy of a "
        "k-nearest-neighbour classifier fitted on the training codes, and the "
        "trustworthiness of the test codes (Venna & Kaski 2001; on a random "
        "subsample of --n-trust test samples, as it costs time quadratic in their "
        "number). --plot draws the test codes side by side, coloured by class "
        "(codes of more than 2 dimensions on their first two principal "
        "components).",
        epilog="Example: aekit embed --dataset mnist --code-size 2 --epochs 50 "
        "--seed 0 --plot embed.png --output codes.npy",
    )
    p.add_argument(
        "--dataset",
        required=True,
        help="a labelled dataset with train and test splits: mnist, fashion-mnist, "
        "digits (see `aekit datasets`)",
    )
    p.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="use only the first N samples of each split",
    )
    p.add_argument(
        "--code-size",
        type=int,
        default=2,
        metavar="N",
        help="dimensions of the codes and PCA components (default 2)",
    )
    p.add_argument(
        "--hidden",
        type=sizes,
        default=None,
        metavar="SIZES",
        help="encoder hidden layer sizes (default 500; e.g. 1000,500,250)",
    )
    p.add_argument(
        "--epochs", type=int, default=None, metavar="N", help="training epochs (50)"
    )
    p.add_argument("--seed", type=int, default=None, help="for reproducible runs")
    p.add_argument("--device", default="auto", help="auto (default), cpu, cuda")
    p.add_argument(
        "--k",
        type=int,
        default=5,
        metavar="K",
        help="neighbours for kNN accuracy and trustworthiness (default 5)",
    )
    p.add_argument(
        "--n-trust",
        type=int,
        default=2000,
        metavar="N",
        help="test samples drawn for trustworthiness (default 2000)",
    )
    p.add_argument(
        "--compare-pca",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also fit PCA with --code-size components (default: yes)",
    )
    p.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="FILE",
        help="save the side-by-side scatter plot of the test codes (.png, .svg, .pdf)",
    )
    p.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FILE",
        help="save the autoencoder's codes of the test split (.npy)",
    )
    add_verbose(p)
    p.set_defaults(func=run)


def _check_args(args: argparse.Namespace) -> None:
    """Reject bad options before anything is loaded or trained."""
    from matplotlib.backend_bases import FigureCanvasBase

    for option, value, minimum in (
        ("--limit", args.limit, 1),
        ("--code-size", args.code_size, 1),
        ("--epochs", args.epochs, 1),
        ("--k", args.k, 1),
        ("--n-trust", args.n_trust, 2),
    ):
        if value is not None and value < minimum:
            raise ValueError(f"{option} must be >= {minimum}, got {value}")
    if args.output is not None and args.output.suffix.lower() != ".npy":
        raise ValueError(f"--output {args.output}: the codes are written as .npy")
    if args.plot is not None:
        formats = FigureCanvasBase.get_supported_filetypes()
        if args.plot.suffix.lstrip(".").lower() not in formats:
            raise ValueError(
                f"--plot {args.plot}: unknown image format; use .png, .svg or .pdf"
            )


def _load(args: argparse.Namespace) -> dict[str, np.ndarray]:
    """Both splits of the dataset, images flattened, cut to ``--limit``."""
    from .. import datasets

    arrays: dict[str, np.ndarray] = {}
    for split in ("train", "test"):
        X, y = datasets.load(args.dataset, split=split)
        if args.limit is not None:
            X, y = X[: args.limit], y[: args.limit]
        if len(X) == 0:
            raise DataError(f"{args.dataset} has no {split} samples")
        arrays[f"X_{split}"] = X.reshape(len(X), -1)
        arrays[f"y_{split}"] = y
    n_features = arrays["X_train"].shape[1]
    n_train = len(arrays["X_train"])
    if args.compare_pca and args.code_size > min(n_train, n_features):
        raise ValueError(
            f"--code-size {args.code_size}: PCA can give at most "
            f"{min(n_train, n_features)} components here ({n_train} training "
            f"samples of {n_features} features); use --no-compare-pca"
        )
    return arrays


def _fit_autoencoder(
    args: argparse.Namespace, X_train: np.ndarray
) -> tuple[Any, float]:
    from ..estimators.dense import AutoEncoder

    overrides: dict[str, Any] = {
        "code_size": args.code_size,
        "random_state": args.seed,
        "device": args.device,
        "verbose": args.verbose,
    }
    if args.epochs is not None:
        overrides["epochs"] = args.epochs
    if args.hidden is not None:
        overrides["hidden_layer_sizes"] = args.hidden
    model = AutoEncoder.from_preset(PRESET, **overrides)
    start = time.perf_counter()
    model.fit(X_train)
    return model, time.perf_counter() - start


def _fit_pca(args: argparse.Namespace, X_train: np.ndarray) -> tuple[Any, float]:
    from sklearn.decomposition import PCA

    pca = PCA(n_components=args.code_size, random_state=args.seed)
    start = time.perf_counter()
    pca.fit(X_train)
    return pca, time.perf_counter() - start


def run(args: argparse.Namespace) -> int:
    from ..metrics import embedding_quality

    _check_args(args)
    data = _load(args)
    X_train, X_test = data["X_train"], data["X_test"]
    model, seconds = _fit_autoencoder(args, X_train)
    widths = "-".join(str(w) for w in (X_train.shape[1], *model.hidden_layer_sizes))
    name = f"autoencoder {widths}-{args.code_size}"
    fitted: dict[str, tuple[Any, float]] = {name: (model, seconds)}
    if args.compare_pca:
        fitted[f"PCA, {args.code_size} components"] = _fit_pca(args, X_train)

    codes: dict[str, np.ndarray] = {}
    rows: list[tuple[str, float, float, float]] = []
    n_trust = 0
    for method, (estimator, fit_seconds) in fitted.items():
        codes[method] = np.asarray(estimator.transform(X_test))
        quality = embedding_quality(
            X_test,
            codes[method],
            data["y_test"],
            codes_train=estimator.transform(X_train),
            y_train=data["y_train"],
            k=args.k,
            n_trust=args.n_trust,
            random_state=0 if args.seed is None else args.seed,
        )
        n_trust = quality.n_trust
        rows.append(
            (method, quality.knn_accuracy, quality.trustworthiness, fit_seconds)
        )

    width = max(len(r[0]) for r in rows)
    print(
        f"{'method':<{width}}  {f'kNN acc. (k={args.k})':>15}  "
        f"{'trustworthiness':>15}  {'fit s':>8}"
    )
    for method, accuracy, trust, fit_seconds in rows:
        print(
            f"{method:<{width}}  {accuracy:>15.4f}  {trust:>15.4f}  {fit_seconds:>8.1f}"
        )
    sample = (
        f"all {n_trust}" if n_trust == len(X_test) else f"{n_trust} drawn at random"
    )
    print(
        f"{args.dataset}: kNN fitted on {len(X_train)} training codes and scored "
        f"on {len(X_test)} test codes; trustworthiness on {sample} of the test codes"
    )
    if args.output is not None:
        save_npy(args.output, codes[name])
        print(f"wrote test codes of shape {codes[name].shape} to {args.output}")
    if args.plot is not None:
        from ..plots import embedding_comparison

        scores = {
            method: {"kNN acc.": accuracy, "trust.": trust}
            for method, accuracy, trust, _ in rows
        }
        fig = embedding_comparison(
            codes,
            data["y_test"],
            scores=scores,
            title=f"{args.dataset} test set, {args.code_size}-D codes",
        )
        save_figure(args.plot, fig)
        print(f"wrote plot to {args.plot}")
    return 0
