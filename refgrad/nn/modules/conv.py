"""refgrad.nn.modules.conv: mirrors torch.nn.modules.conv (Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d).

torch's Conv3d and ConvTranspose3d are missing: refgrad.nn.functional has no conv3d / conv_transpose3d.
"""
from __future__ import annotations

from .. import functional as F
from .module import Module
from .utils import _pair, _single, init_like_linear, new_parameter

__all__ = ["Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d"]

_PADDING_STRINGS = ("same", "valid")
_PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def _set_text(names) -> str:
    return "{" + ", ".join(map(repr, names)) + "}"


class _ConvNd(Module):
    """What the convolutions share, as torch's _ConvNd: the constructor's checks, the weight ((out, in/groups, *k);
    transposed: (in, out/groups, *k)) and bias, torch's reset_parameters (weight ~ kaiming_uniform_(a=√5), bias ~
    U(±1/√fan_in)) and extra_repr. ``_reversed_padding_repeated_twice`` is the F.pad argument of a non-'zeros'
    padding_mode: per dim (last first) its (left, right) padding, 'same' with an even kernel one more on the right."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size: tuple, stride: tuple, padding,
                 dilation: tuple, transposed: bool, output_padding: tuple, groups: int, bias: bool,
                 padding_mode: str, device=None, dtype=None):
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if isinstance(padding, str):
            if padding not in _PADDING_STRINGS:
                raise ValueError(f"Invalid padding string {padding!r}, should be one of {_set_text(_PADDING_STRINGS)}")
            if padding == "same" and any(s != 1 for s in stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
        if padding_mode not in _PADDING_MODES:
            raise ValueError(f"padding_mode must be one of {_set_text(_PADDING_MODES)}, but got "
                             f"padding_mode='{padding_mode}'")
        self.in_channels, self.out_channels, self.kernel_size = in_channels, out_channels, kernel_size
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self.transposed, self.output_padding, self.groups = transposed, output_padding, groups
        self.padding_mode = padding_mode
        if padding == "same":
            totals = [d * (k - 1) for d, k in zip(dilation, kernel_size)]
            pairs = [(t // 2, t - t // 2) for t in totals]
        elif isinstance(padding, str):  # 'valid'
            pairs = [(0, 0)] * len(kernel_size)
        else:
            pairs = [(p, p) for p in padding]
        self._reversed_padding_repeated_twice = [p for pair in reversed(pairs) for p in pair]
        if transposed:
            shape = (in_channels, out_channels // groups, *kernel_size)
        else:
            shape = (out_channels, in_channels // groups, *kernel_size)
        self.weight = new_parameter(*shape, device=device, dtype=dtype)
        if bias:
            self.bias = new_parameter(out_channels, device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init_like_linear(self.weight, self.bias)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, stride={self.stride}"
        if self.padding != (0,) * len(self.padding):
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.dilation):
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * len(self.output_padding):
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    """Conv1d and Conv2d: F.conv{1,2}d; a padding_mode other than 'zeros' pads with F.pad in that mode first and
    convolves without padding, as torch. Subclasses name their ``_expand`` (_single, _pair) and ``_convolve``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, dilation=1,
                 groups: int = 1, bias: bool = True, padding_mode: str = "zeros", device=None, dtype=None):
        expand = self._expand
        super().__init__(in_channels, out_channels, expand(kernel_size), expand(stride),
                         padding if isinstance(padding, str) else expand(padding), expand(dilation), False,
                         expand(0), groups, bias, padding_mode, device=device, dtype=dtype)

    def _conv_forward(self, input, weight, bias):
        if self.padding_mode != "zeros":
            padded = F.pad(input, self._reversed_padding_repeated_twice, mode=self.padding_mode)
            return self._convolve(padded, weight, bias, self.stride, self._expand(0), self.dilation, self.groups)
        return self._convolve(input, weight, bias, self.stride, self.padding, self.dilation, self.groups)

    def forward(self, input):
        return self._conv_forward(input, self.weight, self.bias)


class Conv1d(_Conv):
    """torch.nn.Conv1d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
    padding_mode='zeros', device=None, dtype=None): input (N, C_in, L) or unbatched (C_in, L); padding an int, a
    1-tuple, 'valid' or 'same'."""

    _expand = staticmethod(_single)
    _convolve = staticmethod(F.conv1d)


class Conv2d(_Conv):
    """torch.nn.Conv2d(in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1, groups=1, bias=True,
    padding_mode='zeros', device=None, dtype=None): input (N, C_in, H, W) or unbatched (C_in, H, W); padding an int,
    a pair, 'valid' or 'same'."""

    _expand = staticmethod(_pair)
    _convolve = staticmethod(F.conv2d)


class _ConvTranspose(_ConvNd):
    """ConvTranspose1d and ConvTranspose2d: F.conv_transpose{1,2}d, padding_mode 'zeros' only, as torch.
    forward(input, output_size=None): output_size (the spatial sizes, or with the batch and channel dims too) picks
    the output_padding that reaches it among the sizes the stride allows. Subclasses name their ``_expand``,
    ``_convolve`` and ``_dims``."""

    def __init__(self, in_channels: int, out_channels: int, kernel_size, stride=1, padding=0, output_padding=0,
                 groups: int = 1, bias: bool = True, dilation=1, padding_mode: str = "zeros", device=None,
                 dtype=None):
        if padding_mode != "zeros":
            raise ValueError(f'Only "zeros" padding mode is supported for {type(self).__name__}')
        expand = self._expand
        super().__init__(in_channels, out_channels, expand(kernel_size), expand(stride), expand(padding),
                         expand(dilation), True, expand(output_padding), groups, bias, padding_mode, device=device,
                         dtype=dtype)

    def _output_padding(self, input, output_size) -> tuple:
        """torch's _output_padding: self.output_padding, or what output_size asks for (ValueError when out of
        reach)."""
        if output_size is None:
            return self.output_padding
        d = self._dims
        leading = 2 if input.ndim == d + 2 else 1
        output_size = list(output_size)
        if len(output_size) == leading + d:
            output_size = output_size[leading:]
        if len(output_size) != d:
            raise ValueError(f"ConvTranspose{d}D: for {input.ndim}D input, output_size must have {d} or {leading + d} "
                             f"elements (got {len(output_size)})")
        spatial = input.shape[leading:]
        smallest = [(n - 1) * s - 2 * p + dl * (k - 1) + 1
                    for n, s, p, dl, k in zip(spatial, self.stride, self.padding, self.dilation, self.kernel_size)]
        largest = [m + s - 1 for m, s in zip(smallest, self.stride)]
        if any(not lo <= size <= hi for size, lo, hi in zip(output_size, smallest, largest)):
            raise ValueError(f"requested an output size of {output_size}, but valid sizes range from {smallest} to "
                             f"{largest} (for an input of {list(spatial)})")
        return tuple(size - lo for size, lo in zip(output_size, smallest))

    def forward(self, input, output_size=None):
        output_padding = self._output_padding(input, output_size)
        return self._convolve(input, self.weight, self.bias, self.stride, self.padding, output_padding, self.groups,
                              self.dilation)


class ConvTranspose1d(_ConvTranspose):
    """torch.nn.ConvTranspose1d(in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
    groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None)."""

    _expand = staticmethod(_single)
    _convolve = staticmethod(F.conv_transpose1d)
    _dims = 1


class ConvTranspose2d(_ConvTranspose):
    """torch.nn.ConvTranspose2d(in_channels, out_channels, kernel_size, stride=1, padding=0, output_padding=0,
    groups=1, bias=True, dilation=1, padding_mode='zeros', device=None, dtype=None)."""

    _expand = staticmethod(_pair)
    _convolve = staticmethod(F.conv_transpose2d)
    _dims = 2
