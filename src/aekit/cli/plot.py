"""``aekit plot KIND``: figures from a saved model. One function per kind."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ._common import (
    add_data_args,
    add_verbose,
    load_data,
    load_data_xy,
    load_model,
    save_figure,
)


def _reconstructions(args: argparse.Namespace) -> Any:
    from ..plots import reconstruction_grid

    return reconstruction_grid(load_model(args.model), load_data(args), n=args.n)


def _history(args: argparse.Namespace) -> Any:
    from ..plots import training_curves

    model = load_model(args.model)
    loss = getattr(model, "loss", None)
    ylabel = f"loss ({_LOSS_NAMES.get(loss, loss)})" if loss else "loss"
    return training_curves(model.history_, log_scale=args.log, ylabel=ylabel)


_LOSS_NAMES = {
    "bce": "binary cross-entropy",
    "mse": "mean squared error",
    "mae": "mean absolute error",
}


def _weights(args: argparse.Namespace) -> Any:
    from ..plots import encoder_weights

    return encoder_weights(load_model(args.model), n=args.n)


def _activations(args: argparse.Namespace) -> Any:
    from ..plots import code_activations

    return code_activations(load_model(args.model), load_data(args))


def _denoise(args: argparse.Namespace) -> Any:
    from ..corruption import corrupt
    from ..plots import denoising_grid

    clean = load_data(args)[: args.n]
    noisy = corrupt(
        clean, args.corruption, args.noise_level, clip=True, random_state=args.seed
    )
    return denoising_grid(load_model(args.model), clean, noisy, n=args.n)


def _latent(args: argparse.Namespace) -> Any:
    from ..plots import latent_scatter

    X, y = load_data_xy(args)
    return latent_scatter(load_model(args.model), X, y)


def _manifold(args: argparse.Namespace) -> Any:
    from ..plots import latent_manifold

    return latent_manifold(load_model(args.model), n=args.n)


def _interpolation(args: argparse.Namespace) -> Any:
    from ..plots import interpolate

    X = load_data(args)
    for index in (args.a, args.b):
        if not 0 <= index < len(X):
            raise ValueError(f"sample index {index} is outside 0..{len(X) - 1}")
    return interpolate(load_model(args.model), X[args.a], X[args.b], steps=args.steps)


def _add_manifold(p: argparse.ArgumentParser) -> None:
    p.add_argument("--n", type=int, default=20, help="grid side (default 20)")


def _add_interpolation(p: argparse.ArgumentParser) -> None:
    add_data_args(p)
    p.add_argument("--a", type=int, default=0, help="index of the first sample")
    p.add_argument("--b", type=int, default=1, help="index of the second sample")
    p.add_argument("--steps", type=int, default=10, help="decoded steps (default 10)")


def _add_denoise(p: argparse.ArgumentParser) -> None:
    add_data_args(p)
    p.add_argument("--n", type=int, default=10, help="number of images (default 10)")
    p.add_argument(
        "--corruption",
        default="gaussian",
        choices=["gaussian", "masking", "salt_pepper"],
    )
    p.add_argument(
        "--noise-level",
        type=float,
        default=0.5,
        help="std or fraction of the noise (default 0.5)",
    )
    p.add_argument("--seed", type=int, default=0, help="noise seed")


def _add_weights(p: argparse.ArgumentParser) -> None:
    p.add_argument("--n", type=int, default=64, help="number of units (default 64)")


def _add_reconstructions(p: argparse.ArgumentParser) -> None:
    add_data_args(p)
    p.add_argument("--n", type=int, default=10, help="number of samples (default 10)")


def _add_history(p: argparse.ArgumentParser) -> None:
    p.add_argument("--log", action="store_true", help="logarithmic loss axis")


#: kind -> (help, add extra arguments, draw the figure)
KINDS: dict[str, tuple[str, Callable[..., None], Callable[..., Any]]] = {
    "reconstructions": (
        "originals over reconstructions",
        _add_reconstructions,
        _reconstructions,
    ),
    "history": ("training and validation loss per epoch", _add_history, _history),
    "weights": ("first-layer encoder weights as images", _add_weights, _weights),
    "denoise": ("noisy / denoised / clean rows", _add_denoise, _denoise),
    "activations": (
        "histogram of code activations (sparsity)",
        add_data_args,
        _activations,
    ),
    "latent": ("2-D scatter of the codes, coloured by label", add_data_args, _latent),
    "manifold": (
        "decoded grid over two latent dimensions (VAE)",
        _add_manifold,
        _manifold,
    ),
    "interpolation": (
        "decoded path between the codes of two samples",
        _add_interpolation,
        _interpolation,
    ),
}


_MODEL = "runs/vanilla/model.safetensors"
#: kind -> the arguments of an example call, shown under ``--help``.
EXAMPLES = {
    "reconstructions": f"--model {_MODEL} --dataset mnist --split test "
    "--output recon.png",
    "history": f"--model {_MODEL} --log --output loss.png",
    "weights": f"--model {_MODEL} --n 100 --output weights.png",
    "denoise": "--model runs/dae/model.safetensors --dataset mnist --split test "
    "--noise-level 0.5 --output denoise.png",
    "activations": "--model runs/sparse/model.safetensors --dataset mnist "
    "--split test --limit 1000 --output codes.png",
    "latent": "--model runs/vae/model.safetensors --dataset mnist --split test "
    "--limit 5000 --output latent.png",
    "manifold": "--model runs/vae/model.safetensors --n 20 --output manifold.png",
    "interpolation": "--model runs/vae/model.safetensors --dataset mnist "
    "--split test --a 0 --b 1 --output interpolation.png",
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "plot",
        help="draw a figure from a saved model",
        description="Draw a figure from a saved model into an image file "
        "(.png, .svg or .pdf). KIND says which figure.",
        epilog="Example: aekit plot reconstructions --model runs/vanilla/"
        "model.safetensors --dataset mnist --split test --output recon.png",
    )
    kinds = p.add_subparsers(dest="kind", metavar="KIND", required=True)
    for kind, (help_text, add_args, draw) in KINDS.items():
        sub = kinds.add_parser(
            kind,
            help=help_text,
            description=f"Plot {help_text}.",
            epilog=f"Example: aekit plot {kind} {EXAMPLES[kind]}",
        )
        sub.add_argument("--model", type=Path, required=True, help="a saved model file")
        add_args(sub)
        sub.add_argument(
            "--output", type=Path, required=True, help="image file (.png, .svg, .pdf)"
        )
        add_verbose(sub)
        sub.set_defaults(func=_runner(draw))


def _runner(draw: Callable[[argparse.Namespace], Any]) -> Callable[..., int]:
    def run(args: argparse.Namespace) -> int:
        save_figure(args.output, draw(args))
        print(f"wrote {args.output}")
        return 0

    return run
