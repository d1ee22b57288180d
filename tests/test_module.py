"""refgrad.nn.Module, Parameter and the containers against torch.nn: the same module tree built in both (with small
local modules calling F.linear), compared on state_dict keys, named_* orders, reprs, load_state_dict results and
errors, hooks, dtype conversion and forward outputs after loading torch's weights."""
from __future__ import annotations

from collections import OrderedDict

import numpy as np
import pytest
import torch

import refgrad
import refgrad.nn.functional as RF

FRAMEWORKS = {"torch": (torch, torch.nn, torch.nn.functional), "refgrad": (refgrad, refgrad.nn, RF)}


def _classes(lib, nn, F):
    class Lin(nn.Module):
        def __init__(self, i, o, bias=True):
            super().__init__()
            self.in_features, self.out_features = i, o
            self.weight = nn.Parameter(lib.zeros(o, i))
            if bias:
                self.bias = nn.Parameter(lib.zeros(o))
            else:
                self.register_parameter("bias", None)

        def forward(self, x):
            return F.linear(x, self.weight, self.bias)

        def extra_repr(self):
            return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"

    class Norm(nn.Module):
        def __init__(self, n):
            super().__init__()
            self.register_buffer("running_mean", lib.zeros(n))
            self.register_buffer("scratch", lib.ones(n), persistent=False)
            self.register_buffer("num_batches_tracked", lib.tensor(0))

        def forward(self, x):
            return x - self.running_mean

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = nn.Sequential(Lin(3, 4), Norm(4), Lin(4, 2, bias=False))
            self.heads = nn.ModuleList([Lin(2, 2), Lin(2, 2), Lin(2, 1)])
            self.extra = nn.ModuleDict({"b": Lin(2, 2), "a": Norm(2)})
            self.scales = nn.ParameterList([nn.Parameter(lib.ones(2)), nn.Parameter(lib.ones(2, 3))])
            self.named = nn.ParameterDict({"z": nn.Parameter(lib.ones(1)), "y": nn.Parameter(lib.ones(2))})
            self.shared = self.heads[0]  # the same module under two names

        def forward(self, x):
            h = self.body(x)
            return sum(head(h).sum() for head in self.heads) * self.scales[0].sum() + self.named["z"].sum()

    return Lin, Norm, Net


CLASSES = {name: _classes(*libs) for name, libs in FRAMEWORKS.items()}


def _twins(which="Net", *args):
    index = ("Lin", "Norm", "Net").index(which)
    return CLASSES["torch"][index](*args), CLASSES["refgrad"][index](*args)


def _torch_weights(module, seed=0):
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(torch.randn(p.shape, generator=generator))
        for b in module.buffers():
            if b.is_floating_point():
                b.copy_(torch.randn(b.shape, generator=generator))
            else:
                b.fill_(7)
    return module


def _names(pairs):
    return [name for name, _ in pairs]


# ---- Parameter ---------------------------------------------------------------------------------------------------
def test_parameter_is_a_tensor_requiring_grad_with_torchs_repr():
    p = refgrad.nn.Parameter(refgrad.ones(2, 3))
    assert isinstance(p, refgrad.Tensor) and p.requires_grad and p.is_leaf
    assert repr(p) == repr(torch.nn.Parameter(torch.ones(2, 3)))
    assert not refgrad.nn.Parameter(refgrad.ones(2), requires_grad=False).requires_grad
    assert refgrad.nn.Parameter().shape == torch.nn.Parameter().shape == (0,)
    assert type(p * 2) is refgrad.Tensor  # an op's result is a plain tensor, as torch's


def test_parameter_shares_memory_with_its_data():
    data = refgrad.zeros(3)
    p = refgrad.nn.Parameter(data)
    with refgrad.no_grad():
        p.fill_(2.0)
    np.testing.assert_array_equal(data.numpy(), [2.0, 2.0, 2.0])


# ---- the tree: keys, orders, reprs ------------------------------------------------------------------------------
def test_state_dict_keys_and_named_orders_are_torchs():
    t, r = _twins()
    assert list(t.state_dict()) == list(r.state_dict())
    for method in ("named_parameters", "named_buffers", "named_modules", "named_children"):
        assert _names(getattr(t, method)()) == _names(getattr(r, method)()), method
    for kwargs in ({"prefix": "net"}, {"recurse": False}, {"remove_duplicate": False}):
        assert _names(t.named_parameters(**kwargs)) == _names(r.named_parameters(**kwargs)), kwargs
        assert _names(t.named_buffers(**kwargs)) == _names(r.named_buffers(**kwargs)), kwargs
    assert _names(t.named_modules(prefix="m", remove_duplicate=False)) == _names(
        r.named_modules(prefix="m", remove_duplicate=False))
    assert len(list(t.parameters())) == len(list(r.parameters()))
    assert len(list(t.modules())) == len(list(r.modules()))
    assert len(list(t.children())) == len(list(r.children()))
    assert "scratch" not in " ".join(r.state_dict()) and "body.1.scratch" in _names(r.named_buffers())


def test_repr_is_torchs():
    t, r = _twins()
    # ParameterList names dtypes, which print as refgrad.float32 where torch says torch.float32
    assert repr(r) == repr(t).replace("torch.float", "refgrad.float")
    assert repr(refgrad.nn.ModuleList()) == repr(torch.nn.ModuleList())
    assert repr(refgrad.nn.Sequential()) == repr(torch.nn.Sequential())


def test_multiline_extra_repr_and_nesting():
    class Multi(refgrad.nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    class TorchMulti(torch.nn.Module):
        def extra_repr(self):
            return "a=1\nb=2"

    r = refgrad.nn.Sequential(refgrad.nn.Sequential(Multi()), Multi())
    t = torch.nn.Sequential(torch.nn.Sequential(TorchMulti()), TorchMulti())
    assert repr(r) == repr(t).replace("TorchMulti", "Multi")


def test_dir_lists_registered_names():
    t, r = _twins()
    for name in ("body", "heads", "shared", "forward", "training"):
        assert name in dir(r) and name in dir(t)
    assert "0" not in dir(r.body) and "0" not in dir(t.body)
    assert "weight" in dir(r.body[0])


# ---- load_state_dict -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("as_what", ["torch", "numpy", "refgrad"])
def test_torch_weights_load_and_forward_agrees(as_what):
    t, r = _twins()
    _torch_weights(t)
    state = t.state_dict()
    if as_what == "numpy":
        state = {k: v.numpy() for k, v in state.items()}
    elif as_what == "refgrad":
        state = {k: refgrad.tensor(v.numpy()) for k, v in state.items()}
    result = r.load_state_dict(state)
    assert result == t.load_state_dict(t.state_dict()) and repr(result) == "<All keys matched successfully>"
    for (name, tv), (_, rv) in zip(t.state_dict().items(), r.state_dict().items()):
        np.testing.assert_array_equal(tv.numpy(), rv.numpy(), err_msg=name)
        assert rv.dtype == tv.numpy().dtype
    x = np.random.default_rng(0).standard_normal((5, 3)).astype(np.float32)
    np.testing.assert_allclose(r(refgrad.tensor(x)).item(), t(torch.tensor(x)).item(), rtol=1e-5)


def test_load_copies_in_place_cast_to_the_parameters_dtype():
    t, r = _twins("Lin", 3, 2)
    weight = r.weight
    state = {k: v.double() for k, v in _torch_weights(t).state_dict().items()}
    r.load_state_dict(state)
    assert r.weight is weight and r.weight.dtype == np.float32 and r.weight.requires_grad
    np.testing.assert_array_equal(r.weight.detach().numpy(), t.weight.detach().numpy())


def test_load_state_dict_missing_unexpected_and_size_mismatch_as_torch():
    t, r = _twins("Lin", 3, 2)
    state = {"weight": torch.zeros(2, 3), "extra": torch.zeros(1), "sub.x": torch.zeros(1)}
    expected = t.load_state_dict(state, strict=False)
    got = r.load_state_dict(state, strict=False)
    assert tuple(got) == tuple(expected) and got.missing_keys == ["bias"]
    assert type(got).__name__ == type(expected).__name__ and repr(got) == repr(expected)
    with pytest.raises(RuntimeError) as torch_error:
        t.load_state_dict(state)
    with pytest.raises(RuntimeError) as refgrad_error:
        r.load_state_dict(state)
    assert str(refgrad_error.value) == str(torch_error.value)
    bad = {"weight": torch.zeros(3, 2), "bias": torch.zeros(2)}
    for strict in (True, False):  # a size mismatch raises even when not strict, as torch
        with pytest.raises(RuntimeError, match="size mismatch for weight"):
            t.load_state_dict(bad, strict=strict)
        with pytest.raises(RuntimeError, match=r"size mismatch for weight: copying a param with shape \[3, 2\] "
                                               r"from checkpoint, the shape in current model is \[2, 3\]"):
            r.load_state_dict(bad, strict=strict)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        r.load_state_dict([("weight", np.zeros((2, 3)))])


def test_load_state_dict_reaches_buffers_and_skips_non_persistent_ones():
    t, r = _twins("Norm", 3)
    _torch_weights(t)
    r.load_state_dict(t.state_dict())
    np.testing.assert_array_equal(r.running_mean.numpy(), t.running_mean.numpy())
    assert r.num_batches_tracked.item() == 7 and r.num_batches_tracked.dtype == np.int64
    np.testing.assert_array_equal(r.scratch.numpy(), np.ones(3))


def test_load_state_dict_assign_replaces_the_tensors():
    t, r = _twins("Lin", 3, 2)
    state = {k: v.double() for k, v in _torch_weights(t).state_dict().items()}
    weight = r.weight
    r.load_state_dict(state, assign=True)
    assert r.weight is not weight and isinstance(r.weight, refgrad.nn.Parameter) and r.weight.requires_grad
    assert r.weight.dtype == np.float64


# ---- attribute assignment -------------------------------------------------------------------------------------
def _error(fn):
    try:
        fn()
    except Exception as error:  # noqa: BLE001 - the class is what is compared
        return type(error), str(error)
    return None


@pytest.mark.parametrize("case", [
    "non_parameter_to_parameter_name", "non_module_to_module_name", "number_to_buffer_name", "bad_register_name",
    "dotted_register_name", "empty_register_name", "existing_attribute", "parameter_before_init",
    "module_before_init", "register_parameter_plain_tensor", "add_module_not_a_module", "computed_tensor_as_parameter",
    "missing_attribute", "train_non_bool", "dotted_module_name", "unexpected_init_kwargs"])
def test_refusals_match_torch(case):
    def run(lib, nn):
        Lin, Norm, _ = CLASSES["torch" if lib is torch else "refgrad"]
        m = Lin(2, 2)
        n = Norm(2)
        if case == "non_parameter_to_parameter_name":
            m.weight = lib.zeros(2, 2)
        elif case == "non_module_to_module_name":
            s = nn.Sequential(Lin(1, 1))
            setattr(s, "0", 3)
        elif case == "number_to_buffer_name":
            n.running_mean = 3
        elif case == "bad_register_name":
            m.register_buffer(3, lib.zeros(1))
        elif case == "dotted_register_name":
            m.register_parameter("a.b", None)
        elif case == "empty_register_name":
            m.register_buffer("", None)
        elif case == "existing_attribute":
            m.register_buffer("in_features", None)
        elif case == "parameter_before_init":
            class Early(nn.Module):
                def __init__(self):
                    self.w = nn.Parameter(lib.zeros(1))
            Early()
        elif case == "module_before_init":
            class Early(nn.Module):
                def __init__(self):
                    self.m = nn.Sequential()
            Early()
        elif case == "register_parameter_plain_tensor":
            m.register_parameter("extra", lib.zeros(1))
        elif case == "add_module_not_a_module":
            m.add_module("x", 3)
        elif case == "computed_tensor_as_parameter":
            m.register_parameter("extra", nn.Parameter(lib.zeros(1)) * 2)
        elif case == "missing_attribute":
            m.nothing  # noqa: B018
        elif case == "train_non_bool":
            m.train(1)
        elif case == "dotted_module_name":
            m.add_module("a.b", nn.Sequential())
        elif case == "unexpected_init_kwargs":
            nn.Module(foo=1)

    expected, got = _error(lambda: run(torch, torch.nn)), _error(lambda: run(refgrad, refgrad.nn))
    assert expected is not None and got is not None, (expected, got)
    assert got == expected


def test_assignment_moves_a_name_between_registries():
    Lin = CLASSES["refgrad"][0]
    m = Lin(2, 2)
    m.register_buffer("stat", refgrad.zeros(1))
    m.stat = refgrad.ones(1)  # a tensor assigned to a buffer name stays a buffer
    assert "stat" in dict(m.named_buffers())
    m.stat = refgrad.nn.Parameter(refgrad.ones(1))  # a Parameter takes the name over
    assert "stat" in dict(m.named_parameters()) and "stat" not in dict(m.named_buffers())
    m.stat = None
    assert m.stat is None and "stat" not in m.state_dict()
    m.child = refgrad.nn.Sequential()
    del m.child
    assert "child" not in m._modules and not hasattr(m, "child")
    del m.bias
    assert "bias" not in dict(m.named_parameters())


def test_get_submodule_parameter_and_buffer():
    t, r = _twins()
    assert r.get_submodule("body.0") is r.body[0] and r.get_submodule("") is r
    assert r.get_parameter("body.0.weight") is r.body[0].weight
    assert r.get_buffer("body.1.running_mean") is r.body[1].running_mean
    for target, method in (("body.9", "get_submodule"), ("body.0.weight", "get_submodule"),
                           ("body.0.nothing", "get_parameter"), ("body.0.in_features", "get_parameter")):
        expected = _error(lambda method=method, target=target: getattr(t, method)(target))
        assert _error(lambda method=method, target=target: getattr(r, method)(target)) == expected, target


# ---- modes, grads, dtypes ----------------------------------------------------------------------------------------
def test_train_eval_requires_grad_and_apply():
    t, r = _twins()
    assert r.eval() is r and not any(m.training for m in r.modules())
    r.train()
    assert all(m.training for m in r.modules())
    r.requires_grad_(False)
    assert not any(p.requires_grad for p in r.parameters())
    visited_r, visited_t = [], []
    r.apply(lambda m: visited_r.append(type(m).__name__))
    t.apply(lambda m: visited_t.append(type(m).__name__))
    assert visited_r == visited_t


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    _, r = _twins("Lin", 3, 2)
    r(refgrad.ones(4, 3)).sum().backward()
    assert r.weight.grad is not None
    r.zero_grad(set_to_none=set_to_none)
    if set_to_none:
        assert r.weight.grad is None and r.bias.grad is None
    else:
        np.testing.assert_array_equal(r.weight.grad.numpy(), np.zeros((2, 3)))


def test_to_double_float_cast_floating_tensors_only_and_keep_identity():
    _, r = _twins("Net")
    params = list(r.parameters())
    r(refgrad.ones(1, 3)).backward()
    assert r.double() is r
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in r.parameters() if p.grad is not None)
    assert all(a is b for a, b in zip(params, r.parameters()))
    assert r.body[1].running_mean.dtype == np.float64 and r.body[1].num_batches_tracked.dtype == np.int64
    r.float()
    assert all(p.dtype == np.float32 for p in r.parameters())
    r.to(refgrad.float64)
    assert r.body[0].weight.dtype == np.float64
    r.to("cpu", dtype=refgrad.float32)
    assert r.body[0].weight.dtype == np.float32
    r.to(refgrad.zeros(1, dtype=refgrad.float64))
    assert r.body[0].weight.dtype == np.float64
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        r.to(refgrad.int64)
    with pytest.raises(TypeError, match="only accepts floating point or complex dtypes"):
        torch.nn.Linear(1, 1).to(torch.int64)


# ---- hooks and calls ----------------------------------------------------------------------------------------------
def _record_hooks(lib, nn):
    Lin = CLASSES["torch" if lib is torch else "refgrad"][0]
    m = Lin(2, 2)
    log = []
    m.register_forward_pre_hook(lambda mod, args: log.append(("pre", len(args))))
    m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    m.register_forward_pre_hook(lambda mod, args, kwargs: log.append(("pre_kw", sorted(kwargs))), with_kwargs=True)
    first = m.register_forward_hook(lambda mod, args, out: log.append(("fwd", tuple(out.shape))))
    m.register_forward_hook(lambda mod, args, out: out + 1)
    m.register_forward_hook(lambda mod, args, kwargs, out: log.append(("fwd_kw", len(args))), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: log.append("first"), prepend=True)
    with torch.no_grad():
        m.weight.fill_(1.0) if lib is torch else None
    if lib is refgrad:
        with refgrad.no_grad():
            m.weight.fill_(1.0)
    out1 = m(lib.ones(1, 2))
    first.remove()
    out2 = m(lib.ones(1, 2))
    return log, np.asarray(out1.detach()), np.asarray(out2.detach())


def test_forward_hooks_as_torch():
    expected, got = _record_hooks(torch, torch.nn), _record_hooks(refgrad, refgrad.nn)
    assert got[0] == expected[0]
    np.testing.assert_array_equal(got[1], expected[1])
    np.testing.assert_array_equal(got[2], expected[2])


def test_forward_hook_always_call_runs_when_forward_raises():
    for nn in (torch.nn, refgrad.nn):
        class Failing(nn.Module):
            def forward(self, x):
                raise ValueError("boom")

        m, log = Failing(), []
        m.register_forward_hook(lambda mod, args, out, log=log: log.append(("always", out)), always_call=True)
        m.register_forward_hook(lambda mod, args, out, log=log: log.append("plain"))
        with pytest.raises(ValueError, match="boom"):
            m(1)
        assert log == [("always", None)]


def test_pre_hook_with_kwargs_replaces_args_and_kwargs():
    for nn in (torch.nn, refgrad.nn):
        class Echo(nn.Module):
            def forward(self, *args, **kwargs):
                return args, kwargs

        m = Echo()
        handle = m.register_forward_pre_hook(lambda mod, args, kwargs: ((9,), {"k": 1}), with_kwargs=True)
        assert m(1, a=2) == ((9,), {"k": 1})
        handle.remove()
        m.register_forward_pre_hook(lambda mod, args, kwargs: 5, with_kwargs=True)
        with pytest.raises(RuntimeError, match="forward pre-hook must return None or a tuple"):
            m(1)


def test_missing_forward_raises_as_torch():
    expected = _error(lambda: torch.nn.Module()(1))
    assert _error(lambda: refgrad.nn.Module()(1)) == expected


# ---- containers ---------------------------------------------------------------------------------------------------
def _sequence_ops(nn, Lin):
    s = nn.Sequential(Lin(1, 1), Lin(1, 2), Lin(2, 3))
    log = [len(s), repr(s[-1]), repr(s[1:]), type(s[1:]).__name__]
    s.append(Lin(3, 4))
    s.insert(1, Lin(5, 5))
    s.insert(-1, Lin(6, 6))
    s.extend(nn.Sequential(Lin(7, 7)))
    log.append(repr(s))
    del s[0]
    log.append(list(s._modules))
    popped = s.pop(1)
    log.append((repr(popped), list(s._modules)))
    del s[1:3]
    log.append(repr(s))
    s[0] = Lin(8, 8)
    log.append(repr(s + nn.Sequential(Lin(9, 9))))
    named = nn.Sequential(OrderedDict([("first", Lin(1, 1)), ("second", Lin(1, 1))]))
    log.append((repr(named), list(named.state_dict())))
    log.append(_error(lambda: s[10]))
    log.append(_error(lambda: s + [1]))
    for factor in (0, 1.5):  # the messages name the class: <class '{torch,refgrad}.nn.modules.container.Sequential'>
        kind, message = _error(lambda factor=factor: s * factor)
        log.append((kind, message.replace(nn.__name__ + ".", "nn.")))
    log.append((repr(s * 2), repr(2 * s)))
    repeated = s * 3
    assert repeated[0] is repeated[len(s)]  # the same modules, as torch's
    s *= 2
    log.append(repr(s))
    return log


def test_sequential_as_torch():
    assert _sequence_ops(refgrad.nn, CLASSES["refgrad"][0]) == _sequence_ops(torch.nn, CLASSES["torch"][0])


def test_sequential_forward_chains():
    t = torch.nn.Sequential(*[CLASSES["torch"][0](2, 2) for _ in range(3)])
    r = refgrad.nn.Sequential(*[CLASSES["refgrad"][0](2, 2) for _ in range(3)])
    r.load_state_dict(_torch_weights(t).state_dict())
    x = np.arange(4, dtype=np.float32).reshape(2, 2)
    np.testing.assert_allclose(r(refgrad.tensor(x)).detach().numpy(), t(torch.tensor(x)).detach().numpy(),
                               rtol=1e-6)


def _module_list_ops(nn, Lin):
    m = nn.ModuleList([Lin(1, 1), Lin(1, 1)])
    m.append(Lin(1, 1))
    m += [Lin(2, 2)]
    m.insert(1, Lin(3, 3))
    log = [repr(m), len(m), repr(m[-1]), repr(m[1:3]), list(m.state_dict())]
    m.extend([Lin(4, 4)])
    del m[0]
    m[0] = Lin(5, 5)
    log.append((repr(m), list(m._modules)))
    popped = m.pop(-1)
    del m[::2]
    log.append((repr(popped), repr(m), repr(m + nn.ModuleList([Lin(6, 6)]))))
    log.append(_error(lambda: m[7]))
    log.append(_error(lambda: m.extend(3)))
    return log


def test_module_list_as_torch():
    assert _module_list_ops(refgrad.nn, CLASSES["refgrad"][0]) == _module_list_ops(torch.nn, CLASSES["torch"][0])


def _module_dict_ops(nn, Lin):
    d = nn.ModuleDict({"b": Lin(1, 1), "a": Lin(2, 2)})
    d["c"] = Lin(3, 3)
    d.update([("d", Lin(4, 4))])
    log = [repr(d), list(d.keys()), [repr(v) for v in d.values()], [k for k, _ in d.items()], "a" in d, len(d),
           list(d), list(d.state_dict())]
    log.append(repr(d.pop("b")))
    del d["a"]
    log.append(list(d))
    log.append(_error(lambda: d.update(3)))
    log.append(_error(lambda: d.update([("x", Lin(1, 1), 3)])))
    d.clear()
    log.append(len(d))
    return log


def test_module_dict_as_torch():
    assert _module_dict_ops(refgrad.nn, CLASSES["refgrad"][0]) == _module_dict_ops(torch.nn, CLASSES["torch"][0])


def _parameter_containers_ops(lib, nn):
    plist = nn.ParameterList([nn.Parameter(lib.ones(2)), lib.zeros(3)])  # a plain tensor becomes a Parameter
    plist.append(lib.ones(1, 2))
    plist.extend([nn.Parameter(lib.ones(4))])
    plist[0] = lib.full((2,), 3.0)
    log = [len(plist), [type(p).__name__ for p in plist], [tuple(p.shape) for p in plist[1:3]],
           list(plist.state_dict()), repr(plist).replace("torch.float", "refgrad.float")]
    log.append(_error(lambda: plist[9]))
    log.append(_error(lambda: plist.extend(lib.ones(2))))
    pdict = nn.ParameterDict({"b": nn.Parameter(lib.ones(1)), "a": lib.zeros(2)})  # a plain dict: sorted keys
    pdict["c"] = lib.ones(3)
    pdict.update(OrderedDict([("e", lib.ones(1)), ("d", lib.ones(1))]))
    log += [list(pdict), list(pdict.keys()), [type(v).__name__ for v in pdict.values()], repr(pdict),
            list(pdict.state_dict()), "a" in pdict, pdict.get("zz", 5), tuple(pdict.setdefault("f", lib.ones(2)).shape)]
    log.append(tuple(pdict.pop("a").shape))
    log.append(pdict.popitem()[0])
    log.append(_error(lambda: pdict[3]))
    log.append(len(pdict.copy()))
    pdict.clear()
    log.append(len(pdict))
    return log


def test_parameter_list_and_dict_as_torch():
    assert _parameter_containers_ops(refgrad, refgrad.nn) == _parameter_containers_ops(torch, torch.nn)


def test_parameter_containers_register_their_tensors_on_the_parent():
    t, r = _twins()
    assert "scales.1" in dict(r.named_parameters()) and "named.y" in dict(r.named_parameters())
    assert list(t.state_dict()) == list(r.state_dict())


# ---- full backward hooks ---------------------------------------------------------------------------------------
def _as_lists(grads):
    return [None if g is None else np.asarray(g.detach()).tolist() for g in grads]


def _backward_hook_run(lib, nn, b_requires_grad, replace):
    class Two(nn.Module):
        def forward(self, a, b, k=2.0):
            return a * b * k, (a + b).sum()

    m, log = Two(), []

    def hook(module, grad_input, grad_output):
        log.append((_as_lists(grad_input), _as_lists(grad_output)))
        if replace:
            return tuple(None if g is None else g * 10 for g in grad_input)

    handle = m.register_full_backward_hook(hook)
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([3.0, 4.0], requires_grad=b_requires_grad)
    x, y = m(a, b)
    (x.sum() + 2 * y).backward()
    handle.remove()
    m(a, b)[1].backward()  # removed: not called again
    return log, a.grad.tolist(), None if b.grad is None else b.grad.tolist()


@pytest.mark.parametrize("b_requires_grad, replace", [(True, False), (False, False), (False, True)])
def test_full_backward_hook_as_torch(b_requires_grad, replace):
    expected = _backward_hook_run(torch, torch.nn, b_requires_grad, replace)
    assert _backward_hook_run(refgrad, refgrad.nn, b_requires_grad, replace) == expected


def test_full_backward_hook_without_differentiable_inputs_fires_on_outputs():
    def run(lib, nn):
        class Scale(nn.Module):
            def __init__(self):
                super().__init__()
                self.w = nn.Parameter(lib.ones(2))

            def forward(self, a):
                return a * self.w

        m, log = Scale(), []
        m.register_full_backward_hook(lambda mod, gi, go: log.append((_as_lists(gi), _as_lists(go))))
        m(lib.tensor([1.0, 2.0])).sum().backward()
        return log

    with pytest.warns(UserWarning):  # torch warns that the hook fires at the outputs; refgrad does not
        expected = run(torch, torch.nn)
    assert run(refgrad, refgrad.nn) == expected == [([None], [[1.0, 1.0]])]


def test_deepcopy_keeps_the_tree_and_copies_the_tensors():
    import copy

    original = CLASSES["refgrad"][2]()
    clone = copy.deepcopy(original)
    assert list(clone.state_dict()) == list(original.state_dict()) and clone.shared is clone.heads[0]
    assert isinstance(clone.body[0].weight, refgrad.nn.Parameter) and clone.body[0].weight.requires_grad
    with refgrad.no_grad():
        clone.body[0].weight.fill_(3.0)
    assert original.body[0].weight.detach().numpy().max() == 0.0
    assert original.state_dict(keep_vars=True)["body.0.weight"] is original.body[0].weight


def test_load_accepts_torch_tensors_that_require_grad():
    t, r = _twins("Lin", 3, 2)
    _torch_weights(t)
    r.load_state_dict(t.state_dict(keep_vars=True))  # Parameters requiring grad: detached before np.asarray
    np.testing.assert_array_equal(r.weight.detach().numpy(), t.weight.detach().numpy())
    np.testing.assert_array_equal(r.bias.detach().numpy(), t.bias.detach().numpy())
