"""refgrad.func: functional forward and reverse mode, mirroring torch.func.jvp / torch.func.vjp."""
from __future__ import annotations

from .autograd import engine
from .autograd.engine import as_tuple
from .autograd.grad_mode import enable_grad, forward_ad_enabled
from .creation import zeros_like
from .tensor import Tensor


def jvp(func, primals, tangents, *, has_aux: bool = False):
    """(func(*primals), J·tangents), computed in one forward pass that carries each tangent beside its
    primal through every op's jvp rule (forward mode)."""
    primals, tangents = as_tuple(primals), as_tuple(tangents)
    if len(primals) != len(tangents):
        raise RuntimeError(f"jvp: expected primals and tangents of the same length, got {len(primals)} and "
                           f"{len(tangents)}")
    duals = []
    for i, (p, t) in enumerate(zip(primals, tangents)):
        if p.shape != t.shape:
            raise RuntimeError(f"jvp: primals[{i}] has shape {tuple(p.shape)} but tangents[{i}] has shape "
                               f"{tuple(t.shape)}")
        dual = Tensor(p._data)
        dual._tangent = t.detach()
        duals.append(dual)
    with forward_ad_enabled():
        out = func(*duals)
    aux = None
    if has_aux:
        out, aux = out
    outs = as_tuple(out)
    tangents_out = tuple(o._tangent if o._tangent is not None else zeros_like(o) for o in outs)
    primals_out = tuple(o.detach() for o in outs)
    single = not isinstance(out, (tuple, list))
    result = (primals_out[0], tangents_out[0]) if single else (primals_out, tangents_out)
    return (*result, aux) if has_aux else result


def vjp(func, *primals, has_aux: bool = False):
    """(func(*primals), vjp_fn) where vjp_fn(cotangents) returns uᵀJ for each primal, as a tuple."""
    leaves = tuple(Tensor(p._data, requires_grad=True) for p in primals)
    for leaf, p in zip(leaves, primals):  # inside func.jvp: keep the tangents, so jvp(vjp) is forward-over-reverse
        leaf._tangent = p._tangent
    with enable_grad():
        out = func(*leaves)
    aux = None
    if has_aux:
        out, aux = out
    outs = as_tuple(out)

    def vjp_fn(*cotangents):
        cotangents = cotangents[0] if len(cotangents) == 1 and isinstance(cotangents[0], (tuple, list)) else cotangents
        used = [o for o in outs if o.requires_grad]
        cts = [c for o, c in zip(outs, cotangents) if o.requires_grad]
        grads = engine.grad(used, leaves, cts, retain_graph=True, allow_unused=True) if used else (None,) * len(leaves)
        return tuple(zeros_like(p) if g is None else g for p, g in zip(leaves, grads))

    primals_out = outs[0].detach() if not isinstance(out, (tuple, list)) else tuple(o.detach() for o in outs)
    return (primals_out, vjp_fn, aux) if has_aux else (primals_out, vjp_fn)
