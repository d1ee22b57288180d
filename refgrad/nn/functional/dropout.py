"""Dropout functions (torch.nn.functional): dropout, dropout1d, dropout2d, dropout3d, alpha_dropout,
feature_alpha_dropout.

Each is torch's ``_dropout_impl``: the input itself where nothing is dropped (p == 0, training=False, no
elements), ``input * 0`` where everything is (p == 1), else ``input * noise`` (alpha dropout: ``input * noise +
shift``) with a noise drawn from refgrad's generator (``refgrad.manual_seed``), one value per element or, for the
feature (channel-wise) forms, one per (batch, channel) broadcast over the spatial dims. The noise is a constant, so
the gradient is ``g * noise`` through refgrad's own mul (differentiable again, forward mode included). The noise is
rounded as torch's: ``keep / (1 - p)`` in the input's dtype, so a kept element is ``x * float32(1 / float32(1-p))``
in float32. Values cannot match torch's (its generator is not NumPy's); their structure and distribution do.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from ...arguments import argument_error, as_tensor_arg
from ...autograd import is_grad_enabled
from ...dtypes import scalar_type_name
from ...random import rand
from ...registry import public
from ...tensor import Tensor

SELU_ALPHA = 1.7580993408473766  # alpha_dropout's saturation value is -SELU_ALPHA (SELU's -lambda * alpha)


def _probability(p) -> float:
    """p checked as torch's Python wrapper does (a plain comparison, so a str or None is Python's TypeError), and as
    its kernel does (a 0-d tensor is a float; NaN is its RuntimeError)."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if isinstance(p, Tensor):
        if p.ndim:
            raise argument_error("dropout", "p", 2, "float", p)
        p = p.item()
    p = float(p)
    if math.isnan(p):
        raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {p}")
    return p


def noise_shape(shape: tuple, feature: bool, batched: bool = True) -> tuple:
    """The shape of the noise: the input's, or for feature dropout one value per (batch, channel) (per channel
    when unbatched), broadcast over the remaining dims."""
    if not feature:
        return shape
    lead = 2 if batched else 1
    return shape[:lead] + (1,) * (len(shape) - lead)


def dropout_noise(shape: tuple, p: float, dtype, alpha: bool = False, generator=None):
    """(scale, shift) of one draw, as ndarrays of ``dtype`` and ``shape``: each entry kept with probability 1 - p.
    dropout: scale = keep / (1 - p), no shift (None). alpha dropout: scale = keep·a, shift = (keep - 1)·α·a + α·a·p
    with α = SELU_ALPHA and a = 1 / sqrt((α²p + 1)(1 - p)), which keeps a standard normal input's mean and variance;
    rounded in ``dtype`` in torch's order."""
    dtype = np.dtype(dtype)
    keep = (rand(shape, dtype=np.float64, generator=generator)._data < 1.0 - p).astype(dtype)
    if not alpha:
        return np.asarray(keep / dtype.type(1.0 - p)), None
    a = 1.0 / math.sqrt((SELU_ALPHA * SELU_ALPHA * p + 1.0) * (1.0 - p))
    shift = (keep - dtype.type(1)) * dtype.type(SELU_ALPHA * a) + dtype.type(SELU_ALPHA * a * p)
    return np.asarray(keep * dtype.type(a)), np.asarray(shift)


def _unsqueeze_check(x: Tensor, inplace, batched: bool) -> None:
    """torch's dropout1d/dropout3d add the batch dim of an unbatched input in place (unsqueeze_) when inplace=True,
    which a leaf that requires grad refuses, whatever is dropped."""
    if inplace and not batched and x.requires_grad and x.is_leaf and is_grad_enabled():
        x._check_inplace()


def _dropout(x: Tensor, p, training, inplace, *, kernel: str, feature: bool = False, alpha: bool = False,
             batched: bool = True) -> Tensor:
    """torch's _dropout_impl (its kernel ``kernel`` names the train argument's TypeError). ``batched=False``: the
    input has no batch dim (torch unsqueezes one and squeezes it off again), so its channels are dim 0."""
    p = _probability(p)
    if type(training) is not bool:
        raise argument_error(kernel, "train", 3, "bool", training)
    if p == 0 or not training or x.numel() == 0:
        return x
    if p == 1:
        zero = Tensor(np.zeros((), x.dtype))
        return x._inplace(lambda t: t * zero) if inplace else x * zero
    if feature and x.ndim + (not batched) < 2:  # an unbatched input counts its batch dim torch adds
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    if x.dtype.kind != "f":  # the noise has the input's dtype, and dividing it by 1 - p in place cannot be cast
        raise RuntimeError(f"result type Float can't be cast to the desired output type {scalar_type_name(x.dtype)}")
    scale, shift = dropout_noise(noise_shape(x.shape, feature, batched), p, x.dtype, alpha)

    def apply(t):
        out = t * Tensor(scale)
        return out if shift is None else out + Tensor(shift)

    return x._inplace(apply) if inplace else apply(x)


@public(namespace="nn.functional")
def dropout(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """torch.nn.functional.dropout: each element zeroed with probability p, the others scaled by 1 / (1 - p).
    inplace=True writes into input (refused where refgrad would have to record it, see README)."""
    return _dropout(as_tensor_arg(input), p, training, inplace, kernel="dropout")


@public(namespace="nn.functional")
def alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """torch.nn.functional.alpha_dropout: dropped elements set to SELU's saturation value, then an affine map that
    keeps a zero-mean unit-variance input's mean and variance (for SELU networks)."""
    return _dropout(as_tensor_arg(input), p, training, inplace, kernel="alpha_dropout", alpha=True)


@public(namespace="nn.functional")
def feature_alpha_dropout(input, p: float = 0.5, training: bool = False, inplace: bool = False):
    """torch.nn.functional.feature_alpha_dropout: alpha_dropout of whole channels (dim 1 of an (N, C, ...) input)."""
    return _dropout(as_tensor_arg(input), p, training, inplace, kernel="feature_alpha_dropout", feature=True,
                    alpha=True)


@public(namespace="nn.functional")
def dropout1d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """torch.nn.functional.dropout1d: whole channels zeroed, of an (N, C, L) or unbatched (C, L) input; any other
    rank is torch's RuntimeError."""
    x = as_tensor_arg(input)
    _probability(p)
    if x.ndim not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {x.ndim}D input. Note that dropout1d exists to "
            "provide channel-wise dropout on inputs with 1 spatial dimension, a channel dimension, and an optional "
            "batch dimension (i.e. 2D or 3D inputs).")
    _unsqueeze_check(x, inplace, batched=x.ndim == 3)
    return _dropout(x, p, training, inplace, kernel="feature_dropout", feature=True, batched=x.ndim == 3)


@public(namespace="nn.functional")
def dropout2d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """torch.nn.functional.dropout2d: whole channels zeroed, of an (N, C, H, W) input. As torch, a 3-D input is
    taken as (N, C, L) (dropout1d's behaviour, with torch's warning) and other ranks are deprecated (warned)."""
    x = as_tensor_arg(input)
    _probability(p)
    if x.ndim not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {x.ndim}-D input to dropout2d, which is deprecated and will result in an error "
            "in a future release. To retain the behavior and silence this warning, please use dropout instead. Note "
            "that dropout2d exists to provide channel-wise dropout on inputs with 2 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 3D or 4D inputs).", UserWarning, stacklevel=2)
    if x.ndim == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise 1D dropout behavior is "
            "desired - input is interpreted as shape (N, C, L), where C is the channel dim. This behavior will "
            "change in a future release to interpret the input as one without a batch dimension, i.e. shape "
            "(C, H, W). To maintain the 1D channel-wise dropout behavior, please switch to using dropout1d "
            "instead.", UserWarning, stacklevel=2)
    return _dropout(x, p, training, inplace, kernel="feature_dropout", feature=True)


@public(namespace="nn.functional")
def dropout3d(input, p: float = 0.5, training: bool = True, inplace: bool = False):
    """torch.nn.functional.dropout3d: whole channels zeroed, of an (N, C, D, H, W) or unbatched (C, D, H, W) input;
    other ranks are deprecated (torch's warning) and taken as unbatched."""
    x = as_tensor_arg(input)
    _probability(p)
    if x.ndim not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {x.ndim}-D input to dropout3d, which is deprecated and will result in an error "
            "in a future release. To retain the behavior and silence this warning, please use dropout instead. Note "
            "that dropout3d exists to provide channel-wise dropout on inputs with 3 spatial dimensions, a channel "
            "dimension, and an optional batch dimension (i.e. 4D or 5D inputs).", UserWarning, stacklevel=2)
    _unsqueeze_check(x, inplace, batched=x.ndim == 5)
    return _dropout(x, p, training, inplace, kernel="feature_dropout", feature=True, batched=x.ndim == 5)
