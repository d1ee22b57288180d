"""Function: the one definition of an op (forward on ndarrays, vjp and jvp in refgrad ops).

    class Exp(Function):
        def forward(ctx, x):    return np.exp(x)          # ndarrays in, ndarray out
        def vjp(ctx, g):        return g * ctx.out         # Tensors: differentiable again
        def jvp(ctx, dx):       return dx * ctx.out

``Exp.apply(t, **params)`` runs ``forward(ctx, t_array, **params)`` (params are also set on ctx) and,
when grad mode is on and an input requires grad, links the output
to a Node holding the ctx. ``ctx.inputs`` (the input Tensors), ``ctx.out`` (the output Tensor) and, for vjp,
``ctx.needs_input_grad`` (which inputs want a gradient, so a vjp can skip the others) are set, so forward may
not name a parameter after them (refused when the class is defined); forward may save anything else on ctx.
vjp returns one gradient per input (a Tensor or None) in the *output's* broadcast shape; the engine sums it back
to each input's shape (``sum_to``, below).
"""
from __future__ import annotations

import functools
import inspect
import itertools

import numpy as np

from .._quiet import ERROR_STATE, IGNORE_ALL, quiet
from ..tensor import Tensor
from .grad_mode import _state, forward_ad_disabled

_creation_order = itertools.count()
_tensor_over = Tensor._over


class Context:
    """Scratch space an op's forward fills for its vjp/jvp."""

    inputs: tuple
    out: object
    fn: type  # the Function subclass

    @property
    def fn_name(self) -> str:
        return self.fn.__name__


class Node(Context):
    """The grad_fn of a Tensor: the context its op's forward filled (params and what forward saved, in its
    ``__dict__``) and, in slots, its place in the graph: which Function made it (``fn``), from which ``inputs``,
    which of them want a gradient, and what the vjp may read (the ``_``-named fields, out of the way of the names a
    forward saves its values under). One object where a context and a node were two: every object a graph keeps
    alive is one more for Python's garbage collector to count and, once a long graph (a loop over time steps) has
    pushed it into the oldest generation, to scan in each full collection."""

    __slots__ = ("fn", "inputs", "needs_input_grad", "_versions", "_saved_out", "_saved_counter", "_saved_version",
                 "_tensor_ref", "_seq", "_freed")
    # _versions: those of the inputs whose values the vjp reads (all or none), checked at backward.
    # _saved_out, _saved_counter, _saved_version: the output's values, version counter and version, when the vjp
    #   reads ctx.out (else _saved_out is None): the tensor itself would make out -> node -> out a cycle, freed only
    #   by the garbage collector (torch's SavedVariable keeps an output the same way).
    # _tensor_ref: a weakref to the output tensor, set when it gets hooks or retain_grad.
    # _seq: creation order: a node is made after the nodes of its inputs, so later nodes come first in backward.
    # _freed: True once backward has released what the vjp read (a second backward raises).

    def tensor(self):
        """The output tensor, where backward must run its hooks or fill its .grad; else None."""
        return self._tensor_ref() if self._tensor_ref is not None else None

    def name(self) -> str:
        return self.fn.__name__ + "Backward"

    def __repr__(self):
        return f"<{self.name()}>"

    @property
    def next_functions(self):
        return tuple((t.grad_fn, 0) for t in self.inputs)

    def release(self) -> None:
        """Free what the vjp would read (the params and saved values, the saved output, the values of saved inputs
        of 64 KiB or more): torch's release of saved variables after a backward that does not retain the graph. The
        node keeps its place in the graph (a freed input's stand-in keeps the input's)."""
        self.__dict__.clear()
        self._saved_out = self._saved_counter = None
        if self._versions:  # saved inputs
            self.inputs = tuple([  # (None: an input no gradient read, already a stand-in where large)
                t if v is None or t._data.nbytes < _FREED_FROM or (t.grad_fn is None and t._requires_grad)
                else t._stand_in() for t, v in zip(self.inputs, self._versions)])
            self._versions = ()
        self._freed = True

    def vjp(self, grad_out):
        if self._freed:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved tensors after "
                "they have already been freed). Saved intermediate values of the graph are freed when you call "
                ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through "
                "the graph a second time or if you need to access saved tensors after calling backward."
            )
        if self._versions:  # (an op that saves no inputs checks none; None: an input its gradients do not read)
            for t, v in zip(self.inputs, self._versions):
                if v is not None and t._version_counter[0] != v:
                    raise _modified(t, t._version_counter[0], v, f"input of {self.name()}")
        if self._saved_out is None:
            grads = self.fn.vjp(self, grad_out)
        else:
            self.out = self._unpack_out()
            try:
                grads = self.fn.vjp(self, grad_out)
            finally:
                del self.out
        return grads if isinstance(grads, tuple) else (grads,)

    def _unpack_out(self):
        """The saved output as a tensor of this node (so a vjp that uses it differentiates again)."""
        if self._saved_counter[0] != self._saved_version:
            raise _modified(Tensor(self._saved_out), self._saved_counter[0], self._saved_version,
                            f"output 0 of {self.name()}")
        t = _tensor_over(self._saved_out)
        t.grad_fn, t._requires_grad, t._version_counter = self, True, self._saved_counter
        return t


def _share_version_counter(view, inputs) -> None:
    """A view op's output shares its input's version counter and has that input (or its base) as its _base."""
    base, first = view._data.base, inputs[0]
    if base is first._data or base is first._data.base:  # a view of the first input (NumPy's bases are owners)
        view._version_counter = first._version_counter
        view._base = first if first._base is None else first._base
        return
    root = _memory_root(view._data)
    for t in inputs:
        if _memory_root(t._data) is root:
            view._version_counter = t._version_counter
            view._base = t if t._base is None else t._base
            return


def _memory_root(a):
    """The array that owns a's memory (the end of its chain of bases)."""
    while a.base is not None and type(a.base) is type(a):
        a = a.base
    return a


def _modified(t, now: int, saved: int, what: str) -> RuntimeError:
    return RuntimeError(
        f"one of the variables needed for gradient computation has been modified by an inplace operation: "
        f"[{t.dtype}{list(t.shape)}], which is {what}, is at version {now}; expected version {saved} instead.")


class Function:
    """Base of every primitive op. Subclasses define forward, vjp and (optionally) jvp.

    ``saves`` names the values the vjp reads: "inputs" (ctx.inputs) and/or "out" (ctx.out). Inputs it does not
    name are kept only as stand-ins with shape and dtype but no values, and an output it does not name is not
    kept at all (as torch saves only what backward needs), so a graph does not hold on to intermediates it
    will never read: ``(w * w).sum()`` frees ``w * w`` at once. Reading the values of a stand-in, or an
    unsaved ctx.out, fails loudly.
    """

    saves: tuple = ("inputs", "out")
    # Which inputs each input's gradient reads, where some gradient reads fewer than all: per input, the indices of
    # the inputs whose values its gradient reads (Mul's ((1,), (0,)): a·b's gradient for a is g·b). apply keeps, and
    # backward version-checks, only the inputs that the needed gradients read, as torch saves them: in x @ W with a
    # data x, x is kept and W is not, so W may be updated in place before backward. The vjp then computes only the
    # needed gradients. None: every gradient may read every input.
    reads: tuple | None = None
    _read_by_needs: dict = {}  # needs_input_grad -> which inputs are read, None where all are (made from reads)

    def __init_subclass__(cls, **kwargs):
        """When an op is defined: its forward is made quiet, and a forward parameter named like a field of the
        context is refused (apply copies params onto ctx, where they would overwrite or hide ctx.inputs, ctx.out,
        ...; a forward taking ``**params`` is checked at each call instead).

        Quiet: a forward runs under ``np.errstate(all="ignore")``, because inf and nan are values in torch, never
        warnings (exp(1000), 0/0, inf - inf, a matmul that overflows). Declared here once for every op, so no op
        can leak NumPy's floating-point RuntimeWarnings; vjps and jvps are refgrad ops, quiet the same way."""
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("reads") is not None:
            cls._read_by_needs = _read_by_needs(cls.reads)
        forward = cls.__dict__.get("forward")
        if forward is None:
            return
        forward = forward.__func__ if isinstance(forward, staticmethod) else forward
        parameters = list(inspect.signature(forward).parameters.values())[1:]  # after ctx
        _refuse_context_fields(cls, [p.name for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)])
        if any(p.kind is p.VAR_KEYWORD for p in parameters):
            unchecked = forward

            @functools.wraps(unchecked)
            def forward(ctx, *arrays, **params):
                _refuse_context_fields(cls, params)
                return unchecked(ctx, *arrays, **params)

        cls._loud_forward = staticmethod(forward)  # what apply calls, setting the error state itself
        cls.forward = staticmethod(quiet(forward))

    @staticmethod
    def forward(ctx, *arrays, **params):
        raise NotImplementedError

    _loud_forward = forward

    @staticmethod
    def vjp(ctx, grad_out):
        raise NotImplementedError(f"{ctx.fn_name} has no vjp")

    @staticmethod
    def jvp(ctx, *tangents):
        raise NotImplementedError(f"{ctx.fn_name} has no jvp (forward mode)")

    @classmethod
    def apply(cls, *inputs, **params):
        ctx = _new_node(Node)  # the node, if the output is recorded (see Node); forward's context in any case
        if params:  # readable as ctx.<name> in vjp/jvp (a fresh dict: **params made it; without any, none is made)
            ctx.__dict__ = params
        n = len(inputs)  # one or two inputs without a comprehension's call: apply is the hottest code there is
        arrays = (inputs[0]._data,) if n == 1 else (inputs[0]._data, inputs[1]._data) if n == 2 else [
            t._data for t in inputs]
        if ERROR_STATE is not None:  # quiet, as cls.forward is, without that wrapper's frame
            token = ERROR_STATE.set(IGNORE_ALL)
            try:
                data = cls._loud_forward(ctx, *arrays, **params)
            finally:
                ERROR_STATE.reset(token)
        else:
            data = cls.forward(ctx, *arrays, **params)
        ctx.fn = cls
        out = _tensor_over(data if type(data) is np.ndarray else np.asarray(data))
        if out._data.base is not None:  # a view (reshape, permute, ...): it shares its input's version counter
            _share_version_counter(out, inputs)
        if out._data.dtype.kind != "f":  # integer / bool results carry no gradient
            return out
        # (shared constant tuples for one or two inputs: no new object)
        if not _state["record"]:
            needs = ()
        elif n == 1:
            needs = _ONE_NEEDS[inputs[0]._requires_grad]
        elif n == 2:
            needs = _TWO_NEEDS[inputs[0]._requires_grad][inputs[1]._requires_grad]
        else:
            needs = tuple([t._requires_grad for t in inputs])
        if True in needs:
            saves = cls.saves
            if "inputs" in saves:
                if cls.reads is None or (read := cls._read_by_needs[needs]) is None:  # every input is read
                    ctx.inputs = inputs
                    ctx._versions = (inputs[0]._version_counter[0],) if n == 1 else (
                        inputs[0]._version_counter[0], inputs[1]._version_counter[0]) if n == 2 else tuple(
                        [t._version_counter[0] for t in inputs])
                else:
                    _keep_read_inputs(ctx, inputs, read)
            else:
                ctx._versions = ()
                # (stand-ins for the inputs' values: see saves; one or two inputs without a comprehension's call)
                if n == 1:
                    ctx.inputs = (inputs[0] if inputs[0].grad_fn is None else inputs[0]._stand_in(),)
                elif n == 2:
                    a, b = inputs
                    ctx.inputs = (a if a.grad_fn is None else a._stand_in(), b if b.grad_fn is None else b._stand_in())
                else:
                    ctx.inputs = tuple([t if t.grad_fn is None else t._stand_in() for t in inputs])
            ctx.needs_input_grad = needs
            if "out" in saves:
                ctx._saved_out, ctx._saved_counter, ctx._saved_version = (
                    out._data, out._version_counter, out._version_counter[0])
            else:
                ctx._saved_out = None
            ctx._tensor_ref, ctx._seq, ctx._freed = None, next(_creation_order), False
            out.grad_fn, out._requires_grad = ctx, True
        if _state["forward_ad"] and any([t._tangent is not None for t in inputs]):
            jvp_ctx = Context()  # the jvp reads everything, without touching what the node keeps
            jvp_ctx.__dict__.update(ctx.__dict__, inputs=inputs, out=out, fn=cls)
            tangents = [
                t._tangent if t._tangent is not None else (t.new_zeros(t.shape) if t.dtype.kind == "f" else None)
                for t in inputs
            ]
            with forward_ad_disabled():
                tangent = cls.jvp(jvp_ctx, *tangents)
                # an input's tangent may be smaller than the broadcast output: widen it here, once
                out._tangent = tangent if tangent.shape == out.shape else tangent.expand(out.shape)
        return out


_new_node = object.__new__
# the smallest saved input whose values release() frees (a leaf that requires grad is the caller's, and stays): a
# stand-in costs 5k instructions, which a small model's backward notices (1.9% of the 64-wide MLP's step) and its
# memory does not
_FREED_FROM = 1 << 16
_ONE_NEEDS = ((False,), (True,))  # [requires_grad]
_TWO_NEEDS = (((False, False), (False, True)), ((True, False), (True, True)))  # [requires_grad][requires_grad]


def _keep_read_inputs(ctx, inputs: tuple, read: tuple) -> None:
    """Saves the inputs of a node whose needed gradients read only some of them (see Function.reads): the others are
    not version-checked at backward (None), and are kept as stand-ins where their values are large."""
    if len(inputs) == 2:  # (Mul's and Matmul's, without a comprehension's call)
        (a, b), (read_a, read_b) = inputs, read
        ctx.inputs = (a if read_a or a.grad_fn is None or a._data.nbytes < _FREED_FROM else a._stand_in(),
                      b if read_b or b.grad_fn is None or b._data.nbytes < _FREED_FROM else b._stand_in())
        ctx._versions = (a._version_counter[0] if read_a else None, b._version_counter[0] if read_b else None)
        return
    ctx.inputs = tuple([t if r or t.grad_fn is None or t._data.nbytes < _FREED_FROM else t._stand_in()
                        for t, r in zip(inputs, read)])
    ctx._versions = tuple([t._version_counter[0] if r else None for t, r in zip(inputs, read)])


def _read_by_needs(reads: tuple) -> dict:
    """Function.reads as a table: for each needs_input_grad, whether each input is read, or None where every input
    is (also for fewer inputs than reads names: an optional last input, as linear's bias)."""
    table = {}
    for n in range(1, len(reads) + 1):
        for needs in itertools.product((False, True), repeat=n):
            read = tuple([any([need and i in reads[j] for j, need in enumerate(needs)]) for i in range(n)])
            table[needs] = None if all(read) else read
    return table


# the fields of a Context that apply sets (a Node's slots among them): a forward parameter of the same name would
# clash with them
_CONTEXT_FIELDS = frozenset(["out", "fn_name", *Node.__slots__])


def _refuse_context_fields(cls, names) -> None:
    clash = sorted(_CONTEXT_FIELDS.intersection(names))
    if clash:
        raise TypeError(f"{cls.__name__}.forward has a parameter named {clash[0]!r}, which would overwrite the "
                        f"context's own ctx.{clash[0]} (the context's fields: {sorted(_CONTEXT_FIELDS)}): rename it")


# ---- the engine's one op: sum a gradient back to the shape it was broadcast from ----------------------------
def expandable(shape: tuple, to: tuple) -> bool:
    """Whether shape broadcasts to ``to`` (torch's is_expandable_to)."""
    lead = len(to) - len(shape)
    return lead >= 0 and (shape == to[lead:] or all([s == 1 or s == t for s, t in zip(shape, to[lead:])]))


class SumTo(Function):
    """g summed over the dims broadcasting added or widened, back to ``shape`` (torch's sum_to_size)."""

    saves = ()  # backward reads shapes only

    def forward(ctx, g, shape):
        lead = g.ndim - len(shape)
        widened = tuple([lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1]) if (
            1 in shape) else ()
        half = g.dtype.char == "e"  # torch sums float16 in float32
        # (inf + -inf is nan, a float16 sum may overflow: silently, as every forward)
        if not widened:  # only leading dims summed (a bias's gradient): the reduction has the shape, and owns it
            total = np.add.reduce(g, axis=tuple(range(lead)), dtype=np.float32 if half else g.dtype)
            return total.astype(g.dtype) if half else total
        total = np.add.reduce(g, axis=tuple(range(lead)) + widened, dtype=np.float32 if half else g.dtype,
                              keepdims=True)
        return total.reshape(shape).astype(g.dtype, copy=False)

    def vjp(ctx, g):
        return g.expand(ctx.inputs[0].shape)

    def jvp(ctx, dg):
        return SumTo.apply(dg, shape=ctx.shape)


def sum_to(g: Tensor, shape: tuple) -> Tensor:
    """Sums a broadcast gradient back to shape (which must broadcast to g's): the one place where broadcasting is
    undone, for every op (the engine calls it on each gradient a vjp returns). Where no graph is recorded and no
    tangent carried (a first-order backward: a bias's gradient at every call of a layer), SumTo's sum alone: nothing
    would read its node."""
    if g._data.shape == shape:
        return g
    if not _state["record"] and not _state["forward_ad"]:
        total = SumTo.forward(None, g._data, tuple(shape))  # (its forward reads no context)
        return _tensor_over(total if type(total) is np.ndarray else np.asarray(total))  # (a 0-d sum is a scalar)
    return SumTo.apply(g, shape=tuple(shape))
