"""Attention functions (torch.nn.functional): scaled_dot_product_attention, multi_head_attention_forward.

scaled_dot_product_attention mirrors torch's math backend (``_scaled_dot_product_attention_math``), the one
backend that defines every case and every order of derivative: q and k are each scaled by √scale before their
product (for stability, as torch), a boolean or causal mask becomes an additive one (0 where a key takes part,
-inf where not), and the softmax is torch's ``_safe_softmax``: a query row that may attend to no key at all gets
weights of exactly 0 (so an output of 0 and a zero gradient), not softmax's nan. torch's CPU flash kernel, which
torch picks for 4-D inputs, agrees with it to rounding (tests/test_attention.py compares the two) but has no
double backward. Everything is composed of refgrad ops (matmul, the safe softmax, products, reshapes), so
gradients of any order and forward mode follow.

multi_head_attention_forward is torch's function step by step (in-projections, bias_k/bias_v, static keys and
values, add_zero_attn, the key-padding and attention masks merged into one additive mask), with torch's two
paths: need_weights=True computes the weights explicitly (a plain softmax: a fully masked row is nan there, as in
torch) and need_weights=False calls scaled_dot_product_attention.
"""
from __future__ import annotations

import math
import numbers
import warnings

import numpy as np

from ..._rows import rowwise
from ...arguments import argument_error
from ...autograd import Function
from ...autograd.donated import overwritable
from ...dtypes import get_default_dtype, scalar_type_name
from ...ops.common import as_tensor_arg, broadcast_shapes, wrap_dim
from ...ops.linalg import _ctype, baddbmm
from ...ops.shape import cat
from ...registry import public
from ...tensor import Tensor
from .activation import SoftmaxGrad, softmax
from .dropout import dropout
from .linear import linear
from .padding import pad


class _SafeSoftmax(Function):
    """torch's _safe_softmax of x (+ a constant additive ``mask``: a boolean or causal mask's 0 / -inf, added here
    rather than by an op of its own, one pass less over the scores): softmax along ``dim``, except that a row whose
    entries are all -inf (a query masked from every key) is exactly 0 where softmax gives nan. A row holding a nan
    stays nan. Its vjp and jvp are softmax's, (g - Σ g·s)·s in the output s, which is 0 in such a row: a zero
    gradient, as torch."""

    saves = ("out",)

    def forward(ctx, x, dim, mask):
        scores = x if mask is None else x + mask  # (x + mask: a fresh array, worked on in place below)
        row_max = np.maximum.reduce(scores, axis=dim, keepdims=True, initial=-np.inf)
        scores = rowwise(np.subtract, scores, row_max, out=None if mask is None else scores)  # fresh from here on
        np.exp(scores, out=scores)
        rowwise(np.true_divide, scores, np.add.reduce(scores, axis=dim, keepdims=True), out=scores)
        dead = row_max == -np.inf  # every entry -inf (or no entry at all)
        if dead.any():
            scores = np.where(dead, scores.dtype.type(0), scores)
        return scores

    def vjp(ctx, g):
        return SoftmaxGrad.apply(g, ctx.out, dim=ctx.dim, overwrite=overwritable(g))

    def jvp(ctx, dx):
        return SoftmaxGrad.apply(dx, ctx.out, dim=ctx.dim)  # softmax's Jacobian is symmetric


def _float_arg(value, name: str, fn: str) -> float:
    """A 'float' argument of torch's parser (ints and NumPy numbers too, not bool)."""
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        return float(value)
    if isinstance(value, Tensor) and value.ndim == 0 and value.dtype.kind in "fiu":
        return float(value.item())
    raise argument_error(fn, name, None, "float", value)


def _bool_arg(value, name: str, fn: str) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    raise argument_error(fn, name, None, "bool", value)


def _additive(mask: np.ndarray, dtype) -> np.ndarray:
    """A boolean mask (True: takes part) as the additive mask torch converts it to: 0 there, -inf elsewhere."""
    return np.where(mask, dtype.type(0), dtype.type(-np.inf))


def _additive_mask(mask: np.ndarray, dtype) -> Tensor:
    return Tensor(_additive(mask, dtype))


def _repeat_heads(t: Tensor, repeats: int) -> Tensor:
    """t.repeat_interleave(repeats, dim=-3): each head of key / value repeated for its group of query heads."""
    if repeats == 1:
        return t
    shape = t.shape
    expanded = t.unsqueeze(-3).expand(*shape[:-2], repeats, *shape[-2:])
    return expanded.reshape(*shape[:-3], shape[-3] * repeats, *shape[-2:])


def _group_query_heads(q: Tensor, k: Tensor, v: Tensor) -> tuple[Tensor, Tensor]:
    """enable_gqa: key and value heads (dim -3) repeated to the query's number of heads, which each must divide."""
    for t in (q, k, v):
        wrap_dim(-3, t.ndim)
    hq, hk, hv = q.shape[-3], k.shape[-3], v.shape[-3]
    if hq == hk == hv:
        return k, v
    if hk == 0 or hv == 0 or hq % hk or hq % hv:
        raise RuntimeError(f"Number of heads in key and value must divide the number of heads in query (query: {hq} "
                           f"heads, key: {hk}, value: {hv})")
    return _repeat_heads(k, hq // hk), _repeat_heads(v, hq // hv)


@public(namespace="nn.functional")
def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, *, scale=None,
                                 enable_gqa=False):
    """torch.nn.functional.scaled_dot_product_attention, as torch's math backend computes it:
    safe_softmax(q·kᵀ·scale + mask) · v, with q (..., L, E), k (..., S, E), v (..., S, Ev), batch dims broadcast.

    attn_mask: boolean (True: the key takes part) or additive float (its dtype float32 or query's; it gets a
    gradient), broadcast to (..., L, S). is_causal: query i sees keys 0..i (a top-left aligned lower triangle, also
    when L != S); an explicit attn_mask with it is an error, as in torch. scale: defaults to 1/√E. enable_gqa: key
    and value heads (dim -3) repeated to the query's. dropout_p > 0 zeroes attention weights with refgrad's
    generator (so its values are not torch's). A query that may attend to no key gets an output of 0, as torch's
    math and CPU flash backends give it.
    """
    fn = "scaled_dot_product_attention"
    q = as_tensor_arg(query, "query", 1)
    k = as_tensor_arg(key, "key", 2)
    v = as_tensor_arg(value, "value", 3)
    mask = None if attn_mask is None else as_tensor_arg(attn_mask, "attn_mask", None)
    dropout_p = _float_arg(dropout_p, "dropout_p", fn)
    is_causal = _bool_arg(is_causal, "is_causal", fn)
    enable_gqa = _bool_arg(enable_gqa, "enable_gqa", fn)
    scale = None if scale is None else _float_arg(scale, "scale", fn)
    if not q.dtype == k.dtype == v.dtype:
        raise RuntimeError(f"Expected query, key, and value to have the same dtype, but got query.dtype: "
                           f"{_ctype(q.dtype)} key.dtype: {_ctype(k.dtype)} and value.dtype: {_ctype(v.dtype)} "
                           "instead.")
    if min(q.ndim, k.ndim, v.ndim) < 2:
        raise RuntimeError(f"Expected query, key, and value to all be  at least 2 dimensional, but got query.dim: "
                           f"{q.ndim} key.dim: {k.ndim} and value.dim: {v.ndim} instead.")
    if mask is not None and mask.dtype.kind != "b" and mask.dtype not in (np.float32, q.dtype):
        raise RuntimeError(f"Expected attn_mask dtype to be bool or float or to match query dtype, but got "
                           f"attn_mask.dtype: {_ctype(mask.dtype)} and  query.dtype: {_ctype(q.dtype)} instead.")
    if v.numel() == 0 or q.shape[-2] == 0:
        return _no_attention(q, k, v, enable_gqa)
    if is_causal and mask is not None:
        raise RuntimeError("_scaled_dot_product_attention: Explicit attn_mask should not be set when is_causal=True")
    if q.dtype.kind != "f":  # torch's scaling makes q and k floats of the default dtype; the product with v fails
        raise RuntimeError(f"expected scalar type {scalar_type_name(get_default_dtype())} but found "
                           f"{scalar_type_name(q.dtype)}")

    # q and k each scaled by √scale (a negative scale's sign goes to q), in a double as torch's SymFloat
    if scale is None:
        scale = 1.0 / math.sqrt(q.shape[-1]) if q.shape[-1] else math.inf
    root = math.sqrt(abs(scale))
    q = q * (-root if scale < 0 else root)
    if enable_gqa:
        k, v = _group_query_heads(q, k, v)
    scores = q.matmul(k.mT * root)
    constant = None  # a boolean or causal mask, as 0 / -inf: added inside the softmax
    if is_causal:
        constant = _additive(np.tri(q.shape[-2], k.shape[-2], dtype=bool), q.dtype)
    elif mask is not None and mask.dtype.kind == "b":
        constant, mask = _additive(mask._data, q.dtype), None
    for added in (constant, mask):  # torch adds it in place: it may broadcast to the scores' shape, not enlarge it
        full = scores.shape if added is None else broadcast_shapes(scores.shape, added.shape)
        if full != scores.shape:
            raise RuntimeError(f"output with shape {list(scores.shape)} doesn't match the broadcast shape "
                               f"{list(full)}")
    if mask is not None:  # an additive float mask: it gets a gradient
        scores = scores + mask
    weights = _SafeSoftmax.apply(scores, dim=scores.ndim - 1, mask=constant)
    if dropout_p > 0:
        if dropout_p > 1:
            raise RuntimeError(f"dropout probability has to be between 0 and 1, but got {dropout_p:g}")
        weights = dropout(weights, dropout_p)
    return weights.matmul(v)


def _no_attention(q: Tensor, k: Tensor, v: Tensor, enable_gqa: bool) -> Tensor:
    """torch 2.13's early return where there is nothing to attend with (no value elements) or nothing to attend
    for (no queries): zeros, plus 0·(Σq + Σk + Σv) so that every input gets a (zero) gradient; a nan or inf in any
    input thus makes the whole output nan, as in torch. It skips every other check (masks, causal, GQA), as torch.
    One deliberate difference: torch gives this output query's batch dims even where key and value broadcast
    them to more; refgrad gives the broadcast batch dims, as the non-empty path does."""
    k_batch = k.shape[:-3] + q.shape[-3:-2] if enable_gqa and k.ndim >= 3 and q.ndim >= 3 else k.shape[:-2]
    v_batch = v.shape[:-3] + q.shape[-3:-2] if enable_gqa and v.ndim >= 3 and q.ndim >= 3 else v.shape[:-2]
    try:
        batch = np.broadcast_shapes(q.shape[:-2], k_batch, v_batch)
    except ValueError:  # torch checks no shapes here
        batch = q.shape[:-2]
    zeros = Tensor(np.zeros(batch + (q.shape[-2], v.shape[-1]), q.dtype))
    return zeros + (q.sum() + k.sum() + v.sum()) * 0


# ---- multi_head_attention_forward --------------------------------------------------------------------------
def _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads: int) -> bool:
    """torch's checks of the input ranks (AssertionError, torch's messages); whether the input is batched."""
    if query.ndim == 3:
        if key.ndim != 3 or value.ndim != 3:
            raise AssertionError(f"For batched (3-D) `query`, expected `key` and `value` to be 3-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 2:
            raise AssertionError(f"For batched (3-D) `query`, expected `key_padding_mask` to be `None` or 2-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None and attn_mask.ndim not in (2, 3):
            raise AssertionError(f"For batched (3-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D but "
                                 f"found {attn_mask.ndim}-D tensor instead")
        return True
    if query.ndim == 2:
        if key.ndim != 2 or value.ndim != 2:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key` and `value` to be 2-D but found "
                                 f"{key.ndim}-D and {value.ndim}-D tensors respectively")
        if key_padding_mask is not None and key_padding_mask.ndim != 1:
            raise AssertionError(f"For unbatched (2-D) `query`, expected `key_padding_mask` to be `None` or 1-D but "
                                 f"found {key_padding_mask.ndim}-D tensor instead")
        if attn_mask is not None:
            if attn_mask.ndim not in (2, 3):
                raise AssertionError(f"For unbatched (2-D) `query`, expected `attn_mask` to be `None`, 2-D or 3-D "
                                     f"but found {attn_mask.ndim}-D tensor instead")
            expected = (num_heads, query.shape[0], key.shape[0])
            if attn_mask.ndim == 3 and attn_mask.shape != expected:
                raise AssertionError(f"Expected `attn_mask` shape to be {expected} but got {tuple(attn_mask.shape)}")
        return False
    raise AssertionError(f"query should be unbatched 2D or batched 3D tensor but received {query.ndim}-D query "
                         "tensor")


def _canonical_mask(mask: Tensor | None, name: str, dtype, other: Tensor | None = None,
                    other_name: str = "") -> Tensor | None:
    """torch's _canonical_mask: a float mask as it is, a boolean one (True: masked out) as 0 / -inf of the query's
    dtype; warns, as torch, where the other mask's dtype differs."""
    if mask is None:
        return None
    if mask.dtype.kind not in "bf":
        raise AssertionError(f"only bool and floating types of {name} are supported")
    if other is not None and other.dtype != mask.dtype:
        warnings.warn(f"Support for mismatched {name} and {other_name} is deprecated. Use same type for both "
                      "instead.", UserWarning, stacklevel=3)
    return _additive_mask(~mask._data, dtype) if mask.dtype.kind == "b" else mask


def _in_projection(query, key, value, E, use_separate, in_proj_weight, in_proj_bias, q_proj_weight, k_proj_weight,
                   v_proj_weight):
    """The q, k, v projections: packed in_proj_weight (3E, E) rows in q, k, v order, or three separate weights
    (key and value may then have their own embedding sizes)."""
    if not use_separate:
        if in_proj_weight is None:
            raise AssertionError("use_separate_proj_weight is False but in_proj_weight is None")
        w = in_proj_weight
        b = (None,) * 3 if in_proj_bias is None else (in_proj_bias[:E], in_proj_bias[E:2 * E], in_proj_bias[2 * E:])
        if key is value and query is key:  # self-attention: one product with the packed weight, as torch
            qkv = linear(query, w, in_proj_bias)
            return qkv[..., :E], qkv[..., E:2 * E], qkv[..., 2 * E:]
        if key is value:  # encoder-decoder attention: key and value share one product
            kv = linear(key, w[E:], None if in_proj_bias is None else in_proj_bias[E:])
            return linear(query, w[:E], b[0]), kv[..., :E], kv[..., E:]
        return linear(query, w[:E], b[0]), linear(key, w[E:2 * E], b[1]), linear(value, w[2 * E:], b[2])
    for name, w in (("q", q_proj_weight), ("k", k_proj_weight), ("v", v_proj_weight)):
        if w is None:
            raise AssertionError(f"use_separate_proj_weight is True but {name}_proj_weight is None")
    if in_proj_bias is None:
        b_q = b_k = b_v = None
    else:
        b_q, b_k, b_v = in_proj_bias.chunk(3)
    eq, ek, ev = query.shape[-1], key.shape[-1], value.shape[-1]
    for what, w, size in (("query", q_proj_weight, (eq, eq)), ("key", k_proj_weight, (eq, ek)),
                          ("value", v_proj_weight, (eq, ev))):
        if w.shape != size:
            raise AssertionError(f"expecting {what} weights shape of {size}, but got {list(w.shape)}")
    for what, bias in (("query", b_q), ("key", b_k), ("value", b_v)):
        if bias is not None and bias.shape != (eq,):
            raise AssertionError(f"expecting {what} bias shape of {(eq,)}, but got {list(bias.shape)}")
    return linear(query, q_proj_weight, b_q), linear(key, k_proj_weight, b_k), linear(value, v_proj_weight, b_v)


def _static(t: Tensor, name: str, batch_heads: int, head_dim: int) -> Tensor:
    if t.shape[0] != batch_heads:
        raise AssertionError(f"expecting {name}.size(0) of {batch_heads}, but got {t.shape[0]}")
    if t.shape[2] != head_dim:
        raise AssertionError(f"expecting {name}.size(2) of {head_dim}, but got {t.shape[2]}")
    return t


def _pad_last(mask: Tensor | None) -> Tensor | None:
    """One more key column of 0 (taking part) in an additive mask, for bias_k / add_zero_attn's extra key."""
    return None if mask is None else pad(mask, (0, 1))


@public(namespace="nn.functional")
def multi_head_attention_forward(query, key, value, embed_dim_to_check: int, num_heads: int, in_proj_weight,
                                 in_proj_bias, bias_k, bias_v, add_zero_attn: bool, dropout_p: float, out_proj_weight,
                                 out_proj_bias, training: bool = True, key_padding_mask=None,
                                 need_weights: bool = True, attn_mask=None, use_separate_proj_weight: bool = False,
                                 q_proj_weight=None, k_proj_weight=None, v_proj_weight=None, static_k=None,
                                 static_v=None, average_attn_weights: bool = True, is_causal: bool = False):
    """torch.nn.functional.multi_head_attention_forward (what nn.MultiheadAttention calls): query (L, N, E) or
    unbatched (L, E), key and value (S, N, E_k/E_v) or (S, E_k/E_v). Returns (output (L, N, E), weights) with the
    weights (N, L, S) averaged over heads, (N, num_heads, L, S) with average_attn_weights=False, or None when
    need_weights=False (unbatched inputs: no N in either).

    key_padding_mask (N, S), boolean (True: padding, ignored) or additive float; attn_mask (L, S) or
    (N·num_heads, L, S), boolean (True: not allowed) or additive float. is_causal is a hint that attn_mask is the
    causal mask, as in torch: with need_weights=False and no key_padding_mask the causal mask replaces attn_mask.
    dropout_p applies while training, with refgrad's generator.
    """
    query = as_tensor_arg(query, "query", 1)
    key = as_tensor_arg(key, "key", 2)
    value = as_tensor_arg(value, "value", 3)

    def optional(t, name):
        return None if t is None else as_tensor_arg(t, name, None)

    in_proj_weight, in_proj_bias = optional(in_proj_weight, "in_proj_weight"), optional(in_proj_bias, "in_proj_bias")
    bias_k, bias_v = optional(bias_k, "bias_k"), optional(bias_v, "bias_v")
    out_proj_weight, out_proj_bias = as_tensor_arg(out_proj_weight, "out_proj_weight", None), optional(
        out_proj_bias, "out_proj_bias")
    key_padding_mask, attn_mask = optional(key_padding_mask, "key_padding_mask"), optional(attn_mask, "attn_mask")
    q_proj_weight, k_proj_weight = optional(q_proj_weight, "q_proj_weight"), optional(k_proj_weight, "k_proj_weight")
    v_proj_weight = optional(v_proj_weight, "v_proj_weight")
    static_k, static_v = optional(static_k, "static_k"), optional(static_v, "static_v")

    batched = _mha_shape_check(query, key, value, key_padding_mask, attn_mask, num_heads)
    if not batched:  # work on a batch of one
        query, key, value = query.unsqueeze(1), key.unsqueeze(1), value.unsqueeze(1)
        if key_padding_mask is not None:
            key_padding_mask = key_padding_mask.unsqueeze(0)
    tgt_len, bsz, embed_dim = query.shape
    dtype = query.dtype
    key_padding_mask = _canonical_mask(key_padding_mask, "key_padding_mask", dtype, attn_mask, "attn_mask")
    if is_causal and attn_mask is None:
        raise RuntimeError("Need attn_mask if specifying the is_causal hint. You may use the Transformer module "
                           "method `generate_square_subsequent_mask` to create this mask.")
    if is_causal and key_padding_mask is None and not need_weights:
        attn_mask = None  # the hint goes to scaled_dot_product_attention instead of the mask
    else:
        attn_mask = _canonical_mask(attn_mask, "attn_mask", dtype)
        if key_padding_mask is not None:
            is_causal = False  # the merged mask is no longer causal
    if embed_dim != embed_dim_to_check:
        raise AssertionError(f"was expecting embedding dimension of {embed_dim_to_check}, but got {embed_dim}")
    head_dim = embed_dim // num_heads
    if head_dim * num_heads != embed_dim:
        raise AssertionError(f"embed_dim {embed_dim} not divisible by num_heads {num_heads}")
    if use_separate_proj_weight:
        if key.shape[:2] != value.shape[:2]:
            raise AssertionError(f"key's sequence and batch dims {tuple(key.shape[:2])} do not match value's "
                                 f"{tuple(value.shape[:2])}")
    elif key.shape != value.shape:
        raise AssertionError(f"key shape {list(key.shape)} does not match value shape {list(value.shape)}")

    q, k, v = _in_projection(query, key, value, embed_dim, use_separate_proj_weight, in_proj_weight, in_proj_bias,
                             q_proj_weight, k_proj_weight, v_proj_weight)
    src_len = key.shape[0]
    if attn_mask is not None:  # made 3-D
        if attn_mask.ndim == 2:
            if attn_mask.shape != (tgt_len, src_len):
                raise RuntimeError(f"The shape of the 2D attn_mask is {list(attn_mask.shape)}, but should be "
                                   f"{(tgt_len, src_len)}.")
            attn_mask = attn_mask.unsqueeze(0)
        elif attn_mask.shape != (bsz * num_heads, tgt_len, src_len):
            raise RuntimeError(f"The shape of the 3D attn_mask is {list(attn_mask.shape)}, but should be "
                               f"{(bsz * num_heads, tgt_len, src_len)}.")
    if bias_k is not None and bias_v is not None:  # one more key and value, learned
        if static_k is not None:
            raise AssertionError("bias cannot be added to static key.")
        if static_v is not None:
            raise AssertionError("bias cannot be added to static value.")
        k, v = cat([k, bias_k.repeat(1, bsz, 1)]), cat([v, bias_v.repeat(1, bsz, 1)])
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    elif bias_k is not None:
        raise AssertionError("bias_k is set but bias_v is None")
    elif bias_v is not None:
        raise AssertionError("bias_v is set but bias_k is None")

    # heads: (L, N, E) -> (N·heads, L, head_dim)
    q = q.reshape(tgt_len, bsz * num_heads, head_dim).transpose(0, 1)
    k = (k.reshape(k.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_k is None
         else _static(static_k, "static_k", bsz * num_heads, head_dim))
    v = (v.reshape(v.shape[0], bsz * num_heads, head_dim).transpose(0, 1) if static_v is None
         else _static(static_v, "static_v", bsz * num_heads, head_dim))
    if add_zero_attn:  # one more key and value, of zeros
        k = cat([k, Tensor(np.zeros((bsz * num_heads, 1, head_dim), k.dtype))], 1)
        v = cat([v, Tensor(np.zeros((bsz * num_heads, 1, head_dim), v.dtype))], 1)
        attn_mask, key_padding_mask = _pad_last(attn_mask), _pad_last(key_padding_mask)
    src_len = k.shape[1]
    if key_padding_mask is not None:  # merged into attn_mask, per batch item and head
        if key_padding_mask.shape[0] != bsz:
            raise AssertionError(f"Expected key_padded_mask.shape[0] to be {bsz}, but got "
                                 f"{key_padding_mask.shape[0]}")
        if key_padding_mask.shape[1] != src_len:
            raise AssertionError(f"Expected key_padded_mask.shape[1] to be {src_len}, but got "
                                 f"{key_padding_mask.shape[1]}")
        kpm = key_padding_mask.reshape(bsz, 1, 1, src_len).expand(bsz, num_heads, 1, src_len).reshape(
            bsz * num_heads, 1, src_len)
        attn_mask = kpm if attn_mask is None else attn_mask + kpm
    if not training:
        dropout_p = 0.0

    if need_weights:
        q_scaled = q * math.sqrt(1.0 / float(head_dim))
        kt = k.transpose(-2, -1)
        weights = q_scaled.bmm(kt) if attn_mask is None else baddbmm(attn_mask, q_scaled, kt)
        weights = softmax(weights, dim=-1)
        if dropout_p > 0.0:
            if dropout_p > 1.0:  # F.dropout's check
                raise ValueError(f"dropout probability has to be between 0 and 1, but got {dropout_p}")
            weights = dropout(weights, dropout_p)
        out = weights.bmm(v).transpose(0, 1).reshape(tgt_len * bsz, embed_dim)
        out = linear(out, out_proj_weight, out_proj_bias)
        out = out.reshape(tgt_len, bsz, out.shape[1])
        weights = weights.reshape(bsz, num_heads, tgt_len, src_len)
        if average_attn_weights:
            weights = weights.mean(dim=1)
        if not batched:
            out, weights = out.squeeze(1), weights.squeeze(0)
        return out, weights
    if attn_mask is not None:  # (1, L, S) or (N·heads, L|1, S) -> broadcastable to (N, heads, L, S)
        if attn_mask.shape[0] == 1 and attn_mask.ndim == 3:
            attn_mask = attn_mask.unsqueeze(0)
        else:
            attn_mask = attn_mask.reshape(bsz, num_heads, -1, src_len)
    q = q.reshape(bsz, num_heads, tgt_len, head_dim)
    k = k.reshape(bsz, num_heads, src_len, head_dim)
    v = v.reshape(bsz, num_heads, src_len, head_dim)
    out = scaled_dot_product_attention(q, k, v, attn_mask, dropout_p, is_causal)
    out = out.permute(2, 0, 1, 3).reshape(bsz * tgt_len, embed_dim)
    out = linear(out, out_proj_weight, out_proj_bias)
    out = out.reshape(tgt_len, bsz, out.shape[1])
    return (out if batched else out.squeeze(1)), None
