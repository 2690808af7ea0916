"""Penalty terms that regularise an autoencoder's code.

Each factory returns a callable ``(module, inputs, output) -> scalar`` already
multiplied by its weight, to be added to an :class:`~aekit.losses.Objective`.
Every penalty is a per-sample quantity averaged over the batch, so its weight does
not depend on the batch size.
"""

from __future__ import annotations

import torch
from torch import nn

from ..nn.layers import AEOutput
from .objective import Penalty

_EPS = 1e-6


def l1_activity(weight: float) -> Penalty:
    """L1 activity penalty ``weight * mean_batch(sum_j |h_j|)`` on the code ``h``.

    The textbook's sparse model puts ``activity_regularizer=l1(λ)`` on its 32-unit
    code (Keras blog, 2016). How Keras scales that term depends on the version:
    Keras 1 (the blog's) adds ``λ * sum_j mean_batch |h_j|`` and tf.keras 2 divides
    the batch sum by the batch size — both equal to aekit's term, so ``weight = λ``.
    Keras 3 adds ``λ * sum |h|`` over the *whole batch* to a batch-*mean* loss, so a
    Keras 3 model trained with batch size ``B`` corresponds to ``weight = λ * B``.
    """

    def penalty(module: nn.Module, inputs: torch.Tensor, output: AEOutput):
        return weight * output.code.abs().sum(dim=1).mean()

    return penalty


def kl_sparsity(weight: float, target: float) -> Penalty:
    """KL target sparsity ``weight * sum_j KL(ρ || ρ̂_j)`` (Ng, CS294A notes, 2011).

    ``ρ̂_j`` is the mean activation of sigmoid code unit ``j`` over the batch and
    ``ρ`` the target; the divergence is between Bernoulli distributions.
    """
    rho = float(target)

    def penalty(module: nn.Module, inputs: torch.Tensor, output: AEOutput):
        rho_hat = output.code.mean(dim=0).clamp(_EPS, 1 - _EPS)
        kl = rho * torch.log(rho / rho_hat) + (1 - rho) * torch.log(
            (1 - rho) / (1 - rho_hat)
        )
        return weight * kl.sum()

    return penalty


def single_sigmoid_layer(module: nn.Module) -> nn.Linear | None:
    """The encoder's Linear layer when the encoder is exactly Linear → Sigmoid."""
    encoder = getattr(module, "encoder", None)
    if (
        isinstance(encoder, nn.Sequential)
        and len(encoder) == 2
        and isinstance(encoder[0], nn.Linear)
        and isinstance(encoder[1], nn.Sigmoid)
    ):
        return encoder[0]
    return None


def jacobian_norm_closed_form(linear: nn.Linear, code: torch.Tensor) -> torch.Tensor:
    """Per-sample ``||∂h/∂x||²_F`` for ``h = sigmoid(Wx + b)`` (Rifai et al., 2011).

    ``∂h_j/∂x_i = h_j (1 - h_j) W_ji``, so the norm is
    ``sum_j (h_j (1 - h_j))² sum_i W_ji²``: one matrix-vector product.
    """
    row_norms = linear.weight.pow(2).sum(dim=1)
    return (code * (1 - code)).pow(2) @ row_norms


def jacobian_norm_exact(module: nn.Module, x: torch.Tensor) -> torch.Tensor:
    """Per-sample ``||∂h/∂x||²_F`` by autograd: one backward pass per code unit.

    Cost: ``code_size`` extra backward passes through the encoder per batch (with
    graphs kept for the second-order gradient), so it is exact but grows linearly
    with the code size.
    """
    x = x.detach().requires_grad_(True)
    code = module.encode(x)  # type: ignore[operator]
    total = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
    for j in range(code.shape[1]):
        (grad,) = torch.autograd.grad(code[:, j].sum(), x, create_graph=True)
        total = total + grad.pow(2).flatten(1).sum(dim=1)
    return total


def jacobian_norm_hutchinson(
    module: nn.Module,
    x: torch.Tensor,
    n_samples: int = 1,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Unbiased per-sample estimate of ``||∂h/∂x||²_F`` (Hutchinson's trick).

    For Rademacher ``v`` (entries ±1), ``E ||Jᵀv||² = trace(J Jᵀ) = ||J||²_F``.
    Cost: ``n_samples`` backward passes per batch, independent of the code size.
    """
    x = x.detach().requires_grad_(True)
    code = module.encode(x)  # type: ignore[operator]
    total = torch.zeros(x.shape[0], dtype=x.dtype, device=x.device)
    for _ in range(n_samples):
        v = torch.randint(0, 2, code.shape, generator=generator).to(code) * 2 - 1
        (grad,) = torch.autograd.grad(code, x, grad_outputs=v, create_graph=True)
        total = total + grad.pow(2).flatten(1).sum(dim=1)
    return total / n_samples


def contractive(
    weight: float,
    method: str = "auto",
    n_samples: int = 1,
    generator: torch.Generator | None = None,
) -> Penalty:
    """Contractive penalty ``weight * mean_batch ||∂h/∂x||²_F`` (Rifai et al., 2011).

    Parameters
    ----------
    weight : float
        λ in the paper.
    method : {"auto", "closed_form", "exact", "hutchinson"}
        ``"auto"``: the closed form when the encoder is one sigmoid layer, else
        ``"exact"``. ``"hutchinson"`` trades exactness for a cost independent of
        the code size.
    n_samples : int
        Probe vectors per batch for ``"hutchinson"``.
    generator : torch.Generator, optional
        Random source of the Hutchinson probes.
    """

    def penalty(module: nn.Module, inputs: torch.Tensor, output: AEOutput):
        choice = method
        linear = single_sigmoid_layer(module)
        if choice == "auto":
            choice = "closed_form" if linear is not None else "exact"
        if choice == "closed_form":
            if linear is None:
                raise ValueError(
                    "contractive_method='closed_form' needs an encoder of one "
                    "Linear layer with a sigmoid code; use 'exact' or 'hutchinson'"
                )
            norms = jacobian_norm_closed_form(linear, output.code)
        elif choice == "exact":
            norms = jacobian_norm_exact(module, inputs)
        else:
            norms = jacobian_norm_hutchinson(module, inputs, n_samples, generator)
        return weight * norms.mean()

    return penalty
