"""The Optimizer and LRScheduler bases against torch's, called in the tests: parameter groups and their errors,
zero_grad, step hooks and closures, state_dict layout, repr; the scheduler's warnings and user subclasses."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import refgrad

LIBS = [torch, refgrad]


def _params(lib, *shapes):
    return [lib.nn.Parameter(lib.tensor(np.ones(s))) for s in shapes]


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the class and message are compared
        return type(e), str(e)
    return None


@pytest.mark.parametrize("make", [
    lambda lib, p: lib.optim.SGD([{"params": p[:1]}, {"params": p[:1]}], lr=0.1),
    lambda lib, p: lib.optim.SGD([{"params": p, "names": 1}, {}], lr=0.1),
    lambda lib, p: lib.optim.SGD([("a", p[0]), p[1]], lr=0.1),
    lambda lib, p: lib.optim.SGD([p[0] * 2], lr=0.1),
    lambda lib, p: lib.optim.SGD([1.0], lr=0.1),
    lambda lib, p: lib.optim.SGD(set(p), lr=0.1).add_param_group({"params": set(p)}),
    lambda lib, p: lib.optim.SGD(p[:1], lr=0.1).add_param_group(p[1]),
    lambda lib, p: lib.optim.SGD(p[:1], lr=lib.tensor([0.1, 0.2])),
], ids=["shared parameter", "missing params", "names for some", "non-leaf", "not a tensor", "set", "not a dict",
        "lr tensor of two"])
def test_bad_parameter_groups_raise_as_torch(make):
    theirs = _raised(lambda: make(torch, _params(torch, (2,), (3,))))
    ours = _raised(lambda: make(refgrad, _params(refgrad, (2,), (3,))))
    assert theirs is not None and ours is not None
    assert ours[0] is theirs[0] and ours[1].replace("refgrad", "torch") == theirs[1].replace("Double", "Float")


def test_duplicate_parameters_in_a_group_warn_as_torch():
    for lib in LIBS:
        p = _params(lib, (2,))[0]
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([p, p], lr=0.1)


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    out = []
    for lib in LIBS:
        p = _params(lib, (2,))[0]
        p.grad = lib.tensor(np.array([1.0, 2.0]))
        lib.optim.SGD([p], lr=0.1).zero_grad(set_to_none=set_to_none)
        out.append(None if p.grad is None else np.asarray(p.grad).tolist())
    assert out[0] == out[1]


def test_step_runs_the_closure_under_grad_mode_and_returns_its_loss():
    p = _params(refgrad, (2,))[0]
    opt = refgrad.optim.SGD([p], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    with refgrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 2.0 and np.allclose(p.detach().numpy(), [0.0, 0.0])


def test_step_hooks_see_the_call_as_torchs_and_a_pre_hook_may_replace_it():
    seen = []
    for lib in LIBS:
        p = _params(lib, (2,))[0]
        p.grad = lib.tensor(np.ones(2))
        opt, calls = lib.optim.SGD([p], lr=0.1), []

        def pre(o, args, kwargs, calls=calls):
            calls.append(("pre", len(args), args[0] is o, sorted(kwargs)))
            return (args[0],), {"closure": lambda: 7.0}

        opt.register_step_pre_hook(pre)
        handle = opt.register_step_post_hook(lambda o, args, kwargs, calls=calls: calls.append(("post", sorted(kwargs))))
        calls.append(("loss", opt.step()))
        handle.remove()
        opt.step()
        seen.append(calls)
    assert seen[0] == seen[1]
    assert seen[1][:3] == [("pre", 1, True, []), ("post", ["closure"]), ("loss", 7.0)]


def test_state_dict_layout_and_repr_equal_torchs():
    out = []
    for lib in LIBS:
        a, b, c = _params(lib, (2,), (3,), (1,))
        opt = lib.optim.SGD([{"params": [a, b]}, {"params": [c], "lr": 0.5}], lr=0.1, momentum=0.9)
        for p in (a, b, c):
            p.grad = lib.tensor(np.ones(tuple(p.shape)))
        opt.step()
        sd = opt.state_dict()
        out.append((sd["param_groups"], {k: sorted(v) for k, v in sd["state"].items()}, repr(opt)))
    assert out[0] == out[1]


@pytest.mark.parametrize("groups, message", [
    ([[0], [1]], "different number of parameter groups"),
    ([[0, 1, 2]], "doesn't match the size"),
])
def test_load_state_dict_checks_the_groups_as_torch(groups, message):
    for lib in LIBS:
        ps = _params(lib, (2,), (3,), (1,))
        source = lib.optim.SGD([{"params": [ps[i] for i in idx]} for idx in groups], lr=0.1)
        target = lib.optim.SGD(ps[:2], lr=0.1)
        with pytest.raises(ValueError, match=message):
            target.load_state_dict(source.state_dict())


def test_a_sparse_gradient_to_sgd_is_applied_as_its_dense_equivalent():
    from refgrad.sparse import SparseRowTensor

    dense, sparse = _params(refgrad, (3, 2), (3, 2))
    g = np.array([[1.0, 2.0]])
    dense.grad = refgrad.tensor(np.array([[0.0, 0.0], [1.0, 2.0], [0.0, 0.0]]))
    sparse.grad = SparseRowTensor(np.array([1]), g, (3, 2))
    refgrad.optim.SGD([dense, sparse], lr=0.1).step()
    assert np.array_equal(dense.detach().numpy(), sparse.detach().numpy())


# ---- schedulers ---------------------------------------------------------------------------------------------------
def _scheduled(lib, **kwargs):
    opt = lib.optim.SGD(_params(lib, (2,)), lr=0.1)
    return opt, lib.optim.lr_scheduler.StepLR(opt, step_size=2, **kwargs)


def _warnings(fn) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [str(w.message) for w in caught]


def test_scheduler_stepped_before_the_optimizer_warns_as_torch():
    for lib in LIBS:
        opt, sched = _scheduled(lib)
        assert any("before `optimizer.step()`" in m for m in _warnings(sched.step))
        opt, sched = _scheduled(lib)
        assert _warnings(lambda o=opt, s=sched: (o.step(), s.step())) == []


def test_scheduler_step_with_an_epoch_warns_and_uses_the_closed_form():
    lrs = []
    for lib in LIBS:
        opt, sched = _scheduled(lib, gamma=0.5)
        opt.step()
        assert any("epoch parameter" in m for m in _warnings(lambda s=sched: s.step(5)))
        lrs.append(sched.get_last_lr())
    assert lrs[0] == lrs[1] == [0.1 * 0.5**2]


def test_resuming_a_scheduler_needs_initial_lr():
    for lib in LIBS:
        opt = lib.optim.SGD(_params(lib, (2,)), lr=0.1)
        with pytest.raises(KeyError, match="initial_lr"):
            lib.optim.lr_scheduler.StepLR(opt, 2, last_epoch=3)


def test_a_user_subclass_of_lr_scheduler_runs_as_in_torch():
    def halving(lib):
        class Halving(lib.optim.lr_scheduler.LRScheduler):
            def get_lr(self):
                return [base / 2 ** self.last_epoch for base in self.base_lrs]

        opt = lib.optim.SGD(_params(lib, (2,)), lr=1.0)
        sched, seen = Halving(opt), []
        for _ in range(4):
            opt.step()
            sched.step()
            seen.append(sched.get_last_lr())
        return seen

    assert halving(refgrad) == halving(torch)
