"""Shape ops: they move elements without changing values, so each vjp moves the cotangent back.

Views and copies follow torch: ops that torch implements as views (reshape when possible, view, permute,
transpose, expand, squeeze/unsqueeze, narrow, select, split, chunk, unbind) return NumPy views sharing
the input's memory; ops that copy (flip, roll, cat, stack, repeat, tile, clone, contiguous) return fresh
arrays with torch's memory layout (contiguous, except flip and clone, which keep the input's layout),
so that ``view`` accepts or refuses exactly the tensors torch does.

The primitives are Reshape/View, Expand, Permute, Flip, Roll, Narrow (with EmbedNarrow, its adjoint:
the cotangent padded with zeros), Select, Cat, Repeat and Clone; every other op here is composed of them.
Each is linear, so each writes only its vjp: the Linear base applies the op itself to the tangents
(refgrad/autograd/bases.py).
Ops returning several tensors (split, chunk, unbind) return one Narrow/Select node per piece.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from .. import dtypes
from .._layout import copy_in_layout
from ..arguments import argument_error, size_arg, size_keyword
from ..autograd.bases import Elementwise, Linear, identity
from ..autograd.placed import placed
from ..registry import public
from ..tensor import Tensor
from .common import as_tensor_arg, cast, wrap_dim, wrap_dims

# ---- argument helpers -------------------------------------------------------------------------------


def _int(v, what: str) -> int:
    """An int-like argument (int, np.integer, a one-element integer tensor); floats are a TypeError."""
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"{what} must be int, not {type(v).__name__}") from None


def _shape_arg(shape, fn: str, what: str = "size", kw: dict | None = None) -> tuple:
    """torch's size arguments: f(2, 3), f((2, 3)), f([2, 3]), or f(size=(2, 3)) (kw: the function's **kw)."""
    return size_arg(shape, fn, what, 1, keyword=size_keyword(kw or {}, fn, what))


def _sequence_arg(value, fn: str, name: str) -> tuple:
    """The one sequence of ints a function form takes (torch.reshape(x, (3, 2))); the method forms also take
    separate ints (declared ``varargs=True``)."""
    if not isinstance(value, (tuple, list)):
        raise argument_error(fn, name, 2, "tuple of ints", value)
    return size_arg((value,), fn, name, 2)


def _int_tuple(v, what: str) -> tuple:
    """An int or a sequence of ints -> tuple of ints."""
    if isinstance(v, (tuple, list)):
        return tuple(_int(s, what) for s in v)
    return (_int(v, what),)


def _no_dims(x: Tensor, dim: int, error=IndexError) -> None:
    """torch's error for ops that need a dimension (unbind, roll with dims, ...) applied to a 0-d tensor."""
    if x.ndim == 0:
        raise error(f"Dimension specified as {dim} but tensor has no dimensions")


def _c_order(a: np.ndarray) -> np.ndarray:
    """a itself when C-contiguous, else a C-contiguous copy (0-d stays 0-d, unlike np.ascontiguousarray)."""
    return np.asarray(a, order="C")


# ---- reshape, view --------------------------------------------------------------------------------------


class Reshape(Linear):
    """np.reshape: a view when the layout allows it, else a copy (as torch.reshape)."""

    saves = ()  # backward reads shapes only (View inherits this)
    params = ("shape",)

    def forward(ctx, x, shape):
        return x.reshape(shape)  # (np.reshape's own call, without its Python wrappers)

    def vjp(ctx, g):
        return g.reshape(ctx.inputs[0].shape)


class View(Reshape):
    """Reshape that refuses to copy: torch's error when the strides do not allow a view. Its jvp is Reshape's
    (a tangent need not have a layout that allows a view)."""

    def forward(ctx, x, shape):
        return _view_array(x, shape)


def _view_array(x: np.ndarray, shape: tuple) -> np.ndarray:
    try:
        try:
            return x.reshape(shape, copy=False)  # NumPy >= 2.1: raises when a copy would be needed
        except TypeError:  # older NumPy has no copy=: assigning .shape refuses to copy the same way
            v = x.view()
            v.shape = shape
            return v
    except (ValueError, AttributeError):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at least one "
                           "dimension spans across two contiguous subspaces). Use .reshape(...) instead.") from None


def _infer_shape(shape: tuple, numel: int) -> tuple:
    """Resolves one -1 in shape with torch's checks and messages (infer_size)."""
    low = min(shape) if shape else 0
    if low >= 0:  # nothing to infer: the sizes hold the elements or the loop below says why not
        if math.prod(shape) == numel:
            return shape
    elif low == -1 and shape.count(-1) == 1:  # one size to infer from the others, which hold whole rows of it
        known = -math.prod(shape)
        if known and numel % known == 0:
            i = shape.index(-1)
            return shape[:i] + (numel // known,) + shape[i + 1:]
    infer, known = None, 1
    for i, s in enumerate(shape):
        if s == -1:
            if infer is not None:
                raise RuntimeError("only one dimension can be inferred")
            infer = i
        elif s >= 0:
            known *= s
        else:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape {list(shape)}")
    if infer is None:
        if known == numel:
            return shape
    elif known != 0 and numel % known == 0:
        return shape[:infer] + (numel // known,) + shape[infer + 1:]
    elif known == 0 and numel == 0:
        raise RuntimeError(f"cannot reshape tensor of 0 elements into shape {list(shape)} because the unspecified "
                           f"dimension size -1 can be any value and is ambiguous")
    raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")


@public(method=True, varargs=True)
def reshape(input, shape):
    """torch.reshape(input, shape) / Tensor.reshape(*shape): a view when possible, else a copy."""
    x = as_tensor_arg(input)
    return Reshape.apply(x, shape=_infer_shape(_sequence_arg(shape, "reshape", "shape"), x.numel()))


@public(namespace="Tensor")
def view(input, *shape, **kw):
    """Tensor.view(*shape): reshape without a copy, raising torch's error when the input's strides do not
    allow it. ``view(dtype)`` reinterprets the bytes (not differentiable, as in torch)."""
    x = as_tensor_arg(input)
    if "dtype" in kw:
        return _view_dtype(x, dtypes.to_dtype(kw.pop("dtype")))
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int, np.integer, Tensor)):
        return _view_dtype(x, dtypes.to_dtype(shape[0]))
    if not shape and not kw:
        raise TypeError("view() received an invalid combination of arguments - got (), but expected one of: "
                        "(dtype dtype), (tuple of ints size)")
    shape = _shape_arg(shape, "view", "size", kw) if kw else size_arg(shape, "view")
    return View.apply(x, shape=_infer_shape(shape, x.numel()))


def _view_dtype(x: Tensor, dtype: np.dtype) -> Tensor:
    if dtype.itemsize != x.dtype.itemsize:
        what = f"to view {x.dtype} as {dtype} (different element sizes)"
        if x.ndim == 0:
            raise RuntimeError(f"self.dim() cannot be 0 {what}")
        ratio = max(dtype.itemsize, x.dtype.itemsize) // min(dtype.itemsize, x.dtype.itemsize)
        if dtype.itemsize > x.dtype.itemsize and x.shape[-1] % ratio:
            raise RuntimeError(f"self.size(-1) must be divisible by {ratio} {what}, but got {x.shape[-1]}")
        if x.shape[-1] > 1 and x._data.strides[-1] != x.dtype.itemsize:
            raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got "
                               f"{x._data.strides[-1] // x.dtype.itemsize}")
    try:
        return Tensor(x._data.view(dtype))
    except ValueError as e:
        raise RuntimeError(f"cannot view a {x.dtype} tensor of shape {list(x.shape)} with strides "
                           f"{list(x._data.strides)} as {dtype}: {e}") from None


@public(namespace="Tensor")
def view_as(input, other):
    """Tensor.view_as: view(other.size())."""
    return view(input, tuple(as_tensor_arg(other, "other").shape))


@public(namespace="Tensor")
def reshape_as(input, other):
    """Tensor.reshape_as: reshape(other.size())."""
    return reshape(input, tuple(as_tensor_arg(other, "other").shape))


@public(method=True)
def flatten(input, start_dim: int = 0, end_dim: int = -1):
    """torch.flatten. A 0-d input becomes 1-D; start_dim == end_dim returns the input itself, as torch."""
    x = as_tensor_arg(input)
    s, e = wrap_dim(start_dim, x.ndim), wrap_dim(end_dim, x.ndim)
    if x.ndim == 0:
        return reshape(x, (1,))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return x
    return reshape(x, x.shape[:s] + (math.prod(x.shape[s:e + 1]),) + x.shape[e + 1:])


@public(method=True)
def unflatten(input, dim: int, sizes):
    """torch.unflatten: dim becomes sizes (one of them may be -1)."""
    x = as_tensor_arg(input)
    sizes = _shape_arg((sizes,), "unflatten", "sizes")
    if x.ndim == 0:
        raise RuntimeError(f"unflatten: Dimension specified as {dim} but tensor has no dimensions")
    d = wrap_dim(dim, x.ndim)
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    n = x.shape[d]
    if sizes.count(-1) <= 1 and all(s >= -1 for s in sizes):
        known = math.prod(s for s in sizes if s != -1)
        if (n % known if known else n) if -1 in sizes else known != n:
            raise RuntimeError(f"unflatten: Provided sizes {list(sizes)} don't multiply up to the size of dim {d} "
                               f"({n}) in the input tensor")
    try:
        inner = _infer_shape(sizes, n)
    except RuntimeError as e:
        raise RuntimeError(f"unflatten: {e}") from None
    return reshape(x, x.shape[:d] + inner + x.shape[d + 1:])


@public(method=True)
def ravel(input):
    """torch.ravel: the flattened contiguous tensor (a view when possible)."""
    return reshape(input, (-1,))


@public(namespace="Tensor")
def contiguous(input, memory_format=None):
    """Tensor.contiguous: the tensor itself when C-contiguous, else a C-contiguous copy. memory_format is
    accepted for signature compatibility; refgrad has only the contiguous format."""
    x = as_tensor_arg(input)
    return x if x._data.flags.c_contiguous else Clone.apply(x, contiguous=True)


class Clone(Elementwise):
    saves = ()  # backward reads shapes only

    def forward(ctx, x, *, contiguous):
        return np.array(x, order="C") if contiguous else copy_in_layout(x)

    d_x = identity


@public(method=True)
def clone(input, *, memory_format=None):
    """torch.clone: a copy in the input's layout (torch's preserve_format); memory_format
    'contiguous_format' (or torch.contiguous_format's name) gives a C-contiguous copy."""
    x = as_tensor_arg(input)
    return Clone.apply(x, contiguous="contiguous" in str(memory_format))


# ---- expand -----------------------------------------------------------------------------------------------


def broadcast_view(x: np.ndarray, shape: tuple) -> np.ndarray:
    """np.broadcast_to(x, shape) (shape checked by the caller): a read-only view whose broadcast dims have
    stride 0, built by the ndarray constructor over a contiguous x, which costs a fifth of broadcast_to's
    nditer (every reduction's vjp expands its gradient)."""
    if x.ndim == 0:  # one value (a full reduction's gradient): every stride 0
        view = np.ndarray(shape, x.dtype, x, 0, (0,) * len(shape))
    elif not x.flags.c_contiguous or x.size == 0:
        return np.broadcast_to(x, shape)
    else:
        lead = len(shape) - x.ndim
        strides = (0,) * lead + tuple([0 if n == 1 else stride for n, stride in zip(x.shape, x.strides)])
        view = np.ndarray(shape, x.dtype, x, 0, strides)
    view.flags.writeable = False
    return view


class Expand(Linear):
    saves = ()  # backward reads shapes only
    params = ("shape",)

    def forward(ctx, x, shape):
        return x.view() if x.shape == shape else broadcast_view(x, shape)

    def vjp(ctx, g):
        return g  # the engine's sum_to folds the broadcast dims back


@public(namespace="Tensor")
def expand(input, *sizes, **kw):
    """Tensor.expand: -1 keeps a size; new leading dims may be added; a size-1 dim may grow (to 0 too)."""
    x = as_tensor_arg(input)
    sizes = _shape_arg(sizes, "expand", "size", kw)
    if len(sizes) < x.ndim:
        raise RuntimeError(f"expand({dtypes.tensor_type_name(x.dtype)}{{{list(x.shape)}}}, size={list(sizes)}): the "
                           f"number of sizes provided ({len(sizes)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({x.ndim})")
    lead = len(sizes) - x.ndim
    shape = list(sizes)
    for i in reversed(range(len(sizes))):  # torch checks from the last dim
        s = sizes[i]
        if i < lead:
            if s == -1:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a leading, non-existing "
                                   f"dimension {i}")
        else:
            own = x.shape[i - lead]
            s = own if s == -1 else s
            if own != 1 and own != s:
                raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing size ({own}) at "
                                   f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                                   f"{list(x.shape)}")
        if s < 0:
            raise RuntimeError(f"expand: invalid size {s} at dimension {i} (target sizes {list(sizes)}, tensor "
                               f"sizes {list(x.shape)})")
        shape[i] = s
    return Expand.apply(x, shape=tuple(shape))


@public(namespace="Tensor")
def expand_as(input, other):
    """Tensor.expand_as: expand(other.size())."""
    return expand(input, tuple(as_tensor_arg(other, "other").shape))


@public(method=True)
def broadcast_to(input, size):
    """torch.broadcast_to: expand(size)."""
    if not isinstance(size, (tuple, list)):
        raise TypeError(f"broadcast_to(): argument 'size' (position 2) must be tuple of ints, not "
                        f"{type(size).__name__}")
    return expand(input, tuple(size))


# ---- dims: permute, transpose, movedim, squeeze, unsqueeze -----------------------------------------------


class Permute(Linear):
    saves = ()  # backward reads shapes only
    params = ("dims",)

    def forward(ctx, x, dims):
        return x.transpose(dims)

    def vjp(ctx, g):
        return g.permute(tuple(np.argsort(ctx.dims)))

    def vjp_products(ctx, g):
        """A matrix transpose's gradient when it arrives as an unbuilt Products (autograd/products.py): passed on
        to the input, transposed, still unbuilt; None for any other permutation (the engine builds it first)."""
        return g.transposed() if ctx.dims == (1, 0) else None


@public(method=True, varargs=True)
def permute(input, dims):
    """torch.permute(input, dims) / Tensor.permute(*dims)."""
    x = as_tensor_arg(input)
    dims = _sequence_arg(dims, "permute", "dims")
    if len(dims) != x.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {x.ndim} is not equal to "
                           f"len(dims) = {len(dims)}")
    wrapped = tuple(wrap_dim(d, x.ndim) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"permute(): duplicate dims are not allowed. (dims {list(dims)})")
    return Permute.apply(x, dims=wrapped)


@public(aliases=("swapdims",), method=True)
def transpose(input, dim0: int, dim1: int):
    """torch.transpose: swaps two dims (a 0-d or 1-d input accepts dims 0 and -1)."""
    x = as_tensor_arg(input)
    order = list(range(x.ndim))
    d0, d1 = wrap_dim(dim0, x.ndim), wrap_dim(dim1, x.ndim)
    if x.ndim:
        order[d0], order[d1] = order[d1], order[d0]
    return Permute.apply(x, dims=tuple(order))


@public(method=True)
def swapaxes(input, axis0: int, axis1: int):
    """torch.swapaxes (an alias of transpose)."""
    return transpose(input, axis0, axis1)


@public(method=True)
def t(input):
    """torch.t: transposes a 2-D tensor; 0-d and 1-D tensors are returned as they are (as a view)."""
    x = as_tensor_arg(input)
    if x.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {x.ndim}D")
    return Permute.apply(x, dims=(1, 0)) if x._data.ndim == 2 else transpose(x, 0, -1)


@public(aliases=("moveaxis",), method=True)
def movedim(input, source, destination):
    """torch.movedim: source dims (int or tuple) move to destination positions; the others keep their order."""
    x = as_tensor_arg(input)
    if isinstance(source, (tuple, list)) != isinstance(destination, (tuple, list)):
        raise TypeError(f"movedim() received an invalid combination of arguments: source and destination must both "
                        f"be ints or both be tuples of ints, got {type(source).__name__} and "
                        f"{type(destination).__name__}")
    src, dst = _int_tuple(source, "source"), _int_tuple(destination, "destination")
    if len(src) != len(dst):
        raise RuntimeError(f"movedim: Invalid source or destination dims: source ({list(src)} dims) should contain "
                           f"the same number of dims as destination ({list(dst)} dims)")
    ws, wd = [wrap_dim(d, x.ndim) for d in src], [wrap_dim(d, x.ndim) for d in dst]
    if len(set(ws)) != len(ws):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(wd)) != len(wd):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    if x.ndim == 0:
        return Permute.apply(x, dims=())
    order = [-1] * x.ndim
    for s, d in zip(ws, wd):
        order[d] = s
    rest = iter(i for i in range(x.ndim) if i not in ws)
    order = [next(rest) if o == -1 else o for o in order]
    return Permute.apply(x, dims=tuple(order))


@public(method=True)
def unsqueeze(input, dim: int):
    """torch.unsqueeze"""
    x = as_tensor_arg(input)
    d = wrap_dim(dim, x.ndim + 1)
    return Reshape.apply(x, shape=x.shape[:d] + (1,) + x.shape[d:])


@public(method=True)
def squeeze(input, dim=None):
    """torch.squeeze: dim None, an int or a tuple; a named dim of size != 1 is left alone."""
    x = as_tensor_arg(input)
    dims = wrap_dims(dim, x.ndim)
    return Reshape.apply(x, shape=tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))


# ---- flip, roll -------------------------------------------------------------------------------------------


class Flip(Linear):
    saves = ()  # backward reads shapes only
    params = ("dims",)

    def forward(ctx, x, dims):
        return copy_in_layout(np.flip(x, dims)) if dims else x.copy(order="K")

    def vjp(ctx, g):
        return Flip.apply(g, dims=ctx.dims)


@public(method=True, varargs=True)
def flip(input, dims):
    """torch.flip(input, dims) / Tensor.flip(*dims). A copy (torch has no negative strides)."""
    x = as_tensor_arg(input)
    dims = _sequence_arg(dims, "flip", "dims")
    wrapped = wrap_dims(dims, x.ndim)
    return Flip.apply(x, dims=wrapped if x.ndim else ())


class Roll(Linear):
    saves = ()  # backward reads shapes only
    params = ("shifts", "dims")

    def forward(ctx, x, shifts, dims):
        return _c_order(np.roll(x, shifts, dims).reshape(x.shape)) if x.size else x.copy()

    def vjp(ctx, g):
        return Roll.apply(g, shifts=tuple(-s for s in ctx.shifts), dims=ctx.dims)


@public(method=True)
def roll(input, shifts, dims=None):
    """torch.roll: shifts (int or tuple) along dims (int or tuple); dims None rolls the flattened tensor."""
    x = as_tensor_arg(input)
    shifts = _int_tuple(shifts, "shifts")
    if dims is None:
        if len(shifts) != 1:
            if not shifts:
                raise RuntimeError("`shifts` required")
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:0")
        return Roll.apply(x, shifts=shifts, dims=None)
    dims = _int_tuple(dims, "dims")
    if not shifts:
        raise RuntimeError("`shifts` required")
    if len(shifts) != len(dims):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}")
    _no_dims(x, dims[0])
    return Roll.apply(x, shifts=shifts, dims=tuple(wrap_dim(d, x.ndim) for d in dims))


# ---- slicing: narrow, select, split, chunk, unbind --------------------------------------------------------


def _slicer(dim: int, index) -> tuple:
    return (slice(None),) * dim + (index,)


class Narrow(Linear):
    """x[..., start:start + length, ...] along dim (a view)."""
    saves = ()  # backward reads shapes only
    params = ("dim", "start", "length")

    def forward(ctx, x, dim, start, length):
        return x[_slicer(dim, slice(start, start + length))]

    def vjp(ctx, g):
        shape = ctx.inputs[0].shape
        return placed(g, _slicer(ctx.dim, slice(ctx.start, ctx.start + ctx.length)), shape,
                      lambda: EmbedNarrow.apply(g, dim=ctx.dim, start=ctx.start, size=shape[ctx.dim]))


class EmbedNarrow(Linear):
    """The adjoint of Narrow: g placed at [start, start + len) along dim of zeros whose dim has size."""
    saves = ()  # backward reads shapes only
    params = ("dim", "start", "size")

    def forward(ctx, g, dim, start, size):
        out = np.zeros(g.shape[:dim] + (size,) + g.shape[dim + 1:], g.dtype)
        out[_slicer(dim, slice(start, start + g.shape[dim]))] = g
        return out

    def vjp(ctx, gg):
        return Narrow.apply(gg, dim=ctx.dim, start=ctx.start, length=ctx.inputs[0].shape[ctx.dim])


class Select(Linear):
    """x[..., index, ...] along dim (a view, one dim fewer)."""
    saves = ()  # backward reads shapes only
    params = ("dim", "index")

    def forward(ctx, x, dim, index):
        return x[_slicer(dim, index)]

    def vjp(ctx, g):
        shape, d = ctx.inputs[0].shape, ctx.dim
        return placed(g, _slicer(d, ctx.index), shape,
                      lambda: EmbedNarrow.apply(g.unsqueeze(d), dim=d, start=ctx.index, size=shape[d]))


@public(method=True)
def narrow(input, dim: int, start, length: int):
    """torch.narrow: length elements from start (which may be negative, or a 0-d integer tensor) along dim."""
    x = as_tensor_arg(input)
    if x.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, x.ndim)
    start, length = _int(start, "start"), _int(length, "length")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    size = x.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], but got {start})")
    start = start + size if start < 0 else start
    if start + length > size:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({size}).")
    return Narrow.apply(x, dim=d, start=start, length=length)


@public(method=True)
def select(input, dim: int, index: int):
    """torch.select: the slice at index along dim, with that dim removed."""
    x = as_tensor_arg(input)
    if x.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = wrap_dim(dim, x.ndim)
    index, size = _int(index, "index"), x.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size {list(x.shape)} at dimension {d}")
    return Select.apply(x, dim=d, index=index % size)


def _pieces(x: Tensor, d: int, sizes) -> tuple:
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    return tuple(Narrow.apply(x, dim=d, start=int(o), length=int(s)) for o, s in zip(offsets, sizes))


@public(method=True)
def split(tensor, split_size_or_sections=None, dim: int = 0, *, split_size=None):
    """torch.split: pieces of split_size (the last one smaller), or of the listed sizes; a tuple of views.
    Tensor.split's keyword name split_size is accepted too."""
    x = as_tensor_arg(tensor, "tensor")
    if split_size_or_sections is None:
        if split_size is None:
            raise TypeError("split() missing required argument 'split_size_or_sections'")
        split_size_or_sections = split_size
    if x.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = wrap_dim(dim, x.ndim)
    n = x.shape[d]
    if isinstance(split_size_or_sections, (tuple, list)):
        sizes = [_int(s, "split_sizes") for s in split_size_or_sections]
        if any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative entries, but got "
                               f"split_sizes={sizes}")
        if sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
                               f"dimension {d}), but got split_sizes={sizes}")
        return _pieces(x, d, sizes)
    size = _int(split_size_or_sections, "split_size")
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0 and n != 0:
        raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}")
    count = max(-(-n // size), 1) if size else 1
    return _pieces(x, d, [size] * (count - 1) + [n - size * (count - 1)])


@public(method=True)
def chunk(input, chunks: int, dim: int = 0):
    """torch.chunk: split into pieces of ceil(size / chunks) (so possibly fewer than chunks); a size-0 dim
    gives chunks empty pieces, as in torch."""
    x = as_tensor_arg(input)
    if x.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    chunks = _int(chunks, "chunks")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, x.ndim)
    n = x.shape[d]
    if n == 0:
        return _pieces(x, d, [0] * chunks)
    return split(x, -(-n // chunks), d)


@public(method=True)
def unbind(input, dim: int = 0):
    """torch.unbind: the tuple of slices along dim."""
    x = as_tensor_arg(input)
    d = wrap_dim(dim, x.ndim)
    _no_dims(x, d)  # torch names the wrapped dim here
    return tuple(Select.apply(x, dim=d, index=i) for i in range(x.shape[d]))


# ---- cat, stack -----------------------------------------------------------------------------------------


def _legacy_empty(shape: tuple) -> bool:
    """torch.cat skips 1-D empty tensors (shape (0,)) whatever the others' shapes are."""
    return shape == (0,)


class Cat(Linear):
    saves = ("inputs",)  # backward reads only the inputs
    params = ("dim",)

    def forward(ctx, *arrays, dim):
        kept = [a for a in arrays if not _legacy_empty(a.shape)]
        if not kept:
            return np.zeros((0,), arrays[0].dtype)
        return _c_order(np.concatenate(kept, axis=dim))

    def vjp(ctx, g):
        grads, offset = [], 0
        for x in ctx.inputs:
            if _legacy_empty(x.shape):
                grads.append(Tensor(np.zeros((0,), g.dtype)))
            else:
                n = x.shape[ctx.dim]
                grads.append(Narrow.apply(g, dim=ctx.dim, start=offset, length=n))
                offset += n
        return tuple(grads)


def _tensor_list(tensors, fname: str) -> list:
    if isinstance(tensors, (Tensor, np.ndarray)) or not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{fname}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{type(tensors).__name__}")
    for i, t in enumerate(tensors):
        if not isinstance(t, (Tensor, np.ndarray)):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}")
    return [as_tensor_arg(t) for t in tensors]


def _promote(tensors: list) -> list:
    dt = tensors[0]._data.dtype
    if all([t._data.dtype == dt for t in tensors]):  # one dtype (the usual case): nothing to promote or cast
        return tensors
    for t in tensors[1:]:
        dt = dtypes.promote_types(dt, t.dtype)
    return [cast(t, dt) for t in tensors]


@public(aliases=("concat",))
def cat(tensors, dim: int = 0, *, axis=None):
    """torch.cat: joins tensors along an existing dim, promoting dtypes as torch. 1-D empty tensors (shape
    (0,)) are skipped whatever the others' shapes are (torch's legacy rule) but still take part in the
    dtype promotion and get a (zero-size) gradient."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    dim = _int(dim if axis is None else axis, "dim")
    shapes = [t._data.shape for t in tensors]
    for i, shape in enumerate(shapes):
        if not shape:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    kept = [(i, shape) for i, shape in enumerate(shapes) if not _legacy_empty(shape)]
    d = 0
    if kept:
        ref = kept[0][1]
        d = wrap_dim(dim, len(ref))
        rest = ref[:d] + ref[d + 1:]
        for i, shape in kept[1:]:
            if len(shape) != len(ref):
                raise RuntimeError(f"Tensors must have same number of dimensions: got {len(ref)} and {len(shape)}")
            if shape[:d] + shape[d + 1:] != rest:  # (then find the dim that differs, for torch's message)
                k = next(k for k in range(len(ref)) if k != d and shape[k] != ref[k])
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. Expected size "
                                   f"{ref[k]} but got size {shape[k]} for tensor number {i} in the list.")
    return Cat.apply(*_promote(tensors), dim=d)


@public
def concatenate(tensors, axis: int = 0, *, dim=None):
    """torch.concatenate (an alias of cat; its dim is called axis, dim= is accepted too)."""
    return cat(tensors, axis if dim is None else dim)


class Stack(Linear):
    """Equally shaped tensors joined along a new dim: one node for the whole list (each input's gradient is its
    slice of g), as torch's stack, where cat of unsqueezed inputs recorded one node per input more."""
    saves = ()  # backward reads shapes only
    params = ("dim",)

    def forward(ctx, *arrays, dim):
        return _c_order(np.stack(arrays, axis=dim))  # (torch's result is contiguous whatever its inputs' layouts)

    def vjp(ctx, g):
        return tuple([Select.apply(g, dim=ctx.dim, index=i) for i in range(len(ctx.inputs))])


@public
def stack(tensors, dim: int = 0):
    """torch.stack: joins equally shaped tensors along a new dim."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    d = wrap_dim(dim, tensors[0].ndim + 1)
    for i, t in enumerate(tensors[1:], 1):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at "
                               f"entry 0 and {list(t.shape)} at entry {i}")
    return Stack.apply(*_promote(tensors), dim=d)


def _atleast(t: Tensor, n: int) -> Tensor:
    """torch.atleast_1d/2d: a 0-d tensor becomes (1,)/(1, 1), a 1-D (k,) becomes (1, k) for n == 2."""
    return reshape(t, (1,) * (n - t.ndim) + t.shape) if t.ndim < n else t


@public
def hstack(tensors):
    """torch.hstack: cat along dim 0 if the first tensor is (at most) 1-D, else along dim 1."""
    tensors = _tensor_list(tensors, "hstack")
    if not tensors:
        raise RuntimeError("hstack expects a non-empty TensorList")
    tensors = [_atleast(t, 1) for t in tensors]
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


@public
def vstack(tensors):
    """torch.vstack: cat along dim 0 after making every tensor at least 2-D."""
    tensors = _tensor_list(tensors, "vstack")
    if not tensors:
        raise RuntimeError("vstack expects a non-empty TensorList")
    return cat([_atleast(t, 2) for t in tensors], 0)


# ---- repeat, tile ---------------------------------------------------------------------------------------


class Repeat(Linear):
    """np.tile with len(reps) >= x.ndim (x gets leading size-1 dims), as Tensor.repeat."""
    saves = ("inputs",)  # backward reads only the inputs
    params = ("reps",)

    def forward(ctx, x, reps):
        return _c_order(np.tile(x, reps)) if reps else x.copy()

    def vjp(ctx, g):
        x = ctx.inputs[0]
        padded = (1,) * (len(ctx.reps) - x.ndim) + x.shape
        interleaved = tuple(v for r, s in zip(ctx.reps, padded) for v in (r, s))
        return g.reshape(interleaved).sum(dim=tuple(range(0, 2 * len(padded), 2))).reshape(x.shape)


@public(namespace="Tensor")
def repeat(input, *sizes, **kw):
    """Tensor.repeat(*sizes): tiles the tensor sizes[i] times along dim i (len(sizes) >= ndim)."""
    x = as_tensor_arg(input)
    if not sizes and not kw:
        raise TypeError('repeat() missing 1 required positional arguments: "repeats"')
    reps = _shape_arg(sizes, "repeat", "repeats", kw)
    if len(reps) < x.ndim:
        raise RuntimeError("Number of dimensions of repeat dims can not be smaller than number of dimensions of "
                           f"tensor (repeats {list(reps)} for a tensor of shape {list(x.shape)})")
    padded = (1,) * (len(reps) - x.ndim) + x.shape
    target = [r * s for r, s in zip(reps, padded)]
    for r in reps:
        if r < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {target[reps.index(r)]}: {target}")
    return Repeat.apply(x, reps=reps)


@public(method=True, varargs=True)
def tile(input, dims):
    """torch.tile(input, dims) / Tensor.tile(*dims): repeat, with dims padded by leading 1s to input.ndim."""
    x = as_tensor_arg(input)
    reps = _sequence_arg(dims, "tile", "dims")
    return repeat(x, (1,) * (x.ndim - len(reps)) + reps)


# ---- used by the engine ---------------------------------------------------------------------------------
