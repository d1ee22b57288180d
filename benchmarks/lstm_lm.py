"""An LSTM language-model training step: refgrad vs torch CPU.

    python benchmarks/lstm_lm.py [--repeats 10] [--threads N] [--layers 2]

Batch 32, 35 time steps, vocabulary 1000, embedding 128, a 2-layer LSTM of hidden size 256, a linear decoder to the
vocabulary; one step = embedding lookup, LSTM, decoder, cross-entropy over the 35·32 next tokens, backward, and a
hand-written SGD update of every parameter, in float32 and float64. The model is written once against the torch
API (the embedding a Parameter matrix looked up with F.embedding) and runs on either library from the same
weights. The implementations run interleaved (benchmarks/timing.py) and we report medians. refgrad's targets:
<= 1.2x torch in float64, <= 2x in float32. --threads N gives both libraries N threads (OpenBLAS's for NumPy's
matmul, torch's intra-op pool).
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

BATCH, STEPS, VOCAB, EMBED, HIDDEN = 32, 35, 1000, 128, 256
LR = 0.1


def language_model(lib, layers: int):
    class LanguageModel(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = lib.nn.Parameter(lib.randn(VOCAB, EMBED))
            self.lstm = lib.nn.LSTM(EMBED, HIDDEN, layers)
            self.decoder = lib.nn.Linear(HIDDEN, VOCAB)

        def forward(self, tokens):
            out, _ = self.lstm(lib.nn.functional.embedding(tokens, self.embedding))
            return self.decoder(out)

    return LanguageModel()


class Step:
    """One training step of a model on fixed tokens; returns the loss."""

    def __init__(self, lib, model, tokens: np.ndarray, targets: np.ndarray):
        self.lib, self.model = lib, model
        self.tokens, self.targets = lib.tensor(tokens), lib.tensor(targets.reshape(-1))

    def __call__(self) -> float:
        lib = self.lib
        logits = self.model(self.tokens)
        loss = lib.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), self.targets)
        self.model.zero_grad(set_to_none=True)
        loss.backward()
        with lib.no_grad():
            for p in self.model.parameters():
                p -= LR * p.grad
        return float(loss.item())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=10, help="rounds per dtype")
    parser.add_argument("--threads", type=int, default=None, help="threads for both libraries (default: theirs)")
    parser.add_argument("--layers", type=int, default=2, help="LSTM layers")
    args = parser.parse_args(argv)
    import torch

    import refgrad

    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"LSTM language-model training step: batch {BATCH}, {STEPS} steps, vocabulary {VOCAB}, embedding {EMBED}, "
          f"{args.layers}-layer LSTM hidden {HIDDEN}; median of {args.repeats} interleaved runs "
          f"({platform.processor() or platform.machine()}, torch threads {torch.get_num_threads()}, OpenBLAS threads "
          f"{os.environ.get('OPENBLAS_NUM_THREADS', 'default')})")
    rng = np.random.default_rng(0)
    sequence = rng.integers(0, VOCAB, size=(STEPS + 1, BATCH))
    for dtype in ("float64", "float32"):
        torch.manual_seed(0)
        theirs = language_model(torch, args.layers).to(getattr(torch, dtype))
        ours = language_model(refgrad, args.layers).to(np.dtype(dtype))
        ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
        steps = {"refgrad": Step(refgrad, ours, sequence[:-1], sequence[1:]),
                 "torch": Step(torch, theirs, sequence[:-1], sequence[1:])}
        first = {name: step() for name, step in steps.items()}  # warm-up, and agreement of the first loss
        np.testing.assert_allclose(first["refgrad"], first["torch"], rtol=1e-4 if dtype == "float32" else 1e-10)
        med = interleaved_medians(steps, args.repeats)
        print(f"  {dtype}  refgrad {med['refgrad'] * 1e3:8.1f} ms  torch {med['torch'] * 1e3:8.1f} ms   "
              f"refgrad/torch {med['refgrad'] / med['torch']:5.2f}x")
    print("first losses agree (float64 rtol 1e-10, float32 rtol 1e-4)")


if __name__ == "__main__":
    main()
