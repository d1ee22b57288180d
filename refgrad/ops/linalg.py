"""Products of tensors.

Three primitives carry every op here:

- ``Matmul``: (..., n, k) @ (..., k, m) with broadcast batch dims. matmul/mm/bmm/mv/dot/inner/tensordot are
  views (unsqueeze, permute, reshape) around it, as in torch.
- ``AddMatmul``: beta * input + alpha * (a @ b), the one primitive behind addmm/addmv/baddbmm, so that
  beta == 0 ignores ``input`` (NaN/inf there do not propagate) and alpha == 0 ignores the product, as torch.
- ``Einsum``: one einsum equation with explicit subscripts; its vjp for an operand is another einsum (with
  constant identity / ones operands for repeated and summed-out subscripts), so it is differentiable again.

torch does not promote dtypes in these products (outer aside): mixed dtypes raise, each op with torch's own
message, which differs between the ops (checked against torch 2.13). Forwards are quiet: an inf or an overflow
is a value, never a NumPy warning (torch is silent).
"""
from __future__ import annotations

import math
import numbers

import numpy as np

from .._grad_state import state as _grad_state
from .._rows import rowwise
from ..autograd import Function
from ..autograd.products import Products
from ..dtypes import scalar_type_name, tensor_type_name
from ..registry import public
from ..tensor import Tensor
from .common import as_tensor_arg, broadcast_shapes, wrap_dim

# torch's names for dtypes' C++ types in error messages ("float")
_CTYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
                "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
                "bool": "bool"}


def _ctype(dtype) -> str:
    return _CTYPE_NAMES.get(np.dtype(dtype).name, np.dtype(dtype).name)


def _x(shape) -> str:
    return "x".join(map(str, shape))


def _no_bool(t: Tensor, kernel: str) -> None:
    if t._data.dtype.kind == "b":
        raise NotImplementedError(f'"{kernel}" not implemented for \'Bool\'')


# ---- primitives ------------------------------------------------------------------------------------------
class Matmul(Function):
    """(..., n, k) @ (..., k, m) with broadcast batch dims."""

    saves = ("inputs",)
    reads = ((1,), (0,))  # a's gradient reads b, b's reads a

    def forward(ctx, a, b):
        return np.matmul(a, b)

    def vjp(ctx, g):
        a, b = ctx.inputs
        # only the gradients some input needs: the other product would cost as much as the forward
        return (_product(g, _mT(b)) if a.requires_grad else None), (_right_grad(a, g) if b.requires_grad else None)

    def jvp(ctx, da, db):
        a, b = ctx.inputs
        return da @ b + a @ db


class AddMatmul(Function):
    """beta * c + alpha * (a @ b); c broadcasts to the product's shape. beta == 0 ignores c, alpha == 0 ignores
    a @ b (no NaN from 0 * inf), as torch's addmm/addmv/baddbmm."""
    saves = ("inputs",)  # backward reads only the inputs
    reads = ((), (2,), (1,))  # c's gradient reads neither, a's reads b, b's reads a

    def forward(ctx, c, a, b, beta, alpha):
        if alpha == 0 or a.shape[-1] == 0:  # no product term (an empty sum): beta·c as it is, -0.0 kept, as torch's
            shape = np.broadcast_shapes(a.shape[:-2], b.shape[:-2]) + (a.shape[-2], b.shape[-1])
            scaled = np.zeros((), a.dtype) if beta == 0 else c if beta == 1 else beta * c
            return np.broadcast_to(scaled, shape).astype(a.dtype, copy=True)
        out = np.matmul(a, b)
        if alpha != 1:
            out *= alpha
        if beta != 0:  # (a convolution's bias is a scalar per row of the product: rowwise)
            rowwise(np.add, out, c if beta == 1 else beta * c, out=out)
        return out

    def vjp(ctx, g):
        c, a, b = ctx.inputs
        gc = (g * ctx.beta if ctx.beta != 1 else g) if c.requires_grad else None
        ga = _scale(_product(g, _mT(b)), ctx.alpha) if a.requires_grad else None
        gb = None
        if b.requires_grad:
            gb = _right_grad(a, g) if ctx.alpha == 1 else _scale(_product(_mT(a), g), ctx.alpha)
        return gc, ga, gb

    def jvp(ctx, dc, da, db):
        _, a, b = ctx.inputs
        return _scale(dc, ctx.beta) + _scale(da @ b + a @ db, ctx.alpha)


def _scale(t: Tensor, s) -> Tensor:
    return t if s == 1 else t * s


def _mT(t: Tensor) -> Tensor:
    """t.mT in a vjp: where no graph is recorded, a bare tensor over the transposed view (nothing would read a
    Permute node); else the recorded op, for a double backward."""
    return t.mT if _grad_state["record"] else Tensor._over(t._data.swapaxes(-1, -2))


def _product(a: Tensor, b: Tensor) -> Tensor:
    """a @ b in a vjp. A contraction over one element is an outer product: a broadcast multiply there, as torch's
    dot/mv/outer backward, since a matmul adds it to +0 and so loses the sign of a -0 product. Both operands are
    matrices (or batches) of one dtype, so straight to the op: matmul's argument checks would only pass."""
    return a * b if a.shape[-1] == 1 else Matmul.apply(a, b)


def _right_grad(a: Tensor, g: Tensor):
    """aᵀ g, the gradient of b in a @ b. Where no graph is recorded and a and g are float32 / float64 matrices
    contracting more than one row, a Products of the pair (autograd/products.py): the engine takes the products of a
    weight that several matmuls share as one."""
    left, right = a._data, g._data
    if not _grad_state["record"] and left.ndim == 2 and right.ndim == 2 and left.shape[0] > 1 and (
            left.dtype.type in _BLAS_TYPES):
        return Products(left.T, right)
    return _product(_mT(a), g)


_BLAS_TYPES = (np.float32, np.float64)


class Trace(Function):
    """Sum of the main diagonal of a (possibly rectangular) matrix."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.asarray(np.trace(x, dtype=np.int64 if x.dtype.kind in "iub" else x.dtype))

    def vjp(ctx, g):
        (x,) = ctx.inputs
        return g * Tensor(np.eye(*x.shape, dtype=x.dtype))

    def jvp(ctx, dx):
        return Trace.apply(dx)


class Einsum(Function):
    """np.einsum with explicit subscripts (one string per operand, no ellipsis) and explicit output.

    Every subscript has one size across the operands (the public einsum expands broadcast size-1 dims first).
    vjp for operand k: einsum of the cotangent with the other operands into operand k's subscripts. Where k
    repeats a subscript (a diagonal, 'ii'), the repeats get fresh subscripts tied to the first by constant
    identity matrices; a subscript that then occurs in none of those operands (summed out of k alone) is
    broadcast back by a constant vector of ones. The gradient is itself an Einsum, so it differentiates again.
    """

    def forward(ctx, *arrays, subs, output):
        eq = ",".join(subs) + "->" + output
        res = np.einsum(eq, *arrays, optimize=len(arrays) > 2 or (len(arrays) == 2 and _contracts(subs, output)))
        res = np.asarray(res)
        if any(np.may_share_memory(res, a) for a in arrays):  # a permutation or diagonal view: own its data
            res = res.copy()
        return res

    def vjp(ctx, g):
        return tuple(_einsum_operand_grad(ctx, g, k) if x.requires_grad else None for k, x in enumerate(ctx.inputs))

    def jvp(ctx, *tangents):
        terms = [Einsum.apply(*(t if j == k else x for j, x in enumerate(ctx.inputs)), subs=ctx.subs, output=ctx.output)
                 for k, (x, t) in enumerate(zip(ctx.inputs, tangents)) if t is not None and x._tangent is not None]
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        return total


def _contracts(subs, out) -> bool:
    """Whether some subscript is summed over (then np.einsum's optimize path can use BLAS)."""
    return bool(set("".join(subs)) - set(out))


def _einsum_operand_grad(ctx, g: Tensor, k: int) -> Tensor:
    x = ctx.inputs[k]
    target = ctx.subs[k]
    used = set("".join(ctx.subs)) | set(ctx.output)
    fresh = iter(c for c in _LETTERS if c not in used)
    sizes = {c: s for sub, t in zip(ctx.subs, ctx.inputs) for c, s in zip(sub, t.shape)}
    operands = [g] + [t for j, t in enumerate(ctx.inputs) if j != k]
    subs = [ctx.output] + [s for j, s in enumerate(ctx.subs) if j != k]
    out, seen = [], set()
    for c in target:
        if c in seen:  # a repeated subscript: the gradient lives on the diagonal, tied by an identity
            new = next(fresh)
            operands.append(Tensor(np.eye(sizes[c], dtype=g.dtype)))
            subs.append(c + new)
            c = new
        seen.add(c)
        out.append(c)
    present = set("".join(subs))
    for c in dict.fromkeys(out):
        if c not in present:  # summed out of this operand alone: constant along it, broadcast by ones
            operands.append(Tensor(np.ones(sizes.get(c, x.shape[out.index(c)]), dtype=g.dtype)))
            subs.append(c)
    return Einsum.apply(*operands, subs=tuple(subs), output="".join(out))


_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


# ---- matmul and its fixed-rank forms ---------------------------------------------------------------------
@public(method=True)
def matmul(input, other):
    """torch.matmul: 1-D operands are lifted to a row / a column and the added dim removed after; batch dims
    broadcast. No dtype promotion: mixed dtypes raise (with the message of the torch kernel the shapes take)."""
    # (tensors checked without a call, and each dim read once: matmul is on every layer's path)
    a = input if type(input) is Tensor else as_tensor_arg(input)
    b = other if type(other) is Tensor else as_tensor_arg(other, "other")
    a_ndim, b_ndim = a._data.ndim, b._data.ndim
    if a_ndim == 0 or b_ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a_ndim}D and {b_ndim}D")
    if a_ndim == 1 and b_ndim == 1:
        return dot(a, b)
    if b_ndim == 1:  # matrix (or folded batch of matrices) @ vector
        if a.dtype != b.dtype:
            raise RuntimeError(f"addmv input tensors must have the same dtype, but got {scalar_type_name(b.dtype)}, "
                               f"{scalar_type_name(a.dtype)}, and {scalar_type_name(b.dtype)}")
        _no_bool(a, "addmv_impl_cpu")
        if a.shape[-1] != b.shape[0]:
            rows = int(np.prod(a.shape[:-1]))
            raise RuntimeError(f"size mismatch, got input ({rows}), mat ({rows}x{a.shape[-1]}), vec ({b.shape[0]})")
        return _folded_product(a, b.unsqueeze(-1)).squeeze(-1)
    a2 = a.unsqueeze(0) if a_ndim == 1 else a
    if b_ndim == 2:  # torch folds the batch of a into rows: an mm
        if a._data.dtype != b._data.dtype:
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {_ctype(a.dtype)} != "
                               f"{_ctype(b.dtype)}")
        _no_bool(a, "addmm_impl_cpu_")
        if a2._data.shape[-1] != b._data.shape[0]:
            raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({int(np.prod(a2.shape[:-1]))}x"
                               f"{a2.shape[-1]} and {_x(b.shape)})")
        out = Matmul.apply(a2, b) if a2._data.ndim == 2 else _folded_product(a2, b)
        return out.squeeze(-2) if a_ndim == 1 else out
    # batched: b has 3+ dims
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(a.dtype)} but found {scalar_type_name(b.dtype)}")
    _no_bool(a, "bmm")
    batch = broadcast_shapes(a2.shape[:-2], b.shape[:-2])
    if a2.shape[-1] != b.shape[-2]:
        n = int(np.prod(batch))
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{n}, {a2.shape[-1]}] "
                           f"but got: [{n}, {b.shape[-2]}].")
    out = Matmul.apply(a2, b)
    return out.squeeze(-2) if a_ndim == 1 else out


def _folded_product(a: Tensor, b: Tensor) -> Tensor:
    """a (..., n, k) @ b (k, m) as torch's matmul computes it: a's batch dims folded into rows, one mm. Its vjp is
    then one mm for b too (aᵀ g over all the rows), not a product per batch entry summed over the batch afterwards
    (a (batch, time, features) input)."""
    rows = a if a._data.ndim <= 2 else a.reshape(math.prod(a.shape[:-1]), a.shape[-1])
    out = Matmul.apply(rows, b)
    return out if a._data.ndim <= 2 else out.reshape(a.shape[:-1] + (b.shape[-1],))


@public(method=True)
def mm(input, mat2):
    """torch.mm: (n, k) @ (k, m), both matrices of one dtype."""
    a, b = as_tensor_arg(input), as_tensor_arg(mat2, "mat2")
    if a.ndim != 2:
        raise RuntimeError(f"self must be a matrix (got a {a.ndim}-D tensor of shape {list(a.shape)})")
    if b.ndim != 2:
        raise RuntimeError(f"mat2 must be a matrix (got a {b.ndim}-D tensor of shape {list(b.shape)})")
    return matmul(a, b)


@public(method=True)
def bmm(input, mat2):
    """torch.bmm: (B, n, k) @ (B, k, m) with equal batch sizes (no broadcasting)."""
    a, b = as_tensor_arg(input), as_tensor_arg(mat2, "mat2")
    if a.ndim != 3:
        raise RuntimeError(f"batch1 must be a 3D tensor (got shape {list(a.shape)})")
    if b.ndim != 3:
        raise RuntimeError(f"batch2 must be a 3D tensor (got shape {list(b.shape)})")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(a.dtype)} but found {scalar_type_name(b.dtype)}")
    _no_bool(a, "bmm")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    return Matmul.apply(a, b)


@public(method=True)
def mv(input, vec):
    """torch.mv: (n, k) @ (k,)."""
    a, v = as_tensor_arg(input), as_tensor_arg(vec, "vec")
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    return matmul(a, v)


@public(method=True)
def dot(input, tensor):
    """torch.dot: the inner product of two 1-D tensors of one dtype and size."""
    a, b = as_tensor_arg(input), as_tensor_arg(tensor, "tensor")
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(f"dot : expected both vectors to have same dtype, but found {scalar_type_name(a.dtype)} and "
                           f"{scalar_type_name(b.dtype)}")
    _no_bool(a, "dot")
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] to have "
                           f"the same number of elements, but got {a.shape[0]} and {b.shape[0]} elements respectively")
    return Matmul.apply(a.unsqueeze(0), b.unsqueeze(-1)).reshape(())


@public(method=True)
def outer(input, vec2):
    """torch.outer: input[i] * vec2[j]. Unlike the other products it promotes dtypes (it is a broadcast mul)."""
    a, b = as_tensor_arg(input), as_tensor_arg(vec2, "vec2")
    for name, t in (("self", a), ("vec2", b)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return a.unsqueeze(-1) * b.unsqueeze(0)


@public(method=True)
def inner(input, other):
    """torch.inner: contracts the last dims (a product when either operand is 0-d)."""
    a, b = as_tensor_arg(input), as_tensor_arg(other, "other")
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    if a.dtype != b.dtype:
        raise RuntimeError(f"both inputs should have same dtype (got {a.dtype} and {b.dtype})")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"inner() the last dimension must match on both input tensors but got shapes "
                           f"{list(a.shape)} and {list(b.shape)}")
    _no_bool(a, "addmm_impl_cpu_")
    k = a.shape[-1]
    a2 = a.reshape(int(np.prod(a.shape[:-1])), k)
    b2 = b.reshape(int(np.prod(b.shape[:-1])), k)
    out = Matmul.apply(a2, b2.mT)
    return out.reshape(a.shape[:-1] + b.shape[:-1])


@public
def tensordot(a, b, dims=2, out=None):
    """torch.tensordot: dims an int (the last dims of a with the first of b), a pair of lists of dims, or a
    Tensor holding either. As torch, a contracted dim of size 1 against size n sums the other operand over it."""
    if out is not None:
        raise NotImplementedError("tensordot(out=...) is not supported by refgrad")
    a, b = as_tensor_arg(a, "a"), as_tensor_arg(b, "b")
    dims_a, dims_b = _tensordot_dims(dims, a.ndim, b.ndim)
    if a.dtype != b.dtype:
        raise RuntimeError(f"both inputs should have same dtype (got {a.dtype} and {b.dtype})")
    _no_bool(a, "addmm_impl_cpu_")
    wa = [wrap_dim(d, a.ndim) for d in dims_a]
    wb = [wrap_dim(d, b.ndim) for d in dims_b]
    for w in (wa, wb):
        if len(set(w)) != len(w):
            raise RuntimeError(f"dim {max(w, key=w.count)} appears multiple times in the list of dims")
    for da, db, i, j in zip(dims_a, dims_b, wa, wb):
        sa, sb = a.shape[i], b.shape[j]
        if sa != sb:
            if sa == 1:
                b = b.sum(dim=j, keepdim=True)
            elif sb == 1:
                a = a.sum(dim=i, keepdim=True)
            else:
                raise RuntimeError(f"contracted dimensions need to match, but first has size {sa} in dim {da} and "
                                   f"second has size {sb} in dim {db}")
    free_a = [d for d in range(a.ndim) if d not in wa]
    free_b = [d for d in range(b.ndim) if d not in wb]
    k = int(np.prod([a.shape[d] for d in wa]))
    out_shape = tuple(a.shape[d] for d in free_a) + tuple(b.shape[d] for d in free_b)
    a2 = a.permute(free_a + wa).reshape(int(np.prod(out_shape[:len(free_a)])), k)
    b2 = b.permute(wb + free_b).reshape(k, int(np.prod(out_shape[len(free_a):])))
    return Matmul.apply(a2, b2).reshape(out_shape)


def _tensordot_dims(dims, ndim_a: int, ndim_b: int):
    if isinstance(dims, Tensor):
        dims = dims.tolist()
    if isinstance(dims, (bool, np.bool_)) or not isinstance(dims, (numbers.Integral, list, tuple)):
        raise RuntimeError(f"tensordot expects dims to be int or tuple[list[int], list[int]] or list[list[int]] "  # noqa: TRY004 - torch's class
                           f"containing two lists, but got dims={dims}")
    if isinstance(dims, numbers.Integral):
        dims = int(dims)
        if dims < 0:
            raise RuntimeError(f"tensordot expects dims >= 0, but got dims={dims}")
        if dims > min(ndim_a, ndim_b):
            raise RuntimeError(f"tensordot expects dims < ndim_a or ndim_b, but got dims={dims}")
        return list(range(-dims, 0)), list(range(dims))
    if len(dims) != 2:
        raise ValueError(f"too many values to unpack (expected 2): tensordot dims={dims}")
    da, db = ([d] if isinstance(d, numbers.Integral) else list(d) for d in dims)
    if isinstance(dims, tuple) and any(isinstance(d, numbers.Integral) for d in dims):
        raise TypeError(f"tensordot(): argument 'dims_self' (position 3) must be tuple of ints, not int "
                        f"(dims={dims}: use ([{dims[0]}], [{dims[1]}]))")
    if len(da) != len(db):
        raise RuntimeError(f"both dimension lists should have same length (got {da} and {db})")
    return [int(d) for d in da], [int(d) for d in db]


@public(method=True)
def trace(input):
    """torch.trace: the sum of the main diagonal of a 2-D tensor (integer inputs give int64)."""
    x = as_tensor_arg(input)
    if x.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {x.ndim}")
    _no_bool(x, "trace")
    return Trace.apply(x)


# ---- add + alpha * product ------------------------------------------------------------------------------
def _coef(value, dtype):
    """beta/alpha as torch reads them for a tensor of dtype: truncated to an int for integer tensors."""
    if isinstance(value, Tensor):
        value = value.item()
    if dtype.kind in "iu":
        return int(value)
    return float(value) if not isinstance(value, (bool, np.bool_)) else float(bool(value))


def _expand_to(c: Tensor, shape: tuple) -> None:
    """torch expands addmm's input to the product's shape: its messages when that fails."""
    if c.ndim > len(shape):
        raise RuntimeError(f"expand({tensor_type_name(c.dtype)}{{{list(c.shape)}}}, size={list(shape)}): the "
                           f"number of sizes provided ({len(shape)}) must be greater or equal to the number of "
                           f"dimensions in the tensor ({c.ndim})")
    lead = len(shape) - c.ndim
    for i, s in enumerate(c.shape):
        if s != 1 and s != shape[lead + i]:
            raise RuntimeError(f"The expanded size of the tensor ({shape[lead + i]}) must match the existing size "
                               f"({s}) at non-singleton dimension {lead + i}.  Target sizes: {list(shape)}.  Tensor "
                               f"sizes: {list(c.shape)}")


@public(method=True, inplace=True)
def addmm(input, mat1, mat2, *, beta=1, alpha=1, out=None):
    """torch.addmm: beta * input + alpha * (mat1 @ mat2); input broadcasts to (n, m). beta == 0 ignores input."""
    if out is not None:
        raise NotImplementedError("addmm(out=...) is not supported by refgrad")
    c, a, b = as_tensor_arg(input), as_tensor_arg(mat1, "mat1"), as_tensor_arg(mat2, "mat2")
    for name, t in (("mat1", a), ("mat2", b)):
        if t.ndim != 2:
            raise RuntimeError(f"{name} must be a matrix, got {t.ndim}-D tensor")
    if c.dtype != b.dtype:
        raise RuntimeError(f"self and mat2 must have the same dtype, but got {scalar_type_name(c.dtype)} and "
                           f"{scalar_type_name(b.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {scalar_type_name(a.dtype)} and "
                           f"{scalar_type_name(b.dtype)}")
    _no_bool(a, "addmm_impl_cpu_")
    if a.shape[1] != b.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({_x(a.shape)} and {_x(b.shape)})")
    _expand_to(c, (a.shape[0], b.shape[1]))
    return AddMatmul.apply(c, a, b, beta=_coef(beta, a.dtype), alpha=_coef(alpha, a.dtype))


@public(method=True, inplace=True)
def addmv(input, mat, vec, *, beta=1, alpha=1, out=None):
    """torch.addmv: beta * input + alpha * (mat @ vec); input is (n,) or broadcasts to it."""
    if out is not None:
        raise NotImplementedError("addmv(out=...) is not supported by refgrad")
    c, a, v = as_tensor_arg(input), as_tensor_arg(mat, "mat"), as_tensor_arg(vec, "vec")
    if not (a.dtype == v.dtype == c.dtype):
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got {scalar_type_name(c.dtype)}, "
                           f"{scalar_type_name(a.dtype)}, and {scalar_type_name(v.dtype)}")
    if c.ndim > 1 or a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {c.ndim}, {a.ndim}, {v.ndim}")
    _no_bool(a, "addmv_impl_cpu")
    if a.shape[1] != v.shape[0] or (c.ndim == 1 and c.shape[0] not in (1, a.shape[0])):
        raise RuntimeError(f"size mismatch, got input ({c.shape[0] if c.ndim else 1}), mat ({_x(a.shape)}), "
                           f"vec ({v.shape[0]})")
    out_ = AddMatmul.apply(c.unsqueeze(-1) if c.ndim == 1 else c, a, v.unsqueeze(-1),
                           beta=_coef(beta, a.dtype), alpha=_coef(alpha, a.dtype))
    return out_.squeeze(-1)


@public(method=True, inplace=True)
def baddbmm(input, batch1, batch2, *, beta=1, alpha=1, out=None):
    """torch.baddbmm: beta * input + alpha * bmm(batch1, batch2); input broadcasts to (B, n, m)."""
    if out is not None:
        raise NotImplementedError("baddbmm(out=...) is not supported by refgrad")
    c, a, b = as_tensor_arg(input), as_tensor_arg(batch1, "batch1"), as_tensor_arg(batch2, "batch2")
    for name, t in (("batch1", a), ("batch2", b)):
        if t.ndim != 3:
            raise RuntimeError(f"{name} must be a 3D tensor (got shape {list(t.shape)})")
    if c.dtype != a.dtype:
        raise RuntimeError(f"Input dtypes must be the same, got: input {_ctype(c.dtype)}, batch1: {_ctype(a.dtype)}, "
                           f"batch2: {_ctype(b.dtype)}")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(a.dtype)} but found {scalar_type_name(b.dtype)}")
    _no_bool(a, "baddbmm")
    if b.shape[:2] != (a.shape[0], a.shape[2]):
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{a.shape[0]}, "
                           f"{a.shape[2]}] but got: [{b.shape[0]}, {b.shape[1]}].")
    _expand_to(c, (a.shape[0], a.shape[1], b.shape[2]))
    return AddMatmul.apply(c, a, b, beta=_coef(beta, a.dtype), alpha=_coef(alpha, a.dtype))


# ---- einsum ---------------------------------------------------------------------------------------------
@public
def einsum(*args):
    """torch.einsum(equation, *operands), also with the operands as one list, or in the sublist form
    einsum(op1, [0, 1], op2, [1, 2], [0, 2]). Subscripts [a-zA-Z], '...' broadcasts, a size-1 dim broadcasts
    against the same subscript's size in another operand, implicit output (no '->') = the subscripts that occur
    once, in ASCII order, after the ellipsis dims."""
    if len(args) < 2:
        raise ValueError("einsum(): must specify the equation string and at least one operand, or at least one "
                         "operand and its subscripts list")
    if isinstance(args[0], str):
        equation, operands = args[0], args[1:]
        if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
            operands = tuple(operands[0])
    elif isinstance(args[0], (Tensor, np.ndarray)):
        equation, operands = _sublist_equation(args)
    else:
        raise TypeError(f"einsum(): argument 'equation' (position 1) must be str, not {type(args[0]).__name__}")
    for i, t in enumerate(operands):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 1, but got {type(t).__name__}")
    ops = list(operands)
    in_subs, out_sub = _parse_equation(equation, len(ops))
    for t in ops[1:]:
        if t.dtype != ops[0].dtype:
            raise RuntimeError(
                f"expected scalar type {scalar_type_name(ops[0].dtype)} but found {scalar_type_name(t.dtype)}")
    subs, out, ops = _explicit_subscripts(in_subs, out_sub, ops)
    if ops[0].dtype.kind in "biu":
        summed = bool(set("".join(subs)) - set(out))
        if ops[0].dtype.kind == "b" and summed and len(ops) > 1:
            raise NotImplementedError("\"bmm\" not implemented for 'Bool'")
        if len(ops) == 1 and summed:  # torch sums one operand with sum(): integers and bools give int64
            from .common import cast

            ops = [cast(ops[0], np.int64)]
    return Einsum.apply(*ops, subs=tuple(subs), output=out)


def _sublist_equation(args):
    """einsum(op1, sub1, op2, sub2, ..., [out]) -> an equation string and the operands."""
    operands, subs = list(args[0::2]), list(args[1::2])
    out = None
    if len(operands) > len(subs):  # a trailing output sublist sits in an operand slot
        out = operands.pop()
    operands = [Tensor(t) if isinstance(t, np.ndarray) else t for t in operands]

    def letters(sub):
        parts = []
        for s in sub:
            if s is Ellipsis:
                parts.append("...")
            elif isinstance(s, numbers.Integral) and 0 <= s < 52:
                parts.append(_LETTERS[s])
            else:
                raise ValueError("einsum(): subscript in subscript list is not within the valid range [0, 52)")
        return "".join(parts)

    eq = ",".join(letters(s) for s in subs) + ("" if out is None else "->" + letters(out))
    return eq, operands


def _parse_tokens(text: str, where: str, start: int):
    """'i...j' -> ['i', '...', 'j'] with torch's messages for bad characters and dots."""
    tokens, i, seen_ellipsis = [], 0, False
    while i < len(text):
        ch = text[i]
        if ch == ".":
            if seen_ellipsis:
                again = ("but an ellipsis (...) was already found" if where == "output"
                         else "for which an ellipsis was already found")
                raise RuntimeError(f"einsum(): found '.' for {where} {again}")
            if text[i:i + 3] != "...":
                raise RuntimeError(f"einsum(): found '.' for {where} that is not part of any ellipsis")
            tokens.append("...")
            seen_ellipsis = True
            i += 3
            continue
        if not ("a" <= ch <= "z" or "A" <= ch <= "Z"):
            raise RuntimeError(f"einsum(): invalid subscript given at index {start + i} in the equation string, "
                               f"subscripts must be in [a-zA-Z]")
        tokens.append(ch)
        i += 1
    return tokens


def _parse_equation(equation: str, n_ops: int):
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    parts = lhs.split(",")
    if len(parts) > n_ops:
        raise RuntimeError("einsum(): fewer operands were provided than specified in the equation")
    if len(parts) < n_ops:
        raise RuntimeError("einsum(): more operands were provided than specified in the equation")
    in_subs, pos = [], 0
    for k, p in enumerate(parts):
        in_subs.append(_parse_tokens(p, f"operand {k}", pos))
        pos += len(p) + 1
    out = _parse_tokens(rhs, "output", len(lhs) + 2) if arrow else None
    if out is not None:
        labels = {c for s in in_subs for c in s}
        for c in out:
            if c != "..." and out.count(c) > 1:
                raise RuntimeError(f"einsum(): output subscript {c} appears more than once in the output")
            if c != "..." and c not in labels:
                raise RuntimeError(f"einsum(): output subscript {c} does not appear in the equation for any input "
                                   f"operand")
    return in_subs, out


def _explicit_subscripts(in_subs, out_sub, ops):
    """Replaces '...' by letters, fills in an implicit output, and expands operands whose size-1 dims broadcast
    against another operand's size for the same subscript: afterwards each subscript has one size."""
    used = {c for s in in_subs for c in s if c != "..."}
    spare = [c for c in _LETTERS if c not in used]
    ell_ndims = []
    for k, (s, t) in enumerate(zip(in_subs, ops)):
        n_labels = len(s) - s.count("...")
        if "..." not in s and n_labels != t.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_labels}) does not match the "
                               f"number of dimensions ({t.ndim}) for operand {k} and no ellipsis was given")
        if n_labels > t.ndim:
            raise RuntimeError(f"einsum(): the number of subscripts in the equation ({n_labels}) is more than the "
                               f"number of dimensions ({t.ndim}) for operand {k}")
        ell_ndims.append(t.ndim - n_labels if "..." in s else 0)
    n_ell = max(ell_ndims, default=0)
    if len(spare) < n_ell:
        raise RuntimeError("einsum(): too many subscripts and ellipsis dimensions for 52 letters")
    ell = spare[:n_ell]
    subs = []
    for s, e in zip(in_subs, ell_ndims):
        subs.append("".join("".join(ell[n_ell - e:]) if c == "..." else c for c in s))
    # sizes: repeats within an operand must match exactly; across operands, size 1 broadcasts
    sizes: dict = {}
    for k, (s, t) in enumerate(zip(subs, ops)):
        own: dict = {}
        for c, n in zip(s, t.shape):
            if c in own and own[c] != n:
                raise RuntimeError(f"einsum(): subscript {c} is repeated for operand {k} but the sizes don't match, "
                                   f"{n} != {own[c]}")
            own[c] = n
        for c, n in own.items():
            prev = sizes.get(c, 1)
            if n != 1 and prev != 1 and n != prev:
                if c in ell:
                    d = ell.index(c) - (n_ell - ell_ndims[k])
                    raise RuntimeError(f"einsum(): dimension {d} covered by ellipsis in operand {k}has size {n} which "
                                       f"does not broadcast with previously seen ellipsis with size {prev} for the "
                                       f"respective dimension")
                raise RuntimeError(f"einsum(): subscript {c} has size {n} for operand {k} which does not broadcast "
                                   f"with previously seen size {prev}")
            sizes[c] = n if n != 1 else prev
    for k, (s, t) in enumerate(zip(subs, ops)):
        full = tuple(sizes[c] for c in s)
        if full != t.shape:
            ops[k] = t.expand(full)
    if out_sub is None:
        singles = sorted(c for c in used if sum(s.count(c) for s in in_subs) == 1)
        out = "".join(ell) + "".join(singles)
    else:
        out = "".join("".join(ell) if c == "..." else c for c in out_sub)
    return subs, out, ops
