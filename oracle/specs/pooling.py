"""Specs for refgrad/nn/functional/pooling.py: max, average, adaptive, unpooling and power-average pooling, 1-D
((N, C, L) and (C, L)) and 2-D ((N, C, H, W) and (C, H, W)).

Pooling needs inputs bigger than an elementwise op's (several windows over several planes), so these specs draw
up to ``MAX_ELEMENTS`` input elements (numerical Jacobians by random directions beyond 48). Every argument torch
takes is drawn, in its int and tuple forms, positionally or by keyword, defaults left out: kernel sizes, strides
(omitted: the kernel), paddings up to half the kernel, dilations, ceil_mode (partial last windows),
count_include_pad, divisor_override, return_indices, adaptive output sizes (larger than the input too, None
entries), batch sizes of 0. Max-pooling ties are in kink_cases: the gradient must reach the very element torch
picks. Geometries torch computes wrongly are not drawn (see ``_windows_reach_input``).
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import assume
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec

MAX_ELEMENTS = 300
TIE_POOL = (-1.0, 0.0, 0.5, 2.0)
POSITIVE = S.Domain(0.25, 3.0)  # lp_pool with odd or fractional p (x^p of a negative x is nan, in torch too)
OMIT = object()  # an optional argument left to its default


# ---- shapes and geometry -----------------------------------------------------------------------------------
def _batch(draw) -> tuple:
    """No batch dim, or a batch of 0 to 2."""
    return () if draw(st.booleans()) else (draw(st.integers(0, 2)),)


def _pooled_size(size, kernel, stride, padding, dilation, ceil_mode) -> int:
    span = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = span // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _windows_reach_input(size, out, kernel, stride, padding, dilation) -> bool:
    """Whether every window has an element inside the input. A dilated window can step over the whole input;
    torch then gives -inf with an index outside the plane and writes its gradient there (into a neighbouring row
    or plane): a torch bug refgrad does not copy (tests/test_pooling.py checks refgrad's zero gradient)."""
    starts = np.arange(out)[:, None] * stride - padding + np.arange(kernel)[None, :] * dilation
    return bool(((starts >= 0) & (starts < size)).any(axis=1).all())


def _values(draw, dtype, shape, pool=None, domain=S.REAL):
    return draw(S.with_ties(dtype, shape, pool) if pool else S.arrays(dtype, shape, domain))


def _per_dim(value: tuple, d: int, draw):
    """An argument as torch takes it: an int when all entries agree (sometimes), else a tuple (or list)."""
    if len(set(value)) == 1 and value[0] is not None and draw(st.booleans()):
        return value[0]
    return list(value) if draw(st.booleans()) else tuple(value)


def _windowed(d: int, dilation: bool, padded: bool = True, max_side: int = 7):
    """kernel, stride, padding, dilation, ceil_mode and spatial sizes for which torch's output has >= 1 entry
    per dim and every window reaches the input."""

    @st.composite
    def geometry(draw):
        kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
        stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
        padding = tuple(draw(st.integers(0, k // 2 if padded else 0)) for k in kernel)
        dil = tuple(draw(st.integers(1, 2)) for _ in range(d)) if dilation else (1,) * d
        ceil_mode = draw(st.booleans())
        sizes = []
        for k, s, p, dl in zip(kernel, stride, padding, dil):
            least = max(1, dl * (k - 1) + 1 - 2 * p)
            size = draw(st.integers(least, max(least, max_side)))
            out = _pooled_size(size, k, s, p, dl, ceil_mode)
            assume(out >= 1 and _windows_reach_input(size, out, k, s, p, dl))
            sizes.append(size)
        return kernel, stride, padding, dil, ceil_mode, tuple(sizes)

    return geometry()


def _input(draw, dtype, spatial: tuple, pool=None, domain=S.REAL, batch: bool = True):
    channels = draw(st.integers(1, 3))
    lead = (_batch(draw) if batch else ()) + (channels,)
    assume(int(np.prod(lead + spatial)) <= MAX_ELEMENTS)
    return _values(draw, dtype, lead + spatial, pool, domain)


def _keywords(draw, names_values: list) -> tuple[list, dict]:
    """Optional arguments (name, value or OMIT) passed positionally while none before them is left out, else by
    keyword; OMIT leaves an argument (and so every later positional one) to its default."""
    args, kwargs, positional = [], {}, draw(st.booleans())
    for name, value in names_values:
        if value is OMIT:
            positional = False
            continue
        if positional:
            args.append(value)
        else:
            kwargs[name] = value
    return args, kwargs


def _maybe(draw, value, default):
    """value, or OMIT when it equals the default and the draw says to leave it out."""
    return OMIT if value == default and draw(st.booleans()) else value


# ---- max pooling -------------------------------------------------------------------------------------------
def _max_pool_cases(d: int, pool=None):
    @st.composite
    def cases(draw, dtype):
        kernel, stride, padding, dilation, ceil_mode, sizes = draw(_windowed(d, dilation=True))
        x = _input(draw, dtype, sizes, pool)
        stride_arg = OMIT if stride == kernel and draw(st.booleans()) else _per_dim(stride, d, draw)
        rest, kwargs = _keywords(draw, [
            ("stride", stride_arg),
            ("padding", _maybe(draw, _per_dim(padding, d, draw), 0)),
            ("dilation", _maybe(draw, _per_dim(dilation, d, draw), 1)),
            ("ceil_mode", _maybe(draw, ceil_mode, False)),
            ("return_indices", _maybe(draw, draw(st.booleans()), False)),
        ])
        return Case((x, _per_dim(kernel, d, draw), *rest), kwargs)

    return cases


# ---- average pooling ---------------------------------------------------------------------------------------
def _avg_pool_cases(d: int):
    @st.composite
    def cases(draw, dtype):
        kernel, stride, padding, _, ceil_mode, sizes = draw(_windowed(d, dilation=False))
        x = _input(draw, dtype, sizes)
        stride_arg = OMIT if stride == kernel and draw(st.booleans()) else _per_dim(stride, d, draw)
        optional = [
            ("stride", stride_arg),
            ("padding", _maybe(draw, _per_dim(padding, d, draw), 0)),
            ("ceil_mode", _maybe(draw, ceil_mode, False)),
            ("count_include_pad", _maybe(draw, draw(st.booleans()), True)),
        ]
        if d == 2:
            optional.append(("divisor_override", _maybe(draw, draw(st.sampled_from([None, 1, 3, 7])), None)))
        rest, kwargs = _keywords(draw, optional)
        return Case((x, _per_dim(kernel, d, draw), *rest), kwargs)

    return cases


# ---- adaptive pooling --------------------------------------------------------------------------------------
def _adaptive_cases(d: int, with_indices: bool, pool=None, to_one: bool = False):
    """Output sizes from 1 to a little more than the input (torch's backward refuses empty outputs, so sizes of 0
    are forward-only, in tests/test_pooling.py). ``to_one``: an output of one element per plane, which torch's
    adaptive_avg_pool computes as mean() (see WINDOW_SUM_ORDER); else any other size."""

    @st.composite
    def cases(draw, dtype):
        sizes = tuple(draw(st.integers(1, 7)) for _ in range(d))
        x = _input(draw, dtype, sizes, pool)
        out = (1,) * d if to_one else tuple(draw(st.integers(1, s + 2)) for s in sizes)
        if d == 2 and draw(st.booleans()):
            out = tuple(None if draw(st.booleans()) else o for o in out)  # None: the input's size
        resolved = tuple(s if o is None else o for s, o in zip(sizes, out))
        assume(to_one or resolved != (1,) * d)
        kwargs = {}
        if with_indices and draw(st.booleans()):
            kwargs["return_indices"] = draw(st.booleans())
        return Case((x, _per_dim(out, d, draw)), kwargs)

    return cases


# Whether a window's sum overflows at the dtype's max depends on the order of its additions, and torch disagrees with
# itself there: adaptive_avg_pool to one element is mean(), whose vectorized sum adds in lanes ([max, -0, -0, -max,
# max] averages to inf), where avg_pool2d with kernel (1, 5) adds in scan order (max/5); in 3000 random float64
# windows of {max, -max, 0, 1}, 62 of torch's adaptive_avg_pool2d outputs differ from a scan-order sum in where
# they overflow. refgrad's NumPy sums add up to 8 entries in scan order and longer windows pairwise.
WINDOW_SUM_ORDER = {name: "torch disagrees with itself: whether a window sum of ±max overflows depends on the order "
                          "of its additions, which differs between its kernels (mean() for a one-element output, "
                          "scan order in avg_pool)" for name in ("max", "-huge")}


# ---- unpooling ---------------------------------------------------------------------------------------------
def _unpool_cases(d: int):
    """Pooled inputs with distinct indices per plane (as max pooling with stride >= kernel gives; repeated
    indices leave all but one write unseen, in torch too)."""

    @st.composite
    def cases(draw, dtype):
        kernel = tuple(draw(st.integers(1, 3)) for _ in range(d))
        stride = tuple(draw(st.integers(1, 3)) for _ in range(d))
        padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
        pooled = tuple(draw(st.integers(1, 4)) for _ in range(d))
        default = [(n - 1) * s + k - 2 * p for n, s, k, p in zip(pooled, stride, kernel, padding)]
        assume(min(default) >= 1)
        given = draw(st.booleans())
        size = [draw(st.integers(max(1, dflt - s + 1), dflt + s - 1)) if given else dflt
                for dflt, s in zip(default, stride)]
        plane = int(np.prod(size))
        assume(min(size) >= 1 and plane >= int(np.prod(pooled)))
        x = _input(draw, dtype, pooled)
        planes = int(np.prod(x.shape[:-d]))
        chosen = [draw(st.lists(st.integers(0, plane - 1), min_size=int(np.prod(pooled)),
                                max_size=int(np.prod(pooled)), unique=True)) for _ in range(planes)]
        indices = np.array(chosen, np.int64).reshape(x.shape)
        stride_arg = OMIT if stride == kernel and draw(st.booleans()) else _per_dim(stride, d, draw)
        output_size = OMIT
        if given:
            # torch also takes the full (N, C, *size)
            whole = x.ndim == d + 2 and draw(st.booleans())
            output_size = (tuple(x.shape[:2]) if whole else ()) + tuple(size)
        rest, kwargs = _keywords(draw, [
            ("stride", stride_arg),
            ("padding", _maybe(draw, _per_dim(padding, d, draw), 0)),
            ("output_size", output_size),
        ])
        kernel_arg = kernel[0] if d == 1 and draw(st.booleans()) else _per_dim(kernel, d, draw)
        return Case((x, indices, kernel_arg, *rest), kwargs)

    return cases


# ---- power-average pooling ---------------------------------------------------------------------------------
def _lp_pool_cases(d: int, pool=None):
    """p = 1, 2 and ±inf (max pooling of |x|) on any nonzero values; 3 and 1.5 on positive ones (x^p of a
    negative x: nan, or sums that cancel)."""

    @st.composite
    def cases(draw, dtype):
        kernel, stride, _, _, ceil_mode, sizes = draw(_windowed(d, dilation=False, padded=False))
        norm_type = draw(st.sampled_from([1, 2, 2.0, 3, 1.5, math.inf, -math.inf]))
        # no exact zeros: where a window's sum of x^p is 0, torch's gradient is 0 by design (kink_cases), not the
        # derivative (for p = 1 the function is smooth there)
        domain = S.NONZERO if norm_type in (1, 2, 2.0) or math.isinf(norm_type) else POSITIVE
        x = _input(draw, dtype, sizes, pool, domain)
        if pool and norm_type not in (1, 2, 2.0):
            x = np.abs(x)
        stride_arg = OMIT if stride == kernel and draw(st.booleans()) else _per_dim(stride, d, draw)
        rest, kwargs = _keywords(draw, [("stride", stride_arg), ("ceil_mode", _maybe(draw, ceil_mode, False))])
        kernel_arg = kernel[0] if d == 1 else _per_dim(kernel, d, draw)
        return Case((x, norm_type, kernel_arg, *rest), kwargs)

    return cases


SPECS = [
    OpSpec("nn.functional.max_pool1d", _max_pool_cases(1), kink_cases=_max_pool_cases(1, TIE_POOL)),
    OpSpec("nn.functional.max_pool2d", _max_pool_cases(2), kink_cases=_max_pool_cases(2, TIE_POOL)),
    OpSpec("nn.functional.avg_pool1d", _avg_pool_cases(1), extreme_skip=WINDOW_SUM_ORDER),
    OpSpec("nn.functional.avg_pool2d", _avg_pool_cases(2), extreme_skip=WINDOW_SUM_ORDER),
    OpSpec("nn.functional.adaptive_avg_pool1d", _adaptive_cases(1, False), extreme_skip=WINDOW_SUM_ORDER),
    OpSpec("nn.functional.adaptive_avg_pool1d", _adaptive_cases(1, False, to_one=True), variant="to_one",
           extreme_skip=WINDOW_SUM_ORDER),
    OpSpec("nn.functional.adaptive_avg_pool2d", _adaptive_cases(2, False), extreme_skip=WINDOW_SUM_ORDER),
    OpSpec("nn.functional.adaptive_avg_pool2d", _adaptive_cases(2, False, to_one=True), variant="to_one",
           extreme_skip=WINDOW_SUM_ORDER),
    OpSpec("nn.functional.adaptive_max_pool1d", _adaptive_cases(1, True),
           kink_cases=_adaptive_cases(1, True, TIE_POOL)),
    OpSpec("nn.functional.adaptive_max_pool2d", _adaptive_cases(2, True),
           kink_cases=_adaptive_cases(2, True, TIE_POOL)),
    OpSpec("nn.functional.max_unpool1d", _unpool_cases(1)),
    OpSpec("nn.functional.max_unpool2d", _unpool_cases(2)),
    OpSpec("nn.functional.lp_pool1d", _lp_pool_cases(1), kink_cases=_lp_pool_cases(1, (0.0, 0.0, 1.0, -1.0))),
    OpSpec("nn.functional.lp_pool2d", _lp_pool_cases(2), kink_cases=_lp_pool_cases(2, (0.0, 0.0, 1.0, -1.0))),
]


# ---- bad inputs ----------------------------------------------------------------------------------------------
X1 = C.ones(1, 2, 5)
X2 = C.ones(1, 2, 4, 4)
POOLED2 = C.ones(1, 2, 2, 2)
INDICES2 = np.zeros((1, 2, 2, 2), np.int64)
ERRORS = {
    "nn.functional.max_pool1d": (
        C.bad("rank", C.ones(5), 2, says=("2D or 3D", "[5]")),
        C.bad("kernel_too_large", X1, 6, says="Invalid computed output size: 0"),
        C.bad("padding_over_half", X1, 3, padding=2, says=("padding=2", "kernel_size=3")),
        C.bad("kernel_pair", X1, (2, 2), says="size 2"),
        C.bad("stride_zero", X1, 2, stride=0, says="stride must be greater than zero"),
        C.bad("empty_channels", C.ones(1, 0, 5), 2, says="[1, 0, 5]"),
        C.bad("kernel_float", X1, 2.0, says=("kernel_size", "float")),
    ),
    "nn.functional.max_pool2d": (
        C.bad("rank", C.ones(4, 4), 2, says="3D or 4D"),
        C.bad("kernel_too_large", X2, 5, says=("(2x4x4)", "(2x0x0)", "Output size is too small")),
        C.bad("padding_over_half", X2, 3, padding=2, says=("pad=2", "kernel_size=3")),
        C.bad("kernel_triple", X2, (2, 2, 2), says="kernel_size must either be a single int, or a tuple of two"),
        C.bad("dilation_zero", X2, 2, dilation=0, says="dilationH: 0 dilationW: 0"),
        C.bad("negative_padding", X2, 2, padding=-1, says="pad: -1"),
        C.bad("bool", X2 > 0, 2, says="Bool"),
    ),
    "nn.functional.avg_pool1d": (
        C.bad("rank", C.ones(5), 2, says=("1-dimensional", "avg_pool1d")),
        C.bad("kernel_too_large", X1, 6, says=("(2x1x5)", "Output size is too small")),
        C.bad("padding_over_half", X1, 3, padding=2, says="pad=2"),
        C.bad("kernel_pair", X1, (2, 2), says="should contain one int (got 2)"),
    ),
    "nn.functional.avg_pool2d": (
        C.bad("rank_5d", C.ones(1, 1, 2, 4, 4), 2, says="3D or 4D"),
        C.bad("kernel_too_large", X2, 5, says="Output size is too small"),
        C.bad("padding_over_half", X2, (1, 2), padding=(1, 1), says=("pad=1", "kernel_size=1")),
        C.bad("divisor_zero", X2, 2, divisor_override=0, says="divisor must be not zero"),
        C.bad("divisor_float", X2, 2, divisor_override=2.5, says=("divisor_override", "float")),
        C.bad("stride_triple", X2, 2, stride=(1, 1, 1), says="stride must either be omitted"),
        C.bad("empty_channels", C.ones(1, 0, 4, 4), 2, says="[1, 0, 4, 4]"),
    ),
    "nn.functional.adaptive_avg_pool1d": (
        C.bad("rank", C.ones(5), 2, says=("1-dimensional", "adaptive_avg_pool1d")),
        C.bad("output_pair", X1, (2, 2), says="should contain one int (got 2)"),
        C.bad("output_none", X1, None, says="NoneType"),
        C.bad("output_negative", X1, -1, says="greater than or equal to 0"),
        C.bad("empty_length", C.ones(1, 2, 0), 2, says=("[1, 2, 1, 0]", "dimension 3")),
    ),
    "nn.functional.adaptive_avg_pool2d": (
        C.bad("rank", C.ones(4, 4), 2, says=("3D or 4D", "[4, 4]")),
        C.bad("output_triple", X2, (2, 3, 4), says="output_size must be 2"),
        C.bad("empty_height", C.ones(1, 2, 0, 4), 2, says=("[1, 2, 0, 4]", "dimension 2")),
        C.bad("long", X2.astype(np.int64), 2, says="Long"),
    ),
    "nn.functional.adaptive_max_pool1d": (
        C.bad("rank", C.ones(5), 2, says=("1-dimensional", "adaptive_max_pool1d")),
        C.bad("empty_channels", C.ones(1, 0, 5), 2, says=("[1, 0, 5]", "dimension 1")),
        C.bad("output_pair", X1, (2, 2), says="should contain one int (got 2)"),
    ),
    "nn.functional.adaptive_max_pool2d": (
        C.bad("rank", C.ones(4, 4), 2, says=("3D or 4D", "[4, 4]")),
        C.bad("output_triple", X2, (2, 3, 4), says="output_size.size() must be 2"),
        C.bad("empty_channels", C.ones(1, 0, 4, 4), 2, says=("[1, 0, 4, 4]", "dimension 1")),
        C.bad("bool", X2 > 0, 2, says="Bool"),
    ),
    "nn.functional.max_unpool1d": (
        C.bad("index_out_of_range", C.ones(1, 2, 3), np.full((1, 2, 3), 9, np.int64), 2,
              says=("invalid max index: 9", "6x1")),
        C.bad("output_size_out_of_range", C.ones(1, 2, 3), np.zeros((1, 2, 3), np.int64), 2, output_size=(9,),
              says=("(9,)", "between 4 and 8")),
        C.bad("rank", C.ones(3), np.zeros(3, np.int64), 2, says="3d or 4d"),
    ),
    "nn.functional.max_unpool2d": (
        C.bad("indices_float", POOLED2, INDICES2.astype(np.float32), 2, says="int64 but got: Float"),
        C.bad("indices_int32", POOLED2, INDICES2.astype(np.int32), 2, says="int64 but got: Int"),
        C.bad("indices_shape", POOLED2, INDICES2[..., :1], 2, says=("[1, 2, 2, 2]", "[1, 2, 2, 1]")),
        C.bad("index_out_of_range", POOLED2, INDICES2 + 20, 2, says=("invalid max index: 20", "4x4")),
        C.bad("negative_index", POOLED2, INDICES2 - 1, 2, says="invalid max index: -1"),
        C.bad("rank", POOLED2[0, 0], INDICES2[0, 0], 2, says="3d or 4d"),
        C.bad("output_size_length", POOLED2, INDICES2, 2, output_size=(5,), says="2 or 4 elements"),
        C.bad("output_size_out_of_range", POOLED2, INDICES2, 2, output_size=(6, 5), says="between 2 and 6"),
        C.bad("empty_channels", C.ones(1, 0, 2, 2), np.zeros((1, 0, 2, 2), np.int64), 2, says="[1, 0, 2, 2]"),
    ),
    "nn.functional.lp_pool1d": (
        C.bad("kernel_too_large", C.ones(1, 2, 6), 2, 7, says="Output size is too small"),
        C.bad("norm_zero", C.ones(1, 2, 6), 0, 2, says="division by zero"),
    ),
    "nn.functional.lp_pool2d": (
        C.bad("kernel_too_large", C.ones(1, 2, 5, 5), 2, 7, says="Output size is too small"),
        C.bad("rank", C.ones(5, 5), 2, 2, says="Dimension out of range"),
    ),
}
