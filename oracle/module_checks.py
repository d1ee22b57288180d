"""The module check kinds. Each builds a torch module (seeded) and its refgrad twin from one ModuleCase, loads the
torch weights into refgrad with ``load_state_dict``, casts both to the check's dtype and returns one Record per mode.

| check           | compares                                                                          | dtypes   |
|-----------------|-----------------------------------------------------------------------------------|----------|
| state_dict      | the state_dict keys (in order), shapes and dtypes, and the named parameters and   | f32, f64 |
|                 | buffers, after refgrad's module loaded torch's weights                            |          |
| forward         | every output tensor (nested tuples too), and every buffer after the call          | f32, f64 |
|                 | (running statistics, num_batches_tracked)                                         |          |
| vjp_torch       | the input gradients and every parameter gradient, by name, for random cotangents  | f32, f64 |
| double_backward | the gradient of Σ⟨first gradients, w⟩ with respect to the inputs and parameters   | f64      |
| init            | each parameter's default initialization (reset_parameters) against torch's by     | f32      |
|                 | distribution (two-sample KS over many constructions; constants exactly), and the  |          |
|                 | buffers at construction exactly                                                   |          |

forward and vjp_torch in float32 are judged against torch's float64 module on the same weights and inputs (the
module built as the float32 one, cast up) as oracle/checks.py describes for ops (metrics.compare_to_truth; no
resampling at nearby inputs here: torch's error at the case itself measures the conditioning).

Each runs in train and in eval mode (``ModuleSpec.modes``). A refgrad call that raises where torch's does not is a
failing Record naming the exception; a case torch refuses is an error in the spec and raises.
"""
from __future__ import annotations

import dataclasses
import functools

import numpy as np

from . import checks as C
from . import metrics
from .module_spec import ModuleCase, ModuleErrorCase, ModuleSpec
from .records import Record
from .spec import Case


def _torch_dtype(dtype: str):
    import torch

    return getattr(torch, dtype)


def _constructor_args(spec: ModuleSpec, case: ModuleCase, lib: str):
    import torch

    import refgrad

    if lib == "torch":
        args, kwargs = case.build_constructor(lambda a: torch.from_numpy(a.copy()))
        return [C._torch_dtype(a) for a in args], {k: C._torch_dtype(v) for k, v in kwargs.items()}
    return case.build_constructor(lambda a: refgrad.tensor(a.copy()))


def build_torch(spec: ModuleSpec, case: ModuleCase, dtype: str, seed: int, mode: str = "train"):
    """The torch module, built after torch.manual_seed(seed), in ``dtype`` and ``mode``."""
    import torch

    torch.manual_seed(seed)
    args, kwargs = _constructor_args(spec, case, "torch")
    with C._watch("torch"):
        return spec.torch_module()(*args, **kwargs).to(_torch_dtype(dtype)).train(mode == "train")


def build_twin(spec: ModuleSpec, case: ModuleCase, theirs, dtype: str, mode: str = "train"):
    """The refgrad module holding the torch module's weights (loaded with load_state_dict), in ``dtype``, ``mode``."""
    args, kwargs = _constructor_args(spec, case, "refgrad")
    with C._watch("refgrad"):
        ours = spec.refgrad_module()(*args, **kwargs).to(np.dtype(dtype))
        ours.load_state_dict({k: np.asarray(v) for k, v in theirs.state_dict().items()})
        return ours.train(mode == "train")


def build_pair(spec: ModuleSpec, case: ModuleCase, dtype: str, seed: int, mode: str = "train"):
    """The torch module and its refgrad twin holding the same weights, both in ``dtype`` and ``mode``."""
    theirs = build_torch(spec, case, dtype, seed, mode)
    return theirs, build_twin(spec, case, theirs, dtype, mode)


def _call(module, case: ModuleCase, lib: str, grad_leaves, dtype: str):
    """module(*inputs, **forward_kwargs) with fresh tensors; returns (flat outputs, the input leaves requiring
    grad). refgrad's module sees non-leaf copies of those, as inside a model."""
    import torch

    import refgrad

    made = {}

    def convert(i, a):
        if lib == "torch":
            t = torch.from_numpy(a.copy()).requires_grad_(i in grad_leaves)
            made[i] = t
            return t
        t = refgrad.tensor(a.copy(), requires_grad=i in grad_leaves)
        made[i] = t
        return t.clone() if i in grad_leaves else t

    inputs, kwargs = case.build_forward(convert)
    if lib == "torch":
        kwargs = {k: C._torch_dtype(v) for k, v in kwargs.items()}
    with C._watch(lib):
        result = module(*inputs, **kwargs)
    return C._flat(result), [made[i] for i in grad_leaves]


def _run(spec, case, dtype, seed, mode, grad_leaves=()):
    """Both modules called on the case: ((torch outputs, torch leaves, torch module), (refgrad's ...) or the
    exception refgrad raised)."""
    theirs = build_torch(spec, case, dtype, seed, mode)
    ours, error = C._outcome(build_twin, spec, case, theirs, dtype, mode)  # before torch's call updates its buffers
    th_out, th_leaves = _call(theirs, case, "torch", grad_leaves, dtype)
    result = None
    if error is None:
        result, error = C._outcome(_call, ours, case, "refgrad", grad_leaves, dtype)
    return (th_out, th_leaves, theirs), (result, ours), error


def upcast(case: ModuleCase) -> ModuleCase:
    """The case in float64 (constructor arrays, inputs and forward kwargs; see oracle.checks.upcast)."""
    ctor, call = C.upcast(Case(tuple(case.args), case.kwargs)), C.upcast(case.call)
    return ModuleCase(ctor.args, ctor.kwargs, call.args, call.kwargs)


def _torch_called(spec, case, dtype, seed, mode, grad_leaves=()):
    """torch's module of ``dtype`` built and called on the case: (module, outputs, leaves), or None where torch
    refuses."""
    module, error = C._outcome(build_torch, spec, case, dtype, seed, mode)
    result, error = (None, error) if error is not None else C._outcome(_call, module, case, "torch", grad_leaves,
                                                                      dtype)
    return None if error is not None else (module, *result)


def _truth(spec, case, dtype, seed, mode, grad_leaves=(), idx=(), cts=()) -> dict | None:
    """For a float32 check, torch's float64 results: the module built as the float32 one (so holding the same
    weights, cast up exactly) called on the case cast up; {"outputs", "buffers"[, "gradients"]: arrays by name}, the
    gradients for the same cotangents cast up. None for other dtypes, or where float64 torch refuses the case or
    differs in which outputs are differentiable (the checks then compare directly)."""
    if dtype != "float32":
        return None
    with C.unwatched():
        up = upcast(case)
        called = _torch_called(spec, up, "float64", seed, mode, grad_leaves)
        if called is None:
            return None
        module, outs, leaves = called
        truth = {"outputs": _arrays(outs, "output"), "buffers": _buffers(module)}
        if idx:
            if _differentiable_outputs(outs) != list(idx):
                return None
            names, targets = _targets(module, leaves)
            grads, error = C._outcome(C._torch_vjp, outs, targets, idx, [c.astype(np.float64) for c in cts])
            if error is not None:
                return None
            truth["gradients"] = _grads(names, targets, grads)
    return truth


def _record(spec, case, check, dtype, mode, errs, tol, seed, note="") -> Record:
    notes = [e.note for e in errs if e.note] + ([note] if note else [])
    errs = errs or [metrics.Errors(0.0, 0.0, 0.0, 0, True)]
    return Record(op=spec.id, family=spec.family, check=check, dtype=dtype, shapes=case.shapes(),
                  params=case.params(mode), n_elements=sum(e.n_elements for e in errs), **C.error_fields(errs),
                  rtol=tol.rtol, atol=tol.atol, passed=all(e.passed for e in errs), seed=str(seed),
                  example=case.example(), note="; ".join(notes))


def _resampler(case: ModuleCase, seed, measure):
    """A function giving TRUTH_RESAMPLES samples ``measure(near)`` (a pair: torch's float32 results, the float64
    truth; None where torch refuses), ``near`` the case at inputs one ulp away (as oracle.checks._resampler for ops).
    Computed once, on first call (only a float32 comparison that fails directly asks)."""
    @functools.cache
    def samples():
        rng = np.random.default_rng([seed, 7])
        out = []
        for _ in range(metrics.TRUTH_RESAMPLES):
            call = C._nearby(case.call, rng)
            with C.unwatched():
                sample = measure(ModuleCase(case.args, case.kwargs, tuple(call.args), call.kwargs))
            if sample is not None:
                out.append(sample)
        return out

    return samples


def _forward_resampler(spec, case, seed, mode):
    """Samples of ({"outputs", "buffers"} of torch's float32 module, the same of the float64 truth) nearby."""
    def measure(near):
        called = _torch_called(spec, near, "float32", seed, mode)
        truth = None if called is None else _truth(spec, near, "float32", seed, mode)
        if truth is None:
            return None
        module, outs, _ = called
        return {"outputs": _arrays(outs, "output"), "buffers": _buffers(module)}, truth

    return _resampler(case, seed, measure)


def _gradient_resampler(spec, case, seed, mode, gl, idx, cts):
    """Samples of (torch's float32 gradients, the float64 truth), each a dict by name, nearby, for the same
    cotangents."""
    def measure(near):
        called = _torch_called(spec, near, "float32", seed, mode, gl)
        if called is None:
            return None
        module, outs, leaves = called
        names, targets = _targets(module, leaves)
        grads, error = C._outcome(C._torch_vjp, outs, targets, idx, cts)
        truth = _truth(spec, near, "float32", seed, mode, gl, idx, cts)
        if error is not None or truth is None or "gradients" not in truth:
            return None
        return _grads(names, targets, grads), truth["gradients"]

    return _resampler(case, seed, measure)


def _compare_named(ours: dict, theirs: dict, tol, what: str, truth: dict | None = None,
                   resamples=None) -> list[metrics.Errors]:
    """Pairwise comparison by name; a name on one side only, a dtype or a shape that differs fails. With ``truth``
    (torch's float64 results by name, for a float32 check), float32 pairs are judged with metrics.compare_to_truth,
    ``resamples()`` giving (torch float32, truth) dicts by name at inputs one ulp away."""
    truth = truth or {}
    errs = []
    if list(ours) != list(theirs):
        errs.append(C._failed(f"{what}: refgrad has {list(ours)}, torch {list(theirs)}"))
    for name in theirs:
        if name not in ours:
            continue
        a, e = ours[name], theirs[name]
        if (a is None) != (e is None):
            errs.append(C._failed(f"{what} {name}: refgrad {'None' if a is None else 'a tensor'}, torch "
                                  f"{'None' if e is None else 'a tensor'}"))
        elif a is None:
            continue
        elif a.dtype != e.dtype or a.shape != e.shape:
            errs.append(C._failed(f"{what} {name}: refgrad {a.dtype} {list(a.shape)}, torch {e.dtype} {list(e.shape)}"))
        else:
            t = truth.get(name)
            judged = e.dtype == np.float32 and t is not None and t.shape == e.shape
            nearby = (lambda n=name: [(f32[n], f64[n]) for f32, f64 in resamples() if n in f32 and n in f64]) \
                if resamples else None
            err = metrics.compare_to_truth(a, e, t, tol.rtol, tol.atol, nearby) if judged else \
                metrics.compare(a, e, tol.rtol, tol.atol)
            named = not err.passed or err.note  # a failure, or a pass the float64 truth decided
            errs.append(dataclasses.replace(err, note=f"{what} {name}: {err.note}") if named else err)
    return errs


def _arrays(tensors, prefix: str) -> dict:
    return {f"{prefix} {k}": C._array(t) for k, t in enumerate(tensors)}


def _buffers(module) -> dict:
    return {name: C._array(b) for name, b in module.named_buffers()}


def _refused(error) -> metrics.Errors:
    return C._failed(f"refgrad raises {type(error).__name__}: {error}")


# ---- the checks ---------------------------------------------------------------------------------------
def state_dict(spec: ModuleSpec, case: ModuleCase, dtype: str, seed: int) -> list[Record]:
    """torch's state_dict loads into refgrad's module (strict), and then the two state_dicts, named parameters and
    named buffers agree: keys in order, shapes, dtypes and values."""
    tol = spec.tol("forward", dtype)
    records = []
    for mode in spec.modes:
        theirs = build_torch(spec, case, dtype, seed, mode)
        ours, error = C._outcome(build_twin, spec, case, theirs, dtype, mode)
        if error is not None:
            records.append(_record(spec, case, "state_dict", dtype, mode, [_refused(error)], tol, seed))
            continue
        errs = _compare_named({k: C._array(v) for k, v in ours.state_dict().items()},
                              {k: C._array(v) for k, v in theirs.state_dict().items()}, tol, "state_dict")
        errs += _compare_named({k: C._array(v) for k, v in ours.named_parameters()},
                               {k: C._array(v) for k, v in theirs.named_parameters()}, tol, "parameter")
        errs += _compare_named(_buffers(ours), _buffers(theirs), tol, "buffer")
        records.append(_record(spec, case, "state_dict", dtype, mode, errs, tol, seed))
    return records


def forward(spec: ModuleSpec, case: ModuleCase, dtype: str, seed: int) -> list[Record]:
    tol = spec.tol("forward", dtype)
    records = []
    for mode in spec.modes:
        (th_out, _, theirs), (ours_out, ours), error = _run(spec, case, dtype, seed, mode)
        if error is not None:
            records.append(_record(spec, case, "forward", dtype, mode, [_refused(error)], tol, seed))
            continue
        truth = _truth(spec, case, dtype, seed, mode) or {}
        nearby = _forward_resampler(spec, case, seed, mode) if truth else None

        def part(name, nearby=nearby):  # the resamples of one part of the results (this iteration's)
            return (lambda: [(f32[name], f64[name]) for f32, f64 in nearby()]) if nearby else None

        errs = _compare_named(_arrays(ours_out[0], "output"), _arrays(th_out, "output"), tol, "", truth.get("outputs"),
                              part("outputs"))
        errs += _compare_named(_buffers(ours), _buffers(theirs), tol, "buffer after forward", truth.get("buffers"),
                               part("buffers"))
        records.append(_record(spec, case, "forward", dtype, mode, errs, tol, seed))
    return records


def _differentiable_outputs(outs) -> list[int]:
    return [k for k, o in enumerate(outs) if getattr(o, "requires_grad", False)]


def _targets(module, leaves) -> tuple[list[str], list]:
    """The names and tensors to differentiate with respect to: the input leaves, then the parameters that
    require grad, by name."""
    params = [(name, p) for name, p in module.named_parameters() if p.requires_grad]
    return [f"input {i}" for i in range(len(leaves))] + [n for n, _ in params], list(leaves) + [p for _, p in params]


def _first_grads(spec, case, dtype, seed, mode, rng, create_graph=False):
    """Both sides' (names, targets, gradients for one random cotangent per differentiable output), or the failure."""
    gl = spec.grad_leaves(case)
    (th_out, th_leaves, theirs), (result, ours), error = _run(spec, case, dtype, seed, mode, gl)
    if error is not None:
        return None, _refused(error)
    ours_out, ours_leaves = result
    idx = _differentiable_outputs(th_out)
    if _differentiable_outputs(ours_out) != idx:
        return None, C._failed(f"differentiable outputs: refgrad {_differentiable_outputs(ours_out)}, torch {idx}")
    cts = C._cotangents(th_out, idx, dtype, rng)
    th_names, th_targets = _targets(theirs, th_leaves)
    names, targets = _targets(ours, ours_leaves)
    th_g = C._torch_vjp(th_out, th_targets, idx, cts, create_graph)
    g, error = C._outcome(C._refgrad_vjp, ours_out, targets, idx, cts, create_graph)
    if error is not None:
        return None, C._failed(f"backward: {_refused(error).note}")
    truth = None if create_graph else _truth(spec, case, dtype, seed, mode, gl, idx, cts)
    resamples = _gradient_resampler(spec, case, seed, mode, gl, idx, cts) if truth else None
    return ((names, targets, g), (th_names, th_targets, th_g), (truth or {}).get("gradients"), resamples), None


def vjp_torch(spec: ModuleSpec, case: ModuleCase, dtype: str, seed: int) -> list[Record]:
    tol = spec.tol("vjp_torch", dtype)
    records = []
    for mode in spec.modes:
        both, failure = _first_grads(spec, case, dtype, seed, mode, np.random.default_rng(seed))
        if failure is not None:
            records.append(_record(spec, case, "vjp_torch", dtype, mode, [failure], tol, seed))
            continue
        (names, targets, g), (th_names, th_targets, th_g), truth, resamples = both
        errs = _compare_named(_grads(names, targets, g), _grads(th_names, th_targets, th_g), tol, "gradient of",
                              truth, resamples)
        records.append(_record(spec, case, "vjp_torch", dtype, mode, errs, tol, seed))
    return records


def _grads(names, targets, grads) -> dict:
    """name -> gradient array, a missing gradient (None) as zeros of its target's shape, a sparse one (torch's sparse
    COO, refgrad's SparseRowTensor: Embedding(sparse=True)) densified."""
    return {n: np.zeros(t.shape, C._array(t).dtype) if g is None
            else C._array(g.to_dense() if getattr(g, "is_sparse", False) else g)
            for n, t, g in zip(names, targets, grads)}


def double_backward(spec: ModuleSpec, case: ModuleCase, dtype: str, seed: int) -> list[Record]:
    import torch

    import refgrad

    tol = spec.tol("double_backward", dtype)
    records = []
    for mode in spec.modes:
        rng = np.random.default_rng(seed)
        both, failure = _first_grads(spec, case, dtype, seed, mode, rng, create_graph=True)
        if failure is not None:
            records.append(_record(spec, case, "double_backward", dtype, mode, [failure], tol, seed))
            continue
        (names, targets, g), (th_names, th_targets, th_g), _, _ = both
        ws = [rng.standard_normal(t.shape).astype(dtype) for t in th_targets]
        second = []
        for lib, grads, tgts, grad in (("refgrad", g, targets, refgrad.autograd.grad),
                                       ("torch", th_g, th_targets, torch.autograd.grad)):
            terms = [(gi * C._tensor_like(gi, w)).sum() for gi, w in zip(grads, ws)
                     if gi is not None and gi.requires_grad]
            if not terms:  # the first derivative does not depend on the targets: the second is zero
                second.append([None] * len(tgts))
                continue
            with C._watch(lib):
                total = sum(terms[1:], terms[0])
                result, error = C._outcome(grad, total, tgts, allow_unused=True)
            if error is not None:
                if lib == "torch":
                    raise error  # torch has no double backward here: the spec must leave this check out
                second = None
                records.append(_record(spec, case, "double_backward", dtype, mode, [_refused(error)], tol, seed))
                break
            second.append(list(result))
        if second is not None:
            errs = _compare_named(_grads(names, targets, second[0]), _grads(th_names, th_targets, second[1]), tol,
                                  "second derivative of")
            records.append(_record(spec, case, "double_backward", dtype, mode, errs, tol, seed))
    return records


INIT_SAMPLES = 1000  # values drawn per parameter (over repeated constructions) for the KS test
INIT_MAX_BUILDS = 50
INIT_SIGNIFICANCE = 1e-6  # run under every profile and seed: a false alarm must be rarer than one in the suite's life


def init(spec: ModuleSpec, case: ModuleCase, dtype: str, seed: int) -> list[Record]:
    """refgrad's default initialization draws from torch's distribution: each parameter's values over repeated
    constructions (refgrad's and torch's generators seeded alike, which makes neither copy the other) pass a
    two-sample KS test at INIT_SIGNIFICANCE; a parameter torch fills with one constant (LayerNorm's ones) and every
    buffer must equal torch's exactly."""
    import torch

    import refgrad

    from .statistics import ks_p_value, ks_statistic

    tol = spec.tol("forward", dtype)
    ours, theirs, our_buffers, their_buffers = {}, {}, {}, {}
    builds, k = 1, 0
    torch.manual_seed(seed)  # once: reseeding torch costs milliseconds
    refgrad.manual_seed(seed)
    while k < builds:
        args, kwargs = _constructor_args(spec, case, "torch")
        with C._watch("torch"):
            module = spec.torch_module()(*args, **kwargs)
        args, kwargs = _constructor_args(spec, case, "refgrad")
        with C._watch("refgrad"):
            twin, error = C._outcome(spec.refgrad_module(), *args, **kwargs)
        if error is not None:
            return [_record(spec, case, "init", dtype, "", [_refused(error)], tol, seed)]
        for store, m in ((theirs, module), (ours, twin)):
            for name, p in m.named_parameters():
                store.setdefault(name, []).append(C._array(p).ravel())
        if k == 0:
            their_buffers, our_buffers = _buffers(module), _buffers(twin)
            # enough builds for the smallest parameter with values (an empty one, input_size=0, has none to draw)
            smallest = min((p.numel() for p in module.parameters() if p.numel()), default=0)
            builds = min(INIT_MAX_BUILDS, -(-INIT_SAMPLES // smallest)) if smallest else 1
        k += 1
    errs = _compare_named(our_buffers, their_buffers, tol, "buffer at construction")
    if list(ours) != list(theirs):
        errs.append(C._failed(f"parameters: refgrad has {list(ours)}, torch {list(theirs)}"))
    notes = []
    for name in theirs:
        if name not in ours:
            continue
        a, b = np.concatenate(ours[name]).astype(np.float64), np.concatenate(theirs[name]).astype(np.float64)
        if b.size == 0 or a.size != b.size:
            if a.size != b.size:
                errs.append(C._failed(f"parameter {name}: refgrad {a.size} values, torch {b.size}"))
            continue
        if np.all(b == b[0]):  # a constant initialization: exactly torch's
            err = metrics.compare(a, b, tol.rtol, tol.atol)
            errs.append(err if err.passed else C._failed(f"parameter {name}: torch fills it with {float(b[0])!r}, "
                                                         f"refgrad's values lie in [{a.min():g}, {a.max():g}]"))
            continue
        p_value, statistic = ks_p_value(a, b), ks_statistic(a, b)
        passed = p_value >= INIT_SIGNIFICANCE
        notes.append(f"{name}: KS D={statistic:.3f} p={p_value:.2g} over {b.size} values")
        errs.append(metrics.Errors(statistic, 0.0, 0.0, b.size, passed,
                                   "" if passed else f"parameter {name} is not drawn as torch's: {notes[-1]}"))
    record = _record(spec, case, "init", dtype, "", errs, tol, seed, "; ".join(notes))
    return [record]


def _no_leaked_warnings(check):
    def run(spec, case, dtype, seed):
        outer, C._log = C._log, C._WarningLog()
        log = C._log
        try:
            records = check(spec, case, dtype, seed)
        finally:
            C._log = outer
        return C.fail_on_leaks(records, log)

    run.__name__ = check.__name__
    return run


MODULE_CHECKS = {name: _no_leaked_warnings(check) for name, check in {
    "state_dict": state_dict, "forward": forward, "vjp_torch": vjp_torch, "double_backward": double_backward,
    "init": init}.items()}


# ---- error cases ----------------------------------------------------------------------------------------
def module_error_case(spec: ModuleSpec, ec: ModuleErrorCase) -> list[str]:
    """A bad configuration (ec.inputs None) or a bad call, through torch and refgrad: same exception class, and
    refgrad's message naming every fragment. A call's module must construct in both libraries."""
    from .spec import Case

    ctor = ModuleCase(tuple(ec.args), dict(ec.kwargs))
    call = C.describe_call(f"nn.{spec.name}", Case(ctor.args, ctor.kwargs))
    if ec.inputs is not None:
        call += C.describe_call("", Case(tuple(ec.inputs), dict(ec.forward_kwargs)))

    def attempt(lib: str):
        args, kwargs = _constructor_args(spec, ctor, lib)
        module = (spec.torch_module() if lib == "torch" else spec.refgrad_module())(*args, **kwargs)
        if ec.inputs is None:
            return module
        case = ModuleCase(inputs=tuple(ec.inputs), forward_kwargs=dict(ec.forward_kwargs))
        return _call(module, case, lib, (), "")

    return C.compare_raises(call, attempt, ec.fragments)
