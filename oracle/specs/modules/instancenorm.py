"""ModuleSpecs of refgrad.nn.modules.instancenorm: InstanceNorm1d, InstanceNorm2d, InstanceNorm3d.

Each case draws every constructor argument (eps, momentum including None, affine, track_running_stats, bias) and a
batched or unbatched input with more than one spatial element (torch's requirement where the instance statistics
are used, which is training, and eval when the running ones are not tracked). With neither affine nor running
statistics, the input's channel count may differ from num_features: torch's UserWarning, which refgrad must raise
too (the harness fails a warning torch does not raise). A batch is nonempty where there is a weight (torch 2.13's
instance_norm fails on an empty batch with one: "select(): index 0 out of range") or running statistics (torch's
running statistics become nan there, refgrad's F.instance_norm leaves them: tests/test_norm_modules.py)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec
from ._norm_cases import MOMENTUM, conditioned_eps


def instance_norm_cases(unbatched_rank: int):
    @st.composite
    def draw_case(draw, dtype):
        num_features = draw(st.integers(1, 4))
        affine, track = draw(st.booleans()), draw(st.booleans())
        channels = num_features if affine or track else draw(st.sampled_from([num_features, num_features,
                                                                               num_features % 4 + 1]))
        batch = () if draw(st.booleans()) else (draw(st.integers(0 if not (affine or track) else 1, 3)),)
        spatial = tuple(draw(st.integers(1, 3)) for _ in range(unbatched_rank - 1))
        if int(np.prod(spatial)) == 1:
            spatial = (2,) + spatial[1:]
        if int(np.prod(batch + (channels,) + spatial)) > S.MAX_ELEMENTS:
            spatial = (2,) + (1,) * (len(spatial) - 1)
        x = draw(S.arrays(dtype, batch + (channels,) + spatial))
        kwargs = {"eps": conditioned_eps(draw, x, tuple(range(x.ndim - len(spatial), x.ndim))),
                  "momentum": draw(MOMENTUM), "affine": affine, "track_running_stats": track,
                  "bias": draw(st.booleans())}
        return ModuleCase((num_features,), kwargs, (x,))

    return lambda dtype: draw_case(dtype)


MODULE_SPECS = [
    ModuleSpec("InstanceNorm1d", instance_norm_cases(2)),
    ModuleSpec("InstanceNorm2d", instance_norm_cases(3)),
    ModuleSpec("InstanceNorm3d", instance_norm_cases(4)),
]


def _ones(*shape):
    return np.ones(shape, "float32")


ERRORS = {
    "InstanceNorm1d": (
        ModuleErrorCase("4-D input", (3,), inputs=(_ones(2, 3, 2, 2),), fragments=("expected 2D or 3D input",
                                                                                    "got 4D input")),
        ModuleErrorCase("1-D input", (3,), inputs=(_ones(3),), fragments=("got 1D input",)),
        ModuleErrorCase("channels with affine", (3,), {"affine": True}, inputs=(_ones(2, 4, 5),),
                        fragments=("expected input's size at dim=1 to match num_features (3), but got: 4.",)),
        ModuleErrorCase("unbatched channels with affine", (3,), {"affine": True}, inputs=(_ones(4, 5),),
                        fragments=("expected input's size at dim=0 to match num_features (3), but got: 4.",)),
        ModuleErrorCase("one spatial element", (3,), inputs=(_ones(2, 3, 1),),
                        fragments=("Expected more than 1 spatial element when training", "[2, 3, 1]")),
        ModuleErrorCase("channels with running stats", (3,), {"track_running_stats": True},
                        inputs=(_ones(2, 4, 5),), fragments=("running_mean should contain 8 elements not 6",)),
        ModuleErrorCase("negative num_features", (-1,), {"track_running_stats": True},
                        fragments=("negative dimension -1",)),
    ),
    "InstanceNorm2d": (
        ModuleErrorCase("2-D input", (3,), inputs=(_ones(3, 2),),
                        fragments=("expected 3D or 4D input (got 2D input)",)),
        ModuleErrorCase("channels with affine", (2,), {"affine": True}, inputs=(_ones(3, 2, 2),),
                        fragments=("expected input's size at dim=0 to match num_features (2), but got: 3.",)),
    ),
    "InstanceNorm3d": (
        ModuleErrorCase("3-D input", (3,), inputs=(_ones(3, 2, 2),),
                        fragments=("expected 4D or 5D input (got 3D input)",)),
    ),
}
KNOWN_FAILURES: dict = {}
