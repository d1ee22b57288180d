"""Margin and ranking losses (torch.nn.functional): multi_margin_loss (the multiclass SVM hinge loss),
multilabel_margin_loss, margin_ranking_loss, hinge_embedding_loss, cosine_embedding_loss, triplet_margin_loss,
triplet_margin_with_distance_loss.

All are compositions of refgrad ops, so their gradients differentiate again; multi_margin_loss is one primitive
whose vjp, in refgrad ops too, follows torch's kernel's order of operations. The hinges follow torch's
subgradients exactly at the margin: torch's multi_margin and multilabel_margin kernels count a term only where
margin - x[y] + x[i] > 0 (so a term exactly at the margin, or nan, contributes nothing and gets no gradient),
which ``choose`` on that mask reproduces; the other losses clamp with ``clamp_min(·, 0)``, whose gradient passes
at the bound, as torch's clamp_min.
"""
from __future__ import annotations

import numpy as np

from ... import dtypes
from ...arguments import as_tensor_arg, number_arg
from ...autograd import Function
from ...autograd.grad_mode import is_grad_enabled
from ...ops.binary import clamp_min, minimum
from ...ops.choose import choose
from ...ops.common import broadcast_shapes
from ...registry import public
from ...tensor import Tensor
from ._reduction import apply_reduction, check_reduction, resolve_reduction
from .distance import pairwise_distance


def _margin_input_shape(x: Tensor) -> tuple[int, int]:
    """(frames, classes) of a multi(label) margin input: (C,) or (N, C) with C > 0, or 0-d (one class); torch's
    check and message."""
    if not ((x.ndim == 2 and x.shape[1] != 0) or x.ndim == 0 or (x.ndim == 1 and x.shape[0] != 0)):
        raise RuntimeError(f"Expected non-empty vector or matrix with optional 0-dim batch size, but got: "
                           f"{list(x.shape)}")
    if x.ndim == 2:
        return x.shape
    return 1, (x.shape[0] if x.ndim else 1)


def _float_input(x: Tensor, kernel: str) -> None:
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.scalar_type_name(x.dtype)}'")


def _long_target(t: Tensor) -> None:
    if t.dtype != np.int64:
        raise RuntimeError(f"expected scalar type Long but found {dtypes.scalar_type_name(t.dtype)}")


@public(namespace="nn.functional")
def multi_margin_loss(input, target, p: int = 1, margin: float = 1.0, weight=None, size_average=None, reduce=None,
                      reduction: str = "mean") -> Tensor:
    """torch.nn.functional.multi_margin_loss, the multiclass SVM hinge loss: per sample,
    Σ_{i ≠ y} w[y]·max(0, margin - x[y] + x[i])^p / C, for input (N, C), (C,) or 0-d (one class) and class
    indices ``target`` (int64, one per sample). p is 1 or 2; ``weight`` (C,) is not differentiable (as in torch,
    a weight that requires grad raises). A term exactly at the margin contributes 0 and gets a zero gradient, as
    torch's kernel (z > 0); so does a nan term. Deliberate difference: over an empty batch 'sum' is 0 and 'mean'
    nan (a mean over nothing), where torch 2.13 returns uninitialized memory."""
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target", 2)
    reduction = resolve_reduction(size_average, reduce, reduction)
    if p != 1 and p != 2:
        raise ValueError(f"only p == 1 and p == 2 supported (got p={p})")
    w = None if weight is None else as_tensor_arg(weight, "weight", 5)
    if w is not None and w.ndim != 1:
        raise ValueError(f"weight must be one-dimensional (got a weight of shape {list(w.shape)})")
    margin = number_arg(margin, "margin", 4, "multi_margin_loss")
    frames, classes = _margin_input_shape(x)
    if t.ndim > 1 or t.numel() != frames:
        raise RuntimeError(f"multi_margin_loss: target tensor should be 1-D with size equal to the number of input "
                           f"samples (batch size). Expected target size [{frames}], but got {list(t.shape)}. Input "
                           f"has shape {list(x.shape)}.")
    if w is not None and w.numel() != classes:
        raise RuntimeError(f"inconsistent weight size, expected {classes} but got {list(w.shape)}")
    _float_input(x, "multi_margin_loss_cpu_kernel")
    if w is not None and w.dtype != x.dtype:
        raise RuntimeError(f"expected scalar type {dtypes.scalar_type_name(x.dtype)} but found "
                           f"{dtypes.scalar_type_name(w.dtype)}")
    _long_target(t)
    index = t._data.reshape(frames)
    out_of_range = (index < 0) | (index >= classes)
    if out_of_range.any():
        raise RuntimeError(f"target out of range: target {index[out_of_range][0]} is not a class index for input of "
                           f"shape {list(x.shape)} ({classes} classes)")
    if w is not None and w.requires_grad and is_grad_enabled():
        raise RuntimeError("The function 'multi_margin_loss' is not differentiable with respect to argument 'weight'. "
                           "This input cannot have requires_grad True.")
    scores = x.reshape(frames, classes)
    column = index[:, None]
    weights = None if w is None else w._data[column]  # w[y] per sample
    loss = _MultiMargin.apply(scores, column=column, weights=weights, p=p, margin=margin, reduction=reduction)
    return loss.reshape(t.shape) if reduction == "none" else loss


class _MultiMargin(Function):
    """multi_margin_loss of (N, C) scores with the target ``column`` (N, 1) of each sample and ``weights`` its w[y]
    (or None), reduced as ``reduction`` says. Forward as torch's kernel: z_i = margin - x[y] + x[i] counted where
    z_i > 0 and i ≠ y, Σ w[y]·z_i^p / C per sample, the samples' sum (and mean) accumulated in float64. The vjp in
    torch's order, which decides where a max-sized gradient overflows: h_i = (1 or 2·z_i)·s·w[y] with s = 1/C (1/(N·C)
    for 'mean'), -Σh at the target, the cotangent multiplied in last. Written in refgrad ops on the input, so it
    differentiates again."""

    saves = ("inputs",)

    def forward(ctx, scores, column, weights, p, margin, reduction):
        z, ctx.counted = _margins(scores, column, margin)
        h = np.where(ctx.counted, z, scores.dtype.type(0))
        h = h if p == 1 else h * h
        if weights is not None:  # on the counted terms only: a nan weight spoils no other term
            h = h * np.where(ctx.counted, weights, weights.dtype.type(0))
        per_sample = h.sum(1) / scores.shape[1]
        if reduction == "none":
            return per_sample
        total = np.sum(per_sample, dtype=np.float64)
        return np.asarray(total / len(per_sample) if reduction == "mean" else total).astype(scores.dtype)

    def vjp(ctx, g):
        h = _margin_slopes(ctx, ctx.inputs[0])
        target = np.arange(h.shape[1]) == ctx.column
        grad = choose(target, -h.sum(1, keepdim=True), h)
        return grad * (g.reshape(-1, 1) if ctx.reduction == "none" else g)

    def jvp(ctx, dx):
        h = _margin_slopes(ctx, ctx.inputs[0])
        per_sample = (h * (dx - dx.gather(1, Tensor(ctx.column)))).sum(1)
        return per_sample if ctx.reduction == "none" else per_sample.sum()


def _margin_slopes(ctx, x: Tensor) -> Tensor:
    """h_i of _MultiMargin: (1 or 2·z_i)·s·w[y] on the counted terms, else 0; 2·s·z_i multiplied as torch's (2·s)·z."""
    count = x.shape[0] * x.shape[1] if ctx.reduction == "mean" else x.shape[1]
    scale = float(x.dtype.type(1.0 / max(count, 1)))  # (an empty batch has no gradient to scale)
    if ctx.p == 1:
        h = Tensor(np.where(ctx.counted, x.dtype.type(scale), x.dtype.type(0)))
    else:
        z = (ctx.margin - x.gather(1, Tensor(ctx.column))) + x
        h = choose(ctx.counted, z * (2 * scale), 0.0)
    return h if ctx.weights is None else h * Tensor(np.where(ctx.counted, ctx.weights, x.dtype.type(0)))


def _margins(scores: np.ndarray, column: np.ndarray, margin: float):
    """z = margin - x[y] + x[i], rounded as torch's kernel, and where it counts (z > 0, i ≠ y)."""
    z = (margin - np.take_along_axis(scores, column, 1)) + scores
    return z, (z > 0) & (np.arange(scores.shape[1]) != column)


@public(namespace="nn.functional")
def multilabel_margin_loss(input, target, size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.multilabel_margin_loss: per sample, Σ_{j target} Σ_{i not target} max(0, 1 - (x[j] -
    x[i])) / C, for input (N, C), (C,) or 0-d and an int64 target of the same shape holding class indices,
    padded with -1 (the targets are the entries before the first -1; a repeated target counts twice, as in torch).
    A pair exactly at the margin (or nan) contributes 0 and no gradient, as torch's kernel. Deliberate difference:
    over an empty batch 'sum' is 0 and 'mean' nan, where torch 2.13 returns uninitialized memory."""
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target", 2)
    reduction = resolve_reduction(size_average, reduce, reduction)
    frames, classes = _margin_input_shape(x)
    if (x.ndim <= 1 and (t.ndim > 1 or t.numel() != classes)) or (x.ndim == 2 and t.shape != x.shape):
        raise RuntimeError(f"inconsistent target size: {list(t.shape)} for input of size: {list(x.shape)}")
    labels = t._data.reshape(frames, classes)
    bad = (labels < -1) | (labels >= classes)
    if bad.any():
        raise RuntimeError(f"argument #2 'target' is out of range: {labels[bad][0]} is neither a class index below "
                           f"{classes} nor the padding -1")
    _long_target(t)
    _float_input(x, "multilabel_margin_loss_forward_out_frame")
    is_label = np.cumprod(labels >= 0, axis=1).astype(bool)  # the entries before the first -1
    safe = np.where(is_label, labels, 0)
    is_target = np.zeros((frames, classes), bool)
    is_target[np.nonzero(is_label)[0], labels[is_label]] = True
    scores = x.reshape(frames, classes)
    # z[n, j, i] = 1 - x[n, target j] + x[n, i], for every target slot j and class i
    z = (1 - scores.gather(1, Tensor(safe))).unsqueeze(2) + scores.unsqueeze(1)
    counted = is_label[:, :, None] & ~is_target[:, None, :] & (z._data > 0)
    loss = choose(counted, z, 0.0).sum((1, 2)) / classes
    if reduction == "none":
        return loss if x.ndim == 2 else loss.reshape(())
    return apply_reduction(loss, reduction)


def _same_dims(name: str, **tensors: Tensor) -> None:
    if len({t.ndim for t in tensors.values()}) > 1:
        sizes = ", ".join(f"{k}: {list(t.shape)}" for k, t in tensors.items())
        raise RuntimeError(f"{name} : All input tensors should have same dimension but got sizes: {sizes}")


@public(namespace="nn.functional")
def margin_ranking_loss(input1, input2, target, margin: float = 0, size_average=None, reduce=None,
                        reduction: str = "mean") -> Tensor:
    """torch.nn.functional.margin_ranking_loss: max(0, -target·(input1 - input2) + margin), the three inputs of one
    rank and broadcastable. As torch's clamp_min, the gradient passes exactly at the margin."""
    a = as_tensor_arg(input1, "input1", 1)
    b = as_tensor_arg(input2, "input2", 2)
    t = as_tensor_arg(target, "target", 3)
    reduction = resolve_reduction(size_average, reduce, reduction)
    _same_dims("margin_ranking_loss", input1=a, input2=b, target=t)
    margin = number_arg(margin, "margin", 4, "margin_ranking_loss")
    return apply_reduction(clamp_min(-t * (a - b) + margin, 0), reduction)


@public(namespace="nn.functional")
def hinge_embedding_loss(input, target, margin: float = 1.0, size_average=None, reduce=None,
                         reduction: str = "mean") -> Tensor:
    """torch.nn.functional.hinge_embedding_loss: x where target is 1, max(0, margin - x) where it is -1 (torch's
    formula: the margin term wherever target != 1 plus x wherever target != -1, so any other target value gets
    both). The target (broadcast with the input) gets no gradient; at the margin the gradient passes, as torch's
    clamp_min."""
    x = as_tensor_arg(input)
    t = as_tensor_arg(target, "target", 2)
    reduction = resolve_reduction(size_average, reduce, reduction)
    margin = number_arg(margin, "margin", 3, "hinge_embedding_loss")
    broadcast_shapes(x.shape, t.shape)  # torch's error for shapes that do not broadcast
    labels = t._data
    loss = choose(labels != 1, clamp_min(margin - x, 0), 0.0) + choose(labels != -1, x, 0.0)
    return apply_reduction(loss, reduction)


# torch's EPSILON, added to each squared norm: a float constant, so 1e-12 rounded to float32 in either dtype
COSINE_EMBEDDING_EPS = float(np.float32(1e-12))


@public(namespace="nn.functional")
def cosine_embedding_loss(input1, input2, target, margin: float = 0, size_average=None, reduce=None,
                          reduction: str = "mean") -> Tensor:
    """torch.nn.functional.cosine_embedding_loss: 1 - cos(x1, x2) where target is 1, max(0, cos(x1, x2) - margin)
    where it is -1 (0 for any other target value), cos = Σx1·x2 / sqrt((Σx1² + ε)·(Σx2² + ε)) (ε: float32's
    1e-12, as torch) along the last dim of (N, D) inputs with a (N,) target, or of (D,) inputs with a 0-d target.
    The target gets no gradient."""
    a = as_tensor_arg(input1, "input1", 1)
    b = as_tensor_arg(input2, "input2", 2)
    t = as_tensor_arg(target, "target", 3)
    reduction = resolve_reduction(size_average, reduce, reduction)
    margin = number_arg(margin, "margin", 4, "cosine_embedding_loss")
    if t.ndim > 1:
        raise RuntimeError(f"0D or 1D target tensor expected, multi-target not supported (got target of shape "
                           f"{list(t.shape)})")
    if t.ndim == 1 and (a.ndim != 2 or b.ndim != 2):
        raise RuntimeError(f"1D target tensor expects 2D input tensors, but found inputs with sizes {list(a.shape)} "
                           f"and {list(b.shape)}.")
    if t.ndim == 0 and (a.ndim != 1 or b.ndim != 1):
        raise RuntimeError(f"0D target tensor expects 1D input tensors, but found inputs with sizes {list(a.shape)} "
                           f"and {list(b.shape)}.")
    dim = t.ndim
    squares = ((a * a).sum(dim) + COSINE_EMBEDDING_EPS) * ((b * b).sum(dim) + COSINE_EMBEDDING_EPS)
    cos = (a * b).sum(dim) / squares.sqrt()
    broadcast_shapes(cos.shape, t.shape)  # torch's error for shapes that do not broadcast
    labels = t._data
    loss = choose(labels == 1, 1 - cos, 0.0) + choose(labels == -1, clamp_min(cos - margin, 0), 0.0)
    return apply_reduction(loss, reduction)


def _check_triplet(anchor: Tensor, positive: Tensor, negative: Tensor, margin) -> None:
    if margin <= 0:
        raise ValueError(f"margin must be greater than 0, got {margin}")
    if not anchor.ndim == positive.ndim == negative.ndim:
        raise RuntimeError(f"The anchor, positive, and negative tensors are expected to have the same number of "
                           f"dimensions, but got: anchor {anchor.ndim}D, positive {positive.ndim}D, and negative "
                           f"{negative.ndim}D inputs")


def _triplet(distance, anchor, positive, negative, margin, swap: bool) -> Tensor:
    """max(0, margin + d(a, p) - d(a, n)), with d(a, n) replaced by min(d(a, n), d(p, n)) when swapping."""
    dist_pos = distance(anchor, positive)
    dist_neg = distance(anchor, negative)
    if swap:
        dist_neg = minimum(dist_neg, distance(positive, negative))
    return clamp_min(margin + dist_pos - dist_neg, 0)


@public(namespace="nn.functional")
def triplet_margin_loss(anchor, positive, negative, margin: float = 1.0, p: float = 2, eps: float = 1e-6,
                        swap: bool = False, size_average=None, reduce=None, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.triplet_margin_loss: max(0, margin + ‖a - p + eps‖_p - ‖a - n + eps‖_p) over the last
    dim (pairwise_distance), the negative distance replaced by min(‖a - n‖, ‖p - n‖) with ``swap``. margin must
    be positive; the three inputs have one rank and broadcast."""
    a = as_tensor_arg(anchor, "anchor", 1)
    pos = as_tensor_arg(positive, "positive", 2)
    neg = as_tensor_arg(negative, "negative", 3)
    reduction = resolve_reduction(size_average, reduce, reduction)
    margin = number_arg(margin, "margin", 4, "triplet_margin_loss")
    _check_triplet(a, pos, neg, margin)
    loss = _triplet(lambda u, v: pairwise_distance(u, v, p, eps), a, pos, neg, margin, bool(swap))
    return apply_reduction(loss, reduction)


@public(namespace="nn.functional")
def triplet_margin_with_distance_loss(anchor, positive, negative, *, distance_function=None, margin: float = 1.0,
                                      swap: bool = False, reduction: str = "mean") -> Tensor:
    """torch.nn.functional.triplet_margin_with_distance_loss: triplet_margin_loss with any ``distance_function``
    (two tensors -> a tensor of distances; None is pairwise_distance). margin must be positive."""
    a = as_tensor_arg(anchor, "anchor", 1)
    pos = as_tensor_arg(positive, "positive", 2)
    neg = as_tensor_arg(negative, "negative", 3)
    check_reduction(reduction)
    margin = number_arg(margin, "margin", None, "triplet_margin_with_distance_loss")
    _check_triplet(a, pos, neg, margin)
    loss = _triplet(distance_function or pairwise_distance, a, pos, neg, margin, bool(swap))
    return apply_reduction(loss, reduction)
