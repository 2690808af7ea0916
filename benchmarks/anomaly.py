"""Anomaly detection on ADBench's tabular datasets (issue 8: ``OutlierDetector``).

The unsupervised protocol of ADBench (Han, Hu, Huang, Jiang & Zhao, "ADBench:
Anomaly Detection Benchmark", NeurIPS 2022): for each dataset and seed, a 70/30
split stratified by the labels (scikit-learn's ``train_test_split``,
``stratify=y``, ``random_state=seed``); every detector is fitted on the training
part *without its labels* (anomalies included) and scores the test part; the
scores are evaluated with ROC-AUC and average precision (AP). Reported: the mean
± standard deviation over seeds per dataset, seconds per fit, and each method's
average rank (rank per dataset by mean ROC-AUC, 1 = best, averaged over datasets).

Datasets, from ``$AEKIT_DATA_DIR/adbench/`` (``NAME.npz`` with ``X`` and ``y``,
copied verbatim from ADBench's ``datasets/Classical``; see the data MANIFEST):

=============  ===================  ========  ========  ==========
name           file                 samples   features  anomalies
=============  ===================  ========  ========  ==========
cardio         6_cardio.npz         1831      21        176 (9.6%)
thyroid        38_thyroid.npz       3772      6         93 (2.5%)
satellite      30_satellite.npz     6435      36        2036 (31.6%)
shuttle        32_shuttle.npz       49097     9         3511 (7.2%)
mammography    23_mammography.npz   11183     6         260 (2.3%)
annthyroid     2_annthyroid.npz     7200      6         534 (7.4%)
pendigits      28_pendigits.npz     6870      16        156 (2.3%)
optdigits      26_optdigits.npz     5216      64        150 (2.9%)
mnist          24_mnist.npz         7603      100       700 (9.2%)
=============  ===================  ========  ========  ==========

By default every one of them whose file exists is used.

Methods, all with their library's defaults (only the seed is set, PyOD's
AutoEncoder's progress bar switched off, and aekit's detectors built with
``constant_columns="ignore"``: ADBench's protocol keeps every feature, as PyOD
does, and optdigits and mnist have columns that are constant in every training
split):

- ``aekit-dense``: ``aekit.OutlierDetector()`` (d-64-k-64-d, 50 epochs);
- ``aekit-vae``: ``aekit.OutlierDetector(model="vae")`` (negative ELBO);
- ``aekit-dense-latent``: ``aekit.OutlierDetector(score="latent-density")``
  (DAGMM's two-stage score: a 4-component Gaussian mixture over the dense
  autoencoder's codes and log reconstruction error). Chosen over three other
  latent scores (a mixture on the VAE's features, isolation forests and k-NN
  distances on either) by mean ROC-AUC on seeds 10-12, splits this benchmark
  (seeds 0-4) does not use;
- ``aekit-ensemble-latent``: ``aekit.OutlierDetector(n_estimators=10,
  max_samples=0.5, score="latent-density", normalize_errors=True,
  model_params={"epochs": 10})``: ten dense autoencoders (RandNet's subsampled
  ensemble, Chen et al., SDM 2017), each on half of the training rows, each
  scored by the latent density of its code and its normalised reconstruction
  error, standardised scores averaged. The best mean ROC-AUC over the nine
  datasets on seeds 10-12 among the first ``CANDIDATES``; the first eight were
  compared in::

      python benchmarks/anomaly.py --first-seed 10 --seeds 3 \\
          --methods cand-1-norm cand-1-quantile-norm cand-ens cand-ens-norm \\
          cand-ens-quantile cand-ens-quantile-norm cand-ens-latent \\
          cand-ens-quantile-latent --results-name anomaly-selection

  and two variants afterwards, with Isolation Forest on the same splits
  (``cand-ens-latent-norm``, 0.842 there, replaced ``cand-ens-latent``,
  0.829)::

      python benchmarks/anomaly.py --first-seed 10 --seeds 3 \\
          --methods cand-ens-latent cand-ens-latent-norm cand-ens-latent-code2 \\
          pyod-iforest --results-name anomaly-followup

- ``aekit-ensemble``: ``aekit.experiments.adbench.ENSEMBLE``, the same
  ensemble with ``score="trimmed-density"`` (two mixtures fitted by trimmed
  likelihood), ``feature_bagging=True`` (each member on its own random subset
  of the features) and ``trim_fraction=0.1`` (each member trained again
  without the 10 % of its rows its first fit finds least likely); see
  docs/decisions/0008-outlier-detector.md. Found on seeds 10-12 by a search
  outside this repository; its final comparison on those seeds, against the
  previous setting and with one or two of the options off::

      python benchmarks/anomaly.py --first-seed 10 --seeds 3 \\
          --methods cand-ens-latent-norm cand-ens-trimmed cand-ens-trimmed-refit \\
          cand-ens-latent-fb-refit cand-ens-trimmed-fb-refit pyod-iforest \\
          --results-name anomaly-selection2

- ``pyod-ae``: PyOD's ``AutoEncoder`` (torch, [64, 32] with batch norm and
  dropout, 10 epochs);
- ``pyod-iforest``: PyOD's ``IForest`` (wraps scikit-learn's);
- ``pyod-pca``: PyOD's ``PCA`` (Shyu et al. 2003: weighted distance to the
  principal components, standardised features);
- ``sklearn-iforest``: scikit-learn's ``IsolationForest``, score =
  ``-score_samples``.

A method that fails on a dataset (or is not installed, like PyOD when it is
missing) is reported as an error for that dataset; the rest of the run goes on.

Prints JSON, writes ``benchmarks/results/anomaly.json`` and ``anomaly.md``.

    python benchmarks/anomaly.py                    # 9 datasets x 5 seeds x 9 methods
    python benchmarks/anomaly.py --datasets cardio thyroid --seeds 1 --limit 1000 \\
        --no-write                                  # smoke run, under a minute
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import sklearn
from scipy.stats import rankdata
from sklearn.ensemble import IsolationForest

import aekit
from _common import emit, hardware
from aekit.experiments.adbench import DATASETS as ADBENCH_FILES
from aekit.experiments.adbench import ENSEMBLE as ADBENCH_ENSEMBLE
from aekit.experiments.adbench import (
    TEST_SIZE,
    available_datasets,
    load_dataset,
    score_metrics,
    split,
)

#: Short name -> file name in ``<data dir>/adbench/`` (one list, shared with
#: ``aekit reproduce anomaly-adbench``).
DATASETS = ADBENCH_FILES


@dataclass(frozen=True)
class Method:
    """A detector: how to build it for a seed, and how to score with it."""

    label: str
    package: str  # the module that must be importable
    build: Callable[[int], Any]
    #: Outlier scores of the fitted detector (higher = more abnormal).
    score: Callable[[Any, np.ndarray], np.ndarray]


def _decision(detector: Any, X: np.ndarray) -> np.ndarray:
    return np.asarray(detector.decision_function(X), dtype=np.float64)


def _negated_score_samples(detector: Any, X: np.ndarray) -> np.ndarray:
    return -np.asarray(detector.score_samples(X), dtype=np.float64)


def _aekit(**params: Any) -> Callable[[int], Any]:
    """An ``aekit.OutlierDetector`` with ``params``, seeded, constant columns kept."""

    def build(seed: int) -> Any:
        return aekit.OutlierDetector(
            random_state=seed, constant_columns=CONSTANT_COLUMNS, **params
        )

    return build


def _pyod(module: str, cls: str, **params: Any) -> Callable[[int], Any]:
    def build(seed: int) -> Any:
        return getattr(importlib.import_module(module), cls)(
            random_state=seed, **params
        )

    return build


#: ADBench's protocol keeps every feature, as PyOD does: optdigits and mnist have
#: columns that are constant in every training split (2 and 23-27 of them), which
#: aekit's detector refuses by default. "ignore" keeps them (centred, adding next
#: to nothing to the score), so the results are those of the earlier runs.
CONSTANT_COLUMNS = "ignore"


#: Candidate settings of the detector, compared on seeds 10-12 (``--first-seed
#: 10 --seeds 3``), splits that the reported run (seeds 0-4) does not use; the
#: best mean ROC-AUC over the nine datasets became ``aekit-ensemble``. Every one
#: uses the dense detector's default network (d-64-k-64-d) with 10 epochs per
#: autoencoder (PyOD's AutoEncoder's default); ensembles have 10 members, each
#: trained on half of the training rows.
_SHORT = {"model_params": {"epochs": 10}}
_ENS = {"n_estimators": 10, "max_samples": 0.5, **_SHORT}
CANDIDATES: dict[str, dict[str, Any]] = {
    "cand-1-norm": {"normalize_errors": True, **_SHORT},
    "cand-1-quantile-norm": {
        "normalize_errors": True,
        "standardize": "quantile",
        **_SHORT,
    },
    "cand-ens": {**_ENS},
    "cand-ens-norm": {"normalize_errors": True, **_ENS},
    "cand-ens-quantile": {"standardize": "quantile", **_ENS},
    "cand-ens-quantile-norm": {
        "normalize_errors": True,
        "standardize": "quantile",
        **_ENS,
    },
    "cand-ens-latent": {"score": "latent-density", **_ENS},
    "cand-ens-quantile-latent": {
        "score": "latent-density",
        "standardize": "quantile",
        **_ENS,
    },
    # Tried after the selection, against Isolation Forest on the same seeds
    # (results/anomaly-followup.md): the latent density of normalised errors,
    # and of a 2-unit code (on optdigits, where every detector with the default
    # 16-unit code is far below Isolation Forest, a narrower bottleneck might
    # leave the anomalous digits less well reconstructed).
    # The setting chosen then: _ENS + latent density + normalised errors.
    "cand-ens-latent-norm": {
        "score": "latent-density",
        "normalize_errors": True,
        **_ENS,
    },
    "cand-ens-latent-code2": {
        "score": "latent-density",
        **_ENS,
        "model_params": {"epochs": 10, "code_size": 2},
    },
    # The second round (results/anomaly-selection2.md), against the setting
    # above: the trimmed-likelihood mixtures (score="trimmed-density") alone,
    # with the trimmed refit, the refit and feature bagging without them, and
    # all three.
    "cand-ens-trimmed": {"score": "trimmed-density", "normalize_errors": True, **_ENS},
    "cand-ens-trimmed-refit": {
        "score": "trimmed-density",
        "normalize_errors": True,
        "trim_fraction": 0.1,
        **_ENS,
    },
    "cand-ens-latent-fb-refit": {
        "score": "latent-density",
        "normalize_errors": True,
        "feature_bagging": True,
        "trim_fraction": 0.1,
        **_ENS,
    },
    # The setting chosen (aekit.experiments.adbench.ENSEMBLE, shared with
    # ``aekit reproduce anomaly-adbench``): all three.
    "cand-ens-trimmed-fb-refit": ADBENCH_ENSEMBLE,
}

#: The selected candidate ("cand-ens-trimmed-fb-refit"; see the docstring):
#: ten dense autoencoders, 10 epochs each on half of the training rows and a
#: random subset of the features, each trained again without the 10 % of its
#: rows it finds least likely, and scored by two trimmed-likelihood mixtures of
#: its code and normalised error; standardised scores averaged.
ENSEMBLE = CANDIDATES["cand-ens-trimmed-fb-refit"]

METHODS: dict[str, Method] = {
    "aekit-dense": Method(
        "aekit OutlierDetector (dense)",
        "aekit",
        lambda seed: aekit.OutlierDetector(
            random_state=seed, constant_columns=CONSTANT_COLUMNS
        ),
        _decision,
    ),
    "aekit-vae": Method(
        "aekit OutlierDetector (vae)",
        "aekit",
        lambda seed: aekit.OutlierDetector(
            model="vae", random_state=seed, constant_columns=CONSTANT_COLUMNS
        ),
        _decision,
    ),
    "aekit-dense-latent": Method(
        "aekit OutlierDetector (dense, latent density)",
        "aekit",
        lambda seed: aekit.OutlierDetector(
            score="latent-density", random_state=seed, constant_columns=CONSTANT_COLUMNS
        ),
        _decision,
    ),
    "aekit-ensemble-latent": Method(
        "aekit OutlierDetector (ensemble of 10, latent density, normalised errors)",
        "aekit",
        _aekit(**CANDIDATES["cand-ens-latent-norm"]),
        _decision,
    ),
    "aekit-ensemble": Method(
        "aekit OutlierDetector (ensemble of 10, trimmed density, feature bagging, "
        "trimmed refit)",
        "aekit",
        _aekit(**ENSEMBLE),
        _decision,
    ),
    "pyod-ae": Method(
        "PyOD AutoEncoder",
        "pyod",
        _pyod("pyod.models.auto_encoder", "AutoEncoder", verbose=0),
        _decision,
    ),
    "pyod-iforest": Method(
        "PyOD IForest", "pyod", _pyod("pyod.models.iforest", "IForest"), _decision
    ),
    "pyod-pca": Method("PyOD PCA", "pyod", _pyod("pyod.models.pca", "PCA"), _decision),
    "sklearn-iforest": Method(
        "scikit-learn IsolationForest",
        "sklearn",
        lambda seed: IsolationForest(random_state=seed),
        _negated_score_samples,
    ),
}
#: The reported table's methods (the candidates run on request only).
DEFAULT_METHODS = list(METHODS)
METHODS.update(
    {
        key: Method(f"aekit {key}", "aekit", _aekit(**params), _decision)
        for key, params in CANDIDATES.items()
    }
)


# ------------------------------------------------------------------- running
def _error(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}".rstrip(": ")


def run_once(
    method: Method,
    seed: int,
    X_train: np.ndarray,
    X_test: np.ndarray,
    y_test: np.ndarray,
) -> dict[str, Any]:
    """Fit on ``X_train`` (no labels), score ``X_test``; metrics and fit seconds."""
    detector = method.build(seed)
    start = time.perf_counter()
    detector.fit(X_train)
    seconds = time.perf_counter() - start
    scores = method.score(detector, X_test)
    return {
        "seed": seed,
        **score_metrics(y_test, scores),
        "fit_seconds": seconds,
    }


def warm_up(methods: list[str]) -> None:
    """Fit each method once on tiny data, untimed.

    One-off start-up costs (torch's first forward and optimiser step, lazy
    imports) would otherwise land in the first dataset's seconds per fit.
    Failures are ignored here: the timed runs report them.
    """
    X = np.random.default_rng(0).normal(size=(64, 4))
    for key in methods:
        try:
            METHODS[key].build(0).fit(X)
        except Exception:  # reported, if real, by the timed runs
            continue


def _std(values: list[float]) -> float:
    return float(np.std(values, ddof=1)) if len(values) > 1 else 0.0


def summarize(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Mean ± std over the successful seeds; the errors of the others."""
    ok = [r for r in runs if "error" not in r]
    out: dict[str, Any] = {"runs": runs, "n_ok": len(ok)}
    errors = sorted({r["error"] for r in runs if "error" in r})
    if errors:
        out["errors"] = errors
    if ok:
        for key in ("roc_auc", "average_precision", "fit_seconds"):
            values = [r[key] for r in ok]
            out[f"{key}_mean"] = float(np.mean(values))
            out[f"{key}_std"] = _std(values)
    return out


def run_dataset(
    name: str, methods: list[str], seeds: list[int], args: argparse.Namespace
) -> dict[str, Any]:
    """Every method on every seed's split of one dataset."""
    try:
        X, y = load_dataset(name, args.limit)
        splits = [split(X, y, seed) for seed in seeds]
        if any(len(np.unique(split[3])) < 2 for split in splits):
            raise ValueError(
                f"a test split of {name} lacks inliers or anomalies "
                f"({int(y.sum())} anomalies in {len(y)} samples); raise --limit"
            )
    except Exception as exc:  # a missing or unreadable file, too few anomalies
        print(f"[{name}] failed: {_error(exc)}", file=sys.stderr, flush=True)
        return {"error": _error(exc)}
    n_train = len(splits[0][0])
    out: dict[str, Any] = {
        "file": DATASETS[name],
        "n_samples": len(X),
        "n_features": int(X.shape[1]),
        "n_anomalies": int(y.sum()),
        "n_train": n_train,
        "n_test": len(X) - n_train,
        "methods": {},
    }
    for key in methods:
        method = METHODS[key]
        if importlib.util.find_spec(method.package) is None:
            out["methods"][key] = {"n_ok": 0, "errors": ["not installed"], "runs": []}
            continue
        runs = []
        for seed, (X_train, X_test, _, y_test) in zip(seeds, splits, strict=True):
            try:
                runs.append(run_once(method, seed, X_train, X_test, y_test))
            except Exception as exc:  # one failure must not end the run
                runs.append({"seed": seed, "error": _error(exc)})
        out["methods"][key] = summary = summarize(runs)
        if args.verbose or summary["n_ok"] < len(seeds):
            what = (
                f"ROC-AUC {summary['roc_auc_mean']:.3f}, "
                f"{summary['fit_seconds_mean']:.2f} s/fit"
                if summary["n_ok"]
                else "failed"
            )
            print(f"[{name}] {key}: {what}", file=sys.stderr, flush=True)
    print(f"[{name}] done", file=sys.stderr, flush=True)
    return out


def average_ranks(datasets: dict[str, Any], methods: list[str]) -> dict[str, Any]:
    """Average rank by mean ROC-AUC (1 = best; ties share their mean rank).

    A method that failed on a dataset shares the last ranks there: with library
    defaults, failing is a result too. Methods with no result on any dataset
    (not installed, or failing everywhere) are left out of the ranking.
    """
    results = {d: row["methods"] for d, row in datasets.items() if "methods" in row}
    ranked = [m for m in methods if any(r[m]["n_ok"] for r in results.values())]
    per_dataset: dict[str, dict[str, float]] = {}
    for d, row in results.items():
        auc = [row[m]["roc_auc_mean"] if row[m]["n_ok"] else -np.inf for m in ranked]
        ranks = rankdata(-np.asarray(auc)).tolist()
        per_dataset[d] = dict(zip(ranked, ranks, strict=True))
    average = {
        m: float(np.mean([ranks[m] for ranks in per_dataset.values()]))
        for m in ranked
        if per_dataset
    }
    failed = {d: [m for m in ranked if not results[d][m]["n_ok"]] for d in per_dataset}
    # Mean ROC-AUC over the datasets, for the methods that ran on all of them.
    mean_auc = {
        m: float(np.mean([results[d][m]["roc_auc_mean"] for d in per_dataset]))
        for m in ranked
        if all(results[d][m]["n_ok"] for d in per_dataset)
    }
    return {
        "average": average,
        "mean_roc_auc": mean_auc,
        "datasets": list(per_dataset),
        "failed_ranked_last": {d: ms for d, ms in failed.items() if ms},
        "per_dataset": per_dataset,
    }


# ------------------------------------------------------------------- report
def _hardware(hw: dict[str, Any]) -> str:
    device = f"GPU {hw['cuda']}" if hw["cuda"] else "CPU only"
    return f"{hw['cpus']} CPUs, torch {hw['torch']}, {device}"


def _cell(summary: dict[str, Any], key: str, digits: int = 3) -> str:
    if not summary.get("n_ok"):
        errors = summary.get("errors", ["error"])
        return "not installed" if errors == ["not installed"] else "error"
    text = f"{summary[f'{key}_mean']:.{digits}f}"
    n_runs = len(summary["runs"])
    if n_runs > 1:
        text += f" ± {summary[f'{key}_std']:.{digits}f}"
    # Some seeds failed: say on how many the mean is.
    return text if summary["n_ok"] == n_runs else f"{text} ({summary['n_ok']}/{n_runs})"


def markdown(result: dict[str, Any]) -> str:
    """README-ready tables: ROC-AUC (+ average rank), AP, seconds per fit."""
    cfg, methods = result["config"], result["config"]["methods"]
    datasets = result["datasets"]
    labels = [METHODS[m].label for m in methods]
    versions = result["versions"]
    lines = [
        f"ADBench protocol (Han et al., NeurIPS 2022): 70/30 split stratified by "
        f"label, unsupervised fit on the training part, scores on the test part; "
        f"mean ± std over {len(cfg['seeds'])} seed(s) "
        f"({', '.join(map(str, cfg['seeds']))}). Library defaults. "
        f"aekit {versions['aekit']}, PyOD {versions['pyod']}, scikit-learn "
        f"{versions['sklearn']}; {_hardware(result['hardware'])}."
        + (
            f" Datasets subsampled to at most {cfg['limit']} rows."
            if cfg["limit"]
            else ""
        ),
        "",
    ]
    header = "| dataset (n, d, % anomalies) |" + "".join(f" {x} |" for x in labels)
    rule = "|---|" + "---:|" * len(methods)

    def info(name: str) -> str:
        row = datasets[name]
        if "error" in row:
            return name
        rate = 100.0 * row["n_anomalies"] / row["n_samples"]
        return f"{name} ({row['n_samples']}, {row['n_features']}, {rate:.1f}%)"

    def table(title: str, key: str, digits: int, bold_best: bool) -> list[str]:
        out = [f"**{title}**", "", header, rule]
        for name, row in datasets.items():
            if "error" in row:
                out.append(f"| {name} |" + " dataset failed |" * len(methods))
                continue
            summaries = [row["methods"][m] for m in methods]
            cells = [_cell(s, key, digits) for s in summaries]
            if bold_best:
                means = [
                    s[f"{key}_mean"] if s.get("n_ok") else -np.inf for s in summaries
                ]
                best = max(means)
                cells = [
                    f"**{c}**" if m == best and np.isfinite(m) else c
                    for c, m in zip(cells, means, strict=True)
                ]
            out.append(f"| {info(name)} |" + "".join(f" {c} |" for c in cells))
        return out

    lines += table("ROC-AUC", "roc_auc", 3, True)
    ranks = result["ranks"]
    for label, key, digits in (
        ("average rank (by ROC-AUC)", "average", 2),
        ("mean ROC-AUC over the datasets", "mean_roc_auc", 3),
    ):
        values = ranks[key]
        lines.append(
            f"| {label} |"
            + "".join(
                f" {values[m]:.{digits}f} |" if values.get(m) is not None else " – |"
                for m in methods
            )
        )
    lines += ["", *table("Average precision", "average_precision", 3, True)]
    lines += ["", *table("Seconds per fit", "fit_seconds", 2, False)]
    notes = [
        f"Average rank over {len(ranks['datasets'])} dataset(s): 1 = best mean "
        "ROC-AUC on a dataset, ties share their mean rank; a method that failed "
        "on a dataset shares the last ranks there. Mean ROC-AUC: the mean of the "
        "per-dataset means, for the methods that ran on every dataset (– for "
        "the others).",
        "Seconds per fit: wall-clock time of `fit` on the training part (70% of "
        "the rows), after one untimed warm-up fit of each method.",
    ]
    for name, row in datasets.items():
        if "error" in row:
            notes.append(f"{name}: {row['error']}")
        for m, s in row.get("methods", {}).items():
            for error in s.get("errors", []):
                if error != "not installed":
                    notes.append(f"{METHODS[m].label} on {name}: {error}")
    lines += ["", *(f"- {note}" for note in notes)]
    return "\n".join(lines) + "\n"


def _version(package: str) -> str:
    try:
        return str(importlib.import_module(package).__version__)
    except Exception:  # not installed, or broken
        return "not installed"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--datasets",
        nargs="+",
        choices=list(DATASETS),
        default=None,
        metavar="NAME",
        help="datasets to run (default: every one whose file exists): "
        + ", ".join(DATASETS),
    )
    parser.add_argument(
        "--seeds",
        type=int,
        default=5,
        metavar="N",
        help="number of seeds, 0..N-1: one split and one fit each (default 5)",
    )
    parser.add_argument(
        "--methods",
        nargs="+",
        choices=list(METHODS),
        default=DEFAULT_METHODS,
        metavar="NAME",
        help="methods to run (default: all but the candidates): " + ", ".join(METHODS),
    )
    parser.add_argument(
        "--first-seed",
        type=int,
        default=0,
        metavar="S",
        help="seeds S..S+N-1 (default 0; the selection of the ensemble used 10)",
    )
    parser.add_argument(
        "--results-name",
        default="anomaly",
        metavar="NAME",
        help="write benchmarks/results/NAME.json and NAME.md (default anomaly)",
    )
    parser.add_argument(
        "--limit",
        type=int,
        default=None,
        metavar="N",
        help="subsample each dataset to at most N rows, stratified (smoke runs)",
    )
    parser.add_argument("--verbose", type=int, default=0)
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be >= 1, got {args.seeds}")
    if args.limit is not None and args.limit < 10:
        parser.error(f"--limit must be >= 10, got {args.limit}")

    names = args.datasets or available_datasets()
    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    config = {
        "datasets": names,
        "seeds": seeds,
        "methods": args.methods,
        "limit": args.limit,
        "test_size": TEST_SIZE,
    }
    warm_up(args.methods)
    result: dict[str, Any] = {
        "benchmark": "anomaly",
        "config": config,
        "hardware": hardware(),
        "versions": {
            "aekit": aekit.__version__,
            "pyod": _version("pyod"),
            "sklearn": sklearn.__version__,
        },
        "datasets": {
            name: run_dataset(name, args.methods, seeds, args) for name in names
        },
    }
    result["ranks"] = average_ranks(result["datasets"], args.methods)
    emit(args.results_name, result, markdown, write=not args.no_write)
    return result


if __name__ == "__main__":
    main()
