"""The registry of public names (refgrad.registry): every declared placement, method and in-place method
exists in torch under the same name, refgrad's namespaces are exactly what is declared, and the registry refuses
inconsistent declarations."""
from __future__ import annotations

import operator

import pytest
import torch

import refgrad
from refgrad import registry

DECLS = refgrad.registry.declarations()
PLACEMENTS = sorted({q for d in DECLS for q in d.placements() if not q.startswith("Tensor.")})


def _torch_attr(qualified: str):
    return operator.attrgetter(qualified)(torch)


@pytest.mark.parametrize("qualified", PLACEMENTS)
def test_every_placement_is_torchs_and_refgrads(qualified):
    _torch_attr(qualified)  # AttributeError: refgrad declares a name torch does not have
    d = registry.lookup(qualified)
    assert operator.attrgetter(qualified)(refgrad) is d.fn


@pytest.mark.parametrize("name", sorted(registry.tensor_methods()))
def test_every_method_is_a_torch_method(name):
    assert hasattr(torch.Tensor, name), f"torch.Tensor has no method {name}"
    assert getattr(refgrad.Tensor, name) is registry.tensor_methods()[name]  # bound once, at import


@pytest.mark.parametrize("name", sorted(registry.inplace_methods()))
def test_every_inplace_method_is_a_torch_method(name):
    assert hasattr(torch.Tensor, name + "_"), f"torch.Tensor has no method {name}_"
    assert hasattr(refgrad.Tensor, name + "_")


@pytest.mark.parametrize("ns", ["nn.functional", "linalg", "special"])
def test_namespace_holds_exactly_the_declared_names(ns):
    module = operator.attrgetter(ns)(refgrad)
    assert set(module.__all__) == set(registry.namespace(ns))


def test_top_level_holds_every_declared_name():
    missing = [n for n in registry.namespace("") if getattr(refgrad, n, None) is not registry.namespace("")[n]]
    assert not missing


def test_refuses_a_name_declared_twice():
    with pytest.raises(ValueError, match="exp is declared twice"):
        registry.public(lambda x: x, name="exp")
    with pytest.raises(ValueError, match="absolute is declared twice"):  # an alias is a name too
        registry.public(lambda x: x, name="absolute")
    assert registry.lookup("exp").fn is refgrad.exp


def test_refuses_an_unknown_namespace_and_inplace_without_method():
    with pytest.raises(ValueError, match="namespace"):
        registry.public(lambda x: x, name="f", namespace="nn")
    with pytest.raises(ValueError, match="in-place"):
        registry.public(lambda x: x, name="g", inplace=True)
    assert registry.lookup("f") is None and registry.lookup("g") is None


@pytest.mark.parametrize("name", sorted(d.name for d in DECLS if d.varargs))
def test_varargs_only_in_the_method_form(name):
    """torch.reshape(x, 3, 2) is refused; x.reshape(3, 2), x.reshape((3, 2)) and torch.reshape(x, (3, 2)) are not."""
    sizes = (1, 0) if name in ("permute", "flip") else (2, 1)
    for lib in (torch, refgrad):
        x = lib.zeros(1, 2)
        with pytest.raises(TypeError):
            getattr(lib, name)(x, *sizes)
        with pytest.raises(TypeError, match="tuple of ints"):
            getattr(lib, name)(x, sizes[0])
        shapes = {tuple(getattr(x, name)(*sizes).shape), tuple(getattr(x, name)(sizes).shape),
                  tuple(getattr(lib, name)(x, sizes).shape), tuple(getattr(lib, name)(x, list(sizes)).shape)}
        assert len(shapes) == 1
