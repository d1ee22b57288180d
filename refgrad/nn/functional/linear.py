"""Linear functions (torch.nn.functional): linear, bilinear.

Both are compositions of refgrad's products (matmul, einsum), so their gradients of any order are those ops'.
"""
from __future__ import annotations

import numpy as np

from ...dtypes import scalar_type_name
from ...ops.common import as_tensor_arg
from ...ops.linalg import _ctype, einsum, matmul
from ...registry import public


@public(namespace="nn.functional")
def linear(input, weight, bias=None):
    """torch.nn.functional.linear: input (*, in) @ weight.T + bias, weight (out, in) or (in,) (then the out dim is
    dropped). The bias broadcasts to the result's shape (torch's expand rule).

    Deliberate difference: torch refuses a bias with a 1-D weight for a 2-D input only ("mat2 must be a matrix",
    its addmm path) and accepts it for every other input rank; refgrad accepts it for all."""
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
    out = matmul(x, w.t())
    if b is None:
        return out
    return out + b.expand(out.shape)


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
    flat1, flat2 = x1.reshape((int(np.prod(lead)), x1.shape[-1])), x2.reshape((int(np.prod(lead)), x2.shape[-1]))
    out = einsum("bi,oij,bj->bo", flat1, w, flat2).reshape(lead + (w.shape[0],))
    return out if b is None else out + b
