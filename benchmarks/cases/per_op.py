"""Per-op overhead: recording one op on tiny tensors and running its vjp, refgrad against torch's eager autograd.

Each op runs on 4×4 float32 leaves that require a gradient: out = op(x[, y]); out.backward(cotangent). A step repeats
that OPS_PER_CALL times (the timer's own cost then stays out of the figure) and the table shows µs per op+backward.
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


def cases() -> list[Case]:
    def builder(op):
        return lambda implementation: Step(library(implementation), op)

    return [Case("per-op", f"{kind}: {name}", builder(op), (TORCH, REFGRAD), {TORCH: 1.0}, rtol=1e-5, atol=1e-5,
                 quick=name in QUICK, ops_per_call=OPS_PER_CALL) for name, (kind, op) in OPS.items()]
