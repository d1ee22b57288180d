"""Hyperparameter strategies the optimizer specs share."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

LR = st.sampled_from([1e-3, 0.01, 0.1, 0.5])
WEIGHT_DECAY = st.sampled_from([0, 0.0, 1e-2, 0.1])
MOMENTUM = st.sampled_from([0, 0.5, 0.9])
FLAGS = {"foreach": st.sampled_from([None, False]), "maximize": st.booleans()}


def lr_as_tensor(lr) -> st.SearchStrategy:
    """lr as torch accepts it: a float, or a 0-d tensor (drawn as a 0-d array, made each library's tensor)."""
    return st.one_of(lr, lr.map(lambda v: np.array(v)))
