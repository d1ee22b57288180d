"""The cotangent backward donates to the vjp it runs: one that nothing else holds, which the vjp may overwrite.

A first-order backward hands each vjp its output's gradient, and usually nothing else holds that array: the engine
popped it from its table, no hook kept it, it is no .grad. A vjp that maps it elementwise (softmax's (g - Σ g·s)·s,
g·b for a product's operand) can then write its result into it rather than into a new array of the same size, as a
hand-written backward updates its gradient in place: attention's backward needs one score-sized array less (8 heads'
128×128 scores over a batch of 8: 4.2 MB in float64).

The engine decides (``donate``, for gradients of 64 KiB or more that only its own reference holds: the array too,
or a view's base); a vjp asks at its last read of g (``overwritable``, or ``into_cotangent`` of refgrad/ops/common.py
for an elementwise formula), and gets yes once. No graph is recorded when a cotangent is donated, so nothing saved
can see the write.
"""
from __future__ import annotations

_slot = [None]  # the running vjp's donated cotangent, if any


def donate(g) -> None:
    """Offers cotangent g to the vjp about to run (None: nothing is offered)."""
    _slot[0] = g


def overwritable(g) -> bool:
    """Whether the running vjp may write its result into cotangent g: backward donated it, and no one has taken it.
    True once; the caller writes into g at its last read of it."""
    if _slot[0] is g and g is not None:
        _slot[0] = None
        return True
    return False
