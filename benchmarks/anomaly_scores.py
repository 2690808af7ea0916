"""Other outlier scores from a fitted latent-density ensemble, against Isolation Forest.

``benchmarks/anomaly.py`` reports one score per aekit detector. This script asks
whether another way of reading the *same* fitted autoencoders would close the
gap to Isolation Forest on ADBench. Per dataset and seed (ADBench's 70/30
split), it fits the benchmark's ``aekit-ensemble-latent`` once (the
``cand-ens-latent-norm`` candidate, the benchmark's ensemble when this study was
run: ten dense autoencoders on random halves of the rows, normalised errors, 10
epochs each; the trimmed-density ensemble that replaced it came after)
and scores the test part in several ways that reuse its members. For each
member, the score of each training sample is standardised by the median and
IQR / 1.349 of the member's training scores, and the members are averaged
(the mixtures below are fitted on the whole training part):

- ``latent-density``: the detector's own ``decision_function`` (DAGMM's
  mixture over the code and the log normalised error, Zong et al., ICLR 2018);
- ``mean-error``: the mean normalised squared error over the features;
- ``max-error`` and ``top3-error``: the largest one, and the sum of the three
  largest. An anomaly that is extreme in one feature should stand out there,
  as one split of an isolation tree isolates it;
- ``latent-density-8``: the detector's mixture with 8 components instead
  of 4;
- ``latent-density-max``: its mixture over the code, the log mean error and
  the log max error;
- ``knn-code``: the mean distance to the 10 nearest training codes
  (standardised code space).

scikit-learn's ``IsolationForest`` runs on the same splits. These splits are
seeds 10–12 by default, the ones the ensemble was chosen on; the benchmark
reports seeds 0–4. Prints JSON; writes ``benchmarks/results/anomaly-scores.json``
and ``.md``::

    python benchmarks/anomaly_scores.py      # 9 sets x 3 seeds, ~15 min on one core
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.neighbors import NearestNeighbors

import aekit
from _common import emit, hardware
from aekit.estimators.outlier import (
    _robust_location_scale,
    fit_mixture,
    latent_features,
    mixture_scores,
)
from aekit.experiments.adbench import (
    available_datasets,
    load_dataset,
    score_metrics,
    split,
)
from anomaly import CANDIDATES, CONSTANT_COLUMNS, DATASETS

#: The ensemble studied: every member sees all features, so its error parts and
#: latent features are those of the whole training part.
ENSEMBLE = CANDIDATES["cand-ens-latent-norm"]

SCORES = (
    "latent-density",
    "mean-error",
    "max-error",
    "top3-error",
    "latent-density-8",
    "latent-density-max",
    "knn-code",
)


def _standardise(train: np.ndarray, test: np.ndarray) -> np.ndarray:
    """``test`` in units of ``train``'s median and IQR / 1.349, as the detector
    standardises its members."""
    center, scale = _robust_location_scale(train)
    return np.asarray((test - center) / scale)


def _density(
    n_components: int, seed: int, train: np.ndarray, test: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Negative log-density under a mixture fitted on ``train`` as the detector
    fits its own (:func:`fit_mixture`)."""
    fitted = fit_mixture(train, n_components, seed)
    return mixture_scores(fitted, train), mixture_scores(fitted, test)


def _knn(train: np.ndarray, test: np.ndarray, k: int = 10) -> tuple[Any, Any]:
    """Mean distance to the ``k`` nearest training rows (a row is not its own),
    in standardised coordinates."""
    mean, std = train.mean(axis=0), train.std(axis=0)
    std[std <= 1e-12] = 1.0
    a, b = (train - mean) / std, (test - mean) / std
    nn = NearestNeighbors(n_neighbors=k + 1).fit(a)
    return nn.kneighbors(a)[0][:, 1:].mean(axis=1), nn.kneighbors(b, k)[0].mean(axis=1)


def member_scores(
    detector: Any, index: int, X_train: np.ndarray, X_test: np.ndarray
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """(training, test) scores of member ``index`` for the alternative scores.

    The mixtures are the detector's own (``latent_features``, ``fit_mixture``),
    fitted on the whole training part rather than the member's half.
    """
    Z_train, Z_test = detector._prepared(X_train), detector._prepared(X_test)
    e_train = detector._error_parts(index, Z_train)
    e_test = detector._error_parts(index, Z_test)
    member = detector.backbones_[index]
    f_train = latent_features(member, Z_train, e_train.sum(axis=1), base_is_log=False)
    f_test = latent_features(member, Z_test, e_test.sum(axis=1), base_is_log=False)

    def with_max(features: np.ndarray, errors: np.ndarray) -> np.ndarray:
        return np.column_stack([features, np.log1p(errors.max(axis=1))])

    top = min(3, e_train.shape[1])
    # The detector's mixture seed (its random_state, an int here).
    k, seed = detector.n_components, detector.random_state
    return {
        "mean-error": (e_train.sum(axis=1), e_test.sum(axis=1)),
        "max-error": (e_train.max(axis=1), e_test.max(axis=1)),
        "top3-error": (
            -np.sort(-e_train, axis=1)[:, :top].sum(axis=1),
            -np.sort(-e_test, axis=1)[:, :top].sum(axis=1),
        ),
        "latent-density-8": _density(8, seed, f_train, f_test),
        "latent-density-max": _density(
            k, seed, with_max(f_train, e_train), with_max(f_test, e_test)
        ),
        # The codes: the latent features but their last column (the error).
        "knn-code": _knn(f_train[:, :-1], f_test[:, :-1]),
    }


def run_split(
    X_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, seed: int
) -> dict[str, float]:
    """ROC-AUC of every score, and of Isolation Forest, on one split."""
    detector = aekit.OutlierDetector(
        random_state=seed, constant_columns=CONSTANT_COLUMNS, **ENSEMBLE
    ).fit(X_train)
    averaged: dict[str, list[np.ndarray]] = {}
    for index in range(len(detector.backbones_)):
        for key, (train, test) in member_scores(
            detector, index, X_train, X_test
        ).items():
            averaged.setdefault(key, []).append(_standardise(train, test))
    scores: dict[str, np.ndarray] = {
        "latent-density": detector.decision_function(X_test),
        **{key: np.mean(parts, axis=0) for key, parts in averaged.items()},
    }
    forest = IsolationForest(random_state=seed).fit(X_train)
    scores["IsolationForest"] = -forest.score_samples(X_test)
    return {
        key: score_metrics(y_test, values)["roc_auc"] for key, values in scores.items()
    }


def markdown(result: dict[str, Any]) -> str:
    columns = [*SCORES, "IsolationForest"]
    seeds = ", ".join(map(str, result["seeds"]))
    lines = [
        "ROC-AUC of other scores read from the benchmark's fitted latent-density "
        "ensemble (`aekit-ensemble-latent`), mean ± std over seeds "
        f"{seeds} (ADBench's 70/30 split); each member's scores standardised by "
        "their training median and IQR, members averaged. "
        f"`python benchmarks/anomaly_scores.py`; {result['hardware']['cpus']} CPUs, "
        f"torch {result['hardware']['torch']}.",
        "",
        "| dataset | " + " | ".join(columns) + " |",
        "|---|" + "---:|" * len(columns),
    ]
    means: dict[str, list[float]] = {c: [] for c in columns}
    for name, row in result["datasets"].items():
        cells = []
        for column in columns:
            values = [run[column] for run in row]
            means[column].append(float(np.mean(values)))
            cells.append(f"{np.mean(values):.3f} ± {np.std(values):.3f}")
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    lines.append(
        "| mean over the datasets | "
        + " | ".join(f"{np.mean(means[c]):.3f}" for c in columns)
        + " |"
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", choices=list(DATASETS))
    parser.add_argument("--first-seed", type=int, default=10)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--limit", type=int, default=None, help="rows per dataset")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    names = args.datasets or available_datasets()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    datasets: dict[str, list[dict[str, float]]] = {}
    for name in names:
        X, y = load_dataset(name, args.limit)
        datasets[name] = []
        for seed in seeds:
            X_train, X_test, _, y_test = split(X, y, seed)
            datasets[name].append(run_split(X_train, X_test, y_test, seed))
        print(f"[{name}] done", file=sys.stderr, flush=True)
    result = {
        "benchmark": "anomaly-scores",
        "seeds": seeds,
        "ensemble": ENSEMBLE,
        "datasets": datasets,
        "hardware": hardware(),
    }
    return emit("anomaly-scores", result, markdown, write=not args.no_write)


if __name__ == "__main__":
    start = time.perf_counter()
    main()
    print(f"[anomaly-scores] {time.perf_counter() - start:.0f} s", file=sys.stderr)
