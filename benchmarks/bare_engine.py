"""The floor under a Python autograd: the small MLP step on a bare reverse-mode engine, beside refgrad and torch.

    .venv/bin/python -m benchmarks.bare_engine            # 64-64-64-10 at batch 16, float32 and float64, tanh

The bare engine is micrograd's design on ndarrays: a tensor is its array, its gradient, its parents and a closure
that maps the output's cotangent to theirs; backward sorts the graph and runs the closures. It has none of refgrad's
contract: no argument, dtype or shape checks, no version counters (an in-place write before backward goes unseen),
no saved-value release, hooks, retained gradients, forward mode or double backward, and only the five ops this step
uses. What it costs above the hand-written NumPy step is what recording an op costs in Python at the least; what
refgrad costs above it is the price of that contract (issue #13: the small models' target of 1.0× torch).
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from .cases.mlp import LR, NUMPY_ACTIVATIONS, SHAPES, SMALL, AutogradStep, NumpyStep, make_data


class Bare:
    __slots__ = ("data", "grad", "parents", "vjp")

    def __init__(self, data, parents=(), vjp=None):
        self.data, self.grad, self.parents, self.vjp = data, None, parents, vjp

    def __matmul__(self, other):
        a, b = self.data, other.data
        return Bare(a @ b, (self, other), lambda g: (g @ b.T, a.T @ g))

    def __add__(self, bias):  # a bias row: its gradient summed over the batch
        return Bare(self.data + bias.data, (self, bias), lambda g: (g, g.sum(0)))

    def activation(self, name: str):
        forward, derivative = NUMPY_ACTIVATIONS[name]
        z = self.data
        out = forward(z)
        return Bare(out, (self,), lambda g: (g * derivative(out, z),))

    def cross_entropy(self, y):  # softmax cross-entropy, mean over the batch
        shifted = self.data - self.data.max(1, keepdims=True)
        exps = np.exp(shifted)
        total = exps.sum(1, keepdims=True)
        rows = np.arange(len(y))
        loss = (np.log(total[:, 0]) - shifted[rows, y]).mean()

        def vjp(g):
            p = exps / total
            p[rows, y] -= 1
            return (p * (g / len(y)),)
        return Bare(np.asarray(loss), (self,), vjp)

    def backward(self):
        order, seen = [], set()

        def visit(t):
            if id(t) not in seen:
                seen.add(id(t))
                for p in t.parents:
                    visit(p)
                order.append(t)
        visit(self)
        self.grad = np.ones_like(self.data)
        for t in reversed(order):  # every consumer of t has added its gradient in
            if t.vjp is not None:
                for p, g in zip(t.parents, t.vjp(t.grad)):
                    p.grad = g if p.grad is None else p.grad + g


class BareStep:
    """benchmarks/cases/mlp.py's step (forward, backward, SGD) on the bare engine."""

    def __init__(self, x, y, params, activation):
        self.x, self.y, self.activation = Bare(x), y, activation
        self.p = [Bare(v.copy()) for v in params]

    def __call__(self) -> float:
        p, h = self.p, self.x
        for i in range(0, len(p) - 2, 2):
            h = (h @ p[i] + p[i + 1]).activation(self.activation)
        loss = (h @ p[-2] + p[-1]).cross_entropy(self.y)
        loss.backward()
        for t in p:
            t.data -= LR * t.grad
            t.grad = None
        return float(loss.data)


def steps(widths, batch, dtype, activation) -> dict:
    import torch

    import refgrad

    data = make_data(widths, batch, dtype)
    return {"numpy": NumpyStep(*data, activation), "bare engine": BareStep(*data, activation),
            "refgrad": AutogradStep(refgrad, *data, activation), "torch": AutogradStep(torch, *data, activation)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activation", default="tanh", choices=sorted(NUMPY_ACTIVATIONS))
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--calls", type=int, default=200, help="steps timed together in a round")
    args = parser.parse_args()
    import torch
    torch.set_num_threads(1)
    widths, batch = SHAPES[SMALL]
    print(f"MLP {SMALL}, {args.activation}: µs per step, median of {args.rounds} interleaved rounds")
    for dtype in (np.float32, np.float64):
        implementations = steps(widths, batch, dtype, args.activation)
        first = {name: [step() for _ in range(3)] for name, step in implementations.items()}
        for name, losses in first.items():  # the same step: the same losses
            np.testing.assert_allclose(losses, first["numpy"], rtol=1e-4)
        times = {name: [] for name in implementations}
        for _ in range(args.rounds):
            for name, step in implementations.items():
                start = time.perf_counter()
                for _ in range(args.calls):
                    step()
                times[name].append((time.perf_counter() - start) / args.calls * 1e6)
        medians = {name: float(np.median(t)) for name, t in times.items()}
        print(f"{np.dtype(dtype).name}: " + ", ".join(
            f"{name} {m:.0f} ({m / medians['torch']:.2f}× torch)" for name, m in medians.items()))


if __name__ == "__main__":
    main()
