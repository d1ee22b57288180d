"""What the module harness does not cover for the loss modules (refgrad/nn/modules/loss.py), each against torch
called here: the constructors' signatures and forward's argument names, the attributes a constructor sets (the
legacy size_average / reduce pair resolved into ``reduction``, with torch's warning), class weights registered as
buffers (the very tensor passed, in the state_dict, cast by ``to``), reprs, NLLLoss2d's deprecation warning, and
TripletMarginWithDistanceLoss's default distance module."""
from __future__ import annotations

import inspect
import itertools
import warnings

import numpy as np
import pytest
import torch

import refgrad
from refgrad.nn.modules import loss as loss_modules

LOSSES = loss_modules.__all__
LEGACY = [name for name in LOSSES if "size_average" in inspect.signature(getattr(torch.nn, name).__init__).parameters]


def _public_attributes(module) -> dict:
    """The attributes a constructor set (torch's and refgrad's Module keep their registries under ``_`` names)."""
    return {k: v for k, v in vars(module).items() if not k.startswith("_")}


def _caught(make):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = make()
    return module, [(w.category, str(w.message)) for w in caught]


def test_every_torch_loss_but_the_missing_ones_is_here():
    missing = {"CTCLoss": "refgrad has no F.ctc_loss", "LinearCrossEntropyLoss": "new in torch 2.13, not in issue #9"}
    assert sorted(set(torch.nn.modules.loss.__all__) - set(missing)) == sorted(LOSSES)
    assert all(getattr(refgrad.nn, name) is getattr(loss_modules, name) for name in LOSSES)


@pytest.mark.parametrize("name", LOSSES)
def test_signatures_as_torch(name):
    """Constructor parameters (names, order, kinds, defaults) and forward's argument names are torch's."""

    def described(function):
        return [(p.name, p.kind, p.default) for p in inspect.signature(function).parameters.values()]

    ours, theirs = getattr(refgrad.nn, name), getattr(torch.nn, name)
    assert described(ours.__init__) == described(theirs.__init__)
    assert described(ours.forward) == described(theirs.forward)


@pytest.mark.parametrize("name", LOSSES)
def test_default_attributes_and_repr_as_torch(name):
    ours, _ = _caught(getattr(refgrad.nn, name))
    theirs, _ = _caught(getattr(torch.nn, name))
    mine, torchs = _public_attributes(ours), _public_attributes(theirs)
    if name == "TripletMarginWithDistanceLoss":  # torch's is a child module, compared by the repr below
        assert type(ours.distance_function).__name__ in ("PairwiseDistance", "NoneType")
        mine.pop("distance_function", None)
    assert mine == torchs
    if name == "TripletMarginWithDistanceLoss" and not hasattr(refgrad.nn, "PairwiseDistance"):
        pytest.skip("refgrad.nn.PairwiseDistance is the distance family's: until it is there, the default distance "
                    "is None (F's pairwise_distance), and the repr has no (distance_function) child")
    assert repr(ours) == repr(theirs)


def _configured(name: str) -> dict:
    """Every bool, int and float constructor argument away from its default (each stays valid: p 1 -> 2, a margin
    up by 0.5), and reduction='sum'."""
    kwargs: dict = {"reduction": "sum"}
    for p in inspect.signature(getattr(torch.nn, name).__init__).parameters.values():
        if isinstance(p.default, bool):
            kwargs[p.name] = not p.default
        elif isinstance(p.default, (int, float)):
            kwargs[p.name] = p.default + (1 if isinstance(p.default, int) else 0.5)
    return kwargs


@pytest.mark.parametrize("name", LOSSES)
def test_configured_attributes_as_torch(name):
    ours, _ = _caught(lambda: getattr(refgrad.nn, name)(**_configured(name)))
    theirs, _ = _caught(lambda: getattr(torch.nn, name)(**_configured(name)))
    mine, torchs = _public_attributes(ours), _public_attributes(theirs)
    if name == "TripletMarginWithDistanceLoss":  # see test_default_attributes_and_repr_as_torch
        mine.pop("distance_function", None)
    assert mine == torchs and len(torchs) >= 2


@pytest.mark.parametrize("name", LEGACY)
@pytest.mark.parametrize("size_average,reduce", [p for p in itertools.product([None, True, False], repeat=2)
                                                 if p != (None, None)])
def test_legacy_pair_resolves_into_reduction_with_torchs_warning(name, size_average, reduce):
    """Either of size_average / reduce given: reduction is the pair's (overriding reduction=), and the same
    deprecation warning as torch's."""
    ours, our_warnings = _caught(lambda: getattr(refgrad.nn, name)(size_average=size_average, reduce=reduce,
                                                                   reduction="none"))
    theirs, their_warnings = _caught(lambda: getattr(torch.nn, name)(size_average=size_average, reduce=reduce,
                                                                     reduction="none"))
    assert ours.reduction == theirs.reduction
    assert our_warnings == their_warnings
    assert [category for category, _ in our_warnings if category is UserWarning]


@pytest.mark.parametrize("name", LOSSES)
def test_reduction_is_checked_at_the_call_not_at_construction(name):
    assert _caught(lambda: getattr(refgrad.nn, name)(reduction="avg"))[0].reduction == "avg"
    assert _caught(lambda: getattr(torch.nn, name)(reduction="avg"))[0].reduction == "avg"


def test_nll_loss_2d_warns_as_torch_and_is_nll_loss():
    ours, our_warnings = _caught(refgrad.nn.NLLLoss2d)
    _, their_warnings = _caught(torch.nn.NLLLoss2d)
    assert our_warnings == their_warnings and our_warnings[0][0] is FutureWarning
    assert isinstance(ours, refgrad.nn.NLLLoss)


WEIGHTED = {  # name -> the buffers torch registers
    "NLLLoss": ("weight",), "CrossEntropyLoss": ("weight",), "BCELoss": ("weight",),
    "MultiLabelSoftMarginLoss": ("weight",), "MultiMarginLoss": ("weight",),
    "BCEWithLogitsLoss": ("weight", "pos_weight"),
}


@pytest.mark.parametrize("name", sorted(WEIGHTED))
@pytest.mark.parametrize("given", ["none", "all", "first"])
def test_class_weights_are_buffers_as_torchs(name, given):
    """Each weight given is a persistent buffer, the very tensor passed (torch registers it, no copy); one not
    given is a None buffer, absent from the state_dict; ``to(float64)`` casts it."""
    names = WEIGHTED[name] if given == "all" else WEIGHTED[name][:1] if given == "first" else ()
    values = {n: np.arange(1.0, 4.0, dtype=np.float32) + k for k, n in enumerate(names)}
    ours = getattr(refgrad.nn, name)(**{n: refgrad.tensor(v) for n, v in values.items()})
    theirs = getattr(torch.nn, name)(**{n: torch.from_numpy(v) for n, v in values.items()})
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    for n in WEIGHTED[name]:
        assert (getattr(ours, n) is None) == (n not in values)
    for n in values:
        np.testing.assert_array_equal(ours.state_dict()[n].numpy(), theirs.state_dict()[n].numpy())
    passed = refgrad.tensor(np.ones(3, np.float32))
    assert getattr(refgrad.nn, name)(weight=passed).weight is passed
    ours.double()
    assert all(ours.get_buffer(n).dtype == np.float64 for n in values)


def test_weight_loaded_from_torch_changes_the_loss():
    """A CrossEntropyLoss with a weight buffer takes torch's weights by load_state_dict and then computes torch's
    loss."""
    rng = np.random.default_rng(0)
    x, target = rng.standard_normal((5, 3)), np.array([0, 2, 1, 1, 0])
    theirs = torch.nn.CrossEntropyLoss(weight=torch.tensor([0.2, 1.0, 3.0], dtype=torch.float64))
    ours = refgrad.nn.CrossEntropyLoss(weight=refgrad.tensor(np.ones(3)))
    ours.load_state_dict(theirs.state_dict())
    expected = theirs(torch.from_numpy(x), torch.from_numpy(target)).item()
    assert ours(refgrad.tensor(x), refgrad.tensor(target)).item() == pytest.approx(expected, rel=1e-12)


def test_triplet_with_distance_takes_a_module_as_a_child():
    """A distance_function that is a Module is registered as a child (named_modules, repr), as in torch."""

    class L1(refgrad.nn.Module):
        def forward(self, u, v):
            return (u - v).abs().sum(-1)

    loss = refgrad.nn.TripletMarginWithDistanceLoss(distance_function=L1(), margin=0.5)
    assert [name for name, _ in loss.named_children()] == ["distance_function"]
    assert repr(loss) == "TripletMarginWithDistanceLoss(\n  (distance_function): L1()\n)"
    lam = refgrad.nn.TripletMarginWithDistanceLoss(distance_function=lambda u, v: (u - v).abs().sum(-1))
    assert list(lam.named_children()) == [] and repr(lam) == "TripletMarginWithDistanceLoss()"
