"""A recurrent net written by hand, as tutorials and research code write one: two nn.Linear layers called at every
step, h_t = tanh(input_layer(x_t) + hidden_layer(h_{t-1})), then a loss on the last state: refgrad vs torch CPU.

Batch 32, 35 steps, 128 inputs, 256 hidden units, float32 and float64; one step = the loop, loss = mean(h_T²),
backward through time, and an SGD update of the four parameters. Each layer's weight is transposed anew at each call
(F.linear), so its gradient arrives as 35 products, one per step: the case measures what refgrad makes of a weight
shared across a user's loop rather than inside a module that knows it (nn.RNN). refgrad's targets: <= 1.2x torch in
float64, <= 2x in float32, as the other models. The NumPy step, no target, is the same step with backward through
time written by hand (each step's products added into the weights' gradients as it goes).
"""
from __future__ import annotations

import numpy as np

from ..case import NUMPY, REFGRAD, TORCH, Case, dtype_name, library

BATCH, STEPS, INPUTS, HIDDEN = 32, 35, 128, 256
LR = 0.01
SMOKE = {"BATCH": 3, "STEPS": 4, "INPUTS": 5, "HIDDEN": 6}  # the smoke test's sizes


def make_data(dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((STEPS, BATCH, INPUTS)).astype(dtype)
    params = {"w_in": rng.standard_normal((HIDDEN, INPUTS)) / np.sqrt(INPUTS), "b_in": rng.standard_normal(HIDDEN) / 10,
              "w_h": rng.standard_normal((HIDDEN, HIDDEN)) / np.sqrt(HIDDEN), "b_h": rng.standard_normal(HIDDEN) / 10}
    return x, {k: v.astype(dtype) for k, v in params.items()}


class NumpyStep:
    """Forward, backward through time and the update, by hand."""

    def __init__(self, x, params):
        self.x, self.p = x, {k: v.copy() for k, v in params.items()}

    def __call__(self) -> float:
        p, x = self.p, self.x
        states = [np.zeros((x.shape[1], p["w_h"].shape[0]), x.dtype)]
        for x_t in x:
            states.append(np.tanh(x_t @ p["w_in"].T + p["b_in"] + states[-1] @ p["w_h"].T + p["b_h"]))
        h = states[-1]
        loss = (h * h).mean()
        grads = {k: np.zeros_like(v) for k, v in p.items()}
        g_h = 2 * h / h.size
        for t in range(len(x) - 1, -1, -1):
            g_z = g_h * (1 - states[t + 1] * states[t + 1])
            grads["w_in"] += g_z.T @ x[t]
            grads["w_h"] += g_z.T @ states[t]
            bias = g_z.sum(axis=0)
            grads["b_in"] += bias
            grads["b_h"] += bias
            g_h = g_z @ p["w_h"]
        for name, grad in grads.items():
            p[name] -= LR * grad
        return float(loss)


class Step:
    """The loop written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, x, params):
        self.lib = lib
        self.input_layer, self.hidden_layer = lib.nn.Linear(INPUTS, HIDDEN), lib.nn.Linear(HIDDEN, HIDDEN)
        with lib.no_grad():
            for layer, (w, b) in ((self.input_layer, ("w_in", "b_in")), (self.hidden_layer, ("w_h", "b_h"))):
                layer.weight.data = lib.tensor(params[w])
                layer.bias.data = lib.tensor(params[b])
        self.x = lib.tensor(x)
        self.parameters = [*self.input_layer.parameters(), *self.hidden_layer.parameters()]

    def __call__(self) -> float:
        lib = self.lib
        h = lib.zeros(self.x.shape[1], HIDDEN, dtype=self.x.dtype)
        for x_t in self.x:
            h = lib.tanh(self.input_layer(x_t) + self.hidden_layer(h))
        loss = (h * h).mean()
        loss.backward()
        with lib.no_grad():
            for p in self.parameters:
                p -= LR * p.grad
                p.grad = None
        return float(loss.item())


def cases() -> list[Case]:
    def builder(dtype):
        def build(implementation):
            data = make_data(dtype)
            return NumpyStep(*data) if implementation == NUMPY else Step(library(implementation), *data)
        return build

    return [Case("models", f"RNN loop of nn.Linear, 35 steps {dtype_name(dtype)}", builder(dtype),
                 (NUMPY, TORCH, REFGRAD), {TORCH: target}, rtol=1e-10 if dtype == np.float64 else 1e-4,
                 warmups=3)
            for dtype, target in ((np.float64, 1.2), (np.float32, 2.0))]
