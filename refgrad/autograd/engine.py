"""Reverse mode: walk the graph from the outputs in reverse topological order, summing over fan-out.

The whole backward pass is ``_backpropagate``; everything else checks arguments and results the way torch does.
"""
from __future__ import annotations

import sys
from bisect import insort

import numpy as np

from .._grad_state import state as _state
from .._layout import copy_in_layout
from ..tensor import Tensor
from .donated import donate
from .function import Node, expandable, quiet, sum_to
from .grad_mode import _switch
from .placed import Placed
from .products import Products


def _vertex(t):
    """What backward visits for a tensor: its grad_fn Node (a non-leaf, which may be represented by several
    Tensor objects, see Function.saves) or the leaf Tensor itself."""
    return t.grad_fn if t.grad_fn is not None else t


# CPython's reference counts, which say who else holds a tensor (3.14 may report fewer: then never in place)
_COUNTS_REFS = sys.implementation.name == "cpython" and sys.version_info < (3, 14)
# the smallest cotangent offered to its vjp to overwrite: asking costs 3k instructions, and a new array of a few KiB
# only 0.4k more than writing in place; where memory and cache matter, arrays are larger
_DONATE_FROM = 1 << 16


def _sole_reference(t, holders: int) -> bool:
    """Whether t and its memory are held only by the ``holders`` references backward knows of (torch's
    can_accumulate_inplace): then adding into t in place, or handing t out as a .grad, is invisible to anyone
    else. getrefcount also counts this function's parameter and its own argument; a caller's, a hook's or a
    sibling input's reference, a view of the array or a second Tensor over it each add one."""
    return (_COUNTS_REFS and not t.is_sparse and sys.getrefcount(t) == holders + 2 and sys.getrefcount(t._data) == 2
            and t._data.flags.owndata and t._data.flags.writeable)


def _a_view_alone(t) -> bool:
    """Whether gradient t is a view that only backward's one reference (its loop's) holds, with nothing else holding
    its base but the tensor it was made from, which nothing else holds either: _sole_reference(t, 1) for a view. A
    reshape's or a permute's gradient is a view of the array the vjp below it made, and any other view of that
    array would hold the base."""
    if not _COUNTS_REFS or sys.getrefcount(t) != 3:
        return False
    data = t._data
    base = data.base
    if (sys.getrefcount(data) != 3 or not data.flags.writeable or type(base) is not np.ndarray  # (t._data, the
            or not base.flags.owndata):                                                         # local, the argument)
        return False
    owner = t._base
    if owner is None:
        return sys.getrefcount(base) == 3  # (data.base, this local, the argument)
    # a view op's output keeps its input tensor, which holds the base: one holder more of the base, none of the input
    return owner._data is base and sys.getrefcount(owner) == 3 and sys.getrefcount(base) == 4


@quiet  # inf + -inf is nan, silently (as every op's forward, see Function)
def _add_into(total: np.ndarray, more: np.ndarray) -> None:
    np.add(total, more, out=total)


@quiet
def _added(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    total = np.add(a, b)
    return total if type(total) is np.ndarray else np.asarray(total)  # (0-d operands make a NumPy scalar)


def _backpropagate(roots, root_grads, retain_graph, create_graph, capture=None):
    """Push gradients from roots to leaves. With ``capture`` (a dict vertex -> None), collect the
    gradients of those vertices instead of accumulating into ``.grad`` (that is autograd.grad).

    Order: a node runs once every node that uses its output has run. A node is made after the nodes of its
    inputs, so those that use it have later creation numbers (``_seq``), and running the latest-made node that
    has a gradient first is a topological order (torch's engine orders its ready nodes by sequence
    number too): a node joins the queue when its first gradient arrives, so backward never walks the graph
    beforehand and never visits a node that gets no gradient. Leaves come last, once every gradient is in."""
    # vertex -> its gradient so far. Vertices are keys by identity: a Node's hash is object's, and a Tensor's too
    # (its == is elementwise, but a dict calls == only on equal hashes, which distinct live objects never have)
    pending, leaves = {}, []
    ready, due = [], {}  # the creation numbers of the nodes with a gradient, ascending; creation number -> node

    def accumulate(v, g):
        old = pending.get(v)
        if old is None:  # v's first gradient: v is due
            if type(v) is Node:
                insort(ready, v._seq)  # (ints: a binary search in C, where a heap of (number, node) pairs costs
                due[v._seq] = v        # twice as much per node once many nodes wait, as a loop's pieces do)
            else:
                leaves.append(v)
            pending[v] = g.dense() if type(g) is Placed else g  # (a Products stays unbuilt: see below)
            return
        if type(g) is Products:  # a product left unbuilt (see products.py): joined to the others, built to add to more
            if type(old) is Products:
                old.join(g)
                return
            g = g.dense()
        elif type(old) is Products:
            old = pending[v] = old.dense()
        if type(g) is Placed:  # zeros but for one piece: add only the piece where we own the sum so far
            if not old.is_sparse and old.dtype == g.dtype and _sole_reference(old, holders=2):
                _add_into(old._data[g.index], g.values._data)
                return
            g = g.dense()
        if not create_graph and type(old) is Tensor and type(g) is Tensor and old._data.dtype == g._data.dtype:
            if _sole_reference(old, holders=2):  # (pending and old are the 2 holders)
                _add_into(old._data, g._data)
            else:  # someone else's (a residual branch's g, the caller's): a new sum, without an add op's bookkeeping
                pending[v] = Tensor._over(_added(old._data, g._data))
        else:  # recorded (create_graph), sparse, or of two dtypes: an op
            pending[v] = _plus(old, g)

    for r, g in zip(roots, root_grads):
        accumulate(r if r.grad_fn is None else r.grad_fn, g)
    may_donate = not create_graph
    mode = _state["grad"], _state["inference"]
    _switch(bool(create_graph), mode[1])  # vjps are refgrad ops: recorded only for double backward
    try:  # (set_grad_enabled's work without its context manager's cost, which a small backward notices)
        while ready:
            node = due.pop(ready.pop())
            g = pending.pop(node)
            if type(g) is Products:  # every term is in: one product, or passed on unbuilt through a transpose
                if _passes_products(node, capture):
                    passed = node.fn.vjp_products(node, g)  # (a node is its op's context)
                    if passed is not None:
                        accumulate(_vertex(node.inputs[0]), passed)
                        if not retain_graph:
                            node.release()
                        continue
                g = g.dense()
            if node._tensor_ref is not None or capture is not None:  # someone watches this gradient
                g = _seen(node, g, capture)
            # the vjp may overwrite g where it is ours alone (donated.py); small ones are not worth the check
            if (may_donate and type(g) is Tensor and g._data.nbytes >= _DONATE_FROM
                    and (_sole_reference(g, holders=1) or _a_view_alone(g))):
                donate(g)
                grads = node.vjp(g)
                donate(None)
            else:
                grads = node.vjp(g.to_dense() if g.is_sparse else g)  # ops take dense cotangents
            if len(grads) != len(node.inputs):
                _check_gradient_count(node, grads)
            for i, (inp, gi) in enumerate(zip(node.inputs, grads)):
                if gi is not None and inp._requires_grad:
                    if type(gi) is not Tensor or gi._data.shape != inp._data.shape or gi._data.dtype != inp._data.dtype:
                        gi = _conform(node, i, gi, inp)  # broadcasting undone here, once for every op
                    accumulate(inp if inp.grad_fn is None else inp.grad_fn, gi)
            grads = gi = g = None  # free what was only this node's now, not after the next node's vjp
            if not retain_graph:
                node.release()  # what the vjp read is freed: a second backward raises
        for t in leaves:  # every gradient is in
            g = pending.pop(t)
            if type(g) is Products:
                g = g.dense()
            if t._hooks:
                g = _run_hooks(t._hooks, g)
            if capture is None:  # a leaf's .grad in backward (autograd.grad leaves leaves alone)
                _set_grad(t, g, in_place=not create_graph, holders=2)  # (this loop's g)
            elif t in capture:
                capture[t] = g
            g = None
    finally:
        _switch(*mode)
        donate(None)


def _seen(node, g, capture):
    """A non-leaf's gradient as those who watch it see it: its output tensor's hooks (which may replace it), then
    autograd.grad's capture, then the output's .grad if it retains one (in backward and autograd.grad alike)."""
    t = node._tensor_ref() if node._tensor_ref is not None else None  # (a weakref: None once the tensor is gone)
    if t is not None and t._hooks:
        g = _run_hooks(t._hooks, g)
    if capture is not None and node in capture:
        capture[node] = g
    if t is not None and t._retains_grad:
        _set_grad(t, g, in_place=False, holders=3)  # (backward's g, and this function's)
    return g


def _set_grad(t, g, in_place: bool, holders: int) -> None:
    """g into t.grad: g itself where only backward's ``holders`` references (this call's among them) hold it, else a
    copy (a .grad owns its memory: never a view of, or the same object as, another gradient); added to a .grad
    already there (see _accumulate_grad)."""
    if t.grad is None:
        t.grad = g if _sole_reference(g, holders=holders) else _own_copy(g, t)
    else:
        _accumulate_grad(t, g, in_place)


def _passes_products(v, capture) -> bool:
    """Whether vertex v may hand an unbuilt Products to its input: a node whose op says how (a transpose: its
    ``vjp_products``), whose output tensor has no hooks or retained gradient, and whose gradient autograd.grad does
    not capture (those see dense tensors)."""
    return (type(v) is Node and v._tensor_ref is None and not v._freed and (capture is None or v not in capture)
            and getattr(v.fn, "vjp_products", None) is not None)


def _accumulate_grad(t, g, in_place: bool) -> None:
    """t.grad + g into t.grad, as torch's AccumulateGrad: a leaf's .grad takes it in place in a first-order backward
    (whoever holds that .grad sees it change, and its version moves), a retaining non-leaf's and a recorded one
    (create_graph) get a new tensor."""
    old = t.grad
    if (in_place and not old.is_sparse and not g.is_sparse and old.shape == g.shape and old.dtype == g.dtype
            and old._data.flags.writeable):
        _add_into(old._data, g._data)
        old._version_counter[0] += 1
    else:
        t.grad = _plus(old, g)


def _own_copy(g, t):
    """A copy of the gradient g for t.grad, laid out as t (torch's clone_obey_contract); recorded under create_graph."""
    return g.clone() if g.is_sparse or g.requires_grad else Tensor._over(copy_in_layout(g._data, like=t._data))


def _plus(a, b):
    """a + b for gradients, either of which may be sparse (a refgrad.sparse.SparseRowTensor adds itself)."""
    return b.__radd__(a) if b.is_sparse else a + b


def _run_hooks(hooks, g):
    """Each hook may replace the gradient, by one of the same shape and dtype (torch refuses any other)."""
    for hook in hooks:
        new = hook(g)
        if new is None:
            continue
        if not isinstance(new, Tensor):
            raise TypeError(f"expected Tensor, but hook returned '{type(new).__name__}'")
        name = getattr(hook, "__name__", repr(hook))
        if new.shape != g.shape:
            raise RuntimeError(f"hook '{name}' has changed the size of value (was {list(g.shape)}, got "
                               f"{list(new.shape)})")
        if new.dtype != g.dtype:
            raise RuntimeError(f"hook '{name}' has changed the type of value (was {g.dtype}, got {new.dtype})")
        g = new
    return g


def _check_gradient_count(node, grads) -> None:
    """One gradient per input; surplus ones may only be None (as torch allows of a custom Function)."""
    n = len(node.inputs)
    if len(grads) < n or any([g is not None for g in grads[n:]]):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients (expected {n}, "
                           f"got {len(grads)})")


def _conform(node, index: int, g, inp) -> Tensor:
    """A vjp's gradient for inp as torch's validate_outputs leaves it: summed back over the dims broadcasting
    added or widened and cast to inp's dtype, or an error naming the node if its shape cannot be summed back."""
    if type(g) is Tensor:  # the usual case, read off the arrays (a stand-in's too) without the properties' frames
        data, want = g._data, inp._data
        if data.shape == want.shape and data.dtype == want.dtype:
            return g
    elif type(g) in (Placed, Products):  # unbuilt (see placed.py, products.py): accumulated as it is where it fits
        if g.shape == inp.shape and g.dtype == inp.dtype:
            return g
        g = g.dense()
    if getattr(g, "is_sparse", False) and g.shape == inp.shape and g.dtype == inp.dtype:
        return g  # a sparse row gradient (embedding's sparse=True), accumulated as it is
    if not isinstance(g, Tensor):
        raise RuntimeError(f"function {node.name()} returned a gradient at index {index} that is not a Tensor or "
                           f"None (got {type(g).__name__})")
    if g.shape != inp.shape:
        if not expandable(inp.shape, g.shape):
            raise RuntimeError(f"Function {node.name()} returned an invalid gradient at index {index} - got "
                               f"{list(g.shape)} but expected shape compatible with {list(inp.shape)}")
        g = sum_to(g, inp.shape)
    return g if g.dtype == inp.dtype else g.to(inp.dtype)


def as_tuple(x) -> tuple:
    """torch's "a tensor or a sequence of tensors" argument, as a tuple."""
    return (x,) if type(x) is Tensor else tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _root_grads(outputs, grad_outputs):
    if len(grad_outputs) < len(outputs):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grad_outputs)} gradients")
    grads = []
    for i, (out, g) in enumerate(zip(outputs, grad_outputs)):
        if not out._requires_grad:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have a grad_fn")
        if g is None:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            g = Tensor._over(np.array(1, out._data.dtype) if out._data.ndim == 0 else np.ones(out._data.shape,
                                                                                                out._data.dtype))
        elif not isinstance(g, Tensor):
            g = Tensor(g, dtype=out.dtype)
        if g._data.shape != out._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} and output[{i}] has a "
                f"shape of {tuple(out.shape)}."
            )
        grads.append(g)
    return grads


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """torch.autograd.backward: accumulate d(tensors)/d(leaf) into every reachable leaf's ``.grad``."""
    tensors = as_tuple(tensors)
    grad_tensors = as_tuple(grad_tensors) if grad_tensors is not None else (None,) * len(tensors)
    if retain_graph is None:
        retain_graph = create_graph
    if inputs is not None:
        raise NotImplementedError("backward(inputs=...) is not supported; use refgrad.autograd.grad")
    _backpropagate(tensors, _root_grads(tensors, grad_tensors), retain_graph, create_graph)


def _tensor_backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None) -> None:
    """torch.Tensor.backward: refgrad.autograd.backward(self, gradient, ...)."""
    backward(self, gradient, retain_graph, create_graph, inputs)


Tensor.backward = _tensor_backward  # bound here, not defined in tensor.py, which sits below the engine


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=None,
         materialize_grads=False):
    """torch.autograd.grad: the gradients of outputs w.r.t. inputs, returned rather than accumulated."""
    outputs, inputs = as_tuple(outputs), as_tuple(inputs)
    grad_outputs = as_tuple(grad_outputs) if grad_outputs is not None else (None,) * len(outputs)
    if retain_graph is None:
        retain_graph = create_graph
    if allow_unused is None:
        allow_unused = materialize_grads
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"One of the differentiated Tensors (input {i}) does not require grad")
    capture = {_vertex(t): None for t in inputs}
    _backpropagate(outputs, _root_grads(outputs, grad_outputs), retain_graph, create_graph, capture)
    result = []
    for t in inputs:
        g = capture[_vertex(t)]
        if g is None:
            if not allow_unused:
                raise RuntimeError(
                    "One of the differentiated Tensors appears to not have been used in the graph. "
                    "Set allow_unused=True if this is the desired behavior."
                )
            g = Tensor(np.zeros(t.shape, t.dtype)) if materialize_grads else None
        result.append(g)
    return tuple(result)
