"""Loss functions (torch.nn.functional): cross_entropy.

With class-index targets, the per-sample loss logsumexp(x) - x[target] (times the class weight) and its
reduction are one primitive, ``_CrossEntropyIndices``: it is on the hot path of every classifier, and one
primitive instead of log_softmax + pick + negate + weight + sum + divide saves most of the per-op overhead. Its
vjp, (softmax(x) - onehot(target)) · g, is one primitive too, ``_CrossEntropyIndicesGrad`` (as torch's
nll_loss_backward), whose own vjp and jvp are written in refgrad ops, so the gradient differentiates again; the
one-hot parts there are ``_PickClass`` (one entry gathered along the class dim) and its adjoint ``_PlaceClass``
(a scatter into zeros), so no float one-hot of the input's size is built. label_smoothing adds
its term with log_softmax; class-probability targets are composite ops throughout.
"""
from __future__ import annotations

import numpy as np

from ...autograd import Function
from ...autograd.grad_mode import is_grad_enabled
from ...dtypes import scalar_type_name
from ...ops.choose import choose
from ...ops.common import as_tensor_arg
from ...registry import public
from ...tensor import Tensor
from ._reduction import apply_reduction, resolve_reduction
from .activation import Softmax, log_softmax


def _along(index: np.ndarray, axis: int) -> tuple:
    """The fancy index of entry index[p] along ``axis`` at each position p of ``index``, in an array with one dim
    more (x[_along(index, axis)] is take_along_axis(x, index[..., None, ...], axis) squeezed, made cheaply)."""
    n = index.ndim
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


class _CrossEntropyIndices(Function):
    """reduce(w_n · (logsumexp_c x[n, c, ...] - x[n, t_n, ...])) along class ``axis`` 1; ``weights`` (per sample,
    0 where ignored) or None; ``keep`` (False where the target is ignore_index) or None; ``reduction`` 'none' /
    'sum' / 'mean' (divided by ``denominator``). An ignored sample's loss is exactly 0, as torch's nll_loss skips
    it, even where its logits are ±inf or NaN (padding rows masked with -inf); a kept sample with weight 0 and
    an infinite loss is 0·inf = nan, as in torch."""

    saves = ("inputs",)

    def forward(ctx, x, index, weights, keep, reduction, denominator):
        with np.errstate(all="ignore"):
            shifted = x - x.max(axis=1, keepdims=True, initial=-np.inf)
            lse = np.log(np.exp(shifted).sum(axis=1))
            loss = -(shifted[_along(index, 1)] - lse)  # -log p[target], as torch: -0 where p is 1
            if weights is not None:
                loss = loss * weights
            if keep is not None:
                loss = np.where(keep, loss, loss.dtype.type(0))
            if reduction == "none":
                return loss
            total = loss.sum()
            return np.asarray(total if reduction == "sum" else total / loss.dtype.type(denominator))

    def vjp(ctx, g):
        return _CrossEntropyIndicesGrad.apply(g, ctx.inputs[0], index=ctx.index, weights=ctx.weights, keep=ctx.keep,
                                              reduction=ctx.reduction, denominator=ctx.denominator)

    def jvp(ctx, dx):
        (x,) = ctx.inputs
        dn = (Softmax.apply(x, dim=1) * dx).sum(dim=1) - _PickClass.apply(dx, index=ctx.index, axis=1)
        return apply_reduction(_weigh(dn, ctx), ctx.reduction, ctx.denominator)


class _CrossEntropyIndicesGrad(Function):
    """The vjp of _CrossEntropyIndices as one primitive (as torch's nll_loss_backward): gn·(softmax(x) -
    onehot(index)) along the class axis 1, gn being the loss cotangent g spread over the samples (÷ denominator
    for 'mean', × the sample weights). Linear in g; its own vjp and jvp make double backward and
    forward-over-reverse work."""

    def forward(ctx, g, x, index, weights, keep, reduction, denominator):
        with np.errstate(all="ignore"):  # a zero denominator: g/0·0 = nan for the kept samples, as in torch
            gn = g / g.dtype.type(denominator) if reduction == "mean" else g  # one value, or one per sample
            if weights is not None:
                gn = gn * weights
            if keep is not None:  # an ignored sample's cotangent is exactly 0
                gn = np.where(keep, gn, gn.dtype.type(0))
            out = Softmax.forward(ctx, x, 1) * (np.expand_dims(gn, 1) if gn.ndim else gn)
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
    if x.ndim == 0:
        raise RuntimeError(f"cross_entropy: expected input with at least 1 dimension (the classes), got a 0-D "
                           f"input and a target of shape {list(t.shape)}")
    if x.shape == t.shape:
        return _cross_entropy_probabilities(x, t, w, ignore_index, reduction, label_smoothing)
    return _cross_entropy_indices(x, t, w, ignore_index, reduction, label_smoothing)


def _check_index_target(x: Tensor, t: Tensor) -> None:
    """torch's checks, in torch's order: ranks and sizes, then the dtype."""
    if x.ndim == 1:
        if t.ndim > 1:
            raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported (got target of shape "
                               f"{list(t.shape)})")
        if t.ndim == 1 and t.shape[0] != 1:
            raise ValueError(f"For 1D input, 1D target must have size 1, but got target size: {t.shape[0]}")
    elif x.ndim == 2:
        if t.ndim != 1:
            raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported (got target of shape "
                               f"{list(t.shape)} for input of shape {list(x.shape)})")
        if t.shape[0] != x.shape[0]:
            raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]}).")
    else:
        expected = (x.shape[0],) + x.shape[2:]
        if t.ndim >= 1 and t.shape[0] != x.shape[0]:
            raise ValueError(f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]}).")
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


def _cross_entropy_indices(x, t, w, ignore_index, reduction, label_smoothing):
    _check_index_target(x, t)
    one_d = x.ndim == 1
    if one_d:  # a single sample: (C,) -> (1, C)
        x, t = x.unsqueeze(0), t.reshape(1)
    n_classes = x.shape[1]
    _check_weight(w, n_classes, x.dtype)
    if w is not None and w.requires_grad and is_grad_enabled():
        raise RuntimeError("The function 'nll_loss_forward' is not differentiable with respect to argument 'weight'. "
                           "This input cannot have requires_grad True.")
    idx = t._data.astype(np.int64, copy=False)
    if idx.size and 0 <= idx.min() and idx.max() < n_classes and not 0 <= ignore_index < n_classes:
        keep, all_kept = None, True  # every target is a class and none is ignore_index: nothing to mask
    else:
        keep = idx != ignore_index
        all_kept = bool(keep.all())
        bad = keep & ((idx < 0) | (idx >= n_classes))
        if bad.any():
            raise IndexError(f"Target {idx[bad].flat[0]} is out of bounds.")
    safe = idx if all_kept else np.where(keep, idx, 0)
    if all_kept:
        keep = None
    if w is None:  # no class weights: the mean is over the kept samples
        sample_w, denominator = None, int(idx.size if keep is None else keep.sum())
    else:
        sample_w = w._data[safe]  # each sample's class weight (ignored samples are zeroed by ``keep``)
        with np.errstate(over="ignore"):  # max-sized weights sum to inf, silently as in torch
            denominator = sample_w.sum() if keep is None else sample_w[keep].sum()

    def reduced(how):
        out = _CrossEntropyIndices.apply(x, index=safe, weights=sample_w, keep=keep, reduction=how,
                                         denominator=denominator)
        if label_smoothing > 0:  # torch: (1 - ε)·nll + ε/C · reduce(-Σ_c w_c·log p_c)
            logp = log_softmax(x, 1)
            if w is not None:
                logp = logp * Tensor(w._data.reshape((n_classes,) + (1,) * (x.ndim - 2)))
            smooth = _zero_ignored(-logp.sum(dim=1), keep)
            out = (out * (1.0 - label_smoothing)
                   + apply_reduction(smooth, how, denominator) * (label_smoothing / n_classes))
        return out

    if reduction == "mean" and keep is not None and not keep.any():
        return _nan_mean(reduced)  # torch: nan, with a zero gradient, when every target is ignored
    out = reduced(reduction)
    return out.reshape(()) if one_d and reduction == "none" else out


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
