"""The ``reduction`` argument every loss takes (mirrors torch.nn._reduction): 'none' | 'mean' | 'sum', and torch's
legacy ``size_average`` / ``reduce`` pair, which, when either is given, overrides ``reduction``:

    reduce False              -> 'none' (whatever size_average says)
    reduce True or None, size_average True or None -> 'mean'
    reduce True or None, size_average False        -> 'sum'

with torch's deprecation warning naming the reduction to use instead.
"""
from __future__ import annotations

import warnings

import numpy as np

from ...tensor import Tensor

REDUCTIONS = ("none", "mean", "sum")


def legacy_get_string(size_average, reduce, emit_warning: bool = True) -> str:
    """torch.nn._reduction.legacy_get_string: the reduction string the legacy arguments stand for (None means
    True for both), warning that they are deprecated."""
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    reduction = "none" if not reduce else "mean" if size_average else "sum"
    if emit_warning:
        warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{reduction}' "
                      f"instead.", UserWarning, stacklevel=4)
    return reduction


def check_reduction(reduction) -> str:
    """reduction itself, or torch's ValueError for anything but 'none', 'mean' and 'sum'."""
    if not isinstance(reduction, str) or reduction not in REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def resolve_reduction(size_average, reduce, reduction) -> str:
    """The reduction a loss applies: the legacy pair's, when either of them is given, else ``reduction``
    (checked)."""
    if size_average is not None or reduce is not None:
        return legacy_get_string(size_average, reduce)
    return check_reduction(reduction)


def apply_reduction(loss: Tensor, reduction: str, denominator=None) -> Tensor:
    """The per-element ``loss`` reduced: as is ('none'), summed ('sum'), or averaged ('mean'): divided by
    ``denominator`` when given (cross_entropy's summed class weights, say), else by its number of elements."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    if reduction != "mean":
        check_reduction(reduction)
    if denominator is None:
        if loss.numel() == 0:  # nan, as torch, with a zero gradient and tangent (Mean's jvp would give 0/0 = nan)
            return loss.sum() * 0 + Tensor(np.asarray(np.nan, loss.dtype))
        return loss.mean()
    total = loss.sum()
    return total / Tensor(np.asarray(denominator, total.dtype))  # 0 gives inf or nan, quietly, as in torch
