"""Autoencoder codes as features for a classifier, tuned with GridSearchCV.

An ``aekit.AutoEncoder`` is a scikit-learn transformer, so it goes into a
``Pipeline`` in front of any classifier, and ``GridSearchCV`` tunes its
parameters (here ``encoder__code_size``) like any other step's. The script picks
the code size by the cross-validated accuracy of logistic regression on the
codes, then scores the chosen pipeline on the test set next to logistic
regression on as many PCA components and on the raw pixels. The autoencoder
(preset ``packt-2d``: one hidden layer of 500 ReLU units, linear code, sigmoid
output, BCE) never sees a label; only the classifier does.

    python examples/features.py                 # 8x8 digits, ~15 s on one core
    python examples/features.py --dataset mnist --limit 10000 --batch-size 256 \
        --code-sizes 16 32 64                   # a few minutes
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings

import numpy as np
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline

import aekit


def classifier() -> LogisticRegression:
    return LogisticRegression(max_iter=2000)


def load(dataset: str, limit: int | None) -> tuple[np.ndarray, ...]:
    """Flattened train and test images with their labels, the first ``limit``."""
    X, y = aekit.datasets.load(dataset, split="train")
    X_test, y_test = aekit.datasets.load(dataset, split="test")
    X, X_test = X.reshape(len(X), -1), X_test.reshape(len(X_test), -1)
    return X[:limit], y[:limit], X_test[:limit], y_test[:limit]


def fit_and_score(model: Pipeline, data: tuple[np.ndarray, ...]) -> tuple[float, float]:
    """Test accuracy and fit seconds of ``model``."""
    X, y, X_test, y_test = data
    start = time.perf_counter()
    model.fit(X, y)
    return model.score(X_test, y_test), time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="digits", help="digits (default), mnist")
    parser.add_argument("--limit", type=int, default=None, help="images per split")
    parser.add_argument("--epochs", type=int, default=20, help="autoencoder epochs")
    parser.add_argument(
        "--batch-size", type=int, default=32, help="small for small data (default 32)"
    )
    parser.add_argument(
        "--code-sizes", type=int, nargs="+", default=[4, 8, 16], metavar="N"
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    warnings.simplefilter("ignore", ConvergenceWarning)  # reported as it is

    data = load(args.dataset, args.limit)
    X, y = data[0], data[1]
    encoder = aekit.AutoEncoder.from_preset(
        "packt-2d",
        epochs=args.epochs,
        batch_size=args.batch_size,
        random_state=args.seed,
    )
    pipeline = Pipeline([("encoder", encoder), ("classifier", classifier())])
    search = GridSearchCV(
        pipeline, {"encoder__code_size": args.code_sizes}, cv=3, scoring="accuracy"
    )
    search.fit(X, y)

    print(f"{args.dataset}: {len(X)} training images, 3-fold cross-validation")
    print(f"{'code size':>9}  {'accuracy':>15}  {'fit s':>6}")
    cv = search.cv_results_
    for i, size in enumerate(cv["param_encoder__code_size"]):
        best = "  <- best" if i == search.best_index_ else ""
        print(
            f"{size:>9}  {cv['mean_test_score'][i]:>7.4f} ± "
            f"{cv['std_test_score'][i]:.4f}  {cv['mean_fit_time'][i]:>6.1f}{best}"
        )

    size = search.best_params_["encoder__code_size"]
    widths = f"{X.shape[1]}-500-{size}"
    rows = {
        f"autoencoder {widths} codes": fit_and_score(search.best_estimator_, data),
        f"PCA, {size} components": fit_and_score(
            Pipeline([("pca", PCA(n_components=size)), ("classifier", classifier())]),
            data,
        ),
        f"raw pixels ({X.shape[1]})": fit_and_score(
            Pipeline([("classifier", classifier())]), data
        ),
    }
    print(f"\nlogistic regression on {len(data[2])} test images")
    print(f"{'features':<30}  {'accuracy':>8}  {'fit s':>6}")
    for name, (accuracy, seconds) in rows.items():
        print(f"{name:<30}  {accuracy:>8.4f}  {seconds:>6.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
