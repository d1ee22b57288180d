"""LBFGS: mirrors torch.optim.LBFGS, with its strong-Wolfe line search.

torch keeps some of LBFGS's scalars as 0-d tensors (those computed from tensors: dot products, the step t once a
tensor touched it) and others as Python numbers. Here the first are NumPy scalars of the parameters' dtype, which
follow the same arithmetic (a float32 scalar stays float32 against Python floats, as a 0-d tensor does), and the
state stores them as 0-d refgrad tensors, so the state holds what torch's holds, type for type.
"""
from __future__ import annotations

import numpy as np

from ..autograd import enable_grad
from ..tensor import Tensor
from .optimizer import Optimizer, dense_grad, scalar

__all__ = ["LBFGS"]

# the state entries kept between steps (besides the counters "func_evals", "n_iter" and the buffer "al")
_CARRIED = ("d", "t", "old_dirs", "old_stps", "ro", "H_diag", "prev_flat_grad", "prev_loss")


def _from_state(value):
    """A state value as the step computes with it: 0-d tensors as NumPy scalars, others as arrays."""
    if isinstance(value, list):
        return [_from_state(v) for v in value]
    if isinstance(value, Tensor):
        return value._data[()] if value.ndim == 0 else np.array(value._data)
    return value


def _to_state(value):
    """NumPy scalars and arrays (torch's tensors) as refgrad tensors; Python numbers, None and lists as they are."""
    if isinstance(value, list):
        return [_to_state(v) for v in value]
    if isinstance(value, (np.ndarray, np.generic)):
        return Tensor(np.array(value))
    return value


def _cubic_minimum(x1, f1, g1, x2, f2, g2, bounds=None):
    """The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped to bounds (default:
    between x1 and x2); the middle of the bounds when the cubic has no real minimizer."""
    low, high = bounds if bounds is not None else ((x1, x2) if x1 <= x2 else (x2, x1))
    d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
    d2_square = d1 ** 2 - g1 * g2
    if not d2_square >= 0:  # (a NaN too)
        return (low + high) / 2.0
    d2 = np.sqrt(d2_square)
    if x1 <= x2:
        minimum = x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    else:
        minimum = x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
    return min(max(minimum, low), high)


def _strong_wolfe(evaluate, t, d, f, g, gtd, c1=1e-4, c2=0.9, tolerance_change=1e-9, max_ls=25):
    """A step t along d meeting the strong Wolfe conditions (sufficient decrease f(t) ≤ f + c1 t gtd, and a flat
    enough slope |g(t)·d| ≤ −c2 gtd), within max_ls evaluations of evaluate(t) -> (loss, flat gradient).

    Bracketing: from t, while neither a condition fails in a way that brackets a minimum nor both hold, extrapolate
    by the cubic through the last two points (within [t + 0.01 (t − t_prev), 10 t]). Zoom: shrink the bracket by
    cubic interpolation, moved a tenth of the bracket away from an end when it lands too close twice, until the
    conditions hold, the bracket is below tolerance_change, or evaluations run out. Returns (loss, gradient, t,
    evaluations)."""
    d_norm = np.abs(d).max()
    g = g.copy()
    f_new, g_new = evaluate(t)
    evaluations = 1
    gtd_new = g_new.dot(d)
    t_prev, f_prev, g_prev, gtd_prev = 0, f, g, gtd
    done = False
    ls_iter = 0
    while ls_iter < max_ls:
        if f_new > (f + c1 * t * gtd) or (ls_iter > 1 and f_new >= f_prev):
            bracket, bracket_f, bracket_g, bracket_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev,
                                                                                                          gtd_new]
            break
        if abs(gtd_new) <= -c2 * gtd:
            bracket, bracket_f, bracket_g = [t], [f_new], [g_new]
            done = True
            break
        if gtd_new >= 0:
            bracket, bracket_f, bracket_g, bracket_gtd = [t_prev, t], [f_prev, f_new], [g_prev, g_new], [gtd_prev,
                                                                                                          gtd_new]
            break
        previous = t
        t = _cubic_minimum(t_prev, f_prev, gtd_prev, t, f_new, gtd_new, bounds=(t + 0.01 * (t - t_prev), t * 10))
        t_prev, f_prev, g_prev, gtd_prev = previous, f_new, g_new, gtd_new
        f_new, g_new = evaluate(t)
        evaluations += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
    if ls_iter == max_ls:  # evaluations ran out: the bracket from 0 to the last trial
        bracket, bracket_f, bracket_g = [0, t], [f, f_new], [g, g_new]

    insufficient_progress = False
    low, high = (0, 1) if bracket_f[0] <= bracket_f[-1] else (1, 0)
    while not done and ls_iter < max_ls:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break
        t = _cubic_minimum(bracket[0], bracket_f[0], bracket_gtd[0], bracket[1], bracket_f[1], bracket_gtd[1])
        # a trial too near an end of the bracket twice in a row (or beyond it) moves a tenth of it inwards
        eps = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < eps:
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                t = max(bracket) - eps if abs(t - max(bracket)) < abs(t - min(bracket)) else min(bracket) + eps
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False
        f_new, g_new = evaluate(t)
        evaluations += 1
        gtd_new = g_new.dot(d)
        ls_iter += 1
        if f_new > (f + c1 * t * gtd) or f_new >= bracket_f[low]:
            # no sufficient decrease, or not below the low end: the trial becomes the high end
            bracket[high], bracket_f[high], bracket_g[high], bracket_gtd[high] = t, f_new, g_new, gtd_new
            low, high = (0, 1) if bracket_f[0] <= bracket_f[1] else (1, 0)
        else:
            if abs(gtd_new) <= -c2 * gtd:
                done = True
            elif gtd_new * (bracket[high] - bracket[low]) >= 0:  # the minimum lies the other way: old low is high
                bracket[high], bracket_f[high] = bracket[low], bracket_f[low]
                bracket_g[high], bracket_gtd[high] = bracket_g[low], bracket_gtd[low]
            bracket[low], bracket_f[low], bracket_g[low], bracket_gtd[low] = t, f_new, g_new, gtd_new
    return bracket_f[low], bracket_g[low], bracket[low], evaluations


class LBFGS(Optimizer):
    r"""torch.optim.LBFGS(params, lr=1, max_iter=20, max_eval=None, tolerance_grad=1e-7, tolerance_change=1e-9,
    history_size=100, line_search_fn=None): limited-memory BFGS. One parameter group only; ``step(closure)`` needs
    the closure (it zeroes the gradients, evaluates the loss, calls backward() and returns the loss), which it calls
    as often as the iterations need. max_eval defaults to max_iter · 5 // 4.

    All parameters are treated as one flat vector x with gradient g (γ = lr, m = history_size). One step:

        f, g ← closure();  stop if max|g| ≤ tolerance_grad
        repeat at most max_iter times:
            if this is the very first iteration (the counter n_iter survives across steps):
                p ← −g;  memory empty;  H ← 1
            else:
                y ← g − g_prev;  s ← t p                        (the previous iteration's direction and step)
                if y·s > 1e-10: remember (y, s, ρ = 1/(y·s)), forgetting the oldest beyond m;  H ← y·s / y·y
                p ← −(inverse Hessian estimate) g                by the two-loop recursion over the memory,
                                                                 starting from H times the identity
            t ← min(1, 1/‖g‖₁) γ on the very first iteration, else γ
            stop if g·p > −tolerance_change                       (not a descent direction)
            if line_search_fn == "strong_wolfe": t, f, g ← the strong-Wolfe line search from t along p
                                                 (at most max_eval − evaluations so far);  x ← x + t p
            else: x ← x + t p;  f, g ← closure() unless this is the last iteration
            stop if the iterations or evaluations reach max_iter / max_eval, max|g| ≤ tolerance_grad,
                 max|t p| ≤ tolerance_change, or |f − f_prev| < tolerance_change

    It returns the closure's first loss. The state (held by the first parameter, as torch's): "func_evals" and
    "n_iter" (counts over all steps), "al" (the two-loop buffer), "d" (p), "t", "old_dirs" (the y), "old_stps" (the
    s), "ro", "H_diag", "prev_flat_grad", "prev_loss". A sparse gradient counts as its dense equivalent.
    """

    def __init__(self, params, lr=1, max_iter: int = 20, max_eval: int | None = None, tolerance_grad: float = 1e-7,
                 tolerance_change: float = 1e-9, history_size: int = 100, line_search_fn: str | None = None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= scalar(lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        super().__init__(params, {"lr": lr, "max_iter": max_iter, "max_eval": max_eval,
                                  "tolerance_grad": tolerance_grad, "tolerance_change": tolerance_change,
                                  "history_size": history_size, "line_search_fn": line_search_fn})
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    # ---- the parameters as one flat vector ------------------------------------------------------------------------
    @property
    def _params(self) -> list:
        return self.param_groups[0]["params"]

    def _flat_grad(self) -> np.ndarray:
        return np.concatenate([np.zeros(p.numel(), p.dtype) if p.grad is None else dense_grad(p).reshape(-1)
                               for p in self._params])

    def _add_to_params(self, step_size, direction: np.ndarray) -> None:
        """x ← x + step_size · direction (step_size taken in the parameters' dtype, as torch's alpha)."""
        offset = 0
        for p in self._params:
            n = p.numel()
            p._data += p.dtype.type(step_size) * direction[offset:offset + n].reshape(p.shape)
            p._version_counter[0] += 1
            offset += n

    def _set_params(self, values: list) -> None:
        for p, value in zip(self._params, values):
            p._data[...] = value
            p._version_counter[0] += 1

    # ---- the step -------------------------------------------------------------------------------------------------
    def _step(self, closure):
        group = self.param_groups[0]
        lr, max_iter, max_eval = _from_state(group["lr"]), group["max_iter"], group["max_eval"]  # a tensor lr stays one
        tolerance_grad, tolerance_change = group["tolerance_grad"], group["tolerance_change"]
        line_search_fn, history_size = group["line_search_fn"], group["history_size"]

        def evaluate():
            with enable_grad():
                return closure()

        state = self.state[self._params[0]]
        state.setdefault("func_evals", 0)
        state.setdefault("n_iter", 0)
        orig_loss = evaluate()
        loss = float(orig_loss)
        current_evals = 1
        state["func_evals"] += 1
        flat_grad = self._flat_grad()
        if flat_grad.size == 0:  # torch's max() of an empty tensor
            raise RuntimeError("max(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
                               "reduction dim with the 'dim' argument.")
        if np.abs(flat_grad).max() <= tolerance_grad:
            return orig_loss

        d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss = (_from_state(state.get(k)) for k in _CARRIED)
        al = _from_state(state.get("al"))
        n_iter = 0
        while n_iter < max_iter:
            n_iter += 1
            state["n_iter"] += 1
            # the direction
            if state["n_iter"] == 1:
                d = -flat_grad
                old_dirs, old_stps, ro, H_diag = [], [], [], 1
            else:
                y = flat_grad - prev_flat_grad
                s = d * d.dtype.type(t)  # a tensor's dtype wins over a 0-d one's (a float64 lr), as in torch
                ys = y.dot(s)
                if ys > 1e-10:
                    if len(old_dirs) == history_size:
                        old_dirs.pop(0)
                        old_stps.pop(0)
                        ro.pop(0)
                    old_dirs.append(y)
                    old_stps.append(s)
                    ro.append(1.0 / ys)
                    H_diag = ys / y.dot(y)
                if al is None:
                    al = [None] * history_size
                    state["al"] = al  # the key's place in the state, as torch's; its values are stored at the end
                # two-loop recursion: q ← g through the memory newest first, then r ← H q back oldest first
                q = -flat_grad
                for i in range(len(old_dirs) - 1, -1, -1):
                    al[i] = old_stps[i].dot(q) * ro[i]
                    q += q.dtype.type(-al[i]) * old_dirs[i]
                d = r = q * H_diag
                for i in range(len(old_dirs)):
                    be_i = old_dirs[i].dot(r) * ro[i]
                    r += r.dtype.type(al[i] - be_i) * old_stps[i]
            prev_flat_grad = flat_grad.copy()
            prev_loss = loss
            # the step length
            t = min(1.0, 1.0 / np.abs(flat_grad).sum()) * lr if state["n_iter"] == 1 else lr
            gtd = flat_grad.dot(d)
            if gtd > -tolerance_change:
                break
            ls_func_evals = 0
            if line_search_fn is not None:
                if line_search_fn != "strong_wolfe":
                    raise RuntimeError("only 'strong_wolfe' is supported")
                start = [np.array(p._data) for p in self._params]

                def along(step_size, start=start, direction=d):
                    self._add_to_params(step_size, direction)
                    value = float(evaluate())
                    gradient = self._flat_grad()
                    self._set_params(start)
                    return value, gradient

                loss, flat_grad, t, ls_func_evals = _strong_wolfe(along, t, d, loss, flat_grad, gtd,
                                                                  max_ls=max_eval - current_evals)
                self._add_to_params(t, d)
                opt_cond = np.abs(flat_grad).max() <= tolerance_grad
            else:
                self._add_to_params(t, d)
                if n_iter != max_iter:  # the last iteration's loss would go unused
                    loss = float(evaluate())
                    flat_grad = self._flat_grad()
                    opt_cond = np.abs(flat_grad).max() <= tolerance_grad
                    ls_func_evals = 1
            current_evals += ls_func_evals
            state["func_evals"] += ls_func_evals
            # stopping
            if n_iter == max_iter or current_evals >= max_eval or opt_cond:
                break
            if np.abs(d * d.dtype.type(t)).max() <= tolerance_change or abs(loss - prev_loss) < tolerance_change:
                break

        if al is not None:
            state["al"] = _to_state(al)
        carried = (d, t, old_dirs, old_stps, ro, H_diag, prev_flat_grad, prev_loss)
        state.update({k: _to_state(v) for k, v in zip(_CARRIED, carried)})
        return orig_loss

    def _update(self, group: dict, params: list) -> None:  # _step does everything
        raise NotImplementedError
