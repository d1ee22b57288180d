"""ModuleSpecs of refgrad.nn.modules.pixelshuffle: PixelShuffle and PixelUnshuffle on their functions' cases
(oracle/specs/vision.py: 3- to 5-D inputs, factors 1 to 3, no size 0, for the reason given there). ChannelShuffle
has no module: F.channel_shuffle is missing."""
from __future__ import annotations

import numpy as np

from ...module_spec import ModuleErrorCase, ModuleSpec
from ..vision import _factor_case
from ._functional import from_functional

MODULE_SPECS = [
    ModuleSpec("PixelShuffle", from_functional(_factor_case("upscale_factor", shuffle=True),
                                               positional=("upscale_factor",))),
    ModuleSpec("PixelUnshuffle", from_functional(_factor_case("downscale_factor", shuffle=False),
                                                 positional=("downscale_factor",))),
]

ERRORS = {
    "PixelShuffle": (
        ModuleErrorCase("channels", (2,), inputs=(np.ones((2, 6, 2, 3), "float32"),),
                        fragments=("input.size(-3)=6", "divisible by 4")),
        ModuleErrorCase("zero factor", (0,), inputs=(np.ones((2, 8, 2, 3), "float32"),),
                        fragments=("positive upscale_factor, but got 0",)),
    ),
    "PixelUnshuffle": (ModuleErrorCase("height", (2,), inputs=(np.ones((2, 2, 3, 6), "float32"),),
                                       fragments=("height", "input.size(-2)=3")),),
}
KNOWN_FAILURES: dict = {}
