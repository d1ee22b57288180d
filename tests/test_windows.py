"""The sliding-window primitive behind conv, unfold/fold and pooling: windows against torch's unfold, and
overlap_add as its adjoint (<windows(x), g> = <x, overlap_add(g)>), on 1-D and 2-D, strided and dilated."""
import numpy as np
import pytest
import torch

import refgrad
from refgrad.nn.functional._windows import overlap_add, windows

CASES = [  # spatial size, kernel, stride, dilation
    ((7,), (3,), (1,), (1,)),
    ((9,), (2,), (3,), (2,)),
    ((5, 6), (3, 2), (1, 1), (1, 1)),
    ((8, 7), (3, 3), (2, 3), (2, 1)),
    ((4, 4), (4, 4), (1, 1), (1, 1)),
]


@pytest.mark.parametrize("size, kernel, stride, dilation", CASES)
def test_windows_match_torch_unfold(size, kernel, stride, dilation):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3) + size)
    got = windows(refgrad.tensor(x), kernel, stride, dilation).numpy()
    t = torch.from_numpy(x)
    for dim, (k, st, dl) in enumerate(zip(kernel, stride, dilation)):
        # torch's Tensor.unfold has no dilation: take every dl-th entry of a window of span dl·(k-1)+1
        t = t.unfold(2 + dim, dl * (k - 1) + 1, st)[..., ::dl]
    np.testing.assert_array_equal(got, t.numpy())  # each unfold appends its window dim: (N, C, *out, *kernel)


@pytest.mark.parametrize("size, kernel, stride, dilation", CASES)
def test_overlap_add_is_the_adjoint(size, kernel, stride, dilation):
    rng = np.random.default_rng(1)
    x = refgrad.tensor(rng.standard_normal((2, 3) + size), requires_grad=True)
    w = windows(x, kernel, stride, dilation)
    g = refgrad.tensor(rng.standard_normal(w.shape))
    back = overlap_add(g, size, kernel, stride, dilation)
    assert np.isclose(float((w * g).sum()), float((x * back).sum()), rtol=1e-12)
    (grad,) = refgrad.autograd.grad((w * g).sum(), x)
    np.testing.assert_array_equal(grad.numpy(), back.numpy())
