"""ModuleSpecs of refgrad.nn.modules.normalization: LayerNorm, GroupNorm, RMSNorm, LocalResponseNorm.

Every constructor argument is drawn: the normalized shape as an int, a list or a tuple over 1..rank trailing dims
(LayerNorm, RMSNorm), eps (RMSNorm's None too: the dtype's machine epsilon), elementwise_affine / affine and bias,
GroupNorm's num_groups over the divisors of C, LocalResponseNorm's size, alpha, beta and k; inputs with size-0 dims
where torch takes them. eps is kept away from ill-conditioned groups as in the functional specs (_norm_cases)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec
from ._norm_cases import channel_shape, conditioned_eps


def trailing_norm_cases(rms: bool):
    """x of rank 1-4 (size-0 dims included) normalized over its last 1..ndim dims."""

    @st.composite
    def draw_case(draw, dtype):
        shape = draw(S.shapes(1, 4, max_side=4))
        k = draw(st.integers(1, len(shape)))
        normalized = shape[len(shape) - k:]
        x = draw(S.arrays(dtype, shape))
        given = draw(st.sampled_from(["tuple", "list"] + (["int"] if k == 1 else [])))
        normalized_shape = normalized[0] if given == "int" else list(normalized) if given == "list" else normalized
        dims = tuple(range(len(shape) - k, len(shape)))
        choices = st.sampled_from([None, 1e-5, 1e-3, 0.5]) if rms else st.sampled_from([1e-5, 1e-3, 0.5])
        kwargs = {"eps": conditioned_eps(draw, x, dims, center=not rms, choices=choices),
                  "elementwise_affine": draw(st.booleans())}
        if not rms:
            kwargs["bias"] = draw(st.booleans())
        return ModuleCase((normalized_shape,), kwargs, (x,))

    return lambda dtype: draw_case(dtype)


@st.composite
def _group_norm_case(draw, dtype):
    """(N, C, *) of rank 2-4, N >= 1 (torch 2.13's backward raises "tensor does not have a device" on an empty
    batch), num_groups any divisor of C, more than one value per group row (F.group_norm's requirement)."""
    channels = draw(st.integers(1, 4))
    groups = draw(st.sampled_from([g for g in range(1, channels + 1) if channels % g == 0]))
    shape = channel_shape(draw, channels, draw(st.integers(2, 4)), min_batch=1,
                          min_values=2 if channels == groups else 1)
    x = draw(S.arrays(dtype, shape))
    kwargs = {"eps": conditioned_eps(draw, x.reshape(shape[0], groups, -1), (2,)), "affine": draw(st.booleans()),
              "bias": draw(st.booleans())}
    return ModuleCase((groups, channels), kwargs, (x,))


@st.composite
def _local_response_norm_case(draw, dtype):
    """(N, C, *) of rank 3-5 (size-0 included), window sizes 1..C+2 (even and odd: asymmetric padding), k > 0."""
    rank = draw(st.integers(3, 5))
    shape = draw(S.shapes(rank, rank, max_side=4))
    x = draw(S.arrays(dtype, shape))
    kwargs = {"alpha": draw(st.sampled_from([1e-4, 0.5, 1.0])), "beta": draw(st.sampled_from([0.75, 0.5, 1.5])),
              "k": draw(st.sampled_from([1.0, 2.0, 0.5]))}
    return ModuleCase((draw(st.integers(1, shape[1] + 2)),), kwargs, (x,))


MODULE_SPECS = [
    ModuleSpec("LayerNorm", trailing_norm_cases(rms=False)),
    ModuleSpec("GroupNorm", lambda dtype: _group_norm_case(dtype)),
    ModuleSpec("RMSNorm", trailing_norm_cases(rms=True)),
    ModuleSpec("LocalResponseNorm", lambda dtype: _local_response_norm_case(dtype)),
]


def _ones(*shape):
    return np.ones(shape, "float32")


ERRORS = {
    "LayerNorm": (
        ModuleErrorCase("input shape", (3,), inputs=(_ones(2, 4),), fragments=("normalized_shape=[3]", "[*, 3]",
                                                                                "[2, 4]")),
        ModuleErrorCase("negative size", ((2, -1),), fragments=("negative dimension -1",)),
    ),
    "GroupNorm": (
        ModuleErrorCase("indivisible channels", (2, 3), fragments=("num_channels (3) must be divisible by "
                                                                   "num_groups (2)",)),
        ModuleErrorCase("zero groups", (0, 3), fragments=("modulo by zero",)),
        ModuleErrorCase("input channels", (2, 4), inputs=(_ones(2, 3, 4),),
                        fragments=("divisible by num_groups", "[2, 3, 4]", "num_groups=2")),
        ModuleErrorCase("1-D input", (1, 3), inputs=(_ones(3),), fragments=("Expected at least 2 dimensions",)),
        ModuleErrorCase("one value per group", (2, 2), inputs=(_ones(1, 2),),
                        fragments=("Expected more than 1 value per channel when training",)),
    ),
    "RMSNorm": (
        ModuleErrorCase("input shape", ([2, 3],), inputs=(_ones(3, 2),), fragments=("normalized_shape=[2, 3]",
                                                                                     "[3, 2]")),
        ModuleErrorCase("negative size", (-1,), fragments=("negative dimension -1",)),
    ),
    "LocalResponseNorm": (
        ModuleErrorCase("2-D input", (2,), inputs=(_ones(3, 2),), fragments=("Expected 3D or higher dimensionality",
                                                                             "got 2 dimensions")),
    ),
}
KNOWN_FAILURES: dict = {}
