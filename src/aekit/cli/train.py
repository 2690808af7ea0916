"""``aekit train``: fit an AutoEncoder on a dataset or array file and save it."""

from __future__ import annotations

import argparse
import json
import logging
from pathlib import Path
from typing import Any

from ..io import atomic_write_bytes
from ._common import add_data_args, add_verbose, load_data, sizes

# CLI flag -> AutoEncoder parameter. Unset flags (None) never override a preset.
_PARAMS = {
    "code_size": "code_size",
    "activation": "activation",
    "code_activation": "code_activation",
    "output_activation": "output_activation",
    "loss": "loss",
    "optimizer": "optimizer",
    "lr": "learning_rate",
    "batch_size": "batch_size",
    "epochs": "epochs",
    "validation_fraction": "validation_fraction",
    "patience": "patience",
    "seed": "random_state",
    "device": "device",
    "sparsity": "sparsity",
    "sparsity_weight": "sparsity_weight",
    "sparsity_target": "sparsity_target",
    "corruption": "corruption",
    "noise_level": "noise_level",
    "noise_mean": "noise_mean",
    "contractive": "contractive",
    "contractive_method": "contractive_method",
    "contractive_samples": "contractive_samples",
    "pretrain": "pretrain",
    "pretrain_epochs": "pretrain_epochs",
    "latent_dim": "latent_dim",
    "encoder": "encoder",
    "likelihood": "likelihood",
    "beta": "beta",
    "kl_warmup_epochs": "kl_warmup_epochs",
    "free_bits": "free_bits",
    "objective": "objective",
    "k": "k",
}


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "train",
        help="train an autoencoder and save it",
        description="Train an autoencoder on a dataset or an array file; writes "
        "OUT/model.safetensors and OUT/history.json. Options left out keep the "
        "preset's (or the estimator's default) values.",
        epilog="Examples: aekit train --dataset mnist --preset vanilla-mnist "
        "--epochs 20 --out runs/vanilla; torchrun --nproc-per-node 4 -m aekit "
        "train --distributed --dataset mnist --checkpoint runs/ckpt.safetensors "
        "--resume --out runs/ddp (see docs/distributed.md)",
    )
    add_data_args(p)
    p.add_argument(
        "--model",
        default="dense",
        help="model family, a name from `aekit models` (default: dense)",
    )
    p.add_argument(
        "--preset", help="start from a published configuration (see `aekit models`)"
    )
    p.add_argument(
        "--hidden",
        type=sizes,
        default=None,
        metavar="SIZES",
        help="encoder hidden layer sizes, e.g. 128,64 (decoder mirrors)",
    )
    p.add_argument(
        "--filters",
        type=sizes,
        default=None,
        metavar="SIZES",
        help="conv encoder channels per stage, e.g. 32,64 (conv, vae)",
    )
    p.add_argument("--code-size", type=int, metavar="N", help="units in the code")
    p.add_argument("--activation", help="hidden-layer activation, e.g. relu")
    p.add_argument("--code-activation", help="code-layer activation, e.g. linear")
    p.add_argument("--output-activation", choices=["linear", "sigmoid"])
    p.add_argument(
        "--loss", choices=["mse", "bce", "mae"], help="bce needs data in [0, 1]"
    )
    p.add_argument("--optimizer", help="adam, sgd, ...")
    p.add_argument("--lr", type=float, help="learning rate")
    p.add_argument("--batch-size", type=int, metavar="N")
    p.add_argument("--epochs", type=int, metavar="N")
    p.add_argument(
        "--validation-fraction",
        type=float,
        metavar="F",
        help="share of the data held out for val_loss (0 for none)",
    )
    p.add_argument(
        "--early-stopping",
        action="store_true",
        default=None,
        help="stop when the validation loss stops improving",
    )
    p.add_argument(
        "--patience", type=int, metavar="N", help="epochs without improvement"
    )
    p.add_argument("--seed", type=int, help="random_state, for reproducible runs")
    p.add_argument("--device", help="auto (default), cpu, cuda, cuda:N")
    reg = p.add_argument_group("regularisation (any combination)")
    reg.add_argument("--sparsity", choices=["l1", "kl"])
    reg.add_argument("--sparsity-weight", type=float)
    reg.add_argument("--sparsity-target", type=float, help="ρ for --sparsity kl")
    reg.add_argument(
        "--corruption",
        choices=["gaussian", "masking", "salt_pepper"],
        help="train a denoising autoencoder",
    )
    reg.add_argument(
        "--noise-level",
        type=float,
        help="std (gaussian) or fraction (masking, salt_pepper)",
    )
    reg.add_argument("--noise-mean", type=float)
    reg.add_argument(
        "--noise-clip",
        action="store_true",
        default=None,
        help="clip corrupted inputs to [0, 1]",
    )
    reg.add_argument(
        "--noise-fixed",
        action="store_true",
        default=None,
        help="draw the noise once instead of every batch",
    )
    reg.add_argument("--contractive", type=float, help="λ of the Jacobian penalty")
    reg.add_argument(
        "--contractive-method", choices=["auto", "closed_form", "exact", "hutchinson"]
    )
    reg.add_argument("--contractive-samples", type=int)
    reg.add_argument(
        "--pretrain",
        choices=["greedy"],
        help="greedy layer-wise pretraining before fine-tuning",
    )
    reg.add_argument("--pretrain-epochs", type=int)
    vae = p.add_argument_group("variational autoencoder (--model vae)")
    vae.add_argument("--latent-dim", type=int, metavar="N", help="dimension of z")
    vae.add_argument("--encoder", choices=["dense", "conv"], help="network family")
    vae.add_argument(
        "--likelihood", choices=["bernoulli", "gaussian"], help="decoder p(x|z)"
    )
    vae.add_argument("--beta", type=float, help="weight of the KL term (β-VAE)")
    vae.add_argument(
        "--kl-warmup-epochs", type=int, metavar="N", help="ramp the KL weight"
    )
    vae.add_argument("--free-bits", type=float, help="nats per latent unit")
    vae.add_argument("--objective", choices=["elbo", "iwae"])
    vae.add_argument("--k", type=int, help="importance samples for --objective iwae")
    vae.add_argument(
        "--dynamic-binarization",
        action="store_true",
        default=None,
        help="resample binary pixels every batch (IWAE protocol)",
    )
    run_group = p.add_argument_group("checkpoints and distributed training")
    run_group.add_argument(
        "--checkpoint",
        type=Path,
        metavar="PATH",
        help="write a resumable checkpoint here after every epoch (atomically)",
    )
    run_group.add_argument(
        "--checkpoint-every-batches",
        type=int,
        metavar="N",
        help="also write it every N optimisation steps",
    )
    run_group.add_argument(
        "--resume",
        nargs="?",
        const=True,
        type=Path,
        metavar="PATH",
        help="continue the run that wrote checkpoint PATH, with the same options; "
        "without PATH: from --checkpoint if it exists, else start afresh (for "
        "jobs that may be restarted)",
    )
    run_group.add_argument(
        "--distributed",
        action="store_true",
        help="data-parallel training under torchrun (gloo on CPU, NCCL on CUDA); "
        "--batch-size is the global batch; rank 0 writes --out and checkpoints",
    )
    p.add_argument("--out", type=Path, required=True, help="output folder")
    add_verbose(p)
    p.set_defaults(func=run)


def estimator_class(model: str) -> Any:
    """The estimator class that trains the registered model family ``model``."""
    from .. import models
    from ..io import ESTIMATORS

    models.MODELS.get(model)  # unknown names fail here, listing the known ones
    for name in ESTIMATORS.names():
        cls: Any = ESTIMATORS.get(name)
        if cls._model_name == model:
            return cls
    raise ValueError(f"no estimator trains model {model!r} from the command line")


def build_estimator(args: argparse.Namespace) -> Any:
    cls = estimator_class(args.model)

    params = {flag: value for flag, value in vars(args).items() if value is not None}
    overrides = {
        param: params[flag] for flag, param in _PARAMS.items() if flag in params
    }
    if args.hidden is not None:
        overrides["hidden_layer_sizes"] = args.hidden
    if args.filters is not None:
        overrides["filters"] = args.filters
    for flag in ("early_stopping", "noise_clip", "noise_fixed", "dynamic_binarization"):
        if getattr(args, flag):
            overrides[flag] = True
    overrides["verbose"] = args.verbose
    known = cls().get_params()
    unknown = sorted(set(overrides) - set(known))
    if unknown:
        flag_of = {param: flag for flag, param in _PARAMS.items()}
        flag_of["hidden_layer_sizes"] = "hidden"
        flags = ", ".join("--" + flag_of.get(k, k).replace("_", "-") for k in unknown)
        raise ValueError(f"option(s) {flags} do not apply to model {args.model!r}")
    if args.preset:
        return cls.from_preset(args.preset, **overrides)
    return cls(**overrides)


def run(args: argparse.Namespace) -> int:
    from ..train import distributed

    if args.resume is True and args.checkpoint is None:
        raise ValueError("--resume without a PATH resumes from --checkpoint; pass one")
    if args.checkpoint_every_batches is not None and args.checkpoint is None:
        raise ValueError("--checkpoint-every-batches needs --checkpoint PATH")
    estimator = build_estimator(args)
    owns_group = False
    if args.distributed:
        owns_group = distributed.init_from_env(estimator.device)
    try:
        main = distributed.is_main_process()
        processes = distributed.world_size()
        if not main:
            # One progress bar and one set of messages, from rank 0.
            estimator.set_params(verbose=0)
            logging.getLogger("aekit").setLevel(logging.ERROR)
        X = load_data(args)
        estimator.fit(
            X,
            checkpoint=args.checkpoint,
            checkpoint_every_batches=args.checkpoint_every_batches,
            resume=args.resume,
        )
        if not main:
            return 0
        model_path = estimator.save(args.out / "model.safetensors")
        atomic_write_bytes(
            args.out / "history.json",
            (json.dumps(estimator.history_, indent=1) + "\n").encode(),
        )
    finally:
        if owns_group:
            distributed.shutdown()
    history = estimator.history_
    summary = f"loss {history['loss'][-1]:.5g}"
    if "val_loss" in history:
        summary += f", val_loss {history['val_loss'][-1]:.5g}"
    where = f" on {processes} processes" if processes > 1 else ""
    print(
        f"trained {estimator.n_iter_} epochs on {len(X)} samples{where}: {summary}; "
        f"saved {model_path}"
    )
    return 0
