"""scaled_dot_product_attention forward + backward: refgrad vs torch CPU.

    python benchmarks/attention.py [--repeats 30] [--threads N]

Batch 8, 4 heads, 128 tokens, head dim 32 (query, key and value (8, 4, 128, 32)), float32 and float64, in the
forms users write: no mask, is_causal=True and a boolean padding mask (True: take part). One step = the forward,
then backward of a fixed cotangent into the three inputs. torch runs what it picks by default on CPU (its flash
kernel for these 4-D inputs) and, for reference, its math backend, the one refgrad mirrors. The implementations
run interleaved (benchmarks/timing.py) and we report medians. refgrad's targets:
<= 1.2x torch in float64, <= 2x in float32. --threads N gives both libraries N threads (OpenBLAS's for NumPy's
matmul, torch's intra-op pool); on a machine whose cores are busy with other work, N=1 keeps the comparison about
the code: a multithreaded BLAS call for each of 32 small matrices then waits on the other jobs.
"""
from __future__ import annotations

import argparse
import os
import platform
import sys

if "--threads" in sys.argv[1:-1]:  # before NumPy loads OpenBLAS, which reads it once
    os.environ["OPENBLAS_NUM_THREADS"] = sys.argv[sys.argv.index("--threads") + 1]

import numpy as np  # noqa: E402
from timing import interleaved_medians  # noqa: E402 (benchmarks/ is the script's directory)

B, H, L, D = 8, 4, 128, 32


def make_data(dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    q, k, v = (rng.standard_normal((B, H, L, D)).astype(dtype) for _ in range(3))
    cotangent = rng.standard_normal((B, H, L, D)).astype(dtype)
    padding = np.ones((B, 1, 1, L), bool)
    padding[:, :, :, L - L // 4:] = False  # the last quarter of the keys is padding
    return (q, k, v), cotangent, padding


class Step:
    """sdpa forward and backward, written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, arrays, cotangent, padding, form, backend=None):
        self.lib, self.F, self.backend = lib, lib.nn.functional, backend
        self.inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
        self.cotangent = lib.tensor(cotangent)
        self.kwargs = {"plain": {}, "causal": {"is_causal": True}, "padding": {"attn_mask": lib.tensor(padding)}}[form]

    def __call__(self) -> list[np.ndarray]:
        if self.backend is None:
            out = self.F.scaled_dot_product_attention(*self.inputs, **self.kwargs)
        else:
            from torch.nn.attention import sdpa_kernel

            with sdpa_kernel(self.backend):
                out = self.F.scaled_dot_product_attention(*self.inputs, **self.kwargs)
        out.backward(self.cotangent)
        grads = [t.grad for t in self.inputs]
        for t in self.inputs:
            t.grad = None
        return [np.asarray(out.detach())] + [np.asarray(g) for g in grads]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30, help="rounds per dtype and form")
    parser.add_argument("--threads", type=int, default=None, help="threads for both libraries (default: theirs)")
    args = parser.parse_args(argv)
    import torch
    from torch.nn.attention import SDPBackend

    import refgrad

    if args.threads:
        torch.set_num_threads(args.threads)

    print(f"scaled_dot_product_attention forward+backward, (B, heads, tokens, head dim) = ({B}, {H}, {L}, {D}), "
          f"median of {args.repeats} interleaved runs ({platform.processor() or platform.machine()}, torch threads "
          f"{torch.get_num_threads()}, OpenBLAS threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')})")
    for dtype in (np.float64, np.float32):
        for form in ("plain", "causal", "padding"):
            arrays, cotangent, padding = make_data(dtype)
            steps = {"refgrad": Step(refgrad, arrays, cotangent, padding, form),
                     "torch": Step(torch, arrays, cotangent, padding, form),
                     "torch math": Step(torch, arrays, cotangent, padding, form, SDPBackend.MATH)}
            results = {name: step() for name, step in steps.items()}  # warm-up, and agreement
            for name in ("torch", "torch math"):
                for ours, theirs in zip(results["refgrad"], results[name]):
                    np.testing.assert_allclose(ours, theirs, rtol=1e-4 if dtype == np.float32 else 1e-10,
                                               atol=1e-5 if dtype == np.float32 else 1e-12)
            med = interleaved_medians(steps, args.repeats)
            print(f"  {np.dtype(dtype).name} {form:8s} " + "  ".join(
                f"{name} {med[name] * 1e3:7.2f} ms" for name in steps)
                  + f"   refgrad/torch {med['refgrad'] / med['torch']:5.2f}x")
    print("outputs and gradients agree with both torch backends (float64 rtol 1e-10, float32 rtol 1e-4)")


if __name__ == "__main__":
    main()
