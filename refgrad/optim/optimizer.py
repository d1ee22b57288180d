"""Optimizer: mirrors torch.optim.Optimizer, the base every optimizer extends.

An optimizer holds ``param_groups`` (dicts of parameters and their options, the constructor's defaults filled in)
and ``state`` (per parameter: momentum buffers, running averages, step counts, as refgrad tensors). A subclass
declares its defaults and writes ``_update(group, params_with_grad)``; the base does the rest as torch's does:
parameter groups and their checks, ``zero_grad``, ``state_dict`` / ``load_state_dict`` (torch's layout: state keyed
by parameter index, groups holding indices), step pre/post hooks, ``add_param_group``.

Updates run on the parameters' arrays in place, outside the graph (torch's step runs under no_grad); each updated
parameter's version is bumped as torch's in-place ops do, so a graph that saved the old value refuses to use it.
"""
from __future__ import annotations

import copy
import itertools
import warnings
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable

import numpy as np

from .. import dtypes
from ..nn.modules.module import RemovableHandle
from ..sparse import SparseRowTensor
from ..tensor import Tensor

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """The default of an option a group must give (SGD's lr before torch 2.x defaulted it)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()

# flags that only choose torch's implementation (one loop per tensor, a fused kernel, CUDA-graph capture): refgrad has
# one implementation, so they are accepted, kept in the group as torch keeps them, and change nothing
IMPLEMENTATION_FLAGS = ("foreach", "fused", "capturable")


def _typename(obj) -> str:
    if isinstance(obj, Tensor):
        return f"refgrad.{dtypes.scalar_type_name(obj.dtype)}Tensor"
    return f"{type(obj).__module__}.{type(obj).__qualname__}" if type(obj).__module__ != "builtins" else \
        type(obj).__qualname__


def scalar(value) -> float:
    """A hyperparameter given as a number or a 0-d tensor (torch accepts lr=torch.tensor(0.01)), as a float."""
    return float(value.item()) if isinstance(value, Tensor) else value


class Optimizer:
    """torch.optim.Optimizer(params, defaults). ``params``: an iterable of tensors, of (name, tensor) pairs, or of
    dicts (parameter groups, each with a ``params`` entry and any options that override ``defaults``)."""

    def __init__(self, params: Iterable, defaults: dict):
        if defaults.get("fused"):  # torch's checks of the fused kernel's flags, for every optimizer that has one
            if defaults.get("differentiable"):
                raise RuntimeError("`fused` does not support `differentiable`")
            if defaults.get("foreach"):
                raise RuntimeError("`fused` and `foreach` cannot be `True` together.")
        if defaults.get("differentiable"):
            # torch's differentiable=True runs the update in autograd ops so a step can be differentiated through
            raise NotImplementedError(f"{type(self).__name__}(differentiable=True) is not supported by refgrad: its "
                                      "optimizers update parameters in place outside the autograd graph")
        self.defaults = defaults
        self._optimizer_step_pre_hooks: OrderedDict = OrderedDict()
        self._optimizer_step_post_hooks: OrderedDict = OrderedDict()
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of Tensors or dicts, but "
                            f"got {_typename(params)}")
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: list[dict] = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    def __getstate__(self) -> dict:
        return {"defaults": self.defaults, "state": self.state, "param_groups": self.param_groups}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_optimizer_step_pre_hooks", OrderedDict())
        self.__dict__.setdefault("_optimizer_step_post_hooks", OrderedDict())

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            text += "".join(f"    {key}: {group[key]}\n" for key in sorted(group) if key != "params")
        return text + ")"

    # ---- parameter groups ---------------------------------------------------------------------------
    def add_param_group(self, param_group: dict) -> None:
        """Adds a group (a dict with ``params`` and optional options): its parameters must be leaf tensors that no
        other group holds; options it leaves out take the constructor's defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, but the ordering of "
                            "tensors in sets will change between runs. Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        tensors = [p[1] if isinstance(p, tuple) else p for p in params]
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            param_group["param_names"] = names
        for p in tensors:
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but one of the params is {_typename(p)}")
            if not self.defaults.get("differentiable", None) and not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            param_group.setdefault(name, default)
        if len({id(p) for p in tensors}) != len(tensors):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in future, this will cause "
                          "an error; see github.com/pytorch/pytorch/issues/40967 for more information", stacklevel=3)
        held = set()
        for group in self.param_groups:
            held.update(id(p) for p in group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. cannot add param group "
                                 f"{which} to the optimizer")
        if held & {id(p) for p in tensors}:
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Resets every parameter's gradient: to None (the default), or to zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                if set_to_none or isinstance(p.grad, SparseRowTensor):
                    p.grad = None
                else:
                    p.grad = p.grad.detach()
                    p.grad._data[...] = 0

    # ---- stepping -------------------------------------------------------------------------------------
    def step(self, *args, **kwargs):
        """step(closure=None): one update of every parameter with a gradient; ``closure`` (re-evaluating the model
        and returning its loss) is called first, under grad mode, and its loss returned. Hooks see the call as
        torch's do: ``hook(optimizer, args, kwargs)`` with ``args`` starting with the optimizer itself; a pre-hook
        may return replacement ``(args, kwargs)``."""
        args = (self, *args)
        for hook in list(self._optimizer_step_pre_hooks.values()):
            result = hook(self, args, kwargs)
            if result is not None:
                if not (isinstance(result, tuple) and len(result) == 2):
                    raise RuntimeError(f"{type(self).__name__}.step must return None or a tuple of (new_args, "
                                       f"new_kwargs), but got {result}.")
                args, kwargs = result
        loss = args[0]._step(*args[1:], **kwargs)
        for hook in list(self._optimizer_step_post_hooks.values()):
            hook(self, args, kwargs)
        return loss

    def _step(self, closure: Callable | None = None):
        from ..autograd import enable_grad

        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if params:
                self._check_grads(params)
                self._update(group, params)
                for p in params:
                    p._version_counter[0] += 1
        return loss

    # a subclass that takes sparse gradients (SparseAdam) says so; the others refuse them, as torch's
    accepts_sparse_grads = False

    def _check_grads(self, params: list) -> None:
        for p in params:
            if isinstance(p.grad, SparseRowTensor) and not self.accepts_sparse_grads:
                raise RuntimeError(f"{type(self).__name__} does not support sparse gradients")

    def _update(self, group: dict, params: list) -> None:
        raise NotImplementedError

    def register_step_pre_hook(self, hook: Callable) -> RemovableHandle:
        """hook(optimizer, args, kwargs) -> None or (new_args, new_kwargs), before each step."""
        handle = RemovableHandle(self._optimizer_step_pre_hooks)
        self._optimizer_step_pre_hooks[handle.id] = hook
        return handle

    def register_step_post_hook(self, hook: Callable) -> RemovableHandle:
        """hook(optimizer, args, kwargs) -> None, after each step."""
        handle = RemovableHandle(self._optimizer_step_post_hooks)
        self._optimizer_step_post_hooks[handle.id] = hook
        return handle

    # ---- state dict -----------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """{"state": {index: {name: value}}, "param_groups": [{options..., "params": [indices]}]}: parameters
        numbered in group order, as torch's. The state's tensors are the optimizer's own (not copies), as torch's."""
        index: dict[int, int] = {}
        counter = itertools.count()
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for p in group["params"]:
                if id(p) not in index:
                    index[id(p)] = next(counter)
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(p)] if isinstance(p, Tensor) else p): v for p, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Loads a state_dict of this layout (refgrad's, or torch's with its tensors given as arrays or CPU torch
        tensors through np.asarray): groups must match in number and size; state values become refgrad tensors
        cast to their parameter's dtype, except ``step``, which keeps its own (as torch's)."""
        groups = self.param_groups
        saved = copy.deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(groups, saved)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match the size of optimizer's "
                             "group")
        by_index = dict(zip(itertools.chain.from_iterable(s["params"] for s in saved),
                            itertools.chain.from_iterable(g["params"] for g in groups)))
        state: defaultdict = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in by_index:
                param = by_index[key]
                state[param] = {name: _as_state(v, param, name) for name, v in value.items()}
            else:
                state[key] = value
        for group, new in zip(groups, saved):
            new["params"] = group["params"]
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
        self.__setstate__({"state": state, "param_groups": saved})


def _as_state(value, param: Tensor, name: str):
    """A loaded state value: array-likes (refgrad or torch tensors, arrays) become refgrad tensors, floating ones in
    the parameter's dtype unless it is the step count; numbers and others stay as they are."""
    if isinstance(value, (int, float, bool, str)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return type(value)(_as_state(v, param, name) for v in value)
    array = np.array(value._data if isinstance(value, Tensor) else np.asarray(value))
    if name != "step" and array.dtype.kind == "f" and param.dtype.kind == "f":
        array = array.astype(param.dtype)
    return Tensor(array)


def check_lr(lr) -> None:
    """torch's check of a learning rate: a number or a one-element tensor, not negative."""
    if isinstance(lr, Tensor) and lr.numel() != 1:
        raise ValueError("Tensor lr must be 1-element")
    if scalar(lr) < 0.0:
        raise ValueError(f"Invalid learning rate: {lr}")


def scalar_dtype() -> np.dtype:
    """The dtype of torch's scalar state (step counts, ASGD's eta and mu) and of a Python number made a tensor:
    float64 when that is the default dtype, else float32, whatever the parameter's dtype."""
    return np.dtype(np.float64) if dtypes.get_default_dtype() == np.float64 else np.dtype(np.float32)


def step_count(fused: bool | None = None) -> Tensor:
    """A new step counter as torch keeps it: a 0-d tensor of 0.0 in scalar_dtype(), or float32 for a group with
    fused=True (torch's fused kernels count in float32)."""
    return Tensor(np.zeros((), np.float32 if fused else scalar_dtype()))


def dense_grad(p: Tensor) -> np.ndarray:
    """The parameter's gradient as an array of its shape (a sparse row gradient made dense)."""
    grad = p.grad
    return grad.to_dense()._data if isinstance(grad, SparseRowTensor) else grad._data
