"""One training step of a LeNet-sized convolutional net: torch CPU vs refgrad, float32 and float64.

    python benchmarks/lenet.py [--repeats 30]

N=64 MNIST-sized images (1×28×28): conv 1→6 (5×5), relu, max_pool2d 2, conv 6→16 (5×5), relu, max_pool2d 2,
linear 256→10, cross_entropy; one step = forward, backward and an SGD update. The same code runs on both
libraries, interleaved (benchmarks/timing.py), medians reported. refgrad's targets (issue #8): within 1.2× torch
in float64 and 2× in float32 (where torch runs oneDNN's kernels).
"""
from __future__ import annotations

import argparse
import platform

import numpy as np
from timing import interleaved_medians  # benchmarks/ is the script's directory, so on sys.path

N, LR = 64, 1e-2


def make_data(dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, 1, 28, 28)).astype(dtype)
    y = rng.integers(0, 10, N)
    shapes = {"c1": (6, 1, 5, 5), "b1": (6,), "c2": (16, 6, 5, 5), "b2": (16,), "fc": (10, 256), "bf": (10,)}
    params = {k: (rng.standard_normal(s) * 0.1).astype(dtype) for k, s in shapes.items()}
    return x, y, params


class Step:
    """The step written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, x, y, params):
        self.lib, self.F = lib, lib.nn.functional
        self.x, self.y = lib.tensor(x), lib.tensor(y)
        self.p = {k: lib.tensor(v, requires_grad=True) for k, v in params.items()}

    def __call__(self) -> float:
        F, p = self.F, self.p
        h = F.max_pool2d(F.relu(F.conv2d(self.x, p["c1"], p["b1"])), 2)
        h = F.max_pool2d(F.relu(F.conv2d(h, p["c2"], p["b2"])), 2)
        loss = F.cross_entropy(F.linear(h.flatten(1), p["fc"], p["bf"]), self.y)
        loss.backward()
        with self.lib.no_grad():
            for t in p.values():
                t -= LR * t.grad
                t.grad = None
        return float(loss.item())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="interleaved rounds per dtype")
    args = parser.parse_args(argv)
    import torch

    import refgrad

    print(f"LeNet step, N={N} 1x28x28, median of {args.repeats} interleaved runs "
          f"({platform.processor() or platform.machine()}, torch threads {torch.get_num_threads()})")
    for dtype, rtol in ((np.float64, 1e-10), (np.float32, 1e-4)):
        steps = {"torch": Step(torch, *make_data(dtype)), "refgrad": Step(refgrad, *make_data(dtype))}
        losses = {name: [step() for _ in range(3)] for name, step in steps.items()}  # warm-up, and agreement
        np.testing.assert_allclose(losses["refgrad"], losses["torch"], rtol=rtol)
        med = interleaved_medians(steps, args.repeats)
        print(f"  {np.dtype(dtype).name}: torch {med['torch'] * 1e3:7.2f} ms   refgrad {med['refgrad'] * 1e3:7.2f} ms"
              f"   {med['refgrad'] / med['torch']:5.2f}x torch   (losses agree to rtol {rtol:g} over 3 steps)")


if __name__ == "__main__":
    main()
