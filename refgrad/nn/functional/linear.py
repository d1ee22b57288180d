"""Linear functions (torch.nn.functional): linear, bilinear.

linear is one primitive, ``_Linear``: torch's addmm(b, x, w.t()) (mm without a bias) with the transpose inside it;
bilinear one primitive (torch's order of products). Their vjps are made of matmuls: gradients of any order are
refgrad ops'.
"""
from __future__ import annotations

import math

import numpy as np

from ..._grad_state import state as _grad_state
from ..._rows import rowwise
from ...autograd import Function
from ...autograd.products import Products
from ...dtypes import scalar_type_name
from ...ops.common import as_tensor_arg
from ...ops.linalg import _BLAS_TYPES, _ctype, _mT, _product, matmul
from ...registry import public
from ...tensor import Tensor


@public(namespace="nn.functional")
def linear(input, weight, bias=None):
    """torch.nn.functional.linear: input (*, in) @ weight.T + bias, weight (out, in) or (in,) (then the out dim is
    dropped). The bias broadcasts to the result's shape (torch's expand rule).

    Deliberate difference: with a 1-D weight, torch takes only a 0-d bias and none at all for a 2-D input ("mat2
    must be a matrix", from the addmm path it takes for those); refgrad takes any bias that broadcasts there too."""
    x = as_tensor_arg(input)
    w = as_tensor_arg(weight, "weight", 2)
    b = None if bias is None else as_tensor_arg(bias, "bias", 3)
    if x.ndim == 0 or w.ndim == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are {x.ndim}D and {w.ndim}D")
    if w.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {w.ndim}D")
    if b is not None:  # torch's addmm path checks these before the shapes
        if x.dtype != w.dtype:
            raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {scalar_type_name(x.dtype)} and "
                               f"{scalar_type_name(w.dtype)}")
        if b.dtype != x.dtype:
            raise RuntimeError(f"self and mat2 must have the same dtype, but got {scalar_type_name(b.dtype)} and "
                               f"{scalar_type_name(x.dtype)}")
    if (w.ndim == 2 and x.ndim >= 2 and x.shape[-1] == w.shape[1] != 0 and x.dtype.kind == "f" and x.dtype == w.dtype
            and (b is None or b.shape in ((), (1,), (w.shape[0],)))):
        # torch's addmm / mm path: a (batch, time, features) input folded into rows, as matmul folds it
        rows = x if x.ndim == 2 else x.reshape((math.prod(x.shape[:-1]), x.shape[-1]))
        out = _Linear.apply(rows, w) if b is None else _Linear.apply(rows, w, b)
        return out if x.ndim == 2 else out.reshape(x.shape[:-1] + (w.shape[0],))
    out = matmul(x, w.t())
    if b is None:
        return out
    if w.ndim == 2 and x.shape[-1] == 0:  # the empty product is +0.0: b - 0.0 keeps a -0.0 bias, as torch's addmm
        # (β·bias) does; a 1-D weight takes torch's matmul-and-add path, where -0.0 + 0.0 is 0.0
        return b.expand(out.shape) - out
    return out + b.expand(out.shape)


class _Linear(Function):
    """x (rows, in) @ w.T (+ b), for w (out, in) and b (out,), (1,) or 0-d: torch's addmm(b, x, w.t()), or its mm
    without a bias, with the transpose made inside the op rather than recorded as a node of its own (a layer called
    at every step of a loop records one node per call, not two). The bias is added into the product's array: no
    second output-sized array.

    The weight's gradient gᵀx is formed in w's own (out, in) layout, as torch's mm_mat2_backward forms it for a
    transposed operand, so .grad takes the product's array as it is; where backward records no graph it is an
    unbuilt Products (autograd/products.py), joined with the other calls' into one product."""

    saves = ("inputs",)
    reads = ((1,), (0,), ())  # x's gradient reads w, w's reads x, b's neither

    def forward(ctx, x, w, b=None):
        out = np.matmul(x, w.T)
        if b is not None:
            rowwise(np.add, out, b, out=out)
        return out

    def vjp(ctx, g):
        x, w = ctx.inputs[:2]
        wanted = ctx.needs_input_grad
        gx = _product(g, w) if wanted[0] else None
        gw = _weight_grad(g, x) if wanted[1] else None
        return (gx, gw) if len(wanted) == 2 else (gx, gw, g if wanted[2] else None)  # (the engine sums b's)

    def jvp(ctx, dx, dw, db=None):
        x, w = ctx.inputs[:2]
        out = dx @ w.mT + x @ dw.mT
        return out if db is None else out + db


def _weight_grad(g: Tensor, x: Tensor):
    """gᵀx, the gradient of w in x @ w.T: an unbuilt Products of the pair where no graph is recorded and more than
    one row is contracted (as Matmul's vjp gives its second operand's), else the recorded product."""
    if not _grad_state["record"] and x._data.shape[0] > 1 and x._data.dtype.type in _BLAS_TYPES:
        return Products(g._data.T, x._data)
    return _product(_mT(g), x)


@public(namespace="nn.functional", also=("bilinear",))
def bilinear(input1, input2, weight, bias=None):
    """torch.nn.functional.bilinear: out[..., o] = Σ_ij input1[..., i] weight[o, i, j] input2[..., j] + bias[o].
    input1 (*, in1) and input2 (*, in2) have the same leading dims (no broadcasting, as torch)."""
    x1 = as_tensor_arg(input1, "input1", 1)
    x2 = as_tensor_arg(input2, "input2", 2)
    w = as_tensor_arg(weight, "weight", 3)
    b = None if bias is None else as_tensor_arg(bias, "bias", 4)
    if x1.ndim == 0 or x2.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    if w.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(w.ndim, 1)}, "
                         f"{max(w.ndim, 1) - 1}], but got 2)")
    if x1.ndim != x2.ndim:
        raise RuntimeError(f"bilinear(): input dimensions do not match: got {x1.ndim} and {x2.ndim}")
    for d, (s1, s2) in enumerate(zip(x1.shape[:-1], x2.shape[:-1])):
        if s1 != s2:
            raise RuntimeError(f"bilinear(): input batch dimensions do not match at dim {d}: got {s1} and {s2}")
    if x1.shape[-1] != w.shape[1]:
        raise RuntimeError(f"bilinear(): input1 size does not match weight size: got {x1.shape[-1]} but expected "
                           f"{w.shape[1]}")
    if x2.shape[-1] != w.shape[2]:
        raise RuntimeError(f"bilinear(): input2 size does not match weight size: got {x2.shape[-1]} but expected "
                           f"{w.shape[2]}")
    if b is not None and b.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if b is not None and b.shape[0] != w.shape[0]:
        raise RuntimeError(f"bilinear(): bias size does not match weight size: got {b.shape[0]} but expected "
                           f"{w.shape[0]}")
    named = [("input1", x1), ("input2", x2), ("weight", w)] + ([("bias", b)] if b is not None else [])
    if len({t.dtype for _, t in named}) > 1:
        raise RuntimeError("All tensors must have the same dtype, got " + ", ".join(
            f"{name}: {_ctype(t.dtype)}" for name, t in named))
    if w.ndim > 3:  # torch's _trilinear refuses it, with this message
        raise RuntimeError("number of dimensions must match")
    lead = x1.shape[:-1]
    rows = int(np.prod(lead))
    out = _Bilinear.apply(x1.reshape((rows, x1.shape[-1])), x2.reshape((rows, x2.shape[-1])), w)
    out = out.reshape(lead + (w.shape[0],))
    return out if b is None else out + b


class _Bilinear(Function):
    """out[b, o] = Σ_j (Σ_i x1[b, i] w[o, i, j]) x2[b, j], for x1 (B, in1), x2 (B, in2), w (out, in1, in2).

    A primitive for torch's grouping of the products (measured on infs and overflows: it decides where an inf
    meets a 0 or another inf): the forward sums over i first; the gradients are dw = (g⊗x1)·x2, dx2 = (x1·w)·g
    and dx1 = (g⊗x2)·w (torch forms every product g·w of dx1 first, a (B, out, in1, in2) intermediate; refgrad
    sums the same terms in one matmul). Each is written with matmul, so it differentiates again."""

    saves = ("inputs",)

    def forward(ctx, x1, x2, w):
        n_out, n1, n2 = w.shape
        partial = np.matmul(x1, w.transpose(1, 0, 2).reshape(n1, n_out * n2)).reshape(x1.shape[0], n_out, n2)
        return np.matmul(partial, x2[:, :, None])[:, :, 0]

    def vjp(ctx, g):
        x1, x2, w = ctx.inputs
        n_out, n1, n2 = w.shape
        rows = g.shape[0]
        wanted = ctx.needs_input_grad
        if g.numel() == 0:  # an empty sum: exactly 0, whatever the other factor holds (as torch)
            return tuple(t.new_zeros(t.shape) if want else None for t, want in zip((x1, x2, w), wanted))
        d1 = d2 = dw = None
        if wanted[0]:
            gx2 = (g.unsqueeze(2) * x2.unsqueeze(1)).reshape((rows, n_out * n2))
            d1 = matmul(gx2, w.permute((0, 2, 1)).reshape((n_out * n2, n1)))
        if wanted[1]:
            partial = matmul(x1, w.permute((1, 0, 2)).reshape((n1, n_out * n2))).reshape((rows, n_out, n2))
            d2 = matmul(g.unsqueeze(1), partial).squeeze(1)
        if wanted[2]:
            gx1 = (g.unsqueeze(2) * x1.unsqueeze(1)).reshape((rows, n_out * n1))
            dw = matmul(gx1.t(), x2).reshape((n_out, n1, n2))
        return d1, d2, dw

    def jvp(ctx, d1, d2, dw):
        x1, x2, w = ctx.inputs  # trilinear: one term per input with a tangent
        terms = [_Bilinear.apply(*(t if k == j else a for k, a in enumerate((x1, x2, w))))
                 for j, t in enumerate((d1, d2, dw)) if t is not None]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total
