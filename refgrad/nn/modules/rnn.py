"""refgrad.nn.modules.rnn: mirrors torch.nn.modules.rnn (RNNBase, RNN, LSTM, GRU, RNNCellBase, RNNCell, LSTMCell,
GRUCell).

Everything is composed of refgrad ops and F (F.linear, sigmoid, tanh, narrow, cat, split), so gradients of any
order follow; the LSTM cell's update is one primitive of its own (``_LSTMCell``), whose vjp and jvp are refgrad ops
where a graph is recorded. One time step of each cell is one function below (``_rnn_step``, ``_lstm_step``,
``_gru_step``), used by the cells; the multi-layer modules loop over layers, directions and time steps with the same
updates.

A layer's input is the whole sequence, every step's rows stacked in time order (``whole``, with each step's row
count): its input projection x W_ihᵀ is one product for all steps, as torch's CPU layers compute it, and each step
adds h W_hhᵀ to its slice. A padded input has batch rows at every step; a PackedSequence's steps shrink (its
``batch_sizes``, sequences sorted by decreasing length), and a sequence that has ended keeps its final state, as
torch's packed kernels do. The next layer takes the outputs stacked the same way.
"""
from __future__ import annotations

import numbers
import warnings

import numpy as np

from ..._grad_state import state as _grad_state
from ..._quiet import quiet
from ...autograd import Function
from ...ops.linalg import addmm, matmul
from ...ops.shape import cat, stack
from ...tensor import Tensor
from .. import functional as F
from ..utils.rnn import PackedSequence
from .module import Module
from .utils import init_uniform_by_size, new_parameter

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}
_NONLINEARITIES = {"tanh": F.tanh, "relu": F.relu}


# ---- one time step of each cell -----------------------------------------------------------------------------
def _rnn_step(x, h, w_ih, w_hh, b_ih, b_hh, activation):
    """h' = activation(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)."""
    return activation(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh))


def _lstm_step(x, state, w_ih, w_hh, b_ih, b_hh, w_hr=None):
    """torch's LSTM cell, gates in torch's order (input, forget, cell, output): c' = f ⊙ c + i ⊙ g,
    h' = o ⊙ tanh(c'), then h' W_hrᵀ with a projection (proj_size > 0). Returns (h', c')."""
    h, c = state
    return _lstm_update(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh), c, w_hr)


def _lstm_update(gates, c, w_hr=None):
    """(h', c') from the gates' pre-activations (batch, 4·hidden) and the cell state c: one _LSTMCell node."""
    both = _LSTMCell.apply(gates, c)
    h_next, c_next = both[0], both[1]
    if w_hr is not None:
        h_next = F.linear(h_next, w_hr)
    return h_next, c_next


class _LSTMCell(Function):
    """torch's LSTM cell from the gates' pre-activations z (batch, 4·hidden; torch's order i, f, g, o) and the cell
    state c, as one node a step where the ops were nine: c' = σ(z_f)·c + σ(z_i)·tanh(z_g), h' = σ(z_o)·tanh(c'),
    returned stacked, (2, batch, hidden) = (h', c'). The forward makes those ops' operations in their order (one
    sigmoid over all four quarters, the cell gate's unused), so the same bits. The vjp is torch's LSTM cell backward,
    dc = g_c + g_h·σ_o·(1 − tanh²c') and each gate's slope as the sigmoid and tanh vjps write it: in NumPy from what
    the forward kept where backward records no graph, in refgrad ops (the same operations) where one is recorded, so
    that it differentiates again. The jvp is the chain rule through the same steps, in refgrad ops."""
    saves = ("inputs",)

    def forward(ctx, gates, c):
        size = c.shape[-1]
        squashed = 1 / (1 + np.exp(-gates))  # sigmoid's forward
        i, f, o = squashed[..., :size], squashed[..., size:2 * size], squashed[..., 3 * size:]
        cell_gate = np.tanh(gates[..., 2 * size:3 * size])
        out = np.empty((2,) + np.broadcast_shapes(f.shape, c.shape), c.dtype)
        np.add(f * c, i * cell_gate, out=out[1])
        cell_tanh = np.tanh(out[1])
        np.multiply(o, cell_tanh, out=out[0])
        ctx.kept = squashed, cell_gate, cell_tanh  # for the NumPy vjp
        return out

    def vjp(ctx, g):
        gates, c = ctx.inputs
        if not _grad_state["record"]:
            return tuple(Tensor._over(a) for a in _lstm_cell_backward(g._data, c._data, *ctx.kept))
        i, f, o, cell_gate, cell_tanh = _lstm_cell_parts(gates, c)
        g_h, g_c = g[0], g[1]
        d_cell = g_c + (g_h * o) * (1 - cell_tanh * cell_tanh)
        d_gates = cat([(d_cell * cell_gate) * (1 - i) * i, (d_cell * c) * (1 - f) * f,
                       (i * d_cell) * (1 - cell_gate * cell_gate), (g_h * cell_tanh) * (1 - o) * o], -1)
        return (d_gates if ctx.needs_input_grad[0] else None), (d_cell * f if ctx.needs_input_grad[1] else None)

    def jvp(ctx, d_gates, d_c):
        gates, c = ctx.inputs
        size = c.shape[-1]
        i, f, o, cell_gate, cell_tanh = _lstm_cell_parts(gates, c)
        d_i, d_f, d_o = ((d_gates.narrow(-1, k * size, size) * (1 - y)) * y for k, y in ((0, i), (1, f), (3, o)))
        d_cell_gate = d_gates.narrow(-1, 2 * size, size) * (1 - cell_gate * cell_gate)
        d_c_next = d_f * c + f * d_c + d_i * cell_gate + i * d_cell_gate
        return stack([d_o * cell_tanh + o * ((1 - cell_tanh * cell_tanh) * d_c_next), d_c_next])


def _lstm_cell_parts(gates, c):
    """σ(z_i), σ(z_f), σ(z_o), tanh(z_g), tanh(c') as refgrad ops (the recorded vjp's and the jvp's)."""
    size = c.shape[-1]
    squashed = F.sigmoid(gates)
    i, f, o = (squashed.narrow(-1, k * size, size) for k in (0, 1, 3))
    cell_gate = F.tanh(gates.narrow(-1, 2 * size, size))
    return i, f, o, cell_gate, F.tanh(f * c + i * cell_gate)


@quiet  # inf and nan are values, as in the forward
def _lstm_cell_backward(g, c, squashed, cell_gate, cell_tanh):
    """(d gates, d c) of the LSTM cell, each slope as refgrad's sigmoid and tanh vjps write it (g·(1 − y)·y,
    g·(1 − y²))."""
    size = c.shape[-1]
    g_h, g_c = g[0], g[1]
    i, f, o = squashed[..., :size], squashed[..., size:2 * size], squashed[..., 3 * size:]
    d_cell = g_c + (g_h * o) * (1 - cell_tanh * cell_tanh)
    d_gates = np.empty(squashed.shape, squashed.dtype)
    d_gates[..., :size] = (d_cell * cell_gate) * (1 - i) * i
    d_gates[..., size:2 * size] = (d_cell * c) * (1 - f) * f
    d_gates[..., 2 * size:3 * size] = (i * d_cell) * (1 - cell_gate * cell_gate)
    d_gates[..., 3 * size:] = (g_h * cell_tanh) * (1 - o) * o
    return d_gates, d_cell * f


def _gru_step(x, h, w_ih, w_hh, b_ih, b_hh):
    """torch's GRU cell, gates in torch's order (reset, update, new): n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)),
    h' = (1 - z) ⊙ n + z ⊙ h."""
    return _gru_update(F.linear(x, w_ih, b_ih), F.linear(h, w_hh, b_hh), h)


def _gru_update(x_gates, h_gates, h):
    """h' from the input's and the state's projections (batch, 3·hidden) each, computed as n + z ⊙ (h - n); one
    sigmoid for the reset and update gates together."""
    size = h.shape[1]
    r, z = F.sigmoid(x_gates.narrow(1, 0, 2 * size) + h_gates.narrow(1, 0, 2 * size)).chunk(2, 1)
    n = F.tanh(x_gates.narrow(1, 2 * size, size) + r * h_gates.narrow(1, 2 * size, size))
    return n + z * (h - n)


def _affine(x, weight_t, bias):
    """x @ weight_t + bias as one node (addmm), weight_t a weight transposed once per call."""
    return matmul(x, weight_t) if bias is None else addmm(bias, x, weight_t)


# ---- the multi-layer modules --------------------------------------------------------------------------------
class RNNBase(Module):
    """torch.nn.RNNBase(mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0, device=None, dtype=None): the parameters of every layer and direction under
    torch's names (weight_ih_l{k}{_reverse}, weight_hh_l{k}, bias_ih_l{k}, bias_hh_l{k}, weight_hr_l{k}), registered
    in torch's order, each drawn from U(-1/√hidden_size, 1/√hidden_size). ``flatten_parameters`` is a no-op (there
    is no cuDNN weight buffer to compact)."""

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None):
        super().__init__()
        if (not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1):
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an element "
                             "being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and num_layers={num_layers}",
                          stacklevel=3)
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size)):
            if not isinstance(value, numbers.Integral):
                raise TypeError(f"{name} should be of type int, got: {type(value).__name__}")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if not isinstance(num_layers, numbers.Integral):
            raise TypeError(f"'{type(num_layers).__name__}' object cannot be interpreted as an integer")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        if proj_size > 0 and mode != "LSTM":
            raise ValueError("proj_size argument is only supported for LSTM, not RNN or GRU")
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        num_directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        self._all_weights = []
        for layer in range(num_layers):
            for direction in range(num_directions):
                layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
                shapes = [("weight_ih", (gate_size, layer_input_size)), ("weight_hh", (gate_size, real_hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes += [("weight_hr", (proj_size, hidden_size))]
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                names = []
                for stem, shape in shapes:
                    setattr(self, stem + suffix, new_parameter(*shape, device=device, dtype=dtype))
                    names.append(stem + suffix)
                self._all_weights.append(names)
        self._flat_weights_names = [name for names in self._all_weights for name in names]
        self.reset_parameters()

    @property
    def _flat_weights(self) -> list:
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self) -> list:
        """The parameters of each layer and direction, in torch's order."""
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """A no-op, as torch's on the CPU."""

    def reset_parameters(self) -> None:
        init_uniform_by_size(self.parameters(), self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s

    # ---- the forward pass, shared by the three --------------------------------------------------------------
    @property
    def _num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _state_sizes(self) -> list[int]:
        """The last dim of each state tensor: h (proj_size when projecting), and c for LSTM."""
        h = self.proj_size if self.proj_size > 0 else self.hidden_size
        return [h, self.hidden_size] if self.mode == "LSTM" else [h]

    def _cell(self, layer_weights: list):
        """The cell of one layer and direction as two functions: ``project`` (the layer's whole input, every step's
        rows stacked, to its input projection x W_ihᵀ plus the biases: one product for the sequence, as torch's CPU
        layers take it) and ``step`` ((a step's projection, state tuple) -> (output h, state tuple): one product
        h W_hhᵀ a step). The projection is a product over T·batch rows where a product per step would be T small
        ones, and its weight's gradient is one product too, not T summed. GRU's projection keeps b_hh apart: its
        reset gate scales W_hn h + b_hn alone."""
        w_ih, w_hh = layer_weights[0], layer_weights[1]
        b_ih, b_hh = (layer_weights[2], layer_weights[3]) if self.bias else (None, None)
        w_ih_t, w_hh_t = w_ih.t(), w_hh.t()
        if self.mode == "GRU":
            def step(x_gates, state):
                h = _gru_update(x_gates, _affine(state[0], w_hh_t, b_hh), state[0])
                return h, (h,)
            return (lambda whole: _affine(whole, w_ih_t, b_ih)), step
        bias = b_ih + b_hh if self.bias else None

        def project(whole):
            return _affine(whole, w_ih_t, bias)

        if self.mode == "LSTM":
            w_hr = layer_weights[-1] if self.proj_size > 0 else None

            def step(x_gates, state):
                h, c = _lstm_update(addmm(x_gates, state[0], w_hh_t), state[1], w_hr)
                return h, (h, c)
            return project, step
        activation = F.tanh if self.mode == "RNN_TANH" else F.relu

        def step(x_gates, state):
            h = activation(addmm(x_gates, state[0], w_hh_t))
            return h, (h,)
        return project, step

    def _run(self, whole: Tensor, step_rows: list, initial: list) -> tuple[Tensor, list]:
        """Every layer and direction over the sequence ``whole`` (every step's rows stacked in time order, step t
        having ``step_rows[t]`` rows) from the initial states (each (layers·directions, batch, size)); returns the last
        layer's outputs stacked the same way, and the final states in the initial states' layout."""
        finals = [[] for _ in initial]
        dropout = self.dropout if self.training else 0.0
        for layer in range(self.num_layers):
            if layer > 0 and dropout > 0:
                whole = F.dropout(whole, dropout, True)
            per_direction = []
            for direction in range(self._num_directions):
                k = layer * self._num_directions + direction
                project, step = self._cell(self.all_weights[k])
                projections = project(whole).split(step_rows, 0)
                outputs, state = _run_direction(step, projections, tuple(s[k] for s in initial),
                                                reverse=direction == 1)
                per_direction.append(cat(outputs, 0))
                for kept, s in zip(finals, state):
                    kept.append(s)
            whole = per_direction[0] if len(per_direction) == 1 else cat(per_direction, 1)
        return whole, [stack(kept, 0) for kept in finals]

    def _forward(self, input, hx=None):
        """RNN, LSTM and GRU's forward (RNNBase itself has none, as torch's).

        input (T, B, input_size) ((B, T, ...) with batch_first), (T, input_size) unbatched, or a PackedSequence;
        hx the initial state(s), zeros when None. Returns (output, h_n) ((output, (h_n, c_n)) for LSTM)."""
        lstm = self.mode == "LSTM"
        packed = isinstance(input, PackedSequence)
        layers = self.num_layers * self._num_directions
        sizes = self._state_sizes()
        states = None if hx is None else (list(hx) if lstm else [hx])
        if packed:
            data, batch_sizes, sorted_indices, unsorted_indices = input
            batch = int(batch_sizes[0])
            self._check_dtype(data)
            self._check_features(data)
            if states is not None and sorted_indices is not None:
                states = [s.index_select(1, sorted_indices) for s in states]
            whole, step_rows = data, [int(b) for b in np.asarray(batch_sizes)]
        else:
            if input.ndim not in (2, 3):
                raise ValueError(f"{self._get_name()}: Expected input to be 2D or 3D, got {input.ndim}D instead")
            batched = input.ndim == 3
            if states is not None:
                wanted = 3 if batched else 2
                if any(s.ndim != wanted for s in states):
                    kind = "batched 3-D" if batched else "unbatched 2-D"
                    if lstm:
                        got = ", ".join(f"{s.ndim}-D" for s in states)
                        raise RuntimeError(f"For {kind} input, hx and cx should also be {wanted}-D but got ({got}) "
                                           "tensors")
                    raise RuntimeError(f"For {kind} input, hx should also be {wanted}-D but got {states[0].ndim}-D "
                                       "tensor")
            if not batched:
                input = input.unsqueeze(0 if self.batch_first else 1)
                states = None if states is None else [s.unsqueeze(1) for s in states]
            self._check_dtype(input)
            self._check_features(input)
            if self.batch_first:
                input = input.transpose(0, 1)
            if input.shape[0] == 0:
                raise RuntimeError("Expected sequence length to be larger than 0 in RNN")
            steps, batch = input.shape[0], input.shape[1]
            whole, step_rows = input.reshape(steps * batch, input.shape[2]), [batch] * steps
        if states is None:
            dtype = whole.dtype
            states = [Tensor(np.zeros((layers, batch, size), dtype)) for size in sizes]
        else:
            for k, (s, size) in enumerate(zip(states, sizes)):
                expected = (layers, batch, size)
                if tuple(s.shape) != expected:
                    what = f"hidden[{k}] size" if lstm else "hidden size"
                    raise RuntimeError(f"Expected {what} {expected}, got {list(s.shape)}")
        outputs, finals = self._run(whole, step_rows, states)
        if packed:
            if unsorted_indices is not None:
                finals = [f.index_select(1, unsorted_indices) for f in finals]
            output = PackedSequence(outputs, batch_sizes, sorted_indices, unsorted_indices)
        else:
            output = outputs.reshape(steps, batch, outputs.shape[1])
            if self.batch_first:
                output = output.transpose(0, 1)
            if not batched:
                output = output.squeeze(0 if self.batch_first else 1)
                finals = [f.squeeze(1) for f in finals]
        return output, (tuple(finals) if lstm else finals[0])

    def _check_dtype(self, input: Tensor) -> None:
        weight = self._flat_weights[0]
        if input.dtype != weight.dtype:
            raise ValueError(f"RNN input dtype (refgrad.{input.dtype}) does not match weight dtype "
                             f"(refgrad.{weight.dtype}). Convert input: input.to(refgrad.{weight.dtype}), or convert "
                             f"model: model.to(refgrad.{input.dtype})")

    def _check_features(self, input: Tensor) -> None:
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got "
                               f"{input.shape[-1]}")


def _run_direction(step, steps, state: tuple, reverse: bool) -> tuple[list, tuple]:
    """One layer in one direction: ``step`` over the per-step inputs (in reverse time order when ``reverse``).
    When a step's batch is smaller than the state's (a packed sequence whose shortest sequences have ended), only
    its first rows advance and the others keep their state: forwards they are final, backwards (where sequences
    start at their own ends) they are still the initial state when their first step comes."""
    outputs = [None] * len(steps)
    order = range(len(steps) - 1, -1, -1) if reverse else range(len(steps))
    rows = state[0].shape[0]
    for t in order:
        x = steps[t]
        active = x.shape[0]
        if active == rows:
            outputs[t], state = step(x, state)
        else:
            out, new = step(x, tuple(s.narrow(0, 0, active) for s in state))
            outputs[t] = out
            state = tuple(cat([n, s.narrow(0, active, rows - active)], 0) for n, s in zip(new, state))
    return outputs, state


class RNN(RNNBase):
    """torch.nn.RNN(input_size, hidden_size, num_layers=1, nonlinearity='tanh', bias=True, batch_first=False,
    dropout=0.0, bidirectional=False, device=None, dtype=None): h_t = act(x_t W_ihᵀ + b_ih + h_{t-1} W_hhᵀ + b_hh),
    act tanh or relu."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 device=None, dtype=None, proj_size: int = 0):
        if nonlinearity not in _NONLINEARITIES:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        self.nonlinearity = nonlinearity
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, proj_size, device, dtype)

    forward = RNNBase._forward


class LSTM(RNNBase):
    """torch.nn.LSTM(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, proj_size=0, device=None, dtype=None); forward(input, (h_0, c_0)) returns
    (output, (h_n, c_n)). With proj_size > 0, h is projected by weight_hr_l{k} (proj_size, hidden_size)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, proj_size: int = 0,
                 device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)

    forward = RNNBase._forward


class GRU(RNNBase):
    """torch.nn.GRU(input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
    bidirectional=False, device=None, dtype=None)."""

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, device=None,
                 dtype=None, proj_size: int = 0):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)

    forward = RNNBase._forward


# ---- the cells ----------------------------------------------------------------------------------------------
class RNNCellBase(Module):
    """torch.nn.RNNCellBase(input_size, hidden_size, bias, num_chunks, device=None, dtype=None): weight_ih
    (num_chunks·hidden, input), weight_hh (num_chunks·hidden, hidden), bias_ih, bias_hh, all drawn from
    U(-1/√hidden_size, 1/√hidden_size)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int, device=None, dtype=None):
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        self.weight_ih = new_parameter(num_chunks * hidden_size, input_size, device=device, dtype=dtype)
        self.weight_hh = new_parameter(num_chunks * hidden_size, hidden_size, device=device, dtype=dtype)
        if bias:
            self.bias_ih = new_parameter(num_chunks * hidden_size, device=device, dtype=dtype)
            self.bias_hh = new_parameter(num_chunks * hidden_size, device=device, dtype=dtype)
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init_uniform_by_size(self.parameters(), self.hidden_size)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s

    def _prepare(self, input, states: list, names: list[str]) -> tuple[Tensor, list, bool]:
        """torch's cell argument handling: input 1-D (unbatched) or 2-D, each state likewise (named as torch's
        message names them), a batch dim added to an unbatched call, zeros for absent states; then
        check_forward_input and check_forward_hidden."""
        cls = self._get_name()
        if input.ndim not in (1, 2):
            raise ValueError(f"{cls}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        for s, name in zip(states, names):
            if s is not None and s.ndim not in (1, 2):
                raise ValueError(f"{cls}: Expected {name} to be 1D or 2D, got {s.ndim}D instead")
        batched = input.ndim == 2
        if not batched:
            input = input.unsqueeze(0)
        batch = input.shape[0]
        states = [Tensor(np.zeros((batch, self.hidden_size), input.dtype)) if s is None
                  else (s if batched else s.unsqueeze(0)) for s in states]
        if input.shape[1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[1]} expected {self.input_size}")
        for k, s in enumerate(states):
            if s.shape[0] != batch:
                raise RuntimeError(f"Input batch size {batch} doesn't match hidden{k} batch size {s.shape[0]}")
            if s.shape[1] != self.hidden_size:
                raise RuntimeError(f"hidden{k} has inconsistent hidden_size: got {s.shape[1]}, expected "
                                   f"{self.hidden_size}")
        return input, states, batched


class RNNCell(RNNCellBase):
    """torch.nn.RNNCell(input_size, hidden_size, bias=True, nonlinearity='tanh', device=None, dtype=None):
    h' = act(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh). An unknown nonlinearity is refused at the call, as torch's."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        input, (h,), batched = self._prepare(input, [hx], ["hidden"])
        activation = _NONLINEARITIES.get(self.nonlinearity)
        if activation is None:
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        out = _rnn_step(input, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh, activation)
        return out if batched else out.squeeze(0)


class LSTMCell(RNNCellBase):
    """torch.nn.LSTMCell(input_size, hidden_size, bias=True, device=None, dtype=None); forward(input, (h, c))
    returns (h', c')."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input, hx=None):
        if hx is not None and not isinstance(hx, (tuple, list)):
            raise TypeError(f"lstm_cell(): argument 'hx' (position 2) must be tuple of Tensors, not "
                            f"{type(hx).__name__}")
        states = [None, None] if hx is None else list(hx)
        input, states, batched = self._prepare(input, states, ["hx[0]", "hx[1]"])
        h, c = _lstm_step(input, tuple(states), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h.squeeze(0), c.squeeze(0))


class GRUCell(RNNCellBase):
    """torch.nn.GRUCell(input_size, hidden_size, bias=True, device=None, dtype=None)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input, hx=None):
        input, (h,), batched = self._prepare(input, [hx], ["hidden"])
        out = _gru_step(input, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return out if batched else out.squeeze(0)
