"""Case builders shared by the normalization module specs (batchnorm, instancenorm, normalization): an
(N, C, *spatial) input and an eps kept away from ill-conditioned cases, as the functional specs draw them
(oracle/specs/normalization.py)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S

EPS = st.sampled_from([1e-5, 1e-5, 1e-3, 0.5])
MOMENTUM = st.sampled_from([0.1, None, 0.5, 1.0, 0.0])

# The weight's (and bias's) gradient is a sum over every normalized element sharing it, Σ g·x̂, whose terms cancel: in
# float32 its rounding is ~eps·Σ|g·x̂| ≈ 1e-6, beyond the default atol in a few cases of a thousand, in torch as in
# refgrad. Default tolerances: the module harness judges float32 against torch's float64 module (oracle.metrics).


def conditioned_eps(draw, x: np.ndarray, dims: tuple, center: bool = True, choices=EPS) -> float | None:
    """eps drawn, except where a normalized group is nearly constant (for RMSNorm: nearly 0) and eps small: there
    rstd = 1/sqrt(var + eps) reaches 316 and multiplies the libraries' roundings into differences that compare two
    roundings, not two functions (see _conditioned_eps in oracle/specs/normalization.py). Such a case gets eps 0.5:
    float32 below a spread of 0.5, float64 below 1e-3. (``choices`` may offer None, RMSNorm's machine epsilon.)"""
    eps = draw(choices)
    if not x.size or eps is not None and eps >= 0.1:
        return eps
    small = 0.5 if x.dtype == np.float32 else 1e-3
    wide = x.astype(np.float64)
    spread = np.sqrt(np.var(wide, axis=dims) if center else np.mean(wide * wide, axis=dims))
    return 0.5 if spread.size and spread.min() < small else eps


def channel_shape(draw, channels: int, rank: int, min_batch: int = 0, min_values: int = 1) -> tuple:
    """(N, C, *spatial) of that rank: N from min_batch to 4 (size 0 included where min_batch is 0), spatial sides
    1..3 (all 1 where the element count would pass S.MAX_ELEMENTS); then N raised to 2 where a nonempty batch has
    fewer than min_values values per statistic (N · spatial), as training batch norm requires."""
    batch = draw(st.integers(min_batch, 4))
    spatial = tuple(draw(st.integers(1, 3)) for _ in range(rank - 2))
    if batch * channels * int(np.prod(spatial)) > S.MAX_ELEMENTS:
        spatial = (1,) * (rank - 2)
    if 0 < batch * int(np.prod(spatial)) < min_values:
        batch = 2
    return (batch, channels, *spatial)
