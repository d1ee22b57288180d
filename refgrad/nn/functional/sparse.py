"""Sparse functions (torch.nn.functional): embedding, embedding_bag.

Both are row lookups in ``weight`` and are built from two pairs of linear primitives, each the other's adjoint (so
gradients of any order and forward mode come for free):

- ``_RowGather`` (x[rows], times a per-position factor) and ``_RowScatter`` (its adjoint: rows added into zeros,
  ``np.add.at``'s sums by ``refgrad._scatter.add_rows``). A lookup's vjp is the scatter with torch's *gradient*
  factor, which need not be the forward's: the padding_idx row gets no gradient (factor 0) and scale_grad_by_freq
  divides by how often each row was looked up, though the forward reads the row as it is. With ``sparse=True`` the
  vjp is a ``refgrad.sparse.SparseRowTensor`` instead of the dense scatter, as torch's sparse gradient.
- ``_PickEntries`` (x[rows[b, d], d]) and ``_PlaceEntries``: embedding_bag's max mode, where each output entry is one
  entry of weight (the first maximum of its bag, as torch).

embedding_bag's bags are segments of the flattened input; the rows of a bag are summed by scattering them into their
bag's row (``_RowScatter`` again), so nothing loops over bags. ``max_norm`` renormalizes the looked-up rows of weight
in place, outside the graph, before the lookup, as torch does.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..._scatter import add_rows
from ...arguments import argument_error, int_arg
from ...autograd import no_grad
from ...autograd.bases import Linear
from ...dtypes import scalar_type_name, tensor_type_name
from ...ops.indexing import index_select
from ...ops.reduction import VectorNorm
from ...registry import public
from ...sparse import SparseRowTensor
from ...tensor import Tensor


# ---- the primitives -----------------------------------------------------------------------------------------
class _RowGather(Linear):
    """x[rows] (rows: an int array of any shape), times ``factor`` (one value per position, or None). Its vjp
    scatters with ``grad_factor`` (torch's gradient rule for the lookup; the factor itself for a plain gather), or
    gives a SparseRowTensor when ``sparse`` (without the entries of ``padding_row``)."""

    saves = ()  # backward reads shapes only
    params = ("rows", "factor", "grad_factor", "sparse", "padding_row")

    def forward(ctx, x, rows, factor, grad_factor, sparse, padding_row):
        out = x[rows]
        return out if factor is None else out * factor.reshape(factor.shape + (1,) * (x.ndim - 1))

    def vjp(ctx, g):
        num_rows = ctx.inputs[0].shape[0]
        if ctx.sparse:
            if ctx.grad_factor is not None and np.any(ctx.grad_factor != 1):  # torch refuses it here, at backward
                raise RuntimeError("embedding_backward: scale_grad_by_freq not supported with sparse gradients")
            rows = ctx.rows.reshape(-1)
            values = g._data.reshape((rows.size,) + g.shape[ctx.rows.ndim:])
            kept = rows != ctx.padding_row if ctx.padding_row is not None else slice(None)
            return SparseRowTensor(rows[kept], values[kept], (num_rows,) + g.shape[ctx.rows.ndim:])
        return _RowScatter.apply(g, rows=ctx.rows, num_rows=num_rows, factor=ctx.grad_factor)


class _RowScatter(Linear):
    """out[r] = Σ over positions p with rows[p] == r of factor[p]·g[p] (out has num_rows rows): the adjoint of
    _RowGather."""

    saves = ()
    params = ("rows", "num_rows", "factor")

    def forward(ctx, g, rows, num_rows, factor):
        inner = g.shape[rows.ndim:]
        out = np.zeros((num_rows,) + inner, g.dtype)
        if factor is not None:
            g = g * factor.reshape(factor.shape + (1,) * len(inner))
        add_rows(out, rows.reshape(-1), g.reshape((rows.size,) + inner))
        return out

    def vjp(ctx, g):
        return _gather(g, ctx.rows, ctx.factor)


class _PickEntries(Linear):
    """out[b, d] = x[rows[b, d], d], 0 where rows[b, d] < 0 (an empty bag)."""

    saves = ()
    params = ("rows",)

    def forward(ctx, x, rows):
        picked = x[np.maximum(rows, 0), np.arange(x.shape[1])]
        return np.where(rows >= 0, picked, x.dtype.type(0))

    def vjp(ctx, g):
        return _PlaceEntries.apply(g, rows=ctx.rows, num_rows=ctx.inputs[0].shape[0])


class _PlaceEntries(Linear):
    """The adjoint of _PickEntries: g[b, d] added into row rows[b, d], column d, of zeros with num_rows rows."""

    saves = ()
    params = ("rows", "num_rows")

    def forward(ctx, g, rows, num_rows):
        out = np.zeros((num_rows, g.shape[1]), g.dtype)
        valid = rows >= 0
        np.add.at(out, (rows[valid], np.broadcast_to(np.arange(g.shape[1]), rows.shape)[valid]), g[valid])
        return out

    def vjp(ctx, g):
        return _PickEntries.apply(g, rows=ctx.rows)


def _gather(x: Tensor, rows: np.ndarray, factor=None) -> Tensor:
    return _RowGather.apply(x, rows=rows, factor=factor, grad_factor=factor, sparse=False, padding_row=None)


def _lookup(weight: Tensor, rows: np.ndarray, grad_factor, sparse: bool, padding_row) -> Tensor:
    """weight[rows], whose gradient is torch's: scattered with grad_factor, or sparse (without the padding row)."""
    return _RowGather.apply(weight, rows=rows, factor=None, grad_factor=grad_factor, sparse=sparse,
                            padding_row=padding_row)


# ---- argument checks shared by both functions ------------------------------------------------------------------
def _tensor(x, name: str, position: int, fn: str) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x)
    raise argument_error(fn, name, position, "Tensor", x)


def _check_index_dtype(t: Tensor, number: int, checking: str) -> None:
    if t.dtype not in (np.int64, np.int32):
        raise RuntimeError(f"Expected tensor for argument #{number} 'indices' to have one of the following scalar "
                           f"types: Long, Int; but got {tensor_type_name(t.dtype)} instead (while checking arguments "
                           f"for {checking})")


def _bool_arg(x, name: str, position: int, fn: str) -> bool:
    if not isinstance(x, bool):
        raise argument_error(fn, name, position, "bool", x)
    return x


def _float_arg(x, name: str, position: int, fn: str) -> float:
    if isinstance(x, Tensor) and x.ndim == 0:
        return float(x.item())
    if isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool):
        return float(x)
    raise argument_error(fn, name, position, "float", x)


@np.errstate(all="ignore")  # an inf row scales to nan (inf·0), quietly, as torch
def _renorm_(weight: Tensor, indices: Tensor, max_norm, norm_type) -> None:
    """torch.embedding_renorm_ under no_grad: each distinct looked-up row of weight whose norm_type-norm exceeds
    max_norm is scaled in place by max_norm / (norm + 1e-7) (the scale rounded to weight's dtype, as torch's row
    *= scale), in one vectorized pass."""
    max_norm = _float_arg(max_norm, "max_norm", 3, "embedding_renorm_")
    norm_type = _float_arg(norm_type, "norm_type", 4, "embedding_renorm_")
    _check_index_dtype(indices, 2, "embedding_renorm_")
    if weight.ndim != 2:
        raise RuntimeError(f"Expected 2-dimensional tensor, but got {weight.ndim}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for embedding_renorm_)")
    if weight.dtype.kind != "f":
        raise RuntimeError(f"norm(): input dtype should be either floating point or complex. Got "
                           f"{scalar_type_name(weight.dtype)} instead.")
    n = weight.shape[0]
    rows = np.unique(indices._data)
    bad = rows[(rows < -n) | (rows >= n)]
    if bad.size:
        raise IndexError(f"select(): index {bad[0]} out of range for tensor of size {list(weight.shape)} at "
                         f"dimension 0")
    data = weight._data
    picked = data[rows]
    if picked.size == 0 and rows.size and (norm_type < 0 or norm_type == math.inf):  # a norm without identity
        text = str(int(norm_type)) if norm_type.is_integer() else str(norm_type)
        raise RuntimeError(f"linalg.vector_norm cannot compute the {text} norm on an empty tensor because the "
                           "operation does not have an identity")
    if picked.shape[1] == 1 and norm_type != 0:  # one element: its magnitude, exactly (as torch; no |x|**p overflow)
        norms = np.abs(picked[:, 0]).astype(np.float64)
    else:
        norms = VectorNorm.forward(None, picked, ord=norm_type, dims=(1,), keepdim=False).astype(np.float64)
    over = norms > max_norm
    scale = (max_norm / (norms[over] + 1e-7)).astype(weight.dtype)
    with no_grad():
        weight.detach()[Tensor(rows[over])] = Tensor(picked[over] * scale[:, None])


def _padding_row(padding_idx, num_rows: int, fn: str, position: int):
    """padding_idx as a row number in [0, num_rows), or None."""
    if padding_idx is None:
        return None
    padding_idx = int_arg(padding_idx, "padding_idx", position, fn)
    return padding_idx + num_rows if padding_idx < 0 else padding_idx


def _frequency_factor(rows: np.ndarray, num_rows: int, dtype) -> np.ndarray:
    """1 / (how often each position's row is looked up in all of rows), torch's scale_grad_by_freq."""
    counts = np.bincount(rows.reshape(-1), minlength=num_rows)
    return (1.0 / counts[rows]).astype(dtype)


# ---- embedding --------------------------------------------------------------------------------------------------
@public(namespace="nn.functional")
def embedding(input, weight, padding_idx=None, max_norm=None, norm_type: float = 2.0, scale_grad_by_freq: bool = False,
              sparse: bool = False):
    """torch.nn.functional.embedding: weight[input], of shape input.shape + (embedding_dim,).

    padding_idx: that row's gradient stays 0 (its value is still looked up). max_norm: each looked-up row whose
    norm_type-norm exceeds it is rescaled to max_norm IN PLACE in weight first (outside the graph; the gradient is
    that of the lookup of the rescaled rows, as torch's). scale_grad_by_freq: each row's gradient is divided by how
    often the row occurs in input. sparse: weight's gradient is a refgrad.sparse.SparseRowTensor (torch's sparse COO
    gradient; not with scale_grad_by_freq, as torch)."""
    weight = _tensor(weight, "weight", 1, "embedding")
    indices = _tensor(input, "indices", 2, "embedding")
    if padding_idx is not None:  # torch's Python-level range check, before the argument parser's int check
        n = weight.shape[0] if weight.ndim else 0
        if (padding_idx > 0 and not padding_idx < n) or (padding_idx < 0 and not padding_idx >= -n):
            raise AssertionError("Padding_idx must be within num_embeddings")
    if max_norm is not None:
        _renorm_(weight, indices, max_norm, norm_type)
    scale_grad_by_freq = _bool_arg(scale_grad_by_freq, "scale_grad_by_freq", 4, "embedding")
    sparse = _bool_arg(sparse, "sparse", 5, "embedding")
    if weight.ndim != 2:
        raise RuntimeError("'weight' must be 2-D")
    padding_row = _padding_row(padding_idx, weight.shape[0], "embedding", 3)
    _check_index_dtype(indices, 1, "embedding")
    rows = indices._data.astype(np.int64)
    n = weight.shape[0]
    if rows.size and n == 0:
        raise RuntimeError("index_select(): self indexing axis dim should be positive")
    if rows.size and (rows.min() < 0 or rows.max() >= n):
        bad = rows[(rows < 0) | (rows >= n)].flat[0]
        raise IndexError(f"index out of range in self (index {bad} for a weight of {n} rows)")
    grad_factor = None
    if scale_grad_by_freq:
        grad_factor = _frequency_factor(rows, n, weight.dtype)
    if padding_row is not None and not sparse:
        keep = (rows != padding_row).astype(weight.dtype)
        grad_factor = keep if grad_factor is None else grad_factor * keep
    return _lookup(weight, rows, grad_factor, sparse, padding_row)


# ---- embedding_bag ----------------------------------------------------------------------------------------------
def _bags(indices: Tensor, offsets: Tensor | None, per_sample_weights, include_last_offset: bool):
    """(flat rows, flat per-sample weights or None, bag starts, bag ends) of torch's two input forms."""
    if indices.ndim == 2:
        if offsets is not None:
            raise ValueError(f"if input is 2D, then offsets has to be None, as input is treated is a mini-batch of "
                             f"fixed length sequences. However, found offsets of type {type(offsets)}")
        if indices.shape[1] == 0:  # torch builds the offsets with arange(0, numel, 0)
            raise RuntimeError("step must be nonzero")
        starts = np.arange(0, indices.numel(), indices.shape[1])
        flat_psw = None if per_sample_weights is None else per_sample_weights.reshape(-1)
        return indices._data.reshape(-1), flat_psw, starts, starts + indices.shape[1]
    if indices.ndim != 1:
        raise ValueError(f"input has to be 1D or 2D Tensor, but got Tensor of dimension {indices.ndim}")
    if offsets is None:
        raise ValueError("offsets has to be a 1D Tensor but got None")
    offsets = _tensor(offsets, "offsets", 3, "embedding_bag")
    if offsets.ndim != 1:
        raise ValueError("offsets has to be a 1D Tensor")
    _check_index_dtype(offsets, 1, "embedding_bag")
    bounds = offsets._data.astype(np.int64)
    numel = indices.numel()
    if bounds.size and bounds[0] != 0:
        raise RuntimeError(f"offsets[0] has to be 0, i.e., the first sequence in the mini-batch has to start from "
                           f"position 0. However, got {bounds[0]}")
    if bounds.size and bounds[-1] > numel:
        raise RuntimeError(f"offsets[-1] can not be greater than input's length {numel} but got offsets[-1] of "
                           f"{bounds[-1]}")
    if np.any(np.diff(bounds) < 0):
        raise RuntimeError(f"Expected i < index_size to be true, but got false. (offsets must be non-decreasing, "
                           f"got {bounds.tolist()})")
    if include_last_offset:
        starts, ends = bounds[:-1], bounds[1:]
    else:
        starts, ends = bounds, np.append(bounds[1:], numel)
    return indices._data, per_sample_weights, starts, ends


@public(namespace="nn.functional")
def embedding_bag(input, weight, offsets=None, max_norm=None, norm_type: float = 2, scale_grad_by_freq: bool = False,
                  mode: str = "mean", sparse: bool = False, per_sample_weights=None, include_last_offset: bool = False,
                  padding_idx=None):
    """torch.nn.functional.embedding_bag: the sum, mean or max of the rows of weight looked up in each bag, (bags,
    embedding_dim). Bags: the rows of a 2-D input, or the segments of a 1-D input starting at ``offsets``
    (``include_last_offset``: offsets also holds the end of the last bag). per_sample_weights (mode 'sum') weighs
    each looked-up row; entries equal to padding_idx are left out of their bag (a mean divides by the entries kept;
    an empty bag gives zeros). max takes, per dim, the first maximum of the bag (a NaN only where it comes first, as
    torch's running comparison). max_norm, scale_grad_by_freq and sparse as in embedding.

    Deliberate differences from torch's CPU kernel, whose results there are wrong: with include_last_offset and a
    last offset short of the input's end, torch's mean divides the last bag's sum by the count up to the input's end
    (refgrad: by the bag's size); scale_grad_by_freq divides each row's gradient by another row's count unless a
    single row is looked up (refgrad: by the row's own count, as torch's embedding does)."""
    indices = _tensor(input, "indices", 2, "embedding_bag")
    weight = _tensor(weight, "weight", 1, "embedding_bag")
    if weight.dtype == np.int64 and indices.dtype.kind == "f":  # torch's backward compatibility with (weight, input)
        warnings.warn("Argument order of nn.functional.embedding_bag was changed. Usage `embedding_bag(weight, input, "
                      "...)` is deprecated, and should now be `embedding_bag(input, weight, ...)`.", stacklevel=2)
        weight, indices = indices, weight
    psw = None if per_sample_weights is None else _tensor(per_sample_weights, "per_sample_weights", 7,
                                                          "embedding_bag")
    if psw is not None and psw.shape != indices.shape:
        raise ValueError(f"embedding_bag: If per_sample_weights ({_size(psw.shape)}) is not None, then it must have "
                         f"the same shape as the input ({_size(indices.shape)})")
    if weight.ndim != 2:
        raise ValueError(f"weight has to be a 2D Tensor, but got Tensor of dimension {weight.ndim}")
    rows, psw, starts, ends = _bags(indices, offsets, psw, include_last_offset if indices.ndim == 1 else False)
    if mode not in ("sum", "mean", "max"):
        raise ValueError("mode has to be one of sum, mean or max")
    if mode == "max" and scale_grad_by_freq:
        raise ValueError("max mode does not support scaling the gradient by the frequency")
    if mode == "max" and sparse:
        raise ValueError("max mode does not support sparse weights")
    if max_norm is not None:
        _renorm_(weight, Tensor(rows), max_norm, norm_type)
    if psw is not None and mode != "sum":
        raise NotImplementedError(f"embedding_bag: per_sample_weights was not None. per_sample_weights is only "
                                  f"supported for mode='sum' (got mode='{mode}'). Please open a feature request on "
                                  "GitHub.")
    scale_grad_by_freq = _bool_arg(scale_grad_by_freq, "scale_grad_by_freq", 4, "embedding_bag")
    sparse = _bool_arg(sparse, "sparse", 6, "embedding_bag")
    _bool_arg(include_last_offset, "include_last_offset", 8, "embedding_bag")
    n = weight.shape[0]
    padding_row = _padding_row(padding_idx, n, "embedding_bag", 9)
    _check_index_dtype(indices, 1, "embedding_bag")
    if weight.dtype.kind != "f":
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have one of the following scalar types: "
                           f"Half, BFloat16, Float, Double; but got {tensor_type_name(weight.dtype)} instead (while "
                           f"checking arguments for embedding_bag)")
    if psw is not None and psw.dtype != weight.dtype:
        raise RuntimeError(f"Expected tensor for argument #1 'weight' to have the same type as tensor for argument #1 "
                           f"'per_sample_weights'; but type {tensor_type_name(weight.dtype)} does not equal "
                           f"{tensor_type_name(psw.dtype)} (while checking arguments for embedding_bag)")
    if padding_idx is not None and not -n <= padding_idx < n:
        raise RuntimeError(f"padding_idx must be within the number of embeddings, {-n} through {n - 1}, but got "
                           f"{padding_idx}")
    rows = rows.astype(np.int64)
    if rows.size and (rows.min() < 0 or rows.max() >= n):
        bad = rows[(rows < 0) | (rows >= n)][0]
        raise RuntimeError(f"Expected i < index_size to be true, but got false. (index {bad} is out of range for a "
                           f"weight of {n} rows)")
    return _bag_reduce(weight, rows, psw, starts, ends, mode, scale_grad_by_freq, sparse, padding_row)


def _size(shape) -> str:
    return f"torch.Size({list(shape)})"


def _bag_reduce(weight, rows, psw, starts, ends, mode, scale_grad_by_freq, sparse, padding_row) -> Tensor:
    num_bags = len(starts)
    position = np.arange(rows.size)
    # each position's bag (positions after the last bag's end belong to none), padding entries left out
    bag = np.searchsorted(starts, position, side="right") - 1
    kept = (bag >= 0) & (position < (ends[bag] if num_bags else 0))
    if padding_row is not None:
        kept &= rows != padding_row
    kept_positions = np.flatnonzero(kept)
    rows_kept, bag_kept = rows[kept_positions], bag[kept_positions]
    counts = np.bincount(bag_kept, minlength=num_bags)
    if mode == "max":
        return _PickEntries.apply(weight, rows=_first_maxima(weight._data, rows_kept, bag_kept, counts))
    grad_factor = _frequency_factor(rows, weight.shape[0], weight.dtype)[kept_positions] if scale_grad_by_freq \
        else None
    looked_up = _lookup(weight, rows_kept, grad_factor, sparse, None)
    if psw is not None:
        looked_up = looked_up * index_select(psw, 0, Tensor(kept_positions)).unsqueeze(1)
    total = _RowScatter.apply(looked_up, rows=bag_kept, num_rows=num_bags, factor=None)
    if mode == "sum":
        return total
    return total / Tensor(np.maximum(counts, 1).astype(weight.dtype)[:, None])


def _first_maxima(w: np.ndarray, rows: np.ndarray, bag: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """(bags, dim): the row of weight holding each bag's maximum per dim, -1 for an empty bag. As torch's running
    comparison (a later entry wins only if strictly greater): the first maximum, and NaN only where the bag's first
    entry is NaN (a later NaN never compares greater)."""
    num_bags, dim = counts.size, w.shape[1]
    out = np.full((num_bags, dim), -1, np.int64)
    if rows.size == 0:
        return out
    values = w[rows]
    starts = np.cumsum(counts) - counts
    nonempty = counts > 0
    first = starts[nonempty]
    with np.errstate(invalid="ignore"):
        best = np.fmax.reduceat(values, first, axis=0)  # NaN only where the whole bag is NaN
    best = np.where(np.isnan(values[first]), np.nan, best)
    bag_best = np.zeros((num_bags, dim), w.dtype)
    bag_best[nonempty] = best
    position = np.arange(rows.size)[:, None]
    target = bag_best[bag]
    hit = (values == target) | (np.isnan(target) & (position == starts[bag][:, None]))
    first_hit = np.minimum.reduceat(np.where(hit, position, rows.size), first, axis=0)
    out[nonempty] = rows[first_hit]
    return out

