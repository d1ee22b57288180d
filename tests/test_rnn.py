"""The recurrent modules and nn.utils.rnn beyond the oracle's module harness (oracle/specs/modules/rnn.py): the
initial weights' distribution (KS test against torch's samples), repr, parameter layout (all_weights, the flat
names), the dropout-between-layers warning, dropout in training (deterministic at p=1, and by structure at p=0.5),
and the packing utilities against torch (values, index tensors, gradients, errors)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.utils.rnn as TR
from test_init import SIGNIFICANCE, _ks_p_value

import refgrad
import refgrad.nn.functional as F
import refgrad.nn.utils.rnn as RR

CONFIGS = [  # (name, args, kwargs)
    ("RNN", (3, 64), {"num_layers": 2, "nonlinearity": "relu", "bias": False}),
    ("RNN", (3, 64), {"batch_first": True, "dropout": 0.25, "num_layers": 2}),
    ("LSTM", (3, 64), {"num_layers": 2, "bidirectional": True, "proj_size": 5}),
    ("LSTM", (3, 64), {"dropout": 0.5, "num_layers": 3}),
    ("GRU", (3, 64), {"bidirectional": True, "batch_first": True}),
    ("RNNCell", (3, 64), {"nonlinearity": "relu"}),
    ("RNNCell", (3, 64), {"bias": False}),
    ("LSTMCell", (3, 64), {}),
    ("GRUCell", (3, 64), {"bias": False}),
]


def _pair(name, args, kwargs):
    torch.manual_seed(0)
    refgrad.manual_seed(0)
    return getattr(refgrad.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)


def _array(t) -> np.ndarray:
    return t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t.detach()._data)


@pytest.mark.parametrize("name, args, kwargs", CONFIGS)
def test_initial_weights_are_drawn_as_torchs(name, args, kwargs):
    """Every parameter ~ U(-1/√hidden, 1/√hidden), as torch's reset_parameters: the pooled values pass a two-sample
    KS test against torch's and stay within the bound."""
    ours, theirs = _pair(name, args, kwargs)
    bound = 1 / math.sqrt(args[1])
    pooled = [np.concatenate([_array(p).ravel() for p in m.parameters()]) for m in (ours, theirs)]
    assert np.all(np.abs(pooled[0]) <= bound)
    assert _ks_p_value(*pooled) > SIGNIFICANCE
    assert _ks_p_value(pooled[0], np.random.default_rng(0).uniform(-bound / 2, bound / 2, 4000)) < SIGNIFICANCE


@pytest.mark.parametrize("name, args, kwargs", CONFIGS)
def test_repr_and_parameter_layout_as_torchs(name, args, kwargs):
    ours, theirs = _pair(name, args, kwargs)
    assert repr(ours) == repr(theirs)
    assert [(n, tuple(p.shape)) for n, p in ours.named_parameters()] == \
           [(n, tuple(p.shape)) for n, p in theirs.named_parameters()]
    if "Cell" not in name:
        assert ours._flat_weights_names == theirs._flat_weights_names
        assert ours._all_weights == theirs._all_weights
        assert [[tuple(p.shape) for p in ws] for ws in ours.all_weights] == \
               [[tuple(p.shape) for p in ws] for ws in theirs.all_weights]
        assert all(p is getattr(ours, n) for ws, names in zip(ours.all_weights, ours._all_weights)
                   for p, n in zip(ws, names))
        assert ours.flatten_parameters() is None


def test_dtype_and_device_factory_kwargs():
    lstm = refgrad.nn.LSTM(3, 4, proj_size=2, dtype=refgrad.float64, device="cpu")
    assert all(p.dtype == np.float64 for p in lstm.parameters())
    with pytest.raises(RuntimeError, match="only 'cpu'"):
        refgrad.nn.GRUCell(3, 4, device="cuda")


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_with_one_layer_warns_as_torch(name):
    with pytest.warns(UserWarning) as ours:
        getattr(refgrad.nn, name)(3, 4, dropout=0.3)
    with pytest.warns(UserWarning) as theirs:
        getattr(torch.nn, name)(3, 4, dropout=0.3)
    assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        getattr(refgrad.nn, name)(3, 4, num_layers=2, dropout=0.3)


def _loaded_pair(name, *args, dtype=torch.float64, **kwargs):
    torch.manual_seed(1)
    theirs = getattr(torch.nn, name)(*args, **kwargs).to(dtype)
    ours = getattr(refgrad.nn, name)(*args, **kwargs).to(np.float64 if dtype == torch.float64 else np.float32)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def _flat(out) -> list:
    return [x for o in out for x in _flat(o)] if isinstance(out, (tuple, list)) else [out]


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_one_in_training_equals_torchs(name):
    """p = 1 drops every input of the layers after the first, in both libraries: training is deterministic then, and
    outputs and gradients equal torch's."""
    ours, theirs = _loaded_pair(name, 3, 4, num_layers=3, dropout=1.0, bidirectional=True)
    x = np.random.default_rng(2).standard_normal((4, 2, 3))
    xo, xt = refgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_o, out_t = _flat(ours(xo)), _flat(theirs(xt))
    for a, b in zip(out_o, out_t):
        np.testing.assert_allclose(_array(a), _array(b), rtol=1e-12, atol=1e-14)
    sum(o.sum() for o in out_o).backward()
    sum(o.sum() for o in out_t).backward()
    np.testing.assert_allclose(_array(xo.grad), _array(xt.grad), rtol=1e-10, atol=1e-14)
    for (n, p), (_, q) in zip(ours.named_parameters(), theirs.named_parameters()):
        np.testing.assert_allclose(_array(p.grad), _array(q.grad), rtol=1e-10, atol=1e-14, err_msg=n)


def test_dropout_in_training_drops_each_later_layers_inputs():
    """By structure: a 2-layer LSTM in training equals its first layer, F.dropout of that layer's output at each
    step (drawn from the same seed), then its second layer; in eval mode nothing is dropped."""
    p = 0.5
    model = refgrad.nn.LSTM(3, 6, num_layers=2, dropout=p).double()
    first, second = refgrad.nn.LSTM(3, 6).double(), refgrad.nn.LSTM(6, 6).double()
    state = model.state_dict()
    first.load_state_dict({k: v for k, v in state.items() if k.endswith("_l0")})
    second.load_state_dict({k.replace("_l1", "_l0"): v for k, v in state.items() if k.endswith("_l1")})
    x = refgrad.tensor(np.random.default_rng(3).standard_normal((5, 4, 3)))
    refgrad.manual_seed(7)
    out, (h, c) = model(x)
    hidden, (h0, c0) = first(x)
    refgrad.manual_seed(7)
    dropped = refgrad.stack([F.dropout(hidden[t], p, True) for t in range(5)])
    kept = _array(dropped) != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_array_equal(_array(dropped)[kept], _array(hidden)[kept] / (1 - p))
    expected, (h1, c1) = second(dropped)
    np.testing.assert_allclose(_array(out), _array(expected), rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(_array(h), np.stack([_array(h0)[0], _array(h1)[0]]), rtol=1e-13, atol=1e-15)
    model.eval()
    no_drop, _ = model(x)
    np.testing.assert_allclose(_array(no_drop), _array(second(hidden)[0]), rtol=1e-13, atol=1e-15)


# ---- nn.utils.rnn ----------------------------------------------------------------------------------------------
SEQUENCES = [(3, 2), (1, 2), (2, 2), (3, 2)]  # lengths with a tie, trailing dim 2


def _sequences(rng, shapes=SEQUENCES, dtype=np.float64):
    arrays = [rng.standard_normal(s).astype(dtype) for s in shapes]
    return ([refgrad.tensor(a, requires_grad=True) for a in arrays],
            [torch.tensor(a, requires_grad=True) for a in arrays])


def _same_packed(ours, theirs):
    assert type(ours).__name__ == "PackedSequence" and ours._fields == theirs._fields
    for a, b in zip(ours, theirs):
        if b is None:
            assert a is None
        else:
            assert a.dtype == _array(b).dtype
            np.testing.assert_array_equal(_array(a), _array(b))


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_pack_and_pad_as_torch(batch_first, enforce_sorted):
    rng = np.random.default_rng(4)
    shapes = sorted(SEQUENCES, reverse=True) if enforce_sorted else SEQUENCES
    ours, theirs = _sequences(rng, shapes)
    lengths = [s[0] for s in shapes]
    pad_o = RR.pad_sequence(ours, batch_first=batch_first)
    pad_t = TR.pad_sequence(theirs, batch_first=batch_first)
    np.testing.assert_array_equal(_array(pad_o), _array(pad_t))
    packed_o = RR.pack_padded_sequence(pad_o, refgrad.tensor(lengths), batch_first, enforce_sorted)
    packed_t = TR.pack_padded_sequence(pad_t, torch.tensor(lengths), batch_first, enforce_sorted)
    _same_packed(packed_o, packed_t)
    _same_packed(RR.pack_sequence(ours, enforce_sorted), TR.pack_sequence(theirs, enforce_sorted))
    for total in (None, 5):
        out_o, len_o = RR.pad_packed_sequence(packed_o, batch_first, padding_value=-2.5, total_length=total)
        out_t, len_t = TR.pad_packed_sequence(packed_t, batch_first, padding_value=-2.5, total_length=total)
        np.testing.assert_array_equal(_array(out_o), _array(out_t))
        assert len_o.dtype == np.int64 and _array(len_o).tolist() == len_t.tolist()
    weights = rng.standard_normal(out_t.shape)
    (out_o * refgrad.tensor(weights)).sum().backward()
    (out_t * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(_array(a.grad), _array(b.grad))
    for a, b in zip(RR.unpack_sequence(packed_o), TR.unpack_sequence(packed_t)):
        np.testing.assert_array_equal(_array(a), _array(b))
    for a, b in zip(RR.unpad_sequence(pad_o, refgrad.tensor(lengths), batch_first),
                    TR.unpad_sequence(pad_t, torch.tensor(lengths), batch_first)):
        np.testing.assert_array_equal(_array(a), _array(b))


@pytest.mark.parametrize("padding_side", ["left", "right"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_pad_sequence_as_torch(padding_side, batch_first):
    rng = np.random.default_rng(5)
    ours, theirs = _sequences(rng, [(2, 3, 2), (4, 3, 2), (1, 3, 2)])
    out_o = RR.pad_sequence(ours, batch_first, 0.5, padding_side)
    out_t = TR.pad_sequence(theirs, batch_first, 0.5, padding_side)
    np.testing.assert_array_equal(_array(out_o), _array(out_t))
    weights = rng.standard_normal(out_t.shape)
    (out_o * refgrad.tensor(weights)).sum().backward()
    (out_t * torch.tensor(weights)).sum().backward()
    for a, b in zip(ours, theirs):
        np.testing.assert_array_equal(_array(a.grad), _array(b.grad))
    rows = rng.standard_normal((3, 2))  # a tensor is the sequence of its rows
    np.testing.assert_array_equal(_array(RR.pad_sequence(refgrad.tensor(rows))), TR.pad_sequence(torch.tensor(rows)))


def test_packed_sequence_as_torchs():
    data = np.arange(6.0).reshape(3, 2)
    ours = RR.PackedSequence(refgrad.tensor(data), refgrad.tensor([2, 1]), refgrad.tensor([1, 0]))
    theirs = TR.PackedSequence(torch.tensor(data), torch.tensor([2, 1]), torch.tensor([1, 0]))
    _same_packed(ours, theirs)
    assert ours.float().data.dtype == np.float32 and ours.to(refgrad.float32).data.dtype == np.float32
    assert ours.double().data.dtype == np.float64
    assert ours.is_cuda is False and ours.cpu() is ours
    _same_packed(RR.PackedSequence(refgrad.tensor(data), refgrad.tensor([2, 1])),
                 TR.PackedSequence(torch.tensor(data), torch.tensor([2, 1])))


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_packed_input_returns_a_packed_output_as_torch(name):
    """The output is a PackedSequence with the input's batch_sizes and indices; its data and the final states (in
    the original batch order) equal torch's."""
    ours, theirs = _loaded_pair(name, 2, 3, num_layers=2, bidirectional=True)
    rng = np.random.default_rng(6)
    seq_o, seq_t = _sequences(rng)
    out_o, h_o = ours(RR.pack_sequence(seq_o, enforce_sorted=False))
    out_t, h_t = theirs(TR.pack_sequence(seq_t, enforce_sorted=False))
    assert isinstance(out_o, RR.PackedSequence)
    for a, b in zip(out_o[1:], out_t[1:]):
        np.testing.assert_array_equal(_array(a), _array(b))
    for a, b in zip([out_o.data, *_flat(h_o)], [out_t.data, *_flat(h_t)]):
        np.testing.assert_allclose(_array(a), _array(b), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("call, exception, match", [
    (lambda R, T: R.pack_padded_sequence(T.zeros(3, 3, 2), [3, 1, 2]), RuntimeError, "sorted in decreasing order"),
    (lambda R, T: R.pack_padded_sequence(T.zeros(3, 3, 2), [3, 2, 0]), RuntimeError, "has to be greater than 0"),
    (lambda R, T: R.pack_padded_sequence(T.zeros(3, 3, 2), [3, 2]), RuntimeError,
     "Expected `len\\(lengths\\)` to be equal to batch_size, but got 2 \\(batch_size=3\\)"),
    (lambda R, T: R.pack_padded_sequence(T.zeros(3, 3, 2), T.tensor([[3, 2, 1]])), RuntimeError,
     "'lengths' argument should be a 1D CPU int64 tensor, but got 2D cpu Long tensor"),
    (lambda R, T: R.pack_padded_sequence(T.zeros(3, 0, 2), []), RuntimeError, "Cannot pack empty tensors."),
    (lambda R, T: R.pad_packed_sequence(R.pack_sequence([T.zeros(3, 1)]), total_length=2), ValueError,
     "total_length=2 and max sequence length being 3"),
    (lambda R, T: R.pad_sequence([T.zeros(2)], padding_side="middle"), RuntimeError,
     "Expected padding_side to be one of left or right, but got middle."),
    (lambda R, T: R.pad_sequence([]), RuntimeError, "received an empty list of sequences"),
    (lambda R, T: R.pack_sequence([]), RuntimeError, "received an empty list of sequences"),
])
def test_packing_errors_as_torch(call, exception, match):
    with pytest.raises(exception, match=match):
        call(TR, torch)
    with pytest.raises(exception, match=match):
        call(RR, refgrad)


def test_refusals_where_torch_reads_past_its_input():
    """Deliberate differences: a length beyond the padded length (torch packs whatever lies past the input) and
    sequences whose trailing shapes differ are refused with messages naming them."""
    with pytest.raises(RuntimeError, match="exceed the padded length 3"):
        RR.pack_padded_sequence(refgrad.zeros(3, 2, 2), [4, 1])
    with pytest.raises(RuntimeError, match="trailing shape"):
        RR.pad_sequence([refgrad.zeros(2, 2), refgrad.zeros(2, 3)])


# ---- the LSTM cell's update as one primitive (_LSTMCell) ---------------------------------------------------------
def _lstm_cell_as_ops(gates, c):
    """The update as the nine refgrad ops it replaced (one sigmoid over the four gates)."""
    size = c.shape[-1]
    squashed = F.sigmoid(gates)
    i, f, o = (squashed.narrow(-1, k * size, size) for k in (0, 1, 3))
    c_next = f * c + i * F.tanh(gates.narrow(-1, 2 * size, size))
    return o * F.tanh(c_next), c_next


def _cell_data(dtype, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) * 2 for s in ((5, 12), (5, 3), (5, 3), (5, 3))]  # z, c, g_h, g_c


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_lstm_cell_primitive_gives_the_ops_values_and_first_order_gradients_to_the_bit(dtype):
    from refgrad.nn.modules.rnn import _LSTMCell

    z, c, g_h, g_c = _cell_data(dtype)
    results = []
    for cell in (lambda z, c: tuple(_LSTMCell.apply(z, c).unbind(0)), _lstm_cell_as_ops):
        zt, ct = refgrad.tensor(z, requires_grad=True), refgrad.tensor(c, requires_grad=True)
        h, c_next = cell(zt, ct)
        ((h * refgrad.tensor(g_h)).sum() + (c_next * refgrad.tensor(g_c)).sum()).backward()
        results.append([_array(t) for t in (h, c_next, zt.grad, ct.grad)])
    for fused, ops in zip(*results):
        np.testing.assert_array_equal(fused, ops)


def test_lstm_cell_primitive_vjp_in_numpy_equals_the_recorded_one_and_its_jvp_matches_torch():
    from refgrad.nn.modules.rnn import _LSTMCell

    z, c, g_h, g_c = _cell_data(np.float64)
    zt, ct = refgrad.tensor(z, requires_grad=True), refgrad.tensor(c, requires_grad=True)
    cotangent = refgrad.tensor(np.stack([g_h, g_c]))
    first = refgrad.autograd.grad(_LSTMCell.apply(zt, ct), (zt, ct), cotangent)
    recorded = refgrad.autograd.grad(_LSTMCell.apply(zt, ct), (zt, ct), cotangent, create_graph=True)
    assert all(r.requires_grad for r in recorded)  # a graph: differentiable again
    for a, b in zip(first, recorded):
        np.testing.assert_array_equal(_array(a), _array(b))
    dz, dc = _cell_data(np.float64, seed=1)[:2]
    _, tangent = refgrad.func.jvp(lambda z, c: _LSTMCell.apply(z, c), (refgrad.tensor(z), refgrad.tensor(c)),
                                  (refgrad.tensor(dz), refgrad.tensor(dc)))

    def torch_cell(z, c):
        size = c.shape[-1]
        s = torch.sigmoid(z)
        c_next = s[:, size:2 * size] * c + s[:, :size] * torch.tanh(z[:, 2 * size:3 * size])
        return torch.stack([s[:, 3 * size:] * torch.tanh(c_next), c_next])

    _, want = torch.func.jvp(torch_cell, (torch.tensor(z), torch.tensor(c)), (torch.tensor(dz), torch.tensor(dc)))
    np.testing.assert_allclose(_array(tangent), want.numpy(), rtol=1e-13, atol=1e-15)
