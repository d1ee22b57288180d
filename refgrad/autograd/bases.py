"""Function bases that derive an op's vjp and jvp from one statement of its derivative.

**Elementwise**: each output element depends only on the same element of every input (after broadcasting).
For each input ``<name>`` of its forward (the positional parameters after ctx; op parameters are keyword-only)
the op declares ``d_<name>(ctx, v)``: v times ∂out/∂<name>, written with refgrad ops so that it differentiates
again. The Jacobian is diagonal, so the one map serves both directions:

    vjp(ctx, g)          = d_a(ctx, g), d_b(ctx, g), ...        (None for an input that needs no gradient)
    jvp(ctx, da, db, ..) = d_a(ctx, da) + d_b(ctx, db) + ...

    class Exp(Elementwise):
        saves = ("out",)
        def forward(ctx, x):    return np.exp(x)
        def d_x(ctx, v):        return v * ctx.out

A derivative that is exactly zero (sign, floor: zeros, not v·0, so an inf v still gives 0, as torch) or that
passes v through (frac, clone) is one line: ``d_x = zero`` or ``d_x = identity``. Writing d_x as a map of v,
rather than returning the factor ∂out/∂x, keeps torch's own roundings (sqrt's is v / (2·out), not
v·(1 / (2·out))) and costs no extra op.

**Linear**: an op linear in its inputs (reshape, permute, flip, narrow, cat, ...) maps tangents exactly as it
maps inputs, so its jvp is the op itself applied to the tangents with the same parameters. The op names those
parameters in ``params`` (the base reads them back from ctx, where Function.apply put them) and writes only
its vjp, the adjoint.

    class Flip(Linear):
        params = ("dims",)
        def forward(ctx, x, dims):  return ...
        def vjp(ctx, g):            return Flip.apply(g, dims=ctx.dims)

(torch's derivatives.yaml has the same two shortcuts: ``result: auto_element_wise`` and ``auto_linear``.)
Either base leaves alone a vjp or jvp written by hand (a factored formula as torch's, a special case), in the
class that writes it and in its subclasses.
"""
from __future__ import annotations

import inspect

from .function import Function


def zero(ctx, v):
    """d_<name> of a piecewise-constant function: exactly zero (torch returns zeros, not v·0)."""
    return v.new_zeros(v.shape)


def identity(ctx, v):
    """d_<name> of an input that passes through unchanged (frac, clone)."""
    return v


def _hand_written(cls, name: str) -> bool:
    """Whether cls's vjp/jvp (``name``) is written by hand in cls or an ancestor, rather than derived by a base
    (or Function's default, which only raises)."""
    for klass in cls.__mro__:
        if name in klass.__dict__:
            return klass is not Function and name not in klass.__dict__.get("_derived", ())
    return False


def _derive(cls, **derived) -> None:
    """Sets the derived vjp/jvp on cls, except those written by hand; records which ones it set."""
    cls._derived = frozenset(n for n, fn in derived.items() if not _hand_written(cls, n))
    for name in cls._derived:
        setattr(cls, name, derived[name])


def _forward_parameters(cls):
    return list(inspect.signature(cls.forward).parameters.values())[1:]  # after ctx


class Elementwise(Function):
    """Base of the elementwise ops: vjp and jvp derived from ``d_<input>(ctx, v)``, one per input (see the
    module docstring)."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        names = []
        for p in _forward_parameters(cls):
            if p.kind is p.VAR_POSITIONAL:
                raise TypeError(f"{cls.__name__}: an Elementwise forward takes its inputs one by one, not *{p.name}")
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD):
                names.append(p.name)
        missing = [f"d_{n}" for n in names if not hasattr(cls, f"d_{n}")]
        if missing:
            raise TypeError(f"{cls.__name__}: forward's inputs {names} need {', '.join(missing)} (op parameters "
                            f"go after a '*' in forward)")
        partials = tuple(getattr(cls, f"d_{n}") for n in names)
        _derive(cls, vjp=_elementwise_vjp(partials), jvp=_elementwise_jvp(partials))


def _elementwise_vjp(partials):
    if len(partials) == 1:  # vjp is called only when the one input needs a gradient
        return partials[0]
    if len(partials) == 2:  # the hot binary ops: no loop
        d_a, d_b = partials

        def vjp(ctx, g):
            need_a, need_b = ctx.needs_input_grad
            return (d_a(ctx, g) if need_a else None), (d_b(ctx, g) if need_b else None)

        return vjp

    def vjp(ctx, g):
        return tuple([d(ctx, g) if need else None for d, need in zip(partials, ctx.needs_input_grad)])

    return vjp


def _elementwise_jvp(partials):
    if len(partials) == 1:
        return partials[0]

    def jvp(ctx, *tangents):
        # an input without a float dtype has no tangent (None) and adds nothing
        total = None
        for d, t in zip(partials, tangents):
            if t is not None:
                term = d(ctx, t)
                total = term if total is None else total + term
        return total

    return jvp


class Linear(Function):
    """Base of the ops linear in their inputs: jvp = the op applied to the tangents with the same ``params``
    (see the module docstring). A subclass that changes only forward inherits its parent's jvp, which applies
    the parent (View's tangent goes through Reshape: a tangent need not have a viewable layout)."""

    params: tuple = ()

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "params" not in cls.__dict__ and cls.__mro__[1] is not Linear:
            return  # a variant of another Linear op (View of Reshape) keeps the jvp that applies its parent
        known = {p.name for p in _forward_parameters(cls)}
        unknown = [p for p in cls.params if p not in known]
        if unknown:
            raise TypeError(f"{cls.__name__}: params {unknown} are not parameters of its forward")
        _derive(cls, jvp=_linear_jvp(cls, tuple(cls.params)))


def _linear_jvp(op, params: tuple):
    def jvp(ctx, *tangents):
        return op.apply(*tangents, **{p: getattr(ctx, p) for p in params})

    return jvp
