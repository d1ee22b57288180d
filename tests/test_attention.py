"""Attention properties the oracle's specs do not cover: agreement with torch's CPU flash kernel (the specs compare
with its math backend), rows masked from every key, the dropout mask's structure and distribution, and the
argument forms the spec strategies do not draw. Expected values come from torch, run here."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import refgrad
import refgrad.nn.functional as F

TOLERANCE = {np.float32: dict(rtol=2e-5, atol=2e-6), np.float64: dict(rtol=1e-11, atol=1e-12)}


def _pair(rng, *shapes, dtype=np.float64):
    arrays = [rng.uniform(-1, 1, s).astype(dtype) for s in shapes]
    return ([refgrad.tensor(a, requires_grad=True) for a in arrays],
            [torch.from_numpy(a.copy()).requires_grad_() for a in arrays])


def _grads(out, leaves, cotangent):
    if isinstance(out, refgrad.Tensor):
        return [np.asarray(g._data) for g in refgrad.autograd.grad(out, leaves, refgrad.tensor(cotangent))]
    return [g.numpy() for g in torch.autograd.grad(out, leaves, torch.from_numpy(cotangent))]


def _close(ours, theirs, dtype, equal_nan=False):
    np.testing.assert_allclose(np.asarray(ours), np.asarray(theirs), equal_nan=equal_nan, **TOLERANCE[dtype])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("form", ["plain", "bool_mask", "float_mask", "causal", "gqa", "scale"])
def test_sdpa_agrees_with_torch_flash_kernel(dtype, form):
    """4-D inputs with equal head dims take torch's CPU flash kernel (online softmax, its own backward): refgrad,
    which mirrors the math backend, agrees with it to rounding, gradients included."""
    rng = np.random.default_rng(7)
    q_heads = 4 if form == "gqa" else 2
    (q, k, v), (tq, tk, tv) = _pair(rng, (2, q_heads, 5, 8), (2, 2, 6, 8), (2, 2, 6, 8), dtype=dtype)
    kwargs = {"causal": {"is_causal": True}, "gqa": {"enable_gqa": True}, "scale": {"scale": -0.3}}.get(form, {})
    ours_kw, theirs_kw = dict(kwargs), dict(kwargs)
    if form == "bool_mask":
        mask = rng.random((5, 6)) > 0.3
        mask[:, 0] = True
        ours_kw["attn_mask"], theirs_kw["attn_mask"] = refgrad.tensor(mask), torch.from_numpy(mask)
    elif form == "float_mask":
        mask = rng.standard_normal((2, 1, 5, 6)).astype(dtype)
        ours_kw["attn_mask"], theirs_kw["attn_mask"] = refgrad.tensor(mask), torch.from_numpy(mask)
    out = F.scaled_dot_product_attention(q, k, v, **ours_kw)
    expected = TF.scaled_dot_product_attention(tq, tk, tv, **theirs_kw)
    assert "FlashAttention" in type(expected.grad_fn).__name__  # the kernel this test is about
    _close(out.detach().numpy(), expected.detach().numpy(), dtype)
    cotangent = rng.standard_normal(expected.shape).astype(dtype)
    for ours, theirs in zip(_grads(out, [q, k, v], cotangent), _grads(expected, [tq, tk, tv], cotangent)):
        _close(ours, theirs, dtype)


@pytest.mark.parametrize("mask_kind", ["bool", "float"])
def test_a_query_masked_from_every_key_gets_zero_output_and_gradient(mask_kind):
    """torch's safe softmax (math and flash backends alike): 0, not softmax's nan, and a zero gradient."""
    rng = np.random.default_rng(1)
    (q, k, v), (tq, tk, tv) = _pair(rng, (1, 2, 3, 4), (1, 2, 5, 4), (1, 2, 5, 4))
    mask = np.ones((3, 5), bool)
    mask[1] = False
    if mask_kind == "float":
        mask = np.where(mask, 0.0, -np.inf)
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=refgrad.tensor(mask))
    expected = TF.scaled_dot_product_attention(tq, tk, tv, attn_mask=torch.from_numpy(mask))
    assert np.all(out.detach().numpy()[:, :, 1] == 0)
    _close(out.detach().numpy(), expected.detach().numpy(), np.float64)
    cotangent = rng.standard_normal(expected.shape)
    ours = _grads(out, [q, k, v], cotangent)
    assert np.all(ours[0][:, :, 1] == 0)
    for a, b in zip(ours, _grads(expected, [tq, tk, tv], cotangent)):
        _close(a, b, np.float64)


def _mha_inputs(rng, L=3, S=4, N=2, E=4):
    arrays = {"query": (L, N, E), "key": (S, N, E), "value": (S, N, E), "in_proj_weight": (3 * E, E),
              "in_proj_bias": (3 * E,), "out_proj_weight": (E, E), "out_proj_bias": (E,)}
    values = {name: rng.uniform(-1, 1, shape) for name, shape in arrays.items()}
    return values


def _mha(lib, values, **kwargs):
    fn = F.multi_head_attention_forward if lib is refgrad else TF.multi_head_attention_forward
    t = {k: lib.tensor(v) for k, v in values.items()}
    E = values["query"].shape[-1]
    return fn(t["query"], t["key"], t["value"], E, 2, t["in_proj_weight"], t["in_proj_bias"], None, None, False,
              kwargs.pop("dropout_p", 0.0), t["out_proj_weight"], t["out_proj_bias"], **kwargs)


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_row_masked_from_every_key_matches_torch(need_weights):
    """With need_weights the weights are a plain softmax, nan for such a row (as torch); without, the output comes
    from scaled_dot_product_attention, 0 for that row before the output projection."""
    values = _mha_inputs(np.random.default_rng(3))
    mask = np.zeros((3, 4), bool)
    mask[2] = True  # query 2 may attend to no key
    ours = _mha(refgrad, values, attn_mask=refgrad.tensor(mask), need_weights=need_weights)
    theirs = _mha(torch, values, attn_mask=torch.from_numpy(mask), need_weights=need_weights)
    assert np.isnan(ours[0].numpy()[2]).all() == need_weights
    _close(ours[0].numpy(), theirs[0].numpy(), np.float64, equal_nan=True)
    if need_weights:
        _close(ours[1].numpy(), theirs[1].numpy(), np.float64, equal_nan=True)


# ---- dropout: refgrad's generator, so structure and distribution rather than torch's values -------------------
def _uniform_weights_through_dropout(p, seed, L=64, S=50, batch=(2, 3)):
    """q = k = 0 makes every weight 1/S, and value = I makes the output those weights after dropout."""
    refgrad.manual_seed(seed)
    q = refgrad.zeros(*batch, L, 4, dtype=refgrad.float64)
    k = refgrad.zeros(*batch, S, 4, dtype=refgrad.float64)
    v = refgrad.tensor(np.broadcast_to(np.eye(S), (*batch, S, S)).copy(), requires_grad=True)
    return F.scaled_dot_product_attention(q, k, v, dropout_p=p), v


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_sdpa_dropout_mask_structure_and_kept_fraction(p):
    out, _ = _uniform_weights_through_dropout(p, seed=11)
    weights = out.detach().numpy()
    S = weights.shape[-1]
    kept = weights != 0
    np.testing.assert_allclose(weights[kept], 1 / S / (1 - p), rtol=1e-15)  # each weight 0 or w/(1-p)
    n = kept.size
    bound = 4.0 * np.sqrt(p * (1 - p) / n)  # binomial: |fraction - (1 - p)| beyond 4 sigma is a 6e-5 event
    assert abs(kept.mean() - (1 - p)) < bound


def test_sdpa_dropout_gradient_goes_through_the_same_mask():
    out, v = _uniform_weights_through_dropout(0.4, seed=5)
    dropped = out.detach().numpy()  # the weights after dropout
    cotangent = np.random.default_rng(0).standard_normal(dropped.shape)
    (grad_v,) = refgrad.autograd.grad(out, [v], refgrad.tensor(cotangent))
    np.testing.assert_allclose(grad_v.numpy(), np.swapaxes(dropped, -1, -2) @ cotangent, rtol=1e-13, atol=1e-15)


def test_sdpa_dropout_draws_from_refgrads_generator():
    first, _ = _uniform_weights_through_dropout(0.5, seed=3)
    again, _ = _uniform_weights_through_dropout(0.5, seed=3)
    other, _ = _uniform_weights_through_dropout(0.5, seed=4)
    assert np.array_equal(first.detach().numpy(), again.detach().numpy())
    assert not np.array_equal(first.detach().numpy(), other.detach().numpy())


def test_sdpa_dropout_one_zeroes_everything_as_torch():
    out, _ = _uniform_weights_through_dropout(1.0, seed=0)
    q = torch.zeros(2, 3, 64, 4, dtype=torch.float64)
    expected = TF.scaled_dot_product_attention(q, torch.zeros(2, 3, 50, 4, dtype=torch.float64),
                                               torch.eye(50, dtype=torch.float64).expand(2, 3, 50, 50),
                                               dropout_p=1.0)
    assert np.array_equal(out.detach().numpy(), expected.numpy())


@pytest.mark.parametrize("need_weights", [True, False])
def test_mha_dropout_only_while_training(need_weights):
    values = _mha_inputs(np.random.default_rng(4))
    plain = _mha(refgrad, values, need_weights=need_weights)[0].numpy()
    evaluating = _mha(refgrad, values, dropout_p=0.5, training=False, need_weights=need_weights)[0].numpy()
    assert np.array_equal(plain, evaluating)
    refgrad.manual_seed(1)
    training = _mha(refgrad, values, dropout_p=0.5, training=True, need_weights=need_weights)[0].numpy()
    assert not np.allclose(plain, training)


def test_mha_dropout_weights_are_zero_or_scaled():
    values = _mha_inputs(np.random.default_rng(5), L=16, S=16)
    plain = _mha(refgrad, values, average_attn_weights=False)[1].numpy()
    refgrad.manual_seed(2)
    dropped = _mha(refgrad, values, dropout_p=0.25, average_attn_weights=False)[1].numpy()
    kept = dropped != 0
    assert 0.6 < kept.mean() < 0.9
    np.testing.assert_allclose(dropped[kept], plain[kept] / 0.75, rtol=1e-13)


# ---- argument forms ------------------------------------------------------------------------------------------
def test_sdpa_float32_mask_with_float64_query_as_torch():
    """torch accepts a float32 additive mask for any query dtype (the result has the query's dtype)."""
    rng = np.random.default_rng(2)
    (q, k, v), (tq, tk, tv) = _pair(rng, (2, 3, 4), (2, 5, 4), (2, 5, 4))
    mask = rng.standard_normal((3, 5)).astype(np.float32)
    out = F.scaled_dot_product_attention(q, k, v, refgrad.tensor(mask))
    expected = TF.scaled_dot_product_attention(tq, tk, tv, torch.from_numpy(mask))
    assert out.dtype == refgrad.float64
    _close(out.detach().numpy(), expected.detach().numpy(), np.float64)


def test_sdpa_scale_and_gqa_are_keyword_only_as_torch():
    q = refgrad.ones(2, 3, 4)
    with pytest.raises(TypeError):
        F.scaled_dot_product_attention(q, q, q, None, 0.0, False, 0.5)
    with pytest.raises(TypeError):
        TF.scaled_dot_product_attention(torch.ones(2, 3, 4), torch.ones(2, 3, 4), torch.ones(2, 3, 4), None, 0.0,
                                        False, 0.5)


def test_sdpa_without_values_returns_zeros_that_carry_nan_as_torch():
    """torch 2.13 returns early where value has no elements: zeros + 0·(Σq + Σk + Σv), so a nan anywhere in the
    inputs makes the whole output nan, and every input gets a zero gradient."""
    q = np.array([[[np.nan, 1.0]], [[2.0, 3.0]]])
    k, v = np.zeros((2, 0, 2)), np.zeros((2, 0, 3))
    out = F.scaled_dot_product_attention(*(refgrad.tensor(a, requires_grad=True) for a in (q, k, v)))
    expected = TF.scaled_dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v)))
    assert out.shape == tuple(expected.shape)
    np.testing.assert_array_equal(out.detach().numpy(), expected.numpy())


def test_mha_mismatched_mask_dtypes_warn_as_torch():
    values = _mha_inputs(np.random.default_rng(6))
    kpm, mask = np.zeros((2, 4), bool), np.zeros((3, 4))
    with warnings.catch_warnings(record=True) as ours:
        warnings.simplefilter("always")
        _mha(refgrad, values, key_padding_mask=refgrad.tensor(kpm), attn_mask=refgrad.tensor(mask))
    with warnings.catch_warnings(record=True) as theirs:
        warnings.simplefilter("always")
        _mha(torch, values, key_padding_mask=torch.from_numpy(kpm), attn_mask=torch.from_numpy(mask))
    assert [w.category for w in ours] == [w.category for w in theirs] == [UserWarning]
    assert "Support for mismatched key_padding_mask and attn_mask is deprecated" in str(ours[0].message)


def test_mha_self_attention_uses_one_packed_projection():
    """query is key is value: one product with in_proj_weight (torch's fast path); the result is the same."""
    values = _mha_inputs(np.random.default_rng(8), S=3)
    x = refgrad.tensor(values["query"], requires_grad=True)
    rest = {k: refgrad.tensor(values[k]) for k in ("in_proj_weight", "in_proj_bias", "out_proj_weight",
                                                  "out_proj_bias")}
    out, weights = F.multi_head_attention_forward(x, x, x, 4, 2, rest["in_proj_weight"], rest["in_proj_bias"], None,
                                                  None, False, 0.0, rest["out_proj_weight"], rest["out_proj_bias"])
    tx = torch.from_numpy(values["query"]).requires_grad_()
    t = {k: torch.from_numpy(values[k]) for k in rest}
    expected, expected_weights = TF.multi_head_attention_forward(tx, tx, tx, 4, 2, t["in_proj_weight"],
                                                                 t["in_proj_bias"], None, None, False, 0.0,
                                                                 t["out_proj_weight"], t["out_proj_bias"])
    _close(out.detach().numpy(), expected.detach().numpy(), np.float64)
    _close(weights.detach().numpy(), expected_weights.detach().numpy(), np.float64)
    cotangent = np.random.default_rng(0).standard_normal(expected.shape)
    _close(_grads(out, [x], cotangent)[0], _grads(expected, [tx], cotangent)[0], np.float64)
