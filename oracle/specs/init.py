"""The InitSpec registry: one InitSpec per public initializer of refgrad.nn.init (its INITIALIZERS), read by
tests/test_init.py and by ``python -m oracle coverage``.

Deterministic initializers (constant_, ones_, zeros_, eye_, dirac_) and calculate_gain are "exact": torch's values
bit for bit, on declared grids (every dtype torch fills, int64 too) and on Hypothesis cases. Random ones are
"distribution": refgrad's generator differs from torch's, so a sample is compared with torch's by a two-sample
Kolmogorov-Smirnov test at fixed seeds, and with the variance formula (mean, variance: ``moments``); trunc_normal_,
orthogonal_ and sparse_ add the structure torch guarantees ("property"). Bad calls are ``error_cases``: torch's class
and message. See oracle/init_spec.py for the checks.
"""
from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.init as TI
from hypothesis import strategies as st

from .. import strategies as S
from ..init_spec import InitCase, InitErrorCase, InitSpec

# all_specs() reads SPECS (OpSpecs) from every file of this folder: this one declares InitSpecs only
SPECS: list = []

FLOATS = ("float32", "float64")
FILLED = ("float32", "float64", "int64")  # the deterministic initializers fill integer tensors too, as torch's
NONLINEARITIES = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                  "sigmoid", "tanh", "relu", "leaky_relu", "selu")


# ---- the formulas (fans as torch computes them) ----------------------------------------------------------------
def _fans(shape) -> tuple[int, int]:
    return TI._calculate_fan_in_and_fan_out(torch.empty(shape))


def _xavier_variance(shape, gain: float) -> float:
    fan_in, fan_out = _fans(shape)
    return gain**2 * 2 / (fan_in + fan_out)


def _kaiming_variance(shape, a: float, mode: str, nonlinearity: str) -> float:
    fan_in, fan_out = _fans(shape)
    return TI.calculate_gain(nonlinearity, a) ** 2 / (fan_in if mode == "fan_in" else fan_out)


def _normal_pdf(z: float) -> float:
    return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _normal_cdf(z: float) -> float:
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def truncated_normal_moments(mean: float, std: float, a: float, b: float) -> tuple[float, float]:
    """Mean and variance of N(mean, std²) conditioned on [a, b]."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = _normal_cdf(beta) - _normal_cdf(alpha)
    shift = (_normal_pdf(alpha) - _normal_pdf(beta)) / z
    variance = std**2 * (1 + (alpha * _normal_pdf(alpha) - beta * _normal_pdf(beta)) / z - shift**2)
    return mean + std * shift, variance


# ---- the properties: (values, case, dtype) -> (largest violation, allowed, what) --------------------------------
def _within_a_b(values: np.ndarray, case: InitCase, dtype: str):
    """trunc_normal_: every value within [a, b] (the bounds in the tensor's dtype)."""
    a, b = (np.dtype(dtype).type(case.kwargs[k]) for k in ("a", "b"))
    low, high = float(a) - values.astype(np.float64), values.astype(np.float64) - float(b)
    return float(np.max(np.maximum(np.maximum(low, high), 0.0), initial=0.0)), 0.0, "within [a, b]"


def _orthogonal_at_gain(values: np.ndarray, case: InitCase, dtype: str):
    """orthogonal_: viewed as (size(0), numel/size(0)), orthonormal rows when wide, columns when tall, times gain:
    the Gram matrix is gain²·I to a few roundings of the dtype."""
    gain = case.kwargs.get("gain", 1.0)
    flat = values.reshape(case.shape[0], -1).astype(np.float64)
    gram = flat @ flat.T if flat.shape[0] < flat.shape[1] else flat.T @ flat
    allowed = (1e-5 if dtype == "float32" else 1e-12) * gain**2
    return float(np.max(np.abs(gram - gain**2 * np.eye(len(gram))))), allowed, "Gram matrix = gain²·I"


def _zeros_per_column(values: np.ndarray, case: InitCase, dtype: str):
    """sparse_: each column has ceil(sparsity·rows) zeros (all of them from sparsity 1 on)."""
    rows = case.shape[0]
    expected = min(math.ceil(case.args[0] * rows), rows)
    return float(np.max(np.abs(np.sum(values == 0, axis=0) - expected), initial=0)), 0.0, \
        f"{expected} zeros per column"


# ---- Hypothesis cases -----------------------------------------------------------------------------------------
def _value(dtype: str):
    """A fill value the dtype holds."""
    if dtype == "int64":
        return st.integers(-1000, 1000)
    return st.one_of(st.floats(-1e6, 1e6, width=32 if dtype == "float32" else 64), st.integers(-1000, 1000))


def _constant_cases(dtype):
    return st.builds(lambda shape, val: InitCase(shape, (val,)), S.shapes(0, 3, max_side=4), _value(dtype))


def _shape_cases(dtype):
    return S.shapes(0, 4, max_side=4).map(InitCase)


def _eye_cases(dtype):
    return S.shapes(2, 2, max_side=6).map(InitCase)


@st.composite
def _dirac_cases(draw, dtype):
    groups = draw(st.integers(1, 3))
    spatial = draw(S.shapes(1, 3, min_side=1, max_side=3))
    shape = (groups * draw(st.integers(0, 3)), draw(st.integers(1, 4)), *spatial)
    return InitCase(shape, kwargs={"groups": groups})


def _gain_cases(dtype):
    # leaky_relu's gain squares its slope: a float beyond ~1e154 overflows Python's ** in torch's formula itself
    param = st.one_of(st.none(), st.integers(-5, 5), st.floats(-1e100, 1e100), st.sampled_from([math.inf, -math.inf]))
    return st.builds(lambda nonlinearity, p: InitCase(args=(nonlinearity, p)), st.sampled_from(NONLINEARITIES), param)


@st.composite
def _truncated_cases(draw, dtype):
    """trunc_normal_ with [a, b] anywhere from a std's hundredth to 4 std wide, from 4 std below the mean to 4 above
    (torch's two branches: most of the mass inside, or little of it)."""
    mean, std = draw(st.floats(-2, 2)), draw(st.floats(0.2, 3))
    a = mean + std * draw(st.floats(-4, 4))
    b = a + std * draw(st.floats(0.01, 4))
    return InitCase(draw(S.shapes(1, 3, min_side=1, max_side=6)), kwargs={"mean": mean, "std": std, "a": a, "b": b})


def _orthogonal_cases(dtype):
    return st.builds(lambda shape, gain: InitCase(shape, kwargs={"gain": gain}),
                     S.shapes(2, 4, min_side=1, max_side=5), st.floats(0.1, 3))


def _sparse_cases(dtype):
    return st.builds(lambda shape, sparsity: InitCase(shape, (sparsity,)), S.shapes(2, 2, min_side=1, max_side=8),
                     st.floats(0, 1.5))


# ---- the declared cases -------------------------------------------------------------------------------------------
TRUNCATED = [  # (mean, std, a, b): torch's rejection branch (mass in [a, b] > 0.3), then its uniform-proposal branch
    (0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 1.0), (0.0, 1.0, 1.5, 3.0), (1.0, 0.5, -0.5, 0.2)]
# [a, b] far out in the tail, and narrow: within [a, b] still
TRUNCATED_PROPERTY = [*TRUNCATED, (0.0, 1.0, 5.0, 5.5), (0.0, 3.0, -0.01, 0.01)]
DIRAC_SHAPES = [(4, 4, 3), (6, 2, 5), (2, 6, 4), (4, 3, 3, 3), (6, 4, 2, 4), (3, 5, 1, 1), (4, 2, 3, 3, 3),
                (6, 3, 2, 1, 4), (0, 3, 3)]
ORTHOGONAL_SHAPES = [(3, 5), (5, 3), (4, 4), (4, 2, 3), (6, 2, 2, 2), (1, 4), (4, 1)]


def _trunc_kwargs(case: tuple) -> dict:
    return dict(zip(("mean", "std", "a", "b"), case))


def all_init_specs() -> list[InitSpec]:
    return [
        InitSpec("uniform_", "distribution", cases=(InitCase((4000,), (-1.0, 3.0), moments=(1.0, 16 / 12)),),
                 error_cases=(
                     InitErrorCase("bounds", lambda init, make: init.uniform_(make(3), 2.0, 1.0)),
                     InitErrorCase("bounds_fractions", lambda init, make: init.uniform_(make(3), 2.5, 1e-7)),
                     InitErrorCase("to_inf", lambda init, make: init.uniform_(make(3), 0.0, math.inf)),
                     InitErrorCase("from_nan", lambda init, make: init.uniform_(make(3), math.nan, 1.0)),
                     InitErrorCase("from_double_range",
                                   lambda init, make: init.uniform_(make(3, dtype=np.float64), -math.inf, 0.0)),
                     InitErrorCase("to_half_range",
                                   lambda init, make: init.uniform_(make(3, dtype=np.float16), 0.0, 1e5)),
                     InitErrorCase("width_overflows", lambda init, make: init.uniform_(make(3), -3e38, 3e38)),
                     InitErrorCase("width_overflows_double",
                                   lambda init, make: init.uniform_(make(3, dtype=np.float64), -1e308, 1e308)),
                     InitErrorCase("width_overflows_half",
                                   lambda init, make: init.uniform_(make(3, dtype=np.float16), -6e4, 6e4)),
                     InitErrorCase("int", lambda init, make: init.uniform_(make(3, dtype=np.int64))))),
        InitSpec("normal_", "distribution", cases=(InitCase((4000,), (1.0, 2.0), moments=(1.0, 4.0)),),
                 error_cases=(
                     InitErrorCase("negative_std", lambda init, make: init.normal_(make(3), 0.0, -1.0)),
                     InitErrorCase("negative_small_std", lambda init, make: init.normal_(make(3), 0.0, -2.5e-7)),
                     InitErrorCase("int", lambda init, make: init.normal_(make(3, dtype=np.int64))))),
        InitSpec("trunc_normal_", "distribution",
                 cases=tuple(InitCase((4000,), kwargs=_trunc_kwargs(c), moments=truncated_normal_moments(*c))
                             for c in TRUNCATED),
                 structure=_within_a_b,
                 structure_cases=tuple(InitCase((3000,), kwargs=_trunc_kwargs(c), seed=1) for c in TRUNCATED_PROPERTY),
                 draw=_truncated_cases,
                 error_cases=(InitErrorCase("std_0", lambda init, make: init.trunc_normal_(make(3), 0.0, 0.0)),)),
        InitSpec("constant_", "exact", dtypes=FILLED, draw=_constant_cases,
                 cases=tuple(InitCase((3, 4), (val,)) for val in (0, 2.7, -3, 1e3))),
        InitSpec("ones_", "exact", dtypes=FILLED, draw=_shape_cases, cases=(InitCase((2, 3, 4)),)),
        InitSpec("zeros_", "exact", dtypes=FILLED, draw=_shape_cases, cases=(InitCase((2, 3, 4)),)),
        InitSpec("eye_", "exact", dtypes=FILLED, draw=_eye_cases,
                 cases=tuple(InitCase(shape) for shape in [(3, 5), (5, 3), (4, 4), (0, 3), (1, 1)]),
                 error_cases=(InitErrorCase("rank_1", lambda init, make: init.eye_(make(3))),
                              InitErrorCase("rank_3", lambda init, make: init.eye_(make(2, 2, 2))))),
        InitSpec("dirac_", "exact", dtypes=FILLED, draw=_dirac_cases,
                 cases=tuple(InitCase(shape, kwargs={"groups": groups}) for shape in DIRAC_SHAPES
                             for groups in (1, 2, 3) if shape[0] % groups == 0),  # else an error (below)
                 error_cases=(
                     InitErrorCase("rank_2", lambda init, make: init.dirac_(make(3, 3))),
                     InitErrorCase("rank_6", lambda init, make: init.dirac_(make(2, 2, 1, 1, 1, 1))),
                     InitErrorCase("groups", lambda init, make: init.dirac_(make(3, 3, 3), groups=2)),
                     InitErrorCase("groups_0", lambda init, make: init.dirac_(make(3, 3, 3), groups=0)))),
        InitSpec("xavier_uniform_", "distribution",
                 cases=(InitCase((40, 30, 3), kwargs={"gain": 2.0},
                                 moments=(0.0, _xavier_variance((40, 30, 3), 2.0))),),
                 error_cases=(InitErrorCase("fan_of_1d", lambda init, make: init.xavier_uniform_(make(3))),)),
        InitSpec("xavier_normal_", "distribution",
                 cases=(InitCase((60, 50), kwargs={"gain": 0.5}, moments=(0.0, _xavier_variance((60, 50), 0.5))),),
                 error_cases=(
                     InitErrorCase("fan_of_1d", lambda init, make: init.xavier_normal_(make(5))),
                     InitErrorCase("int", lambda init, make: init.xavier_normal_(make(3, 2, dtype=np.int64))))),
        InitSpec("kaiming_uniform_", "distribution", cases=(
            InitCase((50, 40, 2), kwargs={"a": 0.2, "mode": "fan_out"},
                     moments=(0.0, _kaiming_variance((50, 40, 2), 0.2, "fan_out", "leaky_relu"))),
            InitCase((30, 20, 2, 3), kwargs={"nonlinearity": "tanh"},
                     moments=(0.0, _kaiming_variance((30, 20, 2, 3), 0, "fan_in", "tanh")))),
                 error_cases=(InitErrorCase("unknown_nonlinearity", lambda init, make: init.kaiming_uniform_(
                     make(2, 3), nonlinearity="softplus")),)),
        InitSpec("kaiming_normal_", "distribution", cases=(
            InitCase((80, 50), moments=(0.0, _kaiming_variance((80, 50), 0, "fan_in", "leaky_relu"))),
            InitCase((30, 20, 3, 3), kwargs={"mode": "fan_out", "nonlinearity": "relu"},
                     moments=(0.0, _kaiming_variance((30, 20, 3, 3), 0, "fan_out", "relu")))),
                 error_cases=(
                     InitErrorCase("fan_of_0d", lambda init, make: init.kaiming_normal_(make())),
                     InitErrorCase("bad_mode", lambda init, make: init.kaiming_normal_(make(2, 3), mode="fan_avg")))),
        # A Haar-random orthogonal n×n matrix's entries have variance 1/n (times gain²).
        InitSpec("orthogonal_", "distribution",
                 cases=(InitCase((64, 64), kwargs={"gain": 1.5}, moments=(0.0, 1.5**2 / 64)),),
                 structure=_orthogonal_at_gain, draw=_orthogonal_cases,
                 structure_cases=tuple(InitCase(shape, kwargs={"gain": gain}) for shape in ORTHOGONAL_SHAPES
                                      for gain in (1.0, 2.5)),
                 error_cases=(
                     InitErrorCase("1d", lambda init, make: init.orthogonal_(make(4))),
                     InitErrorCase("half", lambda init, make: init.orthogonal_(make(3, 3, dtype=np.float16))))),
        # A column keeps rows - ceil(sparsity·rows) of its N(0, std²) draws: variance (kept / rows)·std².
        InitSpec("sparse_", "distribution",
                 cases=(InitCase((80, 50), (0.3,), {"std": 0.5}, moments=(0.0, (80 - 24) / 80 * 0.25)),),
                 structure=_zeros_per_column, draw=_sparse_cases,
                 structure_cases=tuple(InitCase(shape, (sparsity,)) for shape in [(10, 7), (3, 4), (1, 5)]
                                      for sparsity in (0.0, 0.1, 0.35, 0.5, 1.0, 1.5)),
                 error_cases=(InitErrorCase("rank_3", lambda init, make: init.sparse_(make(3, 2, 2), 0.1)),)),
        InitSpec("calculate_gain", "exact", dtypes=("python",), tensor=False, draw=_gain_cases,
                 cases=tuple(InitCase(args=(nonlinearity, param)) for nonlinearity in NONLINEARITIES
                             for param in (None, 0, 0.2, -2.0, 3, 1e-8)),
                 notes="a function of its arguments, not a tensor initializer: a Python number, no dtype",
                 error_cases=(
                     InitErrorCase("unknown_nonlinearity", lambda init, make: init.calculate_gain("gelu")),
                     InitErrorCase("leaky_relu_bool_param", lambda init, make: init.calculate_gain("leaky_relu", True)),
                     InitErrorCase("leaky_relu_str_param", lambda init, make: init.calculate_gain("leaky_relu", "x")))),
    ]
