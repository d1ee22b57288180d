"""quiet: run a function under np.errstate(all="ignore") at the cost of two C calls (every op's forward, see
refgrad.autograd.Function: inf and nan are values in torch, never warnings)."""
from __future__ import annotations

import functools

import numpy as np


def _error_state():
    """NumPy's error-state context variable and its value under np.errstate(all="ignore"), or (None, None) where
    that private variable is missing."""
    try:
        from numpy._core._ufunc_config import _extobj_contextvar as state
    except ImportError:
        return None, None
    with np.errstate(all="ignore"):
        return state, state.get()


# Function.apply sets these itself around each forward, saving a wrapper's frame on every op
ERROR_STATE, IGNORE_ALL = _error_state()


def _quiet_calls():
    """A decorator running a function under np.errstate(all="ignore"). NumPy keeps its error state in a context
    variable: setting it directly costs two C calls per op, where np.errstate's context manager costs more than
    a small op's own arithmetic. np.errstate itself where that private variable is missing."""
    if ERROR_STATE is None:
        return np.errstate(all="ignore")
    state, ignore_all = ERROR_STATE, IGNORE_ALL

    def quiet(fn):
        @functools.wraps(fn)
        def quietly(*args, **kwargs):
            token = state.set(ignore_all)
            try:
                return fn(*args, **kwargs)
            finally:
                state.reset(token)

        return quietly

    return quiet


quiet = _quiet_calls()
