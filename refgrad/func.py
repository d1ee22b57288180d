"""refgrad.func: functional forward and reverse mode, mirroring torch.func.jvp / torch.func.vjp.

Arguments and results are checked as torch.func checks them, with the same exception classes. Difference: the
only pytrees are a tensor and a flat tuple or list of tensors (torch also takes nested containers and dicts).
"""
from __future__ import annotations

from .autograd import engine
from .autograd.engine import as_tuple
from .autograd.grad_mode import enable_grad, forward_ad_enabled
from .tensor import Tensor


def _structure(x) -> str:
    return f"{type(x).__name__} of {len(x)}" if isinstance(x, (tuple, list)) else type(x).__name__


def _same_structure(x, like) -> bool:
    if isinstance(like, (tuple, list)):
        return type(x) is type(like) and len(x) == len(like)
    return not isinstance(x, (tuple, list))


def _outputs(out, has_aux: bool, api: str):
    """func's result as (its outputs as a tuple, aux), refused as torch.func refuses it."""
    aux = None
    if has_aux:
        if not (isinstance(out, tuple) and len(out) == 2):
            raise RuntimeError(f"{api}: output of function f should be a tuple: (output, aux) if has_aux is True")
        out, aux = out[0], _unwrap_aux(out[1])
    outs = as_tuple(out)
    for o in outs:
        if not isinstance(o, Tensor):
            raise RuntimeError(f"{api}: expected f(*primals) to return only tensors, got unsupported type {type(o)}")
    return out, outs, aux


def _unwrap_aux(aux):
    """aux as torch.func returns it: its tensors detached from the transform's graph (and tangents); anything but
    tensors in tuples, lists and dicts refused."""
    if isinstance(aux, Tensor):
        return aux.detach()
    if isinstance(aux, (tuple, list)):
        return type(aux)([_unwrap_aux(a) for a in aux])
    if isinstance(aux, dict):
        return {k: _unwrap_aux(v) for k, v in aux.items()}
    raise RuntimeError(f"Expected tensors, got unsupported type {type(aux)}")


def jvp(func, primals: tuple, tangents: tuple, *, has_aux: bool = False):
    """torch.func.jvp: (func(*primals), J·tangents), computed in one forward pass that carries each tangent beside
    its primal through every op's jvp rule (forward mode)."""
    api = "jvp(f, primals, tangents)"
    if not isinstance(primals, tuple):
        raise RuntimeError(f"{api}: Expected primals to be a tuple. E.g. it should be valid to call f(*primals).")
    if type(tangents) is not tuple or len(tangents) != len(primals):
        raise RuntimeError(f"{api}: Expected primals and tangents to have the same python structure. For example, "
                           f"if primals is a tuple of 3 tensors, tangents also must be. Got primals as a "
                           f"{_structure(primals)} and tangents as a {_structure(tangents)}")
    if not primals:
        raise RuntimeError(f"{api}: Expected primals to contain at least one Tensor.")
    duals = []
    for name, args in (("primals", primals), ("tangents", tangents)):
        for a in args:
            if not isinstance(a, Tensor):
                raise RuntimeError(f"{api}: Expected {name} to only contain Tensors, got {type(a)}")
            if a.dtype.kind != "f":
                raise ValueError(f"Expected {name[:-1]} to be floating point or complex, but got: {a.dtype}")
    for p, t in zip(primals, tangents):
        if p.shape != t.shape:
            raise RuntimeError(f"Trying to set a forward gradient that has a different size than that of the "
                               f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} while "
                               f"the given forward gradient is of size {list(t.shape)}.")
        dual = Tensor(p._data)
        dual._tangent = t.detach()
        duals.append(dual)
    with forward_ad_enabled():
        out, outs, aux = _outputs(func(*duals), has_aux, api)
    tangents_out = tuple(o._tangent if o._tangent is not None else o.new_zeros(o.shape) for o in outs)
    primals_out = tuple(o.detach() for o in outs)
    single = not isinstance(out, (tuple, list))
    result = (primals_out[0], tangents_out[0]) if single else (primals_out, tangents_out)
    return (*result, aux) if has_aux else result


def vjp(func, *primals, has_aux: bool = False):
    """torch.func.vjp: (func(*primals), vjp_fn) where vjp_fn(cotangents), given cotangents structured as
    func's output, returns uᵀJ for each primal, as a tuple."""
    api = "vjp(f, *primals)"
    for p in primals:
        if not isinstance(p, Tensor):
            raise ValueError(f"Thing passed to transform API must be Tensor, got {type(p)}")
    leaves = tuple(Tensor(p._data, requires_grad=True) for p in primals)
    for leaf, p in zip(leaves, primals):  # inside func.jvp: keep the tangents, so jvp(vjp) is forward-over-reverse
        leaf._tangent = p._tangent
    with enable_grad():
        out, outs, aux = _outputs(func(*leaves), has_aux, api)
    for o in outs:
        if o.dtype.kind != "f":
            raise RuntimeError(f"vjp(f, ...): All outputs of f must be floating-point or complex Tensors, got Tensor "
                               f"with dtype {o.dtype}")

    def vjp_fn(cotangents):
        if not _same_structure(cotangents, out):
            raise RuntimeError("Expected pytree structure of cotangents to be the same as pytree structure of outputs "
                               f"to the function. cotangents: {_structure(cotangents)}, primal output: "
                               f"{_structure(out)}")
        cotangents = as_tuple(cotangents)
        used = [o for o in outs if o.requires_grad]
        cts = [c for o, c in zip(outs, cotangents) if o.requires_grad]
        grads = engine.grad(used, leaves, cts, retain_graph=True, allow_unused=True) if used else (None,) * len(leaves)
        return tuple(p.new_zeros(p.shape) if g is None else g for p, g in zip(leaves, grads))

    primals_out = outs[0].detach() if not isinstance(out, (tuple, list)) else tuple(o.detach() for o in outs)
    return (primals_out, vjp_fn, aux) if has_aux else (primals_out, vjp_fn)
