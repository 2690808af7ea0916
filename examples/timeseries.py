"""Anomaly scores per time step on a real series: Mauna Loa CO2, LSTM autoencoder.

The series is the weekly atmospheric CO2 record of Mauna Loa, 1958-2001, that ships
inside statsmodels (``statsmodels.datasets.co2``; 2284 weeks, 59 missing weeks
filled by linear interpolation). The script

1. cuts the series into overlapping windows of one year (52 weeks) with
   :func:`aekit.datasets.windows`, and removes each window's mean, so that the
   model learns the *shape* of a year (the seasonal cycle and short-term
   wiggles) rather than the rising level, which it could never extrapolate;
2. trains a :class:`aekit.SequenceAutoEncoder` (preset ``timeseries-small``: a
   bidirectional LSTM encoder, the code repeated over the window, an LSTM
   decoder) on the windows of the first 60 % of the record only;
3. scores every week by its reconstruction error, averaged over the windows that
   cover it (``score_timesteps``), and sets the threshold at the 99.5th
   percentile of the training weeks' scores (Malhotra et al., "LSTM-based
   Encoder-Decoder for Multi-sensor Anomaly Detection", ICML workshop 2016, score
   points the same way);
4. to check the detector on something known, injects one fault into the held-out
   part — a sensor stuck at a constant value for 8 weeks — and reports whether it
   is flagged, how many other held-out weeks are flagged, and the ROC-AUC of the
   weekly score for the injected weeks;
5. draws the series, the reconstruction and the score with the threshold into
   one figure.

    pip install statsmodels
    python examples/timeseries.py --plot docs/images/timeseries_co2.png
"""

from __future__ import annotations

import argparse
import json
import sys
import time

import numpy as np
from sklearn.metrics import roc_auc_score

import aekit

WINDOW = 52  # weeks: one seasonal cycle per window
TRAIN_FRACTION = 0.6
FAULT_LENGTH = 8  # weeks


def load_co2() -> tuple[np.ndarray, np.ndarray]:
    """Weekly CO2 (ppm) and the dates as decimal years; gaps interpolated."""
    try:
        from statsmodels.datasets import co2
    except ImportError:
        sys.exit("this example needs statsmodels: pip install statsmodels")
    frame = co2.load_pandas().data["co2"].interpolate()
    index = frame.index
    years = np.asarray(index.year + (index.day_of_year - 1) / 365.25, dtype=np.float64)
    return frame.to_numpy(dtype=np.float64), years


def step_scores(per_window: np.ndarray, n_steps: int) -> np.ndarray:
    """Mean score of each step over the stride-1 windows that cover it."""
    total = np.zeros(n_steps)
    count = np.zeros(n_steps)
    length = per_window.shape[1]
    for start, row in enumerate(per_window):
        total[start : start + length] += row
        count[start : start + length] += 1
    return total / count


def step_reconstruction(recon: np.ndarray, n_steps: int) -> np.ndarray:
    """Average the overlapping windows' reconstructions back into one series."""
    return step_scores(recon[..., 0], n_steps)


def main(argv: list[str] | None = None) -> dict[str, float | int | bool]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--code-size", type=int, default=4)
    parser.add_argument("--plot", default=None, metavar="PNG")
    args = parser.parse_args(argv)

    series, years = load_co2()
    n = len(series)
    n_train = int(TRAIN_FRACTION * n)
    faulty = series.copy()
    # The fault goes where the series moves most in FAULT_LENGTH weeks, inside
    # 75-85 % of the record (held out), so that a stuck value is a real deviation.
    lo, hi = int(0.75 * n), int(0.85 * n)
    moves = np.abs(series[lo + FAULT_LENGTH : hi + FAULT_LENGTH] - series[lo:hi])
    start = lo + int(np.argmax(moves))
    fault = np.zeros(n, dtype=bool)
    fault[start : start + FAULT_LENGTH] = True
    faulty[fault] = faulty[start]  # stuck sensor: repeats its last good value

    # One scale for every window, learned on the training part only.
    scale = float(np.std(np.diff(series[:n_train])) * 10)
    win = aekit.datasets.windows(faulty, length=WINDOW, stride=1)
    means = win.mean(axis=1, keepdims=True)
    X = (win - means) / scale
    train_windows = n_train - WINDOW + 1  # windows that lie inside the training part

    est = aekit.SequenceAutoEncoder.from_preset(
        "timeseries-small",
        code_size=args.code_size,
        epochs=args.epochs,
        random_state=args.seed,
    )
    t0 = time.perf_counter()
    est.fit(X[:train_windows])
    fit_seconds = time.perf_counter() - t0

    scores = step_scores(est.score_timesteps(X), n)
    recon = step_reconstruction(est.reconstruct(X) * scale + means, n)
    threshold = float(np.quantile(scores[:n_train], 0.995))
    flagged = scores > threshold
    held_out = np.arange(n) >= n_train
    result: dict[str, float | int | bool] = {
        "weeks": n,
        "train_weeks": n_train,
        "fit_seconds": round(fit_seconds, 1),
        "threshold": threshold,
        "fault_weeks": int(fault.sum()),
        "fault_weeks_flagged": int((flagged & fault).sum()),
        "fault_detected": bool((flagged & fault).any()),
        "other_held_out_weeks_flagged": int((flagged & held_out & ~fault).sum()),
        "held_out_weeks": int(held_out.sum()),
        "roc_auc_fault_vs_held_out": float(
            roc_auc_score(fault[held_out], scores[held_out])
        ),
        "train_weeks_flagged": int(flagged[:n_train].sum()),
    }
    print(json.dumps(result, indent=2))

    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(3, 1, figsize=(11, 7.5))
        axes[2].sharex(axes[0])
        axes[0].plot(years, faulty, color="0.2", lw=0.8, label="CO2 (with fault)")
        axes[0].plot(years, recon, color="tab:orange", lw=0.8, label="reconstruction")
        axes[0].set_ylabel("ppm")
        axes[0].set_title(
            "Mauna Loa weekly CO2: LSTM autoencoder trained on the first 60 % "
            f"({WINDOW}-week windows)"
        )
        axes[0].legend(loc="upper left")
        zoom = slice(max(start - 80, 0), min(start + 80, n))
        axes[1].plot(years[zoom], faulty[zoom], color="0.2", lw=1, label="series")
        axes[1].plot(years[zoom], recon[zoom], color="tab:orange", lw=1, label="recon.")
        axes[1].set_ylabel("ppm (zoom)")
        axes[1].legend(loc="upper left")
        axes[2].semilogy(years, scores, color="tab:blue", lw=0.8, label="score")
        axes[2].axhline(threshold, color="tab:red", ls="--", lw=1, label="threshold")
        axes[2].set_ylabel("reconstruction error")
        axes[2].set_xlabel("year")
        axes[2].legend(loc="upper left")
        for ax in axes:
            if ax is not axes[1]:
                ax.axvspan(years[n_train], years[-1], color="0.93", zorder=0)
            ax.axvspan(
                years[start],
                years[start + FAULT_LENGTH - 1],
                color="tab:red",
                alpha=0.25,
                zorder=0,
            )
        axes[2].text(years[n_train], threshold, " held out", va="bottom", fontsize=8)
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)
        print(f"wrote {args.plot}", file=sys.stderr)
    return result


if __name__ == "__main__":
    main()
