"""The sliding-window primitive behind conv, unfold/fold and pooling: windows against torch's unfold, and
overlap_add as its adjoint (<windows(x), g> = <x, overlap_add(g)>), on 1-D and 2-D, strided and dilated; and the
memory layout of the convolution built on them."""
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


@pytest.mark.parametrize("groups", [1, 2])
def test_conv2d_output_and_input_gradient_are_laid_out_as_torchs(groups):
    """conv2d's output comes out C-contiguous, (N, O, H, W) in memory as torch's, and the input's gradient too, so
    what a user does with them next (a cotangent, a residual add) meets no strided operand."""
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((3, 4, 6, 5)), rng.standard_normal((6, 4 // groups, 3, 3))
    strides = []
    for lib in (torch, refgrad):
        xt = lib.tensor(x, requires_grad=True)
        out = lib.nn.functional.conv2d(xt, lib.tensor(w), lib.tensor(np.ones(6)), padding=1, groups=groups)
        out.sum().backward()
        strides.append([tuple(s // 8 for s in t.numpy().strides) if lib is refgrad else t.stride()
                        for t in (out.detach(), xt.grad)])
    assert strides[1] == strides[0]
