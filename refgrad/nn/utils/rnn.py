"""refgrad.nn.utils.rnn: mirrors torch.nn.utils.rnn (PackedSequence, pack_padded_sequence, pad_packed_sequence,
pad_sequence, pack_sequence, unpack_sequence, unpad_sequence).

A PackedSequence holds sequences of different lengths without padding: ``data`` is time-major, the ``batch_sizes[t]``
sequences still running at step t one after the other (sequences sorted by decreasing length, ``sorted_indices``
the order they were sorted into, ``unsorted_indices`` its inverse). Packing and padding move rows by one
``index_select`` each (differentiable; a padding position reads an extra row holding padding_value), never by a
loop over the batch.
"""
from __future__ import annotations

from collections import namedtuple

import numpy as np

from ... import dtypes
from ...ops.shape import cat
from ...tensor import Tensor

__all__ = ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pad_sequence", "pack_sequence",
           "unpack_sequence", "unpad_sequence", "invert_permutation"]


def _int64(values) -> Tensor:
    return Tensor(np.asarray(values, dtype=np.int64))


def _as_index_array(values) -> np.ndarray:
    return np.asarray(values._data if isinstance(values, Tensor) else values).astype(np.int64, copy=False)


def invert_permutation(permutation):
    """torch.nn.utils.rnn.invert_permutation: the inverse of a permutation (None stays None)."""
    if permutation is None:
        return None
    order = _as_index_array(permutation)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size, dtype=np.int64)
    return _int64(inverse)


class PackedSequence(namedtuple("PackedSequence_", ["data", "batch_sizes", "sorted_indices", "unsorted_indices"])):
    """torch.nn.utils.rnn.PackedSequence(data, batch_sizes=None, sorted_indices=None, unsorted_indices=None): a
    namedtuple of tensors (batch_sizes and the indices int64); unsorted_indices defaults to the inverse of
    sorted_indices. Made by pack_padded_sequence / pack_sequence, taken and returned by RNN, LSTM and GRU."""

    def __new__(cls, data, batch_sizes=None, sorted_indices=None, unsorted_indices=None):
        if unsorted_indices is None:
            unsorted_indices = invert_permutation(sorted_indices)
        if batch_sizes is None:
            raise TypeError("PackedSequence: batch_sizes must be given (refgrad has no packed data without them)")
        return super().__new__(cls, data, _int64(_as_index_array(batch_sizes)),
                               None if sorted_indices is None else _int64(_as_index_array(sorted_indices)),
                               None if unsorted_indices is None else _int64(_as_index_array(unsorted_indices)))

    def to(self, *args, **kwargs) -> PackedSequence:
        """The same sequence with ``data.to(*args, **kwargs)`` (batch_sizes and indices unchanged)."""
        data = self.data.to(*args, **kwargs)
        return self if data is self.data else type(self)(data, self.batch_sizes, self.sorted_indices,
                                                         self.unsorted_indices)

    def double(self) -> PackedSequence:
        return self.to(dtypes.float64)

    def float(self) -> PackedSequence:
        return self.to(dtypes.float32)

    def half(self) -> PackedSequence:
        return self.to(dtypes.float16)

    def cpu(self) -> PackedSequence:
        return self

    @property
    def is_cuda(self) -> bool:
        return False

    def is_pinned(self) -> bool:
        return False


def _lengths_array(lengths) -> np.ndarray:
    if isinstance(lengths, Tensor):
        if lengths.ndim != 1:
            raise RuntimeError(f"'lengths' argument should be a 1D CPU int64 tensor, but got {lengths.ndim}D cpu "
                               f"{dtypes.scalar_type_name(lengths.dtype)} tensor")
        return np.asarray(lengths._data).astype(np.int64)
    return np.asarray(lengths, dtype=np.int64).reshape(-1)


def pack_padded_sequence(input, lengths, batch_first: bool = False, enforce_sorted: bool = True) -> PackedSequence:
    """torch.nn.utils.rnn.pack_padded_sequence: input (T, B, *) ((B, T, *) with batch_first) holding B sequences
    of the given lengths, packed. enforce_sorted=True requires lengths in decreasing order; else the batch is
    sorted (stably, as torch.sort on the CPU) and sorted_indices records how.

    Deliberate difference: a length beyond the padded length T is refused (torch reads past the input there)."""
    lengths = _lengths_array(lengths)
    if enforce_sorted:
        if np.any(lengths[:-1] < lengths[1:]):
            raise RuntimeError("`lengths` array must be sorted in decreasing order when `enforce_sorted` is True. "
                               "You can pass `enforce_sorted=False` to pack_padded_sequence and/or pack_sequence to "
                               "sidestep this requirement if you do not need ONNX exportability.")
        sorted_indices = None
    else:
        sorted_indices = np.argsort(-lengths, kind="stable")
        lengths = lengths[sorted_indices]
    if input.ndim < 2:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(input.ndim, 1)}, "
                         f"{max(input.ndim, 1) - 1}], but got 1)")
    batch_dim = 0 if batch_first else 1
    if sorted_indices is not None:
        input = input.index_select(batch_dim, _int64(sorted_indices))
    if batch_first:
        input = input.transpose(0, 1)
    steps, batch = input.shape[0], input.shape[1]
    if batch == 0:
        raise RuntimeError("Cannot pack empty tensors.")
    if lengths.size != batch:
        raise RuntimeError(f"Expected `len(lengths)` to be equal to batch_size, but got {lengths.size} "
                           f"(batch_size={batch})")
    if lengths.min() <= 0:
        raise RuntimeError("Length of all samples has to be greater than 0, but found an element in 'lengths' that "
                           "is <= 0")
    if lengths.max() > steps:
        raise RuntimeError(f"lengths {lengths.tolist()} exceed the padded length {steps} of the input")
    time, sequence = np.nonzero(np.arange(lengths[0])[:, None] < lengths[None, :])  # row-major: packed order
    data = input.reshape((steps * batch,) + tuple(input.shape[2:])).index_select(0, _int64(time * batch + sequence))
    batch_sizes = (lengths[None, :] > np.arange(lengths[0])[:, None]).sum(axis=1)
    return PackedSequence(data, batch_sizes, sorted_indices, None)


def pad_packed_sequence(sequence: PackedSequence, batch_first: bool = False, padding_value: float = 0.0,
                        total_length: int | None = None) -> tuple[Tensor, Tensor]:
    """torch.nn.utils.rnn.pad_packed_sequence: the inverse of pack_padded_sequence, (padded, lengths): padded
    (T, B, *) ((B, T, *) with batch_first), T = total_length or the longest length, in the original batch order;
    lengths an int64 tensor."""
    data, batch_sizes, _, unsorted_indices = sequence
    sizes = _as_index_array(batch_sizes)
    longest = sizes.size
    if total_length is not None:
        if total_length < longest:
            raise ValueError("Expected total_length to be at least the length of the longest sequence in input, but "
                             f"got total_length={total_length} and max sequence length being {longest}")
        steps = total_length
    else:
        steps = longest
    batch = int(sizes[0]) if sizes.size else 0
    lengths = (sizes[None, :] > np.arange(batch)[:, None]).sum(axis=1)  # per sorted sequence
    running = np.arange(steps)[:, None] < lengths[None, :]  # (T, B)
    where = np.full((steps, batch), data.shape[0], dtype=np.int64)  # padding reads the extra last row
    where[running] = np.arange(data.shape[0])
    padding = Tensor(np.full((1,) + tuple(data.shape[1:]), padding_value, dtype=data.dtype))
    padded = cat([data, padding], 0).index_select(0, _int64(where.reshape(-1)))
    padded = padded.reshape((steps, batch) + tuple(data.shape[1:]))
    if unsorted_indices is not None:
        padded = padded.index_select(1, unsorted_indices)
        lengths = lengths[_as_index_array(unsorted_indices)]
    if batch_first:
        padded = padded.transpose(0, 1)
    return padded, _int64(lengths)


def pad_sequence(sequences, batch_first: bool = False, padding_value: float = 0.0,
                 padding_side: str = "right") -> Tensor:
    """torch.nn.utils.rnn.pad_sequence: sequences (L_i, *) padded to the longest with padding_value, stacked to
    (L, B, *) ((B, L, *) with batch_first); padding_side 'left' puts the padding first. A tensor is taken as the
    sequence of its rows, as torch iterates it."""
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if isinstance(sequences, Tensor):
        sequences = sequences.unbind(0)
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    trailing = tuple(sequences[0].shape[1:])
    for s in sequences[1:]:
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError(f"pad_sequence: every sequence must have the trailing shape {list(trailing)} of the "
                               f"first, but one has {list(s.shape)}")
    lengths = np.array([s.shape[0] for s in sequences], dtype=np.int64)
    longest = int(lengths.max())
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    position = np.arange(longest)[None, :]  # (1, L): padded position
    offset = position if padding_side == "right" else position - (longest - lengths)[:, None]
    inside = (offset >= 0) & (offset < lengths[:, None])  # (B, L)
    rows = int(lengths.sum())
    where = np.where(inside, starts[:, None] + offset, rows)
    dtype = sequences[0].dtype
    padding = Tensor(np.full((1,) + trailing, padding_value, dtype=dtype))
    padded = cat([*sequences, padding], 0).index_select(0, _int64(where.reshape(-1)))
    padded = padded.reshape((len(sequences), longest) + trailing)
    return padded if batch_first else padded.transpose(0, 1)


def pack_sequence(sequences, enforce_sorted: bool = True) -> PackedSequence:
    """torch.nn.utils.rnn.pack_sequence: pack_padded_sequence(pad_sequence(sequences), their lengths)."""
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    lengths = [s.shape[0] for s in sequences]
    return pack_padded_sequence(pad_sequence(sequences), lengths, enforce_sorted=enforce_sorted)


def unpad_sequence(padded_sequences, lengths, batch_first: bool = False) -> list[Tensor]:
    """torch.nn.utils.rnn.unpad_sequence: the list of sequences, padded_sequences[:lengths[i], i] each."""
    if not batch_first:
        padded_sequences = padded_sequences.transpose(0, 1)
    lengths = _lengths_array(lengths)
    return [padded_sequences[i].narrow(0, 0, int(n)) for i, n in enumerate(lengths)]


def unpack_sequence(packed_sequences: PackedSequence) -> list[Tensor]:
    """torch.nn.utils.rnn.unpack_sequence: the list of sequences a PackedSequence holds, in their original order."""
    padded, lengths = pad_packed_sequence(packed_sequences, batch_first=True)
    return unpad_sequence(padded, lengths, batch_first=True)

