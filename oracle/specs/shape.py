"""Specs for refgrad/ops/shape.py.

Shape ops only move elements, so forward and every gradient must match torch exactly (default
tolerances). Each strategy draws 0-d tensors, size-0 and size-1 dims, negative dims and every form of
the op's arguments (int or tuple dims, -1 in sizes, lists of 1-4 tensors for cat/stack).
"""
from __future__ import annotations

import importlib
import math

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import SAME_MESSAGE, Case, OpSpec


def _with(shapes, make):
    """Cases from a strategy of shapes: make(x, shape) -> strategy of Case, x drawn for that shape."""
    return lambda dtype: shapes.flatmap(lambda s: S.arrays(dtype, s).flatmap(lambda x: make(x, s)))


def _dim(ndim):
    return S.dims(ndim)


def _new_dim(ndim):
    """A dim for an op that adds one (unsqueeze, stack): [-(ndim + 1), ndim]."""
    return st.integers(-(ndim + 1), ndim)


def _neg_or_pos(d, ndim):
    return st.sampled_from([d, d - max(ndim, 1)])


# ---- reshape targets --------------------------------------------------------------------------------------


def _factor(n: int) -> list[int]:
    out, p = [], 2
    while p * p <= n:
        while n % p == 0:
            out.append(p)
            n //= p
        p += 1
    return out + ([n] if n > 1 else [])


@st.composite
def _target(draw, shape, allow_infer=True):
    """A shape with the same number of elements (size-1 dims and 0-d included), maybe with one -1."""
    n = math.prod(shape)
    if n == 0:
        out = draw(st.lists(st.integers(0, 3), min_size=1, max_size=4))
        out[draw(st.integers(0, len(out) - 1))] = 0
    else:
        k = draw(st.integers(0 if n == 1 else 1, 4))
        out = [1] * k
        for p in _factor(n):
            out[draw(st.integers(0, k - 1))] *= p
    if out and draw(st.booleans()):  # a size-1 dim somewhere
        out.insert(draw(st.integers(0, len(out))), 1)
    if allow_infer and out and draw(st.booleans()):
        i = draw(st.integers(0, len(out) - 1))
        if math.prod(out[:i] + out[i + 1:]) != 0:  # -1 beside a 0 is ambiguous (an error in torch)
            out[i] = -1
    return tuple(out)


def _reshape_cases(as_tuple=True):
    def make(x, s):
        return _target(s).map(lambda tgt: Case((x, tgt) if as_tuple or not tgt else (x, *tgt)))

    return _with(S.shapes(), make)


# ---- per-op case builders -----------------------------------------------------------------------------


def _flatten_cases(dtype):
    def make(x, s):
        n = max(len(s), 1)
        pair = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)).map(sorted).flatmap(
            lambda ab: st.tuples(_neg_or_pos(ab[0], len(s)), _neg_or_pos(ab[1], len(s))))
        return st.one_of(st.just(Case((x,))), pair.map(lambda ab: Case((x,), {"start_dim": ab[0], "end_dim": ab[1]})),
                         pair.map(lambda ab: Case((x, ab[0]))))

    return _with(S.shapes(), make)(dtype)


def _unflatten_cases(dtype):
    def make(x, s):
        return _dim(len(s)).flatmap(lambda d: _target((s[d],)).filter(lambda t: len(t) > 0).map(
            lambda sizes: Case((x, d, sizes))))

    return _with(S.shapes(min_dims=1), make)(dtype)


def _two_dims(dtype):
    return _with(S.shapes(), lambda x, s: st.tuples(_dim(len(s)), _dim(len(s))).map(lambda ab: Case((x, *ab))))(dtype)


def _permute_cases(as_tuple, min_dims=0):
    def make(x, s):
        perm = st.permutations(range(len(s))).flatmap(lambda p: st.tuples(*[_neg_or_pos(d, len(s)) for d in p]))
        return perm.map(lambda p: Case((x, p) if as_tuple else (x, *p)))

    return _with(S.shapes(min_dims=min_dims), make)


def _movedim_cases(dtype):
    def make(x, s):
        n = len(s)
        ints = st.tuples(_dim(n), _dim(n)).map(lambda ab: Case((x, *ab)))
        k = st.integers(0, n)
        tuples = k.flatmap(lambda k: st.tuples(
            st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True),
            st.lists(st.integers(0, n - 1), min_size=k, max_size=k, unique=True))).flatmap(
            lambda sd: st.tuples(st.tuples(*[_neg_or_pos(d, n) for d in sd[0]]),
                                 st.tuples(*[_neg_or_pos(d, n) for d in sd[1]]))).map(
            lambda sd: Case((x,), {"source": sd[0], "destination": sd[1]}))
        return st.one_of(ints, tuples) if n else ints

    return _with(S.shapes(), make)(dtype)


def _t_cases(dtype):
    return _with(S.shapes(max_dims=2), lambda x, s: st.just(Case((x,))))(dtype)


def _squeeze_shapes():
    return st.lists(st.sampled_from([0, 1, 1, 2, 3]), max_size=4).map(tuple).filter(
        lambda s: math.prod(s) <= S.MAX_ELEMENTS)


def _squeeze_cases(dtype):
    def make(x, s):
        return S.dim_sets(len(s)).map(lambda d: Case((x,)) if d is None else Case((x, d)))

    return _with(_squeeze_shapes(), make)(dtype)


def _unsqueeze_cases(dtype):
    return _with(S.shapes(max_dims=3), lambda x, s: _new_dim(len(s)).map(lambda d: Case((x, d))))(dtype)


@st.composite
def _expand_target(draw, shape, allow_keep=True):
    """Sizes an input of shape expands to: -1 or the own size for each dim, any size for a size-1 dim,
    plus up to two new leading dims."""
    out = []
    for s in shape:
        if s == 1:
            out.append(draw(st.sampled_from([-1, 0, 1, 2, 3] if allow_keep else [0, 1, 2, 3])))
        else:
            out.append(draw(st.sampled_from([-1, s] if allow_keep else [s])))
    lead = draw(st.lists(st.integers(0, 3), max_size=2))
    return tuple(lead + out)


def _expand_cases(as_tuple):
    def make(x, s):
        return _expand_target(s).filter(lambda t: math.prod(abs(v) for v in t) <= 4 * S.MAX_ELEMENTS).map(
            lambda t: Case((x, t) if as_tuple or not t else (x, *t)))

    return _with(_squeeze_shapes(), make)


def _expand_as_cases(dtype):
    def make(x, s):
        return _expand_target(s, allow_keep=False).flatmap(lambda t: S.arrays(dtype, t).map(
            lambda o: Case((x, o))))

    return _with(_squeeze_shapes(), make)(dtype)


def _as_cases(dtype):
    """(x, other) with other of a shape x reshapes/views to."""
    def make(x, s):
        return _target(s, allow_infer=False).flatmap(lambda t: S.arrays(dtype, t).map(lambda o: Case((x, o))))

    return _with(S.shapes(), make)(dtype)


def _flip_cases(as_tuple):
    def make(x, s):
        n = len(s)
        dims = st.lists(st.integers(0, max(n, 1) - 1), max_size=n, unique=True).flatmap(
            lambda ds: st.tuples(*[_neg_or_pos(d, n) for d in ds]))
        return dims.map(lambda d: Case((x, d) if as_tuple else (x, *d)))

    return _with(S.shapes(), make)


def _roll_cases(dtype):
    shift = st.integers(-7, 7)

    def make(x, s):
        n = len(s)
        flat = st.one_of(shift.map(lambda k: Case((x, k))), shift.map(lambda k: Case((x, (k,)))))
        if n == 0:
            return flat
        one = st.tuples(shift, _dim(n)).map(lambda kd: Case((x,), {"shifts": kd[0], "dims": kd[1]}))
        many = st.lists(st.tuples(shift, _dim(n)), min_size=1, max_size=3).map(
            lambda kds: Case((x, tuple(k for k, _ in kds), tuple(d for _, d in kds))))
        return st.one_of(flat, one, many)

    return _with(S.shapes(), make)(dtype)


def _narrow_cases(dtype):
    def make(x, s):
        def pick(d):
            n = s[d]
            return st.integers(-n, n).flatmap(lambda a: st.integers(0, n - (a + n if a < 0 else a)).map(
                lambda length: Case((x, d, a, length))))

        return _dim(len(s)).flatmap(pick)

    return _with(S.shapes(min_dims=1), make)(dtype)


def _select_cases(dtype):
    def make(x, s):
        ok = [d for d in range(len(s)) if s[d] > 0]
        return st.sampled_from(ok).flatmap(lambda d: st.tuples(_neg_or_pos(d, len(s)), st.integers(-s[d], s[d] - 1))
                                           ).map(lambda di: Case((x, *di)))

    shapes = S.shapes(min_dims=1).filter(lambda s: any(v > 0 for v in s))
    return _with(shapes, make)(dtype)


def _unbind_cases(dtype):
    return _with(S.shapes(min_dims=1), lambda x, s: st.one_of(
        st.just(Case((x,))), _dim(len(s)).map(lambda d: Case((x, d))),
        _dim(len(s)).map(lambda d: Case((x,), {"dim": d}))))(dtype)


def _sections(n):
    """A list of non-negative sizes summing to n."""
    return st.lists(st.integers(0, n), min_size=0, max_size=3).map(
        lambda cuts: [b - a for a, b in zip([0, *sorted(cuts)], [*sorted(cuts), n])])


def _split_cases(dtype):
    def make(x, s):
        def pick(d):
            n = s[d]
            size = st.integers(0 if n == 0 else 1, n + 1)
            return st.one_of(size, _sections(n)).flatmap(lambda a: st.sampled_from([
                Case((x, a, d)), Case((x, a), {"dim": d})] + ([Case((x, a))] if d == 0 else [])))

        return _dim(len(s)).flatmap(pick)

    return _with(S.shapes(min_dims=1), make)(dtype)


def _chunk_cases(dtype):
    def make(x, s):
        return st.tuples(st.integers(1, 5), _dim(len(s))).flatmap(lambda cd: st.sampled_from([
            Case((x, cd[0], cd[1])), Case((x, cd[0]), {"dim": cd[1]})]))

    return _with(S.shapes(min_dims=1), make)(dtype)


@st.composite
def _cat_shapes(draw, min_dims=1, max_dims=3):
    """1-4 shapes that agree except along dim (dim drawn, maybe negative), sometimes with a legacy (0,)."""
    ndim = draw(st.integers(min_dims, max_dims))
    base = list(draw(st.lists(st.integers(0, 3), min_size=ndim, max_size=ndim)))
    d = draw(st.integers(0, ndim - 1))
    count = draw(st.integers(1, 4))
    shapes = []
    for _ in range(count):
        s = list(base)
        s[d] = draw(st.integers(0, 3))
        shapes.append(tuple(s))
    if ndim > 1 and draw(st.integers(0, 4)) == 0:  # torch skips 1-D empty tensors whatever the others are
        shapes.insert(draw(st.integers(0, len(shapes))), (0,))
    return shapes, draw(_neg_or_pos(d, ndim))


def _list_cases(shapes_and_dim, kw="dim"):
    def cases(dtype):
        def make(sd):
            shapes, d = sd
            return st.tuples(*[S.arrays(dtype, s) for s in shapes]).flatmap(lambda xs: st.sampled_from(
                [Case((list(xs), d)), Case((list(xs),), {kw: d})] + ([Case((list(xs),))] if d == 0 else [])))

        return shapes_and_dim.flatmap(make)

    return cases


def _cat_promote_cases(dtype):
    return _list_cases(_cat_shapes(max_dims=2).filter(lambda sd: len(sd[0]) >= 2))(dtype)


def _cat_promote(lib: str):
    """The first tensor kept in the drawn dtype, the others cast to float64: cat promotes to float64."""
    def call(xs, *a, **k):
        return importlib.import_module(lib).cat([xs[0], *[x.double() for x in xs[1:]]], *a, **k)

    return call


def _stack_shapes():
    return st.tuples(S.shapes(max_dims=3, max_elements=12), st.integers(1, 4)).flatmap(
        lambda sc: _new_dim(len(sc[0])).map(lambda d: ([sc[0]] * sc[1], d)))


@st.composite
def _hstack_shapes(draw):
    count = draw(st.integers(1, 4))
    if draw(st.booleans()):  # at most 1-D: 0-d tensors become (1,), joined along dim 0
        return [() if draw(st.integers(0, 3)) == 0 else (draw(st.integers(0, 4)),) for _ in range(count)]
    ndim = draw(st.integers(2, 3))
    base = draw(st.lists(st.integers(0, 3), min_size=ndim, max_size=ndim))
    return [tuple(base[:1] + [draw(st.integers(0, 3))] + base[2:]) for _ in range(count)]


@st.composite
def _vstack_shapes(draw):
    count = draw(st.integers(1, 4))
    if draw(st.booleans()):  # at most 1-D: each becomes (1, n)
        n = draw(st.integers(0, 4))
        return [() if n == 1 and draw(st.booleans()) else (n,) for _ in range(count)]
    ndim = draw(st.integers(2, 3))
    base = draw(st.lists(st.integers(0, 3), min_size=ndim, max_size=ndim))
    return [tuple([draw(st.integers(0, 3))] + base[1:]) for _ in range(count)]


def _seq_cases(shapes):
    return lambda dtype: shapes.flatmap(lambda ss: st.tuples(*[S.arrays(dtype, s) for s in ss])).map(
        lambda xs: Case((list(xs),)))


def _reps(min_len, max_len):
    return st.integers(min_len, max_len).flatmap(lambda k: st.lists(st.integers(0, 2), min_size=k, max_size=k))


def _repeat_cases(dtype):
    def make(x, s):
        return _reps(len(s), len(s) + 2).filter(lambda r: r or s).flatmap(lambda r: st.sampled_from(
            [Case((x, tuple(r)))] + ([Case((x, *r))] if r else [])))

    return _with(S.shapes(max_dims=3, max_elements=12), make)(dtype)


def _tile_cases(dtype):
    return _with(S.shapes(max_dims=3, max_elements=12),
                 lambda x, s: _reps(0, len(s) + 1).map(lambda r: Case((x, tuple(r)))))(dtype)


def _clone_cases(dtype):
    return _with(S.shapes(), lambda x, s: st.just(Case((x,))))(dtype)


SPECS = [
    OpSpec("reshape", _reshape_cases()),
    OpSpec("Tensor.view", _reshape_cases(as_tuple=False)),
    OpSpec("Tensor.view_as", _as_cases, grad_args=(0,)),
    OpSpec("Tensor.reshape_as", _as_cases, grad_args=(0,)),
    OpSpec("flatten", _flatten_cases),
    OpSpec("unflatten", _unflatten_cases),
    OpSpec("ravel", _clone_cases),
    OpSpec("Tensor.contiguous", _with(S.shapes(min_dims=2), lambda x, s: st.just(Case((x,)))),
           ref=lambda x: x.mT.contiguous(), torch=lambda x: x.mT.contiguous(), notes="input x.mT (strided)"),
    OpSpec("clone", _clone_cases),
    OpSpec("transpose", _two_dims),
    OpSpec("swapaxes", _two_dims),
    OpSpec("t", _t_cases),
    OpSpec("permute", _permute_cases(as_tuple=True)),
    OpSpec("permute", _permute_cases(as_tuple=False, min_dims=1), variant="method", ref=lambda x, *d: x.permute(*d),
           torch=lambda x, *d: x.permute(*d)),
    OpSpec("movedim", _movedim_cases),
    OpSpec("squeeze", _squeeze_cases),
    OpSpec("unsqueeze", _unsqueeze_cases),
    OpSpec("Tensor.expand", _expand_cases(as_tuple=False)),
    OpSpec("Tensor.expand_as", _expand_as_cases, grad_args=(0,)),
    OpSpec("broadcast_to", _expand_cases(as_tuple=True)),
    OpSpec("flip", _flip_cases(as_tuple=True)),
    OpSpec("roll", _roll_cases),
    OpSpec("narrow", _narrow_cases),
    OpSpec("select", _select_cases),
    OpSpec("split", _split_cases),
    OpSpec("chunk", _chunk_cases),
    OpSpec("unbind", _unbind_cases),
    OpSpec("cat", _list_cases(_cat_shapes())),
    OpSpec("cat", _cat_promote_cases, variant="promote", ref=_cat_promote("refgrad"), torch=_cat_promote("torch"),
           notes="the first tensor in the drawn dtype, the others float64"),
    OpSpec("concatenate", _list_cases(_cat_shapes(), kw="axis")),
    OpSpec("stack", _list_cases(_stack_shapes())),
    OpSpec("hstack", _seq_cases(_hstack_shapes())),
    OpSpec("vstack", _seq_cases(_vstack_shapes())),
    OpSpec("Tensor.repeat", _repeat_cases),
    OpSpec("tile", _tile_cases),
]



# ---- bad inputs (each message as torch's where torch's names no C++ internals) ------------------------------
def Z(*shape):
    """torch.zeros(*shape)."""
    return np.zeros(shape, np.float32)


ERRORS = {
    "permute": (
        C.bad("dim_out_of_range", Z(3, 4), (0, 5), says=SAME_MESSAGE),
        C.bad("duplicate", Z(3, 4), (0, -2), says="duplicate dims are not allowed"),
        C.bad("varargs", Z(3, 4), 1, 0, says="permute()"),
    ),
    "reshape": (
        C.bad("numel", Z(3, 4), (4, 5), says=SAME_MESSAGE),
        C.bad("numel_infer", Z(3, 4), (-1, 5), says=SAME_MESSAGE),
        C.bad("two_infer", Z(3, 4), (-1, -1, 2), says=SAME_MESSAGE),
        C.bad("negative", Z(3, 4), (-2, 6), says=SAME_MESSAGE),
        C.bad("negative_pair", Z(3, 4), (-2, -6), says=SAME_MESSAGE),  # sizes whose product is the numel
        C.bad("empty_infer", Z(0, 3), (-1, 0), says=SAME_MESSAGE),  # -1 is ambiguous among 0 elements
        C.bad("zero_numel", Z(3), (0, -1), says=SAME_MESSAGE),
        C.bad("float_size", Z(3, 4), (3, 4.0), says="float"),
        C.bad("varargs", Z(3, 4), 4, 3, says="reshape()"),
    ),
    "Tensor.view": (
        C.bad("view_numel", Z(3, 4), 4, 5, says=SAME_MESSAGE),
        C.bad("view_numel_infer", Z(3, 4), 5, -1, says=SAME_MESSAGE),
        C.bad("view_negative_pair", Z(3, 4), -3, -4, says=SAME_MESSAGE),
        C.bad("view_no_args", Z(1, 1), says=('view()',)),
    ),
    "Tensor.view_as": (
        C.bad("view_as_numel", Z(3, 4), Z(5), says=SAME_MESSAGE),
    ),
    "Tensor.reshape_as": (
        C.bad("reshape_as_numel", Z(3, 4), Z(5), says=SAME_MESSAGE),
    ),
    "flatten": (
        C.bad("flatten_order", Z(2, 3, 4), 2, 1, says=SAME_MESSAGE),
        C.bad("flatten_dim", Z(3, 4), 0, 2, says=SAME_MESSAGE),
        C.bad("flatten_0d_dim", Z(), 0, 1, says=SAME_MESSAGE),
    ),
    "unflatten": (
        C.bad("unflatten_product", Z(3, 4), 1, (3, 2), says=SAME_MESSAGE),
        C.bad("unflatten_product_infer", Z(3, 4), 1, (3, -1), says=SAME_MESSAGE),
        C.bad("unflatten_zero_infer", Z(4), 0, (0, -1), says=SAME_MESSAGE),
        C.bad("unflatten_empty", Z(3, 4), 1, (), says=SAME_MESSAGE),
        C.bad("unflatten_two_infer", Z(3, 4), 1, (-1, -1), says=('only one dimension can be inferred',)),
        C.bad("unflatten_dim", Z(3, 4), -3, (1,), says=SAME_MESSAGE),
        C.bad("unflatten_0d", Z(), 0, (1,), says=('Dimension specified as 0 but tensor has no dimensions',)),
    ),
    "transpose": (
        C.bad("transpose_dim", Z(3, 4), 0, 5, says=SAME_MESSAGE),
        C.bad("transpose_dim_neg", Z(3, 4), -3, 0, says=SAME_MESSAGE),
    ),
    "swapaxes": (
        C.bad("swapaxes_dim", Z(3, 4), 0, 2, says=SAME_MESSAGE),
    ),
    "t": (
        C.bad("t_3d", Z(2, 3, 4), says=SAME_MESSAGE),
    ),
    "movedim": (
        C.bad("movedim_len", Z(3, 4), (0, 1), (1,), says=SAME_MESSAGE),
        C.bad("movedim_rep_src", Z(3, 4), (0, -2), (1, 0), says=SAME_MESSAGE),
        C.bad("movedim_rep_dst", Z(3, 4), (0, 1), (1, 1), says=SAME_MESSAGE),
        C.bad("movedim_dim", Z(3, 4), (0, 1), (1, 5), says=SAME_MESSAGE),
        C.bad("movedim_int_tuple", Z(3, 4), 0, (1,), says=('movedim()',)),
    ),
    "squeeze": (
        C.bad("squeeze_dim", Z(3, 4), 5, says=SAME_MESSAGE),
        C.bad("squeeze_0d_dim", Z(), 5, says=SAME_MESSAGE),
        C.bad("squeeze_dup", Z(3, 4), (0, -2), says=SAME_MESSAGE),
    ),
    "unsqueeze": (
        C.bad("unsqueeze_dim", Z(3, 4), 3, says=SAME_MESSAGE),
        C.bad("unsqueeze_dim_neg", Z(3, 4), -4, says=SAME_MESSAGE),
    ),
    "Tensor.expand": (
        C.bad("expand_mismatch", Z(3, 4), 3, 5, says=SAME_MESSAGE),
        C.bad("expand_mismatch_lead", Z(1, 3), 2, 4, 2, says=SAME_MESSAGE),
        C.bad("expand_mismatch_last_first", Z(3, 1), -1, 5, 2, says=SAME_MESSAGE),
        C.bad("expand_mismatch_two", Z(3, 4), 2, 3, says=SAME_MESSAGE),
        C.bad("expand_too_few", Z(3, 4), 4, says=('(1) must be greater or equal', 'tensor (2)', '[3, 4]')),
        C.bad("expand_lead_minus_one", Z(3, 4), -1, 3, 4, says=SAME_MESSAGE),
    ),
    "Tensor.expand_as": (
        C.bad("expand_as_mismatch", Z(3, 4), Z(2, 3), says=SAME_MESSAGE),
    ),
    "broadcast_to": (
        C.bad("broadcast_to_mismatch", Z(3, 4), (2, 4), says=SAME_MESSAGE),
        C.bad("broadcast_to_int", Z(3, 4), 4, says=SAME_MESSAGE),
    ),
    "flip": (
        C.bad("dim_out_of_range", Z(3, 4), (2,), says=SAME_MESSAGE),
        C.bad("int_dims", Z(3, 4), 0, says=("flip()", "dims")),
        C.bad("flip_dup", Z(3, 4), (0, -2), says=SAME_MESSAGE),
    ),
    "roll": (
        C.bad("roll_flat_many", Z(3, 4), (1, 2), says=SAME_MESSAGE),
        C.bad("roll_align", Z(3, 4), 1, (0, 1), says=SAME_MESSAGE),
        C.bad("roll_align2", Z(3, 4), (1, 2), 0, says=SAME_MESSAGE),
        C.bad("roll_empty", Z(3, 4), (), (), says=SAME_MESSAGE),
        C.bad("roll_dim", Z(3, 4), 1, 2, says=SAME_MESSAGE),
        C.bad("roll_0d_dim", Z(), 1, 0, says=SAME_MESSAGE),
    ),
    "narrow": (
        C.bad("narrow_exceeds", Z(3, 4), 0, 2, 2, says=SAME_MESSAGE),
        C.bad("narrow_exceeds_neg", Z(3, 4), 0, -2, 5, says=SAME_MESSAGE),
        C.bad("narrow_start", Z(3, 4), 0, 4, 0, says=SAME_MESSAGE),
        C.bad("narrow_start_neg", Z(3, 4), 0, -4, 1, says=SAME_MESSAGE),
        C.bad("narrow_length", Z(3, 4), 0, 0, -1, says=SAME_MESSAGE),
        C.bad("narrow_0d", Z(), 0, 0, 1, says=SAME_MESSAGE),
        C.bad("narrow_dim", Z(3, 4), 5, 0, 1, says=SAME_MESSAGE),
    ),
    "select": (
        C.bad("select_index", Z(3, 4), 0, 3, says=SAME_MESSAGE),
        C.bad("select_index_neg", Z(3, 4), 1, -5, says=SAME_MESSAGE),
        C.bad("select_0d", Z(), 0, 0, says=SAME_MESSAGE),
        C.bad("select_dim", Z(3, 4), -3, 0, says=SAME_MESSAGE),
        C.bad("select_float", Z(3, 4), 0, 1.0, says=('float',)),
    ),
    "split": (
        C.bad("split_sum", Z(3, 4), [1, 2], 1, says=SAME_MESSAGE),
        C.bad("split_negative_sizes", Z(3, 4), [5, -1], 1, says=SAME_MESSAGE),
        C.bad("split_zero", Z(3, 4), 0, 1, says=SAME_MESSAGE),
        C.bad("split_negative", Z(3, 4), -1, 1, says=SAME_MESSAGE),
        C.bad("split_0d", Z(), 1, says=SAME_MESSAGE),
        C.bad("split_dim", Z(3, 4), 2, 5, says=SAME_MESSAGE),
        C.bad("split_float", Z(3, 4), 1.5, says=('float',)),
    ),
    "chunk": (
        C.bad("chunk_zero", Z(3, 4), 0, says=SAME_MESSAGE),
        C.bad("chunk_negative", Z(3, 4), -1, says=SAME_MESSAGE),
        C.bad("chunk_0d", Z(), 2, says=SAME_MESSAGE),
        C.bad("chunk_dim", Z(3, 4), 2, 5, says=SAME_MESSAGE),
        C.bad("chunk_float", Z(3, 4), 2.0, says=('float',)),
    ),
    "unbind": (
        C.bad("unbind_0d", Z(), 0, says=SAME_MESSAGE),
        C.bad("unbind_0d_neg", Z(), -1, says=SAME_MESSAGE),
        C.bad("unbind_dim", Z(3, 4), 5, says=SAME_MESSAGE),
        C.bad("unbind_0d_dim", Z(), 5, says=SAME_MESSAGE),
    ),
    "cat": (
        C.bad("cat_sizes", [Z(2, 3), Z(2, 4)], 0, says=SAME_MESSAGE),
        C.bad("cat_sizes_neg", [Z(2, 3), Z(2, 4)], -2, says=SAME_MESSAGE),
        C.bad("cat_sizes_dim1", [Z(3, 2), Z(4, 2)], 1, says=SAME_MESSAGE),
        C.bad("cat_sizes_after_legacy", [Z(2, 4), Z(0), Z(2, 3)], 0, says=SAME_MESSAGE),
        C.bad("cat_legacy_first_ndim", [Z(0), Z(2, 4), Z(2, 3, 1)], 0, says=SAME_MESSAGE),
        C.bad("cat_ndim", [Z(2, 3), Z(2, 4, 1)], 0, says=SAME_MESSAGE),
        C.bad("cat_0d_size_1d", [Z(3), Z(0, 3)], 0, says=SAME_MESSAGE),
        C.bad("cat_dim", [Z(2, 3), Z(2, 4)], 2, says=SAME_MESSAGE),
        C.bad("cat_dim_legacy", [Z(0), Z(2, 4)], -3, says=SAME_MESSAGE),
        C.bad("cat_0d", [Z(2), Z()], 0, says=SAME_MESSAGE),
        C.bad("cat_empty", [], 0, says=SAME_MESSAGE),
        C.bad("cat_tensor", Z(2, 3), says=('must be tuple of Tensors, not Tensor',)),
        C.bad("cat_float_element", [Z(2, 3), 1.0], says=SAME_MESSAGE),
        C.bad("cat_float_dim", [Z(2, 3)], 0.5, says=('dim', 'must be int, not float')),
    ),
    "stack": (
        C.bad("stack_shapes", [Z(2, 3), Z(2, 4)], says=SAME_MESSAGE),
        C.bad("stack_shapes_late", [Z(2, 3), Z(2, 3), Z(3, 2)], 1, says=SAME_MESSAGE),
        C.bad("stack_dim", [Z(2, 3), Z(2, 3)], 3, says=SAME_MESSAGE),
        C.bad("stack_dim_first", [Z(2, 3), Z(2, 4)], 5, says=SAME_MESSAGE),
        C.bad("stack_empty", [], says=SAME_MESSAGE),
    ),
    "hstack": (
        C.bad("hstack_empty", [], says=SAME_MESSAGE),
        C.bad("hstack_sizes", [Z(3, 4), Z(4, 4)], says=SAME_MESSAGE),
        C.bad("hstack_ndim", [Z(3, 4), Z(3)], says=SAME_MESSAGE),
    ),
    "vstack": (
        C.bad("vstack_empty", [], says=SAME_MESSAGE),
        C.bad("vstack_sizes", [Z(3, 4), Z(3, 3)], says=SAME_MESSAGE),
    ),
    "Tensor.repeat": (
        C.bad("repeat_few", Z(3, 4), 2, says=('Number of dimensions of repeat dims can not be smaller',)),
        C.bad("repeat_negative", Z(3, 4), 2, -1, says=SAME_MESSAGE),
        C.bad("repeat_negative_lead", Z(3, 4), 2, -1, 3, says=SAME_MESSAGE),
        C.bad("repeat_none", Z(3, 4), says=SAME_MESSAGE),
        C.bad("repeat_float", Z(3, 4), 2, 1.5, says=('float',)),
    ),
}

ERRORS["tile"] = (C.bad("int_dims", Z(3, 4), 2, says=("tile()", "dims")),)

# ---- refgrad defects the error cases found (strict xfails; remove an entry once fixed) ---------------------
ERRORS.update({
    "ravel": (C.bad("list_input", [1.0, 2.0], says="list"),),
    "clone": (C.bad("list_input", [1.0, 2.0], says="list"),),
    "concatenate": (C.bad("sizes", [Z(2, 3), Z(2, 4)], 0, says=SAME_MESSAGE),),
})
