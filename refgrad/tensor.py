"""Tensor: an ndarray plus the autograd metadata torch keeps beside it.

Ops and operators are bound onto the class in ``_tensor_methods.py`` (one table); this file holds only
what is about the tensor itself: metadata, conversion, the autograd fields and in-place mutation. tensor.py sits
below refgrad.autograd (see its docstring for the layers), so ``Tensor.backward`` is bound by the engine.
"""
from __future__ import annotations

import math
import operator
import weakref

import numpy as np

from . import dtypes
from ._grad_state import state as _state
from ._quiet import quiet


class Tensor:
    __slots__ = ("_data", "_requires_grad", "grad", "grad_fn", "_retains_grad", "_hooks", "_tangent",
                 "_version_counter", "_base", "__weakref__")
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected operator
    is_sparse = False  # a dense tensor (refgrad.sparse.SparseRowTensor, a sparse gradient, says True)

    def __init__(self, data, dtype=None, requires_grad: bool = False):
        self._data = np.asarray(data, dtype=dtype)
        self.grad, self.grad_fn, self._retains_grad, self._hooks, self._tangent = None, None, False, (), None
        # [number of in-place writes], one list shared by every tensor over the same memory (views, detach()), as
        # torch's version counter: a write through any of them invalidates what a graph saved of the others
        self._version_counter = [0]
        self._requires_grad, self._base = False, None
        if requires_grad:
            self.requires_grad_(True)

    @property
    def _version(self) -> int:
        return self._version_counter[0]

    # ---- metadata -------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    def size(self, dim: int | None = None):
        if dim is None:
            return self._data.shape
        return self._data.shape[_wrap_dim(dim, self.ndim)]

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    @property
    def is_leaf(self) -> bool:
        return self.grad_fn is None

    @property
    def device(self) -> str:
        return "cpu"

    def is_floating_point(self) -> bool:
        return self.dtype.kind == "f"

    def element_size(self) -> int:
        return self._data.itemsize

    @property
    def data(self) -> Tensor:
        """Like torch: a tensor sharing this one's storage, outside the graph."""
        return Tensor(self._data)

    @data.setter
    def data(self, value) -> None:
        self._data = np.asarray(value, dtype=self.dtype) if not isinstance(value, Tensor) else value._data

    # ---- conversion ---------------------------------------------------------------------------
    def numpy(self) -> np.ndarray:
        if self.requires_grad and _state["grad"]:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
        return self._data

    def __array__(self, dtype=None, copy=None):
        return self._data if dtype is None else self._data.astype(dtype, copy=False)

    def item(self):
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted to Scalar")
        return self._data.item()

    def tolist(self):
        return self._data.tolist()

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous (shape {self.shape})")
        return bool(self._data.item())

    def __index__(self):
        if self.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.item())

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self._data.shape[0]))

    __hash__ = object.__hash__

    def __repr__(self):
        body = np.array2string(self._data, separator=", ", prefix="tensor(")
        extras = []
        if self.dtype not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
            extras.append(f"dtype=refgrad.{self.dtype}")
        if self.grad_fn is not None:
            extras.append(f"grad_fn=<{self.grad_fn.name()}>")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # ---- autograd (backward itself is bound by refgrad.autograd.engine) ---------------------------------
    def _set_requires_grad(self, requires_grad) -> None:
        """``t.requires_grad = flag``, checked as torch: a bool, on a leaf (or a no-op True on a non-leaf through
        requires_grad_), of a floating dtype."""
        if not isinstance(requires_grad, bool):
            raise RuntimeError(f"requires_grad must be a bool, got {type(requires_grad).__name__}")
        if self.grad_fn is not None:
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables." + ("" if requires_grad else
                " If you want to use a computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach()."))
        if requires_grad and self.dtype.kind != "f":
            raise RuntimeError(
                f"only Tensors of floating point and complex dtype can require gradients (got {self.dtype})")
        self._requires_grad = requires_grad

    # reads are a C-level getter (ops read the flag everywhere); the graph's own writes go to _requires_grad
    requires_grad = property(operator.attrgetter("_requires_grad"), _set_requires_grad)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """torch.Tensor.requires_grad_: as setting ``requires_grad``, except that True on a non-leaf is a no-op."""
        if not isinstance(requires_grad, bool):
            raise TypeError(f"requires_grad_(): argument 'requires_grad' (position 1) must be bool, not "
                            f"{type(requires_grad).__name__}")
        if not (requires_grad and self.grad_fn is not None):
            self._set_requires_grad(requires_grad)
        return self

    def _is_view(self) -> bool:
        """Whether this tensor is a view made by a view op (torch's Tensor._is_view; its base is ``_base``)."""
        return self._base is not None

    def detach(self) -> Tensor:
        """A tensor over the same memory outside the graph; in-place writes to either count for both."""
        t = Tensor(self._data)
        t._version_counter = self._version_counter
        return t

    def detach_(self) -> Tensor:
        """torch.Tensor.detach_: this tensor leaves the graph and becomes a leaf; refused on a view, as torch."""
        if self._base is not None:
            raise RuntimeError(f"Can't detach views in-place. Use detach() instead. (This is a view of shape "
                               f"{list(self.shape)} of a tensor of shape {list(self._base.shape)}.)")
        self.grad_fn, self._requires_grad = None, False
        return self

    def retain_grad(self) -> None:
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None:
            self._retains_grad = True
            self.grad_fn._tensor_ref = weakref.ref(self)  # backward visits the node: let it find this tensor

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """hook(grad) -> Tensor or None, run when this tensor's gradient is computed; returns a handle."""
        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        self._hooks = self._hooks + (hook,)
        if self.grad_fn is not None:
            self.grad_fn._tensor_ref = weakref.ref(self)
        tensor = self

        class _Handle:
            def remove(self):
                tensor._hooks = tuple(h for h in tensor._hooks if h is not hook)

        return _Handle()

    @staticmethod
    def _over(array: np.ndarray) -> Tensor:
        """A new tensor over an ndarray as it is (each op's result): __init__ without its conversion."""
        t = Tensor.__new__(Tensor)
        t._data = array
        t.grad, t.grad_fn, t._retains_grad, t._hooks, t._tangent = None, None, False, (), None
        t._version_counter = [0]
        t._requires_grad, t._base = False, None
        return t

    def _stand_in(self) -> Tensor:
        """This tensor's place in the graph (grad_fn, requires_grad, shape, dtype) without its values: what a
        Node keeps of a tensor its backward never reads (see Function.saves). Its one new object is itself: the
        shape and dtype are shared (``_no_values``), and so is its version counter, a tuple (it has no values to
        write; a write would raise)."""
        s = Tensor.__new__(Tensor)
        s._data = _no_values(self._data.shape, self._data.dtype)
        s.grad, s.grad_fn, s._retains_grad, s._hooks, s._tangent = None, self.grad_fn, False, (), None
        s._version_counter = _NEVER_WRITTEN
        s._requires_grad, s._base = self._requires_grad, None
        return s

    # ---- new tensors like this one ----------------------------------------------------------------
    # (each mirrors Tensor.new_*: the factory, with this tensor's dtype unless dtype is given)
    def new_tensor(self, data, dtype=None, device=None, requires_grad=False) -> Tensor:
        from . import creation

        return creation.tensor(data, dtype=self.dtype if dtype is None else dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False, **kw) -> Tensor:
        from . import creation

        return creation._new(np.zeros, "new_zeros", size, kw, self.dtype if dtype is None else dtype, requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False, **kw) -> Tensor:
        from . import creation

        return creation._new(np.ones, "new_ones", size, kw, self.dtype if dtype is None else dtype, requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False, **kw) -> Tensor:
        from . import creation

        return creation._new(np.empty, "new_empty", size, kw, self.dtype if dtype is None else dtype, requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False) -> Tensor:
        from . import creation

        return creation.full(size, fill_value, dtype=self.dtype if dtype is None else dtype,
                             requires_grad=requires_grad, _fn="new_full")

    # ---- in-place -------------------------------------------------------------------------------
    def _check_inplace(self, *others) -> None:
        if not _state["grad"]:
            return
        if self.requires_grad and self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.")
        if self.requires_grad or any(isinstance(o, Tensor) and o.requires_grad for o in others):
            raise RuntimeError(
                "refgrad does not record in-place operations in the autograd graph: use the out-of-place op "
                "(e.g. x = x + y instead of x.add_(y)), or mutate under refgrad.no_grad()")

    def _assign(self, value) -> Tensor:
        """Writes an in-place op's result into this tensor's storage: broadcast, and cast only within or down to
        this tensor's category (torch's rule for op results: x.add_(1.5) on an int64 x raises)."""
        value = np.asarray(value)
        if dtypes.category(value.dtype) > dtypes.category(self.dtype):
            raise RuntimeError(f"result type {value.dtype} can't be cast to the desired output type {self.dtype}")
        return self._write(value)

    def _write(self, value: np.ndarray) -> Tensor:
        """Writes value, broadcast to this tensor's shape and cast to its dtype whatever value's own (copy_'s
        rule), into this tensor's storage."""
        try:
            target = np.broadcast_shapes(value.shape, self.shape)
        except ValueError:
            target = None
        if target != self.shape:
            raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape "
                               f"{list(np.broadcast_shapes(value.shape, self.shape)) if target else list(value.shape)}")
        self._check_writeable()
        with np.errstate(invalid="ignore", over="ignore"):  # NaN into an int tensor, 1e300 into float32: as torch
            np.copyto(self._data, value, casting="unsafe")
        self._version_counter[0] += 1
        return self

    def _check_writeable(self) -> None:
        if not self._data.flags.writeable:  # an expanded (broadcast) view: elements share memory
            raise RuntimeError("unsupported operation: more than one element of the written-to tensor refers to a "
                               "single memory location. Please clone() the tensor before performing the operation.")

    def _inplace(self, fn, *args, **kwargs) -> Tensor:
        """self.op_(...) == self.copy_(op(self, ...)), refused where the graph would need recording."""
        self._check_inplace(*args, *kwargs.values())
        return self._assign(fn(self, *args, **kwargs)._data)  # no graph: grad mode is off or no operand needs one

    @quiet  # inf and nan are values, as in every op's forward (see Function)
    def _inplace_ufunc(self, ufunc, other, alpha=1) -> Tensor:
        """self += other (or -=, *=, /=) written straight into this tensor's storage: no temporary, as torch. An
        ``alpha`` (add_ and sub_ only, with another float tensor of this one's shape and dtype) scales other first,
        as add's forward does."""
        if _state["grad"]:  # (under no_grad, as an optimizer's update, there is nothing to refuse)
            self._check_inplace(other)
        value = other._data if isinstance(other, Tensor) else other
        data = self._data
        plain_update = data.dtype.kind == "f" and (  # as an optimizer's: nothing to promote or broadcast
            type(other) in (int, float) or type(other) is Tensor and value.dtype == data.dtype
            and value.shape == data.shape)
        if not plain_update:
            if ufunc is np.subtract:
                from .ops.binary import refuse_bool_subtraction

                refuse_bool_subtraction(self, other)
            result = dtypes.result_type(self, other)
            if ufunc is np.true_divide and result.kind != "f":
                result = dtypes.get_default_dtype()
            if dtypes.category(result) > dtypes.category(self.dtype):
                raise RuntimeError(f"result type {result} can't be cast to the desired output type {self.dtype}")
            shape = np.shape(value)
            try:
                fits = np.broadcast_shapes(shape, self.shape) == self.shape
            except ValueError:
                fits = False
            if not fits:
                raise RuntimeError(f"output with shape {list(self.shape)} doesn't match the broadcast shape of "
                                   f"{list(self.shape)} and {list(shape)}")
        if not data.flags.writeable:
            self._check_writeable()
        if alpha != 1:
            value = np.asarray(alpha, data.dtype) * value
        ufunc(data, value, out=data, casting="unsafe")
        self._version_counter[0] += 1
        return self

    def copy_(self, src, non_blocking: bool = False) -> Tensor:
        """Tensor.copy_: src (a tensor of any dtype, or a number) broadcast and cast into this tensor."""
        self._check_inplace(src)
        if not _is_number(src):
            from .arguments import as_tensor_arg

            src = as_tensor_arg(src, "other", 1, "copy_")._data
        return self._write(np.asarray(src))

    def zero_(self) -> Tensor:
        self._check_inplace()
        return self._write(np.zeros((), self.dtype))

    def fill_(self, value) -> Tensor:
        """Tensor.fill_: a number (converted as torch does: 2.7 fills an int tensor with 2, NaN raises there) or a
        0-d tensor (cast, as copy_)."""
        self._check_inplace(value)
        if isinstance(value, Tensor):
            if value.ndim != 0:
                raise RuntimeError(f"fill_ only supports 0-dimension value tensor but got tensor with {value.ndim} "
                                   f"dimensions (shape {list(value.shape)}).")
            return self._write(value._data)
        if not _is_number(value):
            raise TypeError(f"fill_(): argument 'value' (position 1) must be Number or Tensor, not "
                            f"{dtypes.type_name(value)}")
        return self._write(dtypes.checked_scalar(value, self.dtype))

    def __setitem__(self, index, value) -> None:
        """x[index] = value, as torch: a number is converted as fill_ converts it; a tensor is cast to x's dtype
        through a basic index (a view, copy_) but must have x's dtype through an advanced one (index_put_), unless
        it is 0-d."""
        from .ops.indexing import normalize_index

        self._check_inplace(value)
        if isinstance(value, Tensor | np.ndarray):
            data = value._data if isinstance(value, Tensor) else value
        elif _is_number(value):
            data = dtypes.checked_scalar(value, self.dtype)
        else:
            raise TypeError(f"can't assign a {dtypes.type_name(value)} to a {dtypes.tensor_type_name(self.dtype)}")
        np_index = normalize_index(index, self.shape)
        advanced = np_index is False or isinstance(np_index, tuple) and any(
            isinstance(i, np.ndarray) for i in np_index)
        if advanced and data.ndim and data.dtype != self.dtype:
            raise RuntimeError(f"Index put requires the source and destination dtypes match, got "
                               f"{dtypes.scalar_type_name(self.dtype)} for the destination and "
                               f"{dtypes.scalar_type_name(data.dtype)} for the source.")
        self._check_writeable()
        try:
            with np.errstate(invalid="ignore", over="ignore"):  # a NaN tensor into an int tensor: as torch's cast
                self._data[np_index] = data
        except ValueError:  # value does not broadcast to the indexed part: torch's messages
            target = self._data[np_index].shape
            if advanced:
                raise RuntimeError(f"shape mismatch: value tensor of shape {list(data.shape)} cannot be broadcast to "
                                   f"indexing result of shape {list(target)}") from None
            raise RuntimeError(_expand_error(data.shape, target, data.dtype)) from None
        self._version_counter[0] += 1


class _NoValues:
    """Shape and dtype of an array whose values were not kept: any use of the values is an AttributeError."""

    __slots__ = ("shape", "dtype")

    def __init__(self, shape, dtype):
        self.shape, self.dtype = shape, dtype

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return math.prod(self.shape)



_NEVER_WRITTEN = (0,)  # a stand-in's version counter
_NO_VALUES: dict = {}  # (shape, dtype) -> its _NoValues, shared by the stand-ins of that shape and dtype


def _no_values(shape: tuple, dtype) -> _NoValues:
    """The (shared) _NoValues of shape and dtype: a graph keeps one object fewer per stand-in (see autograd's Node)."""
    key = (shape, dtype)
    found = _NO_VALUES.get(key)
    if found is None:
        if len(_NO_VALUES) >= 4096:  # (a program of ever new shapes: start over rather than grow)
            _NO_VALUES.clear()
        found = _NO_VALUES[key] = _NoValues(shape, dtype)
    return found


def _is_number(x) -> bool:
    return isinstance(x, (int, float, np.integer, np.floating, np.bool_))


def _expand_error(shape: tuple, target: tuple, dtype) -> str:
    """torch's message when a tensor of shape cannot expand to target (what a basic-index setitem does)."""
    shape, target = list(shape), list(target)
    while len(shape) > len(target) and shape[0] == 1:  # leading 1s are dropped
        shape.pop(0)
    if len(shape) > len(target):
        return (f"expand({dtypes.tensor_type_name(dtype)}{{{shape}}}, size={target}): the number of sizes provided "
                f"({len(target)}) must be greater or equal to the number of dimensions in the tensor ({len(shape)})")
    lead = len(target) - len(shape)
    dim = max(lead + i for i, s in enumerate(shape) if s != 1 and s != target[lead + i])  # torch checks from the end
    return (f"The expanded size of the tensor ({target[dim]}) must match the existing size ({shape[dim - lead]}) at "
            f"non-singleton dimension {dim}.  Target sizes: {target}.  Tensor sizes: {shape}")


def _wrap_dim(dim: int, ndim: int) -> int:
    """A dim in [-ndim, ndim) (0-d tensors accept -1 and 0), as torch, else IndexError naming the range."""
    if type(dim) is int and 0 <= dim < ndim:  # the usual dim, as it is (every dim-taking op calls this)
        return dim
    lo, hi = -max(ndim, 1), max(ndim, 1) - 1
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"dim must be an int, got {type(dim).__name__}")
    if not lo <= dim <= hi:
        raise IndexError(f"Dimension out of range (expected to be in range of [{lo}, {hi}], but got {dim})")
    return int(dim) % max(ndim, 1)

