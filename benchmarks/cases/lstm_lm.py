"""An LSTM language-model training step: refgrad vs torch CPU.

Batch 32, 35 time steps, vocabulary 1000, embedding 128, a 2-layer LSTM of hidden size 256, a linear decoder to the
vocabulary; one step = embedding lookup, LSTM, decoder, cross-entropy over the 35·32 next tokens, backward, and a
hand-written SGD update of every parameter, in float32 and float64. The model is written once against the torch API
(the embedding a Parameter matrix looked up with F.embedding) and runs on either library from refgrad's seeded
initial weights. refgrad's targets: <= 1.2x torch in float64, <= 2x in float32. The NumPy step, no target, is the
same step written out by hand (the cell's passes, backward through time): about what refgrad's time would be without
its own cost, so that refgrad/numpy separates refgrad's overhead from NumPy's kernels against torch's.
"""
from __future__ import annotations

import numpy as np

from ..case import NUMPY, REFGRAD, TORCH, Case, dtype_name, library
from .cnn import initial_state, load

BATCH, STEPS, VOCAB, EMBED, HIDDEN, LAYERS = 32, 35, 1000, 128, 256, 2
LR = 0.1
SMOKE = {"BATCH": 4, "STEPS": 5, "VOCAB": 50, "EMBED": 8, "HIDDEN": 16}  # the smoke test's sizes


def language_model(lib):
    class LanguageModel(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = lib.nn.Parameter(lib.randn(VOCAB, EMBED))
            self.lstm = lib.nn.LSTM(EMBED, HIDDEN, LAYERS)
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


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


class NumpyStep:
    """The step written out in NumPy from the same initial weights: per layer the input projection for the whole
    sequence, then the cell step by step (gates in torch's order i, f, g, o); the decoder and cross-entropy; the
    gradients back through time; SGD. As a hand-written backward would, it forms the recurrent weight's gradient as
    one product over the whole sequence, where refgrad's engine, as torch's, adds one product per step."""

    def __init__(self, state: dict, dtype, tokens: np.ndarray, targets: np.ndarray):
        self.p = {name: value.astype(dtype) for name, value in state.items()}
        self.tokens, self.targets = tokens, targets.reshape(-1)

    def __call__(self) -> float:
        p, (steps, batch), H = self.p, self.tokens.shape, HIDDEN
        inputs, caches = p["embedding"][self.tokens].reshape(steps * batch, EMBED), []
        for layer in range(LAYERS):
            w_hh = p[f"lstm.weight_hh_l{layer}"]
            projection = inputs @ p[f"lstm.weight_ih_l{layer}"].T + (p[f"lstm.bias_ih_l{layer}"] +
                                                                     p[f"lstm.bias_hh_l{layer}"])
            projection = projection.reshape(steps, batch, 4 * H)
            h, c = np.zeros((batch, H), inputs.dtype), np.zeros((batch, H), inputs.dtype)
            hs, cells = np.empty((steps, batch, H), inputs.dtype), []
            for t in range(steps):
                gates = projection[t] + h @ w_hh.T
                s = sigmoid(gates)
                i, f, o, g = s[:, :H], s[:, H:2 * H], s[:, 3 * H:], np.tanh(gates[:, 2 * H:3 * H])
                c_prev, c = c, f * c + i * g
                tanh_c = np.tanh(c)
                h = hs[t] = o * tanh_c
                cells.append((i, f, o, g, c_prev, tanh_c))
            caches.append((inputs, hs, cells))
            inputs = hs.reshape(steps * batch, H)
        logits = inputs @ p["decoder.weight"].T + p["decoder.bias"]
        shifted = logits - logits.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        rows = np.arange(len(self.targets))
        loss = -log_probs[rows, self.targets].mean()
        d_logits = np.exp(log_probs)
        d_logits[rows, self.targets] -= 1
        d_logits /= len(rows)
        grads = {"decoder.weight": d_logits.T @ inputs, "decoder.bias": d_logits.sum(axis=0)}
        d_out = (d_logits @ p["decoder.weight"]).reshape(steps, batch, H)
        for layer in reversed(range(LAYERS)):
            inputs, hs, cells = caches[layer]
            w_hh = p[f"lstm.weight_hh_l{layer}"]
            d_gates = np.empty((steps, batch, 4 * H), inputs.dtype)
            dh, dc = np.zeros((batch, H), inputs.dtype), np.zeros((batch, H), inputs.dtype)
            for t in reversed(range(steps)):
                i, f, o, g, c_prev, tanh_c = cells[t]
                dh = d_out[t] + dh
                dc = dc + dh * o * (1 - tanh_c * tanh_c)
                d = d_gates[t]
                d[:, :H], d[:, H:2 * H] = dc * g * (1 - i) * i, dc * c_prev * (1 - f) * f
                d[:, 2 * H:3 * H], d[:, 3 * H:] = dc * i * (1 - g * g), dh * tanh_c * (1 - o) * o
                dh, dc = d @ w_hh, dc * f
            d_gates = d_gates.reshape(steps * batch, 4 * H)
            previous_h = np.concatenate([np.zeros((1, batch, H), inputs.dtype), hs[:-1]]).reshape(steps * batch, H)
            grads[f"lstm.weight_hh_l{layer}"] = d_gates.T @ previous_h
            grads[f"lstm.weight_ih_l{layer}"] = d_gates.T @ inputs
            grads[f"lstm.bias_ih_l{layer}"] = grads[f"lstm.bias_hh_l{layer}"] = d_gates.sum(axis=0)
            d_out = (d_gates @ p[f"lstm.weight_ih_l{layer}"]).reshape(steps, batch, -1)
        d_embedding = np.zeros_like(p["embedding"])
        np.add.at(d_embedding, self.tokens.reshape(-1), d_out.reshape(steps * batch, EMBED))
        grads["embedding"] = d_embedding
        for name, grad in grads.items():
            p[name] -= LR * grad
        return float(loss)


def cases() -> list[Case]:
    def builder(dtype):
        def build(implementation):
            sequence = np.random.default_rng(0).integers(0, VOCAB, size=(STEPS + 1, BATCH))
            if implementation == NUMPY:
                return NumpyStep(initial_state(language_model), dtype, sequence[:-1], sequence[1:])
            lib = library(implementation)
            model = load(lib, language_model(lib), initial_state(language_model), dtype)
            return Step(lib, model, sequence[:-1], sequence[1:])
        return build

    return [Case("models", f"LSTM language model step {dtype_name(dtype)}", builder(dtype), (NUMPY, TORCH, REFGRAD),
                 {TORCH: target}, rtol=1e-10 if dtype == np.float64 else 1e-4, quick=False)
            for dtype, target in ((np.float64, 1.2), (np.float32, 2.0))]
