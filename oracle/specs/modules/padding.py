"""ModuleSpecs of refgrad.nn.modules.padding: Constant/Zero/Reflection/Replication/CircularPad1d/2d/3d.

An input of each rank the module takes (constant: N to N+2 dims, any size 0 included; the others N+1 (unbatched)
or N+2 dims, only the batch dim possibly 0, as torch requires), then padding as an int or as a tuple/list of 2·N
pads within what torch accepts for the mode (oracle/specs/padding.py's rules: negative pads crop; reflect pads
smaller than the dim; circular pads at most what the crop on the other side leaves), value drawn for ConstantPad.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec

KINDS = {"Constant": "constant", "Zero": "constant", "Reflection": "reflect", "Replication": "replicate",
         "Circular": "circular"}


def _pair(draw, mode: str, n: int) -> tuple[int, int]:
    """(left, right) pads of a dim of size n that torch accepts in mode."""
    if mode == "constant":
        left = draw(st.integers(-n, 3))
        return left, draw(st.integers(-(n + min(left, 0)), 3))
    if mode == "reflect":
        left = draw(st.integers(-(n - 1), n - 1))
        return left, draw(st.integers(max(-(n - 1), 1 - n - left), n - 1))
    if mode == "replicate":
        left = draw(st.integers(-(n - 1), 3))
        return left, draw(st.integers(max(-(n - 1), 1 - n - left), 3))
    crop_left = draw(st.integers(0, n))
    crop_right = draw(st.integers(0, n - crop_left))
    kept = n - crop_left - crop_right
    return (-crop_left if crop_left else draw(st.integers(0, kept)),
            -crop_right if crop_right else draw(st.integers(0, kept)))


def _largest_int_padding(mode: str, sizes: tuple) -> int:
    """The largest p >= 0 that torch accepts as every side's pad of these dims."""
    smallest = min(sizes)
    return {"constant": 3, "replicate": 3, "reflect": smallest - 1, "circular": smallest}[mode]


def padding_cases(kind: str, dims: int):
    mode = KINDS[kind]

    def cases(dtype):
        @st.composite
        def draw(draw_):
            if mode == "constant":
                shape = draw_(S.shapes(dims, dims + 2, max_side=3))
            else:
                batch = (draw_(st.integers(0, 2)),) if draw_(st.booleans()) else ()
                shape = batch + draw_(S.shapes(dims + 1, dims + 1, min_side=1, max_side=3, max_elements=24))
            sizes = shape[-dims:]
            if draw_(st.booleans()) and _largest_int_padding(mode, sizes) >= 0:
                padding = draw_(st.integers(0, _largest_int_padding(mode, sizes)))
            else:
                pads = [p for n in reversed(sizes) for p in _pair(draw_, mode, n)]
                padding = tuple(pads) if draw_(st.booleans()) else pads
            args = (padding, draw_(st.floats(-3, 3, width=32))) if kind == "Constant" else (padding,)
            return ModuleCase(args, {}, (draw_(S.arrays(dtype, shape)),))

        return draw()

    return cases


MODULE_SPECS = [ModuleSpec(f"{kind}Pad{dims}d", padding_cases(kind, dims)) for kind in KINDS for dims in (1, 2, 3)]

X3 = np.ones((2, 3, 4), "float32")
ERRORS = {
    "ConstantPad2d": (ModuleErrorCase("1-D input", (1, 0.0), inputs=(np.ones(3, "float32"),),
                                      fragments=("padding length 4", "dimension 1")),),
    "ZeroPad1d": (ModuleErrorCase("crop too much", ((-3, -2),), inputs=(X3,), fragments=("non-negative",)),),
    "ReflectionPad1d": (
        ModuleErrorCase("too wide", ((4, 0),), inputs=(X3,), fragments=("(4, 0)", "dimension 2", "[2, 3, 4]")),
        ModuleErrorCase("1-D input", (1,), inputs=(np.ones(4, "float32"),), fragments=("1D", "size 2")),
    ),
    "ReplicationPad2d": (ModuleErrorCase("2-D input", (1,), inputs=(np.ones((3, 4), "float32"),),
                                         fragments=("2D", "size 4")),),
    "CircularPad1d": (
        ModuleErrorCase("4-D input", (1,), inputs=(np.ones((1, 2, 3, 4), "float32"),),
                        fragments=("expected 2D or 3D input (got 4D input)",)),
        ModuleErrorCase("wraps twice", ((5, 0),), inputs=(X3,), fragments=("more than once",)),
    ),
    "CircularPad3d": (ModuleErrorCase("3-D input", (1,), inputs=(X3,), fragments=("expected 4D or 5D input",)),),
}
KNOWN_FAILURES: dict = {}
