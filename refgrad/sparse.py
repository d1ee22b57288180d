"""Sparse row gradients: what ``embedding(..., sparse=True)`` and ``embedding_bag(..., sparse=True)`` give their
weight, as torch's sparse COO tensor with one sparse dim (``sparse_dim() == 1``): the rows ``_indices()[0]`` of a
``shape``-shaped tensor hold ``_values()`` (duplicates allowed until ``coalesce()`` sums them, in sorted order).

    g = weight.grad                   # SparseRowTensor: g.is_sparse, g.shape, g.dtype
    g = g.coalesce()                  # unique sorted rows, duplicates summed
    g._indices(), g._values()         # int64 (1, nnz), (nnz, *shape[1:]) Tensors; indices()/values() need coalesced
    g.to_dense()                      # the dense Tensor

It is a gradient, not a tensor of the graph: it never requires grad, and an op that receives one as its cotangent
gets it densified (the engine asks ``is_sparse``; torch's own ops take a sparse cotangent only where they have a
sparse kernel). Adding two sums them (coalesced, as torch's accumulation leaves them); adding a dense tensor gives a
dense one. Only the arithmetic an optimizer needs is here; NumPy only.
"""
from __future__ import annotations

import numpy as np

from ._scatter import add_rows
from .tensor import Tensor


class SparseRowTensor:
    """torch's sparse COO tensor with sparse_dim 1 (see the module docstring)."""

    is_sparse = True
    layout = "sparse_coo"
    requires_grad = False
    grad_fn = None
    grad = None
    device = "cpu"

    def __init__(self, rows: np.ndarray, values: np.ndarray, shape: tuple, coalesced: bool = False):
        self._rows = np.asarray(rows, np.int64).reshape(-1)
        self._vals = np.asarray(values)
        self._shape = tuple(shape)
        self._coalesced = coalesced
        if self._vals.shape != (self._rows.size, *self._shape[1:]):
            raise RuntimeError(f"sparse row tensor: values of shape {list(self._vals.shape)} do not fit "
                               f"{self._rows.size} rows of a tensor of shape {list(self._shape)}")

    # ---- metadata ---------------------------------------------------------------------------------------------
    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def dtype(self) -> np.dtype:
        return self._vals.dtype

    @property
    def ndim(self) -> int:
        return len(self._shape)

    def dim(self) -> int:
        return len(self._shape)

    def size(self, dim: int | None = None):
        return self._shape if dim is None else self._shape[dim]

    def sparse_dim(self) -> int:
        return 1

    def dense_dim(self) -> int:
        return len(self._shape) - 1

    def _nnz(self) -> int:
        return self._rows.size

    def is_coalesced(self) -> bool:
        return self._coalesced

    # ---- the COO parts ----------------------------------------------------------------------------------------
    def _indices(self) -> Tensor:
        """The row indices as torch's (1, nnz) int64 tensor, coalesced or not."""
        return Tensor(self._rows.reshape(1, -1))

    def _values(self) -> Tensor:
        return Tensor(self._vals)

    def indices(self) -> Tensor:
        if not self._coalesced:
            raise RuntimeError("Cannot get indices on an uncoalesced tensor, please call .coalesce() first")
        return self._indices()

    def values(self) -> Tensor:
        if not self._coalesced:
            raise RuntimeError("Cannot get values on an uncoalesced tensor, please call .coalesce() first")
        return self._values()

    def coalesce(self) -> SparseRowTensor:
        """Unique rows in ascending order, the values of repeated rows summed (itself when already coalesced)."""
        if self._coalesced:
            return self
        order = np.argsort(self._rows, kind="stable")
        rows = self._rows[order]
        starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]]) if rows.size else np.zeros(0, np.int64)
        values = np.add.reduceat(self._vals[order], starts, axis=0) if rows.size else self._vals
        return SparseRowTensor(rows[starts], values, self._shape, coalesced=True)

    def to_dense(self) -> Tensor:
        dense = np.zeros(self._shape, self.dtype)
        add_rows(dense, self._rows, self._vals)
        return Tensor(dense)

    # ---- what a gradient needs ----------------------------------------------------------------------------------
    def clone(self) -> SparseRowTensor:
        return SparseRowTensor(self._rows.copy(), self._vals.copy(), self._shape, self._coalesced)

    def detach(self) -> SparseRowTensor:
        return self

    def zero_(self) -> SparseRowTensor:
        """No entries left (torch's sparse zero_)."""
        self._rows, self._vals = self._rows[:0], self._vals[:0]
        self._coalesced = True
        return self

    def __add__(self, other):
        """sparse + sparse: sparse, coalesced (as torch leaves an accumulated gradient); sparse + dense: dense."""
        if isinstance(other, SparseRowTensor):
            if other.shape != self.shape:
                raise RuntimeError(f"add: expected 'self' and 'other' to have same size, but self has size "
                                   f"{list(self.shape)} while other has size {list(other.shape)}")
            rows = np.concatenate([self._rows, other._rows])
            values = np.concatenate([self._vals, other._vals.astype(np.result_type(self._vals, other._vals))])
            return SparseRowTensor(rows, values, self._shape).coalesce()
        return other + self.to_dense() if isinstance(other, Tensor) else NotImplemented

    __radd__ = __add__

    def __mul__(self, other):
        """sparse times a number: the values scaled."""
        if isinstance(other, (int, float, np.number)) and not isinstance(other, bool):
            return SparseRowTensor(self._rows, self._vals * self.dtype.type(other), self._shape, self._coalesced)
        return NotImplemented

    __rmul__ = __mul__

    def __neg__(self) -> SparseRowTensor:
        return SparseRowTensor(self._rows, -self._vals, self._shape, self._coalesced)

    def __repr__(self):
        return (f"tensor(indices={self._rows.reshape(1, -1).tolist()}, values={self._vals.tolist()}, "
                f"size={self._shape}, nnz={self._rows.size}, layout=refgrad.sparse_coo)")
