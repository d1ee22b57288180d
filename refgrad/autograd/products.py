"""Products: a weight's gradient Σᵢ aᵢ bᵢ from the matmuls that share it, left unbuilt as they arrive, then taken a
few at a time as one product.

A weight that T matmuls use (a recurrent layer's W_hh at each of T steps) gets T gradients h_tᵀ g_t: T products
whose inner dimension is the batch, each added into the sum so far, so T small GEMMs at a fraction of the BLAS's
speed and T passes over a weight-sized array. Where backward records no graph, Matmul's
vjp returns its second operand's gradient as a Products of one pair; the engine joins the pairs as they arrive and,
when it reaches the weight, multiplies them as one product over the joined inner dimension, [a₁ … a_T] [b₁; …; b_T]
(the LSTM language model's two recurrent weights, 35 steps of batch 32, float64: 27.8 → 14.3 ms in NumPy). A
hand-written backward through time forms it so. One pair is the product the vjp made before, to the bit; several
are the same sum rounded in the BLAS's order over all T·K terms rather than after each product.

The products join where they reach one vertex: the weight itself, or one view of it made once (the RNN modules
transpose W_hh once per call). A transpose passes them on unbuilt, transposed ((Σ aᵢbᵢ)ᵀ = Σ bᵢᵀaᵢᵀ: Permute's
``vjp_products``), so a weight that the user's code transposes at each call (``h @ w.T``) gets its products joined
too. F.linear's op gives its weight (out, in) the products gᵀx in that layout itself, as torch's mm_mat2_backward
forms them for a transposed operand, so an nn.Linear called at every step of a loop gets one product, and its .grad
is that product's array. A view with hooks, a retained gradient or an autograd.grad input gets them dense, as any
vertex does.

The unbuilt terms hold memory: each pair's cotangent, which backward would otherwise free once the vjp returned,
and the two concatenations, copies of every pair. So once the joined terms hold more values than the sum itself
(m·n), they are multiplied out into ``built``, a running sum, and a weight's gradient holds at most about twice its
own size beside it, as a hand-written backward's running sum and its temporary do. That is a GEMM over every few
steps rather than one over all of them (the RNN loop of two nn.Linear layers, batch 32, 256 hidden units: 160 and 96
of the 1,120 rows at a time), where the BLAS is near its speed already (timed against one product, paired:
0.98–1.06× for that loop, 0.99–1.07× for the LSTM language model), and its backward peaks at 4.8 MB rather than 9.8
(the NumPy step's: 3.8). A product per pair as it arrives, as torch's engine adds them, peaked at 3.9 MB and took
1.08–1.11× the time. A sum that fits in one product is still one product, rounded as before.

As a Placed, a Products only exists inside a first-order backward (a recorded vjp makes the product op), and the
engine never lets one out: hooks, .grad and the next vjp get a dense Tensor.
"""
from __future__ import annotations

import numpy as np

from .._quiet import quiet
from ..tensor import Tensor


class Products:
    """Σᵢ lefts[i] @ rights[i] over (m, kᵢ) @ (kᵢ, n) matrices of one dtype, plus ``built``: the terms already
    multiplied out (None until the unbuilt ones outgrow the sum itself, see ``join``)."""

    __slots__ = ("lefts", "rights", "shape", "dtype", "built", "held")
    is_sparse = False

    def __init__(self, left: np.ndarray, right: np.ndarray):
        self.lefts, self.rights = [left], [right]
        self.shape, self.dtype = (left.shape[0], right.shape[1]), left.dtype
        self.built, self.held = None, left.size + right.size

    def join(self, other: Products) -> None:
        """Adds other's terms to this sum; once the unbuilt terms hold more values than the sum itself, multiplies
        them out into ``built`` (see the module's docstring)."""
        self.lefts += other.lefts
        self.rights += other.rights
        self.held += other.held
        if other.built is not None:
            self._add(other.built)
        if self.held > self.shape[0] * self.shape[1]:
            self._add(_sum_of_products(self.lefts, self.rights))
            self.lefts, self.rights, self.held = [], [], 0

    def _add(self, product: np.ndarray) -> None:
        if self.built is None:
            self.built = product
        else:
            _add_into(self.built, product)

    def transposed(self) -> Products:
        """(Σ aᵢ bᵢ)ᵀ = Σ bᵢᵀ aᵢᵀ, unbuilt: views of the same terms."""
        flipped = Products.__new__(Products)
        flipped.lefts, flipped.rights = [b.T for b in self.rights], [a.T for a in self.lefts]
        flipped.shape, flipped.dtype = self.shape[::-1], self.dtype
        flipped.built, flipped.held = (None if self.built is None else self.built.T), self.held
        return flipped

    def dense(self) -> Tensor:
        if not self.lefts:
            return Tensor._over(self.built)
        product = _sum_of_products(self.lefts, self.rights)  # a fresh array in the sum's layout, which .grad takes
        if self.built is not None:
            _add_into(product, self.built)
        return Tensor._over(product)


@quiet  # inf and nan are values, as in Matmul's forward
def _sum_of_products(lefts: list, rights: list) -> np.ndarray:
    if len(lefts) == 1:
        return np.matmul(lefts[0], rights[0])
    return np.matmul(np.concatenate(lefts, axis=1), np.concatenate(rights, axis=0))


@quiet  # inf + -inf is nan, silently
def _add_into(total: np.ndarray, more: np.ndarray) -> None:
    np.add(total, more, out=total)
