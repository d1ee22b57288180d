"""ModuleSpecs of refgrad.nn.modules.conv: Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d.

Every constructor argument is drawn: groups, kernel_size, stride, dilation, padding (ints per dim, 'same' with stride
1, 'valid'), bias, padding_mode (reflect, replicate, circular pad with F.pad first; 'same' with an even kernel pads
one more on the right), output_padding for the transposed ones, and their forward's output_size. The input's spatial
sizes are drawn large enough for the kernel (and for a reflect padding, which must be smaller than the dim);
batched (N from 0) or unbatched.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec


def _per_dim(draw, d: int, values: st.SearchStrategy):
    """An int (the same for every dim) or a d-tuple."""
    per_dim = tuple(draw(values) for _ in range(d))
    return per_dim[0] if len(set(per_dim)) == 1 and draw(st.booleans()) else per_dim


def _expanded(value, d: int) -> tuple:
    return tuple(value) if isinstance(value, tuple) else (value,) * d


def _input(draw, dtype, channels: int, spatial: list[int], max_batch: int = 2):
    lead = () if draw(st.booleans()) else (draw(st.integers(0, max_batch)),)
    return draw(S.arrays(dtype, lead + (channels,) + tuple(spatial)))


def _channels(draw) -> tuple[int, int, int]:
    """groups, in_channels, out_channels (torch's forward refuses 0 out_channels: from 1)."""
    groups = draw(st.integers(1, 2))
    return groups, groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))


def _conv_cases(d: int):
    def cases(dtype):
        @st.composite
        def draw_case(draw):
            groups, in_channels, out_channels = _channels(draw)
            kernel = _per_dim(draw, d, st.integers(1, 3))
            kwargs = {"groups": groups, "bias": draw(st.booleans()),
                      "padding_mode": draw(st.sampled_from(["zeros", "reflect", "replicate", "circular"]))}
            dilation = _per_dim(draw, d, st.integers(1, 2))
            if draw(st.booleans()):
                kwargs["dilation"] = dilation
            k, dl = _expanded(kernel, d), _expanded(dilation if "dilation" in kwargs else 1, d)
            padding = draw(st.sampled_from(["same", "valid", "ints"]))
            if padding == "ints":
                padding = _per_dim(draw, d, st.integers(0, 2))
                kwargs["stride"] = _per_dim(draw, d, st.integers(1, 2))
                pairs = [(p, p) for p in _expanded(padding, d)]
            else:
                totals = [dd * (kk - 1) for kk, dd in zip(k, dl)]
                pairs = [(t // 2, t - t // 2) if padding == "same" else (0, 0) for t in totals]
            kwargs["padding"] = padding
            # large enough for the kernel once padded; a reflect padding is less than the dim, a circular one no more
            mode = kwargs["padding_mode"]
            smallest = [max(1, dd * (kk - 1) + 1 - lo - hi,
                            {"reflect": max(lo, hi) + 1, "circular": max(lo, hi)}.get(mode, 1))
                        for kk, dd, (lo, hi) in zip(k, dl, pairs)]
            spatial = [draw(st.integers(n, n + (3 if d == 1 else 2))) for n in smallest]
            x = _input(draw, dtype, in_channels, spatial, max_batch=2 if d == 1 else 1)
            return ModuleCase((in_channels, out_channels, kernel), kwargs, (x,))

        return draw_case()

    return cases


def _transposed_cases(d: int):
    def cases(dtype):
        @st.composite
        def draw_case(draw):
            groups, in_channels, out_channels = _channels(draw)
            kernel = _per_dim(draw, d, st.integers(1, 3))
            stride, dilation = _per_dim(draw, d, st.integers(1, 3)), _per_dim(draw, d, st.integers(1, 2))
            padding = _per_dim(draw, d, st.integers(0, 2))
            k, s, dl, p = (_expanded(v, d) for v in (kernel, stride, dilation, padding))
            # output_padding must be smaller than the stride or the dilation
            output_padding = tuple(draw(st.integers(0, max(ss, dd) - 1)) for ss, dd in zip(s, dl))
            spatial = []
            for kk, ss, dd, pp, op in zip(k, s, dl, p, output_padding):
                # the output, (n-1)·s - 2p + d(k-1) + op + 1, has at least one element
                n = 1
                while (n - 1) * ss - 2 * pp + dd * (kk - 1) + op + 1 < 1:
                    n += 1
                spatial.append(draw(st.integers(n, n + 2)))
            kwargs = {"stride": stride, "padding": padding, "output_padding": output_padding, "groups": groups,
                      "bias": draw(st.booleans()), "dilation": dilation}
            x = _input(draw, dtype, in_channels, spatial, max_batch=2 if d == 1 else 1)
            forward = {}
            smallest = [(n - 1) * ss - 2 * pp + dd * (kk - 1) + 1 for n, ss, pp, dd, kk in zip(spatial, s, p, dl, k)]
            # output_size: one of the sizes the stride allows, non-empty (the module's output_padding then unused)
            if all(lo + ss - 1 >= 1 for lo, ss in zip(smallest, s)) and draw(st.booleans()):
                size = [draw(st.integers(max(lo, 1), lo + ss - 1)) for lo, ss in zip(smallest, s)]
                if draw(st.booleans()):
                    size = list(x.shape[:-d]) + size  # with the batch and channel dims
                forward["output_size"] = size
            return ModuleCase((in_channels, out_channels, kernel), kwargs, (x,), forward)

        return draw_case()

    return cases


X1 = np.ones((1, 4, 5), np.float32)
X2 = np.ones((1, 4, 5, 5), np.float32)


def _constructor_errors(name: str) -> tuple:
    transposed = name.startswith("ConvTranspose")
    errors = (
        ModuleErrorCase("groups 0", (4, 4, 3), {"groups": 0}, fragments=("groups must be a positive integer",)),
        ModuleErrorCase("in_channels not divisible", (3, 4, 3), {"groups": 2},
                        fragments=("in_channels must be divisible by groups",)),
        ModuleErrorCase("out_channels not divisible", (4, 3, 3), {"groups": 2},
                        fragments=("out_channels must be divisible by groups",)),
    )
    if transposed:
        return errors + (
            ModuleErrorCase("padding_mode reflect", (4, 4, 3), {"padding_mode": "reflect"},
                            fragments=(f'Only "zeros" padding mode is supported for {name}',)),
            ModuleErrorCase("output_size out of range", (4, 2, 3), {"stride": 2},
                            inputs=(X1 if name.endswith("1d") else X2,), forward_kwargs={"output_size": [20] * (
                                1 if name.endswith("1d") else 2)},
                            fragments=("requested an output size of", "valid sizes range from")),
            ModuleErrorCase("output_size length", (4, 2, 3), inputs=(X1 if name.endswith("1d") else X2,),
                            forward_kwargs={"output_size": [9] * (2 if name.endswith("1d") else 3)},
                            fragments=("output_size must have",)),
        )
    return errors + (
        ModuleErrorCase("padding string", (4, 4, 3), {"padding": "full"},
                        fragments=("Invalid padding string 'full'", "should be one of")),
        ModuleErrorCase("same strided", (4, 4, 3), {"padding": "same", "stride": 2},
                        fragments=("padding='same' is not supported for strided convolutions",)),
        ModuleErrorCase("padding_mode", (4, 4, 3), {"padding_mode": "mirror"},
                        fragments=("padding_mode must be one of", "but got padding_mode='mirror'")),
        ModuleErrorCase("input channels", (3, 4, 3), inputs=(X1 if name.endswith("1d") else X2,),
                        fragments=("expected input", "to have 3 channels, but got 4 channels instead")),
    )


MODULE_SPECS = [
    ModuleSpec("Conv1d", _conv_cases(1)),
    ModuleSpec("Conv2d", _conv_cases(2)),
    ModuleSpec("ConvTranspose1d", _transposed_cases(1)),
    ModuleSpec("ConvTranspose2d", _transposed_cases(2)),
]

ERRORS = {name: _constructor_errors(name) for name in ("Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d")}
KNOWN_FAILURES: dict = {}
