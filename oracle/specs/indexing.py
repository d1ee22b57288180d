"""Specs for refgrad/ops/indexing.py: x[index], index_select, gather, scatter, scatter_add, take_along_dim,
masked_fill, tril, triu, diagonal, diag, diag_embed.

Index arrays are int64 and in range (negative ones too where torch wraps them); repeated indices appear
freely where gradients accumulate (getitem, gather, scatter_add, take_along_dim). scatter's own cases keep the
targets of each line distinct: where two src elements hit one target only the last is written, yet torch
sends the target's gradient to both, which no numerical derivative reproduces; that choice is checked against
torch in scatter's kink cases instead.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import FORWARD_ONLY, Case, OpSpec


def _indices(draw, shape: tuple, n: int, negative: bool = False) -> np.ndarray:
    """int64 indices into a dim of size n (in [-n, n) with negative=True); empty where n == 0."""
    if n == 0:
        return np.zeros(shape, np.int64)
    a = draw(S.index_arrays(shape, 2 * n if negative else n))
    return np.asarray(a - n if negative else a, np.int64)


def _dim(draw, ndim: int) -> tuple[int, int]:
    """A dim as drawn (possibly negative) and its non-negative form (0-d tensors count as 1-d)."""
    d = draw(S.dims(ndim))
    return d, d % max(ndim, 1)


# ---- x[index] ---------------------------------------------------------------------------------------------
def _slice(draw, n: int) -> slice:
    bound = st.one_of(st.none(), st.integers(-n - 2, n + 2))
    return slice(draw(bound), draw(bound), draw(st.sampled_from([None, 1, 2, 3])))


def _with_nones(draw, items: list) -> list:
    for _ in range(draw(st.integers(0, 2))):
        items.insert(draw(st.integers(0, len(items))), None)
    return items


@st.composite
def _basic_cases(draw, dtype):
    """ints (negative, or as 0-d index tensors), slices with steps, None, Ellipsis."""
    shape = draw(S.shapes(0, 4))
    x = draw(S.arrays(dtype, shape))
    ndim = len(shape)
    head = draw(st.integers(0, ndim))
    ellipsis = draw(st.booleans())
    tail = draw(st.integers(0, ndim - head)) if ellipsis else 0

    def item(n):
        if n > 0 and draw(st.booleans()):
            i = draw(st.integers(-n, n - 1))
            return np.array(i, np.int64) if draw(st.integers(0, 3)) == 0 else i
        return _slice(draw, n)

    items = [item(shape[d]) for d in range(head)]
    if ellipsis:
        items.append(Ellipsis)
    items += [item(shape[d]) for d in range(ndim - tail, ndim)]
    items = _with_nones(draw, items)
    index = items[0] if len(items) == 1 and draw(st.booleans()) else tuple(items)
    return Case((x, index))


@st.composite
def _advanced_cases(draw, dtype):
    """int64 index tensors (broadcasting together; negative and repeated values) mixed with ints, slices,
    None and True; or one bool mask over one or more dims, mixed with the same."""
    shape = draw(S.nonempty_shapes(1, 4))
    x = draw(S.arrays(dtype, shape))
    ndim = len(shape)
    use_mask = draw(st.booleans())
    common = draw(S.shapes(1, 2, max_side=3))  # the broadcast shape of the index tensors
    first = draw(st.integers(0, ndim - 1))  # where the (first) tensor index goes
    items, d = [], 0
    while d < ndim:
        if d == first or (d > first and not use_mask and draw(st.integers(0, 2)) == 0):
            if use_mask:
                k = draw(st.integers(1, ndim - d))
                items.append(draw(_bool_arrays(shape[d:d + k])))
                d += k
            else:  # the first one has the full broadcast shape, later ones may drop or squash dims of it
                own = common if d == first else tuple(
                    s if draw(st.booleans()) else 1 for s in common)[draw(st.integers(0, len(common))):]
                items.append(_indices(draw, own, shape[d], negative=True))
                d += 1
            continue
        if d > first and draw(st.integers(0, 3)) == 0:
            break  # the remaining dims are left to torch's implicit trailing slices
        kind = draw(st.sampled_from(["slice", "int", "0-d tensor"]))
        i = draw(st.integers(-shape[d], shape[d] - 1))
        items.append(_slice(draw, shape[d]) if kind == "slice" else i if kind == "int" else np.array(i, np.int64))
        d += 1
    if not use_mask and draw(st.integers(0, 4)) == 0:
        items.insert(draw(st.integers(0, len(items))), True)
    return Case((x, tuple(_with_nones(draw, items))))


def _bool_arrays(shape):
    from hypothesis.extra import numpy as hnp

    return hnp.arrays(np.bool_, tuple(shape))


# ---- index_select, gather, take_along_dim -----------------------------------------------------------------
@st.composite
def _index_select_cases(draw, dtype):
    shape = draw(S.shapes(0, 3))
    x = draw(S.arrays(dtype, shape))
    dim, d = _dim(draw, len(shape))
    if not shape:
        return Case((x, dim, np.zeros(draw(st.sampled_from([(), (1,)])), np.int64)))
    n = shape[d]
    length = draw(st.integers(0, 5)) if n else 0
    idx = _indices(draw, (length,), n)
    if length == 1 and draw(st.booleans()):
        idx = idx.reshape(())
    return Case((x, dim, idx))


def _gather_shape(draw, xs: tuple, d: int, along: int) -> tuple:
    """An index shape for gather/scatter: no larger than xs off dim d, ``along`` on it."""
    return tuple(along if i == d else draw(st.integers(0, s)) for i, s in enumerate(xs))


@st.composite
def _gather_cases(draw, dtype):
    shape = draw(S.shapes(0, 3))
    x = draw(S.arrays(dtype, shape))
    dim, d = _dim(draw, len(shape))
    xs = shape or (1,)
    ishape = _gather_shape(draw, xs, d, draw(st.integers(0, 5)) if xs[d] else 0)
    idx = _indices(draw, ishape, xs[d])
    if not shape and draw(st.booleans()) and idx.size == 1:
        idx = idx.reshape(())
    return Case((x, dim, idx))


@st.composite
def _take_along_dim_cases(draw, dtype):
    """Indices broadcast with input off dim, and range over [-2n, 2n): torch 2.13 takes them modulo n."""
    shape = draw(S.shapes(1, 3))
    x = draw(S.arrays(dtype, shape))
    dim, d = _dim(draw, len(shape))
    n = shape[d]
    ishape = tuple(draw(st.integers(0, 4)) if i == d and n else 0 if i == d else
                   draw(st.sampled_from([s, 1])) if s != 1 else draw(st.integers(1, 3))
                   for i, s in enumerate(shape))
    idx = draw(S.index_arrays(ishape, 4 * n)) - 2 * n if n else np.zeros(ishape, np.int64)
    return Case((x, idx, dim))


@st.composite
def _take_along_dim_flat_cases(draw, dtype):
    shape = draw(S.shapes(0, 3))
    x = draw(S.arrays(dtype, shape))
    numel = int(np.prod(shape))
    ishape = draw(S.shapes(0, 2)) if numel else (0,)
    return Case((x, _indices(draw, ishape, numel)))


# ---- scatter, scatter_add ---------------------------------------------------------------------------------
def _distinct_per_line(draw, ishape: tuple, d: int, n: int) -> np.ndarray:
    """Indices in [0, n) whose values along dim d are distinct in every line (ishape[d] <= n)."""
    full = ishape[:d] + (n,) + ishape[d + 1:]
    keys = draw(S.index_arrays(full, 1000)) if n else np.zeros(full, np.int64)
    perm = np.argsort(keys, axis=d, kind="stable")
    return np.take(perm, np.arange(ishape[d]), axis=d).astype(np.int64)


def _scatter_cases(distinct: bool, src_kind: str = "tensor", larger_src: bool = False, reduce: bool = False):
    @st.composite
    def cases(draw, dtype):
        shape = draw(S.shapes(0, 3))
        x = draw(S.arrays(dtype, shape))
        dim, d = _dim(draw, len(shape))
        xs = shape or (1,)
        along = draw(st.integers(0, xs[d] if distinct else 5)) if xs[d] else 0
        ishape = _gather_shape(draw, xs, d, along)
        idx = _distinct_per_line(draw, ishape, d, xs[d]) if distinct else _indices(draw, ishape, xs[d])
        if not shape and idx.size == 1 and draw(st.booleans()):
            idx = idx.reshape(())
        kwargs = {"reduce": draw(st.sampled_from(["add", "multiply"]))} if reduce else {}
        if src_kind == "value":
            return Case((x, dim, idx, draw(st.floats(-3, 3, width=32))), kwargs)
        sshape = tuple(s + draw(st.integers(0, 2)) for s in idx.shape) if larger_src else idx.shape
        return Case((x, dim, idx, draw(S.arrays(dtype, sshape))), kwargs)

    return cases


# ---- masked_fill, tril, triu, diagonals -------------------------------------------------------------------
@st.composite
def _masked_fill_cases(draw, dtype, tensor_value=False):
    xs, ms = draw(S.broadcastable_shapes(2))
    x = draw(S.arrays(dtype, xs))
    mask = draw(_bool_arrays(ms))
    value = draw(S.arrays(dtype, ())) if tensor_value else draw(st.floats(-3, 3, width=32))
    return Case((x, mask, value))


@st.composite
def _triangle_cases(draw, dtype):
    shape = draw(S.shapes(2, 4))
    return Case((draw(S.arrays(dtype, shape)), draw(st.integers(-5, 5))))


@st.composite
def _diagonal_cases(draw, dtype):
    shape = draw(S.shapes(2, 4))
    ndim = len(shape)
    d1, d2 = draw(st.lists(st.integers(0, ndim - 1), min_size=2, max_size=2, unique=True))
    d1 = d1 - ndim if draw(st.booleans()) else d1
    d2 = d2 - ndim if draw(st.booleans()) else d2
    return Case((draw(S.arrays(dtype, shape)),), {"offset": draw(st.integers(-4, 4)), "dim1": d1, "dim2": d2})


@st.composite
def _diag_cases(draw, dtype):
    shape = draw(st.one_of(S.shapes(1, 1, max_side=6), S.shapes(2, 2)))
    return Case((draw(S.arrays(dtype, shape)), draw(st.integers(-3, 3))))


@st.composite
def _diag_embed_cases(draw, dtype):
    shape = draw(S.shapes(1, 3, max_side=4, max_elements=24))
    nd = len(shape) + 1
    d1, d2 = draw(st.lists(st.integers(0, nd - 1), min_size=2, max_size=2, unique=True))
    d1 = d1 - nd if draw(st.booleans()) else d1
    d2 = d2 - nd if draw(st.booleans()) else d2
    return Case((draw(S.arrays(dtype, shape)), draw(st.integers(-2, 2)), d1, d2))


def _torch_scatter_quiet(*args, **kwargs):
    """torch.scatter without its deprecation warning for reduce= (the op is still torch's scatter)."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The reduce argument of torch.scatter")
        return torch.scatter(*args, **kwargs)


SPECS = [
    OpSpec("Tensor.__getitem__", _basic_cases, variant="basic"),
    OpSpec("Tensor.__getitem__", _advanced_cases, variant="advanced"),
    OpSpec("index_select", _index_select_cases),
    OpSpec("gather", _gather_cases),
    OpSpec("take_along_dim", _take_along_dim_cases),
    OpSpec("take_along_dim", _take_along_dim_flat_cases, variant="flat"),
    OpSpec("scatter", _scatter_cases(distinct=True), kink_cases=_scatter_cases(distinct=False)),
    OpSpec("scatter", _scatter_cases(distinct=False, src_kind="value"), variant="value"),
    OpSpec("scatter", _scatter_cases(distinct=False, reduce=True), variant="reduce", checks=FORWARD_ONLY,
           torch=_torch_scatter_quiet, notes="torch implements no derivative for scatter with reduce"),
    OpSpec("scatter", _scatter_cases(distinct=False, larger_src=True), variant="larger_src", checks=FORWARD_ONLY,
           notes="torch's backward fails when src is larger than index"),
    OpSpec("scatter_add", _scatter_cases(distinct=False)),
    OpSpec("scatter_add", _scatter_cases(distinct=False, larger_src=True), variant="larger_src",
           checks=FORWARD_ONLY, notes="torch's backward fails when src is larger than index"),
    OpSpec("masked_fill", _masked_fill_cases),
    OpSpec("masked_fill", lambda dtype: _masked_fill_cases(dtype, tensor_value=True), variant="tensor_value"),
    OpSpec("tril", _triangle_cases),
    OpSpec("triu", _triangle_cases),
    OpSpec("diagonal", _diagonal_cases),
    OpSpec("diag", _diag_cases),
    OpSpec("diag_embed", _diag_embed_cases),
]

# ---- refgrad defects the extremes check found (strict xfails; remove an entry once fixed) -----------------


# ---- bad inputs (moved from tests/test_indexing_errors.py; each run in torch and refgrad by test_ops) ---------
X = np.arange(12.0).reshape(3, 4)
X3 = np.arange(24.0).reshape(2, 3, 4)
ERRORS = {
    "index_select": (
        C.bad("index_select_float", X, 0, np.array([1.0], np.float64), says="int32 or int64"),
        C.bad("index_select_2d", X, 0, np.array([[1]], np.int64), says="vector"),
        C.bad("index_select_oob", X, 0, np.array([3], np.int64), says="out of range"),
        C.bad("index_select_neg", X3, 2, np.array([-1], np.int64), says="out of range"),
        C.bad("index_select_oob_dim1", X, 1, np.array([4], np.int64), says=("id=4", "axis_dim=4")),
        C.bad("index_select_dim", X, 2, np.array([0], np.int64), says="got 2"),
        C.bad("index_select_scalar", np.array(5.0, np.float64), 0, np.array([0, 0], np.int64), says="2 value"),
        C.bad("index_select_empty_dim", np.zeros((2, 0), np.float64), 1, np.array([0], np.int64), says="positive"),
    ),
    "gather": (
        C.bad("gather_float_index", X, 0, np.array([[1.0]], np.float64), says="int32/int64"),
        C.bad("gather_oob", X, 0, np.array([[3]], np.int64), says=("index 3", "size 3")),
        C.bad("gather_neg", X, 1, np.array([[-1]], np.int64), says=("index -1", "size 4")),
        C.bad("gather_ndim", X, 0, np.array([1], np.int64), says="same number of dimensions"),
        C.bad("gather_size", X, 0, np.array([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]], np.int64), says=("[2, 5]", "[3, 4]")),
    ),
    "scatter": (
        C.bad(
            "scatter_float_index",
            X,
            0,
            np.array([[1.0]], np.float64),
            np.array([[1.0]], np.float64),
            says="int32/int64",
        ),
        C.bad(
            "scatter_dtype", X, 0, np.array([[1]], np.int64), np.array([[1.0]], np.float32), says=("float64", "float32")
        ),
        C.bad(
            "scatter_oob", X, 0, np.array([[3]], np.int64), np.array([[1.0]], np.float64), says=("index 3", "size 3")
        ),
        C.bad(
            "scatter_ndim", X, 0, np.array([1], np.int64), np.array([1.0], np.float64), says="same number of dimensions"
        ),
        C.bad("scatter_src_ndim", X, 0, np.array([[1]], np.int64), np.array([[[1.0]]], np.float64), says="src"),
        C.bad(
            "scatter_too_big",
            X,
            0,
            np.array([[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]], np.int64),
            C.ones(2, 4, dtype=np.float64),
            says=("[3, 4]", "[2, 4]"),
        ),
        C.bad(
            "scatter_reduce_name",
            X,
            0,
            np.array([[1]], np.int64),
            np.array([[1.0]], np.float64),
            reduce="sum",
            says="add or multiply",
        ),
    ),
    "scatter_add": (
        C.bad("scatter_add_value", X, 0, np.array([[1]], np.int64), 1.0, says="Tensor"),
        C.bad(
            "scatter_add_oob",
            X,
            1,
            np.array([[-1]], np.int64),
            np.array([[1.0]], np.float64),
            says=("index -1", "size 4"),
        ),
    ),
    "take_along_dim": (
        C.bad("take_along_dim_int32", X, np.array([[1]], np.int32), 0, says=("Long", "Int")),
        C.bad("take_along_dim_ndim", X, np.array([1], np.int64), 0, says=("2 dimensions", "1 dimensions")),
        C.bad("take_along_dim_broadcast", X, np.array([[0, 0, 0], [0, 0, 0]], np.int64), 0, says=("(4)", "(3)")),
        C.bad("take_along_dim_flat_oob", X, np.array([12], np.int64), says=("index 12", "size 12")),
        C.bad(
            "take_along_dim_zero_size",
            np.zeros((3, 0), np.float64),
            np.array([[0, 0], [0, 0], [0, 0]], np.int64),
            1,
            says="ZeroDivisionError",
        ),
    ),
    "masked_fill": (
        C.bad("masked_fill_int_mask", X, C.ones(3, 4, dtype=np.int64), 1.0, says=("boolean masks", "int64")),
        C.bad("masked_fill_value_1d", X, X > 3, np.array([1.0], np.float64), says=("0-dimensional", "1 dimension")),
        C.bad("masked_fill_broadcast", X, np.array([True, False], np.bool), 1.0, says=("(4)", "(2)")),
    ),
    "tril": (C.bad("tril_1d", np.array([0.0, 1.0, 2.0, 3.0], np.float64), says="at least 2 dimensions"),),
    "triu": (C.bad("triu_float_diagonal", X, 1.0, says=("diagonal", "float")),),
    "diagonal": (
        C.bad("diagonal_same_dims", X, 0, 1, -1, says="1, -1"),
        C.bad("diagonal_dim_range", X, 0, 0, 2, says=("[-2, 1]", "got 2")),
    ),
    "diag": (
        C.bad("diag_3d", X3, says="3D"),
        C.bad("diag_0d", np.array(1.0, np.float64), says="0D"),
    ),
    "diag_embed": (
        C.bad("diag_embed_0d", np.array(1.0, np.float64), says="got -2"),
        C.bad("diag_embed_same_dims", X, 0, 1, -2, says="1, -2"),
    ),
}
