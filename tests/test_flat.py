"""Flat parameters (aekit.train.flat): same training, faster optimizer step."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import aekit
import aekit.train.trainer as trainer_module
from aekit.io import load_checkpoint
from aekit.train.flat import FlatParameters, can_flatten


@pytest.fixture(autouse=True)
def _one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture
def unflattened(monkeypatch):
    """Train as aekit did before flat parameters."""
    monkeypatch.setattr(trainer_module, "can_flatten", lambda params: False)


def _X(n: int = 160, d: int = 12) -> np.ndarray:
    return np.random.RandomState(0).rand(n, d).astype(np.float32)


def _images(n: int = 48) -> np.ndarray:
    return np.random.RandomState(1).rand(n, 1, 8, 8).astype(np.float32)


ESTIMATORS = {
    "dense-adam": lambda: aekit.AutoEncoder(
        hidden_layer_sizes=(8,), code_size=3, epochs=3, batch_size=32, random_state=0
    ),
    "dense-rmsprop": lambda: aekit.AutoEncoder(
        code_size=3, epochs=2, batch_size=32, optimizer="rmsprop", random_state=1
    ),
    # Channels-last conv weights keep their memory format as flat views.
    "conv": lambda: aekit.ConvAutoEncoder(
        filters=(4, 4), epochs=2, batch_size=16, random_state=2
    ),
}


def _fit(name: str, **kwargs):
    X = _images() if name == "conv" else _X()
    return ESTIMATORS[name]().fit(X, **kwargs)


def _assert_close(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    """Equal up to float32 rounding. The fused Adam kernel updates the last
    few elements of a tensor outside its SIMD loop, which rounds differently by
    an ulp; in one flat buffer those elements sit inside the loop. Tensors whose
    sizes are multiples of the SIMD width (the MNIST models') train to the bit.
    """
    assert a.keys() == b.keys()
    for key in a:
        torch.testing.assert_close(a[key], b[key], rtol=1e-5, atol=1e-6, msg=key)


def _state(est) -> dict[str, torch.Tensor]:
    return {k: v.clone() for k, v in est.module_.state_dict().items()}


@pytest.mark.parametrize("name", list(ESTIMATORS))
def test_flat_parameters_train_the_same_weights(name, monkeypatch):
    flat = _fit(name)
    monkeypatch.setattr(trainer_module, "can_flatten", lambda params: False)
    plain = _fit(name)
    a, b = _state(flat), _state(plain)
    _assert_close(a, b)
    for key in a:
        assert a[key].stride() == b[key].stride(), key
    assert flat.history_["loss"] == pytest.approx(plain.history_["loss"], rel=1e-5)


def test_sizes_that_fill_the_simd_lanes_train_to_the_bit(monkeypatch):
    def fit():
        est = aekit.AutoEncoder(
            hidden_layer_sizes=(64,), code_size=16, epochs=2, batch_size=32
        )
        return est.set_params(random_state=0).fit(_X(d=32))

    flat = _state(fit())
    monkeypatch.setattr(trainer_module, "can_flatten", lambda params: False)
    plain = _state(fit())
    for key in flat:
        assert torch.equal(flat[key], plain[key]), key


def test_fitted_parameters_own_their_memory_and_have_no_gradient():
    est = _fit("dense-adam")
    for p in est.module_.parameters():
        assert p.grad is None
        assert p.untyped_storage().nbytes() == p.numel() * p.element_size()


@pytest.mark.parametrize("written_flat", [True, False])
def test_checkpoints_resume_across_flat_and_plain_runs(
    tmp_path, monkeypatch, written_flat
):
    """The optimizer state is saved per parameter either way."""
    X = _X()
    make = ESTIMATORS["dense-adam"]
    if not written_flat:
        monkeypatch.setattr(trainer_module, "can_flatten", lambda params: False)
    full = make().fit(
        X, checkpoint=tmp_path / "s{step}.safetensors", checkpoint_every_batches=3
    )
    monkeypatch.undo()
    if written_flat:
        monkeypatch.setattr(trainer_module, "can_flatten", lambda params: False)
    steps = sorted(tmp_path.glob("s*.safetensors"), key=lambda p: int(p.stem[1:]))
    parts, _ = load_checkpoint(steps[len(steps) // 2])
    # One moment tensor per parameter, shaped like it: PyTorch's own format.
    state = parts["optimizer"]["state"]
    for i, p in enumerate(full.module_.parameters()):
        assert state[i]["exp_avg"].shape == p.shape
    resumed = make().fit(X, resume=steps[len(steps) // 2])
    _assert_close(_state(full), _state(resumed))


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph")
def test_replaced_gradients_are_copied_back_into_the_flat_buffer():
    layer = nn.Linear(3, 2)
    params = list(layer.parameters())
    assert can_flatten(params)
    flat = FlatParameters(params)
    assert layer.weight.data_ptr() == flat.param.data_ptr()
    # A backward with create_graph=True replaces .grad instead of adding to it.
    loss = layer(torch.ones(4, 3)).pow(2).sum()
    loss.backward(create_graph=True)
    assert layer.weight.grad is not flat.grad_views[0]
    expected = [p.grad.detach().clone() for p in params]
    flat.sync_grads()
    assert layer.weight.grad is flat.grad_views[0]
    torch.testing.assert_close(
        flat.param.grad, torch.cat([g.view(-1) for g in expected])
    )
    layer.bias.grad = None
    flat.sync_grads()
    assert torch.count_nonzero(flat.grad_views[1]) == 0
    flat.zero_grad()
    assert torch.count_nonzero(flat.param.grad) == 0
    flat.release()
    assert layer.weight.grad is None
    assert layer.weight.data_ptr() != flat.param.data_ptr()


def test_what_is_not_flattened():
    shared = nn.Linear(3, 3)
    frozen = nn.Linear(3, 3)
    frozen.weight.requires_grad_(False)
    assert not can_flatten([nn.Parameter(torch.ones(3))])  # one tensor: nothing to gain
    assert not can_flatten(list(frozen.parameters()))
    assert not can_flatten([shared.weight, shared.weight])
    assert not can_flatten([nn.Parameter(torch.ones(())), nn.Parameter(torch.ones(2))])
    assert not can_flatten(
        [nn.Parameter(torch.ones(2, dtype=torch.float64)), nn.Parameter(torch.ones(2))]
    )
    assert not can_flatten([nn.Parameter(torch.ones(4, 4).t()), shared.bias])
    big = torch.ones(10)
    assert not can_flatten([nn.Parameter(big[:5]), shared.bias])


def test_join_state_rejects_another_models_state():
    flat = FlatParameters(list(nn.Linear(3, 2).parameters()))
    other = torch.optim.Adam(
        nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 2)).parameters()
    )
    with pytest.raises(ValueError, match="4 parameter"):
        flat.join_state(other.state_dict())
