"""One training step of a two-layer net: hand-written NumPy vs torch CPU vs refgrad.

    python benchmarks/two_layer_net.py [--repeats 60]

N=256, D=3072, H=100, C=10, float64: scores = relu(X W1 + b1) W2 + b2, softmax cross-entropy (mean over the
batch) + reg·(‖W1‖² + ‖W2‖²); one step = forward, backward, and an SGD update of the four parameters.
The three implementations run interleaved (benchmarks/timing.py) and we report medians. refgrad's target:
within 1.2x of the hand-written NumPy step, which makes the same BLAS calls; the rest is the graph's
bookkeeping.
"""
from __future__ import annotations

import argparse
import platform

import numpy as np
from timing import interleaved_medians  # benchmarks/ is the script's directory, so on sys.path

N, D, H, C = 256, 3072, 100, 10
REG, LR = 1e-3, 1e-2


def make_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    params = {"W1": rng.standard_normal((D, H)) * np.sqrt(2.0 / D), "b1": np.zeros(H),
              "W2": rng.standard_normal((H, C)) * np.sqrt(2.0 / H), "b2": np.zeros(C)}
    return X, y, params


class NumpyStep:
    """The backprop-lecture step, every gradient written out by hand."""

    def __init__(self, X, y, params):
        self.X, self.y, self.p = X, y, {k: v.copy() for k, v in params.items()}

    def __call__(self) -> float:
        X, y, p = self.X, self.y, self.p
        h_pre = X @ p["W1"] + p["b1"]
        h = np.maximum(h_pre, 0)
        scores = h @ p["W2"] + p["b2"]
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(N), y].mean() + REG * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
        dscores = np.exp(log_probs)
        dscores[np.arange(N), y] -= 1
        dscores /= N
        dW2 = h.T @ dscores + 2 * REG * p["W2"]
        db2 = dscores.sum(axis=0)
        dh = dscores @ p["W2"].T
        dh[h_pre <= 0] = 0
        dW1 = X.T @ dh + 2 * REG * p["W1"]
        db1 = dh.sum(axis=0)
        for k, g in (("W1", dW1), ("b1", db1), ("W2", dW2), ("b2", db2)):
            p[k] -= LR * g
        return float(loss)


class AutogradStep:
    """The same step written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, X, y, params):
        self.lib, self.F = lib, lib.nn.functional
        self.X, self.y = lib.tensor(X), lib.tensor(y)
        self.p = {k: lib.tensor(v, requires_grad=True) for k, v in params.items()}

    def __call__(self) -> float:
        lib, F, p = self.lib, self.F, self.p
        h = F.relu(self.X @ p["W1"] + p["b1"])
        scores = h @ p["W2"] + p["b2"]
        loss = F.cross_entropy(scores, self.y) + REG * ((p["W1"] * p["W1"]).sum() + (p["W2"] * p["W2"]).sum())
        loss.backward()
        with lib.no_grad():
            for t in p.values():
                t -= LR * t.grad
                t.grad = None
        return float(loss.item())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=60, help="rounds (rounded up to a multiple of 6)")
    args = parser.parse_args(argv)
    import torch

    import refgrad

    X, y, params = make_data()
    steps = {"numpy": NumpyStep(X, y, params), "torch": AutogradStep(torch, X, y, params),
             "refgrad": AutogradStep(refgrad, X, y, params)}
    losses = {name: [step() for _ in range(3)] for name, step in steps.items()}  # warm-up, and agreement
    for name in ("torch", "refgrad"):
        np.testing.assert_allclose(losses[name], losses["numpy"], rtol=1e-10)
    med = interleaved_medians(steps, args.repeats)
    print(f"two-layer net step, N={N} D={D} H={H} C={C} float64, median of {args.repeats} interleaved runs "
          f"({platform.processor() or platform.machine()}, torch threads {torch.get_num_threads()})")
    for name in steps:
        print(f"  {name:8s} {med[name] * 1e3:8.2f} ms   {med[name] / med['numpy']:5.2f}x numpy")
    print("losses agree across the three to rtol 1e-10 over the first 3 steps")


if __name__ == "__main__":
    main()
