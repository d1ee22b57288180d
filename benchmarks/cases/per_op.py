"""Per-op overhead: recording one op on tiny tensors and running its vjp, refgrad against torch's eager autograd.

Each op runs on 4×4 float32 leaves that require a gradient, in two forms, and the table shows µs per op:
- one backward per op: out = op(x[, y]); out.backward(cotangent), OPS_PER_CALL times a step. Each op pays a whole
  backward call, whose fixed cost is larger in torch (its C++ engine's start) than in refgrad;
- one graph of OPS_PER_CALL ops ("..., 200 in one graph"): every op recorded first, then one backward over all of their
  outputs, as a training step records its ops and runs backward once. This is the op's own cost: recording it and
  running its vjp.
The gradients accumulate into the leaves' .grad as they would in a training loop; each step starts from none.
Target (issue #13): no more than torch's time for the same op.
"""
from __future__ import annotations

import numpy as np

from ..case import REFGRAD, TORCH, Case, library

OPS_PER_CALL = 200
SIZE = 4
ROWS = np.array([0, 2, 3])  # x[rows] indexes with a tensor built once, as a training loop would
OPS = {  # name -> (kind, op on (x, y))
    "x * y": ("elementwise", lambda lib, x, y, rows: x * y),
    "x + y": ("elementwise", lambda lib, x, y, rows: x + y),
    "tanh(x)": ("elementwise", lambda lib, x, y, rows: lib.tanh(x)),
    "x ** 2": ("elementwise", lambda lib, x, y, rows: x ** 2),
    "x @ y": ("matmul", lambda lib, x, y, rows: x @ y),
    "x.sum()": ("reduction", lambda lib, x, y, rows: x.sum()),
    "x.mean(dim=0)": ("reduction", lambda lib, x, y, rows: x.mean(dim=0)),
    "x[rows]": ("indexing", lambda lib, x, y, rows: x[rows]),
    "x[:, 1:3]": ("indexing", lambda lib, x, y, rows: x[:, 1:3]),
}
QUICK = {"x * y", "x @ y", "x.sum()", "x[rows]"}


class Step:
    def __init__(self, lib, op, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.lib, self.op, self.rows = lib, op, lib.tensor(ROWS)
        self.x, self.y = (lib.tensor(rng.standard_normal((SIZE, SIZE)).astype(np.float32), requires_grad=True)
                          for _ in range(2))
        out_shape = tuple(op(lib, self.x.detach(), self.y.detach(), self.rows).shape)
        self.cotangent = lib.tensor(rng.standard_normal(out_shape).astype(np.float32))

    def __call__(self) -> list:
        op, lib, x, y, rows, cotangent = self.op, self.lib, self.x, self.y, self.rows, self.cotangent
        x.grad = y.grad = None
        for _ in range(OPS_PER_CALL):
            out = op(lib, x, y, rows)
            out.backward(cotangent)
        return [out, x.grad] + ([y.grad] if y.grad is not None else [])


class GraphStep(Step):
    """OPS_PER_CALL ops recorded from the same leaves, then one backward over all of their outputs."""

    def __call__(self) -> list:
        op, lib, x, y, rows = self.op, self.lib, self.x, self.y, self.rows
        x.grad = y.grad = None
        outs = [op(lib, x, y, rows) for _ in range(OPS_PER_CALL)]
        lib.autograd.backward(outs, [self.cotangent] * OPS_PER_CALL)
        return [outs[-1], x.grad] + ([y.grad] if y.grad is not None else [])


def cases() -> list[Case]:
    def builder(step, op):
        return lambda implementation: step(library(implementation), op)

    # (in one graph, each leaf's gradient sums OPS_PER_CALL equal terms in each library's own order: to float32's
    # rounding of such a sum, within rtol 1e-5)
    return [Case("per-op", f"{kind}: {name}{form}", builder(step, op), (TORCH, REFGRAD), {TORCH: 1.0}, rtol=1e-5,
                 atol=1e-5, quick=name in QUICK and step is Step, ops_per_call=OPS_PER_CALL)
            for step, form in ((Step, ""), (GraphStep, f", {OPS_PER_CALL} in one graph"))
            for name, (kind, op) in OPS.items()]
