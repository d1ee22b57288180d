"""Builders of ModuleCase strategies shared by the module spec files."""
from __future__ import annotations

from collections.abc import Callable

from hypothesis import strategies as st

from . import strategies as S
from .module_spec import ModuleCase


def _as_strategy(value) -> st.SearchStrategy:
    if isinstance(value, st.SearchStrategy):
        return value
    if isinstance(value, dict):
        return st.fixed_dictionaries({k: _as_strategy(v) for k, v in value.items()})
    if isinstance(value, tuple):
        return st.tuples(*map(_as_strategy, value))
    return st.just(value)


def module_cases(inputs: Callable, args=(), kwargs=None, forward_kwargs=None):
    """dtype -> strategy of ModuleCase. ``args`` and ``kwargs`` are the constructor's (values or strategies, e.g.
    ``{"in_features": st.integers(1, 4), "bias": st.booleans()}``); then ``inputs(config, dtype)`` gives a strategy
    of the forward inputs (a tuple of arrays) for the drawn config, a ModuleCase with args and kwargs set."""

    def cases(dtype):
        constructor_kwargs = _as_strategy({} if kwargs is None else kwargs)  # a strategy's bool() warns
        configs = st.builds(lambda a, k: ModuleCase(a, k), _as_strategy(tuple(args)), constructor_kwargs)

        def with_inputs(config: ModuleCase):
            drawn = inputs(config, dtype)
            forward = _as_strategy(forward_kwargs or {})
            return st.tuples(drawn, forward).map(lambda xf: ModuleCase(config.args, config.kwargs, tuple(xf[0]),
                                                                        xf[1]))

        return configs.flatmap(with_inputs)

    return cases


def batched(feature_shape: Callable, domain: S.Domain = S.REAL, max_lead: int = 2, max_side: int = 3):
    """inputs(config, dtype) for a module taking one input ``(*lead, *feature_shape(config))``: 0 to max_lead
    leading dims (0-size ones included)."""

    def inputs(config: ModuleCase, dtype):
        return S.shapes(0, max_lead, max_side=max_side).flatmap(
            lambda lead: S.arrays(dtype, lead + tuple(feature_shape(config)), domain)).map(lambda x: (x,))

    return inputs
