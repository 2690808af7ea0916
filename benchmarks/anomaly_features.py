"""How much of each ADBench set's anomalies one feature gives away.

A diagnostic for ``benchmarks/anomaly.py``'s table, which names the sets where
the autoencoder ensemble loses to Isolation Forest. An isolation tree isolates
a point with axis-parallel splits, one feature at a time; an autoencoder scores
it through a code and a reconstruction that mix all features. Where a single
feature's extreme values alone mark the anomalies, the first has the easier
task. Per dataset and seed (ADBench's 70/30 split, seeds 0-4 as in the table),
with each feature standardised by the training part's mean and standard
deviation:

- ``best-feature``: the ROC-AUC on the test part of ``|z_j|`` for the single
  feature j that gives the highest one. An *oracle*: the feature is picked with
  the test labels, so it is an upper bound on what one feature says, not a
  detector;
- ``max-abs-z``: the ROC-AUC of ``max_j |z_j|``, the most extreme feature of
  each sample: a label-free detector built on the same idea;
- ``IsolationForest``: scikit-learn's, ``-score_samples``, on the same splits.

No network is trained; the run takes seconds. Prints JSON; writes
``benchmarks/results/anomaly-features.json`` and ``.md``::

    python benchmarks/anomaly_features.py
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np
from sklearn.ensemble import IsolationForest
from sklearn.metrics import roc_auc_score

from _common import emit, hardware
from aekit.experiments.adbench import available_datasets, load_dataset, split

COLUMNS = ("best-feature", "max-abs-z", "IsolationForest")


def run_split(
    X_train: np.ndarray, X_test: np.ndarray, y_test: np.ndarray, seed: int
) -> dict[str, Any]:
    """The three ROC-AUCs on one split, and which feature was the best."""
    mean, std = X_train.mean(axis=0), X_train.std(axis=0)
    std[std <= 1e-12] = 1.0  # a constant column: |z| is its distance from the mean
    z = np.abs((X_test - mean) / std)
    per_feature = np.array([roc_auc_score(y_test, z[:, j]) for j in range(z.shape[1])])
    forest = IsolationForest(random_state=seed).fit(X_train)
    return {
        "best-feature": float(per_feature.max()),
        "best-feature-index": int(per_feature.argmax()),
        "max-abs-z": float(roc_auc_score(y_test, z.max(axis=1))),
        "IsolationForest": float(roc_auc_score(y_test, -forest.score_samples(X_test))),
    }


def markdown(result: dict[str, Any]) -> str:
    seeds = ", ".join(map(str, result["seeds"]))
    lines = [
        "ROC-AUC of one feature's |z| (the best one, picked with the test labels: "
        "an oracle), of the most extreme feature per sample (max |z|, label-free) "
        f"and of Isolation Forest; mean over seeds {seeds} (ADBench's 70/30 split). "
        "`python benchmarks/anomaly_features.py`.",
        "",
        "| dataset | " + " | ".join(COLUMNS) + " | best feature (index per seed) |",
        "|---|" + "---:|" * len(COLUMNS) + "---|",
    ]
    for name, runs in result["datasets"].items():
        cells = [f"{np.mean([r[c] for r in runs]):.3f}" for c in COLUMNS]
        where = ", ".join(str(r["best-feature-index"]) for r in runs)
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {where} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", nargs="+", default=None)
    parser.add_argument("--first-seed", type=int, default=0)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    datasets: dict[str, list[dict[str, Any]]] = {}
    for name in args.datasets or available_datasets():
        X, y = load_dataset(name)
        datasets[name] = []
        for seed in seeds:
            X_train, X_test, _, y_test = split(X, y, seed)
            datasets[name].append(run_split(X_train, X_test, y_test, seed))
    result = {
        "benchmark": "anomaly-features",
        "seeds": seeds,
        "datasets": datasets,
        "hardware": hardware(),
    }
    return emit("anomaly-features", result, markdown, write=not args.no_write)


if __name__ == "__main__":
    main()
