"""Indexing: ``x[index]``, index_select, gather, scatter, scatter_add, take_along_dim, masked_fill, tril/triu,
diagonal, diag, diag_embed.

Every op here moves elements without changing them, and two private primitives do all the moving, each
being the other's vjp (so any order of derivative works):

    _Take(x, index)                  out = x[index]
    _IndexAdd(g, index, shape)       out = zeros(shape); out[index] += g     (repeated targets accumulate)

``index`` is either a tuple of basic NumPy indices (ints, slices with a positive step, None), which never
names an element twice, or an int64 array of flat (C-order) positions into the indexed array, of any shape,
which may repeat. The public functions check arguments the way torch does and turn them into one of these.
nn.functional.pad reuses the same two primitives. Every primitive here is linear: each writes only its vjp, and
the Linear base applies the op itself to the tangents (refgrad/autograd/bases.py). Masked writes (masked_fill,
tril/triu, scatter of a value) are ``choose``, whose unchosen branch gets exactly 0, as torch's.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .. import dtypes
from .._scatter import add_rows
from ..autograd import Function
from ..autograd.bases import Linear
from ..autograd.placed import placed
from ..dtypes import scalar_type_name
from ..registry import public
from ..tensor import Tensor
from .choose import choose
from .common import as_tensor_arg, broadcast_shapes, cast, wrap_dim
from .shape import broadcast_view


# ---- the two primitives ---------------------------------------------------------------------------------
class _Take(Linear):
    """out = x[index]: a view for a basic index (a tuple of ints, slices, None, Ellipsis), as torch's; a copy for
    an array of flat positions."""
    saves = ()  # backward reads shapes only
    params = ("index",)

    def forward(ctx, x, index):
        if not isinstance(index, tuple):
            return np.take(x, index)
        # with an Ellipsis NumPy returns a 0-d view where all-int indexing would give a detached scalar
        return x[index if any(i is Ellipsis for i in index) else index + (Ellipsis,)]

    def vjp(ctx, g):
        shape = ctx.inputs[0].shape
        if not isinstance(ctx.index, tuple):  # flat positions, which may repeat
            return _IndexAdd.apply(g, index=ctx.index, shape=shape, unique=False)
        return placed(g, ctx.index, shape, lambda: _IndexAdd.apply(g, index=ctx.index, shape=shape, unique=True))


class _IndexAdd(Linear):
    """out = zeros(shape); out[index] += g. ``unique`` says that no position repeats (plain assignment)."""
    saves = ()  # backward reads shapes only
    params = ("index", "shape", "unique")

    def forward(ctx, g, index, shape, unique):
        if isinstance(index, tuple):
            out = np.zeros(shape, g.dtype)
            out[index] = g
            return out
        size = math.prod(shape)
        flat = index.reshape(-1)
        out = np.zeros(size, g.dtype)
        if unique:
            out[flat] = g.reshape(-1)
        else:  # repeated positions accumulate, in g's dtype and in index order (as torch's CPU index_put_)
            np.add.at(out, flat, g.reshape(-1))
        return out.reshape(shape)

    def vjp(ctx, g):
        return _Take.apply(g, index=ctx.index)


class _TakeRows(Linear):
    """out = x[rows] for a 1-D int array of rows along the first dim (negative ones counting from the end), as
    users write it: one np.take, with no flat positions to work out (_Take's plan for any index)."""
    saves = ()  # backward reads shapes only
    params = ("rows",)

    def forward(ctx, x, rows):
        return np.take(x, rows, axis=0)

    def vjp(ctx, g):
        return _AddRows.apply(g, rows=ctx.rows, size=ctx.inputs[0].shape[0])


class _AddRows(Linear):
    """The adjoint of _TakeRows: zeros of ``size`` rows, each row of g added into its row, repeated rows
    accumulating in index order (as _IndexAdd's positions)."""
    saves = ()  # backward reads shapes only
    params = ("rows", "size")

    def forward(ctx, g, rows, size):
        out = np.zeros((size,) + g.shape[1:], g.dtype)
        add_rows(out, rows, g)
        return out

    def vjp(ctx, g):
        return _TakeRows.apply(g, rows=ctx.rows)


class _Scatter(Linear):
    """out = x with out.flat[pos] = src.flat[src_pos]; where positions repeat the last one wins (as torch's CPU
    kernel, which walks each line along ``dim`` in order). Every src element that was sent gets the gradient of
    its target, winner or not, as in torch."""
    saves = ("inputs",)  # backward reads only the inputs
    params = ("pos", "src_pos")

    def forward(ctx, x, src, pos, src_pos):
        out = np.array(x, order="C", copy=True)  # C order: reshape(-1) is a view
        flat_pos = pos.reshape(-1)
        # the last occurrence of each target position
        _, first_from_end = np.unique(flat_pos[::-1], return_index=True)
        last = flat_pos.size - 1 - first_from_end
        out.reshape(-1)[flat_pos[last]] = np.take(src, src_pos).reshape(-1)[last]
        keep = np.ones(x.size, bool)
        keep[flat_pos] = False
        ctx.keep = keep.reshape(x.shape)
        return out

    def vjp(ctx, g):
        src = ctx.inputs[1]
        g_src = _IndexAdd.apply(_Take.apply(g, index=ctx.pos), index=ctx.src_pos, shape=src.shape, unique=True)
        return choose(ctx.keep, g, 0), g_src


class _ScatterAdd(Linear):
    """out = x with src.flat[src_pos] added at out.flat[pos], in x's dtype and in index order (as torch)."""
    saves = ("inputs",)  # backward reads only the inputs
    params = ("pos", "src_pos")

    def forward(ctx, x, src, pos, src_pos):
        out = np.array(x, order="C", copy=True)  # C order: reshape(-1) is a view
        np.add.at(out.reshape(-1), pos.reshape(-1), np.take(src, src_pos).reshape(-1))
        return out

    def vjp(ctx, g):
        src = ctx.inputs[1]
        return g, _IndexAdd.apply(_Take.apply(g, index=ctx.pos), index=ctx.src_pos, shape=src.shape, unique=True)


class _ScatterReduce(Function):
    """scatter(..., reduce='add'|'multiply'): forward only, as in torch (no derivative is implemented there)."""
    saves = ()  # backward reads shapes only

    def forward(ctx, x, src, pos, src_pos, reduce):
        out = np.array(x, order="C", copy=True)  # C order: reshape(-1) is a view
        vals = np.take(src, src_pos).reshape(-1)
        (np.add if reduce == "add" else np.multiply).at(out.reshape(-1), pos.reshape(-1), vals)
        return out

    def vjp(ctx, g):
        raise RuntimeError("derivative for aten::scatter is not implemented (scatter with reduce=...)")

    def jvp(ctx, dx, dsrc):
        raise RuntimeError("derivative for aten::scatter is not implemented (scatter with reduce=...)")


def take(x: Tensor, index) -> Tensor:
    """x[index] for a basic-index tuple or an array of flat positions (see the module docstring)."""
    return _Take.apply(x, index=index)


def index_add_into(g: Tensor, index, shape: tuple, unique: bool = False) -> Tensor:
    """zeros(shape) with g added at index (see the module docstring)."""
    return _IndexAdd.apply(g, index=index, shape=tuple(shape), unique=unique)


# ---- flat positions ---------------------------------------------------------------------------------------
def strides(shape) -> np.ndarray:
    """C-order strides in elements."""
    out = np.ones(len(shape), np.int64)
    for i in range(len(shape) - 2, -1, -1):
        out[i] = out[i + 1] * shape[i + 1]
    return out


def grid(n: int, axis: int, ndim: int) -> np.ndarray:
    """arange(n) laid along ``axis`` of an ndim-dim broadcastable array."""
    return np.arange(n, dtype=np.int64).reshape([n if i == axis else 1 for i in range(ndim)])


# ---- x[index] ---------------------------------------------------------------------------------------------
_INDEX_TYPES_MSG = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid "
                    "indices (got {})")


def _sequence_is_tuple(index: list) -> bool:
    """torch's (and NumPy's old) rule: a short list holding a sequence, slice, tensor, None or ... is a tuple."""
    if len(index) >= 32:
        return False
    return any(isinstance(o, (Tensor, np.ndarray, list, tuple, slice)) or o is None or o is Ellipsis for o in index)


def _index_array(obj) -> np.ndarray | int | bool:
    """A tensor/ndarray/list inside an index -> an int64 or bool ndarray (0-d ints and bools -> Python scalars)."""
    if isinstance(obj, Tensor):
        a = obj._data
        if a.dtype.kind == "b" or a.dtype == np.uint8:
            a = a.astype(bool)
        elif a.dtype in (np.int64, np.int32):
            a = a.astype(np.int64)
        else:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors "
                             f"(got a {obj.dtype} tensor)")
    else:  # an ndarray or a list: torch makes an index tensor of it (bool/uint8 stay masks, the rest -> int64)
        a = np.asarray(obj)
        if a.dtype.kind == "b" or a.dtype == np.uint8:
            a = a.astype(bool)
        elif a.dtype.kind in "iuf" or a.size == 0:
            a = np.trunc(a).astype(np.int64) if a.dtype.kind == "f" else a.astype(np.int64)
        else:
            raise IndexError(_INDEX_TYPES_MSG.format(a.dtype))
    if a.ndim == 0:
        return bool(a) if a.dtype.kind == "b" else int(a)
    return a


_ALL = slice(None)


class _IndexPlan:
    """torch's two-stage indexing, worked out once for an index and a shape.

    Stage 1 applies the ints, slices, Nones and the Ellipsis (basic indexing; each tensor/list index keeps its
    dims for now, and a Python bool adds a dim like None); stage 2 applies the tensor indices to what stage 1
    left, NumPy's advanced-indexing rule placing their broadcast dims (first if they are not adjacent). Ints
    are applied in stage 1 as torch does, which is why x[:, [0, 1], :, 0] differs from NumPy's result.
    """

    def __init__(self, index, shape: tuple):
        self.shape = shape
        ndim = len(shape)
        if isinstance(index, tuple) or (isinstance(index, list) and _sequence_is_tuple(index)):
            items = list(index)
        else:
            items = [index]
        items = [_index_array(o) if isinstance(o, (Tensor, np.ndarray, list)) else o for o in items]
        for o in items:
            if isinstance(o, (bool, np.bool_, numbers.Integral, slice, np.ndarray)) or o is None or o is Ellipsis:
                continue
            if isinstance(o, (str, bytes)):
                raise TypeError(_INDEX_TYPES_MSG.format(type(o).__name__))
            raise IndexError(_INDEX_TYPES_MSG.format(type(o).__name__))

        def n_dims(o):
            if isinstance(o, np.ndarray):
                return o.ndim if o.dtype.kind == "b" else 1
            return 0 if (o is None or o is Ellipsis or isinstance(o, (bool, np.bool_))) else 1

        specified = sum(n_dims(o) for o in items)
        if ndim == 0:
            if any(isinstance(o, slice) for o in items):
                raise IndexError("slice() cannot be applied to a 0-dim tensor.")
            if isinstance(index, numbers.Integral) and not isinstance(index, (bool, np.bool_)):
                raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                                 "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        if specified > ndim:
            raise IndexError(f"too many indices for tensor of dimension {ndim}")

        stage1, stage2, dim = [], [], 0
        ordinal = 0  # torch numbers the tensor indices among themselves in its out-of-bounds message
        self._arrays = []  # (stage-2 position, array, ordinal among tensor indices or None for a bool scalar)
        for pos, o in enumerate(items):
            if o is Ellipsis:
                k = min(ndim - specified, ndim - dim)
                stage1 += [slice(None)] * k
                stage2 += [slice(None)] * k
                dim += ndim - specified
            elif o is None:
                stage1.append(None)
                stage2.append(slice(None))
            elif isinstance(o, (bool, np.bool_)):  # torch: unsqueeze, then index that new dim with [0] or []
                stage1.append(None)
                self._arrays.append((len(stage2), np.zeros(1 if o else 0, np.int64), None))
                stage2.append(self._arrays[-1][1])
                ordinal += 1
            elif isinstance(o, numbers.Integral):
                self._check_dim(dim)
                n = shape[dim]
                if not -n <= o < n:
                    raise IndexError(f"index {o} is out of bounds for dimension {pos} with size {n}")
                stage1.append(int(o))
                dim += 1
            elif isinstance(o, slice):
                self._check_dim(dim)
                if o.step is not None and o.step == 0:
                    raise ValueError("slice step cannot be zero")
                if o.step is not None and o.step < 0:
                    raise ValueError("step must be greater than zero")
                stage1.append(o)
                stage2.append(slice(None))
                dim += 1
            else:  # an int64 array or a bool mask
                k = o.ndim if o.dtype.kind == "b" else 1
                self._check_dim(dim + k - 1)
                self._arrays.append((len(stage2), o, ordinal))
                stage1 += [slice(None)] * k
                stage2.append(o)
                dim += k
                ordinal += k
        self.stage1, self.stage2 = tuple(stage1), tuple(stage2)
        self.advanced = any(isinstance(o, np.ndarray) for o in stage2)
        if self.advanced:
            self._check_arrays()

    def _check_dim(self, dim):
        if dim >= len(self.shape):
            raise IndexError(f"too many indices for tensor of dimension {len(self.shape)}")

    def _check_arrays(self):
        s1 = broadcast_view(np.empty((), np.int8), self.shape)[self.stage1].shape
        shapes = []
        r = 0
        positions = {}
        for i, o in enumerate(self.stage2):
            positions[i] = r
            r += o.ndim if isinstance(o, np.ndarray) and o.dtype.kind == "b" else 1
        for i, a, ordinal in self._arrays:
            r = positions[i]
            if ordinal is None:
                shapes.append(a.shape)
            elif a.dtype.kind == "b":
                for j, (m, n) in enumerate(zip(a.shape, s1[r:r + a.ndim])):
                    if m != n:
                        raise IndexError(f"The shape of the mask {list(a.shape)} at index {j} does not match the "
                                         f"shape of the indexed tensor {list(s1)} at index {r + j}")
                shapes.append((int(a.sum()),))
            else:
                n = s1[r]
                bad = (a >= n) | (a < -n)
                if bad.any():
                    if n == 0:
                        raise IndexError("index is out of bounds for dimension with size 0")
                    raise IndexError(f"index {int(a[bad].flat[0])} is out of bounds for dimension {ordinal} with "
                                     f"size {n}")
                shapes.append(a.shape)
        try:
            if len(shapes) > 1:
                np.broadcast_shapes(*shapes)
        except ValueError:
            raise IndexError("shape mismatch: indexing tensors could not be broadcast together with shapes "
                             + ", ".join(str(list(s)) for s in shapes)) from None

    def positions(self) -> np.ndarray:
        """Flat positions into the indexed array of every result element (the result's shape)."""
        shape = self.shape
        if not shape:
            return np.zeros((), np.int64)[self.stage1][self.stage2]
        rows = self.stage2[0]
        if (len(self._arrays) == 1 and isinstance(rows, np.ndarray) and rows.dtype.kind == "i"
                and all([s == _ALL for s in self.stage1])):  # x[rows]: whole rows, the commonest advanced index
            return _whole_rows(rows, shape)
        st = strides(shape)
        out = 0
        for d, n in enumerate(shape):  # a zero-memory view of coordinate d, indexed like the tensor
            coord = np.broadcast_to(grid(n, d, len(shape)) * st[d], shape)
            out = out + coord[self.stage1][self.stage2]
        return np.asarray(out, np.int64)

    def numpy_index(self):
        """One NumPy index that selects what torch selects (used by Tensor.__setitem__)."""
        if not self.advanced:
            return self.stage1
        pos = self.positions()
        if not self.shape:  # only Nones and bools index a 0-d tensor: all of it, or nothing
            return (None,) * pos.ndim if pos.size else False
        return np.unravel_index(pos, self.shape)


def normalize_index(index, shape: tuple):
    """A torch index (ints, slices, None, Ellipsis, bools, int/bool tensors, lists, ndarrays) for a tensor of
    ``shape`` -> one NumPy index that selects the same elements, after torch's checks (IndexError for
    out-of-range ints, too many indices, float index tensors; ValueError for non-positive slice steps)."""
    return _IndexPlan(index, tuple(shape)).numpy_index()


_ROW_INDEX_DTYPES = (np.dtype(np.int64), np.dtype(np.int32))


def _plain_rows(index) -> np.ndarray | None:
    """The rows of x[rows] when the index is a 1-D int64/int32 tensor or ndarray, or a list of ints (as users write
    it: x[rows], x[np_rows], x[[0, 2]]); None for any other index."""
    if type(index) is Tensor:
        rows = index._data
    elif type(index) is np.ndarray:
        rows = index
    elif type(index) is list and not _sequence_is_tuple(index):
        rows = np.asarray(index)  # ints -> int64; bools, floats and empty lists take the general plan
    else:
        return None
    return rows if rows.ndim == 1 and rows.dtype in _ROW_INDEX_DTYPES else None


def _ints_and_slices(index, shape: tuple) -> tuple | None:
    """The basic index of x[t], x[a:b] or x[:, 1:3] (Python ints in bounds and slices with a positive step or none,
    at most one per dim: what _IndexPlan's stage 1 would be for them), or None for any other index, which the
    general plan takes (and raises for, where it is wrong)."""
    items = index if type(index) is tuple else (index,)
    if len(items) > len(shape):
        return None
    for n, o in zip(shape, items):
        if type(o) is slice:
            if o.step is not None and not (type(o.step) is int and o.step > 0):
                return None
        elif type(o) is not int or not -n <= o < n:
            return None
    return items


def _check_rows(rows: np.ndarray, n: int) -> None:
    """torch's bounds check of x[rows] for 1-D int rows (see _plain_rows) on a first dim of size n."""
    if rows.size and not -n <= np.minimum.reduce(rows) <= np.maximum.reduce(rows) < n:
        bad = (rows >= n) | (rows < -n)
        if n == 0:
            raise IndexError("index is out of bounds for dimension with size 0")
        raise IndexError(f"index {int(rows[bad][0])} is out of bounds for dimension 0 with size {n}")


def _whole_rows(rows: np.ndarray, shape: tuple) -> np.ndarray:
    """The flat positions of x[rows] for an int array of in-bounds rows (negative ones counting from the end)."""
    inner = math.prod(shape[1:])
    starts = np.where(rows < 0, rows + shape[0], rows).astype(np.int64, copy=False) * inner
    return (starts.reshape(rows.shape + (1,)) + np.arange(inner)).reshape(rows.shape + shape[1:])


@public(name="__getitem__", namespace="Tensor")
def getitem(input, index):
    """Tensor.__getitem__: torch's basic and advanced indexing (see _IndexPlan). As in torch, basic indexing
    gives a view (writes through it reach x, and count against what a graph saved of x) and advanced indexing a
    copy."""
    x = as_tensor_arg(input)
    basic = _ints_and_slices(index, x.shape)
    if basic is not None:  # x[t], x[:, 1:3]: a view, without the general plan
        return _Take.apply(x, index=basic)
    rows = _plain_rows(index) if x.ndim else None
    if rows is not None:  # x[rows], without the general plan
        _check_rows(rows, x.shape[0])
        return _TakeRows.apply(x, rows=rows.copy())  # (a copy: the caller may write to its index before backward)
    plan = _IndexPlan(index, x.shape)
    if not plan.advanced:
        return _Take.apply(x, index=plan.stage1)
    return _Take.apply(x, index=plan.positions())




# ---- index_select, gather, take_along_dim -----------------------------------------------------------------
def _index_tensor(index, fn: str, allowed=(np.int64, np.int32), message=None) -> Tensor:
    """index as a Tensor of an allowed integer dtype, else torch's error; ``message``: a template whose {dtype}
    is the given index's dtype (formatted only on error: this runs on every call)."""
    if not isinstance(index, (Tensor, np.ndarray)):
        raise TypeError(f"{fn}(): argument 'index' must be Tensor, not {type(index).__name__}")
    given = index
    index = as_tensor_arg(index, "index")
    if index.dtype.type not in allowed:
        raise RuntimeError(message.format(dtype=given.dtype) if message else
                           f"{fn}(): Expected dtype int32/int64 for index (got {index.dtype})")
    return index


@public(method=True)
def index_select(input, dim: int, index):
    """torch.index_select: index a 1-D (or 0-d) int64/int32 tensor; negative indices are out of range."""
    x = as_tensor_arg(input)
    index = _index_tensor(index, "index_select",
                          message="index_select(): Expected dtype int32 or int64 for index (got {dtype})")
    d = wrap_dim(dim, x.ndim)
    if index.ndim > 1:
        raise IndexError(f"index_select(): Index is supposed to be a vector (got shape {list(index.shape)})")
    idx = index._data.reshape(-1).astype(np.int64)
    if x.ndim == 0:
        if idx.size != 1:
            raise RuntimeError(f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)")
        if idx[0] != 0:
            raise IndexError(f"index out of range in self (index {idx[0]}, 0-d input)")
        return _Take.apply(x, index=())
    n = x.shape[d]
    if n == 0 and idx.size:
        raise RuntimeError(f"index_select(): self indexing axis dim should be positive (input shape {list(x.shape)}, "
                           f"dim {d})")
    bad = (idx < 0) | (idx >= n)
    if bad.any():
        v = int(idx[bad][0])
        if d == 1:  # torch's dim-1 fast path raises this RuntimeError instead
            raise RuntimeError(f"INDICES element is out of DATA bounds, id={v} axis_dim={n}")
        raise IndexError(f"index out of range in self (index {v} for dimension {d} with size {n})")
    if d == 0:  # whole rows: x[idx]'s positions
        return _Take.apply(x, index=_whole_rows(idx, x.shape))
    st = strides(x.shape)
    out_shape = x.shape[:d] + (idx.size,) + x.shape[d + 1:]
    pos = idx.reshape([-1 if i == d else 1 for i in range(x.ndim)]) * st[d]
    for i, s in enumerate(x.shape):
        if i != d:
            pos = pos + grid(s, i, x.ndim) * st[i]
    return _Take.apply(x, index=np.broadcast_to(pos, out_shape).copy())


def _check_bounds(idx: np.ndarray, n: int, dim: int):
    bad = (idx < 0) | (idx >= n)
    if bad.any():
        raise RuntimeError(f"index {int(idx[bad].flat[0])} is out of bounds for dimension {dim} with size {n}")


def _gather_positions(shape: tuple, dim: int, idx: np.ndarray) -> np.ndarray:
    """Flat positions into an array of ``shape`` of x[..., idx[i, j, k], ...] (idx along dim, the other
    coordinates those of the index element): torch.gather's addressing."""
    st = strides(shape)
    pos = idx.astype(np.int64) * st[dim]
    for i in range(len(shape)):
        if i != dim:
            pos = pos + grid(idx.shape[i], i, idx.ndim) * st[i]
    return np.ascontiguousarray(np.broadcast_to(pos, idx.shape))


def _same_ndim(index: Tensor, other: Tensor) -> bool:
    """torch treats 0-d and 1-element 1-D alike here."""
    return max(index.ndim, 1) == max(other.ndim, 1)


@public(method=True)
def gather(input, dim: int, index, *, sparse_grad: bool = False):
    """torch.gather: out[i][j][k] = input[index[i][j][k]][j][k] (dim 0). sparse_grad is accepted and ignored
    (refgrad gradients are dense)."""
    x = as_tensor_arg(input)
    index = _index_tensor(index, "gather")
    d = wrap_dim(dim, x.ndim)
    if index.numel() == 0:
        return _Take.apply(x, index=np.zeros(index.shape, np.int64))
    if not _same_ndim(index, x):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as input tensor (index "
                           f"{list(index.shape)}, input {list(x.shape)})")
    xs = x.shape if x.ndim else (1,)
    idx = index._data.reshape(index.shape if index.ndim else (1,))
    for i in range(len(xs)):
        if i != d and idx.shape[i] > xs[i]:
            raise RuntimeError(f"Size does not match at dimension {i} expected index {list(index.shape)} to be no "
                               f"larger than self {list(x.shape)} apart from dimension {d}")
    _check_bounds(idx, xs[d], d)
    return _Take.apply(x, index=_gather_positions(xs, d, idx).reshape(index.shape))


@public(method=True)
def take_along_dim(input, indices, dim: int | None = None):
    """torch.take_along_dim. With a dim, input and indices broadcast over the other dims and, as torch 2.13
    does, indices are taken modulo the size of dim (so -1 is the last element and size+1 the second);
    without one, both are flattened and indices must lie in [0, numel)."""
    x = as_tensor_arg(input)
    if not isinstance(indices, (Tensor, np.ndarray)):
        raise TypeError(f"take_along_dim(): argument 'indices' must be Tensor, not {type(indices).__name__}")
    indices = as_tensor_arg(indices, "indices")
    if indices.dtype != np.int64:
        raise RuntimeError(f"torch.take_along_dim(): dtype of indices should be Long but got "
                           f"{scalar_type_name(indices.dtype)}")
    if dim is None:
        idx = indices._data.reshape(-1)
        _check_bounds(idx, x.numel(), 0)
        return _Take.apply(x, index=idx.copy())
    if x.ndim != indices.ndim:
        raise RuntimeError(f"torch.take_along_dim(): input and indices should have the same number of dimensions, "
                           f"but got {x.ndim} dimensions for input, and {indices.ndim} dimensions for indices")
    if x.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, x.ndim)
    xs = x.shape[:d] + (1,) + x.shape[d + 1:]
    js = indices.shape[:d] + (1,) + indices.shape[d + 1:]
    b = broadcast_shapes(xs, js)
    out_shape = b[:d] + (indices.shape[d],) + b[d + 1:]
    idx = np.broadcast_to(indices._data, out_shape)
    n = x.shape[d]
    if idx.size and n == 0:
        raise RuntimeError("ZeroDivisionError (take_along_dim: indices into a dimension of size 0)")
    idx = np.mod(idx, n) if idx.size else idx
    st = strides(x.shape)
    pos = idx * st[d]
    for i in range(x.ndim):
        if i != d and x.shape[i] != 1:
            pos = pos + grid(out_shape[i], i, x.ndim) * st[i]
    return _Take.apply(x, index=np.ascontiguousarray(np.broadcast_to(pos, out_shape)))


# ---- scatter, scatter_add ---------------------------------------------------------------------------------
def _scatter_args(x: Tensor, dim, index, src, fn: str):
    """Checks torch's scatter rules; returns (dim, flat positions into x, flat positions into src)."""
    index = _index_tensor(index, "scatter", message="scatter(): Expected dtype int32/int64 for index (got {dtype})")
    d = wrap_dim(dim, x.ndim)
    if src is not None and src.dtype != x.dtype:
        raise RuntimeError(f"{fn}(): Expected self.dtype to be equal to src.dtype (got {x.dtype} and {src.dtype})")
    if index.numel() == 0:
        return d, None, None
    if not _same_ndim(index, x):
        raise RuntimeError(f"Index tensor must have the same number of dimensions as self tensor (index "
                           f"{list(index.shape)}, self {list(x.shape)})")
    xs = x.shape if x.ndim else (1,)
    idx = index._data.reshape(index.shape if index.ndim else (1,))
    if src is not None and not _same_ndim(index, src):
        if src.ndim < index.ndim:
            s = max(src.ndim, 1)
            raise IndexError(f"Dimension out of range (expected to be in range of [{-s}, {s - 1}], but got "
                             f"{max(src.ndim, 1)}) (src {list(src.shape)}, index {list(index.shape)})")
        raise RuntimeError(f"Index tensor must have the same number of dimensions as src tensor (index "
                           f"{list(index.shape)}, src {list(src.shape)})")
    ss = (src.shape if src.ndim else (1,)) if src is not None else None
    too_big = any(idx.shape[i] > xs[i] for i in range(len(xs)) if i != d) or (
        ss is not None and any(idx.shape[i] > ss[i] for i in range(len(xs))))
    if too_big:
        msg = (f"Expected index {list(index.shape)} to be no larger than self {list(x.shape)} apart from "
               f"dimension {d}")
        if ss is not None:
            msg += f" and to be no larger size than src {list(src.shape)}"
        raise RuntimeError(msg)
    _check_bounds(idx, xs[d], d)
    pos = _gather_positions(xs, d, idx)
    src_pos = None
    if ss is not None:
        st = strides(ss)
        src_pos = sum(grid(idx.shape[i], i, idx.ndim) * st[i] for i in range(idx.ndim))
        src_pos = np.ascontiguousarray(np.broadcast_to(src_pos, idx.shape), dtype=np.int64)
    return d, pos, src_pos


@public(method=True, inplace=True)
def scatter(input, dim: int, index, src=None, *, value=None, reduce: str | None = None):
    """torch.scatter: out = input, then out[index[i][j]][j] = src[i][j] (dim 0), or = value for a number.
    Colliding indices: the last one along dim wins, and every src element sent gets its target's gradient
    (torch's CPU behaviour). reduce='add'|'multiply' combines instead of replacing, forward only as in torch."""
    x = as_tensor_arg(input)
    if src is not None and value is not None:
        raise TypeError("scatter() got both src and value")
    if src is None and value is None:
        raise TypeError("scatter() missing 1 required positional argument: 'src' or 'value'")
    if value is None and not isinstance(src, (Tensor, np.ndarray)):
        src, value = None, src
    if value is not None and (isinstance(value, Tensor) or not isinstance(value, (numbers.Number, np.generic))):
        raise TypeError(f"scatter(): argument 'value' must be Number, not {type(value).__name__}")
    src = as_tensor_arg(src, "src") if src is not None else None
    if reduce is not None and reduce not in ("add", "multiply"):
        raise RuntimeError(f"reduce argument must be either add or multiply. (got {reduce!r})")
    _, pos, src_pos = _scatter_args(x, dim, index, src, "scatter")
    if pos is None:
        return _Take.apply(x, index=(...,))
    pos = pos.reshape(-1)
    if value is not None:
        src = Tensor(np.full(pos.shape, value).astype(x.dtype))
        src_pos = np.arange(pos.size)
    if reduce is not None:
        return _ScatterReduce.apply(x, src, pos=pos, src_pos=src_pos.reshape(-1), reduce=reduce)
    if value is not None:  # a constant: the positions written are a mask, as in masked_fill
        mask = np.zeros(x.numel(), bool)
        mask[pos] = True
        return choose(mask.reshape(x.shape), Tensor(np.asarray(value).astype(x.dtype)), x)
    return _Scatter.apply(x, src, pos=pos, src_pos=src_pos.reshape(-1))


@public(method=True, inplace=True)
def scatter_add(input, dim: int, index, src):
    """torch.scatter_add: out = input, then out[index[i][j]][j] += src[i][j] (dim 0); repeats accumulate."""
    x = as_tensor_arg(input)
    if not isinstance(src, (Tensor, np.ndarray)):
        raise TypeError(f"scatter_add(): argument 'src' (position 4) must be Tensor, not {type(src).__name__}")
    src = as_tensor_arg(src, "src")
    _, pos, src_pos = _scatter_args(x, dim, index, src, "scatter")
    if pos is None:
        return _Take.apply(x, index=(...,))
    return _ScatterAdd.apply(x, src, pos=pos.reshape(-1), src_pos=src_pos.reshape(-1))


# ---- masked_fill, tril, triu ------------------------------------------------------------------------------
@public(method=True, inplace=True)
def masked_fill(input, mask, value):
    """torch.masked_fill: value (a number, or a 0-d tensor, differentiable) where the bool mask is True;
    mask broadcasts with input. value is cast to input's dtype."""
    x = as_tensor_arg(input)
    mask = as_tensor_arg(mask, "mask")
    if mask.dtype != np.bool_:
        raise RuntimeError(f"masked_fill_ only supports boolean masks, but got mask with dtype {mask.dtype}")
    if isinstance(value, (Tensor, np.ndarray)):
        value = as_tensor_arg(value, "value")
        if value.ndim != 0:
            raise RuntimeError(f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
                               f"{value.ndim} dimension(s).")
        value = cast(value, x.dtype)
    elif isinstance(value, (numbers.Number, np.generic)):
        value = Tensor(dtypes.checked_scalar(value, x.dtype))  # NaN into an int tensor raises, as in torch
    else:
        raise TypeError(f"masked_fill(): argument 'value' must be Number or Tensor, not {type(value).__name__}")
    broadcast_shapes(x.shape, mask.shape)
    return choose(mask, value, x)


def _triangle(input, diagonal: int, lower: bool, name: str):
    x = as_tensor_arg(input)
    if not isinstance(diagonal, (int, np.integer)) or isinstance(diagonal, bool):
        raise TypeError(f"{name}(): argument 'diagonal' (position 2) must be int, not {type(diagonal).__name__}")
    if x.ndim < 2:
        raise RuntimeError(f"{name}: input tensor must have at least 2 dimensions (got shape {list(x.shape)})")
    n, m = x.shape[-2:]
    keep = np.tri(n, m, int(diagonal), dtype=bool) if lower else ~np.tri(n, m, int(diagonal) - 1, dtype=bool)
    return choose(keep, x, 0)


@public(method=True, inplace=True)
def tril(input, diagonal: int = 0):
    """torch.tril: zero above the diagonal-th diagonal of the last two dims."""
    return _triangle(input, diagonal, True, "tril")


@public(method=True, inplace=True)
def triu(input, diagonal: int = 0):
    """torch.triu: zero below the diagonal-th diagonal of the last two dims."""
    return _triangle(input, diagonal, False, "triu")


# ---- diagonal, diag, diag_embed ---------------------------------------------------------------------------
def _diagonal_coords(n1: int, n2: int, offset: int):
    """rows, cols of the offset-th diagonal of an n1 x n2 matrix."""
    if offset >= 0:
        length = max(0, min(n1, n2 - offset))
        r = np.arange(length, dtype=np.int64)
        return r, r + offset
    length = max(0, min(n1 + offset, n2))
    r = np.arange(length, dtype=np.int64)
    return r - offset, r


def _two_dims(dim1, dim2, ndim):
    d1, d2 = wrap_dim(dim1, ndim), wrap_dim(dim2, ndim)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return d1, d2


def _diagonal_view(a: np.ndarray, offset: int, dim1: int, dim2: int) -> np.ndarray:
    """The offset-th diagonal of a's (dim1, dim2) matrices as its last dim: a writable view of a."""
    m = np.moveaxis(a, (dim1, dim2), (-2, -1))
    m = m[..., :, offset:] if offset >= 0 else m[..., -offset:, :]
    n = min(m.shape[-2], m.shape[-1])
    return np.einsum("...ii->...i", m[..., :n, :n])


class _Diagonal(Linear):
    """torch.diagonal: a view, as torch's (writes through it reach the input)."""

    saves = ()  # backward reads shapes only
    params = ("offset", "dim1", "dim2")

    def forward(ctx, x, offset, dim1, dim2):
        return _diagonal_view(x, offset, dim1, dim2)

    def vjp(ctx, g):
        return _DiagonalPlace.apply(g, shape=ctx.inputs[0].shape, offset=ctx.offset, dim1=ctx.dim1, dim2=ctx.dim2)


class _DiagonalPlace(Linear):
    """The adjoint of _Diagonal: zeros of ``shape`` with g on that diagonal."""

    saves = ()  # backward reads shapes only
    params = ("shape", "offset", "dim1", "dim2")

    def forward(ctx, g, shape, offset, dim1, dim2):
        out = np.zeros(shape, g.dtype)
        _diagonal_view(out, offset, dim1, dim2)[...] = g
        return out

    def vjp(ctx, g):
        return _Diagonal.apply(g, offset=ctx.offset, dim1=ctx.dim1, dim2=ctx.dim2)


@public(method=True)
def diagonal(input, offset: int = 0, dim1: int = 0, dim2: int = 1):
    """torch.diagonal: the offset-th diagonal of the (dim1, dim2) matrices, as the last dim (a view)."""
    x = as_tensor_arg(input)
    d1, d2 = _two_dims(dim1, dim2, x.ndim)
    return _Diagonal.apply(x, offset=int(offset), dim1=d1, dim2=d2)


@public(method=True)
def diag_embed(input, offset: int = 0, dim1: int = -2, dim2: int = -1):
    """torch.diag_embed: the last dim of input becomes the offset-th diagonal of new (dim1, dim2) matrices."""
    x = as_tensor_arg(input)
    nd = x.ndim + 1
    d1, d2 = _two_dims(dim1, dim2, nd)
    n = x.shape[-1] if x.ndim else 1
    m = n + abs(int(offset))
    others = [i for i in range(nd) if i not in (d1, d2)]
    out_shape = [0] * nd
    out_shape[d1] = out_shape[d2] = m
    for j, i in enumerate(others):
        out_shape[i] = x.shape[j]
    out_shape = tuple(out_shape)
    rows, cols = _diagonal_coords(m, m, int(offset))
    st = strides(out_shape)
    xs = x.shape if x.ndim else (1,)
    pos = (rows * st[d1] + cols * st[d2]).reshape([1] * (len(xs) - 1) + [-1])
    for j, i in enumerate(others):
        pos = pos + grid(xs[j], j, len(xs)) * st[i]
    pos = np.ascontiguousarray(np.broadcast_to(pos, xs)).reshape(x.shape)
    return _IndexAdd.apply(x, index=pos, shape=out_shape, unique=True)


@public(method=True)
def diag(input, diagonal: int = 0):
    """torch.diag: a 1-D input becomes the diagonal-th diagonal of a square matrix; a 2-D input gives its
    diagonal-th diagonal."""
    x = as_tensor_arg(input)
    if x.ndim == 1:
        return diag_embed(x, diagonal)
    if x.ndim == 2:  # a copy, as torch's (diagonal() is the view)
        return globals()["diagonal"](x, diagonal).clone()
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {x.ndim}D")
