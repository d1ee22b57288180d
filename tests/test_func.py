"""refgrad.func.jvp / vjp refuse what torch.func refuses, with the same exception class, and compute the same."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.func

import refgrad as rg


def _jvp_cases(lib):
    x, i = lib.tensor([1.0, 2.0]), lib.tensor([1, 2])
    return {
        "integer primal": lambda: lib.func.jvp(lambda t: t * 2, (i,), (x,)),
        "integer tangent": lambda: lib.func.jvp(lambda t: t * 2, (x,), (i,)),
        "integer primal and tangent": lambda: lib.func.jvp(lambda t: t * 2, (i,), (i,)),
        "returns a float": lambda: lib.func.jvp(lambda t: 3.0, (x,), (x,)),
        "returns a float in a tuple": lambda: lib.func.jvp(lambda t: (t, t.sum().item()), (x,), (x,)),
        "primals not a tuple": lambda: lib.func.jvp(lambda t: t, x, x),
        "primals a list": lambda: lib.func.jvp(lambda t: t, [x], [x]),
        "tangents not a tuple": lambda: lib.func.jvp(lambda t: t, (x,), x),
        "fewer tangents": lambda: lib.func.jvp(lambda t, u: t, (x, x), (x,)),
        "no primals": lambda: lib.func.jvp(lambda: x, (), ()),
        "a number as primal": lambda: lib.func.jvp(lambda t: t, (3.0,), (x,)),
        "a number as tangent": lambda: lib.func.jvp(lambda t: t, (x,), (3.0,)),
        "tangent of another shape": lambda: lib.func.jvp(lambda t: t, (x,), (lib.ones(3),)),
        "has_aux without aux": lambda: lib.func.jvp(lambda t: t, (x,), (x,), has_aux=True),
        "has_aux with three": lambda: lib.func.jvp(lambda t: (t, t, t), (x,), (x,), has_aux=True),
        "aux holding a number": lambda: lib.func.jvp(lambda t: (t, (t, 5)), (x,), (x,), has_aux=True),
    }


def _vjp_cases(lib):
    x, i = lib.tensor([1.0, 2.0]), lib.tensor([1, 2])
    return {
        "integer primal": lambda: lib.func.vjp(lambda t: t * 2, i),
        "a number as primal": lambda: lib.func.vjp(lambda t: t, 3.0),
        "returns a float": lambda: lib.func.vjp(lambda t: 3.0, x),
        "returns a float in a tuple": lambda: lib.func.vjp(lambda t: (t * 2, t.sum().item()), x),
        "returns a bool tensor": lambda: lib.func.vjp(lambda t: t > 0, x),
        "returns an integer tensor": lambda: lib.func.vjp(lambda t: t.long(), x),
        "has_aux without aux": lambda: lib.func.vjp(lambda t: t * 2, x, has_aux=True),
        "aux holding a number": lambda: lib.func.vjp(lambda t: (t * 2, [t, 5]), x, has_aux=True),
        "one cotangent for two outputs": lambda: lib.func.vjp(lambda t: (t * 2, t), x)[1](lib.ones(2)),
        "a tuple of cotangents for one output": lambda: lib.func.vjp(lambda t: t * 2, x)[1]((lib.ones(2),)),
        "a tuple of cotangents for a list": lambda: lib.func.vjp(lambda t: [t * 2, t], x)[1]((x, x)),
        "cotangent of another shape": lambda: lib.func.vjp(lambda t: t * 2, x)[1](lib.ones(3)),
    }


def _outcome(case):
    try:
        case()
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return type(e), str(e)
    return None, ""


@pytest.mark.parametrize("cases", [_jvp_cases, _vjp_cases])
def test_func_refuses_what_torch_func_refuses_with_the_same_exception_class(cases):
    refgrad_cases, torch_cases = cases(rg), cases(torch)
    for name in refgrad_cases:
        (rg_error, rg_message), (th_error, th_message) = _outcome(refgrad_cases[name]), _outcome(torch_cases[name])
        assert th_error is not None, f"{name}: torch accepts it"
        assert rg_error is th_error, f"{name}: refgrad {rg_error.__name__ if rg_error else 'accepts it'}: " \
                                     f"{rg_message}; torch {th_error.__name__}: {th_message}"


@pytest.mark.parametrize("lib", [rg, torch])
def test_func_messages_name_the_offending_dtype_or_type(lib):
    x, i = lib.tensor([1.0, 2.0]), lib.tensor([1, 2])
    with pytest.raises(ValueError, match="Expected primal to be floating point or complex, but got: .*int64"):
        lib.func.jvp(lambda t: t * 2, (i,), (x,))
    with pytest.raises(RuntimeError, match="expected f\\(\\*primals\\) to return only tensors, got unsupported type "
                                           "<class 'float'>"):
        lib.func.jvp(lambda t: 3.0, (x,), (x,))
    with pytest.raises(RuntimeError, match="expected f\\(\\*primals\\) to return only tensors, got unsupported type "
                                           "<class 'float'>"):
        lib.func.vjp(lambda t: 3.0, x)
    with pytest.raises(RuntimeError, match="All outputs of f must be floating-point or complex Tensors, got Tensor "
                                           "with dtype .*bool"):
        lib.func.vjp(lambda t: t > 0, x)


def test_func_results_match_torch_func_for_tuples_lists_and_aux():
    rng = np.random.default_rng(0)
    a, da, u = (rng.standard_normal((2, 3)) for _ in range(3))
    results = []
    for lib in (rg, torch):
        def f(t):
            return [t.exp(), t * t], t.sum()

        x, dx = lib.tensor(a), lib.tensor(da)
        (outs, tangents, aux) = lib.func.jvp(f, (x,), (dx,), has_aux=True)
        outs_v, vjp_fn, aux_v = lib.func.vjp(f, x, has_aux=True)
        (grad,) = vjp_fn([lib.tensor(u), lib.tensor(u)])
        assert not aux.requires_grad and not aux_v.requires_grad  # detached, as torch.func's
        results.append([t.numpy() for t in (*outs, *tangents, aux, *outs_v, aux_v, grad)])
    for r, t in zip(*results):
        np.testing.assert_allclose(r, t, rtol=1e-15)
