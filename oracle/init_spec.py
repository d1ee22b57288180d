"""InitSpec: what the oracle checks of one nn.init initializer, declared once, and the check kinds, each returning a
Record (one report row per initializer × check × dtype).

    InitSpec("eye_", "exact", cases=(InitCase((3, 5)), ...), dtypes=("float32", "float64", "int64"), draw=...)
    InitSpec("kaiming_normal_", "distribution", cases=(InitCase((80, 50), moments=(0.0, 2 / 50)), ...))

| check        | compares                                                                            | cases           |
|--------------|-------------------------------------------------------------------------------------|-----------------|
| exact        | refgrad's values (dtype, shape, bits) equal torch's; a deterministic initializer    | declared, drawn |
|              | (calculate_gain: the same number of the same Python type)                           |                 |
| distribution | a two-sample Kolmogorov-Smirnov test of refgrad's sample against torch's (both at   | declared        |
|              | a fixed seed), and each sample's variance about the formula's mean within BOUND_SE  |                 |
|              | standard errors of the formula's variance (xavier: gain²·2/(fan_in + fan_out), ...) |                 |
| property     | the structure torch guarantees, in refgrad's sample and in torch's (trunc_normal_   | declared, drawn |
|              | within [a, b], orthogonal_ orthogonal at the gain, sparse_'s zeros per column)      |                 |

Each tensor check also requires that the initializer returns the tensor it was given, in its dtype and shape, and
that refgrad warns no category torch does not for the same call. The distribution check runs on declared cases
only: its statistical test rejects a correct initializer with probability SIGNIFICANCE per case, so it runs at fixed
seeds (a deterministic verdict), never on cases Hypothesis draws afresh under the dev and thorough profiles. The exact
and property checks have no such false alarms, so they also run on ``draw``'s Hypothesis cases.

Columns of a distribution Record: ``max_abs_err`` the KS statistic D, ``atol`` the D at which the p-value reaches
SIGNIFICANCE (the pass rule itself is p > SIGNIFICANCE; p is in the note); ``max_rel_err`` refgrad's sample variance's
relative distance from the formula, ``rtol`` the BOUND_SE standard errors allowed, relative. A property Record:
``max_abs_err`` (and ``max_rel_err``) the largest violation in refgrad's sample, ``atol`` the violation allowed.
"""
from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import metrics
from .records import Record
from .spec import _short
from .statistics import ks_p_value, ks_statistic

SIGNIFICANCE = 1e-3  # a distribution differs from torch's when the KS test rejects at this level (fixed seeds)
BOUND_SE = 5.0  # a sample variance further than this many standard errors from the formula fails
EXACT_FILL = 7  # an exact check initializes a tensor full of this, so that zeros_, eye_'s zeros, ... must write


# ---- the statistics (the KS test itself: oracle.statistics) -----------------------------------------------------
def _ks_scale(n: int, m: int) -> float:
    """λ = scale·D in Stephens' approximation of ks_p_value, n_e = n·m/(n+m)."""
    effective = n * m / (n + m)
    return math.sqrt(effective) + 0.12 + 0.11 / math.sqrt(effective)


def ks_critical_statistic(n: int, m: int, significance: float = SIGNIFICANCE) -> float:
    """The D at which ks_p_value falls to ``significance`` (Q's first term, 2·exp(-2λ²), which the others change by
    far less than a part in 10⁶ there): the tolerance column of a distribution Record."""
    return math.sqrt(-0.5 * math.log(significance / 2)) / _ks_scale(n, m)


def variance_error(values: np.ndarray, mean: float, variance: float) -> tuple[float, float]:
    """(sample variance about the known mean - the formula's variance, its standard error): the standard error of
    a mean of squares, √((E d⁴ - (E d²)²) / n), estimated from the sample."""
    d2 = (np.ravel(values).astype(np.float64) - mean) ** 2
    return float(np.mean(d2) - variance), math.sqrt((np.mean(d2**2) - np.mean(d2) ** 2) / d2.size)


# ---- the declarations --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class InitCase:
    """One call: ``init.<name>(tensor of shape, *args, **kwargs)`` (calculate_gain: ``init.calculate_gain(*args,
    **kwargs)``). ``moments``: the (mean, variance) the formula gives, for the distribution check. ``seed``: the
    seed of both libraries' generators for a declared random case."""

    shape: tuple = ()
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    moments: tuple | None = None
    seed: int = 0

    def shapes(self) -> str:
        return "x".join(map(str, self.shape)) or "()"

    def params(self) -> str:
        return ", ".join([_short(a) for a in self.args] + [f"{k}={_short(v)}" for k, v in self.kwargs.items()])


@dataclass(frozen=True)
class InitErrorCase:
    """A bad call, ``call(init module, make)`` with ``make(*shape, dtype=np.float32)`` making a zero tensor of the
    module's library: torch raises, and refgrad raises the same class with the same message."""

    id: str
    call: Callable[[Any, Callable], Any]


@dataclass
class InitSpec:
    name: str  # refgrad.nn.init.<name> (and torch.nn.init.<name>)
    check: str  # "exact" (deterministic: equals torch) or "distribution" (random: KS against torch + moments)
    cases: tuple = ()  # declared InitCases of the exact or distribution check
    dtypes: tuple = ("float32", "float64")
    draw: Callable | None = None  # dtype -> Hypothesis strategy of InitCases for the exact or property check
    # the property check: structure(values, case, dtype) -> (largest violation, violation allowed, what is checked),
    # on refgrad's and torch's samples alike: the structure torch guarantees
    structure: Callable | None = None
    structure_cases: tuple = ()  # declared cases of the property check (each at its own seed)
    tensor: bool = True  # False: a function of its arguments (calculate_gain), not a tensor initializer
    error_cases: tuple = ()
    family: str = "init"
    notes: str = ""
    known_failures: dict = field(default_factory=dict)  # {check or (check, dtype): reason}: strict xfails

    def __post_init__(self):
        if self.check not in ("exact", "distribution"):
            raise ValueError(f"{self.id}: check must be 'exact' or 'distribution', got {self.check!r}")
        if self.check == "distribution" and any(c.moments is None for c in self.cases):
            raise ValueError(f"{self.id}: every distribution case needs the formula's moments (mean, variance)")
        if self.structure_cases and self.structure is None:
            raise ValueError(f"{self.id}: structure_cases without a structure to check")
        if self.structure is not None and self.check != "distribution":
            raise ValueError(f"{self.id}: a property is checked on random initializers only")
        if self.draw is not None and self.check == "distribution" and self.structure is None:
            raise ValueError(f"{self.id}: drawn cases run the exact and property checks only (see the module doc)")
        for key, reason in self.known_failures.items():
            if not reason:
                raise ValueError(f"{self.id}: known_failures[{key!r}] must say why")
        ids = [e.id for e in self.error_cases]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.id}: duplicate error case ids {sorted({i for i in ids if ids.count(i) > 1})}")

    @property
    def id(self) -> str:
        return f"nn.init.{self.name}"

    @property
    def checks(self) -> tuple:
        return (self.check,) + (("property",) if self.structure is not None else ())

    def declared(self, check: str) -> tuple:
        return self.structure_cases if check == "property" else self.cases

    def known_failure(self, check: str, dtype: str) -> str:
        return self.known_failures.get((check, dtype)) or self.known_failures.get(check, "")

    def strategy(self, dtype: str):
        """draw's strategy for a dtype name, made once."""
        cache = self.__dict__.setdefault("_strategies", {})
        if dtype not in cache:
            cache[dtype] = self.draw(dtype)
        return cache[dtype]


# ---- calling both libraries ----------------------------------------------------------------------------------
def _module(lib: str):
    """torch.nn.init or refgrad.nn.init."""
    if lib == "torch":
        import torch.nn.init as init
    else:
        import refgrad.nn.init as init
    return init


def _make(lib: str, shape: tuple, dtype: str, fill):
    if lib == "torch":
        import torch

        return torch.full(shape, fill, dtype=getattr(torch, dtype))
    import refgrad

    return refgrad.full(shape, fill, dtype=np.dtype(dtype))


def _generator(lib: str, seed: int):
    if lib == "torch":
        import torch

        return torch.Generator().manual_seed(seed)
    import refgrad

    return refgrad.Generator().manual_seed(seed)


def call(spec: InitSpec, case: InitCase, lib: str, dtype: str, seed: int | None = None):
    """(the result, the tensor initialized or None, the warning categories raised): ``lib`` is "torch" or "refgrad";
    a random initializer draws through a generator seeded with ``seed``."""
    fn = getattr(_module(lib), spec.name)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if not spec.tensor:
            return fn(*case.args, **case.kwargs), None, {w.category for w in caught}
        tensor = _make(lib, case.shape, dtype, EXACT_FILL if seed is None else 0)
        kwargs = case.kwargs if seed is None else {**case.kwargs, "generator": _generator(lib, seed)}
        result = fn(tensor, *case.args, **kwargs)
    return result, tensor, {w.category for w in caught}


def _refgrad_call(spec, case, dtype, seed):
    """(call()'s result in refgrad, None), or (None, the exception it raised). torch's own exceptions propagate: a
    call torch refuses is a mistake of the spec, not a finding."""
    try:
        return call(spec, case, "refgrad", dtype, seed), None
    except Exception as error:  # noqa: BLE001 (a refgrad failure is a failing Record, not a crash of the harness)
        return None, error


def _tensor_problems(result, tensor, warned, torch_warned, case: InitCase, dtype: str) -> list[str]:
    """What a tensor initializer got wrong beyond its values: not returning its tensor, its dtype or shape changed,
    a warning torch does not give."""
    problems = []
    if result is not tensor:
        problems.append("does not return the tensor it was given")
    values = np.asarray(tensor)
    if values.dtype != np.dtype(dtype) or values.shape != tuple(case.shape):
        problems.append(f"the tensor became {values.dtype} {values.shape}, not {dtype} {tuple(case.shape)}")
    extra = sorted(c.__name__ for c in warned - torch_warned)
    if extra:
        problems.append(f"refgrad warns {extra}, torch does not")
    return problems


def _record(spec, case, check, dtype, seed, errs: metrics.Errors, rtol, atol, notes) -> Record:
    return Record(op=spec.id, family=spec.family, check=check, dtype=dtype, shapes=case.shapes() if spec.tensor else "",
                  params=case.params(), n_elements=errs.n_elements, max_abs_err=errs.max_abs_err,
                  max_rel_err=errs.max_rel_err, max_ulp=errs.max_ulp, rtol=rtol, atol=atol, passed=errs.passed,
                  seed="" if seed is None else str(seed), note="; ".join(n for n in [errs.note, *notes] if n))


def _refused(spec, case, check, dtype, seed, error) -> Record:
    return _record(spec, case, check, dtype, seed, metrics.Errors(math.inf, math.inf, math.inf, 0, False), 0.0, 0.0,
                   [f"refgrad raises {type(error).__name__}: {error}"])


# ---- the checks ----------------------------------------------------------------------------------------------------
def check_exact(spec: InitSpec, case: InitCase, dtype: str, seed: int | None = None) -> Record:
    """refgrad's result equals torch's: the same bits, dtype and shape (a number: the same value and Python type).
    ``seed`` is unused (a deterministic initializer draws nothing); it keeps the checks' one signature."""
    theirs, _, torch_warned = call(spec, case, "torch", dtype, None)
    ours_call, error = _refgrad_call(spec, case, dtype, None)
    if error is not None:
        return _refused(spec, case, "exact", dtype, None, error)
    ours, tensor, warned = ours_call
    if not spec.tensor:
        same = type(ours) is type(theirs) and (ours == theirs or (math.isnan(ours) and math.isnan(theirs)))
        diff = abs(float(ours) - float(theirs)) if not same else 0.0
        note = "" if same else f"refgrad {ours!r} ({type(ours).__name__}), torch {theirs!r} ({type(theirs).__name__})"
        return _record(spec, case, "exact", dtype, None, metrics.Errors(diff, diff, diff, 1, same, note), 0.0, 0.0, [])
    errs = metrics.compare_strict(np.asarray(tensor), theirs.numpy(), 0.0, 0.0)
    problems = _tensor_problems(ours, tensor, warned, torch_warned, case, dtype)
    if problems:
        errs = metrics.Errors(errs.max_abs_err, errs.max_rel_err, errs.max_ulp, errs.n_elements, False, errs.note)
    return _record(spec, case, "exact", dtype, None, errs, 0.0, 0.0, problems)


def check_distribution(spec: InitSpec, case: InitCase, dtype: str, seed: int | None = None) -> Record:
    """refgrad's sample against torch's (each library's generator at ``case.seed``): the KS test, and both samples'
    variances about the formula's mean within BOUND_SE standard errors of the formula's variance (torch's own
    sample must meet the formula too, or the formula is wrong)."""
    seed = case.seed if seed is None else seed
    theirs, _, torch_warned = call(spec, case, "torch", dtype, seed)
    ours_call, error = _refgrad_call(spec, case, dtype, seed)
    if error is not None:
        return _refused(spec, case, "distribution", dtype, seed, error)
    result, tensor, warned = ours_call
    ours, theirs = np.asarray(tensor), theirs.numpy()
    mean, variance = case.moments
    statistic, p_value = ks_statistic(ours, theirs), ks_p_value(ours, theirs)
    ours_off, ours_se = variance_error(ours, mean, variance)
    theirs_off, theirs_se = variance_error(theirs, mean, variance)
    problems = _tensor_problems(result, tensor, warned, torch_warned, case, dtype)
    if abs(theirs_off) > BOUND_SE * theirs_se:
        problems.append(f"torch's own sample misses the formula: variance {variance + theirs_off:.6g}, formula "
                        f"{variance:.6g} ± {BOUND_SE:g}·{theirs_se:.3g}")
    passed = p_value > SIGNIFICANCE and abs(ours_off) <= BOUND_SE * ours_se and not problems
    note = (f"KS p={p_value:.3g} (n={ours.size} vs torch's {theirs.size}); variance {variance + ours_off:.6g}, "
            f"formula {variance:.6g} ± {BOUND_SE:g}·{ours_se:.3g}")
    errs = metrics.Errors(statistic, abs(ours_off) / variance, math.nan, ours.size, passed, note)
    return _record(spec, case, "distribution", dtype, seed, errs, BOUND_SE * ours_se / variance,
                   ks_critical_statistic(ours.size, theirs.size), problems)


def check_property(spec: InitSpec, case: InitCase, dtype: str, seed: int | None = None) -> Record:
    """The structure torch guarantees holds in refgrad's sample (and in torch's, which shows the property is
    torch's): ``spec.structure(values, case, dtype) -> (violation, allowed, what)``."""
    seed = case.seed if seed is None else seed
    theirs, _, torch_warned = call(spec, case, "torch", dtype, seed)
    ours_call, error = _refgrad_call(spec, case, dtype, seed)
    if error is not None:
        return _refused(spec, case, "property", dtype, seed, error)
    result, tensor, warned = ours_call
    ours = np.asarray(tensor)
    violation, allowed, what = spec.structure(ours, case, dtype)
    torch_violation, _, _ = spec.structure(theirs.numpy(), case, dtype)
    problems = _tensor_problems(result, tensor, warned, torch_warned, case, dtype)
    if torch_violation > allowed:
        problems.append(f"torch's own sample violates it by {torch_violation:.3g}")
    passed = violation <= allowed and not problems
    note = f"{what}: largest violation {violation:.3g} (allowed {allowed:.3g})"
    errs = metrics.Errors(violation, violation, math.nan, ours.size, passed, note)
    return _record(spec, case, "property", dtype, seed, errs, 0.0, allowed, problems)


CHECKS = {"exact": check_exact, "distribution": check_distribution, "property": check_property}


def init_error_case(spec: InitSpec, error_case: InitErrorCase) -> list[str]:
    """The problems with a bad call: torch must raise (else the case is wrong), refgrad the same class with the same
    message."""
    import torch

    import refgrad

    def make(library, dtypes):
        return lambda *shape, dtype=np.float32: library.zeros(shape, dtype=dtypes(dtype))

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            error_case.call(_module("torch"), make(torch, lambda d: getattr(torch, np.dtype(d).name)))
        except Exception as error:  # noqa: BLE001
            theirs = error
        else:
            return [f"{spec.id} {error_case.id}: torch accepts the call: the case is wrong"]
        try:
            error_case.call(_module("refgrad"), make(refgrad, np.dtype))
        except Exception as error:  # noqa: BLE001
            ours = error
        else:
            return [f"{spec.id} {error_case.id}: refgrad accepts it; torch raises {type(theirs).__name__}: {theirs}"]
    problems = []
    if type(ours) is not type(theirs):
        problems.append(f"refgrad raises {type(ours).__name__}, torch {type(theirs).__name__}")
    if str(ours) != str(theirs):
        problems.append(f"refgrad says {str(ours)!r}, torch {str(theirs)!r}")
    return problems
