"""refgrad.nn.init against torch.nn.init, called in the tests.

The registry of oracle/specs/init.py drives most of it: one InitSpec per initializer of refgrad.nn.init.INITIALIZERS,
run here by a generic harness that writes a Record per check (report rows "nn.init.<name>", family "init"):
deterministic initializers (constant_, ones_, zeros_, eye_, dirac_) and calculate_gain equal torch's exactly
("exact"); random ones cannot match torch's values (the generators differ), so each is compared with torch's by
distribution: a two-sample Kolmogorov-Smirnov test against torch samples of the same size at fixed seeds, and the
variance formula (xavier: gain²·2/(fan_in+fan_out), kaiming: gain²/fan, ...) within a confidence bound
("distribution"); plus the structure torch guarantees (trunc_normal_ within [a, b], orthogonal_ orthogonal at the
gain, sparse_'s zeros per column: "property"). Errors are torch's class and message (each spec's error cases).
Declared cases run as one test each; the exact and property checks also run on Hypothesis cases.

The plain tests below check what the registry does not: the fans, warnings, NaN parameters, in-place semantics
under no_grad, the generator, views, the deprecated names and the KS test's power.
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.init as TI
from hypothesis import given
from hypothesis import strategies as st

import refgrad
import refgrad.nn.init as RI
from oracle.execution import run_check
from oracle.init_spec import BOUND_SE, CHECKS, SIGNIFICANCE, init_error_case, variance_error
from oracle.records import describe
from oracle.spec import known_failure_marks
from oracle.specs.init import all_init_specs
from oracle.statistics import ks_p_value

DTYPES = [np.float32, np.float64]
TORCH_DTYPES = {np.float16: torch.float16, np.float32: torch.float32, np.float64: torch.float64, np.int64: torch.int64}
SPECS = all_init_specs()
_ks_p_value = ks_p_value  # the KS test lives in oracle.statistics; this name stays for the tests that import it here


def _assert_variance(values: np.ndarray, mean: float, variance: float) -> None:
    """The sample variance about the known mean is within BOUND_SE standard errors of the formula's."""
    off, standard_error = variance_error(values, mean, variance)
    assert abs(off) <= BOUND_SE * standard_error, (variance + off, variance, standard_error)


# ---- the registry's harness -------------------------------------------------------------------------------------

def _marks(spec, check, dtype):
    return known_failure_marks(spec.known_failure(check, dtype))


def _label(spec, case) -> str:
    return f"{case.shapes()}({case.params()})" if spec.tensor else case.params()


DECLARED = [pytest.param(spec, check, dtype, case, id=f"{spec.id}-{check}-{dtype}-{_label(spec, case)}",
                         marks=_marks(spec, check, dtype))
            for spec in SPECS for check in spec.checks for dtype in spec.dtypes for case in spec.declared(check)]
# the distribution check runs at its declared fixed seeds only (see oracle/init_spec.py)
DRAWN = [pytest.param(spec, check, dtype, id=f"{spec.id}-{check}-{dtype}", marks=_marks(spec, check, dtype))
         for spec in SPECS if spec.draw is not None for check in spec.checks if check != "distribution"
         for dtype in spec.dtypes]
ERROR_PARAMS = [pytest.param(spec, ec, id=f"{spec.id}-{ec.id}", marks=_marks(spec, "error", ec.id))
                for spec in SPECS for ec in spec.error_cases]



@pytest.mark.parametrize("spec,check,dtype,case", DECLARED)
def test_declared_case(spec, check, dtype, case, oracle_records):
    [record] = run_check(oracle_records, CHECKS[check], spec, case, dtype, check_name=check)
    assert record.passed, describe(record)


@pytest.mark.parametrize("spec,check,dtype", DRAWN)
def test_drawn_cases(spec, check, dtype, oracle_records):
    strategy = spec.strategy(dtype)

    @given(data=st.data())
    def run(data):
        case = data.draw(strategy, label="case")
        seed = data.draw(st.integers(0, 2**32 - 1), label="seed") if check == "property" else None
        [record] = run_check(oracle_records, CHECKS[check], spec, case, dtype, seed, check_name=check)
        assert record.passed, describe(record)

    run()


@pytest.mark.parametrize("spec,error_case_", ERROR_PARAMS)
def test_init_error_case(spec, error_case_):
    problems = init_error_case(spec, error_case_)
    assert not problems, "\n".join(problems)


def _spec(name):
    return next(s for s in SPECS if s.name == name)


def test_the_harness_catches_a_wrong_initializer(monkeypatch):
    """Each check fails on a defect of its kind: an eye_ with one value off, a normal_ drawing a uniform of the same
    variance, a normal_ whose variance is 30% too large, a sparse_ zeroing one row too few, and a refgrad call that
    raises where torch's does not."""
    import oracle.init_spec as I

    eye, normal, sparse = RI.eye_, RI.normal_, RI.sparse_

    def eye_off_by_one(tensor):
        eye(tensor)
        tensor._data[0, -1] += 1
        return tensor

    def normal_as_uniform(tensor, mean=0.0, std=1.0, generator=None):
        half_width = math.sqrt(3) * std
        return RI.uniform_(tensor, mean - half_width, mean + half_width, generator=generator)

    def normal_too_wide(tensor, mean=0.0, std=1.0, generator=None):
        return normal(tensor, mean, std * math.sqrt(1.3), generator=generator)

    def sparse_one_row_short(tensor, sparsity, std=0.01, generator=None):
        return sparse(tensor, max(sparsity - 1 / tensor.shape[0], 0.0), std, generator=generator)

    def refuses(tensor, *args, **kwargs):
        raise ValueError("no")

    normal_case = _spec("normal_").cases[0]
    for name, wrong, check, case in [
            ("eye_", eye_off_by_one, "exact", I.InitCase((3, 4))),
            ("normal_", normal_as_uniform, "distribution", normal_case),
            ("normal_", normal_too_wide, "distribution", normal_case),
            ("sparse_", sparse_one_row_short, "property", I.InitCase((10, 6), (0.5,))),
            ("eye_", refuses, "exact", I.InitCase((3, 4)))]:
        monkeypatch.setattr(RI, name, wrong)
        record = I.CHECKS[check](_spec(name), case, "float64")
        assert not record.passed, (name, wrong.__name__, record)
        monkeypatch.setattr(RI, name, {"eye_": eye, "normal_": normal, "sparse_": sparse}[name])


def test_every_initializer_has_one_spec():
    assert sorted(s.name for s in SPECS) == sorted(RI.INITIALIZERS)


def test_the_registry_keeps_every_case_of_the_former_tests():
    """The grids the plain tests had before the registry (none may be lost)."""
    count = {(s.name, check): len(s.declared(check)) for s in SPECS for check in s.checks}
    assert count[("calculate_gain", "exact")] == 12 * 6
    assert count[("dirac_", "exact")] == 22 and count[("eye_", "exact")] == 5 and count[("constant_", "exact")] == 4
    assert count[("trunc_normal_", "distribution")] == 4 and count[("trunc_normal_", "property")] == 6
    assert count[("orthogonal_", "property")] == 14 and count[("sparse_", "property")] == 18
    assert sum(count[(s.name, "distribution")] for s in SPECS if s.check == "distribution") == 14
    assert sum(len(s.error_cases) for s in SPECS) == 32


# ---- what the registry does not cover -------------------------------------------------------------------------

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


def test_sparse_zeroes_differ_between_columns():
    """The zeroed rows are drawn per column, not shared."""
    out = RI.sparse_(refgrad.zeros(40, 30), 0.5, generator=refgrad.Generator().manual_seed(0)).numpy()
    assert len({tuple(np.flatnonzero(col == 0)) for col in out.T}) > 1


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


# ---- errors refgrad gives on purpose; deprecated names; views ---------------------------------------------

def _torch_maker(*shape, dtype=np.float32):
    return torch.zeros(shape, dtype=TORCH_DTYPES[dtype])


def _refgrad_maker(*shape, dtype=np.float32):
    return refgrad.zeros(shape, dtype=dtype)


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
