"""Module cases from a functional spec's cases: a module that holds its function's arguments (a distance, a
shuffle, a pad, a fold) is checked on the very cases of its function, split into constructor and forward parts."""
from __future__ import annotations

from collections.abc import Callable

from ...module_spec import ModuleCase
from ...spec import Case

NO_KWARGS: tuple = ()


def from_functional(cases: Callable, n_inputs: int = 1, positional: tuple = NO_KWARGS,
                    rename: dict | None = None) -> Callable:
    """dtype -> strategy of ModuleCase from ``cases`` (dtype -> strategy of Case): the first ``n_inputs`` positional
    arguments are the forward inputs; the remaining positional ones are the constructor's arguments named
    ``positional`` (in order), passed by keyword, with the case's keyword arguments (renamed by ``rename``:
    F's name -> the constructor's)."""
    rename = rename or {}

    def split(case: Case) -> ModuleCase:
        inputs, rest = tuple(case.args[:n_inputs]), case.args[n_inputs:]
        kwargs = dict(zip(positional, rest))
        kwargs.update({rename.get(name, name): value for name, value in case.kwargs.items()})
        return ModuleCase((), kwargs, inputs)

    return lambda dtype: cases(dtype).map(split)
