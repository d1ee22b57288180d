"""The oracle for your own code: check a function you wrote, a torch one (a custom ``torch.autograd.Function``
included), a refgrad one, or both as twins, with the checks and Records refgrad's own ops get.

One call, in the spirit of ``torch.autograd.gradcheck`` and ``gradgradcheck``::

    result = oracle.check(SoftplusSquared.apply, inputs=(x,))                  # example inputs, or
    result = oracle.check(SoftplusSquared.apply, strategy=S.arrays(np.float64, S.shapes(), S.REAL))
    print(result)                 # a table: check, dtype, cases, max errors, tolerance, result
    result.raise_on_failure()     # or check(..., raise_exception=True)

and a pytest form, one test per check and dtype with Hypothesis examples, Records written through the
``oracle_records`` fixture (so ``pytest --report-dir DIR`` reports them)::

    test_softplus_squared = oracle.pytest_checks(SoftplusSquared.apply, strategy=..., twin=softplus_squared)

Which library a function belongs to is told from what it returns (a torch or a refgrad tensor). Whichever
sides exist are checked, each alone in float64 (its Record's op is ``name[torch]`` or ``name[refgrad]``):

| check                   | compares                                                                  |
|-------------------------|---------------------------------------------------------------------------|
| vjp_numeric             | its gradients for a random cotangent vs numerical derivatives of its own   |
|                         | forward (Richardson-extrapolated central differences; points within a step |
|                         | of a kink detected and excluded, counted in the note)                      |
| jvp (+ jvp_adjoint)     | its forward mode (torch's dual tensors, refgrad.func.jvp) vs a numerical   |
|                         | directional derivative, and ⟨Jv,u⟩ = ⟨v,Jᵀu⟩ against its reverse mode        |
| double_backward_numeric | the gradient of ⟨Jᵀu, w⟩ (backward of backward) vs numerical derivatives   |
|                         | of its backward                                                            |

and, given a twin in the other library, the two against each other as refgrad's ops are against torch's:
``forward`` and ``vjp_torch`` (gradients for one random cotangent, dtypes included), in float32 and float64
(Record op ``name``). A check that raises is a failing Record of status "error" (``records.error_record``).

How gradcheck's options map:

- ``check_backward_ad=True`` (gradcheck's core): ``vjp_numeric``, always on unless ``check_backward_ad=False``.
- ``check_forward_ad``: ``jvp``. gradcheck's default is False; here None (the default) checks forward mode where
  the function has one and reports "not available" (a pytest skip saying why) where it has none, a custom
  ``autograd.Function`` without ``jvp``; True makes a missing forward mode a failure; False leaves it out.
- ``gradgradcheck``: ``double_backward_numeric`` (``check_double_backward=False`` leaves it out).
- ``fast_mode``: the oracle forms the whole numerical Jacobian up to 48 input elements and checks 3 random
  projections uᵀJv beyond (``checks.FULL_JACOBIAN_MAX``, ``checks.N_DIRECTIONS``); gradcheck's fast mode checks
  one projection, its slow mode the whole Jacobian whatever the size.
- ``atol``/``rtol``: the defaults of ``oracle.tolerances`` (vjp_numeric and jvp: rtol 1e-7, atol 1e-8 in
  float64, which catch a 1e-5 relative error in a backward that gradcheck's atol 1e-5, rtol 1e-3 let through);
  ``tolerances={(check, dtype): Tol(rtol, atol, reason)}`` overrides one, and a looser one must say why.
- ``check_grad_dtypes``: the twin's ``vjp_torch`` compares gradient dtypes; a side checked alone is not.
- ``nondet_tol``, ``check_undefined_grad``, ``check_batched_grad``: no counterpart.
- ``raise_exception``: the same (default False here: the result says what failed).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import checks
from .records import Record, describe, error_record
from .spec import Case, OpSpec

SIDE_CHECKS = ("vjp_numeric", "jvp", "double_backward_numeric")  # each side alone, float64
TWIN_CHECKS = (("forward", "float32"), ("forward", "float64"), ("vjp_torch", "float32"), ("vjp_torch", "float64"))
LIBRARIES = ("torch", "refgrad")


class OracleCheckError(AssertionError):
    """A user's function failed one of the oracle's checks (the message names each failing check)."""


@dataclass(frozen=True)
class Job:
    """One check of one spec in one dtype: a test of the pytest form, a group of the result's table."""

    role: str  # "fn", "twin" (that side alone) or "both" (the two against each other)
    check: str
    dtype: str

    @property
    def id(self) -> str:
        return f"{'twin-' if self.role == 'twin' else ''}{self.check}-{self.dtype}"


@dataclass
class UserSpec:
    """A user's function and how to check it.

    fn, twin: the function and, optionally, its version in the other library (torch <-> refgrad); each takes
    tensors (and any other arguments) and returns a tensor or a tuple of them.
    inputs: one call's arguments (arrays, torch or refgrad tensors, numbers), or a single array.
    strategy: instead, a Hypothesis strategy of such arguments (an array, a tuple, or an ``oracle.spec.Case``),
    or a function dtype -> strategy (see ``oracle.strategies``). Float arrays are cast to each check's dtype.
    grad_args: positions (among the array arguments) that get gradients; default every float one.
    tolerances: {(check, dtype): Tol} overriding ``oracle.tolerances``' defaults (a looser one says why).
    check_forward_ad, check_backward_ad, check_double_backward: which checks run (see this module's docstring).
    """

    fn: Callable
    inputs: Any = None
    strategy: Any = None
    twin: Callable | None = None
    name: str = ""
    grad_args: tuple | None = None
    tolerances: dict = field(default_factory=dict)
    check_forward_ad: bool | None = None
    check_backward_ad: bool = True
    check_double_backward: bool = True
    family: str = "user"
    seed: int = 0

    def __post_init__(self):
        if (self.inputs is None) == (self.strategy is None):
            raise ValueError("give the inputs to check with: inputs=(example arguments) or strategy=(a Hypothesis "
                             "strategy of them), one of the two")
        self.name = self.name or _name(self.fn)
        self._libraries: dict[str, str] = {}
        OpSpec(self.name, None, tolerances=self.tolerances)  # validates the tolerances (reasons for looser ones)

    # ---- what runs ----------------------------------------------------------------------------------------
    def jobs(self) -> list[Job]:
        side = [c for c, on in zip(SIDE_CHECKS, (self.check_backward_ad, self.check_forward_ad is not False,
                                                 self.check_double_backward)) if on]
        roles = ("fn", "twin") if self.twin is not None else ("fn",)
        jobs = [Job(role, c, "float64") for role in roles for c in side]
        if self.twin is not None:
            jobs += [Job("both", c, d) for c, d in TWIN_CHECKS]
        return jobs

    def cases(self, dtype: str):
        """The Hypothesis strategy of Cases for a check in dtype."""
        from hypothesis import strategies as st
        from hypothesis.strategies import SearchStrategy

        if self.strategy is None:
            base = st.just(self.inputs)
        elif isinstance(self.strategy, SearchStrategy):
            base = self.strategy
        else:
            base = self.strategy(np.dtype(dtype))
        return base.map(lambda value: in_dtype(as_case(value), dtype))

    def example(self, dtype: str) -> Case:
        return in_dtype(as_case(self.inputs), dtype)

    def run(self, job: Job, case: Case, seed: int, reraise: bool = False) -> list[Record]:
        """The Records of job on case, a check that raised as an error Record (or, with reraise, raising). Raises
        checks.NoForwardMode where forward mode is missing and allowed to be, TypeError where a function is neither
        torch's nor refgrad's (or both are the same library's)."""
        libs = {role: self.library(role, case) for role in (("fn", "twin") if job.role == "both" else (job.role,))}
        try:
            if job.role == "both":
                return checks.CHECKS[job.check](self._twin_spec(case), case, job.dtype, seed)
            lib = libs[job.role]
            spec = self._side_spec(self.fn if job.role == "fn" else self.twin, lib)
            if job.check == "double_backward_numeric":
                return [double_backward_numeric(spec, case, job.dtype, seed, lib)]
            return checks.CHECKS[job.check](spec, case, job.dtype, seed, lib)
        except Exception as e:  # noqa: BLE001 - a check that raised is a failing Record, never dropped
            if reraise or (isinstance(e, checks.NoForwardMode) and self.check_forward_ad is None):
                raise
            return [self.error(e, job, case, seed)]

    def error(self, exc, job: Job, case: Case, seed: int) -> Record:
        op = self.name if job.role == "both" else f"{self.name}[{self._libraries.get(job.role, job.role)}]"
        return error_record(exc, op=op, family=self.family, check=job.check, dtype=job.dtype, shapes=case.shapes(),
                            params=case.params(), seed=str(seed), example=case.example())

    # ---- the sides ----------------------------------------------------------------------------------------
    def library(self, role: str, case: Case) -> str:
        """"torch" or "refgrad": what fn (role "fn") or twin returns, found once."""
        if role not in self._libraries:
            lib = library_of(self.fn if role == "fn" else self.twin, case)
            other = self._libraries.get("twin" if role == "fn" else "fn")
            if other == lib:
                raise TypeError(f"{self.name}: the function and its twin are both {lib} functions; a twin is the "
                                f"other library's version")
            self._libraries[role] = lib
        return self._libraries[role]

    def _side_spec(self, fn, lib: str) -> OpSpec:
        return OpSpec(self.name, None, variant=lib, ref=fn if lib == "refgrad" else None,
                      torch=fn if lib == "torch" else None, grad_args=self.grad_args, tolerances=self.tolerances,
                      family=self.family)

    def _twin_spec(self, case: Case) -> OpSpec:
        fns = {self.library("fn", case): self.fn, self.library("twin", case): self.twin}
        return OpSpec(self.name, None, ref=fns["refgrad"], torch=fns["torch"], grad_args=self.grad_args,
                      tolerances=self.tolerances, family=self.family)


def _name(fn) -> str:
    owner = getattr(fn, "__self__", None)  # SoftplusSquared.apply -> "SoftplusSquared"
    if isinstance(owner, type):
        return owner.__name__
    return getattr(fn, "__name__", None) or type(fn).__name__


def library_of(fn, case: Case) -> str:
    """"torch" or "refgrad": the library whose tensors fn returns when called on that library's float64 tensors
    (torch is tried first; a missing torch is no error)."""
    failures = []
    for lib in LIBRARIES:
        try:
            with checks._no_grad(lib):
                outs, _ = checks.CALLS[lib](OpSpec("user", None, ref=fn, torch=fn), in_dtype(case, "float64"))
        except Exception as e:  # noqa: BLE001 - a function of the other library may fail on these tensors
            failures.append(f"on {lib} tensors it raises {type(e).__name__}: {e}")
            continue
        if any(type(o).__module__.split(".")[0] == lib for o in outs):
            return lib
        failures.append(f"on {lib} tensors it returns {', '.join(type(o).__name__ for o in outs)}")
    raise TypeError(f"{_name(fn)} is neither a torch nor a refgrad function: " + "; ".join(failures))


def as_case(value) -> Case:
    """Example arguments as a Case: a Case as it is, a tuple as the positional arguments, anything else as the one
    argument; torch and refgrad tensors become ndarrays (copies)."""
    if isinstance(value, Case):
        return value
    args = value if isinstance(value, tuple) else (value,)
    return Case(tuple(_to_array(a) for a in args))


def _to_array(a):
    if hasattr(a, "detach") and hasattr(a, "numpy"):  # a torch or refgrad tensor
        return np.array(a.detach().numpy())
    return a


def in_dtype(case: Case, dtype: str) -> Case:
    """The case with its float arrays cast to dtype (other arrays and arguments unchanged)."""
    args, kwargs = case.build(lambda i, a: a.astype(dtype) if a.dtype.kind == "f" else a)
    return Case(tuple(args), kwargs)


# ---- gradgradcheck's role for one side alone -----------------------------------------------------------------
def double_backward_numeric(spec: OpSpec, case: Case, dtype: str, seed: int, lib: str) -> Record:
    """x -> Jᵀ(x)u, the backward pass for a fixed random cotangent u, is itself a function: its reverse-mode
    derivative (the gradient of ⟨Jᵀu, w⟩ with the first gradient's graph kept) against numerical derivatives of
    it, as vjp_numeric checks the first derivative against the forward."""
    rng = np.random.default_rng(seed)
    flat = checks._Flattened(spec, case, lib)
    outs, _ = checks.CALLS[lib](spec, case, flat.gl)
    idx = [k for k in checks._differentiable(outs) if checks._array(outs[k]).dtype.kind == "f"]
    cts = checks._cotangents(outs, idx, dtype, rng)
    w = rng.standard_normal(flat.x.size)

    def backward(x: np.ndarray, create_graph: bool = False):
        values = flat.split(x)
        outs, leaves = checks.CALLS[lib](spec, Case(*case.build(lambda i, a: values.get(i, a))), flat.gl)
        grads = checks.VJPS[lib](outs, leaves, idx, cts, create_graph=create_graph)
        return leaves, grads

    def gradient(x: np.ndarray) -> np.ndarray:
        _, grads = backward(x)
        return _concat(grads, flat.shapes)

    leaves, grads = backward(flat.x, create_graph=True)
    ws = flat.split(w)
    terms = [(g * checks._library_tensor(lib, ws[i])).sum() for i, g in zip(flat.gl, grads)
             if g is not None and g.requires_grad]
    second = [None] * len(leaves)
    if terms:  # otherwise the gradient does not depend on x: the second derivative is zero
        total = terms[0]
        for t in terms[1:]:
            total = total + t
        second = _grad(lib)(total, leaves, allow_unused=True)
    tol = spec.tol("double_backward_numeric", dtype)
    errs, note = checks.numeric_vjp_errors(gradient, flat.x, _concat(second, flat.shapes), w, tol, rng)
    return checks._record(spec, case, "double_backward_numeric", dtype, errs, tol, seed, note)


def _concat(grads, shapes) -> np.ndarray:
    parts = [np.zeros(s).ravel() if g is None else np.asarray(checks._array(g), np.float64).ravel()
             for g, s in zip(grads, shapes)]
    return np.concatenate(parts) if parts else np.zeros(0)


def _grad(lib: str):
    if lib == "refgrad":
        import refgrad

        return refgrad.autograd.grad
    import torch

    return torch.autograd.grad


# ---- the result ----------------------------------------------------------------------------------------------
@dataclass
class CheckResult:
    """What ``check`` found: the Records, and one row per (op, check, dtype) when printed."""

    name: str
    records: list = field(default_factory=list)
    unavailable: dict = field(default_factory=dict)  # (op, check) -> why it could not run (no forward mode)

    @property
    def passed(self) -> bool:
        return all(r.passed for r in self.records)

    def rows(self) -> list[dict]:
        groups: dict[tuple, list[Record]] = {}
        for r in self.records:
            groups.setdefault((r.op, r.check, r.dtype), []).append(r)
        return [{"op": op, "check": check, "dtype": dtype, "cases": len(rs),
                 "failed": sum(not r.passed for r in rs), "max_abs_err": max(r.max_abs_err for r in rs),
                 "max_rel_err": max(r.max_rel_err for r in rs), "rtol": max(r.rtol for r in rs),
                 "atol": max(r.atol for r in rs), "passed": all(r.passed for r in rs)}
                for (op, check, dtype), rs in groups.items()]

    def __str__(self) -> str:
        rows = self.rows()
        failing = sum(not r["passed"] for r in rows)
        head = f"oracle.check({self.name}): " + (f"FAILED {failing} of {len(rows)}" if failing else
                                                 f"passed {len(rows)} of {len(rows)}")
        width = max([len(r["op"]) for r in rows] + [len(self.name) + 2, 2])
        lines = [head, f"{'op':{width}}  {'check':23}  {'dtype':7}  {'cases':>5}  {'max_abs_err':>11}  "
                       f"{'max_rel_err':>11}  {'rtol':>7}  {'atol':>7}  result"]
        for r in rows:
            result = "passed" if r["passed"] else f"FAILED ({r['failed']} of {r['cases']})"
            lines.append(f"{r['op']:{width}}  {r['check']:23}  {r['dtype']:7}  {r['cases']:>5}  "
                         f"{r['max_abs_err']:>11.2e}  {r['max_rel_err']:>11.2e}  {r['rtol']:>7.0e}  "
                         f"{r['atol']:>7.0e}  {result}")
        lines += [f"{op} {check}: not available ({why})" for (op, check), why in self.unavailable.items()]
        return "\n".join(lines)

    def failure_message(self) -> str:
        """Each failing (op, check, dtype) with its worst Record: the errors, the tolerance and the inputs."""
        worst: dict[tuple, Record] = {}
        for r in self.records:
            key = (r.op, r.check, r.dtype)
            if not r.passed and (key not in worst or _badness(r) > _badness(worst[key])):
                worst[key] = r
        return "\n".join([f"oracle.check({self.name}): {len(worst)} check(s) failed"] +
                         [describe(r) for r in worst.values()])

    def raise_on_failure(self) -> CheckResult:
        if not self.passed:
            raise OracleCheckError(self.failure_message())
        return self


def _badness(r: Record) -> tuple:
    return (r.status == "error", r.max_rel_err if r.max_rel_err == r.max_rel_err else np.inf)


# ---- the one call ----------------------------------------------------------------------------------------
def check(fn: Callable, inputs: Any = None, *, strategy: Any = None, twin: Callable | None = None,
          examples: int = 20, raise_exception: bool = False, **options) -> CheckResult:
    """Checks fn (and its twin) on example ``inputs`` or on ``examples`` Hypothesis examples of ``strategy``;
    returns a CheckResult (printing as a table) and, with raise_exception, raises OracleCheckError naming each
    failing check, its dtype, errors and inputs. ``options`` are UserSpec's (name, grad_args, tolerances,
    check_forward_ad, check_backward_ad, check_double_backward, seed). See this module's docstring for the checks
    and how gradcheck's options map to them. The Records are ``result.records``: inside a pytest test,
    ``oracle_records.write(result.records)`` puts them in the ``--report-dir`` report."""
    spec = UserSpec(fn, inputs=inputs, strategy=strategy, twin=twin, **options)
    result = CheckResult(spec.name)
    for dtype in dict.fromkeys(job.dtype for job in spec.jobs()):
        jobs = [job for job in spec.jobs() if job.dtype == dtype]
        if spec.strategy is None:
            _run_jobs(spec, jobs, spec.example(dtype), spec.seed, result)
        else:
            _hypothesis_run(spec, jobs, dtype, examples, result)
    # a check found unavailable on one example keeps no records of the examples that had nothing to compare
    result.records = [r for r in result.records if (r.op, r.check.removesuffix("_adjoint")) not in result.unavailable]
    return result.raise_on_failure() if raise_exception else result


def _run_jobs(spec: UserSpec, jobs: list[Job], case: Case, seed: int, result: CheckResult) -> None:
    for job in jobs:
        try:
            result.records += spec.run(job, case, seed)
        except checks.NoForwardMode as e:
            result.unavailable[(f"{spec.name}[{spec._libraries.get(job.role)}]", job.check)] = str(e)


def _hypothesis_run(spec: UserSpec, jobs: list[Job], dtype: str, examples: int, result: CheckResult) -> None:
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as hypothesis_seed
    from hypothesis import strategies as st

    cases = spec.cases(dtype)

    @hypothesis_seed(spec.seed)
    @settings(max_examples=examples, database=None, deadline=None, phases=(Phase.explicit, Phase.generate),
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def run(data):
        case = data.draw(cases, label="case")
        seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
        _run_jobs(spec, jobs, case, seed, result)

    run()


# ---- the pytest form -------------------------------------------------------------------------------------
def pytest_checks(fn: Callable | UserSpec, inputs: Any = None, **options):
    """A pytest test function, one test per check and dtype: in a test file,

        test_softplus_squared = oracle.pytest_checks(SoftplusSquared.apply, strategy=..., twin=...)

    Each test runs Hypothesis examples (the active profile's number; shrinking a failure), writes its Records
    through the ``oracle_records`` fixture (``--report-dir``) and fails printing the failing Records as refgrad's
    own op tests do. A missing forward mode (check_forward_ad=None) is a skip saying why."""
    import pytest
    from hypothesis import Phase, given, settings
    from hypothesis import strategies as st

    from .execution import hypothesis_phase

    spec = fn if isinstance(fn, UserSpec) else UserSpec(fn, inputs=inputs, **options)
    jobs = spec.jobs()

    @pytest.mark.parametrize("job", jobs, ids=[job.id for job in jobs])
    def test(job, oracle_records):
        cases = spec.cases(job.dtype)
        seeds = st.integers(0, 2**32 - 1) if spec.strategy is not None else st.just(spec.seed)

        # numerical Jacobians take their time; explaining a failure traces every line of torch (minutes), and
        # the failing Records say what went wrong; the rest is the user's profile
        @settings(deadline=None, phases=[p for p in settings.default.phases if p != Phase.explain])
        @given(data=st.data())
        def run(data):
            case = data.draw(cases, label="case")
            seed = data.draw(seeds, label="seed")
            try:
                records = spec.run(job, case, seed, reraise=True)
            except Exception as e:
                if isinstance(e, checks.NoForwardMode) and spec.check_forward_ad is None:
                    pytest.skip(f"{spec.name} has no forward mode AD: {e}")
                error = spec.error(e, job, case, seed)
                error.phase = hypothesis_phase()
                oracle_records.write([error])  # reported, and raised with its traceback
                raise
            for r in records:
                r.phase = hypothesis_phase()  # so the report counts examples apart from shrink attempts
            oracle_records.write(records)
            failed = [r for r in records if not r.passed]
            assert not failed, "\n".join(describe(r) for r in failed)

        run()

    test.__name__ = f"test_{spec.name}"
    return test


__all__ = ["CheckResult", "Job", "OracleCheckError", "UserSpec", "check", "library_of", "pytest_checks"]
