"""Specs for refgrad/nn/functional/conv.py: conv1d, conv2d, conv_transpose1d, conv_transpose2d, unfold, fold.

Inputs are bigger than the elementwise ops' (a window needs room): up to INPUT_CAP input elements (the numerical
Jacobian goes by random directions beyond 48). Every argument is drawn: batched and unbatched inputs, a batch
of 0, groups, a bias or none, stride / padding / dilation (/ output_padding) as ints or tuples, padding 'valid'
and 'same' (odd totals included: torch's extra zero on the right), given as keywords or positionally.
float32 values lie on linalg's grid of 1/8, so every forward sum is exact in any order of summation.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from ..spec import Case, OpSpec
from .linalg import _arrays as grid_arrays

INPUT_CAP = 200  # input elements of a drawn case
NAMES = ("stride", "padding", "dilation", "groups")
TRANSPOSED_NAMES = ("stride", "padding", "output_padding", "groups", "dilation")


def _form(draw, values: tuple):
    """One int for a tuple of equal values (sometimes), else the tuple (sometimes as a list)."""
    if len(set(values)) == 1 and draw(st.booleans()):
        return values[0]
    return list(values) if draw(st.integers(0, 3)) == 0 else tuple(values)


def _sizes(draw, lows: list, extra: int, budget: int) -> tuple:
    """Spatial sizes, each at least its low, together at most budget elements where the lows allow."""
    sizes = []
    for i, low in enumerate(lows):
        room = budget // max(int(np.prod(sizes + [max(lo, 1) for lo in lows[i + 1:]])), 1)
        sizes.append(draw(st.integers(low, max(low, min(low + extra, room)))))
    return tuple(sizes)


def _call(draw, arrays: tuple, params: dict, names: tuple, defaults: dict) -> Case:
    """The call with its parameters positional (all of them) or as keywords (only those not at their default)."""
    if draw(st.booleans()):
        return Case(arrays + tuple(params[n] for n in names))
    return Case(arrays, {n: v for n, v in params.items() if v != defaults[n] or draw(st.booleans())})


def _convolution_case(d: int, transposed: bool):
    @st.composite
    def cases(draw, dtype):
        groups = draw(st.sampled_from((1, 1, 2, 3)))
        c_in, c_out = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
        k = tuple(draw(st.integers(1, 3)) for _ in range(d))
        stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
        dilation = tuple(draw(st.integers(1, 2)) for _ in range(d))
        span = [dl * (kk - 1) + 1 for kk, dl in zip(k, dilation)]
        batch = () if draw(st.integers(0, 3)) == 0 else (draw(st.integers(0, 2)),)
        budget = INPUT_CAP // (max(batch[0], 1) if batch else 1) // c_in
        if transposed:
            output_padding = tuple(draw(st.integers(0, max(s, dl) - 1)) for s, dl in zip(stride, dilation))
            sizes = _sizes(draw, [1] * d, 3, budget)  # torch refuses empty spatial dims here
            full = [(s - 1) * st_ + sp + op for s, st_, sp, op in zip(sizes, stride, span, output_padding)]
            padding = tuple(draw(st.integers(0, min(2, (f - 1) // 2))) for f in full)
            weight_shape = (c_in, c_out // groups) + k
            params = {"stride": _form(draw, stride), "padding": _form(draw, padding),
                      "output_padding": _form(draw, output_padding), "groups": groups,
                      "dilation": _form(draw, dilation)}
            names, defaults = TRANSPOSED_NAMES, {"stride": 1, "padding": 0, "output_padding": 0, "groups": 1,
                                                 "dilation": 1}
        else:
            kind = draw(st.sampled_from(("int", "int", "valid", "same")))
            if kind == "same":
                stride = (1,) * d
            if kind == "int":
                padding = tuple(draw(st.integers(0, 2)) for _ in range(d))
                pads = [2 * p for p in padding]
            else:
                padding = kind
                pads = [sp - 1 if kind == "same" else 0 for sp in span]
            # torch refuses empty spatial dims (padded or not)
            sizes = _sizes(draw, [max(1, sp - p) for sp, p in zip(span, pads)], 3, budget)
            weight_shape = (c_out, c_in // groups) + k
            params = {"stride": _form(draw, stride), "padding": padding if isinstance(padding, str) else _form(
                draw, padding), "dilation": _form(draw, dilation), "groups": groups}
            names, defaults = NAMES, {"stride": 1, "padding": 0, "dilation": 1, "groups": 1}
        shapes = [batch + (c_in,) + sizes, weight_shape]
        with_bias = draw(st.booleans())
        if with_bias:
            shapes.append((c_out,))
        arrays = draw(grid_arrays(dtype, *shapes))
        return _call(draw, arrays if with_bias else arrays + (None,), params, names, defaults)

    return cases


def _window_params(draw):
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(2))
    dilation = tuple(draw(st.integers(1, 2)) for _ in range(2))
    padding = tuple(draw(st.integers(0, 1)) for _ in range(2))
    stride = tuple(draw(st.integers(1, 2)) for _ in range(2))
    return kernel, dilation, padding, stride


WINDOW_NAMES = ("kernel_size", "dilation", "padding", "stride")
WINDOW_DEFAULTS = {"dilation": 1, "padding": 0, "stride": 1}


def _window_call(draw, arrays: tuple, lead: tuple, kernel, dilation, padding, stride) -> Case:
    values = {"kernel_size": _form(draw, kernel), "dilation": _form(draw, dilation), "padding": _form(draw, padding),
              "stride": _form(draw, stride)}
    if draw(st.booleans()):
        return Case(arrays + lead + tuple(values[n] for n in WINDOW_NAMES))
    kwargs = {n: v for n, v in values.items() if n == "kernel_size" or v != WINDOW_DEFAULTS[n] or draw(st.booleans())}
    return Case(arrays + lead, kwargs)


@st.composite
def _unfold_case(draw, dtype):
    kernel, dilation, padding, stride = _window_params(draw)
    batch = () if draw(st.integers(0, 3)) == 0 else (draw(st.integers(0, 2)),)
    channels = draw(st.integers(1, 3))
    budget = INPUT_CAP // (max(batch[0], 1) if batch else 1) // channels
    lows = [max(1, dl * (k - 1) + 1 - 2 * p) for k, dl, p in zip(kernel, dilation, padding)]
    sizes = _sizes(draw, lows, 3, budget)
    (x,) = draw(grid_arrays(dtype, batch + (channels,) + sizes))
    return _window_call(draw, (x,), (), kernel, dilation, padding, stride)


@st.composite
def _fold_case(draw, dtype):
    kernel, dilation, padding, stride = _window_params(draw)
    batch = () if draw(st.integers(0, 3)) == 0 else (draw(st.integers(0, 2)),)
    channels = draw(st.integers(1, 2))
    lows = [max(1, dl * (k - 1) + 1 - 2 * p) for k, dl, p in zip(kernel, dilation, padding)]
    size = _sizes(draw, lows, 3, 64)
    blocks = [(s + 2 * p - dl * (k - 1) - 1) // st_ + 1 for s, p, k, dl, st_ in zip(size, padding, kernel, dilation,
                                                                                       stride)]
    (x,) = draw(grid_arrays(dtype, batch + (channels * kernel[0] * kernel[1], blocks[0] * blocks[1])))
    return _window_call(draw, (x,), (_form(draw, size),), kernel, dilation, padding, stride)


# float32 gradients sum up to a few hundred products of the cotangent with the operands, in torch's and BLAS's
# different orders: default tolerances, judged against the float64 truth (oracle.metrics.compare_to_truth)
SPECS = [
    OpSpec("nn.functional.conv1d", _convolution_case(1, transposed=False)),
    OpSpec("nn.functional.conv2d", _convolution_case(2, transposed=False)),
    OpSpec("nn.functional.conv_transpose1d", _convolution_case(1, transposed=True)),
    OpSpec("nn.functional.conv_transpose2d", _convolution_case(2, transposed=True)),
    OpSpec("nn.functional.unfold", _unfold_case),
    OpSpec("nn.functional.fold", _fold_case),
]

X = C.ones(1, 3, 4, 4)
W = C.ones(4, 3, 2, 2)
X1 = C.ones(1, 3, 4)
W1 = C.ones(4, 3, 2)
XT = C.ones(1, 4, 3, 3)
WT = C.ones(4, 2, 2, 2)
ERRORS = {
    "nn.functional.conv2d": (
        C.bad("input_rank", C.ones(1, 2, 3, 4, 4), W, says=("3D (unbatched) or 4D (batched)", "[1, 2, 3, 4, 4]")),
        C.bad("weight_rank", X, C.ones(4, 3, 2), says=("list of 1 values", "stride=[1, 1]")),
        C.bad("stride_length", X, W, stride=(1, 2, 3), says=("list of 2 values", "stride=[1, 2, 3]")),
        C.bad("groups_divide_weight", C.ones(1, 4, 4, 4), C.ones(3, 2, 2, 2), groups=2,
              says=("groups=2", "divisible by 2", "[3, 2, 2, 2]")),
        C.bad("groups_channels", C.ones(1, 5, 4, 4), C.ones(4, 2, 2, 2), groups=2,
              says=("groups=2", "to have 4 channels", "got 5 channels")),
        C.bad("channels", X, C.ones(4, 2, 2, 2), says=("[4, 2, 2, 2]", "input[1, 3, 4, 4]", "to have 2 channels")),
        C.bad("channels_unbatched", C.ones(3, 4, 4), C.ones(4, 2, 2, 2), says=("input[1, 3, 4, 4]", "3 channels")),
        C.bad("kernel_too_big", X, C.ones(4, 3, 5, 5), says=("(4 x 4)", "(5 x 5)", "Kernel size can't be greater")),
        C.bad("kernel_too_big_padded", X, C.ones(4, 3, 7, 7), padding=1, says=("(6 x 6)", "(7 x 7)")),
        C.bad("dilated_kernel_too_big", X, C.ones(4, 3, 3, 3), dilation=2, says=("(4 x 4)", "(5 x 5)")),
        C.bad("dtype", X, C.ones(4, 3, 2, 2, dtype=np.float64), says="expected scalar type Float but found Double"),
        C.bad("bias_dtype", X, W, C.ones(4, dtype=np.float64), says="(float) and bias type (double)"),
        C.bad("bias_shape", X, W, C.ones(3), says=("1-dimensional with 4 elements", "[3]")),
        C.bad("same_strided", X, W, stride=2, padding="same", says="padding='same' is not supported for strided"),
        C.bad("padding_string", X, W, padding="full", says="Invalid padding string: 'full'"),
        C.bad("stride_zero", X, W, stride=0, says="non-positive stride"),
        C.bad("padding_negative", X, W, padding=-1, says="negative padding"),
        C.bad("dilation_zero", X, W, dilation=0, says=("dilation should be greater than zero", "[0, 0]")),
        C.bad("groups_zero", X, W, groups=0, says="non-positive groups"),
        C.bad("no_out_channels", X, C.ones(0, 3, 2, 2), says=("at least 1 at dimension 0", "[0, 3, 2, 2]")),
        C.bad("kernel_empty", X, C.ones(4, 3, 0, 2), says="kernel_height: 0 kernel_width: 2"),
        C.bad("stride_float", X, W, stride=1.5, says="float"),
        C.bad("empty_spatial", C.ones(1, 3, 0, 4), C.ones(4, 3, 1, 1), padding=1,
              says=("zero batch or zero channel", "[1, 3, 0, 4]")),
        C.bad("not_a_tensor", [[1.0]], W, says="list"),
    ),
    "nn.functional.conv1d": (
        C.bad("input_rank", C.ones(2, 3, 4, 4), W1, says=("2D (unbatched) or 3D (batched)", "[2, 3, 4, 4]")),
        C.bad("input_1d", C.ones(4), W1, says="[4]"),
        C.bad("weight_2d", X1, C.ones(4, 3), says="weight should have at least three dimensions"),
        C.bad("padding_length", X1, W1, padding=(1, 1), says=("list of 1 values", "padding=[1, 1]")),
        C.bad("kernel_too_big", X1, C.ones(4, 3, 5), says=("(4)", "(5)", "Kernel size can't be greater")),
        C.bad("kernel_empty", X1, C.ones(4, 3, 0), says="kernel_height: 1 kernel_width: 0"),
        C.bad("bias_2d", X1, W1, C.ones(1, 4), says=("1-dimensional with 4 elements", "[1, 4]")),
        C.bad("dtype", C.ones(1, 3, 4, dtype=np.float64), W1, says="expected scalar type Double but found Float"),
    ),
    "nn.functional.conv_transpose2d": (
        C.bad("input_rank", C.ones(1, 1, 4, 3, 3), WT, says=("to conv_transpose2d", "[1, 1, 4, 3, 3]")),
        C.bad("channels", C.ones(1, 3, 3, 3), WT, says=("transposed=1", "input[1, 3, 3, 3]", "to have 4 channels")),
        C.bad("groups_divide_weight", C.ones(1, 3, 3, 3), C.ones(3, 2, 2, 2), groups=2, says="divisible by 2"),
        C.bad("output_padding", XT, WT, stride=2, output_padding=2,
              says=("output padding must be smaller than either stride or dilation", "output_padding_height: 2")),
        C.bad("output_padding_negative", XT, WT, output_padding=-1, says="negative output_padding"),
        C.bad("output_padding_length", XT, WT, output_padding=(1, 1, 1), says="output_padding=[1, 1, 1]"),
        C.bad("output_too_small", C.ones(1, 4, 1, 1), WT, padding=1,
              says=("(1 x 1)", "Calculated output size per channel: (0 x 0)", "too small")),
        C.bad("padding_string", XT, WT, padding="same", says="must be tuple of ints, not str"),
        C.bad("bias_shape", XT, WT, C.ones(4), says=("transposed=1", "1-dimensional with 2 elements", "[4]")),
        C.bad("empty_spatial", C.ones(1, 4, 0, 3), WT, says=("zero batch or zero channel", "[1, 4, 0, 3]")),
        C.bad("empty_out_channels", XT, C.ones(4, 0, 2, 2), says="[4, 0, 2, 2]"),
        C.bad("dtype", XT, C.ones(4, 2, 2, 2, dtype=np.float64), says="expected scalar type Float but found Double"),
        C.bad("stride_zero", XT, WT, stride=0, says="non-positive stride"),
        C.bad("groups_zero", XT, WT, groups=0, says="non-positive groups"),
        C.bad("dilation_zero", XT, WT, dilation=0, says="dilation should be greater than zero"),
    ),
    "nn.functional.conv_transpose1d": (
        C.bad("input_rank", C.ones(1, 1, 4, 3), C.ones(4, 2, 2), says=("to conv_transpose1d", "[1, 1, 4, 3]")),
        C.bad("weight_2d", C.ones(1, 4, 3), C.ones(4, 2), says="weight should have at least three dimensions"),
        C.bad("output_padding", C.ones(1, 4, 3), C.ones(4, 2, 2), stride=3, output_padding=3,
              says="output_padding_height: 0 output_padding_width: 3 stride_height: 1 stride_width: 3"),
    ),
    "nn.functional.unfold": (
        C.bad("input_rank", C.ones(1, 1, 3, 4, 4), 2, says=("3D or 4D", "[1, 1, 3, 4, 4]")),
        C.bad("input_2d", C.ones(4, 4), 2, says="Dimension out of range"),
        C.bad("empty_channels", C.ones(1, 0, 4, 4), 2, says="[1, 0, 4, 4]"),
        C.bad("no_blocks", X, 5, says=("spatial size (4, 4)", "kernel_size=(5, 5)", "(0, 0)")),
        C.bad("kernel_zero", X, 0, says="kernel_height: 0 kernel_width: 0"),
        C.bad("stride_zero", X, 2, stride=0, says="stride_height: 0 stride_width: 0"),
        C.bad("dilation_zero", X, 2, dilation=0, says="dilation_height: 0 dilation_width: 0"),
        C.bad("padding_negative", X, 2, padding=-1, says="pad_height: -1 pad_width: -1"),
        C.bad("kernel_length", X, (2, 2, 2), says="kernel_size equals to 2, but got size 3"),
        C.bad("int_input", np.ones((1, 3, 4, 4), np.int64), 2, says=("im2col_out_cpu", "Long")),
        C.bad("kernel_float", X, 2.0, says="float"),
    ),
    "nn.functional.fold": (
        C.bad("input_rank", C.ones(1, 1, 12, 9), (4, 4), 2, says=("2D or 3D", "[1, 1, 12, 9]")),
        C.bad("input_1d", C.ones(12), (4, 4), 2, says="[12]"),
        C.bad("empty_blocks", C.ones(1, 12, 0), (1, 1), 2, says="[1, 12, 0]"),
        C.bad("channels", C.ones(1, 11, 9), (4, 4), 2, says=("input.size(1)=11", "kernel_size=(2, 2)")),
        C.bad("blocks", C.ones(1, 12, 8), (4, 4), 2, says=("3 * 3 = 9", "input.size(2)=8")),
        C.bad("output_too_small", C.ones(1, 12, 9), (1, 1), 2, says=("0 * 0 = 0", "input.size(2)=9")),
        C.bad("output_size_length", C.ones(1, 12, 8), (4, 4, 4), 2, says="output_size equals to 2, but got size 3"),
        C.bad("stride_zero", C.ones(1, 12, 9), (4, 4), 2, stride=0, says="stride_height: 0"),
        C.bad("int_input", np.ones((1, 12, 9), np.int64), (4, 4), 2, says=("col2im_out_cpu", "Long")),
    ),
}

# ---- refgrad defects the extremes check found (strict xfails; remove an entry once fixed) -----------------
_MATMUL = ("the products are numpy matmuls (BLAS, with FMA), torch's its own convolution kernels: where torch's order "
           "overflows an intermediate to inf, or meets inf with -inf, refgrad's may not (a weight gradient inf in "
           "refgrad, nan in torch), as for matmul (oracle/specs/linalg.py). Also torch's kernels disagree with each "
           "other on a one-term sum's -0.0 (depthwise: +0.0; refgrad keeps -0.0, as torch's other paths); and "
           "torch's float32 conv2d sometimes drops a nan input (output = bias where refgrad gives nan)")
KNOWN_FAILURES = {op: {"extremes": _MATMUL} for op in (
    "nn.functional.conv1d", "nn.functional.conv2d", "nn.functional.conv_transpose1d", "nn.functional.conv_transpose2d")}
