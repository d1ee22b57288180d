"""The dropout family's random forms, which the oracle cannot compare value for value with torch (the generators
differ): the structure of the noise (what a kept and a dropped element become, in torch's roundings, checked on
torch's own draws too), the gradient going through the same noise, the kept fraction against a binomial bound, alpha
dropout keeping a standard normal input's mean and variance, the feature forms dropping whole channels, in-place
effects and seeding. The deterministic forms (training=False, p=0, p=1) are the oracle's (oracle/specs/dropout.py).
"""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import refgrad
import refgrad.nn.functional as F
from refgrad.nn.functional.dropout import SELU_ALPHA

FEATURE_FORMS = {  # name -> (input shape, noise shape: one value per (batch, channel) or, unbatched, per channel)
    "dropout1d": ((6, 5, 7), (6, 5, 1)),
    "dropout2d": ((6, 5, 3, 4), (6, 5, 1, 1)),
    "dropout3d": ((6, 5, 2, 3, 2), (6, 5, 1, 1, 1)),
    "feature_alpha_dropout": ((6, 5, 3, 4), (6, 5, 1, 1)),
}
UNBATCHED = {"dropout1d": ((12, 7), (12, 1)), "dropout3d": ((12, 2, 3, 2), (12, 1, 1, 1))}  # 12 channels: some kept


def _both(name, x: np.ndarray, *args, **kwargs):
    """refgrad's and torch's outputs (as arrays) for the same input."""
    ours = getattr(F, name)(refgrad.tensor(x), *args, **kwargs)
    theirs = getattr(TF, name)(torch.from_numpy(x.copy()), *args, **kwargs)
    return np.asarray(ours._data), theirs.numpy()


def _alpha_values(x: np.ndarray, p: float):
    """What alpha dropout makes of a kept element and of a dropped one, rounded as torch rounds (in x's dtype):
    kept x·a + α·a·p, dropped -α·a + α·a·p."""
    t = x.dtype.type
    a = 1.0 / math.sqrt((SELU_ALPHA**2 * p + 1.0) * (1.0 - p))
    return x * t(a) + t(SELU_ALPHA * a * p), t(-t(SELU_ALPHA * a) + t(SELU_ALPHA * a * p))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_keeps_x_over_1_minus_p_or_zero_as_torch(dtype, p):
    x = np.random.default_rng(0).standard_normal((40, 50)).astype(dtype)
    kept = x * (dtype(1) / dtype(1 - p))  # torch's noise: keep / (1 - p) in the input's dtype, then x * noise
    for out in _both("dropout", x, p, True):
        assert np.all((out == kept) | (out == 0)), "an element is neither dropped nor x / (1 - p)"
        assert 0 < np.count_nonzero(out) < out.size


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", ["alpha_dropout", "feature_alpha_dropout"])
def test_alpha_dropout_values_as_torch(dtype, name):
    p = 0.3
    x = np.random.default_rng(1).standard_normal((20, 30, 4)).astype(dtype)
    kept, dropped = _alpha_values(x, p)
    for out in _both(name, x, p, True):
        assert np.all((out == kept) | (out == dropped))
        assert np.any(out == dropped) and np.any(out == kept)


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", *FEATURE_FORMS])
def test_the_gradient_goes_through_the_same_noise(name):
    p = 0.4
    shape = FEATURE_FORMS.get(name, ((8, 9), None))[0]
    rng = np.random.default_rng(2)
    x = rng.standard_normal(shape)
    g = rng.standard_normal(shape)
    xt = refgrad.tensor(x, requires_grad=True)
    out = getattr(F, name)(xt, p, True)
    out.backward(refgrad.tensor(g))
    # the noise each element was multiplied by, read off the output: (out - shift) / x
    if "alpha" in name:
        kept, dropped = _alpha_values(x, p)
        a = 1.0 / math.sqrt((SELU_ALPHA**2 * p + 1.0) * (1.0 - p))
        scale = np.where(np.asarray(out._data) == dropped, 0.0, a)
    else:
        scale = np.where(np.asarray(out._data) == 0, 0.0, 1 / (1 - p))
    np.testing.assert_allclose(np.asarray(xt.grad._data), g * scale, rtol=1e-15, atol=0)


@pytest.mark.parametrize("name, batched", [(n, True) for n in FEATURE_FORMS] + [(n, False) for n in UNBATCHED])
def test_feature_forms_drop_whole_channels_as_torch(name, batched):
    shape, noise = (FEATURE_FORMS if batched else UNBATCHED)[name]
    x = np.random.default_rng(3).standard_normal(shape) + 10.0  # no element is 0 by chance
    refgrad.manual_seed(3)  # both libraries seeded: which channels drop must not depend on the tests run before
    torch.manual_seed(3)
    for out in _both(name, x, 0.5, True):
        if "alpha" in name:
            kept, dropped = _alpha_values(x, 0.5)
            dropped_mask = out == dropped
        else:
            dropped_mask = out == 0
        spatial = tuple(d for d in range(len(shape)) if noise[d] == 1)
        per_channel = dropped_mask.all(axis=spatial)
        assert np.array_equal(per_channel, dropped_mask.any(axis=spatial)), "a channel is dropped only in part"
        assert 0 < per_channel.sum() < per_channel.size


def _binomial_bound(n: int, q: float) -> float:
    """5 standard deviations of a binomial fraction: a fixed seed beyond it means the rate is wrong."""
    return 5 * math.sqrt(q * (1 - q) / n)


@pytest.mark.parametrize("p", [0.1, 0.5, 0.75])
def test_kept_fraction_within_a_binomial_bound(p):
    refgrad.manual_seed(11)
    n = 200_000
    out = F.dropout(refgrad.ones(n, dtype=refgrad.float64), p)
    kept = np.count_nonzero(np.asarray(out._data)) / n
    assert abs(kept - (1 - p)) < _binomial_bound(n, 1 - p)
    channels = F.dropout2d(refgrad.ones(400, 500, 2, 1, dtype=refgrad.float64), p)
    kept = np.count_nonzero(np.asarray(channels._data)[:, :, 0, 0]) / (400 * 500)
    assert abs(kept - (1 - p)) < _binomial_bound(400 * 500, 1 - p)


@pytest.mark.parametrize("p", [0.1, 0.5])
def test_alpha_dropout_keeps_mean_and_variance(p):
    """For a standard normal input the output's mean is 0 and its variance 1 (what alpha dropout is for); checked
    within a bound of a few standard errors for a fixed seed, and torch's own draw likewise."""
    n = 400_000
    x = np.random.default_rng(4).standard_normal(n)
    refgrad.manual_seed(12)
    torch.manual_seed(12)
    for out in _both("alpha_dropout", x, p, True):
        assert abs(out.mean()) < 6 / math.sqrt(n)
        assert abs(out.var() - 1) < 12 / math.sqrt(n)


@pytest.mark.parametrize("name", ["dropout", "alpha_dropout", *FEATURE_FORMS])
def test_inplace_writes_into_the_input_as_torch(name):
    shape = FEATURE_FORMS.get(name, ((8, 9), None))[0]
    x = np.random.default_rng(5).standard_normal(shape) + 10.0
    ours, theirs = refgrad.tensor(x), torch.from_numpy(x.copy())
    version = ours._version
    assert getattr(F, name)(ours, 0.5, True, inplace=True) is ours
    assert getattr(TF, name)(theirs, 0.5, True, inplace=True) is theirs
    assert ours._version > version
    for t in (np.asarray(ours._data), theirs.numpy()):  # both dropped part of it, in place
        assert np.any(t != x)
        if "alpha" not in name:
            assert np.all((t == 0) | (t == 2 * x))
    for zeroed in (getattr(F, name)(ours, 1.0, True, inplace=True), getattr(TF, name)(theirs, 1.0, True, inplace=True)):
        assert not np.any(np.asarray(zeroed.detach() if isinstance(zeroed, torch.Tensor) else zeroed._data))
    # nothing dropped: the input itself, unchanged
    same = refgrad.tensor(x)
    assert getattr(F, name)(same, 0.5, False, inplace=True) is same
    assert np.array_equal(np.asarray(same._data), x)


@pytest.mark.parametrize("name, shape, p, training", [
    ("dropout", (3, 4), 0.5, True), ("dropout", (3, 4), 1.0, True), ("alpha_dropout", (3, 4), 0.5, True),
    ("dropout1d", (3, 4), 0.5, False), ("dropout3d", (3, 4, 2, 2), 0.0, True)])  # unbatched: torch's unsqueeze_
def test_inplace_on_a_leaf_that_requires_grad_raises_as_torch(name, shape, p, training):
    x = np.ones(shape)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad") as theirs:
        getattr(TF, name)(torch.tensor(x, requires_grad=True), p, training, inplace=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad") as ours:
        getattr(F, name)(refgrad.tensor(x, requires_grad=True), p, training, inplace=True)
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize("name, shape", [("dropout", (3, 4)), ("dropout1d", (2, 3, 4)), ("dropout2d", (2, 3, 4, 2))])
def test_inplace_that_drops_nothing_accepts_a_leaf_as_torch(name, shape):
    x = refgrad.tensor(np.ones(shape), requires_grad=True)
    assert getattr(TF, name)(torch.ones(shape, requires_grad=True), 0.5, False, inplace=True) is not None
    assert getattr(F, name)(x, 0.5, False, inplace=True) is x


def test_manual_seed_reproduces_the_noise():
    x = refgrad.ones(50, 60, dtype=refgrad.float64)
    refgrad.manual_seed(7)
    first = np.asarray(F.dropout(x, 0.5)._data)
    second = np.asarray(F.dropout(x, 0.5)._data)
    refgrad.manual_seed(7)
    again = np.asarray(F.dropout(x, 0.5)._data)
    assert np.array_equal(first, again) and not np.array_equal(first, second)


def test_deprecated_ranks_warn_as_torch():
    for name, rank in (("dropout2d", 2), ("dropout2d", 3), ("dropout2d", 5), ("dropout3d", 3)):
        x = np.ones((2,) * rank)
        with pytest.warns(UserWarning) as ours:
            getattr(F, name)(refgrad.tensor(x), 0.5, False)
        with pytest.warns(UserWarning) as theirs:
            getattr(TF, name)(torch.from_numpy(x), 0.5, False)
        assert [str(w.message) for w in ours] == [str(w.message) for w in theirs]
