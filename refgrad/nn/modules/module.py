"""Module: mirrors torch.nn.Module, the base of every layer.

Attribute assignment registers parameters (Parameter), submodules (Module) and buffers (register_buffer), in
torch's order and with torch's refusals; ``state_dict`` / ``load_state_dict`` use torch's key names
(``0.weight``, ``bn.running_mean``), so a torch model's weights load into its refgrad twin with one call.
No math lives here: layers call refgrad.nn.functional.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Mapping

import numpy as np

from ... import dtypes
from ...autograd import is_grad_enabled, no_grad
from ...tensor import Tensor
from ..parameter import Parameter


def _typename(obj) -> str:
    """The type name torch.typename gives in its messages ('int', 'torch.FloatTensor', 'module.Class')."""
    if isinstance(obj, Tensor):
        return dtypes.tensor_type_name(obj.dtype)
    cls = type(obj)
    return cls.__qualname__ if cls.__module__ in ("", "builtins") else f"{cls.__module__}.{cls.__qualname__}"


def _addindent(text: str, spaces: int) -> str:
    """Indents every line of text but the first (nested module reprs, as torch's)."""
    first, *rest = text.split("\n")
    return "\n".join([first] + [" " * spaces + line for line in rest])


def _joined(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """load_state_dict's result, as torch's: (missing_keys, unexpected_keys)."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


class RemovableHandle:
    """What a register_*_hook returns: ``remove()`` takes the hook out (also as a context manager)."""

    _next_id = itertools.count()

    def __init__(self, *registries):
        self.id = next(RemovableHandle._next_id)
        self._registries = registries

    def remove(self) -> None:
        for registry in self._registries:
            if isinstance(registry, dict):
                registry.pop(self.id, None)
            else:
                registry.discard(self.id)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def _register(registry: dict, handle: RemovableHandle, hook, prepend: bool) -> RemovableHandle:
    registry[handle.id] = hook
    if prepend:
        items = list(registry.items())
        registry.clear()
        registry.update([items[-1], *items[:-1]])
    return handle


def _as_array(value) -> np.ndarray | None:
    """A checkpoint entry as an ndarray: a refgrad tensor, a NumPy array, a number, or a CPU torch tensor (through
    np.asarray, detached first when it requires grad); None when it is not array-like."""
    if isinstance(value, Tensor):
        return value._data
    if hasattr(value, "detach") and hasattr(value, "numpy"):  # a torch tensor, without importing torch
        value = value.detach()
    try:
        array = np.asarray(value)
    except Exception:
        return None
    return None if array.dtype.kind in "OUSV" else array


def _forward_unimplemented(self, *input):
    raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')


class _BackwardHooks:
    """One call's full backward hooks: inputs and outputs pass through identity views whose tensor hooks collect
    grad_output, then grad_input, and call the module's hooks once every input gradient is known."""

    def __init__(self, module: Module):
        self.module = module
        self.grad_input, self.grad_output, self.waiting, self.inputs = [], [], 0, []

    def watch_inputs(self, args: tuple) -> tuple:
        watched = list(args)
        for position, arg in enumerate(args):
            if not isinstance(arg, Tensor):
                continue
            slot = len(self.grad_input)
            self.grad_input.append(None)
            self.inputs.append(arg)
            if arg.requires_grad:
                watched[position] = arg.view_as(arg)
                watched[position].register_hook(lambda g, slot=slot: self._input_grad(slot, g))
                self.waiting += 1
        return tuple(watched)

    def watch_outputs(self, result):
        outputs = result if isinstance(result, (tuple, list)) else (result,)
        watched = list(outputs)
        for position, out in enumerate(outputs):
            if not isinstance(out, Tensor):
                continue
            slot = len(self.grad_output)
            self.grad_output.append(None)
            if out.requires_grad:
                watched[position] = out.view_as(out)
                watched[position].register_hook(lambda g, slot=slot: self._output_grad(slot, g))
        if not isinstance(result, (tuple, list)):
            return watched[0]
        return type(result)(watched)

    def _output_grad(self, slot: int, grad: Tensor) -> None:
        self.grad_output[slot] = grad
        if not self.waiting and all(g is not None for g in self.grad_output):  # no input needs a gradient
            self._call_hooks()

    def _input_grad(self, slot: int, grad: Tensor):
        self.grad_input[slot] = grad
        self.waiting -= 1
        if self.waiting == 0:
            # as torch: once some input needs a gradient, a tensor input that needs none reports zeros
            self.grad_input = [g if g is not None else x.new_zeros(x.shape) for g, x in zip(self.grad_input,
                                                                                          self.inputs)]
            self._call_hooks()
            return self.grad_input[slot]
        return None

    def _call_hooks(self) -> None:
        grad_input, grad_output = tuple(self.grad_input), tuple(self.grad_output)
        for hook in list(self.module._backward_hooks.values()):
            replaced = hook(self.module, grad_input, grad_output)
            if replaced is None:
                continue
            replaced = replaced if isinstance(replaced, tuple) else (replaced,)
            if len(replaced) != len(grad_input):
                raise RuntimeError(f"Backward hook returned an invalid number of grad_input, got {len(replaced)}, but "
                                   f"expected {len(grad_input)}")
            grad_input = replaced
        self.grad_input = list(grad_input)


class Module:
    """torch.nn.Module. Subclasses call ``super().__init__()`` first, then assign their parameters, buffers and
    submodules as attributes, and define ``forward``. Deliberate differences: no devices (``to`` takes a dtype,
    ``cpu()`` is a no-op), no global hooks, no state_dict hooks, no ``_metadata`` in a state_dict."""

    training: bool
    forward = _forward_unimplemented

    def __init__(self, *args, **kwargs):
        if kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword argument "
                            f"'{next(iter(kwargs))}'")
        if args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but {len(args) + 1} were "
                            "given")
        setattr_ = super().__setattr__
        setattr_("training", True)
        setattr_("_parameters", {})
        setattr_("_buffers", {})
        setattr_("_non_persistent_buffers_set", set())
        setattr_("_modules", {})
        setattr_("_forward_pre_hooks", {})
        setattr_("_forward_pre_hooks_with_kwargs", set())
        setattr_("_forward_hooks", {})
        setattr_("_forward_hooks_with_kwargs", set())
        setattr_("_forward_hooks_always_called", set())
        setattr_("_backward_hooks", {})

    # ---- registration ---------------------------------------------------------------------------
    def _check_name(self, name, what: str, registry: str) -> None:
        if not isinstance(name, str):
            raise TypeError(f"{what} name should be a string. Got {_typename(name)}")
        if "." in name:
            raise KeyError(f"{what} name can't contain \".\"" + (f", got: {name}" if what == "module" else ""))
        if name == "":
            raise KeyError(f"{what} name can't be empty string \"\"")
        if hasattr(self, name) and name not in self.__dict__[registry]:
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Adds a parameter (a Parameter or None) under ``name``, refusing what torch refuses."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        self._check_name(name, "parameter", "_parameters")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{_typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be created "
                             f"explicitly. To express '{name}' as a function of another Tensor, compute the value in "
                             "the forward() method.")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Adds a buffer; a non-persistent one is left out of the state_dict."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        self._check_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{_typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Module | None) -> None:
        """Adds a child module under ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{_typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {_typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f"module name can't contain \".\", got: {name}")
        if name == "":
            raise KeyError("module name can't be empty string \"\"")
        self._modules[name] = module

    register_module = add_module

    def _forget(self, name: str, *registries: str) -> None:
        for registry in registries:
            store = self.__dict__ if registry == "__dict__" else self.__dict__[registry]
            if name in store:
                store.discard(name) if isinstance(store, set) else store.pop(name)

    def __setattr__(self, name: str, value) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, "__dict__", "_buffers", "_modules", "_non_persistent_buffers_set")
            self.register_parameter(name, value)
            return
        if params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
            return
        modules = self.__dict__.get("_modules")
        if isinstance(value, Module):
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, "__dict__", "_parameters", "_buffers", "_non_persistent_buffers_set")
            modules[name] = value
            return
        if modules is not None and name in modules:
            if value is not None:
                raise TypeError(f"cannot assign '{_typename(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            modules[name] = value
            return
        buffers = self.__dict__.get("_buffers")
        if buffers is not None and name in buffers:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{_typename(value)}' as buffer '{name}' "
                                "(torch.nn.Buffer, torch.Tensor or None expected)")
            buffers[name] = value
            return
        super().__setattr__(name, value)

    def __getattr__(self, name: str):
        # only reached when normal lookup fails: the registries hold parameters, buffers and submodules
        for registry in ("_parameters", "_buffers", "_modules"):
            store = self.__dict__.get(registry)
            if store is not None and name in store:
                return store[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            super().__delattr__(name)

    def __dir__(self):
        keys = [*dir(type(self)), *self.__dict__, *self._parameters, *self._modules, *self._buffers]
        return sorted(k for k in keys if not k[0].isdigit())

    # ---- traversal ------------------------------------------------------------------------------
    def named_modules(self, memo: set | None = None, prefix: str = "", remove_duplicate: bool = True):
        """Yields (name, module) for this module and every descendant, depth first; a module reachable twice is
        yielded once unless remove_duplicate=False."""
        memo = set() if memo is None else memo
        if self in memo:
            return
        if remove_duplicate:
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(memo, _joined(prefix, name), remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry: str, prefix: str, recurse: bool, remove_duplicate: bool):
        owners = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        seen = set()
        for owner_prefix, owner in owners:
            for name, value in owner.__dict__[registry].items():
                if value is None or id(value) in seen:
                    continue
                if remove_duplicate:
                    seen.add(id(value))
                yield _joined(owner_prefix, name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """Yields (name, parameter) in registration order, submodules after their parent's own; names as the
        state_dict's."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True):
        for _, param in self.named_parameters(recurse=recurse):
            yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """Yields (name, buffer), persistent and non-persistent."""
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def get_submodule(self, target: str) -> Module:
        """The descendant at a dotted path ('' is this module)."""
        module = self
        for atom in target.split(".") if target else ():
            if not hasattr(module, atom):
                raise AttributeError(f"{module._get_name()} has no attribute `{atom}`")
            module = getattr(module, atom)
            if not isinstance(module, Module):
                raise AttributeError(f"`{atom}` is not an nn.Module")
        return module

    def _attribute_at(self, target: str) -> tuple:
        """(the module that owns the dotted path's last name, that name), the name checked to exist."""
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if not hasattr(module, name):
            raise AttributeError(f"{module._get_name()} has no attribute `{name}`")
        return module, name

    def get_parameter(self, target: str) -> Parameter:
        module, name = self._attribute_at(target)
        param = getattr(module, name)
        if not isinstance(param, Parameter):
            raise AttributeError(f"`{name}` is not an nn.Parameter")
        return param

    def get_buffer(self, target: str) -> Tensor:
        module, name = self._attribute_at(target)
        if name not in module._buffers:
            raise AttributeError(f"`{name}` is not a buffer")
        return getattr(module, name)

    # ---- modes and bulk changes -----------------------------------------------------------------
    def train(self, mode: bool = True) -> Module:
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> Module:
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clears every parameter's .grad: to None (torch's default), or zeroed in place."""
        for param in self.parameters():
            if param.grad is None:
                continue
            if set_to_none:
                param.grad = None
            else:
                if param.grad.grad_fn is not None:
                    param.grad.detach_()
                else:
                    param.grad.requires_grad_(False)
                param.grad.zero_()

    def apply(self, fn) -> Module:
        """Calls fn on every submodule (children first) and then on this module, as torch."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    def _apply_to_floats(self, dtype) -> Module:
        """Casts every floating parameter, gradient and buffer to dtype. Parameters keep their identity (their
        memory is replaced, as torch's ``param.data = ...``), so an optimizer holding them still sees them."""
        for module in self.modules():
            for param in module._parameters.values():
                if param is None or param.dtype.kind != "f":
                    continue
                param._data = param._data.astype(dtype, copy=False)
                if param.grad is not None:
                    param.grad._data = param.grad._data.astype(dtype, copy=False)
            for name, buffer in module._buffers.items():
                if buffer is not None and buffer.dtype.kind == "f":
                    module._buffers[name] = Tensor(buffer._data.astype(dtype, copy=False))
        return self

    def to(self, *args, **kwargs) -> Module:
        """Module.to(dtype), to(tensor) (its dtype) or to(device[, dtype]) with device 'cpu': casts floating
        parameters and buffers only, as torch."""
        dtype = kwargs.pop("dtype", None)
        kwargs.pop("device", None)
        kwargs.pop("non_blocking", None)
        if kwargs:
            raise TypeError(f"to() received an invalid combination of arguments: unexpected {sorted(kwargs)}")
        for arg in args:
            if isinstance(arg, Tensor):
                dtype = arg.dtype
            elif not isinstance(arg, (str, bool)) and arg is not None:
                dtype = arg
        if dtype is None:
            return self
        dtype = dtypes.to_dtype(dtype)
        if dtype.kind not in "fc":
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but got desired "
                            f"dtype=refgrad.{dtype}")
        return self._apply_to_floats(dtype)

    def double(self) -> Module:
        return self._apply_to_floats(np.dtype(np.float64))

    def float(self) -> Module:
        return self._apply_to_floats(np.dtype(np.float32))

    def half(self) -> Module:
        return self._apply_to_floats(np.dtype(np.float16))

    def cpu(self) -> Module:
        return self

    # ---- state dict -----------------------------------------------------------------------------
    def _local_state(self) -> dict:
        """This module's own entries of the state dict: parameters, then persistent buffers (None skipped)."""
        persistent = ((k, v) for k, v in self._buffers.items() if k not in self._non_persistent_buffers_set)
        return {k: v for k, v in itertools.chain(self._parameters.items(), persistent) if v is not None}

    def state_dict(self, *args, destination=None, prefix: str = "", keep_vars: bool = False):
        """An OrderedDict of torch's keys to the parameters and persistent buffers (detached unless keep_vars)."""
        if args:  # torch's deprecated positional form state_dict(destination, prefix, keep_vars)
            destination, prefix, keep_vars = (*args, *(destination, prefix, keep_vars)[len(args):])
        destination = OrderedDict() if destination is None else destination
        for name, value in self._local_state().items():
            destination[prefix + name] = value if keep_vars else value.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=f"{prefix}{name}.", keep_vars=keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict, prefix, missing_keys, unexpected_keys, error_msgs, assign) -> None:
        local = self._local_state()
        for name, target in local.items():
            key = prefix + name
            if key not in state_dict:
                missing_keys.append(key)
                continue
            value = _as_array(state_dict[key])
            if value is None:
                error_msgs.append(f'While copying the parameter named "{key}", expected torch.Tensor or Tensor-like '
                                  f"object from checkpoint but received {type(state_dict[key])}")
                continue
            if target.ndim == 0 and value.ndim == 1 and value.shape[0] == 1:  # torch's old 1-element scalars
                value = value[0]
            if value.shape != target.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape {list(value.shape)} from "
                                  f"checkpoint, the shape in current model is {list(target.shape)}.")
                continue
            if assign:
                # torch's assign=True: the checkpoint's values become the parameter (keeping requires_grad)
                replacement = Tensor(np.array(value, dtype=value.dtype if value.dtype.kind == "f" else target.dtype))
                if name in self._parameters:
                    self._parameters[name] = Parameter(replacement, target.requires_grad)
                else:
                    self._buffers[name] = replacement
                continue
            with no_grad():
                target._write(value)  # in place, cast to the parameter's dtype (copy_'s rule)
        for key in state_dict:
            if key.startswith(prefix):
                head, dot, _ = key[len(prefix):].partition(".")
                if (head not in self._modules) if dot else (head not in local):
                    unexpected_keys.append(key)

    def load_state_dict(self, state_dict: Mapping, strict: bool = True, assign: bool = False):
        """Copies a mapping of torch's keys to array-likes (NumPy arrays, refgrad tensors, CPU torch tensors) into
        the parameters and persistent buffers, in place and cast to their dtype. Size mismatches always raise;
        missing and unexpected keys raise when strict. Returns (missing_keys, unexpected_keys) as torch."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        missing_keys, unexpected_keys, error_msgs = [], [], []
        for prefix, module in self.named_modules(remove_duplicate=False):  # a shared module loads under each name
            module._load_from_state_dict(state_dict, prefix + "." if prefix else "", missing_keys, unexpected_keys,
                                         error_msgs, assign)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # ---- calls and hooks ------------------------------------------------------------------------
    def register_forward_pre_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False):
        """hook(module, args) -> None or new args (a non-tuple is wrapped); with_kwargs: hook(module, args,
        kwargs) -> None or (new_args, new_kwargs)."""
        handle = RemovableHandle(self._forward_pre_hooks, self._forward_pre_hooks_with_kwargs)
        if with_kwargs:
            self._forward_pre_hooks_with_kwargs.add(handle.id)
        return _register(self._forward_pre_hooks, handle, hook, prepend)

    def register_forward_hook(self, hook, *, prepend: bool = False, with_kwargs: bool = False,
                              always_call: bool = False):
        """hook(module, args, output) (or (module, args, kwargs, output) with_kwargs) -> None or a new output;
        always_call: also called when forward raises."""
        handle = RemovableHandle(self._forward_hooks, self._forward_hooks_with_kwargs,
                                 self._forward_hooks_always_called)
        if with_kwargs:
            self._forward_hooks_with_kwargs.add(handle.id)
        if always_call:
            self._forward_hooks_always_called.add(handle.id)
        return _register(self._forward_hooks, handle, hook, prepend)

    def register_full_backward_hook(self, hook, prepend: bool = False):
        """hook(module, grad_input, grad_output) -> None or a new grad_input tuple, called once the gradients with
        respect to the module's tensor inputs (positional, None where an input needs none) are computed.
        Difference from torch: a returned grad_input replaces what flows on exactly when the module has one
        differentiable input; with several, the earlier ones' gradients have already flowed on when the hook runs
        (the values it sees are exact either way)."""
        handle = RemovableHandle(self._backward_hooks)
        return _register(self._backward_hooks, handle, hook, prepend)

    def _run_forward_hooks(self, hook_ids, args, kwargs, result):
        for hook_id in hook_ids:
            hook = self._forward_hooks[hook_id]
            if hook_id in self._forward_hooks_with_kwargs:
                replaced = hook(self, args, kwargs, result)
            else:
                replaced = hook(self, args, result)
            if replaced is not None:
                result = replaced
        return result

    def __call__(self, *args, **kwargs):
        if not (self._forward_pre_hooks or self._forward_hooks or self._backward_hooks):  # (torch's shortcut too)
            return self.forward(*args, **kwargs)
        for hook_id, hook in list(self._forward_pre_hooks.items()):
            if hook_id in self._forward_pre_hooks_with_kwargs:
                replaced = hook(self, args, kwargs)
                if replaced is not None:
                    if not (isinstance(replaced, tuple) and len(replaced) == 2):
                        raise RuntimeError("forward pre-hook must return None or a tuple of (new_args, new_kwargs), "
                                           f"but got {replaced}.")
                    args, kwargs = replaced
            else:
                replaced = hook(self, args)
                if replaced is not None:
                    args = replaced if isinstance(replaced, tuple) else (replaced,)
        backward_hooks = None
        if self._backward_hooks and is_grad_enabled():
            backward_hooks = _BackwardHooks(self)
            args = backward_hooks.watch_inputs(args)
        try:
            result = self.forward(*args, **kwargs)
        except Exception:
            always = [i for i in self._forward_hooks if i in self._forward_hooks_always_called]
            self._run_forward_hooks(always, args, kwargs, None)
            raise
        result = self._run_forward_hooks(list(self._forward_hooks), args, kwargs, result)
        return result if backward_hooks is None else backward_hooks.watch_outputs(result)

    # ---- repr -----------------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """This module's own line(s) in its repr; layers override it (e.g. 'in_features=3, out_features=4')."""
        return ""

    def _get_name(self) -> str:
        return type(self).__name__

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"
