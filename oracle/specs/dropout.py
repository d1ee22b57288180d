"""Specs for refgrad/nn/functional/dropout.py: dropout, dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout.

Values drawn by a random function cannot match torch's generator, so each function has two specs:
- the deterministic forms, every check against torch: training=False (any p), p=0, p=1 (everything dropped:
  input * 0) and size-0 inputs, in every rank torch accepts (dropout2d/3d's deprecated ranks with their warnings),
  inplace drawn where it writes nothing;
- ``[random]``: training=True with 0 < p < 1, refgrad re-seeded before each call so that every call draws the same
  noise: its gradients against numerical derivatives of that same forward (vjp_numeric, jvp). The derived
  extremes and mutation checks compare it with ``input * noise (+ shift)`` computed in torch from the noise refgrad
  draws (nan, inf and signed zeros through the mask).
The structure and distribution of the noise (0 or 1/(1-p); alpha dropout's two values and its kept mean and
variance; the kept fraction) are tests/test_dropout.py's, against torch's own draws.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec

SEED = 20240518  # the random variants' refgrad seed: each call draws the same noise

# name -> (feature, alpha, ranks the deterministic forms take, ranks the random form takes)
FUNCTIONS = {
    "dropout": (False, False, range(0, 5), range(0, 5)),
    "alpha_dropout": (False, True, range(0, 5), range(0, 5)),
    "feature_alpha_dropout": (True, True, range(0, 5), range(2, 5)),
    "dropout1d": (True, False, (2, 3), (2, 3)),
    "dropout2d": (True, False, range(0, 6), range(2, 6)),
    "dropout3d": (True, False, range(0, 6), range(1, 6)),
}


def _shape(ranks, nonempty: bool = False):
    return st.sampled_from(list(ranks)).flatmap(
        lambda n: S.shapes(n, n, 1 if nonempty else 0, 4 if n < 4 else 3) if n else st.just(()))


def _deterministic_cases(ranks, default_training: bool):
    def cases(dtype):
        @st.composite
        def draw_case(draw):
            x = draw(_shape(ranks).flatmap(lambda s: S.arrays(dtype, s)))
            mode = draw(st.sampled_from(["eval", "p0", "p1", "empty"] if x.size == 0 else ["eval", "p0", "p1"]))
            p = {"p0": 0.0, "p1": 1.0}.get(mode, draw(st.sampled_from([None, 0.0, 0.3, 1.0])))
            training = mode != "eval"
            kwargs = {} if p is None else {"p": p}
            if training != default_training or draw(st.booleans()):  # the default drawn too
                kwargs["training"] = training
            if draw(st.booleans()):  # inplace=True: tests/test_dropout.py (torch refuses it on the leaves here)
                kwargs["inplace"] = False
            return Case((x,), kwargs)

        return draw_case()

    return cases


def _random_cases(ranks):
    def cases(dtype):
        shapes = _shape(ranks, nonempty=True)
        return st.tuples(shapes.flatmap(lambda s: S.arrays(dtype, s)), st.sampled_from([0.2, 0.5, 0.8])).map(
            lambda xp: Case((xp[0], xp[1], True)))

    return cases


def _reseeded(name):
    """refgrad's function, re-seeded before each call (the same noise every call)."""

    def call(*args, **kwargs):
        import refgrad

        refgrad.manual_seed(SEED)
        return getattr(refgrad.nn.functional, name)(*args, **kwargs)

    return call


def _torch_with_refgrad_noise(name):
    """input * noise (+ shift) in torch, with the noise refgrad draws after the same re-seeding; torch's own function
    runs first (its result unused) for its warnings and errors."""
    feature, alpha = FUNCTIONS[name][:2]

    def call(input, p, training):
        import torch

        import refgrad
        from refgrad.nn.functional.dropout import dropout_noise, noise_shape

        getattr(torch.nn.functional, name)(input.detach(), p, training)
        batched = {"dropout1d": input.ndim == 3, "dropout3d": input.ndim == 5}.get(name, True)
        refgrad.manual_seed(SEED)
        dtype = np.dtype(str(input.dtype).removeprefix("torch."))
        scale, shift = dropout_noise(noise_shape(tuple(input.shape), feature, batched), p, dtype, alpha)
        out = input * torch.from_numpy(scale)
        return out if shift is None else out + torch.from_numpy(shift)

    return call


SPECS = []
for _name, (_feature, _alpha, _ranks, _random_ranks) in FUNCTIONS.items():
    SPECS.append(OpSpec(f"nn.functional.{_name}", _deterministic_cases(_ranks, default_training=not _alpha)))
    SPECS.append(OpSpec(f"nn.functional.{_name}", _random_cases(_random_ranks), variant="random",
                        ref=_reseeded(_name), torch=_torch_with_refgrad_noise(_name), checks=("vjp_numeric", "jvp")))

X = C.ones(2, 3, 4)
ERRORS = {
    "nn.functional.dropout": (
        C.bad("p_negative", X, -0.1, says=("between 0 and 1", "-0.1")),
        C.bad("p_above_one", X, 1.5, says=("between 0 and 1", "1.5")),
        C.bad("p_nan", X, float("nan"), says=("between 0 and 1", "nan")),
        C.bad("p_not_0d", X, np.array([0.5]), says=("'p'", "float", "Tensor")),
        C.bad("training_int", X, 0.5, 1, says=("'train'", "bool", "int")),
        C.bad("int_input", C.ones(3, dtype=np.int64), 0.5, says="Long"),
        C.bad("list_input", [1.0, 2.0], says="list"),
    ),
    "nn.functional.alpha_dropout": (
        C.bad("p_above_one", X, 2.0, says="but got 2.0"),
        C.bad("training_none", X, 0.5, None, says=("'train'", "NoneType")),
        C.bad("bool_input", C.ones(3, dtype=np.bool_), 0.5, True, says="Bool"),
    ),
    "nn.functional.feature_alpha_dropout": (
        C.bad("one_dim", C.ones(3), 0.5, True, says="at least 2 dimensions"),
        C.bad("p_negative", X, -1.0, says="but got -1.0"),
    ),
    "nn.functional.dropout1d": (
        C.bad("rank_1", C.ones(3), says=("Expected 2D or 3D input", "1D")),
        C.bad("rank_4", C.ones(1, 2, 3, 4), training=False, says=("Expected 2D or 3D input", "4D")),
        C.bad("p_above_one", X, 1.5, says="but got 1.5"),
        C.bad("training_int", X, 0.5, 0, says=("'train'", "bool")),
    ),
    "nn.functional.dropout2d": (
        C.bad("rank_1_training", C.ones(3), 0.5, True, says="at least 2 dimensions"),
        C.bad("p_negative", X, -0.5, says="but got -0.5"),
    ),
    "nn.functional.dropout3d": (
        C.bad("rank_0_training", np.ones((), np.float32), 0.5, True, says="at least 2 dimensions"),
        C.bad("p_above_one", X, 3.0, says="but got 3.0"),
    ),
}
