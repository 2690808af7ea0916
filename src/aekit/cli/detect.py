"""``aekit detect``: fit an outlier detector on normal data and score new data."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import DataError
from ._common import add_verbose, save_csv, save_figure


def _contamination(text: str) -> float | str:
    """``--contamination``: ``auto`` or a number (its range is checked in ``run``)."""
    if text == "auto":
        return text
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected 'auto' or a fraction such as 0.05, got {text!r}"
        ) from None


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "detect",
        help="flag outliers: fit on normal data, score new data (.csv)",
        description="Fit an autoencoder outlier detector (aekit.OutlierDetector) on "
        "--train and write, for each row of --score (or of --train when --score is "
        "left out), its outlier score (higher = more abnormal), its label (1 = "
        "outlier: score above the threshold) and its outlier probability (the "
        "score min-max scaled by the training scores, PyOD's 'linear' method) to "
        "a CSV file with the header 'score,label,probability'. Inputs are .csv, "
        ".npy or .npz (array X) files, one sample per row.",
        epilog="Example: aekit detect --train normal.csv --score new.csv "
        "--contamination 0.05 --output scores.csv --plot hist.png",
    )
    p.add_argument(
        "--train",
        type=Path,
        required=True,
        metavar="FILE",
        help="training data, mostly normal samples (.csv, .npy, .npz)",
    )
    p.add_argument(
        "--score",
        type=Path,
        default=None,
        metavar="FILE",
        help="data to score (default: the training data itself)",
    )
    p.add_argument(
        "--contamination",
        type=_contamination,
        default=0.1,
        metavar="F",
        help="expected fraction of outliers in the training data, in (0, 0.5]; "
        "sets the threshold. 'auto': Tukey's fence Q3 + 1.5 IQR (default: 0.1)",
    )
    p.add_argument(
        "--model",
        default="dense",
        help="autoencoder family: dense, vae, or conv for images (default: dense)",
    )
    p.add_argument(
        "--constant-columns",
        choices=("error", "ignore"),
        default="error",
        help="a --train column holding one value in every row carries no "
        "information and usually means a preprocessing mistake: 'error' (default) "
        "stops with the column numbers; 'ignore' keeps such columns (they add next "
        "to nothing to the score)",
    )
    p.add_argument(
        "--n-estimators",
        type=int,
        default=1,
        metavar="N",
        help="train an ensemble of N autoencoders, each on its own random subset "
        "of --train rows, and average their standardised scores (default: 1)",
    )
    p.add_argument(
        "--max-samples",
        type=float,
        default=1.0,
        metavar="F",
        help="with --n-estimators > 1: fraction of the rows each member sees "
        "(default: 1.0)",
    )
    density = p.add_mutually_exclusive_group()
    density.add_argument(
        "--latent-density",
        action="store_true",
        help="score by the density of (code, reconstruction error) under a "
        "Gaussian mixture instead of the reconstruction error alone",
    )
    density.add_argument(
        "--trimmed-density",
        action="store_true",
        help="like --latent-density, with two mixtures (4 components and 1) "
        "fitted by trimmed likelihood, so the training outliers do not shape them",
    )
    p.add_argument(
        "--feature-bagging",
        action="store_true",
        help="each ensemble member sees its own random half to all-but-one of "
        "the columns (Lazarevic & Kumar, KDD 2005)",
    )
    p.add_argument(
        "--trim-fraction",
        type=float,
        default=0.0,
        metavar="F",
        help="train each member a second time without the fraction F of its "
        "rows that its first fit scores worst, in [0, 0.5) (default: 0)",
    )
    p.add_argument(
        "--normalize-errors",
        action="store_true",
        help="divide each feature's squared error by its typical training error",
    )
    p.add_argument(
        "--standardize",
        choices=("auto", "quantile"),
        default="auto",
        help="feature scaling learned on --train: 'auto' (z-scores for tables, "
        "default) or 'quantile' (each feature mapped to a standard normal through "
        "its training quantiles)",
    )
    p.add_argument(
        "--epochs", type=int, default=None, metavar="N", help="training epochs"
    )
    p.add_argument("--seed", type=int, default=None, help="for reproducible runs")
    p.add_argument("--device", default="auto", help="auto (default), cpu, cuda")
    p.add_argument(
        "--output", type=Path, required=True, metavar="FILE", help="output CSV file"
    )
    p.add_argument(
        "--save-model",
        type=Path,
        default=None,
        metavar="PATH",
        help="also save the fitted detector (.safetensors; load with aekit.load)",
    )
    p.add_argument(
        "--plot",
        type=Path,
        default=None,
        metavar="FILE",
        help="also save a histogram of the scores with the threshold (.png, .svg)",
    )
    add_verbose(p)
    p.set_defaults(func=run)


def _check_contamination(value: float | str) -> None:
    if value != "auto" and not (
        isinstance(value, float) and 0.0 < value <= 0.5  # NaN fails too
    ):
        raise ValueError(
            f"--contamination must be 'auto' or a fraction in (0, 0.5], got {value}"
        )


def _load_samples(path: Path, option: str) -> np.ndarray:
    """The array in ``path``: numeric, one sample per row, finite."""
    from .. import datasets

    X = datasets.load_array(path)
    if X.ndim < 2 or X.shape[0] == 0:
        raise DataError(
            f"{option} {path}: expected one sample per row (a 2-D array), got "
            f"an array of shape {X.shape}"
        )
    if not (np.issubdtype(X.dtype, np.number) and not np.iscomplexobj(X)):
        raise DataError(f"{option} {path}: expected numbers, got dtype {X.dtype}")
    finite = np.isfinite(X.reshape(len(X), -1)).all(axis=1)
    if not finite.all():
        row = int(np.argmin(finite))
        raise DataError(
            f"{option} {path}: row {row} (0-based) holds NaN or infinite values; "
            "remove or impute them first"
        )
    return X


def _n_features(X: np.ndarray) -> int:
    return int(np.prod(X.shape[1:]))


def _check_constant_columns(X: np.ndarray, path: Path) -> None:
    """Refuse constant columns in tabular ``X`` as the detector would, in CLI terms.

    ``OutlierDetector(constant_columns="error")`` raises too; checking here first
    names the file and the command-line option instead of the Python parameter.
    Images are not checked: constant pixels are normal, the detector allows them.
    """
    from ..estimators.outlier import constant_column_error

    if X.ndim == 2:
        error = constant_column_error(X, f"--train {path}", "--constant-columns ignore")
        if error is not None:
            raise error


def run(args: argparse.Namespace) -> int:
    from ..estimators.outlier import OutlierDetector

    _check_contamination(args.contamination)
    if args.epochs is not None and args.epochs < 1:
        raise ValueError(f"--epochs must be >= 1, got {args.epochs}")
    if args.output.suffix.lower() in (".npy", ".npz"):
        raise ValueError(f"--output {args.output}: the scores are CSV; name it .csv")
    X_train = _load_samples(args.train, "--train")
    X = X_train if args.score is None else _load_samples(args.score, "--score")
    if _n_features(X) != _n_features(X_train):
        raise DataError(
            f"--score {args.score} has {_n_features(X)} features per sample, but "
            f"--train {args.train} has {_n_features(X_train)}"
        )
    if args.constant_columns == "error":
        _check_constant_columns(X_train, args.train)

    detector: Any = OutlierDetector(
        model=args.model,
        contamination=args.contamination,
        model_params=None if args.epochs is None else {"epochs": args.epochs},
        constant_columns=args.constant_columns,
        n_estimators=args.n_estimators,
        max_samples=args.max_samples,
        score=(
            "latent-density"
            if args.latent_density
            else "trimmed-density"
            if args.trimmed_density
            else "reconstruction"
        ),
        normalize_errors=args.normalize_errors,
        feature_bagging=args.feature_bagging,
        trim_fraction=args.trim_fraction,
        standardize=args.standardize,
        random_state=args.seed,
        device=args.device,
        verbose=args.verbose,
    )
    detector.fit(X_train)
    scores = detector.decision_function(X)
    labels = detector.predict(X)
    probability = detector.predict_proba(X, method="linear")[:, 1]
    columns = {"score": scores, "label": labels, "probability": probability}
    save_csv(args.output, columns)

    n_train_flagged = int(detector.labels_.sum())
    print(
        f"threshold {detector.threshold_:.6g} (contamination {args.contamination}: "
        f"{n_train_flagged} of {len(X_train)} training samples above it)"
    )
    source = args.train if args.score is None else args.score
    n_flagged = int(labels.sum())
    print(
        f"flagged {n_flagged} of {len(X)} samples of {source} as outliers "
        f"({100.0 * n_flagged / len(X):.1f}%); wrote {args.output}"
    )
    if args.plot is not None:
        from ..plots_anomaly import score_histogram

        save_figure(args.plot, score_histogram(detector, X))
        print(f"wrote score histogram to {args.plot}")
    if args.save_model is not None:
        print(f"saved detector to {detector.save(args.save_model)}")
    return 0
