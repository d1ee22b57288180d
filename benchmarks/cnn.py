"""One training step of a small CNN built from nn modules: torch CPU vs refgrad, float32 and float64.

    python benchmarks/cnn.py [--repeats 20]

N=32 images 3×32×32: Conv2d 3→16 (3×3, padding 1), batch norm, relu, max_pool2d 2, Conv2d 16→32 (3×3, padding 1),
batch norm, relu, adaptive_avg_pool2d 1, Linear 32→10, cross_entropy; one step = forward, backward and an SGD update
of every parameter. The model is written once against the torch API and built in each library; refgrad's twin
loads torch's weights with load_state_dict. The two run interleaved (benchmarks/timing.py), medians reported.
Targets (issue #9): refgrad within 1.2× torch in float64 and 2× in float32. On a machine other processes load, both
libraries' BLAS threads contend and the ratio measures that: there run it with OMP_NUM_THREADS=1
OPENBLAS_NUM_THREADS=1 (one thread each).
"""
from __future__ import annotations

import argparse
import platform

import numpy as np
from timing import interleaved_medians  # benchmarks/ is the script's directory, so on sys.path

N, SIZE, LR = 32, 32, 1e-2


def small_cnn(lib):
    """The model class of ``lib`` (torch or refgrad: their namespaces mirror each other)."""
    nn = lib.nn

    class SmallCNN(nn.Sequential):
        def __init__(self):
            super().__init__(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                             nn.Flatten(), nn.Linear(32, 10))

    return SmallCNN


class Step:
    """One SGD training step of ``model`` on fixed data."""

    def __init__(self, lib, model, x, y):
        self.lib, self.model = lib, model
        self.x, self.y = lib.tensor(x), lib.tensor(y)

    def __call__(self) -> float:
        loss = self.lib.nn.functional.cross_entropy(self.model(self.x), self.y)
        loss.backward()
        with self.lib.no_grad():
            for p in self.model.parameters():
                p -= LR * p.grad
                p.grad = None
        return float(loss.item())


def make_steps(dtype, seed: int = 0) -> dict:
    import torch

    import refgrad

    rng = np.random.default_rng(seed)
    x = rng.standard_normal((N, 3, SIZE, SIZE)).astype(dtype)
    y = rng.integers(0, 10, N)
    torch.manual_seed(seed)
    theirs = small_cnn(torch)().to(getattr(torch, np.dtype(dtype).name))
    ours = small_cnn(refgrad)().to(np.dtype(dtype))
    ours.load_state_dict({k: np.asarray(v) for k, v in theirs.state_dict().items()})
    return {"torch": Step(torch, theirs, x, y), "refgrad": Step(refgrad, ours, x, y)}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20, help="interleaved rounds per dtype")
    args = parser.parse_args(argv)
    import torch

    print(f"small CNN step, N={N} 3x{SIZE}x{SIZE}, median of {args.repeats} interleaved runs "
          f"({platform.processor() or platform.machine()}, torch threads {torch.get_num_threads()})")
    for dtype, rtol in ((np.float64, 1e-10), (np.float32, 1e-4)):
        steps = make_steps(dtype)
        losses = {name: [step() for _ in range(3)] for name, step in steps.items()}  # warm-up, and agreement
        np.testing.assert_allclose(losses["refgrad"], losses["torch"], rtol=rtol)
        med = interleaved_medians(steps, args.repeats)
        print(f"  {np.dtype(dtype).name}: torch {med['torch'] * 1e3:7.2f} ms   refgrad {med['refgrad'] * 1e3:7.2f} ms"
              f"   {med['refgrad'] / med['torch']:5.2f}x torch   (losses agree to rtol {rtol:g} over 3 steps)")


if __name__ == "__main__":
    main()
