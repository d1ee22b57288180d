"""ModuleSpecs of refgrad.nn.modules.batchnorm: BatchNorm1d, BatchNorm2d, BatchNorm3d.

Each case draws every constructor argument (eps, momentum including None, the cumulative average, affine,
track_running_stats and the keyword-only bias) and an (N, C, *) input of each rank the module takes, an empty batch
included. The harness runs each in train mode (batch statistics; the running statistics and num_batches_tracked
after the call compared with torch's) and in eval mode (the running statistics, or the batch's where they are not
tracked). tests/test_norm_modules.py follows several calls in a row, and eval after training."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec
from ._norm_cases import MOMENTUM, channel_shape, conditioned_eps


def batch_norm_cases(ranks: tuple):
    @st.composite
    def draw_case(draw, dtype):
        channels = draw(st.integers(1, 4))
        shape = channel_shape(draw, channels, draw(st.sampled_from(ranks)), min_values=2)
        x = draw(S.arrays(dtype, shape))
        kwargs = {"eps": conditioned_eps(draw, x, (0, *range(2, x.ndim))), "momentum": draw(MOMENTUM),
                  "affine": draw(st.booleans()), "track_running_stats": draw(st.booleans()),
                  "bias": draw(st.booleans())}
        return ModuleCase((channels,), kwargs, (x,))

    return lambda dtype: draw_case(dtype)


MODULE_SPECS = [
    ModuleSpec("BatchNorm1d", batch_norm_cases((2, 3))),
    ModuleSpec("BatchNorm2d", batch_norm_cases((4,))),
    ModuleSpec("BatchNorm3d", batch_norm_cases((5,))),
]


def _ones(*shape):
    return np.ones(shape, "float32")


ERRORS = {
    "BatchNorm1d": (
        ModuleErrorCase("4-D input", (3,), inputs=(_ones(2, 3, 2, 2),), fragments=("expected 2D or 3D input",
                                                                                    "got 4D input")),
        ModuleErrorCase("1-D input", (3,), inputs=(_ones(3),), fragments=("got 1D input",)),
        ModuleErrorCase("one value per channel", (3,), inputs=(_ones(1, 3),),
                        fragments=("Expected more than 1 value per channel when training", "[1, 3]")),
        ModuleErrorCase("channels", (3,), inputs=(_ones(2, 4),), fragments=("running_mean should contain 4 "
                                                                            "elements not 3",)),
        ModuleErrorCase("channels untracked", (3,), {"track_running_stats": False}, inputs=(_ones(2, 4),),
                        fragments=("weight should contain 4 elements not 3",)),
        ModuleErrorCase("negative num_features", (-1,), fragments=("negative dimension -1",)),
        ModuleErrorCase("negative num_features, no affine", (-2,), {"affine": False},
                        fragments=("negative dimension -2",)),
    ),
    "BatchNorm2d": (
        ModuleErrorCase("3-D input", (3,), inputs=(_ones(2, 3, 2),), fragments=("expected 4D input (got 3D input)",)),
        ModuleErrorCase("5-D input", (3,), inputs=(_ones(1, 3, 1, 1, 2),), fragments=("expected 4D input",
                                                                                       "got 5D input")),
        ModuleErrorCase("one value per channel", (2,), inputs=(_ones(1, 2, 1, 1),),
                        fragments=("Expected more than 1 value per channel when training", "[1, 2, 1, 1]")),
    ),
    "BatchNorm3d": (
        ModuleErrorCase("4-D input", (3,), inputs=(_ones(2, 3, 2, 2),),
                        fragments=("expected 5D input (got 4D input)",)),
    ),
}
KNOWN_FAILURES: dict = {}
