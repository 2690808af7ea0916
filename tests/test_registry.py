"""The model registry."""

from __future__ import annotations

import pytest
from torch import nn

import aekit
from aekit.nn import AEOutput
from aekit.registry import Registry


def test_create_known_model_returns_module():
    net = aekit.models.create("dense", input_dim=10, code_size=3)
    assert isinstance(net, nn.Module)


def test_unknown_model_lists_known_names():
    with pytest.raises(aekit.RegistryError, match=r"unknown model 'nope'.*dense"):
        aekit.models.create("nope")


def test_register_twice_raises():
    reg: Registry[int] = Registry("thing")
    reg.register("a", 1)
    with pytest.raises(aekit.RegistryError, match="already registered"):
        reg.register("a", 2)
    with pytest.raises(aekit.RegistryError, match="already registered"):
        aekit.models.register("dense", lambda **kw: nn.Identity())


def test_decorator_registration_and_listing():
    reg: Registry[type] = Registry("model")

    @reg.register("tiny")
    class Tiny(nn.Module):
        def forward(self, x):
            return AEOutput(code=x, logits=x)

    assert reg.names() == ["tiny"] and "tiny" in reg and len(reg) == 1
    assert reg.get("tiny") is Tiny


@pytest.mark.parametrize("bad", ["", None, 3])
def test_bad_names_rejected(bad):
    with pytest.raises(aekit.RegistryError, match="non-empty string"):
        Registry("model").register(bad, 1)
