"""ModuleSpecs of refgrad.nn.modules.upsampling: Upsample, UpsamplingNearest2d, UpsamplingBilinear2d.

The geometry (input shape, size or scale_factor, recompute_scale_factor) is drawn as for F.interpolate's spec
(oracle/specs/vision.py ``resampling``), which leaves out the sizes where torch's nearest backward is not the
derivative of its forward. The modules hold no parameters or buffers: the checks compare outputs and gradients.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec
from ..vision import _MODE_RANKS, resampling

_INTERPOLATING = ("linear", "bilinear", "bicubic", "trilinear")


def _upsample_cases(modes=(), fixed_mode=None):
    """Upsample(size | scale_factor, mode, align_corners, recompute_scale_factor), keyword or positional; for a fixed
    mode (UpsamplingNearest2d, UpsamplingBilinear2d) only size and scale_factor."""

    @st.composite
    def cases(draw, dtype):
        mode = fixed_mode or draw(st.sampled_from(modes))
        align = draw(st.sampled_from([None, False, True])) if fixed_mode is None and mode in _INTERPOLATING else None
        aligned = fixed_mode == "bilinear" or bool(align)
        shape, kwargs = draw(resampling(mode, fixed_mode is None, align_corners=aligned))
        if fixed_mode is None and (mode != "nearest" or draw(st.booleans())):
            kwargs["mode"] = mode
        if align is not None:
            kwargs["align_corners"] = align
        args = ()
        if draw(st.booleans()):  # size and scale_factor positionally
            args = (kwargs.pop("size", None), kwargs.pop("scale_factor", None))
        return ModuleCase(args, kwargs, (draw(S.arrays(dtype, shape)),))

    return cases


MODULE_SPECS = [
    ModuleSpec("Upsample", _upsample_cases(tuple(m for m in _MODE_RANKS if m != "bicubic"))),
    ModuleSpec("Upsample", _upsample_cases(("bicubic",)), variant="bicubic"),
    ModuleSpec("UpsamplingNearest2d", _upsample_cases(fixed_mode="nearest")),
    ModuleSpec("UpsamplingBilinear2d", _upsample_cases(fixed_mode="bilinear")),
]

_X4 = np.ones((1, 2, 3, 4), np.float32)
ERRORS = {
    "Upsample": (
        ModuleErrorCase("neither_size_nor_scale", inputs=(_X4,), fragments="either size or scale_factor"),
        ModuleErrorCase("zero_scale_is_none", kwargs={"scale_factor": 0}, inputs=(_X4,),
                        fragments="either size or scale_factor"),
        ModuleErrorCase("list_scale", kwargs={"scale_factor": [2.0, 2.0]}, fragments="list"),
        ModuleErrorCase("align_corners_nearest", kwargs={"size": 3, "align_corners": True}, inputs=(_X4,),
                        fragments="align_corners option can only be set"),
        ModuleErrorCase("linear_on_4d", kwargs={"size": 3, "mode": "linear"}, inputs=(_X4,),
                        fragments="Got 4D input, but linear mode needs 3D input"),
    ),
    "UpsamplingBilinear2d": (
        ModuleErrorCase("3d_input", kwargs={"size": 3}, inputs=(np.ones((1, 2, 3), np.float32),),
                        fragments="Got 3D input, but bilinear mode needs 4D input"),
    ),
}
KNOWN_FAILURES: dict = {}
