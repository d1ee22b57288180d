"""One optimizer step over a model's parameters: torch CPU vs refgrad, float32 and float64.

    python benchmarks/optimizer_step.py [--repeats 30] [--optimizers SGD Adam ...]

100 parameter tensors of mixed sizes, 1M values in all (50 weight matrices of lognormally spread sizes and their 50
biases, as a model's), each with a fixed gradient; one step = ``optimizer.step()``. SGD runs with momentum 0.9,
every other optimizer refgrad.optim declares with torch's defaults (SparseAdam takes sparse gradients only and LBFGS
re-evaluates a closure: neither is a per-tensor step, so both are left out). torch runs its default implementation
(on CPU tensors it picks the single-tensor loop: foreach and fused off). The same code drives both libraries,
interleaved (benchmarks/timing.py), medians reported. refgrad's target (issue #10): ≤ 1.0× torch.
"""
from __future__ import annotations

import argparse
import inspect
import platform

import numpy as np
from timing import interleaved_medians  # benchmarks/ is the script's directory, so on sys.path

N_TENSORS, N_VALUES = 100, 1_000_000
OPTIONS = {"SGD": {"momentum": 0.9}}  # non-default options; the others run with torch's defaults
LEFT_OUT = {"SparseAdam", "LBFGS"}


def parameter_shapes(seed: int = 0) -> list[tuple[int, ...]]:
    """50 (rows, cols) weights and their (rows,) biases, N_VALUES values in all (up to rounding)."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(16, 513, N_TENSORS // 2)
    share = rng.lognormal(0.0, 1.0, N_TENSORS // 2)
    weight_values = share / share.sum() * (N_VALUES - rows.sum())
    cols = np.maximum(1, np.round(weight_values / rows)).astype(int)
    return [shape for r, c in zip(rows, cols) for shape in ((int(r), int(c)), (int(r),))]


def make_tensors(dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    shapes = parameter_shapes()
    return [(rng.standard_normal(s).astype(dtype), rng.standard_normal(s).astype(dtype)) for s in shapes]


def declared_optimizers() -> list[str]:
    import refgrad

    optim = refgrad.optim
    return [name for name in optim.__all__ if inspect.isclass(getattr(optim, name))
            and issubclass(getattr(optim, name), optim.Optimizer) and getattr(optim, name) is not optim.Optimizer
            and name not in LEFT_OUT]


def build(lib, name: str, tensors):
    """The optimizer over fresh parameters holding the given values and gradients."""
    params = []
    for value, grad in tensors:
        p = lib.tensor(value.copy(), requires_grad=True)
        p.grad = lib.tensor(grad.copy())
        params.append(p)
    return getattr(lib.optim, name)(params, **OPTIONS.get(name, {})), params


def worst_relative_difference(ours, theirs) -> float:
    return max(float(np.max(np.abs(np.asarray(o.detach()) - t.detach().numpy())) / max(1e-30, np.max(np.abs(
        t.detach().numpy())))) for o, t in zip(ours, theirs))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="interleaved rounds per optimizer and dtype")
    parser.add_argument("--optimizers", nargs="*", help="names from refgrad.optim (default: every one declared)")
    args = parser.parse_args(argv)
    import torch

    import refgrad

    names = args.optimizers or declared_optimizers()
    shapes = parameter_shapes()
    print(f"optimizer step, {len(shapes)} tensors, {sum(int(np.prod(s)) for s in shapes):,} values, median of "
          f"{args.repeats} interleaved runs ({platform.processor() or platform.machine()}, torch threads "
          f"{torch.get_num_threads()})")
    for dtype in (np.float32, np.float64):
        tensors = make_tensors(dtype)
        for name in names:
            (torch_opt, torch_params), (ours, our_params) = build(torch, name, tensors), build(refgrad, name, tensors)
            for _ in range(3):  # warm-up (first steps create the state), and agreement after them
                torch_opt.step()
                ours.step()
            diff = worst_relative_difference(our_params, torch_params)
            med = interleaved_medians({"torch": torch_opt.step, "refgrad": ours.step}, args.repeats)
            print(f"  {name:9s} {np.dtype(dtype).name}: torch {med['torch'] * 1e3:7.2f} ms   refgrad "
                  f"{med['refgrad'] * 1e3:7.2f} ms   {med['refgrad'] / med['torch']:5.2f}x torch   (parameters "
                  f"after 3 steps differ by {diff:.1e} of their largest)")


if __name__ == "__main__":
    main()
