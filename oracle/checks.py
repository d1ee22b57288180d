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
"""
from __future__ import annotations

import dataclasses

import numpy as np

from . import metrics, numeric
from .records import Record
from .spec import Case, OpSpec

FULL_JACOBIAN_MAX = 48  # up to this many input elements, the whole numerical Jacobian is formed
N_DIRECTIONS = 3  # beyond it, this many random directions uᵀJv


# ---- running an op in refgrad and in torch --------------------------------------------------------------
def _refgrad_call(spec: OpSpec, case: Case, grad_leaves=(), values=None):
    """Calls the refgrad op; returns (flat outputs, the leaf tensors that require grad)."""
    import refgrad

    made = {}

    def convert(i, a):
        a = values[i] if values is not None and i in values else a
        t = refgrad.tensor(a, requires_grad=i in grad_leaves)
        made[i] = t
        # the op sees a non-leaf (an exact copy of the leaf), as inside a model: the graph then keeps a value-less
        # stand-in for an input the op's ``saves`` leaves out, and a vjp that reads it anyway fails here
        return t.clone() if i in grad_leaves else t

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
    return list(refgrad.autograd.grad([outs[k] for k in idx], leaves, [refgrad.tensor(c) for c in cts],
                                      allow_unused=True, create_graph=create_graph))


def _torch_vjp(outs, leaves, idx, cts, create_graph=False):
    import torch

    if not idx or not leaves:
        return [None] * len(leaves)
    return list(torch.autograd.grad([outs[k] for k in idx], leaves, [torch.from_numpy(c) for c in cts],
                                    allow_unused=True, create_graph=create_graph))


# ---- records ------------------------------------------------------------------------------------------
def _record(spec, case, check, dtype, errs: list[metrics.Errors], tol, seed, note="") -> Record:
    notes = [e.note for e in errs if e.note] + ([note] if note else [])
    finite = [e for e in errs] or [metrics.Errors(0.0, 0.0, 0.0, 0, True)]
    return Record(op=spec.id, family=spec.family, check=check, dtype=dtype, shapes=case.shapes(),
                  params=case.params(), n_elements=sum(e.n_elements for e in finite),
                  max_abs_err=max(e.max_abs_err for e in finite), max_rel_err=max(e.max_rel_err for e in finite),
                  max_ulp=max(e.max_ulp for e in finite), rtol=tol.rtol, atol=tol.atol,
                  passed=all(e.passed for e in finite), seed=str(seed), example=case.example(), note="; ".join(notes))


def _compare_lists(actual: list, expected: list, shapes: list, tol, dtype) -> list[metrics.Errors]:
    """Pairwise comparison; a missing gradient (None) counts as zeros of the leaf's shape."""
    if len(actual) != len(expected):
        return [metrics.Errors(np.inf, np.inf, np.inf, 0, False,
                               f"{len(actual)} outputs, torch gives {len(expected)}")]
    errs = []
    for a, e, shape in zip(actual, expected, shapes):
        a = np.zeros(shape, dtype) if a is None else a
        e = np.zeros(shape, dtype) if e is None else e
        if a.dtype != e.dtype:
            errs.append(metrics.Errors(np.inf, np.inf, np.inf, e.size, False,
                                       f"dtype: refgrad {a.dtype}, torch {e.dtype}"))
        else:
            errs.append(metrics.compare(a, e, tol.rtol, tol.atol))
    return errs


# ---- the checks ---------------------------------------------------------------------------------------
def forward(spec: OpSpec, case: Case, dtype: str, seed: int, check: str = "forward") -> list[Record]:
    ref, _ = _refgrad_call(spec, case)
    th, _ = _torch_call(spec, case)
    tol = spec.tol(check, dtype)
    errs = _compare_lists([_array(r) for r in ref], [_array(t) for t in th], [np.shape(_array(t)) for t in th],
                          tol, dtype)
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
    errs = _compare_lists([_array(g) for g in ref_g], [_array(g) for g in th_g], [leaves[i].shape for i in gl],
                          tol, dtype)
    if note:
        errs.append(metrics.Errors(np.inf, np.inf, np.inf, 0, False, note))
    return [_record(spec, case, check, dtype, errs, tol, seed)]


def kinks(spec: OpSpec, case: Case, dtype: str, seed: int) -> list[Record]:
    """At a kink or tie there is no derivative to check numerically: only torch's choice of subgradient."""
    fwd = forward(spec, case, dtype, seed, check="kinks")[0]
    bwd = vjp_torch(spec, case, dtype, seed, check="kinks")[0]
    bwd.note = "; ".join(n for n in (fwd.note, bwd.note) if n)
    for attr in ("max_abs_err", "max_rel_err", "max_ulp"):
        setattr(bwd, attr, max(getattr(fwd, attr), getattr(bwd, attr)))
    bwd.passed = fwd.passed and bwd.passed
    return [bwd]


class _Flattened:
    """The op as a function of one flat float64 vector (the differentiable leaves, concatenated) returning
    one flat vector (its float outputs, concatenated): what numerical differentiation needs."""

    def __init__(self, spec: OpSpec, case: Case):
        self.spec, self.case = spec, case
        self.gl = spec.grad_leaves(case)
        leaves = case.leaves()
        self.shapes = [leaves[i].shape for i in self.gl]
        self.sizes = [leaves[i].size for i in self.gl]
        self.x = np.concatenate([leaves[i].ravel() for i in self.gl]) if self.gl else np.zeros(0)

    def split(self, flat: np.ndarray) -> dict:
        parts = np.split(flat, np.cumsum(self.sizes)[:-1]) if self.sizes else []
        return {i: p.reshape(s) for i, p, s in zip(self.gl, parts, self.shapes)}

    def __call__(self, flat: np.ndarray) -> np.ndarray:
        import refgrad

        with refgrad.no_grad():
            outs, _ = _refgrad_call(self.spec, self.case, values=self.split(flat))
        floats = [np.asarray(o._data, np.float64).ravel() for o in outs if o.dtype.kind == "f"]
        return np.concatenate(floats) if floats else np.zeros(0)


def _analytic_vjp(spec, case, dtype, rng):
    """refgrad's gradients for a random cotangent, flattened like _Flattened's input; and that cotangent."""
    gl = spec.grad_leaves(case)
    ref, leaves = _refgrad_call(spec, case, gl)
    float_outs = [k for k, o in enumerate(ref) if o.dtype.kind == "f"]
    cts = _cotangents(ref, float_outs, dtype, rng)
    idx = [k for k in float_outs if ref[k].requires_grad]
    grads = _refgrad_vjp(ref, leaves, idx, [c for k, c in zip(float_outs, cts) if k in idx])
    shapes = [case.leaves()[i].shape for i in gl]
    flat_g = np.concatenate([np.zeros(s).ravel() if g is None else _array(g).ravel() for g, s in zip(grads, shapes)]
                            ) if gl else np.zeros(0)
    u = np.concatenate([c.ravel() for c in cts]) if cts else np.zeros(0)
    return flat_g, u


def vjp_numeric(spec: OpSpec, case: Case, dtype: str, seed: int) -> list[Record]:
    rng = np.random.default_rng(seed)
    f = _Flattened(spec, case)
    analytic, u = _analytic_vjp(spec, case, dtype, rng)
    tol = spec.tol("vjp_numeric", dtype)
    n = f.x.size
    if n == 0 or u.size == 0:
        return [_record(spec, case, "vjp_numeric", dtype, [], tol, seed, "no differentiable elements")]
    if n <= FULL_JACOBIAN_MAX:
        numeric_vjp, kinked = np.zeros(n), np.zeros(n, bool)
        for j in range(n):  # one column of the Jacobian per input element
            e = np.zeros(n)
            e[j] = 1.0
            d = numeric.directional_derivative(f, f.x, e)
            kinked[j] = bool(np.any(d.kink & (u != 0)))
            numeric_vjp[j] = u @ np.where(d.kink, 0.0, d.value)
        errs = [metrics.compare(analytic[~kinked], numeric_vjp[~kinked], tol.rtol, tol.atol)]
        note = f"{int(kinked.sum())} of {n} elements within a step of a kink, excluded" if kinked.any() else ""
        return [_record(spec, case, "vjp_numeric", dtype, errs, tol, seed, note)]
    errs, skipped = [], 0
    for _ in range(N_DIRECTIONS):  # uᵀJv for random v: numerically from forward, analytically from the vjp
        v = rng.standard_normal(n)
        d = numeric.directional_derivative(f, f.x, v)
        if np.any(d.kink & (u != 0)):
            skipped += 1
            continue
        scale = float(np.abs(u) @ np.abs(d.value) + np.abs(analytic) @ np.abs(v))
        errs.append(metrics.compare_inner_products(float(analytic @ v), float(u @ d.value), scale, tol.rtol))
    note = f"{skipped} of {N_DIRECTIONS} random directions crossed a kink, excluded" if skipped else ""
    return [_record(spec, case, "vjp_numeric", dtype, errs, tol, seed, note)]


def jvp(spec: OpSpec, case: Case, dtype: str, seed: int) -> list[Record]:
    import refgrad

    rng = np.random.default_rng(seed)
    f = _Flattened(spec, case)
    tol, adj_tol = spec.tol("jvp", dtype), spec.tol("jvp_adjoint", dtype)
    if f.x.size == 0:
        return [_record(spec, case, "jvp", dtype, [], tol, seed, "no differentiable elements")]
    v = rng.standard_normal(f.x.size)
    primals = [refgrad.tensor(case.leaves()[i]) for i in f.gl]
    tangents = [refgrad.tensor(t) for t in f.split(v).values()]

    def op_of_diff_leaves(*diff):
        by_leaf = dict(zip(f.gl, diff))
        args, kwargs = case.build(lambda i, a: by_leaf[i] if i in by_leaf else refgrad.tensor(a))
        return tuple(o for o in _flat(spec.refgrad_fn()(*args, **kwargs)) if o.dtype.kind == "f")

    _, tangent_out = refgrad.func.jvp(op_of_diff_leaves, tuple(primals), tuple(tangents))
    jv = np.concatenate([_array(t).ravel() for t in tangent_out]) if tangent_out else np.zeros(0)
    d = numeric.directional_derivative(f, f.x, v)
    keep = ~d.kink
    note = f"{int(d.kink.sum())} of {d.kink.size} outputs within a step of a kink, excluded" if d.kink.any() else ""
    records = [_record(spec, case, "jvp", dtype, [metrics.compare(jv[keep], d.value[keep], tol.rtol, tol.atol)],
                       tol, seed, note)]
    # adjoint identity between this op's jvp and its vjp: ⟨Jv, u⟩ = ⟨v, Jᵀu⟩
    jtu, u = _analytic_vjp(spec, case, dtype, rng)
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


CHECKS = {"forward": forward, "vjp_torch": vjp_torch, "vjp_numeric": vjp_numeric, "jvp": jvp,
          "double_backward": double_backward, "kinks": kinks}
