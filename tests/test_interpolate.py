"""interpolate and the Upsample modules where the oracle's specs do not reach: the sizes at which torch's nearest
backward is not the derivative of its forward (a torch bug, not copied: refgrad's gradient is the adjoint of the
forward both libraries compute), torch's antialiased forward to an output 1 wide (wrong; refgrad equals torch on
the transposed input), the 1/scale_factor source-index rule against recompute_scale_factor, float16, the
deprecation warnings, the modules' repr and attributes, and what is not implemented. Each compares against
torch called here."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import refgrad
import refgrad.nn.functional as F


def _forward_and_grad(lib_f, tensor, x: np.ndarray, g: np.ndarray, **kwargs):
    """(output, input gradient for the cotangent g) as ndarrays, in refgrad or torch."""
    t = tensor(x.copy())
    t.requires_grad_(True)
    y = lib_f.interpolate(t, **kwargs)
    y.backward(tensor(g.copy()))
    return y.detach().numpy(), t.grad.numpy()


def _both(x, g, **kwargs):
    return (_forward_and_grad(F, refgrad.tensor, x, g, **kwargs),
            _forward_and_grad(TF, torch.tensor, x, g, **kwargs))


def _matrix(spatial: tuple, **kwargs) -> np.ndarray:
    """torch's forward on one plane as a matrix (outputs x inputs): interpolate is linear, so its columns are the
    outputs of the unit inputs."""
    n = int(np.prod(spatial))
    units = torch.eye(n, dtype=torch.float64).reshape((n, 1) + tuple(spatial))
    return TF.interpolate(units, **kwargs).reshape(n, -1).T.numpy()


@pytest.mark.parametrize("shape, kwargs", [
    ((1, 2, 3), {"scale_factor": 1.2}),  # 3 -> 3: forward picks [0, 0, 1], torch's backward copies
    ((1, 1, 6), {"scale_factor": 2.1}),  # 6 -> 12: forward floor(j / 2.1), torch's backward j >> 1
    ((1, 1, 2, 3, 2), {"scale_factor": 2.1, "recompute_scale_factor": False}),
    ((1, 1, 3, 4), {"scale_factor": (1.2, 1.1), "mode": "bicubic"}),  # bicubic: when no side changes
    ((2, 1, 2, 5), {"scale_factor": (1.0, 1.1), "mode": "bicubic", "align_corners": False}),
    ((1, 2, 3, 5), {"scale_factor": (1.2, 0.5), "mode": "bilinear", "antialias": True}),  # H keeps its size
    ((1, 1, 4, 6), {"scale_factor": (1.1, 0.5), "mode": "bicubic", "antialias": True}),
])
def test_gradient_is_the_adjoint_of_the_forward_where_torch_backward_is_not(shape, kwargs):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    out_shape = tuple(TF.interpolate(torch.tensor(x), **kwargs).shape)
    g = rng.standard_normal(out_shape)
    (ours, our_grad), (theirs, their_grad) = _both(x, g, **kwargs)
    np.testing.assert_allclose(ours, theirs, rtol=1e-14, atol=1e-14)  # the forward is torch's
    per_plane = _matrix(shape[2:], **kwargs)  # (outputs, inputs) of one plane
    adjoint = np.einsum("pi,...p->...i", per_plane, g.reshape(shape[:2] + (-1,))).reshape(shape)
    np.testing.assert_allclose(our_grad, adjoint, rtol=1e-13, atol=1e-13)
    assert not np.allclose(their_grad, adjoint), "torch's backward now agrees with its forward here: draw these " \
                                                 "sizes in oracle/specs/vision.py again"


def test_torch_2d_nearest_keeps_the_legacy_rule_both_ways():
    """torch's 2-D nearest kernel copies where the output side equals the input's and halves the index where it is
    twice (whatever the scale): refgrad does the same there, and the gradient is then torch's too."""
    x = np.random.default_rng(4).standard_normal((2, 1, 3, 4))
    g = np.random.default_rng(5).standard_normal((2, 1, 3, 8))
    (ours, our_grad), (theirs, their_grad) = _both(x, g, scale_factor=(1.2, 2.2))
    np.testing.assert_array_equal(ours, theirs)
    np.testing.assert_array_equal(ours, x[..., np.arange(8) >> 1])
    np.testing.assert_allclose(our_grad, their_grad, rtol=1e-15, atol=0)


@pytest.mark.parametrize("mode", ["nearest", "nearest-exact", "linear"])
@pytest.mark.parametrize("scale", [1.7, 0.7])
def test_a_given_scale_maps_by_its_inverse_unless_recomputed(mode, scale):
    x = np.random.default_rng(1).standard_normal((1, 2, 7))
    g = np.random.default_rng(2).standard_normal((1, 2, int(7 * scale)))
    outputs = {}
    for recompute in (False, True):
        (ours, our_grad), (theirs, their_grad) = _both(x, g, scale_factor=scale, mode=mode,
                                                       recompute_scale_factor=recompute)
        np.testing.assert_allclose(ours, theirs, rtol=1e-14, atol=1e-14)
        np.testing.assert_allclose(our_grad, their_grad, rtol=1e-14, atol=1e-14)
        outputs[recompute] = ours
    assert not np.array_equal(outputs[False], outputs[True])  # the two rules differ at these scales


@pytest.mark.parametrize("mode", ["nearest", "bilinear", "bicubic"])
def test_float16_resamples_in_float32_as_torch(mode):
    x = np.random.default_rng(3).standard_normal((2, 2, 3, 5)).astype(np.float16)
    ours = F.interpolate(refgrad.tensor(x), size=(4, 7), mode=mode)
    theirs = TF.interpolate(torch.tensor(x), size=(4, 7), mode=mode)
    assert ours.dtype == np.float16
    np.testing.assert_allclose(ours.numpy().astype(np.float32), theirs.numpy().astype(np.float32), rtol=1e-3,
                               atol=1e-3)  # one float16 rounding of the same float32 sum


@pytest.mark.parametrize("name, kwargs", [("upsample", {"mode": "bilinear"}), ("upsample_nearest", {}),
                                          ("upsample_bilinear", {})])
def test_the_deprecated_forms_warn_as_torch(name, kwargs):
    x = np.ones((1, 1, 2, 2), np.float32)
    caught = {}
    for lib, tensor in ((F, refgrad.tensor), (TF, torch.tensor)):
        with warnings.catch_warnings(record=True) as record:
            warnings.simplefilter("always")
            getattr(lib, name)(tensor(x), size=3, **kwargs)
        caught[lib] = [(w.category, str(w.message)) for w in record]
    assert caught[F] == caught[TF] and caught[F]


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
@pytest.mark.parametrize("shape, size", [((2, 3, 5, 1), (2, 1)), ((1, 2, 6, 4), (9, 1)), ((1, 1, 7, 3), (3, 1))])
def test_antialias_to_width_1_is_torch_on_the_transposed_input(mode, shape, size):
    """torch's antialiased forward is wrong for an output 1 wide (5 rows of width 1 to 2 rows gives [1, 1] for
    [0, 1, 2, 3, 4]); the same call on the transposed input (1 high) is right, and refgrad equals it."""
    x = np.random.default_rng(6).uniform(-3, 3, shape)
    ours = F.interpolate(refgrad.tensor(x), size=size, mode=mode, antialias=True).numpy()
    transposed = TF.interpolate(torch.tensor(x).transpose(2, 3), size=size[::-1], mode=mode, antialias=True)
    np.testing.assert_allclose(ours, transposed.transpose(2, 3).numpy(), rtol=1e-13, atol=1e-13)


def test_lanczos_is_refused():
    with pytest.raises(NotImplementedError, match="lanczos"):
        F.interpolate(refgrad.ones(1, 1, 4, 4), size=2, mode="lanczos", antialias=True)


@pytest.mark.parametrize("name, args, kwargs", [
    ("Upsample", (), {"scale_factor": 2}),
    ("Upsample", (), {"scale_factor": (2, 1.5), "mode": "bilinear", "align_corners": True}),
    ("Upsample", ((3, 4),), {"mode": "bicubic", "recompute_scale_factor": None}),
    ("Upsample", (5,), {"mode": "nearest-exact"}),
    ("UpsamplingNearest2d", (None, 2), {}),
    ("UpsamplingBilinear2d", ((3, 3),), {}),
])
def test_upsample_modules_repr_and_attributes_as_torch(name, args, kwargs):
    ours, theirs = getattr(refgrad.nn, name)(*args, **kwargs), getattr(torch.nn, name)(*args, **kwargs)
    assert repr(ours) == repr(theirs)
    for attribute in ("name", "size", "scale_factor", "mode", "align_corners", "recompute_scale_factor"):
        assert getattr(ours, attribute) == getattr(theirs, attribute), attribute
        assert type(getattr(ours, attribute)) is type(getattr(theirs, attribute)), attribute
    assert list(ours.state_dict()) == list(theirs.state_dict()) == []
