"""Loss functions (torch.nn.functional): cross_entropy, nll_loss, mse_loss, l1_loss, smooth_l1_loss, huber_loss,
binary_cross_entropy, binary_cross_entropy_with_logits, kl_div, poisson_nll_loss, gaussian_nll_loss,
soft_margin_loss, multilabel_soft_margin_loss. Every one takes torch's arguments (reduction 'none' | 'mean' |
'sum', the legacy size_average / reduce pair through _reduction.py where torch has it) and raises and warns as
torch does.

With class-index targets, the per-sample loss logsumexp(x) - x[target] (times the class weight) and its
reduction are one primitive, ``_CrossEntropyIndices``: it is on the hot path of every classifier, and one
primitive instead of log_softmax + pick + negate + weight + sum + divide saves most of the per-op overhead. Its
vjp, (softmax(x) - onehot(target)) · g, is one primitive too, ``_CrossEntropyIndicesGrad`` (as torch's
nll_loss_backward), whose own vjp and jvp are written in refgrad ops, so the gradient differentiates again; the
one-hot parts there are ``_PickClass`` (one entry gathered along the class dim) and its adjoint ``_PlaceClass``
(a scatter into zeros), so no float one-hot of the input's size is built. label_smoothing adds
its term with log_softmax; class-probability targets are composite ops throughout. nll_loss shares the target
checks, ignore_index and class weights (``_IndexTargets``) and picks with ``_PickClass``.

The other losses are refgrad ops composed as torch composes them, except where torch has a kernel whose
numerics or subgradients a composition would not match: smooth_l1 and huber (``_SmoothL1``, ``_Huber``: the
branch not taken leaves no 0·inf in the gradient, and the second derivative at |d| = β is torch's),
binary_cross_entropy (``_BinaryCrossEntropy``: torch's log clamp at -100, its backward's 1e-12 floor and its
double backward formula) and binary_cross_entropy_with_logits (``_BinaryCrossEntropyWithLogits``: torch
multiplies by the cotangent before dividing by the element count, which decides where float32 overflows).
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ..._grad_state import state as _grad_state
from ..._rows import rowwise
from ...autograd import Function
from ...autograd.bases import Elementwise, identity
from ...autograd.grad_mode import is_grad_enabled
from ...dtypes import scalar_type_name
from ...ops.binary import xlogy
from ...ops.choose import choose, select
from ...ops.common import as_tensor_arg, broadcast_shapes, cast, elementwise_operands
from ...registry import public
from ...tensor import Tensor
from ._reduction import apply_reduction, check_reduction, legacy_get_string, resolve_reduction
from .activation import LogSigmoid, Softmax, exp_shifted, log_softmax


def _along(index: np.ndarray, axis: int) -> tuple:
    """The fancy index of entry index[p] along ``axis`` at each position p of ``index``, in an array with one dim
    more (x[_along(index, axis)] is take_along_axis(x, index[..., None, ...], axis) squeezed, made cheaply)."""
    n = index.ndim
    if n == 1 and axis == 1:  # (N,) targets of (N, C) scores: the usual classification loss, at once
        return np.arange(index.shape[0]), index
    grids = tuple(np.arange(s).reshape((-1,) + (1,) * (n - 1 - i)) for i, s in enumerate(index.shape))
    return grids[:axis] + (index,) + grids[axis:]


class _PickClass(Function):
    """out[n, ...] = x[n, index[n, ...], ...] along ``axis`` (index has x's shape without that axis)."""
    saves = ()  # backward reads shapes only

    def forward(ctx, x, index, axis):
        return x[_along(index, axis)]

    def vjp(ctx, g):
        return _PlaceClass.apply(g, index=ctx.index, axis=ctx.axis, size=ctx.inputs[0].shape[ctx.axis])

    def jvp(ctx, dx):
        return _PickClass.apply(dx, index=ctx.index, axis=ctx.axis)


class _PlaceClass(Function):
    """The adjoint of _PickClass: zeros with g written at index along a new ``axis`` of length ``size``."""
    saves = ()  # backward reads shapes only

    def forward(ctx, g, index, axis, size):
        shape = g.shape[:axis] + (size,) + g.shape[axis:]
        out = np.zeros(shape, g.dtype)
        out[_along(index, axis)] = g
        return out

    def vjp(ctx, g):
        return _PickClass.apply(g, index=ctx.index, axis=ctx.axis)

    def jvp(ctx, dg):
        return _PlaceClass.apply(dg, index=ctx.index, axis=ctx.axis, size=ctx.size)


# the largest exponentials _CrossEntropyIndices keeps for its vjp (beside its input, which it keeps in any case)
_KEEP_EXPONENTIALS_BELOW = 1 << 16


class _CrossEntropyIndices(Function):
    """reduce(w_n · (logsumexp_c x[n, c, ...] - x[n, t_n, ...])) along class ``axis`` 1; ``weights`` (per sample,
    0 where ignored) or None; ``keep`` (False where the target is ignore_index) or None; ``reduction`` 'none' /
    'sum' / 'mean' (divided by ``denominator``). An ignored sample's loss is exactly 0, as torch's nll_loss skips
    it, even where its logits are ±inf or NaN (padding rows masked with -inf); a kept sample with weight 0 and
    an infinite loss is 0·inf = nan, as in torch."""

    saves = ("inputs",)

    def forward(ctx, x, index, weights, keep, reduction, denominator):
        # (the ufuncs' reductions themselves, as everywhere a small op's call cost shows: x.max() is them, wrapped)
        top = np.maximum.reduce(x, axis=1, keepdims=True, initial=-np.inf)
        shifted = x - top
        e = np.exp(shifted)
        total = np.add.reduce(e, axis=1, keepdims=True)
        # the vjp's softmax is exp(x - top) / total: kept, it needs neither reduction again, and small exponentials
        # are kept too (two NumPy calls saved where a call costs more than the array's memory)
        ctx.softmax_parts = (top, total, e if e.nbytes < _KEEP_EXPONENTIALS_BELOW else None)
        lse = np.log(np.squeeze(total, 1))
        loss = -(shifted[_along(index, 1)] - lse)  # -log p[target], as torch: -0 where p is 1
        if weights is not None:
            loss = loss * weights
        if keep is not None:
            loss = np.where(keep, loss, loss.dtype.type(0))
        if reduction == "none":
            return loss
        total = np.add.reduce(loss, axis=None)
        return np.asarray(total if reduction == "sum" else total / loss.dtype.type(denominator))

    def vjp(ctx, g):
        x = ctx.inputs[0]
        if not _grad_state["record"] and not _grad_state["forward_ad"] and g._data.dtype == x._data.dtype:
            # a first-order backward (nothing records its vjp): the gradient's NumPy alone, without an op's bookkeeping
            return Tensor._over(_CrossEntropyIndicesGrad.forward(  # (quiet, as every op's forward)
                None, g._data, x._data, ctx.index, ctx.weights, ctx.keep, ctx.reduction, ctx.denominator,
                ctx.softmax_parts))
        return _CrossEntropyIndicesGrad.apply(g, x, index=ctx.index, weights=ctx.weights, keep=ctx.keep,
                                              reduction=ctx.reduction, denominator=ctx.denominator,
                                              softmax_parts=ctx.softmax_parts)

    def jvp(ctx, dx):
        (x,) = ctx.inputs
        dn = (Softmax.apply(x, dim=1) * dx).sum(dim=1) - _PickClass.apply(dx, index=ctx.index, axis=1)
        return apply_reduction(_weigh(dn, ctx), ctx.reduction, ctx.denominator)


class _CrossEntropyIndicesGrad(Function):
    """The vjp of _CrossEntropyIndices as one primitive (as torch's nll_loss_backward): gn·(softmax(x) -
    onehot(index)) along the class axis 1, gn being the loss cotangent g spread over the samples (÷ denominator
    for 'mean', × the sample weights). Linear in g; its own vjp and jvp make double backward and
    forward-over-reverse work. ``softmax_parts``: x's max and sum of exponentials along the class axis (dims of 1)
    and the exponentials themselves or None, as _CrossEntropyIndices's forward left them; or None."""

    def forward(ctx, g, x, index, weights, keep, reduction, denominator, softmax_parts=None):
        # a zero denominator: g/0·0 = nan for the kept samples, as in torch
        gn = g / g.dtype.type(denominator) if reduction == "mean" else g  # one value, or one per sample
        if weights is not None:
            gn = gn * weights
        if keep is not None:  # an ignored sample's cotangent is exactly 0
            gn = np.where(keep, gn, gn.dtype.type(0))
        if softmax_parts is None:
            out = Softmax._loud_forward(ctx, x, 1)  # (quiet already, as this forward)
        else:  # Softmax's own operations, given its two reductions (and its exponentials): the same values, to the bit
            top, total, e = softmax_parts
            out = rowwise(np.true_divide, e, total) if e is not None else rowwise(
                np.true_divide, e := exp_shifted(x, top), total, out=e)  # (a kept e is left as it is)
        out *= np.expand_dims(gn, 1) if gn.ndim else gn
        out[_along(index, 1)] -= gn  # each sample's target class, once
        return out

    def vjp(ctx, u):
        g, x = ctx.inputs
        s = Softmax.apply(x, dim=1)
        v = u * _per_sample(g, ctx, ctx.index.shape).unsqueeze(1)
        gx = (v - (v * s).sum(dim=1, keepdim=True)) * s  # softmax's vjp
        if not ctx.needs_input_grad[0]:
            return None, gx
        per_sample = (u * s).sum(dim=1) - _PickClass.apply(u, index=ctx.index, axis=1)  # <u_n, s_n - onehot_n>
        return apply_reduction(_weigh(per_sample, ctx), ctx.reduction, ctx.denominator), gx

    def jvp(ctx, dg, dx):
        g, x = ctx.inputs
        s = Softmax.apply(x, dim=1)
        ds = (dx - (dx * s).sum(dim=1, keepdim=True)) * s  # softmax's jvp
        return (_CrossEntropyIndicesGrad.apply(dg, x, index=ctx.index, weights=ctx.weights, keep=ctx.keep,
                                               reduction=ctx.reduction, denominator=ctx.denominator)
                + _per_sample(g, ctx, ctx.index.shape).unsqueeze(1) * ds)


def _per_sample(g: Tensor, ctx, sample_shape: tuple) -> Tensor:
    """The cotangent of each sample's loss, from that of the reduced loss."""
    if ctx.reduction != "none":
        if ctx.reduction == "mean":
            g = g / Tensor(np.asarray(ctx.denominator, g.dtype))
        g = g.expand(sample_shape)
    return _weigh(g, ctx)


def _weigh(per_sample: Tensor, ctx) -> Tensor:
    """Per-sample values times the sample weights, and exactly 0 for ignored samples (even where inf or nan)."""
    if ctx.weights is not None:
        per_sample = per_sample * Tensor(ctx.weights)
    return _zero_ignored(per_sample, ctx.keep)


def _zero_ignored(per_sample: Tensor, keep) -> Tensor:
    if keep is None:
        return per_sample
    return choose(keep, per_sample, 0.0)


def _nan_mean(reduce_as_sum) -> Tensor:
    """torch's mean over no targets (all ignored, or none at all): nan, with a zero gradient."""
    total = reduce_as_sum("sum")
    return total * 0 + Tensor(np.asarray(np.nan, total.dtype))


@public(namespace="nn.functional")
def cross_entropy(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                  reduction: str = "mean", label_smoothing: float = 0.0):
    """torch.nn.functional.cross_entropy.

    input (C,), (N, C) or (N, C, d1, ...) of logits. target either class indices (int64 or uint8, shape input's
    without the class dim; ``ignore_index`` entries contribute nothing) or class probabilities (float, input's
    shape). ``weight`` (C,) rescales each class; with class indices, 'mean' divides by the summed weights of the
    non-ignored targets, as torch. label_smoothing mixes the target with the uniform distribution (values <= 0
    mean none, as torch). As in torch, with class-index targets ``weight`` is not differentiable (it raises when
    it requires grad); with probability targets input, target and weight all get gradients.
    """
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target")
    w = None if weight is None else as_tensor_arg(weight, "weight")
    reduction = resolve_reduction(size_average, reduce, reduction)
    label_smoothing = float(label_smoothing)
    if label_smoothing > 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing:g}")
    if x.dtype.kind != "f":
        raise NotImplementedError(
            f"\"log_softmax_lastdim_kernel_impl\" not implemented for '{scalar_type_name(x.dtype)}'")
    if x.ndim == 0:  # torch looks for the class dim 1 (after checking a same-shaped target's dtype)
        if x.shape == t.shape and t.dtype.kind != "f":
            raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                               f"{scalar_type_name(t.dtype)}")
        if x.shape == t.shape:
            raise IndexError("Dimension specified as 1 but tensor has no dimensions")
        raise IndexError("Dimension out of range (expected to be in range of [-1, 0], but got 1)")
    if x.shape == t.shape:
        return _cross_entropy_probabilities(x, t, w, ignore_index, reduction, label_smoothing)
    return _cross_entropy_indices(x, t, w, ignore_index, reduction, label_smoothing)


def _check_index_target(x: np.ndarray, t: np.ndarray) -> None:
    """torch's checks, in torch's order: ranks and sizes, then the dtype (of the input's and target's arrays: their
    fields without a Tensor property's frame each)."""
    if x.ndim == 1:
        if t.ndim > 1:
            raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported (got target of shape "
                               f"{list(t.shape)})")
        if t.ndim == 1 and t.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}")
    elif x.ndim == 2:
        if t.ndim == 0 and x.shape[0] != 0:  # torch reads a 0-d target's batch size as 0
            raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size (0).")
        if t.ndim != 1:
            raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported (got target of shape "
                               f"{list(t.shape)} for input of shape {list(x.shape)})")
        if t.shape[0] != x.shape[0]:
            raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]}).")
    else:
        expected = (x.shape[0],) + x.shape[2:]
        if t.ndim >= 1 and t.shape[0] != x.shape[0]:
            raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]}).")
        if x.ndim == 4 and t.ndim != 3:  # torch's 2-d spatial kernel (nll_loss2d) words its checks its own way
            raise RuntimeError(f"only batches of spatial targets supported (3D tensors) but got targets of dimension: "
                               f"{t.ndim}")
        if x.ndim == 4 and t.shape != expected:
            raise RuntimeError(f"size mismatch (got input: {list(x.shape)} , target: {list(t.shape)}")
        if t.shape != expected:
            raise RuntimeError(f"Expected target size {list(expected)}, got {list(t.shape)}")
    if t.dtype not in (np.int64, np.uint8):
        raise RuntimeError(f"expected target dtype to be Long or Byte, but got {scalar_type_name(t.dtype)}")
    if t.dtype == np.uint8 and x.ndim > 2:  # torch takes Byte targets only for (C,) and (N, C) inputs
        raise RuntimeError("expected scalar type Long but found Byte")


def _check_weight(w: Tensor | None, n_classes: int, dtype) -> None:
    if w is None:
        return
    if w.ndim != 1 or w.shape[0] != n_classes:
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but got "
                           f"weight tensor of shape: {list(w.shape)}")
    if w.dtype != dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(dtype)} but found {scalar_type_name(w.dtype)}")


class _IndexTargets:
    """Class-index targets resolved once for nll_loss and cross_entropy: ``x`` (N, C, ...) (a (C,) input gets a
    batch dim of 1, ``one_d``), ``index`` (the targets, ignored ones replaced by class 0), ``weights`` (each
    sample's class weight, or None), ``keep`` (False where the target is ignore_index, or None when none is) and
    ``denominator`` ('mean' divides by it: the summed weights of the kept samples, or their count)."""

    def __init__(self, x: Tensor, t: Tensor, w: Tensor | None, ignore_index: int):
        _check_index_target(x._data, t._data)
        self.one_d = x.ndim == 1
        if self.one_d:  # a single sample: (C,) -> (1, C)
            x, t = x.unsqueeze(0), t.reshape(1)
        n_classes = x.shape[1]
        _check_weight(w, n_classes, x.dtype)
        if w is not None and w.requires_grad and is_grad_enabled():
            raise RuntimeError("The function 'nll_loss_forward' is not differentiable with respect to argument "
                               "'weight'. This input cannot have requires_grad True.")
        idx = t._data.astype(np.int64, copy=False)
        # every target a class, in one reduction: read as unsigned, a negative target is more than any class
        if idx.size and np.maximum.reduce(idx.view(np.uint64), axis=None) < n_classes and not (
                0 <= ignore_index < n_classes):
            keep = None  # every target is a class and none is ignore_index: nothing to mask
        else:
            keep = idx != ignore_index
            bad = keep & ((idx < 0) | (idx >= n_classes))
            if bad.any():
                raise IndexError(f"Target {idx[bad].flat[0]} is out of bounds.")
            if keep.all():
                keep = None
        safe = idx if keep is None else np.where(keep, idx, 0)
        if w is None:  # no class weights: the mean is over the kept samples
            weights, denominator = None, int(idx.size if keep is None else keep.sum())
        else:
            weights = w._data[safe]  # each sample's class weight, 0 for an ignored sample (never a nan weight)
            if keep is not None:
                weights = np.where(keep, weights, weights.dtype.type(0))
            with np.errstate(over="ignore"):  # max-sized weights sum to inf, silently as in torch
                denominator = weights.sum() if keep is None else weights[keep].sum()
        self.x, self.index, self.weights, self.keep, self.denominator = x, safe, weights, keep, denominator
        self.n_classes = n_classes

    def none_kept(self, reduction: str) -> bool:
        """torch's 'mean' over no kept target is nan (with a zero gradient): see _nan_mean."""
        return reduction == "mean" and self.keep is not None and not self.keep.any()

    def reduction_for(self, reduction: str) -> str:
        """The loss of a (C,) input with 'none' is 0-d and, as in torch, a sum over its one sample (a -0.0 loss
        comes out as 0.0, as from any sum)."""
        return "sum" if self.one_d and reduction == "none" else reduction


def _cross_entropy_indices(x, t, w, ignore_index, reduction, label_smoothing):
    targets = _IndexTargets(x, t, w, ignore_index)
    x, keep, denominator, n_classes = targets.x, targets.keep, targets.denominator, targets.n_classes

    def reduced(how):
        out = _CrossEntropyIndices.apply(x, index=targets.index, weights=targets.weights, keep=keep, reduction=how,
                                         denominator=denominator)
        if label_smoothing > 0:  # torch: (1 - ε)·nll + ε/C · reduce(-Σ_c w_c·log p_c)
            logp = log_softmax(x, 1)
            if w is not None:
                logp = logp * Tensor(w._data.reshape((n_classes,) + (1,) * (x.ndim - 2)))
            smooth = _zero_ignored(-logp.sum(dim=1), keep)
            out = (out * (1.0 - label_smoothing)
                   + apply_reduction(smooth, how, denominator) * (label_smoothing / n_classes))
        return out

    if targets.none_kept(reduction):
        return _nan_mean(reduced)  # torch: nan, with a zero gradient, when every target is ignored
    return reduced(targets.reduction_for(reduction))


def _cross_entropy_probabilities(x, t, w, ignore_index, reduction, label_smoothing):
    if t.dtype.kind != "f":
        raise RuntimeError(f"Expected floating point type for target with class probabilities, got "
                           f"{scalar_type_name(t.dtype)}")
    if ignore_index >= 0:
        raise RuntimeError("ignore_index is not supported for floating point target")
    cdim = 1 if x.ndim >= 2 else 0
    n_classes = x.shape[cdim]
    if w is not None and (w.ndim != 1 or w.shape[0] != n_classes):
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes or no classes but got "
                           f"weight tensor of shape: {list(w.shape)}")
    if label_smoothing > 0:
        t = t * (1.0 - label_smoothing) + label_smoothing / n_classes
    logp = log_softmax(x, cdim)
    prod = logp * t
    if w is not None:
        prod = prod * w.reshape((n_classes,) + (1,) * (x.ndim - cdim - 1))
    loss = -prod.sum(dim=cdim)
    if reduction == "mean" and loss.numel() == 0:
        return _nan_mean(lambda how: apply_reduction(loss, how))
    return apply_reduction(loss, reduction, loss.numel())


@public(namespace="nn.functional")
def nll_loss(input, target, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
             reduction: str = "mean"):
    """torch.nn.functional.nll_loss: -w[t]·input[n, t, ...] per sample, reduced.

    input (C,), (N, C) or (N, C, d1, ...) of log-probabilities, target class indices (int64, or uint8 for (C,) and
    (N, C) inputs) of input's shape without the class dim; ``ignore_index`` targets contribute nothing and 'mean'
    divides by the summed class weights of the others (nan when there are none), as torch. ``weight`` is not
    differentiable (torch raises when it requires grad). The target checks and their messages are
    cross_entropy's (torch's cross_entropy is nll_loss of log_softmax).
    """
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target")
    w = None if weight is None else as_tensor_arg(weight, "weight")
    reduction = resolve_reduction(size_average, reduce, reduction)
    if x.ndim == 0:
        raise ValueError("Expected 1 or more dimensions (got 0)")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"nll_loss_out_frame\" not implemented for '{scalar_type_name(x.dtype)}'")
    targets = _IndexTargets(x, t, w, ignore_index)

    def reduced(how):
        loss = -_PickClass.apply(targets.x, index=targets.index, axis=1)
        if targets.weights is not None:
            loss = loss * Tensor(targets.weights)
        return apply_reduction(_zero_ignored(loss, targets.keep), how, targets.denominator)

    if targets.none_kept(reduction):
        return _nan_mean(reduced)
    return reduced(targets.reduction_for(reduction))


# ---- regression losses: mse, l1, smooth l1, huber ----------------------------------------------------------
def _torch_size(shape: tuple) -> str:
    return f"torch.Size([{', '.join(map(str, shape))}])"


def _pointwise_operands(input, target) -> tuple[Tensor, Tensor]:
    """input and target of an elementwise regression loss: torch warns (UserWarning) when their sizes differ,
    then broadcasts them together (raising where they do not broadcast)."""
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target", 2)
    if x.shape != t.shape:
        warnings.warn(f"Using a target size ({_torch_size(t.shape)}) that is different to the input size "
                      f"({_torch_size(x.shape)}). This will likely lead to incorrect results due to broadcasting. "
                      f"Please ensure they have the same size.", UserWarning, stacklevel=3)
    return x, t


def _legacy_reduction(size_average, reduce, reduction) -> str:
    """The legacy pair's reduction when either is given (with torch's warning), else ``reduction`` unchecked."""
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    return reduction


def _pointwise_loss(elementwise, x: Tensor, t: Tensor, weight, reduction: str, weighted_mean: str) -> Tensor:
    """The elementwise ``loss = elementwise(x - t)`` (x and t broadcast), reduced: without ``weight`` as torch's
    kernels (the reduction string checked); with it (input's size), torch's Python path: loss·weight, and 'mean'
    either divides by the summed weights (``weighted_mean`` "weight": mse, l1) or averages (huber)."""
    broadcast_shapes(x.shape, t.shape)
    if weight is None:
        return apply_reduction(elementwise(x - t), check_reduction(reduction))
    w = as_tensor_arg(weight, "weight")
    if w.shape != x.shape:
        raise ValueError("Weights and input must have the same size.")
    loss = elementwise(x - t) * w
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction == "mean":
        return loss.sum() / w.sum() if weighted_mean == "weight" else loss.mean()
    raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', 'mean', 'sum'.")


def _reduce_array(loss: np.ndarray, reduction: str) -> np.ndarray:
    """A fused loss kernel's reduction, as torch's apply_loss_reduction (the mean of nothing is nan, quietly)."""
    if reduction == "none":
        return loss
    total = loss.sum()
    return np.asarray(total if reduction == "sum" else total / loss.dtype.type(loss.size))


class _MeanSquaredError(Function):
    """torch's mse_loss kernel: (x - t)², reduced. Fused because torch's backward, norm·(x - t)·g with norm = 2/n
    ('mean') or 2, scales the difference before it meets the cotangent, which decides where float32 overflows;
    the vjp keeps that order, in refgrad ops (so it differentiates again: 2·g/n for x, the negation for t)."""

    saves = ("inputs",)

    def forward(ctx, x, t, reduction):
        d = x - t
        return _reduce_array(d * d, reduction)

    def _norm(ctx, size: int) -> float:
        if ctx.reduction != "mean":
            return 2.0
        return 2.0 / size if size else math.inf  # torch's 2/0 (the gradient is empty then)

    def vjp(ctx, g):
        x, t = ctx.inputs
        need_x, need_t = ctx.needs_input_grad
        d = x - t
        norm = _MeanSquaredError._norm(ctx, d.numel())
        return (d * norm * g if need_x else None), ((t - x) * norm * g if need_t else None)

    def jvp(ctx, dx, dt):
        x, t = ctx.inputs
        tangent = dx if dt is None else dt.neg() if dx is None else dx - dt
        return apply_reduction((x - t) * 2.0 * tangent, ctx.reduction)


@public(namespace="nn.functional")
def mse_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    """torch.nn.functional.mse_loss: (input - target)², reduced; target broadcasts against input with torch's
    UserWarning when the sizes differ. ``weight`` (input's size, differentiable) scales each element, and then
    'mean' divides by its sum, as torch."""
    x, t = _pointwise_operands(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if weight is not None:
        return _pointwise_loss(lambda d: d.square(), x, t, weight, reduction, "weight")
    broadcast_shapes(x.shape, t.shape)
    check_reduction(reduction)
    if x.dtype.kind != "f" and t.dtype.kind != "f":  # torch's kernel has no integer form
        raise NotImplementedError(f"\"mse_cpu\" not implemented for '{scalar_type_name(x.dtype)}'")
    x, t = elementwise_operands(x, t)
    return _MeanSquaredError.apply(x, t, reduction=reduction)


@public(namespace="nn.functional")
def l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", weight=None):
    """torch.nn.functional.l1_loss: |input - target|, reduced (subgradient 0 where they are equal, as torch);
    broadcasting, warning and ``weight`` as mse_loss."""
    x, t = _pointwise_operands(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    return _pointwise_loss(lambda d: d.abs(), x, t, weight, reduction, "weight")


class _SmoothL1(Elementwise):
    """torch's smooth_l1 kernel on d = input - target: 0.5·d²/β where |d| < β, else |d| - 0.5·β. A primitive, so
    that the branch not taken (d² of an inf d) leaves no 0·inf in the gradient. The derivative is torch's: d/β
    inside (and at a nan d, which gives nan, as torch), sign(d) outside and at |d| = β exactly, where torch's
    second derivative is that of the outer branch, 0; inside it is 1/β, d = 0 included."""

    saves = ("inputs",)

    def forward(ctx, d, *, beta):
        z = np.abs(d)
        return select(z < beta, 0.5 * z * z / beta, z - 0.5 * beta)

    def d_d(ctx, v):
        (d,) = ctx.inputs
        return choose(~(np.abs(d._data) >= ctx.beta), d * v / ctx.beta, d.sign() * v)


@public(namespace="nn.functional")
def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction: str = "mean", beta: float = 1.0):
    """torch.nn.functional.smooth_l1_loss: 0.5·d²/β where |d| < β, else |d| - 0.5·β (d = input - target), reduced;
    beta=0 is l1_loss, a negative beta raises, as torch. Broadcasting and warning as mse_loss."""
    x, t = _pointwise_operands(input, target)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    beta = float(beta)
    if beta == 0.0:
        return _pointwise_loss(lambda d: d.abs(), x, t, None, reduction, "")
    broadcast_shapes(x.shape, t.shape)
    check_reduction(reduction)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    return _pointwise_loss(lambda d: _SmoothL1.apply(d, beta=beta), x, t, None, reduction, "")


class _Huber(Elementwise):
    """torch's huber kernel on d = input - target: 0.5·d² where |d| < δ, else δ·(|d| - 0.5·δ); its derivative d
    inside, δ·sign(d) outside and at the kink (as _SmoothL1)."""

    saves = ("inputs",)

    def forward(ctx, d, *, delta):
        z = np.abs(d)
        return select(z < delta, 0.5 * z * z, delta * (z - 0.5 * delta))

    def d_d(ctx, v):
        (d,) = ctx.inputs
        return choose(~(np.abs(d._data) >= ctx.delta), d * v, d.sign() * v * ctx.delta)


@public(namespace="nn.functional")
def huber_loss(input, target, reduction: str = "mean", delta: float = 1.0, weight=None):
    """torch.nn.functional.huber_loss: 0.5·d² where |d| < δ, else δ·(|d| - 0.5·δ), reduced; delta must be
    positive. Broadcasting and warning as mse_loss; with ``weight`` (input's size) 'mean' is the plain mean of
    the weighted losses, as torch (not mse_loss's division by the summed weights)."""
    x, t = _pointwise_operands(input, target)
    delta = float(delta)
    broadcast_shapes(x.shape, t.shape)
    if weight is None:
        check_reduction(reduction)
    if not delta > 0:
        raise RuntimeError("huber_loss does not support non-positive values for delta.")
    return _pointwise_loss(lambda d: _in_input_dtype(_Huber.apply(d, delta=delta), x), x, t, weight, reduction,
                           "mean")


# ---- binary cross-entropy ----------------------------------------------------------------------------------
def _in_input_dtype(loss: Tensor, x: Tensor) -> Tensor:
    """The loss in input's dtype, as torch's kernels that write into a loss allocated like the input (float32 for
    a float32 input and a float64 target); an integer input cannot hold it, as in torch."""
    if x.dtype.kind != "f":
        raise RuntimeError(f"result type {scalar_type_name(loss.dtype)} can't be cast to the desired output type "
                           f"{scalar_type_name(x.dtype)}")
    return cast(loss, x.dtype)


def _log_sigmoid_input(x: Tensor) -> None:
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"log_sigmoid_cpu\" not implemented for '{scalar_type_name(x.dtype)}'")


def _not_differentiable(fn: str, name: str, value) -> None:
    """torch's refusal of a gradient-requiring argument its derivative formula does not cover."""
    if value is not None and value.requires_grad and is_grad_enabled():
        raise RuntimeError(f"The function '{fn}' is not differentiable with respect to argument '{name}'. This input "
                           f"cannot have requires_grad True.")


# torch's binary_cross_entropy_backward clamps (1 - x)·x below at a float constant 1e-12 (so 1e-12 rounded to
# float32, also in float64); its double backward adds a double 1e-12 to x and to 1 - x
_BCE_GRAD_EPSILON = float(np.float32(1e-12))
_BCE_DOUBLE_BACKWARD_EPSILON = 1e-12


class _BinaryCrossEntropy(Elementwise):
    """torch's binary_cross_entropy kernel, elementwise: ((t - 1)·max(log1p(-x), -100) - t·max(log(x), -100))·w.
    The derivatives are torch's backward formulas, the weight multiplied last as torch's kernels do (so a huge
    weight times a zero gradient stays 0 rather than inf·0): d/dx is _BinaryCrossEntropyInputGrad (finite at x = 0
    and 1) times w, d/dt = -logit(x)·v times w (unclamped: ±inf at x = 0 and 1, as torch). w, an ndarray or None
    (no weight), is a constant: torch refuses a weight that requires grad."""

    saves = ("inputs",)

    def forward(ctx, x, t, *, w=None):
        log_x = np.maximum(np.log(x), -100)
        log_1mx = np.maximum(np.log1p(-x), -100)
        return (t - 1) * log_1mx - t * log_x if w is None else ((t - 1) * log_1mx - t * log_x) * w

    def d_x(ctx, v):
        x, t = ctx.inputs
        d = _BinaryCrossEntropyInputGrad.apply(v, x, t)
        return d if ctx.w is None else d * ctx.w

    def d_t(ctx, v):
        x, _ = ctx.inputs
        d = -x.logit() * v
        return d if ctx.w is None else d * ctx.w


class _BinaryCrossEntropyInputGrad(Function):
    """torch's binary_cross_entropy_backward for the input, g·(x - t) / max((1 - x)·x, ε), as a primitive whose own
    derivatives are torch's double backward: for x, g·(x² - 2xt + t) / ((x + ε')²·(1 - x + ε')²); for t,
    -g / max((1 - x)·x, ε) with the clamp's gradient passing through (torch clamps under no_grad); for g, the
    formula itself (it is linear in g)."""

    saves = ("inputs",)

    def forward(ctx, g, x, t):
        return g * (x - t) / np.maximum((1 - x) * x, _BCE_GRAD_EPSILON)

    def vjp(ctx, u):
        g, x, t = ctx.inputs
        need_g, need_x, need_t = ctx.needs_input_grad
        return (_BinaryCrossEntropyInputGrad.apply(u, x, t) if need_g else None,
                _bce_d2_input(u * g, x, t) if need_x else None,
                -(u * g) / _ClampMinPassingGradient.apply((1 - x) * x, eps=_BCE_GRAD_EPSILON) if need_t else None)

    def jvp(ctx, dg, dx, dt):
        g, x, t = ctx.inputs
        out = None
        for term in (None if dg is None else _BinaryCrossEntropyInputGrad.apply(dg, x, t),
                     None if dx is None else _bce_d2_input(dx * g, x, t),
                     None if dt is None else -(dt * g) / _ClampMinPassingGradient.apply((1 - x) * x,
                                                                                       eps=_BCE_GRAD_EPSILON)):
            if term is not None:
                out = term if out is None else out + term
        return out


def _bce_d2_input(scale: Tensor, x: Tensor, t: Tensor) -> Tensor:
    """torch's binary_cross_entropy_double_backward (for the input), times scale."""
    eps = _BCE_DOUBLE_BACKWARD_EPSILON
    return (x * x - 2 * x * t + t) / ((x + eps) ** 2 * (1 - x + eps) ** 2) * scale


@public(namespace="nn.functional")
def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction: str = "mean"):
    """torch.nn.functional.binary_cross_entropy: -w·(t·log(x) + (1 - t)·log(1 - x)), each log clamped at -100 as
    torch, reduced. input and target must have the same size and lie in [0, 1] (nan included in the refusal);
    ``weight`` broadcasts to target's size and is not differentiable (torch raises when it requires grad)."""
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target", 2)
    reduction = resolve_reduction(size_average, reduce, reduction)
    if t.shape != x.shape:
        raise ValueError(f"Using a target size ({_torch_size(t.shape)}) that is different to the input size "
                         f"({_torch_size(x.shape)}) is deprecated. Please ensure they have the same size.")
    w = None if weight is None else as_tensor_arg(weight, "weight", 3)
    if w is not None:
        w = _expanded_weight(w, t.shape, x.shape)
    if t.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {scalar_type_name(t.dtype)} but expected {scalar_type_name(x.dtype)}")
    _not_differentiable("binary_cross_entropy", "weight", w)
    for name, v in (("input", x), ("target", t)):
        if not ((v._data >= 0) & (v._data <= 1)).all():
            raise RuntimeError(f"all elements of {name} should be between 0 and 1")
    return apply_reduction(_BinaryCrossEntropy.apply(x, t, w=None if w is None else w._data), reduction)


def _expanded_weight(w: Tensor, target_shape: tuple, loss_shape: tuple) -> Tensor:
    """binary_cross_entropy's weight: expanded to broadcast(target, weight) (torch's message where it does not
    broadcast), which must be the loss's shape (torch multiplies it in place)."""
    try:
        shape = np.broadcast_shapes(target_shape, w.shape)
    except ValueError:
        n = max(len(target_shape), w.ndim)
        padded_t = (1,) * (n - len(target_shape)) + tuple(target_shape)
        padded_w = (1,) * (n - w.ndim) + tuple(w.shape)
        dim = next(i for i in reversed(range(n)) if padded_w[i] not in (1, padded_t[i]) and padded_t[i] != 1)
        raise RuntimeError(f"Attempting to broadcast a dimension of length {padded_w[dim]} at {dim - n}! Mismatching "
                           f"argument at index 1 had {_torch_size(w.shape)}; but expected shape should be "
                           f"broadcastable to {list(target_shape)}") from None
    _in_place_shape(shape, loss_shape)
    return w.expand(shape)


def _in_place_shape(shape: tuple, loss_shape: tuple) -> None:
    """torch's error for an in-place product whose broadcast shape outgrows the loss."""
    shape = np.broadcast_shapes(shape, loss_shape)
    if tuple(shape) != tuple(loss_shape):
        raise RuntimeError(f"output with shape {list(loss_shape)} doesn't match the broadcast shape {list(shape)}")


class _BinaryCrossEntropyWithLogits(Function):
    """torch's fused binary_cross_entropy_with_logits: (1 - t)·x - (1 + (pos_weight - 1)·t)·logsigmoid(x), times
    weight, reduced; weight and pos_weight are constants (ndarrays or None). Fused because torch's backward
    multiplies by the cotangent before it divides by the element count ('mean'), which decides where float32
    overflows: the vjp keeps that order. Its factors are torch's: sigmoid(x) - t (with pos_weight,
    (pw·t + 1 - t)·sigmoid(x) - pw·t) for the input, -x (with pos_weight, logsigmoid(-x) - pw·logsigmoid(x)) for
    the target; all refgrad ops, so they differentiate again."""

    saves = ("inputs",)

    def forward(ctx, x, t, weight, pos_weight, reduction):
        log_sigmoid = LogSigmoid.forward(ctx, x)
        if pos_weight is not None:
            log_sigmoid = log_sigmoid * ((pos_weight - 1) * t + 1)
        loss = (1 - t) * x - log_sigmoid
        if weight is not None:
            loss = loss * weight
        return _reduce_array(loss, ctx.reduction)

    def _factors(ctx, need_x: bool, need_t: bool):
        x, t = ctx.inputs
        pw = None if ctx.pos_weight is None else Tensor(ctx.pos_weight)
        fx = ft = None
        if need_x:
            if pw is None:
                fx = x.sigmoid() - t
            else:
                pw_t = pw * t
                fx = (pw_t + 1 - t) * x.sigmoid() - pw_t
        if need_t:
            ft = -x if pw is None else LogSigmoid.apply(-x) - LogSigmoid.apply(x) * pw
        return fx, ft

    def _finish(ctx, grad: Tensor) -> Tensor:
        if ctx.weight is not None:
            grad = grad * Tensor(ctx.weight)
        if ctx.reduction == "mean":
            grad = grad / grad.numel()
        return grad

    def vjp(ctx, g):
        fx, ft = _BinaryCrossEntropyWithLogits._factors(ctx, *ctx.needs_input_grad)
        return (None if fx is None else _BinaryCrossEntropyWithLogits._finish(ctx, fx * g),
                None if ft is None else _BinaryCrossEntropyWithLogits._finish(ctx, ft * g))

    def jvp(ctx, dx, dt):
        fx, ft = _BinaryCrossEntropyWithLogits._factors(ctx, dx is not None, dt is not None)
        terms = [f * d for f, d in ((fx, dx), (ft, dt)) if d is not None]
        total = terms[0] if len(terms) == 1 else terms[0] + terms[1]
        if ctx.weight is not None:
            total = total * Tensor(ctx.weight)
        return apply_reduction(total, ctx.reduction)


@public(namespace="nn.functional")
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction: str = "mean", pos_weight=None):
    """torch.nn.functional.binary_cross_entropy_with_logits: torch's formula
    (1 - t)·x - (1 + (pos_weight - 1)·t)·logsigmoid(x), times ``weight``, reduced; finite for any finite logit.
    target must have input's size; weight and pos_weight broadcast against it (pos_weight along the last dim, as
    torch) and are not differentiable (torch raises when they require grad)."""
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target", 2)
    reduction = resolve_reduction(size_average, reduce, reduction)
    if t.shape != x.shape:
        raise ValueError(f"Target size ({_torch_size(t.shape)}) must be the same as input size "
                         f"({_torch_size(x.shape)})")
    w = None if weight is None else as_tensor_arg(weight, "weight", 3)
    pw = None if pos_weight is None else as_tensor_arg(pos_weight, "pos_weight")
    _not_differentiable("binary_cross_entropy_with_logits", "weight", w)
    _not_differentiable("binary_cross_entropy_with_logits", "pos_weight", pw)
    if pw is not None:
        _in_place_shape(broadcast_shapes(pw.shape, t.shape), x.shape)
    if w is not None:
        _in_place_shape(w.shape, x.shape)
    _log_sigmoid_input(x)
    if t.dtype.kind != "f":  # torch computes (1 - target)·input in place, in target's dtype
        raise RuntimeError(f"result type {scalar_type_name(x.dtype)} can't be cast to the desired output type "
                           f"{scalar_type_name(t.dtype)}")
    loss = _BinaryCrossEntropyWithLogits.apply(x, t, weight=None if w is None else w._data,
                                               pos_weight=None if pw is None else pw._data, reduction=reduction)
    return cast(loss, t.dtype)  # in target's dtype, as torch's in-place products (float64 logits, float32 target)


# ---- divergences and likelihoods: kl_div, poisson_nll_loss, gaussian_nll_loss -----------------------------
@public(namespace="nn.functional")
def kl_div(input, target, size_average=None, reduce=None, reduction: str = "mean", log_target: bool = False):
    """torch.nn.functional.kl_div: target·(log(target) - input) pointwise (xlogy(t, t) - t·x, so 0 where t = 0), or
    exp(t)·(t - input) with log_target, reduced. 'batchmean' sums and divides by the batch size (input.size(0));
    'mean' averages over every element and warns, as torch, that it will become 'batchmean'."""
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target", 2)
    if size_average is not None or reduce is not None:
        reduction = legacy_get_string(size_average, reduce)
    else:
        if reduction == "mean":
            warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                          "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                          "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                          UserWarning, stacklevel=2)
        if reduction != "batchmean":
            check_reduction(reduction)
    if x.dtype.kind in "iub" or t.dtype.kind in "iub":
        raise RuntimeError("kl_div: Integral inputs not supported.")
    loss = (t.exp() * (t - x)) if log_target else xlogy(t, t) - t * x
    if reduction != "batchmean":
        return apply_reduction(loss, reduction)
    total = loss.sum()
    return total / x.shape[0] if x.ndim else total


class _ClampMinPassingGradient(Elementwise):
    """max(x, eps) whose derivative is 1 everywhere: torch's gaussian_nll_loss clamps var in place under no_grad,
    so var's gradient is that of the unclamped formula evaluated at the clamped value."""

    saves = ()

    def forward(ctx, x, *, eps):
        return np.maximum(x, eps)

    d_x = identity


@public(namespace="nn.functional")
def poisson_nll_loss(input, target, log_input: bool = True, full: bool = False, size_average=None,
                     eps: float = 1e-8, reduce=None, reduction: str = "mean"):
    """torch.nn.functional.poisson_nll_loss: exp(input) - target·input (log_input), or input - target·log(input +
    eps), plus with ``full`` the Stirling term t·log(t) - t + 0.5·log(2πt) where t > 1 (0 elsewhere, with a zero
    gradient), reduced."""
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target", 2)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    loss = x.exp() - t * x if log_input else x - t * (x + eps).log()
    if full:
        stirling = t * t.log() - t + 0.5 * (t * (2 * math.pi)).log()
        loss = loss + choose(t._data <= 1, 0.0, stirling)
    return apply_reduction(loss, reduction)


@public(namespace="nn.functional")
def gaussian_nll_loss(input, target, var, full: bool = False, eps: float = 1e-6, reduction: str = "mean"):
    """torch.nn.functional.gaussian_nll_loss: 0.5·(log(v) + (input - target)²/v) (+ 0.5·log(2π) with ``full``),
    v = var clamped below at eps without changing var's gradient (torch clamps under no_grad), reduced. var is a
    float, or a tensor of input's size, of input's size without the last dim, or broadcastable to it with one
    dim of size 1; a negative entry raises, as torch."""
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target", 2)
    if isinstance(var, float):
        if var < 0:
            raise ValueError("var has negative entry/entries")
        v = Tensor(np.full(x.shape, var, x.dtype))
    else:
        v = as_tensor_arg(var, "var", 3)
        if (v._data < 0).any():
            raise ValueError("var has negative entry/entries")
    if v.shape != x.shape:
        if x.shape[:-1] == v.shape:
            v = v.unsqueeze(-1)
        elif not (x.ndim == v.ndim and sum(b for a, b in zip(x.shape, v.shape) if a != b) == 1):
            raise ValueError("var is of incorrect size")
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    v = _ClampMinPassingGradient.apply(v, eps=float(eps))
    loss = 0.5 * (v.log() + (x - t) ** 2 / v)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return apply_reduction(loss, reduction)


# ---- soft margin losses -------------------------------------------------------------------------------------
class _SoftMargin(Elementwise):
    """torch's soft_margin kernel: log1p(exp(-x·t)) (it overflows to inf for -x·t beyond log(max), as torch's);
    its derivative in torch's order, -(t·z)/(1 + z)·v with z = exp(-x·t): t·z first, so it overflows where
    torch's does (t near ±max, z > 1), where the chain rule's order would not."""

    saves = ("inputs",)

    def forward(ctx, x, t):
        return np.log1p(np.exp((-x) * t))

    def d_x(ctx, v):
        x, t = ctx.inputs
        z = ((-x) * t).exp()
        return -(t * z) / (1 + z) * v

    def d_t(ctx, v):
        x, t = ctx.inputs
        z = ((-x) * t).exp()
        return -(x * z) / (1 + z) * v


@public(namespace="nn.functional")
def soft_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean"):
    """torch.nn.functional.soft_margin_loss: log(1 + exp(-input·target)), reduced. target is not differentiable
    (torch raises when it requires grad)."""
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target", 2)
    reduction = resolve_reduction(size_average, reduce, reduction)
    _not_differentiable("soft_margin_loss", "target", t)
    broadcast_shapes(x.shape, t.shape)
    return apply_reduction(_in_input_dtype(_SoftMargin.apply(x, t), x), reduction)


@public(namespace="nn.functional")
def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None,
                                reduction: str = "mean"):
    """torch.nn.functional.multilabel_soft_margin_loss: -(t·logsigmoid(x) + (1 - t)·logsigmoid(-x)), times
    ``weight`` (differentiable, as in torch), averaged over the last (class) dim, then reduced over the samples."""
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target", 2)
    reduction = _legacy_reduction(size_average, reduce, reduction)
    _log_sigmoid_input(x)
    loss = -(t * LogSigmoid.apply(x) + (1 - t) * LogSigmoid.apply(-x))
    if weight is not None:
        loss = loss * as_tensor_arg(weight, "weight", 3)
    if x.ndim == 0:
        raise IndexError("Dimension specified as -1 but tensor has no dimensions")
    loss = loss.sum(dim=x.ndim - 1) / x.shape[-1]
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not valid")
    return apply_reduction(loss, reduction)
