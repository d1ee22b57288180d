"""ModuleSpecs of refgrad.nn.modules.rnn: the cells (RNNCell, LSTMCell, GRUCell) and the multi-layer RNN, LSTM, GRU.

Each multi-layer module has three specs: the plain one (every constructor argument drawn, dropout 0, so train and
eval are deterministic; batched, batch_first and unbatched inputs, with and without initial states), ``[dropout]``
(dropout > 0 between layers: random in training, so eval only here; tests/test_rnn.py checks the training form by
structure) and ``[packed]`` (the module behind a wrapper that packs padded inputs of drawn lengths with
pack_padded_sequence, runs the module on the PackedSequence and pads its output again with pad_packed_sequence:
outputs, final states and gradients for sequences of unequal lengths, sorted or not).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_cases import module_cases
from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec

SIZES = st.integers(1, 3)


# ---- the cells --------------------------------------------------------------------------------------------------
def _cell_inputs(states: int):
    """x (batch, input) or unbatched (input,), then optionally the state (h, or (h, c) for LSTMCell) of the same
    batchedness."""

    def inputs(config, dtype):
        k = config.kwargs

        def build(drawn):
            batch, with_state = drawn
            lead = () if batch is None else (batch,)
            x = S.arrays(dtype, lead + (k["input_size"],))
            if not with_state:
                return st.tuples(x)
            state = [S.arrays(dtype, lead + (k["hidden_size"],)) for _ in range(states)]
            return st.tuples(x, state[0] if states == 1 else st.tuples(*state))

        return st.tuples(st.one_of(st.none(), st.integers(0, 3)), st.booleans()).flatmap(build)

    return inputs


CELL_KWARGS = {"input_size": st.integers(0, 3), "hidden_size": st.integers(0, 3), "bias": st.booleans()}


# ---- the multi-layer modules --------------------------------------------------------------------------------
def _num_states(name: str) -> int:
    return 2 if name == "LSTM" else 1


def _state_shapes(config, batch) -> list[tuple]:
    """The shapes of h0 (and c0): (layers·directions, [batch,] size)."""
    k = config.kwargs
    layers = k.get("num_layers", 1) * (2 if k.get("bidirectional", False) else 1)
    lead = (layers,) if batch is None else (layers, batch)
    sizes = [k.get("proj_size", 0) or k["hidden_size"], k["hidden_size"]]
    return [lead + (size,) for size in sizes]


def _initial_state(name: str, config, batch, dtype):
    shapes = _state_shapes(config, batch)[:_num_states(name)]
    states = [S.arrays(dtype, shape) for shape in shapes]
    return states[0] if name != "LSTM" else st.tuples(*states)


def _sequence_inputs(name: str):
    """x (T, B, input) ((B, T, input) with batch_first) or unbatched (T, input), T >= 1 (torch refuses T = 0), B >= 0;
    then optionally the initial state(s)."""

    def inputs(config, dtype):
        k = config.kwargs

        def build(drawn):
            steps, batch, with_state = drawn
            if batch is None:
                shape = (steps, k["input_size"])
            else:
                shape = (batch, steps, k["input_size"]) if k.get("batch_first") else (steps, batch, k["input_size"])
            x = S.arrays(dtype, shape)
            return st.tuples(x, _initial_state(name, config, batch, dtype)) if with_state else st.tuples(x)

        return st.tuples(st.integers(1, 3), st.one_of(st.none(), st.integers(0, 2)), st.booleans()).flatmap(build)

    return inputs


def _packed_inputs(name: str):
    """(x padded, lengths, enforce_sorted[, initial state]): B >= 1 sequences of lengths 1..T (sorted decreasing
    when enforce_sorted), x (T, B, input) or (B, T, input) with batch_first."""

    def inputs(config, dtype):
        k = config.kwargs

        def build(drawn):
            steps, lengths, enforce_sorted, with_state = drawn
            if enforce_sorted:
                lengths = sorted(lengths, reverse=True)
            batch = len(lengths)
            shape = (batch, steps, k["input_size"]) if k.get("batch_first") else (steps, batch, k["input_size"])
            parts = [S.arrays(dtype, shape), st.just(tuple(lengths)), st.just(enforce_sorted)]
            if with_state:
                parts.append(_initial_state(name, config, batch, dtype))
            return st.tuples(*parts)

        return st.integers(1, 3).flatmap(lambda steps: st.tuples(
            st.just(steps), st.lists(st.integers(1, steps), min_size=1, max_size=3), st.booleans(),
            st.booleans())).flatmap(build)

    return inputs


def _packed(lib_name: str, name: str):
    """A factory of a module wrapping lib's ``name`` (child ``rnn``, so its state_dict keys are ``rnn.<torch's>``):
    forward(x padded, lengths, enforce_sorted, hx=None) packs x, runs the module on the PackedSequence and returns
    (the output padded again, the final state(s))."""

    def make(*args, **kwargs):
        import importlib

        lib = importlib.import_module(lib_name)

        class Packed(lib.nn.Module):
            def __init__(self):
                super().__init__()
                self.rnn = getattr(lib.nn, name)(*args, **kwargs)

            def forward(self, x, lengths, enforce_sorted, hx=None):
                rnn_utils = lib.nn.utils.rnn
                batch_first = self.rnn.batch_first
                packed = rnn_utils.pack_padded_sequence(x, list(lengths), batch_first=batch_first,
                                                        enforce_sorted=enforce_sorted)
                out, state = self.rnn(packed, hx)
                return rnn_utils.pad_packed_sequence(out, batch_first=batch_first)[0], state

        return Packed()

    return make


def _module_kwargs(name: str, dropout) -> dict:
    kwargs = {"input_size": SIZES, "hidden_size": SIZES, "num_layers": st.integers(1, 2), "bias": st.booleans(),
              "batch_first": st.booleans(), "dropout": dropout, "bidirectional": st.booleans()}
    if name == "RNN":
        kwargs["nonlinearity"] = st.sampled_from(["tanh", "relu"])
    return kwargs


def _kwargs_strategy(name: str, dropout):
    """The constructor kwargs of ``name``; LSTM's proj_size is drawn below the drawn hidden_size."""
    base = st.fixed_dictionaries(_module_kwargs(name, dropout))
    if name != "LSTM":
        return base
    return base.flatmap(lambda k: st.integers(0, k["hidden_size"] - 1).map(lambda p: {**k, "proj_size": p}))


def _sequence_cases(name: str, dropout, inputs):
    """dtype -> ModuleCases: the kwargs drawn first (proj_size depends on hidden_size), then the inputs for them."""
    kwargs = _kwargs_strategy(name, dropout)

    def cases(dtype):
        return kwargs.flatmap(lambda k: inputs(ModuleCase((), k), dtype).map(lambda xs: ModuleCase((), k, tuple(xs))))

    return cases


EVAL_ONLY = ("dropout between layers is random in training (its noise cannot equal torch's): checked in eval mode "
             "here, and by structure in training in tests/test_rnn.py")


def _family(name: str) -> list[ModuleSpec]:
    return [
        ModuleSpec(name, _sequence_cases(name, st.just(0.0), _sequence_inputs(name))),
        ModuleSpec(name, _sequence_cases(name, st.sampled_from([0.25, 0.5]), _sequence_inputs(name)),
                   variant="dropout", modes=("eval",), modes_reason=EVAL_ONLY),
        ModuleSpec(name, _sequence_cases(name, st.just(0.0), _packed_inputs(name)), variant="packed",
                   ref=_packed("refgrad", name), torch=_packed("torch", name)),
    ]


BASE_REASON = ("a base class: constructible, with its subclasses' parameters, but without a forward (torch's raises "
               "NotImplementedError, checked as an error case), so only its state_dict is compared")
BASE_KWARGS = {"input_size": SIZES, "hidden_size": SIZES, "num_layers": st.integers(1, 2), "bias": st.booleans(),
               "bidirectional": st.booleans()}

MODULE_SPECS = [
    ModuleSpec("RNNBase", module_cases(lambda config, dtype: st.just(()),
                                       args=(st.sampled_from(["LSTM", "GRU", "RNN_TANH", "RNN_RELU"]),),
                                       kwargs=BASE_KWARGS),
               checks=("state_dict",), notes=BASE_REASON),
    ModuleSpec("RNNCellBase", module_cases(lambda config, dtype: st.just(()),
                                           kwargs={**CELL_KWARGS, "num_chunks": st.integers(1, 4)}),
               checks=("state_dict",), notes=BASE_REASON),
    ModuleSpec("RNNCell", module_cases(_cell_inputs(1), kwargs={**CELL_KWARGS,
                                                                 "nonlinearity": st.sampled_from(["tanh", "relu"])})),
    ModuleSpec("LSTMCell", module_cases(_cell_inputs(2), kwargs=CELL_KWARGS)),
    ModuleSpec("GRUCell", module_cases(_cell_inputs(1), kwargs=CELL_KWARGS)),
    *_family("RNN"), *_family("LSTM"), *_family("GRU"),
]


def _ones(*shape) -> np.ndarray:
    return np.ones(shape, "float32")


_SEQUENCE_ERRORS = (
    ModuleErrorCase("dropout out of range", (3, 4, 2), {"dropout": 1.5}, fragments=("dropout should be a number",)),
    ModuleErrorCase("dropout a bool", (3, 4, 2), {"dropout": True}, fragments=("dropout should be a number",)),
    ModuleErrorCase("hidden_size 0", (3, 0), fragments=("hidden_size must be greater than zero",)),
    ModuleErrorCase("hidden_size a float", (3, 2.0), fragments=("hidden_size should be of type int, got: float",)),
    ModuleErrorCase("input_size 0", (0, 4), fragments=("input_size must be greater than zero",)),
    ModuleErrorCase("num_layers 0", (3, 4, 0), fragments=("num_layers must be greater than zero",)),
    ModuleErrorCase("1-D input", (3, 4), inputs=(_ones(5),), fragments=("Expected input to be 2D or 3D, got 1D",)),
    ModuleErrorCase("4-D input", (3, 4), inputs=(_ones(5, 2, 3, 1),),
                    fragments=("Expected input to be 2D or 3D, got 4D",)),
    ModuleErrorCase("input size", (3, 4), inputs=(_ones(5, 2, 2),),
                    fragments=("input.size(-1) must be equal to input_size. Expected 3, got 2",)),
    ModuleErrorCase("input dtype", (3, 4), inputs=(np.ones((5, 2, 3)),),
                    fragments=("RNN input dtype", "float64", "does not match weight dtype", "float32")),
    ModuleErrorCase("no time steps", (3, 4), inputs=(_ones(0, 2, 3),),
                    fragments=("Expected sequence length to be larger than 0 in RNN",)),
)


def _state_errors(name: str) -> tuple:
    if name == "LSTM":
        return (
            ModuleErrorCase("2-D states of a batched input", (3, 4, 2), inputs=(_ones(5, 2, 3), (_ones(2, 4),
                                                                                                 _ones(2, 4))),
                            fragments=("For batched 3-D input, hx and cx should also be 3-D but got (2-D, 2-D)",)),
            ModuleErrorCase("3-D states of an unbatched input", (3, 4, 2),
                            inputs=(_ones(5, 3), (_ones(2, 1, 4), _ones(2, 1, 4))),
                            fragments=("For unbatched 2-D input, hx and cx should also be 2-D but got (3-D, 3-D)",)),
            ModuleErrorCase("h0 shape", (3, 4, 2), inputs=(_ones(5, 2, 3), (_ones(2, 3, 4), _ones(2, 2, 4))),
                            fragments=("Expected hidden[0] size (2, 2, 4), got [2, 3, 4]",)),
            ModuleErrorCase("c0 shape", (3, 4, 2), inputs=(_ones(5, 2, 3), (_ones(2, 2, 4), _ones(2, 2, 3))),
                            fragments=("Expected hidden[1] size (2, 2, 4), got [2, 2, 3]",)),
            ModuleErrorCase("proj_size negative", (3, 4), {"proj_size": -1},
                            fragments=("proj_size should be a positive integer or zero to disable projections",)),
            ModuleErrorCase("proj_size not below hidden_size", (3, 4), {"proj_size": 4},
                            fragments=("proj_size has to be smaller than hidden_size",)),
        )
    return (
        ModuleErrorCase("2-D state of a batched input", (3, 4, 2), inputs=(_ones(5, 2, 3), _ones(2, 4)),
                        fragments=("For batched 3-D input, hx should also be 3-D but got 2-D tensor",)),
        ModuleErrorCase("3-D state of an unbatched input", (3, 4, 2), inputs=(_ones(5, 3), _ones(2, 1, 4)),
                        fragments=("For unbatched 2-D input, hx should also be 2-D but got 3-D tensor",)),
        ModuleErrorCase("h0 shape", (3, 4, 2), inputs=(_ones(5, 2, 3), _ones(2, 3, 4)),
                        fragments=("Expected hidden size (2, 2, 4), got [2, 3, 4]",)),
        ModuleErrorCase("proj_size", (3, 4), {"proj_size": 2},
                        fragments=("proj_size argument is only supported for LSTM, not RNN or GRU",)),
    )


def _cell_errors(name: str) -> tuple:
    state = (_ones(3, 4), _ones(2, 4)) if name == "LSTMCell" else _ones(3, 4)
    wide = (_ones(2, 4), _ones(2, 5)) if name == "LSTMCell" else _ones(2, 5)
    deep = (_ones(2, 4, 1), _ones(2, 4)) if name == "LSTMCell" else _ones(2, 4, 1)
    hidden = "hx[0]" if name == "LSTMCell" else "hidden"
    return (
        ModuleErrorCase("3-D input", (3, 4), inputs=(_ones(2, 3, 1),),
                        fragments=(f"{name}: Expected input to be 1D or 2D, got 3D instead",)),
        ModuleErrorCase("3-D state", (3, 4), inputs=(_ones(2, 3), deep),
                        fragments=(f"{name}: Expected {hidden} to be 1D or 2D, got 3D instead",)),
        ModuleErrorCase("input size", (3, 4), inputs=(_ones(2, 2),),
                        fragments=("input has inconsistent input_size: got 2 expected 3",)),
        ModuleErrorCase("state batch", (3, 4), inputs=(_ones(2, 3), state),
                        fragments=("Input batch size 2 doesn't match hidden0 batch size 3",)),
        ModuleErrorCase("state size", (3, 4), inputs=(_ones(2, 3), wide),
                        fragments=(f"hidden{1 if name == 'LSTMCell' else 0} has inconsistent hidden_size: got 5, "
                                   "expected 4",)),
        ModuleErrorCase("input dtype", (3, 4), inputs=(np.ones((2, 3)),),
                        fragments=("mat1 and mat2 must have the same dtype, but got Double and Float",)),
    )


ERRORS = {
    "RNNBase": (ModuleErrorCase("no forward", ("LSTM", 3, 4), inputs=(_ones(5, 2, 3),),
                                fragments=('Module [RNNBase] is missing the required "forward" function',)),
                ModuleErrorCase("unknown mode", ("FOO", 3, 4), fragments=("Unrecognized RNN mode: FOO",))),
    "RNNCellBase": (ModuleErrorCase("no forward", (3, 4, True, 2), inputs=(_ones(2, 3),),
                                    fragments=('Module [RNNCellBase] is missing the required "forward" function',)),),
    "RNNCell": (*_cell_errors("RNNCell"),
                ModuleErrorCase("unknown nonlinearity", (3, 4), {"nonlinearity": "sigmoid"}, inputs=(_ones(2, 3),),
                                fragments=("Unknown nonlinearity: sigmoid",))),
    "LSTMCell": (*_cell_errors("LSTMCell"),
                 ModuleErrorCase("a tensor for (h, c)", (3, 4), inputs=(_ones(2, 3), _ones(2, 4)),
                                 fragments=("must be tuple of Tensors, not Tensor",))),
    "GRUCell": _cell_errors("GRUCell"),
    "RNN": (*_SEQUENCE_ERRORS, *_state_errors("RNN"),
            ModuleErrorCase("unknown nonlinearity", (3, 4), {"nonlinearity": "sigmoid"},
                            fragments=("Unknown nonlinearity 'sigmoid'. Select from 'tanh' or 'relu'.",))),
    "LSTM": (*_SEQUENCE_ERRORS, *_state_errors("LSTM")),
    "GRU": (*_SEQUENCE_ERRORS, *_state_errors("GRU")),
}
KNOWN_FAILURES: dict = {}
