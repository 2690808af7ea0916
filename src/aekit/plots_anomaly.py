"""Figures for :class:`aekit.OutlierDetector`; each function returns a ``Figure``.

Built with matplotlib's object-oriented API, like :mod:`aekit.plots` (no pyplot
state, no ``show``): save them with ``fig.savefig(path)``. The metrics are
scikit-learn's, the ones ADBench reports (Han et al., "ADBench: Anomaly Detection
Benchmark", NeurIPS 2022): ROC-AUC and average precision.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure
from sklearn.metrics import (
    average_precision_score,
    precision_recall_curve,
    roc_auc_score,
    roc_curve,
)
from sklearn.utils.validation import check_is_fitted

from .exceptions import DataError

_INLIER_COLOUR = "tab:blue"
_OUTLIER_COLOUR = "tab:red"


def _check_labels(y: Any, n_samples: int, *, both_classes: bool) -> np.ndarray:
    """``y`` as an int array of 0 (inlier) / 1 (outlier), one per sample."""
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.shape[0] != n_samples:
        raise DataError(
            f"y must hold one label per sample of X: shape ({n_samples},) expected, "
            f"got {labels.shape}"
        )
    values = set(np.unique(labels).tolist())
    if not values <= {0, 1}:
        raise DataError(
            "y must hold 0 (inlier) and 1 (outlier) labels, got values "
            f"{sorted(values, key=str)[:5]}"
        )
    if both_classes and values != {0, 1}:
        raise DataError(
            "ROC and precision-recall curves need both inliers (0) and outliers "
            f"(1) in y; it holds only {sorted(values)}"
        )
    return labels.astype(np.int64)


def score_histogram(
    detector: Any,
    X: Any,
    y: Any = None,
    *,
    bins: int = 50,
    log: bool = False,
) -> Figure:
    """Histogram of the outlier scores of ``X``, with the detector's threshold.

    Parameters
    ----------
    detector : aekit.OutlierDetector
        A fitted detector.
    X : array-like
        Samples shaped like the detector's training data.
    y : array-like of shape (n_samples,) or None
        Optional true labels (0 inlier, 1 outlier): inliers and outliers are then
        drawn as two colours over the same bins.
    bins : int, default=50
        Number of bins.
    log : bool, default=False
        Logarithmic count axis (rare outliers stay visible next to the bulk).

    Returns
    -------
    matplotlib.figure.Figure
        One axes; a dashed vertical line marks ``threshold_``.
    """
    check_is_fitted(detector, "threshold_")
    scores = detector.decision_function(X)
    threshold = float(detector.threshold_)
    edges = np.histogram_bin_edges(np.append(scores, threshold), bins=bins).tolist()
    fig = Figure(figsize=(6.4, 4.0), layout="constrained")
    ax = fig.add_subplot()
    if y is None:
        ax.hist(scores, bins=edges, color="tab:gray", label=f"samples ({len(scores)})")
    else:
        labels = _check_labels(y, len(scores), both_classes=False)
        for value, name, colour in (
            (0, "inliers", _INLIER_COLOUR),
            (1, "outliers", _OUTLIER_COLOUR),
        ):
            group = scores[labels == value]
            ax.hist(
                group,
                bins=edges,
                color=colour,
                alpha=0.6,
                label=f"{name} ({len(group)})",
            )
    flagged = int(np.sum(scores > threshold))
    ax.axvline(
        threshold,
        color="black",
        linestyle="--",
        label=f"threshold {threshold:.4g} ({flagged} above)",
    )
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("outlier score (higher = more abnormal)")
    ax.set_ylabel("samples")
    ax.set_title("Outlier scores")
    ax.legend()
    return fig


def roc_pr_curves(detector: Any, X: Any, y: Any) -> Figure:
    """ROC curve (with ROC-AUC) and precision-recall curve (with average precision).

    Parameters
    ----------
    detector : aekit.OutlierDetector
        A fitted detector.
    X : array-like
        Labelled samples shaped like the detector's training data.
    y : array-like of shape (n_samples,)
        True labels: 0 inlier, 1 outlier; both must occur.

    Returns
    -------
    matplotlib.figure.Figure
        Two axes: the ROC curve against the chance diagonal, and the
        precision-recall curve against the chance level (the outlier fraction).
        The legends give ``roc_auc_score`` and ``average_precision_score``.
    """
    check_is_fitted(detector, "threshold_")
    scores = detector.decision_function(X)
    labels = _check_labels(y, len(scores), both_classes=True)
    fig = Figure(figsize=(10.0, 4.2), layout="constrained")
    roc_ax, pr_ax = fig.subplots(1, 2)

    fpr, tpr, _ = roc_curve(labels, scores)
    auc = roc_auc_score(labels, scores)
    roc_ax.plot(fpr, tpr, color=_OUTLIER_COLOUR, label=f"ROC-AUC = {auc:.3f}")
    roc_ax.plot([0, 1], [0, 1], color="tab:gray", linestyle=":", label="chance")
    roc_ax.set_xlabel("false positive rate")
    roc_ax.set_ylabel("true positive rate")
    roc_ax.set_title("ROC curve")
    roc_ax.set_xlim(0, 1)
    roc_ax.set_ylim(0, 1.01)
    roc_ax.legend(loc="lower right")

    precision, recall, _ = precision_recall_curve(labels, scores)
    ap = average_precision_score(labels, scores)
    prevalence = float(labels.mean())
    pr_ax.step(
        recall, precision, where="post", color=_OUTLIER_COLOUR, label=f"AP = {ap:.3f}"
    )
    pr_ax.axhline(
        prevalence,
        color="tab:gray",
        linestyle=":",
        label=f"chance ({prevalence:.3f})",
    )
    pr_ax.set_xlabel("recall")
    pr_ax.set_ylabel("precision")
    pr_ax.set_title("Precision-recall curve")
    pr_ax.set_xlim(0, 1)
    pr_ax.set_ylim(0, 1.01)
    pr_ax.legend(loc="upper right")
    return fig
