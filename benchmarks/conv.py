"""conv2d forward + backward: refgrad vs torch CPU, float32 and float64.

    python benchmarks/conv.py [--repeats 40]

N=32, 3 -> 16 channels, 32x32, 3x3 kernel, padding=1, with a bias: out = conv2d(x, w, b), then
backward of <out, G> for a fixed random cotangent G. Two forms, as users write them: a first layer (x needs no
gradient: weight and bias gradients only) and an inner layer (x's gradient too). The two libraries run
interleaved (benchmarks/timing.py), and we report medians. Targets (issue #8): refgrad
<= 1.2x torch in float64, <= 2x in float32 (where torch uses oneDNN's direct convolution).
"""
from __future__ import annotations

import argparse
import platform

import numpy as np
from timing import interleaved_medians  # benchmarks/ is the script's directory, so on sys.path

N, C_IN, C_OUT, SIZE, K = 32, 3, 16, 32, 3


def make_data(dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, C_IN, SIZE, SIZE)).astype(dtype)
    w = (rng.standard_normal((C_OUT, C_IN, K, K)) * np.sqrt(2.0 / (C_IN * K * K))).astype(dtype)
    b = rng.standard_normal(C_OUT).astype(dtype)
    g = rng.standard_normal((N, C_OUT, SIZE, SIZE)).astype(dtype)
    return x, w, b, g


class ConvStep:
    """One forward + backward, written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, data, input_grad: bool):
        x, w, b, g = data
        self.lib, self.F = lib, lib.nn.functional
        self.x = lib.tensor(x, requires_grad=input_grad)
        self.w, self.b = lib.tensor(w, requires_grad=True), lib.tensor(b, requires_grad=True)
        self.g = lib.tensor(g)

    def __call__(self) -> np.ndarray:
        out = self.F.conv2d(self.x, self.w, self.b, padding=1)
        (out * self.g).sum().backward()
        grads = [t.grad for t in (self.x, self.w, self.b) if t.grad is not None]
        for t in (self.x, self.w, self.b):
            t.grad = None
        return [np.asarray(gr.detach()) for gr in grads]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=40, help="rounds per configuration")
    args = parser.parse_args(argv)
    import torch

    import refgrad

    print(f"conv2d forward+backward, N={N} {C_IN}->{C_OUT} channels, {SIZE}x{SIZE}, k={K}, padding=1, median of "
          f"{args.repeats} interleaved runs ({platform.processor() or platform.machine()}, torch threads "
          f"{torch.get_num_threads()})")
    for dtype, target in ((np.float64, 1.2), (np.float32, 2.0)):
        for input_grad in (False, True):
            data = make_data(dtype)
            steps = {"torch": ConvStep(torch, data, input_grad), "refgrad": ConvStep(refgrad, data, input_grad)}
            rtol = 1e-10 if dtype == np.float64 else 1e-4
            for got, want in zip(steps["refgrad"](), steps["torch"]()):  # warm-up, and agreement
                np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * np.abs(want).max())
            med = interleaved_medians(steps, args.repeats)
            form = "x, w, b grads" if input_grad else "w, b grads   "
            print(f"  {np.dtype(dtype).name} {form}  torch {med['torch'] * 1e3:7.2f} ms  refgrad "
                  f"{med['refgrad'] * 1e3:7.2f} ms  {med['refgrad'] / med['torch']:5.2f}x torch (target {target}x)")


if __name__ == "__main__":
    main()
