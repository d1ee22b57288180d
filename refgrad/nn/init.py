"""refgrad.nn.init: mirrors torch.nn.init.

Every initializer fills the tensor it is given in place, under no_grad (so a leaf parameter that requires grad can
be initialized), and returns that same tensor. Random ones draw through refgrad's generator (``generator=`` a
refgrad.Generator, else the default one), so a seed reproduces refgrad's values and never torch's; the
distributions are torch's. Draws are made in float64 and cast to the tensor's dtype.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from .. import dtypes
from ..autograd import no_grad
from ..random import _float_dtype, _rng
from ..tensor import Tensor

# the public initializers (python -m oracle coverage asks each for a spec); the deprecated names without the trailing
# underscore forward to these
INITIALIZERS = ("uniform_", "normal_", "trunc_normal_", "constant_", "ones_", "zeros_", "eye_", "dirac_",
                "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_", "orthogonal_", "sparse_",
                "calculate_gain")

_LINEAR_FNS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d")


def _tensor(tensor, fn: str) -> Tensor:
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{fn}(): argument 'tensor' must be Tensor, not {dtypes.type_name(tensor)}")
    return tensor


def _fill(tensor: Tensor, values) -> Tensor:
    """Writes values into tensor's storage (cast to its dtype) without recording a graph, returning tensor."""
    with no_grad():
        return tensor._write(np.asarray(values))


def _check_floating(tensor: Tensor, kernel: str) -> None:
    """A continuous draw needs a floating tensor (torch's NotImplementedError names the kernel)."""
    _float_dtype(tensor.dtype, kernel)


_C_TYPE_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double"}  # as torch's bounds messages


def _uniform_values(tensor: Tensor, a: float, b: float, generator, shape=None) -> np.ndarray:
    """U(a, b) draws, with torch's checks of the bounds against the tensor's dtype (finite, within its range, b - a
    representable)."""
    _check_floating(tensor, "check_uniform_bounds")
    a, b = float(a), float(b)
    largest = float(np.finfo(tensor.dtype).max)
    for name, bound in (("from", a), ("to", b)):
        if not -largest <= bound <= largest:  # NaN too
            raise RuntimeError(f"{name} is out of bounds for {_C_TYPE_NAMES.get(tensor.dtype.name, tensor.dtype.name)}")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a:g} > to={b:g}")
    if b - a > largest:
        raise RuntimeError(f"uniform_ expects to-from <= std::numeric_limits<{dtypes.scalar_type_name(tensor.dtype)}>"
                           f"::max(), but found to={b:g} and from={a:g} which result in to-from to exceed the limit")
    return a + (b - a) * _rng(generator).random(tensor.shape if shape is None else shape)


def _normal_values(tensor: Tensor, mean: float, std: float, generator, shape=None) -> np.ndarray:
    _check_floating(tensor, "normal_kernel_cpu")
    mean, std = float(mean), float(std)
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    return mean + std * _rng(generator).standard_normal(tensor.shape if shape is None else shape)


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0, generator=None) -> Tensor:
    """torch.nn.init.uniform_: U(a, b)."""
    tensor = _tensor(tensor, "uniform_")
    return _fill(tensor, _uniform_values(tensor, a, b, generator))


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, generator=None) -> Tensor:
    """torch.nn.init.normal_: N(mean, std²)."""
    tensor = _tensor(tensor, "normal_")
    return _fill(tensor, _normal_values(tensor, mean, std, generator))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0, b: float = 2.0,
                  generator=None) -> Tensor:
    """torch.nn.init.trunc_normal_: N(mean, std²) conditioned on [a, b] (the bounds as the tensor's dtype
    represents them). As torch: plain rejection of normal draws where they land in [a, b] with probability above
    0.3, else uniform proposals on [a, b] accepted with probability exp(log pdf - log pdf at the mode); each round
    redraws only the still-rejected elements."""
    tensor = _tensor(tensor, "trunc_normal_")
    mean, std, a, b = float(mean), float(std), float(a), float(b)
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)

    def norm_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    inside = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
    dtype = tensor.dtype
    low, high = np.asarray(a).astype(dtype), np.asarray(b).astype(dtype)
    if inside > 0.3:
        def draw(n):
            return _normal_values(tensor, mean, std, generator, (n,)).astype(dtype)

        def accepted(candidates):  # written as torch's rejection test, so that a NaN (a NaN mean) is accepted
            return ~((candidates < low) | (candidates > high))
    else:
        log_peak = -0.5 * ((max(a, min(mean, b)) - mean) / std) ** 2

        def draw(n):
            return _uniform_values(tensor, a, b, generator, (n,)).astype(dtype)

        def accepted(candidates):  # as torch's test, so that a NaN log-density (a NaN std) accepts
            log_pdf = -0.5 * ((candidates.astype(np.float64) - mean) / std) ** 2 - log_peak
            return ~(np.log(_rng(generator).random(candidates.shape)) > log_pdf)

    values = np.empty(tensor.numel(), dtype=dtype)
    pending = np.arange(values.size)
    with np.errstate(over="ignore", divide="ignore"):  # a draw past a small dtype's range; log(0): both torch's inf
        while pending.size:  # rounds of redraws, each vectorized over the elements still rejected
            candidates = draw(pending.size)
            keep = accepted(candidates)
            values[pending[keep]] = candidates[keep]
            pending = pending[~keep]
    return _fill(tensor, values.reshape(tensor.shape))


def constant_(tensor: Tensor, val: float) -> Tensor:
    """torch.nn.init.constant_: every element val (converted as Tensor.fill_ converts it)."""
    tensor = _tensor(tensor, "constant_")
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    """torch.nn.init.ones_."""
    return constant_(_tensor(tensor, "ones_"), 1)


def zeros_(tensor: Tensor) -> Tensor:
    """torch.nn.init.zeros_."""
    return constant_(_tensor(tensor, "zeros_"), 0)


def eye_(tensor: Tensor) -> Tensor:
    """torch.nn.init.eye_: the identity matrix of a 2-d tensor's shape."""
    tensor = _tensor(tensor, "eye_")
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    return _fill(tensor, np.eye(*tensor.shape))


def dirac_(tensor: Tensor, groups: int = 1) -> Tensor:
    """torch.nn.init.dirac_: a 3-, 4- or 5-d convolution weight that passes its first min(out/groups, in)
    input channels through, per group, with a 1 at the kernel's centre (index size // 2 along each kernel dim)."""
    tensor = _tensor(tensor, "dirac_")
    if tensor.ndim not in (3, 4, 5):
        raise ValueError("Only tensors with 3, 4, or 5 dimensions are supported")
    out_channels, in_channels, *kernel = tensor.shape
    if out_channels % groups != 0:
        raise ValueError("dim 0 must be divisible by groups")
    per_group = out_channels // groups
    passed = np.arange(min(per_group, in_channels))
    out_index = (np.arange(groups)[:, None] * per_group + passed).ravel()
    in_index = np.tile(passed, groups)
    values = np.zeros(tensor.shape)
    values[(out_index, in_index, *(size // 2 for size in kernel))] = 1
    return _fill(tensor, values)


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> tuple[int, int]:
    """torch.nn.init._calculate_fan_in_and_fan_out: (size(1), size(0)) times the product of the sizes past dim 1."""
    if tensor.ndim < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions")
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    """torch.nn.init._calculate_correct_fan: fan_in or fan_out (mode case-insensitive)."""
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def calculate_gain(nonlinearity: str, param: int | float | None = None) -> float:
    """torch.nn.init.calculate_gain: 1 for the linear and convolution functions and sigmoid (the int 1, as
    torch), 5/3 for tanh, √2 for relu, √(2 / (1 + negative_slope²)) for leaky_relu (param, default 0.01; a bool
    or non-number refused), 3/4 for selu. param is read for leaky_relu only."""
    if nonlinearity in _LINEAR_FNS or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def xavier_uniform_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """torch.nn.init.xavier_uniform_: U(-bound, bound), bound = gain·√(6 / (fan_in + fan_out)), so that
    Var = gain²·2 / (fan_in + fan_out)."""
    tensor = _tensor(tensor, "xavier_uniform_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0, generator=None) -> Tensor:
    """torch.nn.init.xavier_normal_: N(0, gain²·2 / (fan_in + fan_out))."""
    tensor = _tensor(tensor, "xavier_normal_")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0.0, gain * math.sqrt(2.0 / float(fan_in + fan_out)), generator)


def _kaiming_std(tensor: Tensor, a, mode: str, nonlinearity: str) -> float | None:
    """gain / √fan, or None (with torch's warning) for a tensor with no elements, which is left as it is."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                     generator=None) -> Tensor:
    """torch.nn.init.kaiming_uniform_: U(-bound, bound), bound = √3·gain/√fan, gain = calculate_gain(nonlinearity,
    a), fan by mode ("fan_in" or "fan_out")."""
    tensor = _tensor(tensor, "kaiming_uniform_")
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else uniform_(tensor, -math.sqrt(3.0) * std, math.sqrt(3.0) * std, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in", nonlinearity: str = "leaky_relu",
                    generator=None) -> Tensor:
    """torch.nn.init.kaiming_normal_: N(0, gain²/fan), gain and fan as kaiming_uniform_."""
    tensor = _tensor(tensor, "kaiming_normal_")
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else normal_(tensor, 0.0, std, generator)


def orthogonal_(tensor: Tensor, gain: float = 1, generator=None) -> Tensor:
    """torch.nn.init.orthogonal_: the tensor viewed as (size(0), numel / size(0)) gets orthonormal rows (when it
    is wide) or columns (when it is tall), times gain: Q of the QR factorization of a standard normal matrix with
    its columns' signs fixed by R's diagonal, which makes Q Haar-distributed. Computed in float64."""
    tensor = _tensor(tensor, "orthogonal_")
    if tensor.ndim < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.numel() // rows
    flattened = _normal_values(tensor, 0.0, 1.0, generator, (rows, cols))
    if tensor.dtype == np.float16:  # torch's QR has no half kernel
        raise NotImplementedError("\"geqrf_cpu\" not implemented for 'Half'")
    wide = rows < cols
    q, r = np.linalg.qr(flattened.T if wide else flattened)
    q = q * np.sign(np.diag(r))
    return _fill(tensor, (gain * (q.T if wide else q)).reshape(tensor.shape))


def sparse_(tensor: Tensor, sparsity: float, std: float = 0.01, generator=None) -> Tensor:
    """torch.nn.init.sparse_: a 2-d tensor drawn from N(0, std²) with ceil(sparsity·rows) entries of each column
    (chosen uniformly, all rows when sparsity >= 1) set to 0.

    Deliberate differences: a negative sparsity is a ValueError (torch slices with the negative count and zeroes
    all but that many rows of each column); the rows to zero are drawn from ``generator`` as well (torch draws
    them from its global generator whatever ``generator`` is)."""
    tensor = _tensor(tensor, "sparse_")
    if tensor.ndim != 2:
        raise ValueError("Only tensors with 2 dimensions are supported")
    if sparsity < 0:
        raise ValueError(f"sparsity must be a fraction in [0, 1], got {sparsity}")
    rows, cols = tensor.shape
    zeros_per_column = min(math.ceil(sparsity * rows), rows)
    values = _normal_values(tensor, 0.0, std, generator)
    # Each column's first zeros_per_column rows in a random order: the rows of its smallest random keys.
    zeroed_rows = np.argsort(_rng(generator).random((rows, cols)), axis=0)[:zeros_per_column]
    values[zeroed_rows, np.arange(cols)] = 0
    return _fill(tensor, values)


def _deprecated(initializer):
    """torch.nn.init's old names without the trailing underscore: the same initializer, with torch's FutureWarning."""
    old_name, new_name = initializer.__name__[:-1], initializer.__name__

    def deprecated_initializer(*args, **kwargs):
        warnings.warn(f"`nn.init.{old_name}` is now deprecated in favor of `nn.init.{new_name}`.", FutureWarning,
                      stacklevel=2)
        return initializer(*args, **kwargs)

    deprecated_initializer.__name__ = old_name
    deprecated_initializer.__doc__ = f"Deprecated torch.nn.init.{old_name}: {new_name} with a FutureWarning."
    return deprecated_initializer


uniform = _deprecated(uniform_)
normal = _deprecated(normal_)
constant = _deprecated(constant_)
eye = _deprecated(eye_)
dirac = _deprecated(dirac_)
xavier_uniform = _deprecated(xavier_uniform_)
xavier_normal = _deprecated(xavier_normal_)
kaiming_uniform = _deprecated(kaiming_uniform_)
kaiming_normal = _deprecated(kaiming_normal_)
orthogonal = _deprecated(orthogonal_)
sparse = _deprecated(sparse_)
