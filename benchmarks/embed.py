"""Dimensionality reduction and features for downstream models (issue 8, parts 3-4).

Part ``reduce`` — the 2-D comparison of the textbooks (Hinton & Salakhutdinov,
"Reducing the Dimensionality of Data with Neural Networks", Science 313, 2006,
fig. 3; the Packt chapters): on MNIST and Fashion-MNIST, a 784-500-2 autoencoder
(preset ``packt-2d``: ReLU hidden layer, linear code, sigmoid output, BCE, Adam,
batch 256, 50 epochs) against PCA's first two components, both fitted on the
60000 training images. Each embedding is measured on the 10000 test images by

- the accuracy of a k-nearest-neighbour classifier (k = 5) fitted on the
  training codes and their labels — how well the classes stay apart in 2-D;
- trustworthiness (Venna & Kaski, ICANN 2001; scikit-learn's, k = 5) — whether
  2-D neighbours are neighbours in pixel space too. It costs time and memory
  quadratic in the number of points, so it is computed on 2000 test images drawn
  at random (seed 0), the same images for both methods;

and the test codes are drawn side by side, coloured by class, in
``docs/images/embed_mnist.png`` and ``docs/images/embed_fashion.png``.

Part ``features`` — the encoder as a scikit-learn transformer: test accuracy and
fit time (the whole pipeline) of ``LogisticRegression(max_iter=1000)`` (lbfgs,
C = 1, no scaling) on raw pixels, on 32 PCA components (``Pipeline(PCA(32),
LogisticRegression)``), and on 32-d autoencoder codes (``Pipeline(AutoEncoder,
LogisticRegression)``) of two networks: 784-500-32 (``packt-2d`` with
``code_size=32``) and the Keras blog's 784-32 (``vanilla-mnist``, ReLU code), 50
epochs each. Logistic regression never sees the test images' labels; the
autoencoders never see any label.

Prints JSON, writes ``benchmarks/results/embed.json`` and ``embed.md`` (and the
two figures); ``--part`` re-runs one part and keeps the other's stored results.

    python benchmarks/embed.py                        # both parts, ~20 min on 2 CPUs
    python benchmarks/embed.py --part features
    python benchmarks/embed.py --limit 3000 --test-limit 1000 --epochs 2 \\
        --feature-epochs 2 --no-write                 # smoke run, under a minute
"""

from __future__ import annotations

import argparse
import json
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

import aekit
from _common import RESULTS, hardware, seconds_per_epoch, write_result
from aekit.metrics import embedding_quality
from aekit.plots import embedding_comparison

ROOT = Path(__file__).resolve().parents[1]
#: dataset -> (name in tables, figure file under docs/images).
DATASETS = {
    "mnist": ("MNIST", "embed_mnist.png"),
    "fashion-mnist": ("Fashion-MNIST", "embed_fashion.png"),
}
#: Fashion-MNIST's class names, by label (Xiao, Rasul & Vollgraf, 2017).
FASHION_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)
LR_MAX_ITER = 1000
_REDUCE_COLS = ("kNN acc.", "trust.", "fit s")
_FEAT_COLS = ("test acc.", "fit s")
#: Part ``features``: key -> table label.
FEATURES = {
    "pixels": "raw pixels",
    "pca-32": "PCA, 32 components",
    "ae-784-500-32": "aekit 784-500-32 (`packt-2d`, `code_size=32`)",
    "ae-784-32": "aekit 784-32 (`vanilla-mnist`)",
}


def load(name: str, args: argparse.Namespace) -> dict[str, np.ndarray]:
    """Train and test images of ``name``, flattened, with labels, cut to the limits."""
    out: dict[str, np.ndarray] = {}
    for split, limit in (("train", args.limit), ("test", args.test_limit)):
        X, y = aekit.datasets.load(name, split=split)
        X, y = X.reshape(len(X), -1)[:limit], y[:limit]
        out[f"X_{split}"], out[f"y_{split}"] = X, y
    return out


def _timed_fit(estimator: Any, X: np.ndarray, y: Any = None) -> float:
    start = time.perf_counter()
    estimator.fit(X, y)
    return time.perf_counter() - start


def reduce(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """Part ``reduce`` on one dataset: AE 784-500-2 vs PCA-2, scores and figure."""
    data = load(name, args)
    ae = aekit.AutoEncoder.from_preset(
        "packt-2d", epochs=args.epochs, random_state=args.seed, verbose=args.verbose
    )
    pca = PCA(n_components=2, random_state=args.seed)
    n_features = data["X_train"].shape[1]
    methods: dict[str, Any] = {}
    codes: dict[str, np.ndarray] = {}
    for key, estimator, label in (
        ("autoencoder", ae, f"aekit {n_features}-500-2 (packt-2d)"),
        ("pca", pca, "PCA, 2 components"),
    ):
        seconds = _timed_fit(estimator, data["X_train"])
        codes[label] = estimator.transform(data["X_test"])  # figure panel titles
        quality = embedding_quality(
            data["X_test"],
            codes[label],
            data["y_test"],
            codes_train=estimator.transform(data["X_train"]),
            y_train=data["y_train"],
            k=args.k,
            n_trust=args.n_trust,
            random_state=args.seed,
        )
        methods[key] = {
            "label": label.replace("packt-2d", "`packt-2d`"),
            "panel": label,
            **quality.as_dict(),
            "fit_seconds": seconds,
        }
    methods["autoencoder"].update(
        epochs=ae.n_iter_,
        seconds_per_epoch=seconds_per_epoch(ae.history_["epoch_time"]),
        final_train_bce=ae.history_["loss"][-1],
    )
    title, figure = DATASETS[name]
    fig = embedding_comparison(
        codes,
        data["y_test"],
        scores={
            m["panel"]: {"kNN acc.": m["knn_accuracy"], "trust.": m["trustworthiness"]}
            for m in methods.values()
        },
        class_names=FASHION_CLASSES if name == "fashion-mnist" else None,
        title=f"{title} test set: {n_features}-500-2 autoencoder vs PCA",
    )
    out: dict[str, Any] = {
        "n_train": len(data["X_train"]),
        "n_test": len(data["X_test"]),
        "methods": methods,
        "knn_gain": methods["autoencoder"]["knn_accuracy"]
        - methods["pca"]["knn_accuracy"],
        "trustworthiness_gain": methods["autoencoder"]["trustworthiness"]
        - methods["pca"]["trustworthiness"],
    }
    if not args.no_write:
        path = ROOT / "docs" / "images" / figure
        path.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(path, dpi=110, bbox_inches="tight")
        out["figure"] = str(path.relative_to(ROOT))
    print(f"[reduce {name}] done", flush=True)
    return out


def _pipelines(args: argparse.Namespace) -> dict[str, Pipeline]:
    """Part ``features``: one pipeline per feature set, each ending in LR."""

    def classifier() -> LogisticRegression:
        return LogisticRegression(max_iter=LR_MAX_ITER)

    common = {"epochs": args.feature_epochs, "random_state": args.seed}
    return {
        "pixels": Pipeline([("classifier", classifier())]),
        "pca-32": Pipeline(
            [
                ("pca", PCA(n_components=32, random_state=args.seed)),
                ("classifier", classifier()),
            ]
        ),
        "ae-784-500-32": Pipeline(
            [
                (
                    "encoder",
                    aekit.AutoEncoder.from_preset("packt-2d", code_size=32, **common),
                ),
                ("classifier", classifier()),
            ]
        ),
        "ae-784-32": Pipeline(
            [
                ("encoder", aekit.AutoEncoder.from_preset("vanilla-mnist", **common)),
                ("classifier", classifier()),
            ]
        ),
    }


def features(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """Part ``features`` on one dataset: LR on pixels, PCA-32 and AE-32 codes."""
    data = load(name, args)
    methods: dict[str, Any] = {}
    for key, pipeline in _pipelines(args).items():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            seconds = _timed_fit(pipeline, data["X_train"], data["y_train"])
        lr = pipeline.named_steps["classifier"]
        iterations = int(np.max(lr.n_iter_))
        methods[key] = {
            "label": FEATURES[key],
            "n_features": int(lr.n_features_in_),
            "test_accuracy": float(pipeline.score(data["X_test"], data["y_test"])),
            "train_accuracy": float(pipeline.score(data["X_train"], data["y_train"])),
            "fit_seconds": seconds,
            "lr_iterations": iterations,
            "lr_converged": iterations < LR_MAX_ITER,
        }
    print(f"[features {name}] done", flush=True)
    return {
        "n_train": len(data["X_train"]),
        "n_test": len(data["X_test"]),
        "methods": methods,
    }


def _hardware(hw: dict[str, Any]) -> str:
    device = f"GPU {hw['cuda']}" if hw["cuda"] else "CPU only"
    return f"{hw['cpus']} CPUs, torch {hw['torch']}, aekit {hw['aekit']}, {device}"


def markdown(result: dict[str, Any]) -> str:
    """README-ready tables of a result (written to ``results/embed.md``)."""
    names = [d for d in DATASETS if d in result["reduce"]]
    red, cfg = result["reduce"], result["reduce"]["config"]
    first = red[names[0]]
    lines = [
        f"{' and '.join(DATASETS[d][0] for d in names)}, {first['n_train']} train / "
        f"{first['n_test']} test images; {_hardware(red['hardware'])}.",
        "",
        f"**2-D embeddings.** kNN (k = {cfg['k']}) fitted on the training codes, "
        f"accuracy on the test codes; trustworthiness (k = {cfg['k']}; Venna & "
        f"Kaski 2001) on {first['methods']['pca']['n_trust']} test images drawn at "
        f"random, the same for both methods. Autoencoder: {cfg['epochs']} epochs. "
        "Figures: "
        + ", ".join(f"[{DATASETS[d][0]}](docs/images/{DATASETS[d][1]})" for d in names)
        + ".",
        "",
        "| method |"
        + "".join(f" {DATASETS[d][0]} {c} |" for d in names for c in _REDUCE_COLS),
        "|---|" + "---:|" * (len(names) * len(_REDUCE_COLS)),
    ]
    for key in ("autoencoder", "pca"):
        lines.append(
            f"| {red[names[0]]['methods'][key]['label']} |"
            + "".join(
                f" {red[d]['methods'][key]['knn_accuracy']:.4f} |"
                f" {red[d]['methods'][key]['trustworthiness']:.4f} |"
                f" {red[d]['methods'][key]['fit_seconds']:.1f} |"
                for d in names
            )
        )
    lines.append(
        "| autoencoder − PCA |"
        + "".join(
            f" {red[d]['knn_gain']:+.4f} | {red[d]['trustworthiness_gain']:+.4f} | |"
            for d in names
        )
    )
    if "features" in result:
        feat, fcfg = result["features"], result["features"]["config"]
        fnames = [d for d in DATASETS if d in feat]
        lines += [
            "",
            "**Features for logistic regression.** scikit-learn `Pipeline`: "
            f"features → `LogisticRegression(max_iter={LR_MAX_ITER})` (lbfgs, C = 1, "
            f"no scaling); autoencoders {fcfg['feature_epochs']} epochs, trained "
            "without labels; fit seconds for the whole pipeline. "
            f"{_hardware(feat['hardware'])}.",
            "",
            "| features | dims |"
            + "".join(f" {DATASETS[d][0]} {c} |" for d in fnames for c in _FEAT_COLS),
            "|---|---:|" + "---:|" * (len(fnames) * len(_FEAT_COLS)),
        ]
        for key in FEATURES:
            row = feat[fnames[0]]["methods"][key]
            cells = ""
            for d in fnames:
                m = feat[d]["methods"][key]
                mark = "" if m["lr_converged"] else "*"
                cells += f" {m['test_accuracy']:.4f}{mark} | {m['fit_seconds']:.1f} |"
            lines.append(f"| {row['label']} | {row['n_features']} |{cells}")
        if not all(
            feat[d]["methods"][k]["lr_converged"] for d in fnames for k in FEATURES
        ):
            lines.append(f"\n\\* lbfgs stopped at {LR_MAX_ITER} iterations.")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--part",
        choices=["all", "reduce", "features"],
        default="all",
        help="run one part only; its results replace that part in the result file",
    )
    parser.add_argument(
        "--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS)
    )
    parser.add_argument("--epochs", type=int, default=50, help="784-500-2 epochs")
    parser.add_argument(
        "--feature-epochs", type=int, default=50, help="32-d autoencoder epochs"
    )
    parser.add_argument("--limit", type=int, default=None, help="training images")
    parser.add_argument("--test-limit", type=int, default=None, help="test images")
    parser.add_argument("--k", type=int, default=5, help="kNN and trustworthiness")
    parser.add_argument(
        "--n-trust", type=int, default=2000, help="test images for trustworthiness"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--verbose", type=int, default=0)
    parser.add_argument(
        "--no-write", action="store_true", help="print only: no result files, figures"
    )
    args = parser.parse_args(argv)

    result: dict[str, Any] = {"benchmark": "embed"}
    config = {k: v for k, v in vars(args).items() if k not in ("part", "no_write")}
    for part, run in (("reduce", reduce), ("features", features)):
        if args.part in ("all", part):
            result[part] = {"config": config, "hardware": hardware()}
            for name in args.datasets:
                result[part][name] = run(name, args)
    print(json.dumps(result, indent=2))
    if not args.no_write:
        path = RESULTS / "embed.json"
        if args.part != "all" and path.exists():
            result = {**json.loads(path.read_text()), **result}
        write_result("embed", result)
        if "reduce" in result:
            (RESULTS / "embed.md").write_text(markdown(result))
    return result


if __name__ == "__main__":
    main()
