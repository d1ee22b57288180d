"""refgrad.nn.init against torch.nn.init, called in the tests.

Deterministic initializers (constant_, ones_, zeros_, eye_, dirac_), calculate_gain and the fans equal torch's exactly.
Random ones cannot match torch's values (the generators differ), so each is compared with torch's by distribution: a
two-sample Kolmogorov-Smirnov test against torch samples of the same size at fixed seeds, and the variance formula
(xavier: gain²·2/(fan_in+fan_out), kaiming: gain²/fan, ...) within a confidence bound; plus the structure torch
guarantees (trunc_normal_ within [a, b], orthogonal_ orthogonal at the gain, sparse_'s zeros per column). Errors are
torch's class and message. Every initializer works in place under no_grad and returns its tensor.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.init as TI

import refgrad
import refgrad.nn.init as RI

DTYPES = [np.float32, np.float64]
TORCH_DTYPES = {np.float16: torch.float16, np.float32: torch.float32, np.float64: torch.float64, np.int64: torch.int64}
NONLINEARITIES = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
                  "sigmoid", "tanh", "relu", "leaky_relu", "selu"]
SIGNIFICANCE = 1e-3  # a distribution differs from torch's when the KS test rejects at this level (fixed seeds)
BOUND_SE = 5.0  # a sample variance further than this many standard errors from the formula fails


def _ks_p_value(x: np.ndarray, y: np.ndarray) -> float:
    """The two-sample Kolmogorov-Smirnov statistic D = max |F_x - F_y| and its asymptotic p-value
    Q(λ) = 2 Σ_k (-1)^(k-1) exp(-2 k² λ²), λ = (√n_e + 0.12 + 0.11/√n_e)·D, n_e = n·m/(n+m) (Stephens' correction)."""
    x, y = np.sort(np.ravel(x).astype(np.float64)), np.sort(np.ravel(y).astype(np.float64))
    both = np.concatenate([x, y])
    statistic = np.max(np.abs(np.searchsorted(x, both, side="right") / x.size
                              - np.searchsorted(y, both, side="right") / y.size))
    effective = x.size * y.size / (x.size + y.size)
    lam = (math.sqrt(effective) + 0.12 + 0.11 / math.sqrt(effective)) * statistic
    if lam < 0.05:  # the series converges too slowly there; Q is 1 to many digits
        return 1.0
    k = np.arange(1, 101)
    return float(np.clip(2 * np.sum((-1.0) ** (k - 1) * np.exp(-2 * k**2 * lam**2)), 0.0, 1.0))


def _assert_variance(values: np.ndarray, mean: float, variance: float) -> None:
    """The sample variance about the known mean is within BOUND_SE standard errors of the formula's (the standard
    error of a mean of squares: √((E d⁴ - (E d²)²) / n), estimated from the sample)."""
    d2 = (np.ravel(values).astype(np.float64) - mean) ** 2
    standard_error = math.sqrt((np.mean(d2**2) - np.mean(d2) ** 2) / d2.size)
    assert abs(np.mean(d2) - variance) <= BOUND_SE * standard_error, (np.mean(d2), variance, standard_error)


def _draw_both(name: str, shape, dtype, seed: int = 0, *args, **kwargs):
    """refgrad's and torch's samples of initializer `name` on a fresh tensor of `shape`, each at its fixed seed."""
    ours = getattr(RI, name)(refgrad.zeros(shape, dtype=dtype), *args,
                             generator=refgrad.Generator().manual_seed(seed), **kwargs)
    theirs = getattr(TI, name)(torch.zeros(shape, dtype=TORCH_DTYPES[dtype]), *args,
                               generator=torch.Generator().manual_seed(seed), **kwargs)
    return ours.numpy(), theirs.numpy()


def _normal_pdf(z):
    return math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)


def _normal_cdf(z):
    return 0.5 * (1 + math.erf(z / math.sqrt(2)))


def _truncated_normal_moments(mean, std, a, b):
    """Mean and variance of N(mean, std²) conditioned on [a, b]."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    z = _normal_cdf(beta) - _normal_cdf(alpha)
    shift = (_normal_pdf(alpha) - _normal_pdf(beta)) / z
    variance = std**2 * (1 + (alpha * _normal_pdf(alpha) - beta * _normal_pdf(beta)) / z - shift**2)
    return mean + std * shift, variance


def _xavier_variance(shape, gain):
    fan_in, fan_out = TI._calculate_fan_in_and_fan_out(torch.empty(shape))
    return gain**2 * 2 / (fan_in + fan_out)


def _kaiming_variance(shape, a, mode, nonlinearity):
    fan_in, fan_out = TI._calculate_fan_in_and_fan_out(torch.empty(shape))
    return TI.calculate_gain(nonlinearity, a) ** 2 / (fan_in if mode == "fan_in" else fan_out)


TRUNCATED = [  # (mean, std, a, b): torch's rejection branch (mass in [a, b] > 0.3), then its uniform-proposal branch
    (0.0, 1.0, -2.0, 2.0), (0.5, 2.0, -1.0, 1.0), (0.0, 1.0, 1.5, 3.0), (1.0, 0.5, -0.5, 0.2)]

# case id -> (initializer, shape, args, kwargs, (mean, variance) the formula gives)
RANDOM = {
    "uniform": ("uniform_", (4000,), (-1.0, 3.0), {}, (1.0, 16 / 12)),
    "normal": ("normal_", (4000,), (1.0, 2.0), {}, (1.0, 4.0)),
    "xavier_uniform": ("xavier_uniform_", (40, 30, 3), (), {"gain": 2.0}, (0.0, _xavier_variance((40, 30, 3), 2.0))),
    "xavier_normal": ("xavier_normal_", (60, 50), (), {"gain": 0.5}, (0.0, _xavier_variance((60, 50), 0.5))),
    "kaiming_uniform_fan_out": ("kaiming_uniform_", (50, 40, 2), (), {"a": 0.2, "mode": "fan_out"},
                                (0.0, _kaiming_variance((50, 40, 2), 0.2, "fan_out", "leaky_relu"))),
    "kaiming_uniform_tanh": ("kaiming_uniform_", (30, 20, 2, 3), (), {"nonlinearity": "tanh"},
                             (0.0, _kaiming_variance((30, 20, 2, 3), 0, "fan_in", "tanh"))),
    "kaiming_normal": ("kaiming_normal_", (80, 50), (), {},
                       (0.0, _kaiming_variance((80, 50), 0, "fan_in", "leaky_relu"))),
    "kaiming_normal_relu_fan_out": ("kaiming_normal_", (30, 20, 3, 3), (), {"mode": "fan_out", "nonlinearity": "relu"},
                                    (0.0, _kaiming_variance((30, 20, 3, 3), 0, "fan_out", "relu"))),
    **{f"trunc_normal_{case}": ("trunc_normal_", (4000,), (), dict(zip(("mean", "std", "a", "b"), case)),
                                _truncated_normal_moments(*case)) for case in TRUNCATED},
    # A Haar-random orthogonal n×n matrix's entries have variance 1/n (times gain²).
    "orthogonal": ("orthogonal_", (64, 64), (), {"gain": 1.5}, (0.0, 1.5**2 / 64)),
    # A column keeps rows - ceil(sparsity·rows) of its N(0, std²) draws: variance (kept / rows)·std².
    "sparse": ("sparse_", (80, 50), (0.3,), {"std": 0.5}, (0.0, (80 - 24) / 80 * 0.25)),
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("case", RANDOM)
def test_random_initializer_matches_torch_distribution(case, dtype):
    name, shape, args, kwargs, (mean, variance) = RANDOM[case]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # trunc_normal_'s "more than 2 std" warning: tested on its own
        ours, theirs = _draw_both(name, shape, dtype, 0, *args, **kwargs)
    assert ours.dtype == dtype and ours.shape == shape
    assert _ks_p_value(ours, theirs) > SIGNIFICANCE
    _assert_variance(ours, mean, variance)
    _assert_variance(theirs, mean, variance)  # the formula is torch's own


def test_the_ks_test_tells_distributions_apart():
    """The checks have power: uniform with normal's variance is not normal, NumPy's normal is, and a variance off
    by 30% is caught."""
    ours = RI.uniform_(refgrad.zeros(4000, dtype=np.float64), -math.sqrt(3), math.sqrt(3),
                       generator=refgrad.Generator().manual_seed(0)).numpy()
    theirs = TI.normal_(torch.zeros(4000, dtype=torch.float64), generator=torch.Generator().manual_seed(0)).numpy()
    assert _ks_p_value(ours, theirs) < SIGNIFICANCE
    wider = RI.normal_(refgrad.zeros(4000, dtype=np.float64), 0, math.sqrt(1.3),
                       generator=refgrad.Generator().manual_seed(0)).numpy()
    assert _ks_p_value(np.random.default_rng(1).standard_normal(4000), theirs) > SIGNIFICANCE
    with pytest.raises(AssertionError):
        _assert_variance(wider, 0.0, 1.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("mean, std, a, b", [*TRUNCATED, (0.0, 1.0, 5.0, 5.5), (0.0, 3.0, -0.01, 0.01)])
def test_trunc_normal_stays_within_a_b(mean, std, a, b, dtype):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = RI.trunc_normal_(refgrad.zeros(3000, dtype=dtype), mean, std, a, b,
                               generator=refgrad.Generator().manual_seed(1)).numpy()
    assert out.dtype == dtype and np.all((out >= dtype(a)) & (out <= dtype(b)))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("nan", ["mean", "std"])
def test_trunc_normal_with_a_nan_parameter_ends_within_a_b_as_torch(nan, dtype):
    """torch's rejection tests accept a NaN comparison, so its draws end (uniform on [a, b]); refgrad's as well."""
    for init, make in ((TI, _torch_maker), (RI, _refgrad_maker)):
        out = np.asarray(init.trunc_normal_(make(500, dtype=dtype), **{nan: math.nan}, a=-1.0, b=0.5))
        assert np.all((out >= -1.0) & (out <= 0.5))


def test_trunc_normal_warns_as_torch_when_the_mean_is_far_from_a_b():
    for init, empty in ((TI, torch.zeros), (RI, refgrad.zeros)):
        with pytest.warns(UserWarning, match="mean is more than 2 std from \\[a, b\\]"):
            init.trunc_normal_(empty(5), mean=10.0, std=1.0)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (4, 2, 3), (6, 2, 2, 2), (1, 4), (4, 1)])
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_is_orthogonal_at_the_gain_as_torch(shape, gain, dtype):
    """Viewed as (size(0), numel/size(0)): orthonormal rows when wide, columns when tall, scaled by gain."""
    ours, theirs = _draw_both("orthogonal_", shape, dtype, 0, gain)
    tolerance = 1e-5 if dtype == np.float32 else 1e-12
    for q in (ours, theirs):
        flat = q.reshape(shape[0], -1).astype(np.float64)
        gram = flat @ flat.T if flat.shape[0] < flat.shape[1] else flat.T @ flat
        np.testing.assert_allclose(gram, gain**2 * np.eye(len(gram)), atol=tolerance * gain**2)


@pytest.mark.parametrize("shape", [(10, 7), (3, 4), (1, 5)])
@pytest.mark.parametrize("sparsity", [0.0, 0.1, 0.35, 0.5, 1.0, 1.5])
def test_sparse_zeroes_ceil_sparsity_rows_of_each_column_as_torch(shape, sparsity):
    ours, theirs = _draw_both("sparse_", shape, np.float64, 0, sparsity)
    expected = min(math.ceil(sparsity * shape[0]), shape[0])
    np.testing.assert_array_equal(np.sum(ours == 0, axis=0), np.sum(theirs == 0, axis=0))
    np.testing.assert_array_equal(np.sum(ours == 0, axis=0), expected)


def test_sparse_zeroes_differ_between_columns():
    """The zeroed rows are drawn per column, not shared."""
    out = RI.sparse_(refgrad.zeros(40, 30), 0.5, generator=refgrad.Generator().manual_seed(0)).numpy()
    assert len({tuple(np.flatnonzero(col == 0)) for col in out.T}) > 1


# ---- deterministic initializers: exactly torch's ----------------------------------------------------------------

def _both_deterministic(name, shape, dtype, *args, **kwargs):
    ours = getattr(RI, name)(refgrad.full(shape, 7, dtype=dtype), *args, **kwargs)
    theirs = getattr(TI, name)(torch.full(shape, 7, dtype=TORCH_DTYPES[dtype]), *args, **kwargs)
    return ours.numpy(), theirs.numpy()


@pytest.mark.parametrize("dtype", [*DTYPES, np.int64])
@pytest.mark.parametrize("val", [0, 2.7, -3, 1e3])
def test_constant_equals_torch(val, dtype):
    ours, theirs = _both_deterministic("constant_", (3, 4), dtype, val)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)


@pytest.mark.parametrize("dtype", [*DTYPES, np.int64])
@pytest.mark.parametrize("name", ["ones_", "zeros_"])
def test_ones_and_zeros_equal_torch(name, dtype):
    np.testing.assert_array_equal(*_both_deterministic(name, (2, 3, 4), dtype))


@pytest.mark.parametrize("dtype", [*DTYPES, np.int64])
@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 4), (0, 3), (1, 1)])
def test_eye_equals_torch(shape, dtype):
    np.testing.assert_array_equal(*_both_deterministic("eye_", shape, dtype))


DIRAC_SHAPES = [(4, 4, 3), (6, 2, 5), (2, 6, 4), (4, 3, 3, 3), (6, 4, 2, 4), (3, 5, 1, 1), (4, 2, 3, 3, 3),
                (6, 3, 2, 1, 4), (0, 3, 3)]


@pytest.mark.parametrize("dtype", [*DTYPES, np.int64])
@pytest.mark.parametrize("shape, groups", [(shape, groups) for shape in DIRAC_SHAPES for groups in (1, 2, 3)
                                           if shape[0] % groups == 0])  # else an error, tested with the errors
def test_dirac_equals_torch(shape, groups, dtype):
    np.testing.assert_array_equal(*_both_deterministic("dirac_", shape, dtype, groups=groups))


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
@pytest.mark.parametrize("param", [None, 0, 0.2, -2.0, 3, 1e-8])
def test_calculate_gain_equals_torch(nonlinearity, param):
    ours, theirs = RI.calculate_gain(nonlinearity, param), TI.calculate_gain(nonlinearity, param)
    assert ours == theirs and type(ours) is type(theirs)


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (4, 2, 3), (6, 2, 3, 3), (2, 3, 2, 1, 4), (0, 3, 2), (4, 0)])
def test_fans_equal_torch(shape):
    assert RI._calculate_fan_in_and_fan_out(refgrad.zeros(shape)) == TI._calculate_fan_in_and_fan_out(
        torch.zeros(shape))
    for mode in ("fan_in", "fan_out", "FAN_OUT"):
        assert RI._calculate_correct_fan(refgrad.zeros(shape), mode) == TI._calculate_correct_fan(
            torch.zeros(shape), mode)


# ---- in place, under no_grad, through refgrad's generator ---------------------------------------------------------

IN_PLACE_CALLS = {
    "uniform_": (), "normal_": (), "trunc_normal_": (), "constant_": (0.5,), "ones_": (), "zeros_": (), "eye_": (),
    "xavier_uniform_": (), "xavier_normal_": (), "kaiming_uniform_": (), "kaiming_normal_": (), "orthogonal_": (),
    "sparse_": (0.5,),
}


@pytest.mark.parametrize("name", [*IN_PLACE_CALLS, "dirac_"])
def test_initializes_a_leaf_parameter_in_place_and_returns_it(name):
    weight = refgrad.full((4, 2, 3) if name == "dirac_" else (4, 3), 7.0, requires_grad=True)
    storage, version = weight._data, weight._version
    assert refgrad.is_grad_enabled()
    out = getattr(RI, name)(weight, *IN_PLACE_CALLS.get(name, ()))
    assert out is weight and weight._data is storage and weight._version > version
    assert weight.requires_grad and weight.is_leaf and weight.grad_fn is None
    assert refgrad.is_grad_enabled()
    assert np.all(storage != 7.0) if name != "dirac_" else np.any(storage != 7.0)


RANDOM_CALLS = {name: args for name, args in IN_PLACE_CALLS.items()
                if name not in ("constant_", "ones_", "zeros_", "eye_")}


@pytest.mark.parametrize("name", RANDOM_CALLS)
def test_draws_through_refgrads_generator_only(name):
    numpy_state = np.random.get_state()[1].copy()
    refgrad.manual_seed(5)
    first = getattr(RI, name)(refgrad.zeros(5, 4), *RANDOM_CALLS[name]).numpy().copy()
    refgrad.manual_seed(5)
    again = getattr(RI, name)(refgrad.zeros(5, 4), *RANDOM_CALLS[name]).numpy()
    np.testing.assert_array_equal(first, again)
    refgrad.manual_seed(6)
    default_draw = refgrad.rand(3).numpy()
    refgrad.manual_seed(6)
    own = getattr(RI, name)(refgrad.zeros(5, 4), *RANDOM_CALLS[name], generator=refgrad.Generator().manual_seed(5))
    np.testing.assert_array_equal(own.numpy(), first)  # generator= draws from that generator, as the default did
    np.testing.assert_array_equal(refgrad.rand(3).numpy(), default_draw)  # and leaves the default one alone
    np.testing.assert_array_equal(np.random.get_state()[1], numpy_state)


@pytest.mark.parametrize("name", ["kaiming_uniform_", "kaiming_normal_"])
def test_kaiming_leaves_a_zero_element_tensor_with_torchs_warning(name):
    for init, empty in ((TI, torch.zeros), (RI, refgrad.zeros)):
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            out = getattr(init, name)(empty(0, 3))
        assert tuple(out.shape) == (0, 3)


# ---- errors: torch's class and message ------------------------------------------------------------------------

ERRORS = {  # id -> call(init module, tensor maker)
    "fan_of_1d": lambda init, make: init.xavier_uniform_(make(3)),
    "fan_of_0d": lambda init, make: init.kaiming_normal_(make()),
    "xavier_normal_1d": lambda init, make: init.xavier_normal_(make(5)),
    "unknown_nonlinearity": lambda init, make: init.calculate_gain("gelu"),
    "kaiming_unknown_nonlinearity": lambda init, make: init.kaiming_uniform_(make(2, 3), nonlinearity="softplus"),
    "leaky_relu_bool_param": lambda init, make: init.calculate_gain("leaky_relu", True),
    "leaky_relu_str_param": lambda init, make: init.calculate_gain("leaky_relu", "x"),
    "kaiming_bad_mode": lambda init, make: init.kaiming_normal_(make(2, 3), mode="fan_avg"),
    "dirac_rank_2": lambda init, make: init.dirac_(make(3, 3)),
    "dirac_rank_6": lambda init, make: init.dirac_(make(2, 2, 1, 1, 1, 1)),
    "dirac_groups": lambda init, make: init.dirac_(make(3, 3, 3), groups=2),
    "dirac_groups_0": lambda init, make: init.dirac_(make(3, 3, 3), groups=0),
    "eye_rank_1": lambda init, make: init.eye_(make(3)),
    "eye_rank_3": lambda init, make: init.eye_(make(2, 2, 2)),
    "orthogonal_1d": lambda init, make: init.orthogonal_(make(4)),
    "sparse_rank_3": lambda init, make: init.sparse_(make(3, 2, 2), 0.1),
    "uniform_bounds": lambda init, make: init.uniform_(make(3), 2.0, 1.0),
    "normal_negative_std": lambda init, make: init.normal_(make(3), 0.0, -1.0),
    "normal_negative_small_std": lambda init, make: init.normal_(make(3), 0.0, -2.5e-7),
    "uniform_bounds_fractions": lambda init, make: init.uniform_(make(3), 2.5, 1e-7),
    "uniform_to_inf": lambda init, make: init.uniform_(make(3), 0.0, math.inf),
    "uniform_from_nan": lambda init, make: init.uniform_(make(3), math.nan, 1.0),
    "uniform_from_double_range": lambda init, make: init.uniform_(make(3, dtype=np.float64), -math.inf, 0.0),
    "uniform_to_half_range": lambda init, make: init.uniform_(make(3, dtype=np.float16), 0.0, 1e5),
    "uniform_width_overflows": lambda init, make: init.uniform_(make(3), -3e38, 3e38),
    "uniform_width_overflows_double": lambda init, make: init.uniform_(make(3, dtype=np.float64), -1e308, 1e308),
    "uniform_width_overflows_half": lambda init, make: init.uniform_(make(3, dtype=np.float16), -6e4, 6e4),
    "orthogonal_half": lambda init, make: init.orthogonal_(make(3, 3, dtype=np.float16)),
    "trunc_normal_std_0": lambda init, make: init.trunc_normal_(make(3), 0.0, 0.0),
    "uniform_int": lambda init, make: init.uniform_(make(3, dtype=np.int64)),
    "normal_int": lambda init, make: init.normal_(make(3, dtype=np.int64)),
    "xavier_normal_int": lambda init, make: init.xavier_normal_(make(3, 2, dtype=np.int64)),
}


def _torch_maker(*shape, dtype=np.float32):
    return torch.zeros(shape, dtype=TORCH_DTYPES[dtype])


def _refgrad_maker(*shape, dtype=np.float32):
    return refgrad.zeros(shape, dtype=dtype)


@pytest.mark.parametrize("case", ERRORS)
def test_errors_as_torch(case):
    with pytest.raises(Exception) as theirs:
        ERRORS[case](TI, _torch_maker)
    with pytest.raises(Exception) as ours:
        ERRORS[case](RI, _refgrad_maker)
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


def test_negative_sparsity_is_refused():
    """A deliberate difference: torch zeroes all but ceil(|sparsity|·rows) rows of each column (a negative slice);
    refgrad raises a ValueError naming the sparsity."""
    with pytest.raises(ValueError, match="sparsity must be a fraction in \\[0, 1\\], got -0.3"):
        RI.sparse_(refgrad.zeros(5, 3), -0.3)


DEPRECATED = ["uniform", "normal", "constant", "eye", "dirac", "xavier_uniform", "xavier_normal", "kaiming_uniform",
              "kaiming_normal", "orthogonal", "sparse"]


@pytest.mark.parametrize("name", DEPRECATED)
def test_deprecated_names_warn_as_torch_and_initialize(name):
    shape, args = ((4, 2, 3), ()) if name == "dirac" else ((4, 3), IN_PLACE_CALLS.get(name + "_", ()))
    for init, make in ((TI, _torch_maker), (RI, _refgrad_maker)):
        with pytest.warns(FutureWarning, match=f"`nn.init.{name}` is now deprecated in favor of `nn.init.{name}_`."):
            tensor = make(*shape)
            assert getattr(init, name)(tensor, *args) is tensor


def test_initializing_views_writes_through_to_the_base_as_torch():
    """A row, a transpose and a column of a weight are initialized in its storage, as torch's views are."""
    results = []
    for init, make in ((TI, _torch_maker), (RI, _refgrad_maker)):
        weight = make(3, 4)
        init.ones_(weight[1])
        init.eye_(weight.t()[:2])
        init.constant_(weight[:, 3], 5.0)
        results.append(np.asarray(weight))
    np.testing.assert_array_equal(*results)
