"""ModuleSpecs of refgrad.nn.modules.pooling: MaxPool1d/2d, MaxUnpool1d/2d, AvgPool1d/2d, AdaptiveAvgPool1d/2d,
AdaptiveMaxPool1d/2d, LPPool1d/2d.

A pooling module holds its functional form's arguments, so its cases are the functional spec's
(oracle/specs/pooling.py: every geometry torch computes, int / tuple / list forms, stride omitted, ceil_mode,
padding, dilation, count_include_pad, divisor_override, return_indices, adaptive sizes with None entries, batched and
unbatched inputs, batches of 0) with the arguments moved to the constructor, by keyword except the leading required
ones, and MaxUnpool's output_size to the forward call; inputs capped at 200 elements. The ``ties`` variants draw
values from a small pool so that windows hold ties: the gradient must reach the element torch picks."""
from __future__ import annotations

import numpy as np

from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec
from .. import pooling as P

MAX_INPUT_ELEMENTS = 200


def from_functional(f_cases, names: tuple, required: int = 1, inputs: int = 1, forward: tuple = ()):
    """The functional spec's cases (``inputs`` tensors, then the arguments ``names`` in F's order, positionally or
    by keyword) as ModuleCases: the first ``required`` names positional in the constructor, the others by keyword,
    the ``forward`` names in the forward call."""

    def cases(dtype):
        def convert(case) -> ModuleCase:
            values = {**dict(zip(names, case.args[inputs:])), **case.kwargs}
            forward_kwargs = {k: values.pop(k) for k in forward if k in values}
            args = tuple(values.pop(k) for k in names[:required])
            return ModuleCase(args, values, tuple(case.args[:inputs]), forward_kwargs)

        return f_cases(dtype).map(convert).filter(
            lambda c: sum(a.size for a in c.leaves()) <= MAX_INPUT_ELEMENTS)

    return cases


MAX_POOL = ("kernel_size", "stride", "padding", "dilation", "ceil_mode", "return_indices")
AVG_POOL = ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override")
ADAPTIVE = ("output_size", "return_indices")
UNPOOL = ("kernel_size", "stride", "padding", "output_size")
LP_POOL = ("norm_type", "kernel_size", "stride", "ceil_mode")


def _specs(d: int) -> list:
    return [
        ModuleSpec(f"MaxPool{d}d", from_functional(P._max_pool_cases(d), MAX_POOL)),
        ModuleSpec(f"MaxPool{d}d", from_functional(P._max_pool_cases(d, P.TIE_POOL), MAX_POOL), variant="ties"),
        ModuleSpec(f"MaxUnpool{d}d", from_functional(P._unpool_cases(d), UNPOOL, inputs=2, forward=("output_size",))),
        ModuleSpec(f"AvgPool{d}d", from_functional(P._avg_pool_cases(d), AVG_POOL)),
        ModuleSpec(f"AdaptiveAvgPool{d}d", from_functional(P._adaptive_cases(d, False), ADAPTIVE)),
        ModuleSpec(f"AdaptiveAvgPool{d}d", from_functional(P._adaptive_cases(d, False, to_one=True), ADAPTIVE),
                   variant="to_one"),
        ModuleSpec(f"AdaptiveMaxPool{d}d", from_functional(P._adaptive_cases(d, True), ADAPTIVE)),
        ModuleSpec(f"AdaptiveMaxPool{d}d", from_functional(P._adaptive_cases(d, True, P.TIE_POOL), ADAPTIVE),
                   variant="ties"),
        ModuleSpec(f"LPPool{d}d", from_functional(P._lp_pool_cases(d), LP_POOL, required=2)),
    ]


MODULE_SPECS = _specs(1) + _specs(2)


def _ones(*shape):
    return np.ones(shape, "float32")


ERRORS = {
    "MaxPool1d": (
        ModuleErrorCase("rank", (2,), inputs=(_ones(5),), fragments=("2D or 3D", "[5]")),
        ModuleErrorCase("kernel zero", (0,), inputs=(_ones(1, 2, 5),), fragments=("kernel_size must be greater than "
                                                                                  "zero, but got 0",)),
        ModuleErrorCase("kernel too large", (6,), inputs=(_ones(1, 2, 5),),
                        fragments=("Invalid computed output size: 0",)),
        ModuleErrorCase("padding over half", (3,), {"padding": 2}, inputs=(_ones(1, 2, 5),),
                        fragments=("padding=2", "kernel_size=3")),
    ),
    "MaxPool2d": (
        ModuleErrorCase("rank", (2,), inputs=(_ones(4, 4),), fragments=("3D or 4D",)),
        ModuleErrorCase("kernel too large", (5,), inputs=(_ones(1, 2, 4, 4),),
                        fragments=("(2x4x4)", "(2x0x0)", "Output size is too small")),
        ModuleErrorCase("negative kernel", (-1,), inputs=(_ones(1, 2, 4, 4),), fragments=("greater than zero",)),
        ModuleErrorCase("dilation zero", (2,), {"dilation": 0}, inputs=(_ones(1, 2, 4, 4),),
                        fragments=("dilationH: 0 dilationW: 0",)),
    ),
    "MaxUnpool1d": (
        ModuleErrorCase("indices shape", (2,), inputs=(_ones(1, 2, 2), np.zeros((1, 2, 3), np.int64)),
                        fragments=("[1, 2, 2, 1]", "[1, 2, 3, 1]")),
        ModuleErrorCase("output_size out of range", (2,), inputs=(_ones(1, 2, 3), np.zeros((1, 2, 3), np.int64)),
                        forward_kwargs={"output_size": (9,)}, fragments=("(9,)", "between 4 and 8")),
    ),
    "MaxUnpool2d": (
        ModuleErrorCase("indices float", (2,), inputs=(_ones(1, 2, 2, 2), _ones(1, 2, 2, 2)),
                        fragments=("int64 but got: Float",)),
        ModuleErrorCase("index out of range", (2,), inputs=(_ones(1, 2, 2, 2), np.full((1, 2, 2, 2), 20, np.int64)),
                        fragments=("invalid max index: 20", "4x4")),
        ModuleErrorCase("output_size length", (2,), inputs=(_ones(1, 2, 2, 2), np.zeros((1, 2, 2, 2), np.int64)),
                        forward_kwargs={"output_size": (5,)}, fragments=("2 or 4 elements",)),
    ),
    "AvgPool1d": (
        ModuleErrorCase("rank", (2,), inputs=(_ones(5),), fragments=("1-dimensional", "avg_pool1d")),
        ModuleErrorCase("kernel pair", ((2, 2),), inputs=(_ones(1, 2, 5),),
                        fragments=("should contain one int (got 2)",)),
    ),
    "AvgPool2d": (
        ModuleErrorCase("divisor zero", (2,), {"divisor_override": 0}, inputs=(_ones(1, 4, 4),),
                        fragments=("divisor must be not zero",)),
        ModuleErrorCase("kernel too large", (5,), inputs=(_ones(1, 2, 4, 4),), fragments=("Output size is too small",)),
        ModuleErrorCase("rank 5", (2,), inputs=(_ones(1, 1, 2, 4, 4),), fragments=("3D or 4D",)),
        ModuleErrorCase("negative kernel", (-1,), inputs=(_ones(1, 2, 4, 4),), fragments=("greater than zero",)),
    ),
    "AdaptiveAvgPool1d": (
        ModuleErrorCase("output pair", ((2, 2),), inputs=(_ones(1, 2, 5),),
                        fragments=("should contain one int (got 2)",)),
        ModuleErrorCase("negative output", (-1,), inputs=(_ones(1, 2, 5),),
                        fragments=("greater than or equal to 0",)),
    ),
    "AdaptiveAvgPool2d": (
        ModuleErrorCase("rank", (2,), inputs=(_ones(4, 4),), fragments=("3D or 4D", "[4, 4]")),
        ModuleErrorCase("empty height", (2,), inputs=(_ones(1, 2, 0, 4),), fragments=("[1, 2, 0, 4]", "dimension 2")),
    ),
    "AdaptiveMaxPool1d": (
        ModuleErrorCase("empty channels", (2,), inputs=(_ones(1, 0, 5),), fragments=("[1, 0, 5]", "dimension 1")),
    ),
    "AdaptiveMaxPool2d": (
        ModuleErrorCase("output triple", ((2, 3, 4),), inputs=(_ones(1, 2, 4, 4),),
                        fragments=("output_size.size() must be 2",)),
    ),
    "LPPool1d": (
        ModuleErrorCase("norm zero", (0, 2), inputs=(_ones(1, 2, 6),), fragments=("division by zero",)),
        ModuleErrorCase("kernel too large", (2, 7), inputs=(_ones(1, 2, 6),), fragments=("Output size is too small",)),
    ),
    "LPPool2d": (
        ModuleErrorCase("rank", (2, 2), inputs=(_ones(5, 5),), fragments=("Dimension out of range",)),
    ),
}
KNOWN_FAILURES: dict = {}
