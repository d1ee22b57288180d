"""MultiheadAttention and the Transformer modules beyond what the module harness compares (oracle/specs/modules/
attention.py, transformer.py): the repr, the initial values of torch's reset_parameters (bounds, exact zeros and the
variance formulas here; the harness's init check compares each parameter's distribution with torch's by a KS test),
the causal mask and its detection, the copies a stack makes of its layer, torch's nested-tensor
warning, and the training form with dropout > 0 (random, so checked by structure: each attention weight dropped to 0
or kept and scaled by 1/(1-p), the dropped fraction near p; p = 1 deterministic, so equal to torch)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
from test_init import _assert_variance

import refgrad

RN, TN = refgrad.nn, torch.nn


def _quiet(build):
    """build() with torch's (and refgrad's) nested-tensor warning silenced: tests that are not about it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build()


def _load(ours, theirs):
    ours.load_state_dict({k: np.asarray(v) for k, v in theirs.state_dict().items()})
    return ours


# ---- repr ---------------------------------------------------------------------------------------------------
REPRS = [
    lambda nn: nn.MultiheadAttention(4, 2),
    lambda nn: nn.MultiheadAttention(4, 2, kdim=3, vdim=5, bias=False, add_bias_kv=True, add_zero_attn=True),
    lambda nn: nn.TransformerEncoderLayer(4, 2, 8, activation="gelu", norm_first=True, bias=False),
    lambda nn: nn.TransformerDecoderLayer(4, 2, 8, dropout=0.3, layer_norm_eps=1e-3, batch_first=True),
    lambda nn: nn.TransformerEncoder(nn.TransformerEncoderLayer(4, 2, 8), 2, nn.LayerNorm(4)),
    lambda nn: nn.TransformerDecoder(nn.TransformerDecoderLayer(4, 2, 8), 3),
    lambda nn: nn.Transformer(4, 2, 2, 1, 8),
]


@pytest.mark.parametrize("build", REPRS)
def test_repr_is_torchs(build):
    assert repr(_quiet(lambda: build(RN))) == repr(_quiet(lambda: build(TN)))


def test_an_activation_module_is_a_submodule_as_in_torch():
    ours = RN.TransformerEncoderLayer(4, 2, 8, activation=RN.Identity())
    theirs = TN.TransformerEncoderLayer(4, 2, 8, activation=TN.Identity())
    assert repr(ours) == repr(theirs)
    assert ours.activation_relu_or_gelu == theirs.activation_relu_or_gelu == 0


@pytest.mark.parametrize("activation", ["relu", "gelu", "tanh"])
def test_activation_relu_or_gelu_is_torchs(activation):
    ours = RN.TransformerEncoderLayer(4, 2, 8, activation=getattr(refgrad, activation) if activation == "tanh"
                                      else activation)
    theirs = TN.TransformerEncoderLayer(4, 2, 8, activation=getattr(torch, activation) if activation == "tanh"
                                        else activation)
    assert ours.activation_relu_or_gelu == theirs.activation_relu_or_gelu


# ---- reset_parameters -----------------------------------------------------------------------------------------
def _samples(build, name: str, draws: int) -> np.ndarray:
    """``draws`` freshly built refgrad modules' parameter ``name``, flattened (a fixed seed)."""
    refgrad.manual_seed(0)
    return np.concatenate([np.ravel(_quiet(lambda: build(RN)).get_parameter(name).detach().numpy())
                           for _ in range(draws)])


XAVIER = [  # (module, parameter, fan_in, fan_out as torch's xavier computes them)
    (lambda nn: nn.MultiheadAttention(16, 4), "in_proj_weight", 16, 48),
    (lambda nn: nn.MultiheadAttention(16, 4, kdim=8, vdim=24), "k_proj_weight", 8, 16),
    (lambda nn: nn.MultiheadAttention(16, 4, kdim=8, vdim=24), "v_proj_weight", 24, 16),
    (lambda nn: nn.Transformer(16, 4, 1, 1, 32), "encoder.layers.0.linear1.weight", 16, 32),
    (lambda nn: nn.Transformer(16, 4, 1, 1, 32), "decoder.layers.0.multihead_attn.out_proj.weight", 16, 16),
]


@pytest.mark.parametrize("build, name, fan_in, fan_out", XAVIER)
def test_xavier_uniform_projections(build, name, fan_in, fan_out):
    ours = _samples(build, name, 4)
    bound = math.sqrt(6.0 / (fan_in + fan_out))
    assert np.abs(ours).max() <= bound
    _assert_variance(ours, 0.0, bound**2 / 3)


def test_bias_k_and_bias_v_are_xavier_normal():
    """(1, 1, E): torch's fans of a 3-d tensor are size(1)·E and size(0)·E, so the std is √(2 / 2E)."""
    for name in ("bias_k", "bias_v"):
        _assert_variance(_samples(lambda nn: nn.MultiheadAttention(64, 4, add_bias_kv=True), name, 20), 0.0, 1.0 / 64)


def test_out_proj_weight_keeps_linears_initialization():
    """kaiming_uniform_(a=√5): U(-1/√fan_in, 1/√fan_in), variance 1/(3·fan_in)."""
    ours = _samples(lambda nn: nn.MultiheadAttention(32, 4), "out_proj.weight", 4)
    assert np.abs(ours).max() <= 1 / math.sqrt(32)
    _assert_variance(ours, 0.0, 1 / (3 * 32))


def test_biases_start_at_zero():
    attention = RN.MultiheadAttention(8, 2)
    assert not attention.in_proj_bias.detach().numpy().any() and not attention.out_proj.bias.detach().numpy().any()
    layer = RN.TransformerEncoderLayer(8, 2, 16)
    assert (layer.norm1.weight.detach().numpy() == 1).all() and not layer.norm1.bias.detach().numpy().any()


def test_transformer_redraws_only_matrices():
    """Transformer's _reset_parameters re-draws every parameter of more than one dimension (xavier_uniform_):
    linear1's bias keeps Linear's U(-1/√in, 1/√in) draw, the norms their ones and zeros."""
    model = _quiet(lambda: RN.Transformer(16, 4, 1, 1, 32))
    bias = model.encoder.layers[0].linear1.bias.detach().numpy()
    assert np.abs(bias).max() <= 1 / math.sqrt(16) and bias.any()
    assert (model.encoder.norm.weight.detach().numpy() == 1).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_factory_dtype(dtype):
    model = _quiet(lambda: RN.Transformer(4, 2, 1, 1, 8, dtype=dtype))
    assert {p.dtype for p in model.parameters()} == {np.dtype(dtype)}


# ---- the causal mask ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("size", [0, 1, 4])
@pytest.mark.parametrize("dtype", [None, np.float64])
def test_generate_square_subsequent_mask_is_torchs(size, dtype):
    ours = RN.Transformer.generate_square_subsequent_mask(size, dtype=dtype)
    theirs = TN.Transformer.generate_square_subsequent_mask(size, dtype=None if dtype is None else torch.float64)
    assert ours.dtype == np.dtype(str(theirs.dtype).removeprefix("torch."))
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


MASKS = {
    "causal": lambda n: TN.Transformer.generate_square_subsequent_mask(n).double().numpy(),
    "causal_bool": lambda n: np.triu(np.ones((n, n), bool), 1),
    "not_causal": lambda n: np.zeros((n, n)),
    "other_size": lambda n: TN.Transformer.generate_square_subsequent_mask(n + 1).double().numpy(),
}


# a mask of another size is no valid attn_mask (detection alone is tested with it, below); a non-causal mask with the
# hint is_causal=True is a false hint, whose result torch leaves unspecified
ENCODER_CASES = [(m, c) for m in ("causal", "causal_bool", "not_causal") for c in (None, False, True)
                 if not (m == "not_causal" and c)]


@pytest.mark.parametrize("mask, is_causal", ENCODER_CASES)
def test_the_encoder_detects_a_causal_mask_as_torch(mask, is_causal):
    """is_causal=None: the stack compares the mask with the causal one by value and tells its layers; the layers
    then drop the mask for the causal hint (need_weights=False), which a wrong detection would show in the output
    where the mask is not causal. Outputs compared with torch's."""
    x = np.random.default_rng(0).standard_normal((3, 2, 4))
    m = MASKS[mask](3)
    theirs = _quiet(lambda: TN.TransformerEncoder(TN.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 2)).double()
    ours = _load(_quiet(lambda: RN.TransformerEncoder(RN.TransformerEncoderLayer(4, 2, 8, dropout=0.0), 2)).double(),
                 theirs)
    expected = theirs(torch.from_numpy(x), mask=torch.from_numpy(m), is_causal=is_causal).detach().numpy()
    actual = ours(refgrad.tensor(x), mask=refgrad.tensor(m), is_causal=is_causal).detach().numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("mask", sorted(MASKS))
@pytest.mark.parametrize("is_causal", [None, False, True])
def test_detect_is_causal_mask_is_torchs(mask, is_causal):
    from torch.nn.modules.transformer import _detect_is_causal_mask as theirs

    from refgrad.nn.modules.transformer import _detect_is_causal_mask as ours

    m = MASKS[mask](3).astype(np.float64)
    assert ours(refgrad.tensor(m), is_causal, 3) == theirs(torch.from_numpy(m), is_causal, 3)
    assert ours(None, is_causal, 3) == theirs(None, is_causal, 3)


# ---- the stacks ---------------------------------------------------------------------------------------------
def test_a_stack_holds_deep_copies_of_its_layer():
    layer = RN.TransformerEncoderLayer(4, 2, 8)
    encoder = _quiet(lambda: RN.TransformerEncoder(layer, 3))
    weights = [m.linear1.weight for m in encoder.layers]
    assert len({id(w) for w in weights} | {id(layer.linear1.weight)}) == 4
    for w in weights:
        np.testing.assert_array_equal(w.detach().numpy(), layer.linear1.weight.detach().numpy())
    assert list(encoder.state_dict())[:2] == ["layers.0.self_attn.in_proj_weight", "layers.0.self_attn.in_proj_bias"]


LAYERS = [dict(batch_first=True), dict(batch_first=True, norm_first=True), dict(), dict(batch_first=True, bias=False),
          dict(batch_first=True, activation="tanh"), dict(batch_first=True, nhead=1),
          dict(batch_first=True, layer_norm_eps=1e-3)]


@pytest.mark.parametrize("config", LAYERS)
@pytest.mark.parametrize("enable_nested_tensor", [True, False])
def test_nested_tensor_warning_is_torchs(config, enable_nested_tensor):
    def build(nn, lib):
        kwargs = {"d_model": 4, "nhead": 2, "dim_feedforward": 8} | config
        if kwargs.get("activation") == "tanh":
            kwargs["activation"] = lib.tanh
        layer = nn.TransformerEncoderLayer(**kwargs)
        if "layer_norm_eps" in config:
            layer.norm2.eps = 1e-5  # norm1 and norm2 with different eps: another reason torch gives
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            encoder = nn.TransformerEncoder(layer, 1, enable_nested_tensor=enable_nested_tensor)
        return [str(w.message) for w in caught], encoder.use_nested_tensor

    assert build(RN, refgrad) == build(TN, torch)


# ---- training with dropout > 0 -------------------------------------------------------------------------------
def test_attention_dropout_drops_or_scales_each_weight():
    """Training, dropout p: every attention weight (per head) is the eval weight dropped to 0 or kept and scaled by
    1/(1-p); the dropped fraction is within a binomial bound of p; seeding repeats the draw."""
    p = 0.4
    attention = RN.MultiheadAttention(8, 2, dropout=p).double()
    x = refgrad.tensor(np.random.default_rng(0).standard_normal((30, 4, 8)))
    expected = attention.eval()(x, x, x, average_attn_weights=False)[1].detach().numpy()
    attention.train()
    refgrad.manual_seed(3)
    weights = attention(x, x, x, average_attn_weights=False)[1].detach().numpy()
    refgrad.manual_seed(3)
    again = attention(x, x, x, average_attn_weights=False)[1].detach().numpy()
    np.testing.assert_array_equal(weights, again)
    dropped = weights == 0
    np.testing.assert_allclose(weights[~dropped], expected[~dropped] / (1 - p), rtol=1e-14)
    n = weights.size
    assert abs(dropped.mean() - p) <= 5 * math.sqrt(p * (1 - p) / n)


@pytest.mark.parametrize("need_weights", [True, False])
def test_attention_output_with_dropout_differs_from_eval_and_is_finite(need_weights):
    attention = RN.MultiheadAttention(8, 2, dropout=0.5).double()
    x = refgrad.tensor(np.random.default_rng(1).standard_normal((6, 3, 8)))
    evaluated = attention.eval()(x, x, x, need_weights=need_weights)[0].detach().numpy()
    trained = attention.train()(x, x, x, need_weights=need_weights)[0].detach().numpy()
    assert np.isfinite(trained).all() and not np.allclose(trained, evaluated)


@pytest.mark.parametrize("norm_first", [False, True])
def test_layers_with_dropout_one_equal_torch_in_training(norm_first):
    """p = 1 drops everything, deterministically: each block then adds nothing (post-norm: the norms of the input
    alone), in torch and refgrad alike."""
    torch.manual_seed(0)
    theirs = TN.TransformerDecoderLayer(4, 2, 8, dropout=1.0, norm_first=norm_first).double().train()
    ours = _load(RN.TransformerDecoderLayer(4, 2, 8, dropout=1.0, norm_first=norm_first).double().train(), theirs)
    rng = np.random.default_rng(2)
    tgt, memory = rng.standard_normal((3, 2, 4)), rng.standard_normal((5, 2, 4))
    expected = theirs(torch.from_numpy(tgt), torch.from_numpy(memory)).detach().numpy()
    actual = ours(refgrad.tensor(tgt), refgrad.tensor(memory)).detach().numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-13)


def test_encoder_layer_dropout_is_random_in_training_only():
    layer = RN.TransformerEncoderLayer(8, 2, 16, dropout=0.5).double()
    x = refgrad.tensor(np.random.default_rng(3).standard_normal((5, 2, 8)))
    layer.eval()
    np.testing.assert_array_equal(layer(x).detach().numpy(), layer(x).detach().numpy())
    layer.train()
    refgrad.manual_seed(1)
    first = layer(x).detach().numpy()
    assert not np.allclose(first, layer(x).detach().numpy())
    refgrad.manual_seed(1)
    np.testing.assert_array_equal(first, layer(x).detach().numpy())


def test_torch_weights_load_into_a_transformer():
    theirs = _quiet(lambda: TN.Transformer(4, 2, 2, 2, 8, dropout=0.0)).double()
    ours = _quiet(lambda: RN.Transformer(4, 2, 2, 2, 8, dropout=0.0)).double()
    assert _load(ours, theirs) is ours
    rng = np.random.default_rng(4)
    src, tgt = rng.standard_normal((5, 2, 4)), rng.standard_normal((3, 2, 4))
    mask = TN.Transformer.generate_square_subsequent_mask(3, dtype=torch.float64)
    expected = theirs(torch.from_numpy(src), torch.from_numpy(tgt), tgt_mask=mask).detach().numpy()
    actual = ours(refgrad.tensor(src), refgrad.tensor(tgt), tgt_mask=refgrad.tensor(mask.numpy())).detach().numpy()
    np.testing.assert_allclose(actual, expected, rtol=1e-12, atol=1e-13)
