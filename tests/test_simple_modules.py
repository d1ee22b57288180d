"""What the module harness does not cover for the simple wrapper modules (activation, dropout, distance, flatten,
pixelshuffle, padding, fold): repr as torch's for a spread of constructor arguments, in-place effects, the training
forms of the random modules by structure (the module passes ``self.training`` and its arguments through to F; F's
own tests check the distributions), and the implicit-dim warning naming the caller's line."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import refgrad
import refgrad.nn as nn

REPR_CASES = [  # (name, args, kwargs): constructed in both libraries, reprs compared
    ("Threshold", (0.1, 20.0), {}), ("Threshold", (0.5, -1), {"inplace": True}),
    ("ReLU", (), {}), ("ReLU", (True,), {}),
    ("RReLU", (), {}), ("RReLU", (0.1, 0.3, True), {}),
    ("Hardtanh", (), {}), ("Hardtanh", (-2.0, 3.0, True), {}), ("Hardtanh", (-2, 3), {}),
    ("ReLU6", (), {}), ("ReLU6", (True,), {}),
    ("Sigmoid", (), {}), ("Tanh", (), {}), ("LogSigmoid", (), {}), ("Softsign", (), {}), ("Tanhshrink", (), {}),
    ("Hardsigmoid", (), {}), ("Hardsigmoid", (True,), {}), ("Hardswish", (True,), {}),
    ("SiLU", (), {}), ("SiLU", (True,), {}), ("Mish", (True,), {}),
    ("ELU", (), {}), ("ELU", (0.5, True), {}), ("CELU", (2,), {}), ("SELU", (), {}), ("SELU", (True,), {}),
    ("GLU", (), {}), ("GLU", (1,), {}), ("GELU", (), {}), ("GELU", ("tanh",), {}),
    ("Hardshrink", (), {}), ("Hardshrink", (1,), {}), ("Softshrink", (0.25,), {}),
    ("LeakyReLU", (), {}), ("LeakyReLU", (0.2, True), {}),
    ("Softplus", (), {}), ("Softplus", (2, 10), {}),
    ("PReLU", (), {}), ("PReLU", (3, 0.1), {}),
    ("Softmin", (), {}), ("Softmin", (1,), {}), ("Softmax", (-1,), {}), ("Softmax2d", (), {}),
    ("LogSoftmax", (), {}), ("LogSoftmax", (0,), {}),
    ("Dropout1d", (), {}), ("Dropout2d", (0.2, True), {}), ("Dropout3d", (1,), {}), ("AlphaDropout", (0.1,), {}),
    ("FeatureAlphaDropout", (), {"inplace": True}),
    ("PairwiseDistance", (), {}), ("PairwiseDistance", (1, 1e-3, True), {}), ("CosineSimilarity", (0, 1e-3), {}),
    ("Flatten", (), {}), ("Flatten", (0, 2), {}), ("Unflatten", (1, (2, 3)), {}), ("Unflatten", (-1, [2, -1]), {}),
    ("PixelShuffle", (2,), {}), ("PixelUnshuffle", (3,), {}),
    ("ConstantPad1d", (2, 3.5), {}), ("ConstantPad2d", ((1, 2, 3, 4), 0), {}), ("ConstantPad3d", ([1] * 6, -1.0), {}),
    ("ZeroPad1d", ((1, 2),), {}), ("ZeroPad2d", (1,), {}), ("ZeroPad3d", (2,), {}),
    ("ReflectionPad1d", ([1, 2],), {}), ("ReflectionPad2d", (1,), {}), ("ReflectionPad3d", ((1, 0, 1, 0, 1, 0),), {}),
    ("ReplicationPad1d", (3,), {}), ("ReplicationPad2d", ((1, 2, 3, 4),), {}), ("ReplicationPad3d", (1,), {}),
    ("CircularPad1d", (1,), {}), ("CircularPad2d", ((1, 0, 1, 0),), {}), ("CircularPad3d", (2,), {}),
    ("Fold", ((4, 5), 2), {}), ("Fold", (4, (2, 3), 1, (0, 1), 2), {}),
    ("Unfold", (2,), {}), ("Unfold", ([2, 3],), {"dilation": 2, "padding": 1, "stride": (1, 2)}),
]


@pytest.mark.parametrize("name,args,kwargs", REPR_CASES, ids=lambda v: repr(v) if not isinstance(v, str) else v)
def test_repr_as_torch(name, args, kwargs):
    assert repr(getattr(nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


def test_hardtanh_deprecated_keywords_as_torch():
    with pytest.warns(FutureWarning, match="min_value"):
        ours = nn.Hardtanh(min_value=-2.0)
    with pytest.warns(FutureWarning, match="max_value"):
        ours_max = nn.Hardtanh(max_value=3.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        assert repr(ours) == repr(torch.nn.Hardtanh(min_value=-2.0))
        assert repr(ours_max) == repr(torch.nn.Hardtanh(max_value=3.0))


def test_prelu_weight_and_factory_kwargs():
    module = nn.PReLU(3, init=-0.5, dtype=refgrad.float64)
    assert [name for name, _ in module.named_parameters()] == ["weight"]
    assert module.weight.dtype == np.float64 and module.weight.shape == (3,)
    np.testing.assert_array_equal(module.weight.detach().numpy(), torch.nn.PReLU(3, init=-0.5).weight.detach().numpy())
    assert module.init == -0.5


INPLACE = ["Threshold", "ReLU", "RReLU", "Hardtanh", "ReLU6", "Hardsigmoid", "SiLU", "Mish", "Hardswish", "ELU",
           "CELU", "SELU", "LeakyReLU"]


@pytest.mark.parametrize("name", INPLACE)
def test_inplace_writes_into_the_input_as_torch(name):
    args = (0.1, 2.0) if name == "Threshold" else ()
    x = np.random.default_rng(0).standard_normal((3, 4))
    ours_in, theirs_in = refgrad.tensor(x.copy()), torch.from_numpy(x.copy())
    ours_module = getattr(nn, name)(*args, inplace=True).eval()
    theirs_module = getattr(torch.nn, name)(*args, inplace=True).eval()
    expected = getattr(nn, name)(*args).eval()(refgrad.tensor(x.copy())).numpy()
    ours_out, theirs_out = ours_module(ours_in), theirs_module(theirs_in)
    assert ours_out is ours_in and theirs_out is theirs_in
    np.testing.assert_array_equal(ours_in.numpy(), expected)  # exactly the out-of-place result, written in place
    np.testing.assert_allclose(ours_in.numpy(), theirs_in.numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("name", ["Softmax", "Softmin", "LogSoftmax"])
def test_implicit_dim_warns_at_the_callers_line(name):
    module = getattr(nn, name)()
    with pytest.warns(UserWarning, match="Implicit dimension choice") as caught:
        module(refgrad.ones(2, 3))  # the warning names this line
    assert caught[0].filename == __file__


def test_rrelu_training_draws_slopes_and_eval_uses_their_mean():
    lower, upper = 0.1, 0.3
    module = nn.RReLU(lower, upper)
    x = -np.linspace(0.5, 2.0, 400)
    refgrad.manual_seed(7)
    train_out = module(refgrad.tensor(x)).numpy()
    refgrad.manual_seed(7)  # the module passes self.training and its bounds through: F's own draws, seed for seed
    np.testing.assert_array_equal(train_out, refgrad.nn.functional.rrelu(refgrad.tensor(x), lower, upper,
                                                                         training=True).numpy())
    slopes = train_out / x
    assert np.all((slopes >= lower) & (slopes <= upper)) and np.unique(slopes).size > 100
    eval_out = module.eval()(refgrad.tensor(x)).numpy()
    np.testing.assert_allclose(eval_out, x * (lower + upper) / 2, rtol=1e-15)


DROPOUTS = {"Dropout": ("dropout", (4, 5)), "Dropout1d": ("dropout1d", (4, 5, 3)),
            "Dropout2d": ("dropout2d", (4, 5, 2, 3)), "Dropout3d": ("dropout3d", (4, 5, 2, 2, 2)),
            "AlphaDropout": ("alpha_dropout", (4, 5)), "FeatureAlphaDropout": ("feature_alpha_dropout", (4, 5, 2, 3))}


@pytest.mark.parametrize("name", DROPOUTS)
def test_dropout_module_passes_training_and_p_to_its_function(name):
    function, shape = DROPOUTS[name]
    x = refgrad.tensor(np.random.default_rng(1).standard_normal(shape))
    module = getattr(nn, name)(0.4)
    assert repr(module) == repr(getattr(torch.nn, name)(0.4))
    refgrad.manual_seed(3)
    trained = module(x).numpy()
    refgrad.manual_seed(3)
    np.testing.assert_array_equal(trained, getattr(refgrad.nn.functional, function)(x, 0.4, True).numpy())
    assert not np.array_equal(trained, x.numpy())  # something was dropped
    np.testing.assert_array_equal(module.eval()(x).numpy(), x.numpy())


@pytest.mark.parametrize("name", ["AlphaDropout", "FeatureAlphaDropout"])
def test_alpha_dropout_inplace_flag_is_not_passed_on_as_torch(name):
    x = refgrad.tensor(np.random.default_rng(2).standard_normal((4, 5, 2)))
    before = x.numpy().copy()
    out = getattr(nn, name)(0.4, inplace=True)(x)
    assert out is not x
    np.testing.assert_array_equal(x.numpy(), before)
