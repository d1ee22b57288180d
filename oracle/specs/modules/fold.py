"""ModuleSpecs of refgrad.nn.modules.fold: Fold and Unfold on their functions' cases (oracle/specs/conv.py:
batched and unbatched inputs, size-0 batches, window arguments as ints or pairs, positional or by keyword)."""
from __future__ import annotations

import numpy as np

from ...module_spec import ModuleErrorCase, ModuleSpec
from ..conv import _fold_case, _unfold_case
from ._functional import from_functional

WINDOW = ("kernel_size", "dilation", "padding", "stride")

MODULE_SPECS = [
    ModuleSpec("Fold", from_functional(_fold_case, positional=("output_size", *WINDOW))),
    ModuleSpec("Unfold", from_functional(_unfold_case, positional=WINDOW)),
]

ERRORS = {
    "Fold": (
        ModuleErrorCase("blocks", ((4, 4), 2), inputs=(np.ones((1, 12, 8), "float32"),),
                        fragments=("3 * 3 = 9", "input.size(2)=8")),
        ModuleErrorCase("channels", ((4, 4), 2), inputs=(np.ones((1, 11, 9), "float32"),),
                        fragments=("input.size(1)=11", "kernel_size=(2, 2)")),
    ),
    "Unfold": (
        ModuleErrorCase("no blocks", (5,), inputs=(np.ones((1, 3, 4, 4), "float32"),),
                        fragments=("spatial size (4, 4)", "kernel_size=(5, 5)")),
        ModuleErrorCase("stride 0", (2,), {"stride": 0}, inputs=(np.ones((1, 3, 4, 4), "float32"),),
                        fragments=("stride_height: 0 stride_width: 0",)),
    ),
}
KNOWN_FAILURES: dict = {}
