"""ModuleSpecs of refgrad.nn.modules.flatten: Flatten and Unflatten. The input's shape is drawn first (0-d and
size-0 included), then dims valid for it (negative ones too, each sometimes left at its default), and for Unflatten
sizes whose product is the dim's size (as a tuple or a list, one of them sometimes -1)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec


def _wrap(dim: int, ndim: int) -> int:
    return dim % max(ndim, 1)


def flatten_cases(dtype):
    @st.composite
    def draw(draw_):
        shape = draw_(S.shapes(0, 4, max_side=3))
        ndim = len(shape)
        start = draw_(S.dims(ndim))
        end = draw_(S.dims(ndim).filter(lambda e: _wrap(e, ndim) >= _wrap(start, ndim)))
        kwargs = {}
        if start != 1 or draw_(st.booleans()):
            kwargs["start_dim"] = start
        if end != -1 or draw_(st.booleans()):
            kwargs["end_dim"] = end
        if ndim < 2 and "start_dim" not in kwargs:  # the default start_dim=1 needs two dims
            kwargs["start_dim"] = start
        return ModuleCase((), kwargs, (draw_(S.arrays(dtype, shape)),))

    return draw()


def _factors(draw_, size: int) -> list[int]:
    """1 to 3 sizes whose product is ``size``; with a size above 0, one of them sometimes -1."""
    if size == 0:
        sizes = [0] + draw_(st.lists(st.integers(0, 3), max_size=2))
    else:
        sizes, rest = [], size
        for _ in range(draw_(st.integers(0, 2))):
            divisor = draw_(st.sampled_from([d for d in range(1, rest + 1) if rest % d == 0]))
            sizes.append(divisor)
            rest //= divisor
        sizes.append(rest)
        if draw_(st.booleans()):
            sizes[draw_(st.integers(0, len(sizes) - 1))] = -1
    return draw_(st.permutations(sizes))


def unflatten_cases(dtype):
    @st.composite
    def draw(draw_):
        shape = draw_(S.shapes(1, 3, max_side=6, max_elements=36))
        dim = draw_(S.dims(len(shape)))
        sizes = _factors(draw_, shape[dim])
        sizes = tuple(sizes) if draw_(st.booleans()) else list(sizes)
        return ModuleCase((dim, sizes), {}, (draw_(S.arrays(dtype, shape)),))

    return draw()


MODULE_SPECS = [
    ModuleSpec("Flatten", flatten_cases),
    ModuleSpec("Unflatten", unflatten_cases),
]

X = np.ones((2, 6), "float32")
ERRORS = {
    "Flatten": (
        ModuleErrorCase("start after end", (1, 0), inputs=(X,), fragments=("start_dim cannot come after end_dim",)),
        ModuleErrorCase("1-D input", inputs=(np.ones(3, "float32"),), fragments=("[-1, 0]", "got 1")),
    ),
    "Unflatten": (
        ModuleErrorCase("sizes an int", (1, 5), fragments=("tuple of ints", "type int")),
        ModuleErrorCase("a float size", (1, (2.5, 3)), fragments=("tuple of ints", "float", "pos 0")),
        ModuleErrorCase("product", (1, (2, 5)), inputs=(X,), fragments=("[2, 5]", "size of dim 1 (6)")),
    ),
}
KNOWN_FAILURES: dict = {}
