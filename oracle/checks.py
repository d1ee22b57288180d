"""The check kinds. Each runs one Case of one OpSpec and returns Records (one per comparison).

| check           | compares                                                              | dtypes   |
|-----------------|-----------------------------------------------------------------------|----------|
| forward         | refgrad outputs vs torch outputs                                      | f32, f64 |
| vjp_torch       | input gradients for a random cotangent vs torch.autograd.grad         | f32, f64 |
| vjp_numeric     | those gradients vs numerical derivatives of refgrad's own forward     | f64      |
| jvp             | forward-mode Jv vs a numerical directional derivative (+ jvp_adjoint: | f64      |
|                 | ⟨Jv,u⟩ = ⟨v,Jᵀu⟩ between refgrad's forward and reverse modes)         |          |
| double_backward | gradient of ⟨grad, w⟩ vs torch                                        | f64      |
| kinks           | outputs and gradients exactly at kinks/ties vs torch                  | f32, f64 |
| extremes        | nan, ±inf, ±0, max, subnormal, -max written into float inputs: outputs | f32, f64 |
|                 | and gradients vs torch, NaN/inf/signed-zero placement strict (f32's   |          |
|                 | finite values judged with the f64 truth, as forward's)                |          |
| mutation        | inputs bitwise unchanged after forward and backward                   | f64      |
| method          | x.f(...) equals f(x, ...) bit for bit (derived from the declaration)  | f64      |
| inplace         | x.f_(...) writes f(x, ...) into x, returns x, bumps its version       | f64      |
| alias           | every other placement of f equals f                                   | f64      |

float32 against the float64 truth: forward, vjp_torch and kinks in float32 also run torch in float64 on the same
inputs cast up (exactly) and record refgrad's and torch's relative errors against that truth (``truth_rel_err``,
``torch_truth_rel_err``). A float32 comparison passes when refgrad is within the tolerance of torch, or within the
tolerance of the truth plus TRUTH_FACTOR (4) times torch's own relative error against it (the largest at this input
and at 3 inputs one ulp away): refgrad no less accurate than torch, whatever the conditioning
(metrics.compare_to_truth). extremes does too, for its finite values (its samples one ulp away move only the
finite, nonzero inputs below max); its NaN/inf placement and signed zeros are compared with torch's directly (float32
overflows where float64 does not, so the float64 result is no truth for float32's infinities). Numerical checks
(vjp_numeric, jvp, jvp_adjoint) record no ulp (NaN): their expected value carries the numerical derivative's own
error, not a rounding.

Every check fails on a warning refgrad raises that torch does not raise for the same call (``_no_leaked_warnings``).
``error_case`` runs one OpSpec.error_cases entry (a bad input) through both libraries.
"""
from __future__ import annotations

import contextlib
import dataclasses
import functools
import warnings

import numpy as np

from . import metrics, numeric
from .records import Record
from .spec import SAME_MESSAGE, Case, ErrorCase, OpSpec
from .tolerances import Tol

EXACT = Tol(0.0, 0.0)  # the variant and mutation checks compare two runs of the same code: bit for bit
FULL_JACOBIAN_MAX = 48  # up to this many input elements, the whole numerical Jacobian is formed
N_DIRECTIONS = 3  # beyond it, this many random directions uᵀJv


# ---- warnings: none may leak from refgrad that torch does not raise for the same call -------------------
@dataclasses.dataclass
class _WarningLog:
    """Warnings caught while each library ran, during one check."""

    refgrad: list = dataclasses.field(default_factory=list)
    torch: list = dataclasses.field(default_factory=list)
    torch_ran: bool = False


_log: _WarningLog | None = None


@contextlib.contextmanager
def _watch(lib: str):
    """Catches every warning raised inside the block (so none reaches the user's filters) into the check's log."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            if _log is not None:
                getattr(_log, lib).extend(caught)
                _log.torch_ran |= lib == "torch"


def _leaked(log: _WarningLog) -> list[str]:
    """refgrad's warnings whose category torch did not raise for the same call. Ops that warn on purpose do so
    as torch does (softmax's implicit dim, var's degrees of freedom): compared by category, not blanket-ignored."""
    theirs = {w.category for w in log.torch}
    out = []
    for w in log.refgrad:
        if not any(issubclass(w.category, c) for c in theirs):
            text = f"{w.category.__name__}: {w.message} ({w.filename.rsplit('/', 2)[-1]}:{w.lineno})"
            if text not in out:
                out.append(text)
    return out


def _no_leaked_warnings(check):
    """Wraps a check: a warning refgrad raises that torch does not fails its records, naming the warning. A
    check that never calls torch (numerical derivatives, variant forms) learns torch's from its forward."""

    @functools.wraps(check)
    def run(spec: OpSpec, case: Case, dtype: str, seed: int, *rest) -> list[Record]:
        global _log
        outer, _log = _log, _WarningLog()
        log = _log
        try:
            records = check(spec, case, dtype, seed, *rest)
            if log.refgrad and not log.torch_ran:
                with contextlib.suppress(Exception):
                    _torch_call(spec, case)
        finally:
            _log = outer
        return fail_on_leaks(records, log)

    return run


def fail_on_leaks(records: list[Record], log: _WarningLog) -> list[Record]:
    """Fails every record of a check in whose log refgrad raised a warning that torch did not."""
    leaked = _leaked(log)
    if leaked:
        for r in records:
            r.passed = False
            r.note = "; ".join(n for n in (r.note, "warning leaked from refgrad: " + " | ".join(leaked)) if n)
    return records


# ---- running an op in refgrad and in torch --------------------------------------------------------------
def _refgrad_call(spec: OpSpec, case: Case, grad_leaves=()):
    """Calls the refgrad op; returns (flat outputs, the leaf tensors that require grad)."""
    import refgrad

    made = {}

    def convert(i, a):
        t = refgrad.tensor(a, requires_grad=i in grad_leaves)
        made[i] = t
        # the op sees a non-leaf (an exact copy of the leaf), as inside a model: the graph then keeps a value-less
        # stand-in for an input the op's ``saves`` leaves out, and a vjp that reads it anyway fails here
        return t.clone() if i in grad_leaves else t

    with _watch("refgrad"):
        args, kwargs = case.build(convert)
        return _flat(spec.refgrad_fn()(*args, **kwargs)), [made[i] for i in grad_leaves]


def _torch_call(spec: OpSpec, case: Case, grad_leaves=()):
    import torch

    made = {}

    def convert(i, a):
        t = torch.from_numpy(a.copy()).requires_grad_(i in grad_leaves)
        made[i] = t
        return t

    args, kwargs = case.build(convert)
    kwargs = {k: _torch_dtype(v) for k, v in kwargs.items()}
    args = [_torch_dtype(a) for a in args]
    with _watch("torch"):
        return _flat(spec.torch_fn()(*args, **kwargs)), [made[i] for i in grad_leaves]


def _torch_dtype(v):
    import torch

    return getattr(torch, v.name) if isinstance(v, np.dtype) else v


def _flat(result) -> list:
    if isinstance(result, (tuple, list)):
        return [x for r in result for x in _flat(r)]
    return [result]


def _array(t) -> np.ndarray:
    if t is None:
        return None
    if type(t).__module__.startswith("torch"):
        return t.detach().numpy(force=True)  # force: torch's ZeroTensor (e.g. abs'' ) refuses a plain numpy()
    return np.asarray(t.detach()._data if hasattr(t, "_data") else t)


def _differentiable(outputs) -> list[int]:
    return [k for k, o in enumerate(outputs) if getattr(o, "requires_grad", False)]


def _cotangents(outputs, idx, dtype, rng) -> list[np.ndarray]:
    return [rng.standard_normal(outputs[k].shape).astype(dtype) for k in idx]


def _refgrad_vjp(outs, leaves, idx, cts, create_graph=False):
    import refgrad

    if not idx or not leaves:
        return [None] * len(leaves)
    with _watch("refgrad"):
        return list(refgrad.autograd.grad([outs[k] for k in idx], leaves, [refgrad.tensor(c) for c in cts],
                                          allow_unused=True, create_graph=create_graph))


def _torch_vjp(outs, leaves, idx, cts, create_graph=False):
    import torch

    if not idx or not leaves:
        return [None] * len(leaves)
    with _watch("torch"):
        return list(torch.autograd.grad([outs[k] for k in idx], leaves, [torch.from_numpy(c) for c in cts],
                                        allow_unused=True, create_graph=create_graph))


class NoForwardMode(Exception):
    """The function has no forward-mode derivative (a custom autograd.Function without ``jvp``)."""


def _forward_mode(lib: str, fn, primals: list[np.ndarray], tangents: list[np.ndarray]) -> list:
    """The tangents of fn's outputs (arrays; zeros where an output does not depend on the inputs), by the library's
    forward mode: refgrad.func.jvp, or torch's dual tensors (which, unlike torch.func.jvp, also run an
    old-style autograd.Function that defines ``jvp``)."""
    if lib == "refgrad":
        import refgrad

        try:
            with _watch("refgrad"):
                outs, out_tangents = refgrad.func.jvp(fn, tuple(refgrad.tensor(p) for p in primals),
                                                      tuple(refgrad.tensor(t) for t in tangents))
        except NotImplementedError as e:
            raise NoForwardMode(str(e)) from e
        return [np.zeros(_array(o).shape) if t is None else _array(t) for o, t in zip(_flat(outs), _flat(out_tangents))]
    import torch.autograd.forward_ad as fwad

    try:
        with _watch("torch"), fwad.dual_level():
            outs = fn(*[fwad.make_dual(torch_tensor(p), torch_tensor(t)) for p, t in zip(primals, tangents)])
            duals = [fwad.unpack_dual(o) for o in _flat(outs)]
            return [np.zeros(tuple(d.primal.shape)) if d.tangent is None else _array(d.tangent) for d in duals]
    except NotImplementedError as e:
        raise NoForwardMode(str(e)) from e


def torch_tensor(a: np.ndarray):
    import torch

    return torch.from_numpy(np.array(a))


def _library_tensor(lib: str, a: np.ndarray):
    import refgrad

    return refgrad.tensor(a) if lib == "refgrad" else torch_tensor(a)


CALLS = {"refgrad": _refgrad_call, "torch": _torch_call}
VJPS = {"refgrad": _refgrad_vjp, "torch": _torch_vjp}


def _no_grad(lib: str):
    import refgrad

    if lib == "refgrad":
        return refgrad.no_grad()
    import torch

    return torch.no_grad()


# ---- records ------------------------------------------------------------------------------------------
def _record(spec, case, check, dtype, errs: list[metrics.Errors], tol, seed, note="") -> Record:
    notes = [e.note for e in errs if e.note] + ([note] if note else [])
    errs = errs or [metrics.Errors(0.0, 0.0, 0.0, 0, True)]
    return Record(op=spec.id, family=spec.family, check=check, dtype=dtype, shapes=case.shapes(),
                  params=case.params(), n_elements=sum(e.n_elements for e in errs), **error_fields(errs),
                  rtol=tol.rtol, atol=tol.atol, passed=all(e.passed for e in errs), seed=str(seed),
                  example=case.example(), note="; ".join(notes))


def nanmax(values) -> float:
    """The largest value that is not NaN; NaN when none is (an ulp or a truth error that does not apply)."""
    values = [v for v in values if not np.isnan(v)]
    return max(values) if values else float("nan")


def error_fields(errs: list[metrics.Errors]) -> dict:
    """A Record's error columns: the maxima over its comparisons (NaN ones, not applicable, left out)."""
    return {"max_abs_err": max(e.max_abs_err for e in errs), "max_rel_err": max(e.max_rel_err for e in errs),
            "max_ulp": nanmax(e.max_ulp for e in errs), "truth_rel_err": nanmax(e.truth_rel_err for e in errs),
            "torch_truth_rel_err": nanmax(e.torch_truth_rel_err for e in errs)}


def _compare_lists(actual: list, expected: list, shapes: list, tol, dtype, compare=metrics.compare,
                   truth: list | None = None, resamples=None) -> list[metrics.Errors]:
    """Pairwise comparison; a missing gradient (None) counts as zeros of the leaf's shape. With ``truth`` (torch's
    float64 results for a float32 check), each float32 pair is judged with metrics.compare_to_truth, ``resamples()``
    giving its (torch float32, truth) lists at nearby inputs."""
    if len(actual) != len(expected):
        return [metrics.Errors(np.inf, np.inf, np.inf, 0, False,
                               f"{len(actual)} outputs, torch gives {len(expected)}")]
    judged = truth is not None and len(truth) == len(expected)
    errs = []
    for a, e, t, shape in zip(actual, expected, truth if judged else expected, shapes):
        a = np.zeros(shape, dtype) if a is None else a
        e = np.zeros(shape, dtype) if e is None else e
        if a.dtype != e.dtype:
            errs.append(metrics.Errors(np.inf, np.inf, np.inf, e.size, False,
                                       f"dtype: refgrad {a.dtype}, torch {e.dtype}"))
        elif judged and e.dtype == np.float32:
            nearby = (lambda k=len(errs): [(s[0][k], s[1][k]) for s in resamples()]) if resamples else None
            err = metrics.compare_to_truth(a, e, np.zeros(shape) if t is None else t, tol.rtol, tol.atol, nearby)
            if compare is not metrics.compare:  # a strict comparison's other rules (signed zeros), magnitudes aside
                rules = compare(a, e, 0.0, np.inf)
                err = err if rules.passed else dataclasses.replace(err, passed=False, note=rules.note)
            errs.append(err)
        else:
            errs.append(compare(a, e, tol.rtol, tol.atol))
    return errs


# ---- float32 against the float64 truth -------------------------------------------------------------------------
def upcast(case: Case) -> Case:
    """The case in float64: float32 inputs cast up (exactly: they are float32 values), float32 dtype arguments
    (sum(dtype=...)) turned into float64."""
    args, kwargs = case.build(lambda i, a: a.astype(np.float64) if a.dtype == np.float32 else a)
    up = (lambda v: np.dtype(np.float64) if isinstance(v, np.dtype) and v == np.float32 else v)
    return Case(tuple(up(a) for a in args), {k: up(v) for k, v in kwargs.items()})


@contextlib.contextmanager
def unwatched():
    """Runs the truth's torch calls outside the check's warning log (torch's float64 warnings are not the call's)."""
    global _log
    outer, _log = _log, None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        _log = outer


def _nearby(case: Case, rng, extremes: bool = False) -> Case:
    """The case with every float32 input element moved one ulp up or down at random; (``extremes``) only the
    finite, nonzero ones below max, so that no inf becomes max, no max inf and no zero a subnormal."""
    def move(i, a):
        if a.dtype != np.float32:
            return a
        with np.errstate(over="ignore"):  # max moved up is inf (kept only outside extremes)
            moved = np.nextafter(a, np.where(rng.random(a.shape) < 0.5, -np.inf, np.inf).astype(np.float32))
        if not extremes:
            return moved
        return np.where(np.isfinite(a) & (a != 0) & (np.abs(a) < np.finfo(np.float32).max), moved, a)

    args, kwargs = case.build(move)
    return Case(tuple(args), kwargs)


def _resampler(spec: OpSpec, case: Case, seed: int, gl=(), idx=(), cts=(), gradients: bool = False,
               extremes: bool = False):
    """A function giving TRUTH_RESAMPLES pairs (torch's float32 results, the float64 truth) at inputs one ulp
    away: the outputs, or (``gradients``) the gradients for the same cotangents. Computed once, on first call (only
    a float32 comparison that fails directly asks)."""
    @functools.cache
    def samples():
        rng = np.random.default_rng([seed, 7])
        out = []
        for _ in range(metrics.TRUTH_RESAMPLES):
            near = _nearby(case, rng, extremes)
            with unwatched():
                result, error = _outcome(_torch_call, spec, near, gl)
                if error is not None:
                    continue
                (th, leaves), (truth, truth_grads) = result, _truth(spec, near, "float32", gl, idx, cts)
                if not gradients:
                    f32 = [_array(t) for t in th]
                    f64 = truth
                else:
                    grads, error = _outcome(_torch_vjp, th, leaves, idx, cts)
                    if error is not None or truth_grads is None:
                        continue
                    shapes = [near.leaves()[i].shape for i in gl]
                    f32 = [np.zeros(s, np.float32) if g is None else _array(g) for g, s in zip(grads, shapes)]
                    f64 = [np.zeros(s) if g is None else g for g, s in zip(truth_grads, shapes)]
            if f64 is not None and len(f32) == len(f64):
                out.append((f32, f64))
        return out

    return samples


def _truth(spec: OpSpec, case: Case, dtype: str, gl=(), idx=(), cts=()) -> tuple[list | None, list | None]:
    """torch's float64 outputs (and, given grad leaves and cotangents, gradients) for a float32 case: the truth the
    float32 comparisons are judged with. (None, None) for other dtypes, or where torch in float64 refuses the case
    or differs in which outputs are differentiable (the checks then compare directly)."""
    if dtype != "float32":
        return None, None
    with unwatched():
        result, error = _outcome(_torch_call, spec, upcast(case), gl)
        if error is not None:
            return None, None
        outs, leaves = result
        grads = None
        if gl and idx:
            if _differentiable(outs) != list(idx):
                return [_array(o) for o in outs], None
            grads, error = _outcome(_torch_vjp, outs, leaves, idx, [c.astype(np.float64) for c in cts])
            grads = None if error is not None else [None if g is None else _array(g) for g in grads]
    return [_array(o) for o in outs], grads


# ---- the checks ---------------------------------------------------------------------------------------
def forward(spec: OpSpec, case: Case, dtype: str, seed: int, check: str = "forward") -> list[Record]:
    ref, _ = _refgrad_call(spec, case)
    th, _ = _torch_call(spec, case)
    tol = spec.tol(check, dtype)
    truth, _ = _truth(spec, case, dtype)
    errs = _compare_lists([_array(r) for r in ref], [_array(t) for t in th], [np.shape(_array(t)) for t in th],
                          tol, dtype, truth=truth, resamples=_resampler(spec, case, seed))
    return [_record(spec, case, check, dtype, errs, tol, seed)]


def _run_both(spec: OpSpec, case: Case, dtype: str, rng):
    """The op in refgrad and in torch with gradients on, and one random cotangent per output torch can
    differentiate: (grad leaf positions, refgrad outputs/leaves, torch outputs/leaves, those outputs, cotangents)."""
    gl = spec.grad_leaves(case)
    ref, ref_leaves = _refgrad_call(spec, case, gl)
    th, th_leaves = _torch_call(spec, case, gl)
    idx = _differentiable(th)
    return gl, ref, ref_leaves, th, th_leaves, idx, _cotangents(th, idx, dtype, rng)


def vjp_torch(spec: OpSpec, case: Case, dtype: str, seed: int, check: str = "vjp_torch") -> list[Record]:
    rng = np.random.default_rng(seed)
    gl, ref, ref_leaves, th, th_leaves, idx, cts = _run_both(spec, case, dtype, rng)
    note = ""
    if _differentiable(ref) != idx:
        note = f"differentiable outputs: refgrad {_differentiable(ref)}, torch {idx}"
    ref_g = _refgrad_vjp(ref, ref_leaves, idx, cts) if not note else [None] * len(gl)
    th_g = _torch_vjp(th, th_leaves, idx, cts)
    tol = spec.tol(check, dtype)
    leaves = case.leaves()
    _, truth = _truth(spec, case, dtype, gl, idx, cts)
    errs = _compare_lists([_array(g) for g in ref_g], [_array(g) for g in th_g], [leaves[i].shape for i in gl],
                          tol, dtype, truth=truth, resamples=_resampler(spec, case, seed, gl, idx, cts, True))
    if note:
        errs.append(metrics.Errors(np.inf, np.inf, np.inf, 0, False, note))
    return [_record(spec, case, check, dtype, errs, tol, seed)]


def kinks(spec: OpSpec, case: Case, dtype: str, seed: int) -> list[Record]:
    """At a kink or tie there is no derivative to check numerically: only torch's choice of subgradient."""
    fwd = forward(spec, case, dtype, seed, check="kinks")[0]
    bwd = vjp_torch(spec, case, dtype, seed, check="kinks")[0]
    bwd.note = "; ".join(n for n in (fwd.note, bwd.note) if n)
    for attr in ("max_abs_err", "max_rel_err", "max_ulp", "truth_rel_err", "torch_truth_rel_err"):
        setattr(bwd, attr, nanmax([getattr(fwd, attr), getattr(bwd, attr)]))
    bwd.passed = fwd.passed and bwd.passed
    return [bwd]


class _Flattened:
    """The op (in lib: refgrad's or torch's callable) as a function of one flat float64 vector (the differentiable
    leaves, concatenated) returning one flat vector (its float outputs, concatenated): what numerical
    differentiation needs."""

    def __init__(self, spec: OpSpec, case: Case, lib: str = "refgrad"):
        self.spec, self.case, self.lib = spec, case, lib
        self.gl = spec.grad_leaves(case)
        leaves = case.leaves()
        self.shapes = [leaves[i].shape for i in self.gl]
        self.sizes = [leaves[i].size for i in self.gl]
        self.x = np.concatenate([leaves[i].ravel() for i in self.gl]) if self.gl else np.zeros(0)

    def split(self, flat: np.ndarray) -> dict:
        parts = np.split(flat, np.cumsum(self.sizes)[:-1]) if self.sizes else []
        return {i: p.reshape(s) for i, p, s in zip(self.gl, parts, self.shapes)}

    def __call__(self, flat: np.ndarray) -> np.ndarray:
        values = self.split(flat)
        with _no_grad(self.lib):
            outs, _ = CALLS[self.lib](self.spec, Case(*self.case.build(lambda i, a: values.get(i, a))))
        floats = [np.asarray(_array(o), np.float64).ravel() for o in outs if _array(o).dtype.kind == "f"]
        return np.concatenate(floats) if floats else np.zeros(0)


def _analytic_vjp(spec, case, dtype, rng, lib="refgrad"):
    """lib's gradients for a random cotangent, flattened like _Flattened's input; and that cotangent."""
    gl = spec.grad_leaves(case)
    ref, leaves = CALLS[lib](spec, case, gl)
    float_outs = [k for k, o in enumerate(ref) if _array(o).dtype.kind == "f"]
    cts = _cotangents(ref, float_outs, dtype, rng)
    idx = [k for k in float_outs if ref[k].requires_grad]
    grads = VJPS[lib](ref, leaves, idx, [c for k, c in zip(float_outs, cts) if k in idx])
    shapes = [case.leaves()[i].shape for i in gl]
    flat_g = np.concatenate([np.zeros(s).ravel() if g is None else _array(g).ravel() for g, s in zip(grads, shapes)]
                            ) if gl else np.zeros(0)
    u = np.concatenate([c.ravel() for c in cts]) if cts else np.zeros(0)
    return flat_g, u


def vjp_numeric(spec: OpSpec, case: Case, dtype: str, seed: int, lib: str = "refgrad") -> list[Record]:
    """lib's gradients (refgrad's, or torch's for a torch function checked alone) vs numerical derivatives of
    its own forward."""
    rng = np.random.default_rng(seed)
    f = _Flattened(spec, case, lib)
    analytic, u = _analytic_vjp(spec, case, dtype, rng, lib)
    tol = spec.tol("vjp_numeric", dtype)
    errs, note = numeric_vjp_errors(f, f.x, analytic, u, tol, rng)
    return [_record(spec, case, "vjp_numeric", dtype, errs, tol, seed, note)]


def numeric_vjp_errors(f, x: np.ndarray, analytic: np.ndarray, u: np.ndarray, tol: Tol,
                       rng) -> tuple[list[metrics.Errors], str]:
    """analytic = Jᵀu (flat) of f: flat float64 -> flat float64 at x, against numerical derivatives of f: the
    whole Jacobian for a small x, random directions uᵀJv beyond. Returns the errors and a note (elements or
    directions excluded near a kink, or nothing to compare)."""
    n = x.size
    if n == 0 or u.size == 0:
        return [], "no differentiable elements"
    if n <= FULL_JACOBIAN_MAX:
        numeric_vjp, kinked = np.zeros(n), np.zeros(n, bool)
        for j in range(n):  # one column of the Jacobian per input element
            e = np.zeros(n)
            e[j] = 1.0
            d = numeric.directional_derivative(f, x, e)
            kinked[j] = bool(np.any(d.kink & (u != 0)))
            numeric_vjp[j] = u @ np.where(d.kink, 0.0, d.value)
        errs = [metrics.compare(analytic[~kinked], numeric_vjp[~kinked], tol.rtol, tol.atol, ulp=False)]
        return errs, f"{int(kinked.sum())} of {n} elements within a step of a kink, excluded" if kinked.any() else ""
    errs, skipped = [], 0
    for _ in range(N_DIRECTIONS):  # uᵀJv for random v: numerically from forward, analytically from the vjp
        v = rng.standard_normal(n)
        d = numeric.directional_derivative(f, x, v)
        if np.any(d.kink & (u != 0)):
            skipped += 1
            continue
        scale = float(np.abs(u) @ np.abs(d.value) + np.abs(analytic) @ np.abs(v))
        # the numerical Jv carries up to atol of noise per entry, as the full Jacobian's entries may: a gradient that
        # is exactly 0 met 2e-23 of noise (huber_loss at input == target, found by the thorough profile)
        floor = tol.atol * float(np.abs(u).sum())
        errs.append(metrics.compare_inner_products(float(analytic @ v), float(u @ d.value), scale, tol.rtol, floor))
    return errs, f"{skipped} of {N_DIRECTIONS} random directions crossed a kink, excluded" if skipped else ""


def jvp(spec: OpSpec, case: Case, dtype: str, seed: int, lib: str = "refgrad") -> list[Record]:
    """lib's forward mode vs numerical directional derivatives, and ⟨Jv,u⟩ = ⟨v,Jᵀu⟩ against its reverse mode.
    Raises NoForwardMode where lib's function has none."""
    rng = np.random.default_rng(seed)
    f = _Flattened(spec, case, lib)
    tol, adj_tol = spec.tol("jvp", dtype), spec.tol("jvp_adjoint", dtype)
    if f.x.size == 0:
        return [_record(spec, case, "jvp", dtype, [], tol, seed, "no differentiable elements")]
    v = rng.standard_normal(f.x.size)
    fn = spec.refgrad_fn() if lib == "refgrad" else spec.torch_fn()

    def op_of_diff_leaves(*diff):
        by_leaf = dict(zip(f.gl, diff))
        args, kwargs = case.build(lambda i, a: by_leaf[i] if i in by_leaf else _library_tensor(lib, a))
        return tuple(o for o in _flat(fn(*args, **kwargs)) if str(o.dtype).rsplit(".", 1)[-1].startswith("float"))

    tangent_out = _forward_mode(lib, op_of_diff_leaves, [case.leaves()[i] for i in f.gl], list(f.split(v).values()))
    jv = np.concatenate([t.ravel() for t in tangent_out]) if tangent_out else np.zeros(0)
    d = numeric.directional_derivative(f, f.x, v)
    keep = ~d.kink
    note = f"{int(d.kink.sum())} of {d.kink.size} outputs within a step of a kink, excluded" if d.kink.any() else ""
    errs = [metrics.compare(jv[keep], d.value[keep], tol.rtol, tol.atol, ulp=False)]
    records = [_record(spec, case, "jvp", dtype, errs, tol, seed, note)]
    # adjoint identity between this op's jvp and its vjp: ⟨Jv, u⟩ = ⟨v, Jᵀu⟩
    jtu, u = _analytic_vjp(spec, case, dtype, rng, lib)
    scale = float(np.abs(jv) @ np.abs(u) + np.abs(v) @ np.abs(jtu))
    floor = adj_tol.atol * float(np.abs(u).sum() + np.abs(v).sum())  # atol of noise on each entry of Jv, Jᵀu
    adj = metrics.compare_inner_products(float(jv @ u), float(v @ jtu), scale, adj_tol.rtol, floor)
    # the record states the absolute allowance the sum had, so the report's headroom is about this comparison
    records.append(_record(spec, case, "jvp_adjoint", dtype, [adj], dataclasses.replace(adj_tol, atol=floor), seed))
    return records


def double_backward(spec: OpSpec, case: Case, dtype: str, seed: int) -> list[Record]:
    rng = np.random.default_rng(seed)
    gl, ref, ref_leaves, th, th_leaves, idx, cts = _run_both(spec, case, dtype, rng)
    ws = [rng.standard_normal(case.leaves()[i].shape).astype(dtype) for i in gl]
    second = []
    for outs, leaves, vjp, lib in ((ref, ref_leaves, _refgrad_vjp, "refgrad"), (th, th_leaves, _torch_vjp, "torch")):
        grads = vjp(outs, leaves, idx, cts, create_graph=True)
        with _watch(lib):
            terms = [(g * _tensor_like(g, w)).sum() for g, w in zip(grads, ws) if g is not None and g.requires_grad]
            if not terms:  # the first derivative is constant: the second is zero
                second.append([None] * len(leaves))
                continue
            total = terms[0]
            for t in terms[1:]:
                total = total + t
            import torch

            import refgrad

            grad = refgrad.autograd.grad if lib == "refgrad" else torch.autograd.grad
            second.append(list(grad(total, leaves, allow_unused=True)))
    tol = spec.tol("double_backward", dtype)
    leaves = case.leaves()
    errs = _compare_lists([_array(g) for g in second[0]], [_array(g) for g in second[1]],
                          [leaves[i].shape for i in gl], tol, dtype)
    return [_record(spec, case, "double_backward", dtype, errs, tol, seed)]


def _tensor_like(g, w: np.ndarray):
    import torch

    import refgrad

    return torch.from_numpy(w) if isinstance(g, torch.Tensor) else refgrad.tensor(w)


# ---- derived checks: the forms refgrad's declaration promises, input mutation, extreme values ------------
def _refgrad_run(call, spec: OpSpec, case: Case, seed: int) -> list[np.ndarray]:
    """call(args, kwargs) on refgrad tensors made from case (grad leaves requiring grad): its outputs, then the
    gradients of the grad leaves for a cotangent drawn from seed, as arrays (one list, for exact comparison)."""
    import refgrad

    gl = spec.grad_leaves(case) if _backward(spec) else []
    made = {}

    def convert(i, a):
        made[i] = refgrad.tensor(a.copy(), requires_grad=i in gl)
        return made[i].clone() if i in gl else made[i]

    with _watch("refgrad"):
        args, kwargs = case.build(convert)
        outs = _flat(call(args, kwargs))
        idx = _differentiable(outs)
        rng = np.random.default_rng(seed)
        cts = [rng.standard_normal(outs[k].shape).astype(outs[k].dtype) for k in idx]
        grads = _refgrad_vjp(outs, [made[i] for i in gl], idx, cts)
    return [_array(o) for o in outs] + [np.zeros(case.leaves()[i].shape, case.leaves()[i].dtype) if g is None
                                        else _array(g) for i, g in zip(gl, grads)]


def _backward(spec: OpSpec) -> bool:
    """Whether the derived checks run the backward pass too: where the spec compares gradients with torch (an
    op torch defines no derivative for, floor_divide, checks its forward only)."""
    return "vjp_torch" in spec.checks


def _identical(got: list, expected: list, what: str) -> list[metrics.Errors]:
    """Bitwise equality (NaN placement, signed zeros and dtypes included) of two runs of the same code."""
    if len(got) != len(expected):
        return [metrics.Errors(np.inf, np.inf, np.inf, 0, False,
                               f"{what}: {len(got)} outputs and gradients, the function form {len(expected)}")]
    errs = [metrics.compare_strict(g, e, 0.0, 0.0) for g, e in zip(got, expected)]
    return [dataclasses.replace(e, note=f"{what}: {e.note or 'values differ'}") if not e.passed else e for e in errs]


def _first_is_tensor(case: Case) -> bool:
    return bool(case.args) and isinstance(case.args[0], np.ndarray)


def method(spec: OpSpec, case: Case, dtype: str, seed: int) -> list[Record]:
    """x.f(*rest, **kw) (and x.alias(...)) equals f(x, *rest, **kw): values, dtypes and gradients."""
    d = spec.declaration()
    if not _first_is_tensor(case):
        return [_record(spec, case, "method", dtype, [], EXACT, seed, "first argument is no tensor: no method form")]
    fn = spec.refgrad_fn()
    expected = _refgrad_run(lambda a, k: fn(*a, **k), spec, case, seed)
    errs = []
    for name in (d.name, *d.aliases):
        got = _refgrad_run(lambda a, k, name=name: getattr(a[0], name)(*a[1:], **k), spec, case, seed)
        errs += _identical(got, expected, f"x.{name}(...)")
    return [_record(spec, case, "method", dtype, errs, EXACT, seed)]


def alias(spec: OpSpec, case: Case, dtype: str, seed: int) -> list[Record]:
    """Every other placement of the op (an alias, a name in another namespace) equals the function form."""
    import refgrad

    from .spec import resolve

    fn = spec.refgrad_fn()
    expected = _refgrad_run(lambda a, k: fn(*a, **k), spec, case, seed)
    errs = []
    for q in spec.declaration().placements():
        if q == spec.op:
            continue
        try:
            other = resolve(refgrad, q)
        except AttributeError:
            errs.append(metrics.Errors(np.inf, np.inf, np.inf, 0, False, f"refgrad.{q} is declared but missing"))
            continue
        errs += _identical(_refgrad_run(lambda a, k, f=other: f(*a, **k), spec, case, seed), expected,
                           f"refgrad.{q}")
    return [_record(spec, case, "alias", dtype, errs, EXACT, seed)]


def _library_args(case: Case, lib: str, convert=None):
    """args, kwargs of case for one library: ndarrays become tensors (copies), NumPy dtypes torch's dtypes."""
    import torch

    import refgrad

    make = convert or ((lambda i, a: refgrad.tensor(a.copy())) if lib == "refgrad" else
                       (lambda i, a: torch.from_numpy(a.copy())))
    args, kwargs = case.build(make)
    if lib == "torch":
        args, kwargs = [_torch_dtype(a) for a in args], {k: _torch_dtype(v) for k, v in kwargs.items()}
    return args, kwargs


def _outcome(call, *args, **kwargs):
    """(call(*args, **kwargs), None) or (None, the exception it raised)."""
    try:
        return call(*args, **kwargs), None
    except Exception as e:  # noqa: BLE001 - which class is raised is what gets compared
        return None, e


def _failed(note: str) -> metrics.Errors:
    return metrics.Errors(np.inf, np.inf, np.inf, 0, False, note)


def inplace(spec: OpSpec, case: Case, dtype: str, seed: int) -> list[Record]:
    """x.f_(*rest, **kw) writes f(x, *rest, **kw) into x (cast to x's dtype) and returns x itself with its
    version bumped; where torch's x.f_ raises (the result's dtype can't be cast, its shape is not x's), refgrad's
    raises the same class."""
    d = spec.declaration()
    if not _first_is_tensor(case):
        return [_record(spec, case, "inplace", dtype, [], EXACT, seed, "first argument is no tensor: no method form")]
    fn = spec.refgrad_fn()
    errs = []
    for name in (f"{n}_" for n in (d.name, *d.aliases)):
        targs, tkwargs = _library_args(case, "torch")
        with _watch("torch"):
            _, torch_error = _outcome(getattr(targs[0], name), *targs[1:], **tkwargs)
        args, kwargs = _library_args(case, "refgrad")
        x = args[0]
        dtype_before, shape_before, version = x.dtype, x.shape, x._version
        with _watch("refgrad"):
            expected = _array(_flat(fn(*_library_args(case, "refgrad")[0], **kwargs))[0])
            result, error = _outcome(getattr(x, name), *args[1:], **kwargs)
        if torch_error is not None or error is not None:
            if error is None:
                errs.append(_failed(f"x.{name}: refgrad returns where torch raises {type(torch_error).__name__}: "
                                    f"{torch_error}"))
            elif torch_error is None:
                errs.append(_failed(f"x.{name}: refgrad raises {type(error).__name__}: {error}; torch returns"))
            elif type(error) is not type(torch_error):
                errs.append(_failed(f"x.{name}: refgrad raises {type(error).__name__}: {error}; torch raises "
                                    f"{type(torch_error).__name__}: {torch_error}"))
            continue
        if result is not x:
            errs.append(_failed(f"x.{name} returns a new tensor, not x"))
        if x._version <= version:
            errs.append(_failed(f"x.{name} leaves x's version at {x._version}"))
        if x.dtype != dtype_before or x.shape != shape_before:
            errs.append(_failed(f"x.{name} turned x from {dtype_before}{list(shape_before)} into "
                                f"{x.dtype}{list(x.shape)}"))
            continue
        errs += _identical([_array(x)], [expected.astype(dtype_before)], f"x.{name}")
    return [_record(spec, case, "inplace", dtype, errs, EXACT, seed)]


def mutation(spec: OpSpec, case: Case, dtype: str, seed: int) -> list[Record]:
    """After the forward and the backward pass, every input the op saw (and every ndarray of the case) is
    bitwise unchanged: no op writes into its inputs (in-place ones, named f_, are exempt)."""
    import refgrad

    gl = spec.grad_leaves(case) if _backward(spec) else []
    originals = [a.copy() for a in case.leaves()]
    seen = {}

    def convert(i, a):
        t = refgrad.tensor(a, requires_grad=i in gl)
        seen[i] = t.clone() if i in gl else t
        return seen[i]

    with _watch("refgrad"):
        args, kwargs = case.build(convert)
        before = {i: (t.shape, t.dtype, np.asarray(t._data).tobytes()) for i, t in seen.items()}
        outs = _flat(spec.refgrad_fn()(*args, **kwargs))
        idx = _differentiable(outs)
        rng = np.random.default_rng(seed)
        cts = [rng.standard_normal(outs[k].shape).astype(outs[k].dtype) for k in idx]
        if idx:
            _refgrad_vjp(outs, [seen[i] for i in gl], idx, cts)
    errs = []
    for i, t in seen.items():
        if (t.shape, t.dtype, np.asarray(t._data).tobytes()) != before[i]:
            errs.append(_failed(f"input {i} ({'x'.join(map(str, before[i][0])) or '()'}) was written into"))
    for i, (now, then) in enumerate(zip(case.leaves(), originals)):
        if now.tobytes() != then.tobytes():
            errs.append(_failed(f"the ndarray of input {i} (shared with refgrad's tensor) was written into"))
    return [_record(spec, case, "mutation", dtype, errs, EXACT, seed)]


def extreme_pool(dtype) -> dict:
    fi = np.finfo(dtype)
    return {"nan": np.nan, "inf": np.inf, "-inf": -np.inf, "0.0": 0.0, "-0.0": -0.0, "max": float(fi.max),
            "subnormal": float(fi.smallest_subnormal), "-huge": -float(fi.max)}


def with_extremes(spec: OpSpec, case: Case, dtype: str, rng) -> Case:
    """The case with some elements of every float leaf (a fraction drawn per case) replaced by values from
    the pool (spec.EXTREME_VALUES, less those the spec leaves out: a left-out -0.0 is left out of the drawn
    values too), in the leaf's own dtype."""
    fraction = rng.choice([0.2, 0.5, 1.0])

    def replace(i, a):
        if a.dtype.kind != "f" or a.size == 0:
            return a
        pool = np.array([v for k, v in extreme_pool(a.dtype).items() if k not in spec.extreme_skip], a.dtype)
        mask = rng.random(a.shape) < fraction
        if "-0.0" in spec.extreme_skip:  # nor from the drawn values: a + 0.0 turns -0.0 into 0.0, nothing else
            a = a + a.dtype.type(0.0)
        return np.where(mask, rng.choice(pool, a.shape), a)

    args, kwargs = case.build(replace)
    return Case(tuple(args), kwargs)


def extremes(spec: OpSpec, case: Case, dtype: str, seed: int) -> list[Record]:
    """NaN, ±inf, ±0, the dtype's max, its smallest subnormal and -max written into the float inputs: refgrad
    and torch agree on outputs and (where the spec checks gradients) gradients, including where they are NaN,
    the signs of infinities and of zeros (metrics.compare_strict); or both raise the same exception class. In
    float32 the finite values are judged with the float64 truth as in the forward and vjp_torch checks, the
    samples one ulp away moving only the finite, nonzero inputs below max (an inf must not become max)."""
    rng = np.random.default_rng(seed)
    case = with_extremes(spec, case, dtype, rng)
    backward = _backward(spec)
    gl = spec.grad_leaves(case) if backward else []
    tol = spec.tol("forward", dtype)
    torch_result, torch_error = _outcome(_torch_call, spec, case, gl)
    result, error = _outcome(_refgrad_call, spec, case, gl)
    if torch_error is not None or error is not None:
        return [_record(spec, case, "extremes", dtype, [_raise_errors("", error, torch_error)], tol, seed)]
    (th, th_leaves), (ref, ref_leaves) = torch_result, result
    checked = bool(backward and gl)
    idx = _differentiable(th) if checked else []
    gradients = checked and _differentiable(ref) == idx
    cts = _cotangents(th, idx, dtype, rng) if gradients else []
    truth, truth_grads = _truth(spec, case, dtype, gl if gradients else (), idx, cts)  # one float64 run for both
    errs = _compare_lists([_array(r) for r in ref], [_array(t) for t in th], [np.shape(_array(t)) for t in th],
                          tol, dtype, metrics.compare_strict, truth=truth,
                          resamples=_resampler(spec, case, seed, extremes=True))
    if checked and not gradients:
        errs.append(_failed(f"differentiable outputs: refgrad {_differentiable(ref)}, torch {idx}"))
    elif gradients:
        th_g, torch_error = _outcome(_torch_vjp, th, th_leaves, idx, cts)
        ref_g, error = _outcome(_refgrad_vjp, ref, ref_leaves, idx, cts)
        if torch_error is not None or error is not None:
            errs.append(_raise_errors("backward: ", error, torch_error))
        else:
            leaves = case.leaves()
            grad_errs = _compare_lists([_array(g) for g in ref_g], [_array(g) for g in th_g],
                                       [leaves[i].shape for i in gl], spec.tol("vjp_torch", dtype), dtype,
                                       functools.partial(metrics.compare_strict, signed_zeros=False),
                                       truth=truth_grads,
                                       resamples=_resampler(spec, case, seed, gl, idx, cts, True, True))
            errs += [dataclasses.replace(e, note=f"gradient {gl[k]}: {e.note}") if e.note else e
                     for k, e in enumerate(grad_errs)]
    return [_record(spec, case, "extremes", dtype, errs, tol, seed)]


def _raise_errors(where: str, error, torch_error) -> metrics.Errors:
    if error is not None and torch_error is not None and type(error) is type(torch_error):
        return metrics.Errors(0.0, 0.0, 0.0, 0, True, f"{where}both raise {type(error).__name__}")
    ours = f"raises {type(error).__name__}: {error}" if error is not None else "returns"
    theirs = f"raises {type(torch_error).__name__}: {torch_error}" if torch_error is not None else "returns"
    return _failed(f"{where}refgrad {ours}; torch {theirs}")


CHECKS = {name: _no_leaked_warnings(check) for name, check in {
    "forward": forward, "vjp_torch": vjp_torch, "vjp_numeric": vjp_numeric, "jvp": jvp,
    "double_backward": double_backward, "kinks": kinks, "method": method, "inplace": inplace, "alias": alias,
    "mutation": mutation, "extremes": extremes}.items()}


# ---- error cases ----------------------------------------------------------------------------------------
def _describe_value(v) -> str:
    if isinstance(v, np.ndarray):
        return f"tensor({v.tolist()!r}, dtype={v.dtype})" if v.size <= 6 else f"tensor(shape={list(v.shape)}, " \
                                                                                f"dtype={v.dtype})"
    if isinstance(v, (list, tuple)) and any(isinstance(x, np.ndarray) for x in v):
        inner = ", ".join(_describe_value(x) for x in v)
        return f"[{inner}]" if isinstance(v, list) else f"({inner})"
    return v.name if isinstance(v, np.dtype) else repr(v)


def describe_call(op: str, ec: ErrorCase) -> str:
    parts = [_describe_value(a) for a in ec.args] + [f"{k}={_describe_value(v)}" for k, v in ec.kwargs.items()]
    return f"{op}({', '.join(parts)})"


def error_case(spec: OpSpec, ec: ErrorCase) -> list[str]:
    """Runs one bad input through torch and refgrad; returns what is wrong (empty when refgrad raises torch's
    exception class with a message naming every fragment, and leaks no warning)."""
    case = Case(tuple(ec.args), dict(ec.kwargs))

    def attempt(lib: str):
        fn = spec.torch_fn() if lib == "torch" else spec.refgrad_fn()
        args, kwargs = _library_args(case, lib)
        return fn(*args, **kwargs)

    return compare_raises(describe_call(spec.op, ec), attempt, ec.fragments)


def compare_raises(call: str, attempt, fragments) -> list[str]:
    """attempt("torch") must raise; attempt("refgrad") must raise the same exception class with a message naming
    every fragment (or torch's message itself for SAME_MESSAGE) and leak no warning. Returns what is wrong."""
    global _log
    outer, _log = _log, _WarningLog()
    log = _log
    try:
        with _watch("torch"):
            _, expected = _outcome(attempt, "torch")
        if expected is None:
            return [f"torch accepts {call}: the error case is wrong (or torch changed)"]
        with _watch("refgrad"):
            _, got = _outcome(attempt, "refgrad")
    finally:
        _log = outer
    theirs = f"torch raises {type(expected).__name__}: {expected}"
    problems = []
    if got is None:
        problems.append(f"refgrad accepts {call}; {theirs}")
    elif type(got) is not type(expected):
        problems.append(f"refgrad raises {type(got).__name__}: {got}\n  {theirs}")
    elif fragments == SAME_MESSAGE:
        if str(got) != str(expected):
            problems.append(f"refgrad's message {str(got)!r} is not torch's {str(expected)!r}")
    else:
        missing = [f for f in fragments if f not in str(got)]
        if missing:
            problems.append(f"refgrad's message {str(got)!r} does not name {missing}\n  ({theirs})")
    leaked = _leaked(log)
    if leaked:
        problems.append("warning leaked from refgrad: " + " | ".join(leaked))
    return [f"{call}: {p}" for p in problems]
