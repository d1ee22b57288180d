"""Distance functions (torch.nn.functional): cosine_similarity, pairwise_distance, pdist, cdist.

pairwise_distance and cosine_similarity are compositions, as in torch (a vector norm of x1 - x2 + eps; the
normalized vectors' inner product). pdist and cdist form the pairwise differences and take their p-norm along
the last dim as torch's kernels do (``_RowDistance``), with their ``_pdist_backward`` / ``_cdist_backward``
subgradients, which differ from ``linalg.vector_norm``'s: for p = inf every tied largest |difference| gets the
whole gradient (vector_norm splits it), and a nan difference gives a nan gradient (sign(nan) is nan there).
cdist's p = 2 "mm" path (torch's ``_euclidean_dist``: squared norms and one matmul, clamped at 0 and rooted) is
its own primitive, ``_EuclideanDist``, with torch's gradient (0 where the distance is 0) and its numerics
(cancellation included).
"""
from __future__ import annotations

import math

import numpy as np

from ... import dtypes
from ...arguments import argument_error, as_tensor_arg, number_arg
from ...autograd import Function
from ...ops.choose import choose
from ...ops.common import broadcast_shapes, cast
from ...ops.reduction import vector_norm
from ...registry import public
from ...tensor import Tensor

COMPUTE_MODES = {"use_mm_for_euclid_dist_if_necessary": 0, "use_mm_for_euclid_dist": 1,
                 "donot_use_mm_for_euclid_dist": 2}
MM_ROWS = 25  # torch's threshold: the default compute_mode takes the matmul path when either side has more rows


class _ClampMinPassThrough(Function):
    """max(x, low) whose gradient passes through unchanged, as torch's cosine_similarity clamps the (cloned)
    norms in place under no_grad: a norm below eps counts as eps in the value, as itself in the derivative."""
    saves = ()

    def forward(ctx, x, low):
        return np.maximum(x, x.dtype.type(low))  # nan stays nan, as torch's clamp_min

    def vjp(ctx, g):
        return g

    def jvp(ctx, dx):
        return dx


class _RowDistance(Function):
    """The p-norm of d along its last dim as torch's pdist/cdist kernels compute it (p >= 0; p = 0 counts the
    nonzero |d|, nan counting as nan), with their backward (``_pdist_backward`` / ``_cdist_backward``): 0 where
    the distance is 0; p = 1: sign(d); p = inf: sign(d) for every |d| tied at the maximum (not split); p < 1: 0
    where d is 0. The kernels' sign is nan at nan (where vector_norm's gradient takes 0). ``nan_max``: for p = inf
    cdist's scalar kernel skips nan differences in its max (std::max), pdist's vectorized kernel propagates them;
    refgrad follows each."""

    saves = ("inputs", "out")

    def forward(ctx, d, p, nan_max):
        a = np.abs(d)
        if p == 0:
            return np.sum(np.minimum(np.ceil(a), 1), axis=-1)
        if p == 1:
            return np.sum(a, axis=-1)
        if p == 2:
            return np.sqrt(np.sum(d * d, axis=-1))
        if p == math.inf:
            return np.amax(a if nan_max else np.where(np.isnan(a), 0, a), axis=-1)
        return np.sum(a ** d.dtype.type(p), axis=-1) ** d.dtype.type(1 / p)

    def vjp(ctx, g):
        return _row_distance_grad(ctx, g.unsqueeze(-1))

    def jvp(ctx, dd):
        d = ctx.inputs[0]
        return (dd * _row_distance_grad(ctx, Tensor(np.ones(d.shape[:-1] + (1,), d.dtype)))).sum(-1)


def _row_distance_grad(ctx, g: Tensor) -> Tensor:
    """g·∂dist/∂d for g of shape dist + (1,), torch's kernels' formulas term by term (see _RowDistance)."""
    d, p = ctx.inputs[0], ctx.p
    dd = d._data
    dist = np.expand_dims(ctx.out._data, -1)
    if p == 0:
        return Tensor(np.zeros(d.shape, d.dtype))
    sign = np.sign(dd)  # nan at nan, as the kernels' sign
    if p == 1:
        return g * Tensor(sign)
    if p == math.inf:  # 1 where |d| is the maximum, 0 elsewhere, nan where |d| - dist is nan (inf - inf, nan)
        with np.errstate(invalid="ignore"):
            at_max = 1 - np.minimum(1, np.ceil(np.abs(np.abs(dd) - dist)))
        return g * Tensor(sign * at_max)
    nonzero = dist != 0
    safe_dist = choose(nonzero, ctx.out.unsqueeze(-1), 1.0)
    if p == 2:
        return choose(nonzero, g * d / safe_dist, 0.0)
    if p > 2:
        return choose(nonzero, d * d.abs() ** (p - 2) * g / safe_dist ** (p - 1), 0.0)
    if p < 1:  # |d|^(p-1) has a pole at d = 0, where the kernel gives 0: the base is made 1 there first
        keep = nonzero & (dd != 0)
        base = choose(dd != 0, d.abs(), 1.0)
    else:
        keep, base = nonzero, d.abs()
    return choose(keep, Tensor(sign) * base ** (p - 1) * g / safe_dist ** (p - 1), 0.0)


class _EuclideanDist(Function):
    """torch's _euclidean_dist: sqrt(clamp_min([-2·x1, |x1|², 1] @ [x2, 1, |x2|²]ᵀ, 0)) for (..., r1, c) and
    (..., r2, c) with the same batch dims; the matmul form of the p = 2 distance, cheap for many rows but with
    the cancellation of |x1|² - 2·x1·x2 + |x2|² (a zero distance comes out as a rounding residue, as in torch).
    vjp as torch's _euclidean_dist_backward: ratio = g / dist (0 where dist is 0), x1·Σ_j ratio - ratio @ x2."""
    saves = ("inputs", "out")

    def forward(ctx, x1, x2):
        n1 = np.sum(x1 * x1, axis=-1, keepdims=True)
        n2 = np.sum(x2 * x2, axis=-1, keepdims=True)
        a = np.concatenate([x1 * x1.dtype.type(-2), n1, np.ones_like(n1)], axis=-1)
        b = np.concatenate([x2, np.ones_like(n2), n2], axis=-1)
        return np.sqrt(np.maximum(a @ np.swapaxes(b, -1, -2), 0))

    def vjp(ctx, g):
        x1, x2 = ctx.inputs
        ratio = _over_distance(g, ctx.out)
        g1 = x1 * ratio.sum(-1, keepdim=True) - ratio @ x2 if ctx.needs_input_grad[0] else None
        g2 = x2 * ratio.sum(-2).unsqueeze(-1) - ratio.mT @ x1 if ctx.needs_input_grad[1] else None
        return g1, g2

    def jvp(ctx, d1, d2):
        x1, x2 = ctx.inputs
        terms = []  # d(dist²)/2 = (x1 - x2)·d1 + (x2 - x1)·d2, row by row
        if d1 is not None:
            terms += [(x1 * d1).sum(-1, keepdim=True), -(d1 @ x2.mT)]
        if d2 is not None:
            terms += [-(x1 @ d2.mT), (x2 * d2).sum(-1).unsqueeze(-2)]
        half_d_square = terms[0]
        for t in terms[1:]:
            half_d_square = half_d_square + t
        return _over_distance(half_d_square, ctx.out)


def _over_distance(v: Tensor, dist: Tensor) -> Tensor:
    """v / dist, and exactly 0 where dist is 0 (torch's masked_fill of the subgradient)."""
    nonzero = dist._data != 0
    return choose(nonzero, v / choose(nonzero, dist, 1.0), 0.0)


def _row_distance(diff: Tensor, p: float, nan_max: bool) -> Tensor:
    """The p-norm of diff along its last dim, with torch's pdist/cdist kernels' values and subgradients."""
    if diff.shape[-1] == 0:  # torch fills zeros (and its gradient is zero): a sum over nothing, kept in the graph
        return diff.sum(-1)
    return _RowDistance.apply(diff, p=p, nan_max=nan_max)


def _float_p(p, name: str, position: int, fn: str) -> float:
    if isinstance(p, bool):
        raise argument_error(fn, name, position, "float", p)
    return float(number_arg(p, name, position, fn))


@public(namespace="nn.functional", also=("pairwise_distance",))
def pairwise_distance(x1, x2, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False) -> Tensor:
    """torch.nn.functional.pairwise_distance: the p-norm of x1 - x2 + eps over the last dim of their broadcast
    shape (eps is added to the difference, as torch). p may be any real (0 counts nonzeros, ±inf take max/min)."""
    a = as_tensor_arg(x1, "x1", 1)
    b = as_tensor_arg(x2, "x2", 2)
    p = _float_p(p, "p", 3, "pairwise_distance")
    eps = _float_p(eps, "eps", 4, "pairwise_distance")
    innermost = max(a.ndim, b.ndim) - 1
    return vector_norm(a - b + eps, p, dim=innermost, keepdim=bool(keepdim))


@public(namespace="nn.functional", also=("cosine_similarity",))
def cosine_similarity(x1, x2, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """torch.nn.functional.cosine_similarity: Σ (x1 / max(‖x1‖, eps)) · (x2 / max(‖x2‖, eps)) along dim of the
    broadcast shape. As in torch, each norm is clamped at eps in the value only: the gradient flows through the
    norm as if unclamped. Integer inputs are cast to the (floating) common dtype."""
    a = as_tensor_arg(x1, "x1", 1)
    b = as_tensor_arg(x2, "x2", 2)
    eps = _float_p(eps, "eps", 4, "cosine_similarity")
    common = dtypes.result_type(a, b)
    if common.kind != "f":
        raise RuntimeError(f"expected common dtype to be floating point, yet common dtype is "
                           f"{dtypes.scalar_type_name(common)}")
    a = a if a.dtype.kind == "f" else cast(a, common)
    b = b if b.dtype.kind == "f" else cast(b, common)
    shape = broadcast_shapes(a.shape, b.shape)
    a = a if a.shape == shape else a.expand(shape)
    b = b if b.shape == shape else b.expand(shape)
    n1 = _ClampMinPassThrough.apply(vector_norm(a, 2, dim=dim, keepdim=True), low=eps)
    n2 = _ClampMinPassThrough.apply(vector_norm(b, 2, dim=dim, keepdim=True), low=eps)
    return ((a / n1) * (b / n2)).sum(dim)


def _check_p(p: float, fn: str) -> None:
    if not p >= 0:
        raise RuntimeError(f"{fn} only supports non-negative p values, got p={p:g}")


@public(namespace="nn.functional", also=("pdist",))
def pdist(input, p: float = 2) -> Tensor:
    """torch.nn.functional.pdist: the p-norm distances between the rows of a 2-D input, pair (i, j) for i < j in
    row-major order (the upper triangle of cdist(input, input) without its diagonal). p >= 0; gradients as torch's
    _pdist_backward (0 at a zero distance; all tied maxima for p = inf)."""
    x = as_tensor_arg(input)
    p = _float_p(p, "p", 2, "pdist")
    if x.ndim != 2:
        raise RuntimeError(f"pdist only supports 2D tensors, got: {x.ndim}D")
    if x.dtype.kind != "f":
        raise RuntimeError(f"pdist only supports floating-point dtypes, got {dtypes.scalar_type_name(x.dtype)}")
    _check_p(p, "pdist")
    i, j = np.triu_indices(x.shape[0], 1)
    return _row_distance(x.index_select(0, Tensor(i)) - x.index_select(0, Tensor(j)), p, nan_max=True)


@public
def cdist(x1, x2, p: float = 2.0, compute_mode: str = "use_mm_for_euclid_dist_if_necessary") -> Tensor:
    """torch.cdist: the p-norm distance between each row of x1 (..., r1, c) and each row of x2 (..., r2, c), batch
    dims broadcast -> (..., r1, r2). For p = 2 torch's matmul form is used with compute_mode
    'use_mm_for_euclid_dist', or by default ('use_mm_for_euclid_dist_if_necessary') when r1 or r2 exceeds 25
    ('donot_use_mm_for_euclid_dist': never); its values and gradients are torch's for that path."""
    a = as_tensor_arg(x1, "x1", 1)
    b = as_tensor_arg(x2, "x2", 2)
    p = _float_p(p, "p", 3, "cdist")
    if not isinstance(compute_mode, str) or compute_mode not in COMPUTE_MODES:
        raise ValueError(f"{compute_mode} is not a valid value for compute_mode")
    mode = COMPUTE_MODES[compute_mode]
    for name, t in (("X1", a), ("X2", b)):
        if t.ndim < 2:
            raise RuntimeError(f"cdist only supports at least 2D tensors, {name} got: {t.ndim}D")
    if a.shape[-1] != b.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: {a.shape[-1]} X2: {b.shape[-1]}")
    for name, t in (("X1", a), ("X2", b)):
        if t.dtype.kind != "f":
            raise RuntimeError(f"cdist only supports floating-point dtypes, {name} got: "
                               f"{dtypes.scalar_type_name(t.dtype)}")
    _check_p(p, "cdist")
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected scalar type {dtypes.scalar_type_name(a.dtype)} but found "
                           f"{dtypes.scalar_type_name(b.dtype)} (cdist of X1 {list(a.shape)} and X2 {list(b.shape)})")
    r1, r2, c = a.shape[-2], b.shape[-2], a.shape[-1]
    batch = tuple(broadcast_shapes(a.shape[:-2], b.shape[:-2]))
    a = a if a.shape[:-2] == batch else a.expand(batch + (r1, c))
    b = b if b.shape[:-2] == batch else b.expand(batch + (r2, c))
    use_mm = p == 2 and (mode == 1 or (mode == 0 and (r1 > MM_ROWS or r2 > MM_ROWS)))
    if use_mm and a.numel() and b.numel():
        return _EuclideanDist.apply(a, b)
    return _row_distance(a.unsqueeze(-2) - b.unsqueeze(-3), p, nan_max=False)
