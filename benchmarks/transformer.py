"""A TransformerEncoderLayer training step: refgrad vs torch CPU.

    python benchmarks/transformer.py [--repeats 15] [--threads N]

Batch 16, 64 tokens, d_model 128, 4 heads, dim_feedforward 512 (4·d_model), batch_first, float32 and float64, in
the forms users write: post-norm with dropout 0 (the outputs and gradients are compared with torch's before timing),
post-norm with dropout 0.1 (random: timed only) and pre-norm (norm_first) with a causal mask. One step = the forward,
an MSE loss against a fixed target, backward, and an SGD update of every parameter under no_grad. torch runs what it
picks on CPU (the attention inside calls scaled_dot_product_attention, its flash kernel for these inputs; its fused
fast path needs no gradients, so a training step never takes it). The implementations run interleaved
(benchmarks/timing.py) and we report medians. refgrad's targets: <= 1.2x torch in float64, <= 2x in float32.
--threads N gives both libraries N threads (OpenBLAS's for NumPy, torch's intra-op pool).
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

BATCH, TOKENS, D_MODEL, HEADS, FEEDFORWARD = 16, 64, 128, 4, 512
LR = 1e-3
FORMS = {"post-norm": {"dropout": 0.0}, "dropout 0.1": {"dropout": 0.1}, "pre-norm causal": {"dropout": 0.0,
                                                                                           "norm_first": True}}


def make_data(dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    return (rng.standard_normal((BATCH, TOKENS, D_MODEL)).astype(dtype),
            rng.standard_normal((BATCH, TOKENS, D_MODEL)).astype(dtype))


class Step:
    """One training step of an encoder layer, written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, state: dict, x, target, form: str, dtype):
        self.lib, self.form = lib, form
        self.layer = lib.nn.TransformerEncoderLayer(D_MODEL, HEADS, FEEDFORWARD, batch_first=True, **FORMS[form])
        self.layer.to(getattr(lib, np.dtype(dtype).name)).train()
        self.layer.load_state_dict({k: lib.tensor(np.asarray(v)) for k, v in state.items()})
        self.x, self.target = lib.tensor(x, requires_grad=True), lib.tensor(target)
        causal = lib.nn.Transformer.generate_square_subsequent_mask(TOKENS, dtype=getattr(lib, np.dtype(dtype).name))
        self.kwargs = {"src_mask": causal, "is_causal": True} if "causal" in form else {}

    def __call__(self) -> list[np.ndarray]:
        lib = self.lib
        out = self.layer(self.x, **self.kwargs)
        loss = lib.nn.functional.mse_loss(out, self.target)
        loss.backward()
        grads = [np.asarray(p.grad) for p in self.layer.parameters()] + [np.asarray(self.x.grad)]
        with lib.no_grad():
            for p in self.layer.parameters():
                p -= LR * p.grad
                p.grad = None
        self.x.grad = None
        return [np.asarray(out.detach())] + grads


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15, help="rounds per dtype and form")
    parser.add_argument("--threads", type=int, default=None, help="threads for both libraries (default: theirs)")
    args = parser.parse_args(argv)
    import torch

    import refgrad

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"TransformerEncoderLayer training step (forward, MSE, backward, SGD), batch {BATCH}, {TOKENS} tokens, "
          f"d_model {D_MODEL}, {HEADS} heads, feed-forward {FEEDFORWARD}, median of {args.repeats} interleaved runs "
          f"({platform.processor() or platform.machine()}, torch threads {torch.get_num_threads()}, OpenBLAS "
          f"threads {os.environ.get('OPENBLAS_NUM_THREADS', 'default')})")
    for dtype in (np.float64, np.float32):
        for form in FORMS:
            torch.manual_seed(0)
            state = {k: v.numpy() for k, v in torch.nn.TransformerEncoderLayer(
                D_MODEL, HEADS, FEEDFORWARD, batch_first=True, **FORMS[form]).state_dict().items()}
            x, target = make_data(dtype)
            steps = {"refgrad": Step(refgrad, state, x, target, form, dtype),
                     "torch": Step(torch, state, x, target, form, dtype)}
            results = {name: step() for name, step in steps.items()}  # warm-up, and agreement without dropout
            if FORMS[form]["dropout"] == 0:
                for ours, theirs in zip(results["refgrad"], results["torch"]):
                    np.testing.assert_allclose(ours, theirs, rtol=1e-3 if dtype == np.float32 else 1e-9,
                                               atol=1e-4 if dtype == np.float32 else 1e-11)
            med = interleaved_medians(steps, args.repeats)
            print(f"  {np.dtype(dtype).name} {form:16s} " + "  ".join(
                f"{name} {med[name] * 1e3:8.2f} ms" for name in steps)
                  + f"   refgrad/torch {med['refgrad'] / med['torch']:5.2f}x")
    print("without dropout, the first step's output and gradients agree with torch's (float64 rtol 1e-9, float32 "
          "rtol 1e-3)")


if __name__ == "__main__":
    main()
