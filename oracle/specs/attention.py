"""Specs for refgrad/nn/functional/attention.py: scaled_dot_product_attention, multi_head_attention_forward.

torch's side runs under its math backend (``sdpa_kernel(SDPBackend.MATH)``): torch's CPU flash kernel, which it
picks for 4-D inputs, has no double backward; tests/test_attention.py compares refgrad with that kernel too.

Query and key values are drawn from (-1, 1): with E <= 4 and |scale| <= 1.5 the scores stay within ±6, so a
float32 rounding of a score (an ulp of 4 is 4.8e-7) moves a softmax weight by far less than the float32
tolerance; scores of ±36 (values in (-3, 3)) make that ulp alone 3.8e-6, which no float32 comparison can judge.

Dropout (random) has the variant ``[dropout]``: refgrad re-seeded before each call, so every call draws one mask,
and torch given that very mask through ``aten._scaled_dot_product_attention_math(dropout_mask=...)``, its testing
entry point, so every check runs against torch there too.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec, RarelyDrawn

QK = S.Domain(-1.0, 1.0)
DROPOUT_SEED = 20260401


def _math_backend(call, *args, **kwargs):
    """call(*args, **kwargs) under torch's math backend."""
    from torch.nn.attention import SDPBackend, sdpa_kernel

    with sdpa_kernel(SDPBackend.MATH):
        return call(*args, **kwargs)


def _torch_sdpa(*args, **kwargs):
    import torch

    return _math_backend(torch._C._nn.scaled_dot_product_attention, *args, **kwargs)


# ---- scaled_dot_product_attention ------------------------------------------------------------------------
def _batch_of_kv(draw, q_batch: tuple, heads_kv: int | None) -> tuple:
    """key / value batch dims: q's, some of them 1 (broadcast), leading ones possibly dropped; with GQA the heads
    dim (-3) is heads_kv and none is dropped."""
    dims = [draw(st.sampled_from([d, 1])) for d in q_batch]
    if heads_kv is not None:
        return tuple(dims[:-1]) + (heads_kv,)
    return tuple(dims[draw(st.integers(0, len(dims))):]) if draw(st.booleans()) else tuple(dims)


def _mask_shape(draw, batch: tuple, L: int, S_: int) -> tuple:
    """A shape that broadcasts to the scores' (..., L, S) without enlarging them."""
    choices = [(L, S_), (S_,), (1, S_), (L, 1), batch + (L, S_), (1,) * len(batch) + (L, S_)]
    return draw(st.sampled_from(choices))


def sdpa_cases(mask_kinds=("none", "bool", "float", "causal"), gqa: bool = True, dropout: bool = False,
               neg_inf_masks: bool = False):
    """query (..., L, E), key (..., S, E), value (..., S, Ev): 2-D to 4-D, sizes 0 included, batch dims
    broadcast; the mask (bool, additive float or causal), scale (None, positive, negative, 0) and enable_gqa
    drawn; with gqa, key and value have fewer heads, each dividing the query's."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            rank = draw(st.sampled_from([2, 3, 3, 4, 4]))
            L, S_ = draw(st.integers(0, 4)), draw(st.integers(0, 4))
            E, Ev = draw(st.integers(0, 4)), draw(st.integers(1, 4))
            if rank == 4:
                q_batch = (draw(st.integers(0, 2)), draw(st.integers(1, 3)))
            else:
                q_batch = tuple(draw(st.integers(0, 3)) for _ in range(rank - 2))
            use_gqa = gqa and rank >= 3 and q_batch[-1] >= 1 and draw(st.booleans())
            heads_k = heads_v = None
            if use_gqa:
                hq = q_batch[-1]
                divisors = [d for d in range(1, hq + 1) if hq % d == 0]
                heads_k, heads_v = draw(st.sampled_from(divisors)), draw(st.sampled_from(divisors))
            k_batch = _batch_of_kv(draw, q_batch, heads_k) if rank > 2 else ()
            v_batch = (k_batch[:-1] + (heads_v,)) if use_gqa else k_batch
            q = draw(S.arrays(dtype, q_batch + (L, E), QK))
            k = draw(S.arrays(dtype, k_batch + (S_, E), QK))
            v = draw(S.arrays(dtype, v_batch + (S_, Ev)))
            kwargs = {}
            kind = draw(st.sampled_from(mask_kinds))
            batch = tuple(np.broadcast_shapes(q_batch, k_batch if not use_gqa else q_batch))
            if kind == "bool":
                kwargs["attn_mask"] = draw(hnp.arrays(bool, _mask_shape(draw, batch, L, S_)))
            elif kind == "float":
                mask = draw(S.arrays(dtype, _mask_shape(draw, batch, L, S_)))
                if neg_inf_masks and mask.size:  # some keys masked by -inf, whole rows included
                    mask = np.where(draw(hnp.arrays(bool, mask.shape)), dtype.type(-np.inf), mask)
                kwargs["attn_mask"] = mask
            elif kind == "causal":
                kwargs["is_causal"] = True
            if draw(st.booleans()):
                kwargs["scale"] = draw(st.sampled_from([None, 0.0, 0.3, 1.5, -0.8]))
            if use_gqa:
                kwargs["enable_gqa"] = True
            elif draw(st.integers(0, 3)) == 0:  # with equal (or broadcast) heads it changes nothing
                kwargs["enable_gqa"] = len(k_batch) >= 1 and rank >= 3 and q_batch[-1] >= 1
            if dropout:
                kwargs["dropout_p"] = draw(st.sampled_from([0.2, 0.5, 0.9]))
            elif draw(st.booleans()):
                kwargs["dropout_p"] = draw(st.sampled_from([0.0, 0, -0.5]))  # no dropout (torch skips p <= 0)
            return Case((q, k, v), kwargs)

        return draw_case()

    return cases


def _refgrad_sdpa_seeded(*args, **kwargs):
    """refgrad's sdpa with its generator re-seeded: every call draws the same dropout mask."""
    import refgrad

    refgrad.manual_seed(DROPOUT_SEED)
    return refgrad.nn.functional.scaled_dot_product_attention(*args, **kwargs)


def _torch_sdpa_same_mask(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                          enable_gqa=False):
    """torch's math backend with the dropout mask refgrad draws after the same re-seeding (found by running
    refgrad's attention dropout on ones of the attention weights' shape), applied as torch's at::dropout applies
    its own: the weights times a noise of 0 and 1/(1-p). (aten's testing entry ``dropout_mask=`` would zero the
    weights with masked_fill instead, which keeps no nan, and scale the value.)"""
    import torch

    import refgrad

    if value.numel() == 0 or query.shape[-2] == 0:  # torch's early return, before any dropout
        return _torch_sdpa(query, key, value, attn_mask, dropout_p, is_causal, scale=scale, enable_gqa=enable_gqa)
    if attn_mask is not None and attn_mask.dtype == torch.bool:  # F.sdpa converts it before the math backend
        attn_mask = torch.zeros(attn_mask.shape, dtype=query.dtype).masked_fill(~attn_mask, -np.inf)
    _, weights = torch.ops.aten._scaled_dot_product_attention_math(query, key, value, attn_mask, 0.0, is_causal,
                                                                   scale=scale, enable_gqa=enable_gqa)
    refgrad.manual_seed(DROPOUT_SEED)
    ones = refgrad.ones(*weights.shape, dtype=np.dtype(str(query.dtype).removeprefix("torch.")))
    noise = torch.from_numpy(np.asarray(refgrad.nn.functional.dropout(ones, dropout_p)._data))
    if enable_gqa and value.shape[-3] != query.shape[-3]:
        value = value.repeat_interleave(query.shape[-3] // value.shape[-3], -3)
    return torch.matmul(weights * noise, value)


# ---- multi_head_attention_forward ------------------------------------------------------------------------
WEIGHTS = S.Domain(-0.5, 0.5)  # projections of inputs in (-1, 1) stay O(1): the scores too (see the module note)
MHA_ARGS = ("query", "key", "value", "embed_dim_to_check", "num_heads", "in_proj_weight", "in_proj_bias", "bias_k",
            "bias_v", "add_zero_attn", "dropout_p", "out_proj_weight", "out_proj_bias")


def _mask(draw, dtype, shape, kind):
    """A bool mask (True: masked out) or an additive float one. The first key is never masked: a query masked from
    every key gets nan weights with need_weights=True (softmax of -infs, as torch), with which no derivative check
    can work (tests/test_attention.py checks those rows against torch)."""
    if kind == "bool":
        mask = draw(hnp.arrays(bool, shape))
        mask[..., :1] = False
        return mask
    return draw(S.arrays(dtype, shape)) if kind == "float" else None


def mha_cases(dropout: bool = False):
    """Every argument of multi_head_attention_forward drawn: batched (L, N, E) or unbatched (L, E) inputs (N may be
    0), 1 or 2 heads of size 1 or 2, packed or separate projections (key and value sizes of their own), biases or
    none, bias_k/bias_v, add_zero_attn, static_k/static_v, key_padding_mask and attn_mask (2-D or 3-D), each bool
    or float, need_weights, average_attn_weights, is_causal (with its required attn_mask), training with
    dropout_p > 0 (dropout: refgrad's mask, shared with torch)."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            # the dropout variant's draws are smaller: the same code, but each numerical Jacobian costs a forward
            # per input element
            heads, head_dim = draw(st.integers(1, 2)), draw(st.integers(1, 1 if dropout else 2))
            E = heads * head_dim
            L, S_ = draw(st.integers(1, 2 if dropout else 3)), draw(st.integers(1, 2 if dropout else 3))
            batched = draw(st.booleans())
            N = draw(st.integers(0, 2)) if batched else 1
            lead = (N,) if batched else ()
            separate = draw(st.booleans())
            kdim, vdim = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if separate else (E, E)

            def w(*shape):
                return draw(S.arrays(dtype, shape, WEIGHTS))

            def maybe(*shape):
                return w(*shape) if draw(st.booleans()) else None

            statics = draw(st.sampled_from(["none", "none", "k", "v", "kv"]))
            with_bias_kv = statics == "none" and draw(st.booleans())
            kw = {
                "query": draw(S.arrays(dtype, (L, *lead, E), QK)),
                "key": draw(S.arrays(dtype, (S_, *lead, kdim), QK)),
                "value": draw(S.arrays(dtype, (S_, *lead, vdim))),
                "embed_dim_to_check": E, "num_heads": heads,
                "in_proj_weight": None if separate else w(3 * E, E),
                "in_proj_bias": maybe(3 * E),
                "bias_k": w(1, 1, E) if with_bias_kv else None, "bias_v": w(1, 1, E) if with_bias_kv else None,
                "add_zero_attn": draw(st.booleans()),
                "dropout_p": draw(st.sampled_from([0.2, 0.5])) if dropout else draw(st.sampled_from([0.0, 0.5])),
                "out_proj_weight": w(E, E), "out_proj_bias": maybe(E),
            }
            # dropout_p > 0 draws only while training: the deterministic spec has it with training=False
            extra = {"training": True if dropout else (kw["dropout_p"] == 0.0 and draw(st.booleans())),
                     "need_weights": draw(st.booleans()), "average_attn_weights": draw(st.booleans())}
            if separate:
                extra.update(use_separate_proj_weight=True, q_proj_weight=w(E, E), k_proj_weight=w(E, kdim),
                             v_proj_weight=w(E, vdim))
            if "k" in statics:
                extra["static_k"] = draw(S.arrays(dtype, (N * heads, S_, head_dim), QK))
            if "v" in statics:
                extra["static_v"] = draw(S.arrays(dtype, (N * heads, S_, head_dim)))
            # with N = 0 and need_weights=False, torch cannot view a merged (N·heads, ., S) mask as (N, heads, -1, S)
            # (refgrad raises alike, see ERRORS): no key_padding_mask nor 3-D attn_mask is drawn there
            view_fails = N == 0 and not extra["need_weights"]
            kpm = "none" if view_fails else draw(st.sampled_from(["none", "bool", "float"]))
            if kpm != "none":
                extra["key_padding_mask"] = _mask(draw, dtype, (*lead, S_), kpm)
            am = draw(st.sampled_from(["none", "bool", "float"]))
            if am != "none":
                three_d = not view_fails and draw(st.booleans())
                extra["attn_mask"] = _mask(draw, dtype, (N * heads, L, S_) if three_d else (L, S_), am)
                if draw(st.integers(0, 2)) == 0:
                    extra["is_causal"] = True
            args = tuple(kw[name] for name in MHA_ARGS)
            return Case(args, extra)

        return draw_case()

    return cases


def _without_none(result):
    """(output, weights) without a None weights (need_weights=False): the checks compare tensors."""
    return tuple(r for r in result if r is not None)


def _refgrad_mha(*args, **kwargs):
    import refgrad

    return _without_none(refgrad.nn.functional.multi_head_attention_forward(*args, **kwargs))


def _torch_mha(*args, **kwargs):
    import torch

    return _without_none(_math_backend(torch.nn.functional.multi_head_attention_forward, *args, **kwargs))


def _refgrad_mha_seeded(*args, **kwargs):
    import refgrad

    refgrad.manual_seed(DROPOUT_SEED)
    return _refgrad_mha(*args, **kwargs)


def _torch_mha_same_mask(*args, **kwargs):
    """torch's function with its two dropout calls (F.dropout on the weights with need_weights, else the one inside
    scaled_dot_product_attention) given refgrad's mask, drawn after the same re-seeding."""
    import torch

    import refgrad

    def same_dropout(weights, p=0.5, training=True, inplace=False):
        refgrad.manual_seed(DROPOUT_SEED)
        ones = refgrad.ones(*weights.shape, dtype=np.dtype(str(weights.dtype).removeprefix("torch.")))
        return weights * torch.from_numpy(np.asarray(refgrad.nn.functional.dropout(ones, p)._data))

    F = torch.nn.functional
    saved = F.dropout, F.scaled_dot_product_attention
    F.dropout, F.scaled_dot_product_attention = same_dropout, _torch_sdpa_same_mask
    try:
        return _without_none(F.multi_head_attention_forward(*args, **kwargs))
    finally:
        F.dropout, F.scaled_dot_product_attention = saved


SPECS = [
    OpSpec("nn.functional.scaled_dot_product_attention", sdpa_cases(), torch=_torch_sdpa),
    # additive masks holding -inf (whole rows of them too): the safe softmax's zero rows; the mask is no leaf
    OpSpec("nn.functional.scaled_dot_product_attention", sdpa_cases(("float",), neg_inf_masks=True),
           variant="neg_inf_mask", torch=_torch_sdpa, grad_args=(0, 1, 2)),
    OpSpec("nn.functional.scaled_dot_product_attention", sdpa_cases(("none", "bool", "causal"), dropout=True),
           variant="dropout", ref=_refgrad_sdpa_seeded, torch=_torch_sdpa_same_mask),
    OpSpec("nn.functional.multi_head_attention_forward", mha_cases(), ref=_refgrad_mha, torch=_torch_mha),
    OpSpec("nn.functional.multi_head_attention_forward", mha_cases(dropout=True), variant="dropout",
           ref=_refgrad_mha_seeded, torch=_torch_mha_same_mask),
]


# ---- bad inputs ----------------------------------------------------------------------------------------------
Q, K = C.ones(2, 3, 4), C.ones(2, 5, 4)
ERRORS = {
    "nn.functional.scaled_dot_product_attention": (
        C.bad("causal_and_mask", Q, K, K, attn_mask=C.ones(3, 5), is_causal=True,
              says="Explicit attn_mask should not be set when is_causal=True"),
        C.bad("dtypes_differ", Q, C.ones(2, 5, 4, dtype=np.float64), K,
              says="query.dtype: float key.dtype: double and value.dtype: float"),
        C.bad("one_dim", C.ones(4), K, K, says=("at least 2 dimensional", "query.dim: 1")),
        C.bad("mask_dtype_int", Q, K, K, attn_mask=C.ones(3, 5, dtype=np.int64),
              says="attn_mask.dtype: long int and  query.dtype: float"),
        C.bad("mask_dtype_double", Q, K, K, attn_mask=C.ones(3, 5, dtype=np.float64),
              says="attn_mask.dtype: double"),
        C.bad("mask_enlarges", Q, K, K, attn_mask=C.ones(3, 2, 3, 5, dtype=np.bool),
              says="output with shape [2, 3, 5] doesn't match the broadcast shape [3, 2, 3, 5]"),
        C.bad("mask_mismatch", Q, K, K, attn_mask=C.ones(4, 5),
              says="The size of tensor a (3) must match the size of tensor b (4)"),
        C.bad("embed_mismatch", Q, C.ones(2, 5, 3), K,
              says="Expected size for first two dimensions of batch2 tensor to be: [2, 4] but got: [2, 3]."),
        C.bad("kv_lengths_differ", Q, K, C.ones(2, 6, 4),
              says="Expected size for first two dimensions of batch2 tensor to be: [2, 5] but got: [2, 6]."),
        C.bad("batch_mismatch", Q, C.ones(3, 5, 4), C.ones(3, 5, 4),
              says="The size of tensor a (2) must match the size of tensor b (3)"),
        C.bad("gqa_not_dividing", C.ones(1, 3, 3, 4), C.ones(1, 2, 5, 4), C.ones(1, 2, 5, 4), enable_gqa=True,
              says="Number of heads in key and value must divide the number of heads in"),
        C.bad("gqa_two_dims", C.ones(3, 4), C.ones(5, 4), C.ones(5, 4), enable_gqa=True,
              says="Dimension out of range (expected to be in range of [-2, 1], but got -3)"),
        C.bad("heads_differ", C.ones(1, 4, 3, 4), C.ones(1, 2, 5, 4), C.ones(1, 2, 5, 4),
              says="The size of tensor a (4) must match the size of tensor b (2)"),
        C.bad("dropout_above_one", Q, K, K, dropout_p=1.5,
              says="dropout probability has to be between 0 and 1, but got 1.5"),
        C.bad("int_inputs", C.ones(2, 3, 4, dtype=np.int64), C.ones(2, 5, 4, dtype=np.int64),
              C.ones(2, 5, 4, dtype=np.int64), says="expected scalar type Float but found Long"),
        C.bad("query_list", [[1.0]], K, K, says=("'query'", "list")),
        C.bad("mask_list", Q, K, K, attn_mask=[1.0], says=("'attn_mask'", "list")),
        C.bad("is_causal_int", Q, K, K, is_causal=1, says=("'is_causal' must be bool", "int")),
        C.bad("scale_str", Q, K, K, scale="a", says=("'scale' must be float", "str")),
        C.bad("dropout_str", Q, K, K, dropout_p="a", says=("'dropout_p' must be float", "str")),
    ),
}

# refgrad's matmul defects at extreme values (linalg's KNOWN_FAILURES: a sum of -0.0 products is +0.0 in NumPy,
# -0.0 in torch's mm; max-sized products overflow in a different order) reach attention too, through weights
# (L, 1) @ value (1, Ev); the ci profile's cases draw them for multi_head_attention_forward in float64 (float32 too,
# rarely drawn).
_MHA_MATMUL = ("refgrad's matmul at extreme values (see linalg's _MATMUL) reaches the projections' gradients: e.g. a "
               "value gradient -inf in refgrad where torch's BLAS order gives nan")
# the thorough profile's examples draw the same defect in scaled_dot_product_attention (a head dim of 0: the empty
# scores' product is +0.0; output rows of max-sized values summed in another order)
_SDPA_MATMUL = RarelyDrawn("refgrad's matmul at extreme values (see linalg's _MATMUL): e.g. an output entry 0.0 in "
                           "refgrad, -0.0 in torch (weights @ a value column of -0.0)")
KNOWN_FAILURES = {
    # not strict in float64 either: on an Intel Xeon's torch the ci profile's cases agree with refgrad's order
    "nn.functional.multi_head_attention_forward": {"extremes": RarelyDrawn(_MHA_MATMUL)},
    # the same, drawn by the thorough profile (float64, seed 1): a key projection (-max)·(-max) + (-inf)·max is nan in
    # torch and -inf in refgrad (NumPy's product of several rows gives -inf, of one row nan, as torch); that query's
    # scores are then all -inf, its weights 0, and the value gradients 0.0 where torch's are nan
    "nn.functional.multi_head_attention_forward[dropout]": {"extremes": RarelyDrawn(_MHA_MATMUL)},
    **{op: {"extremes": _SDPA_MATMUL} for op in ("nn.functional.scaled_dot_product_attention",
                                                 "nn.functional.scaled_dot_product_attention[neg_inf_mask]",
                                                 "nn.functional.scaled_dot_product_attention[dropout]")},
}


def _mha_bad(id, *, says, L=3, S=4, N=2, E=4, heads=2, query=None, key=None, value=None, bias_k=None, bias_v=None,
             dropout_p=0.0, **kwargs):
    """An ErrorCase of multi_head_attention_forward: float32 inputs (L, N, E) with packed projections, one thing
    changed."""
    q = C.ones(L, N, E) if query is None else query
    k = C.ones(S, N, E) if key is None else key
    v = C.ones(S, N, E) if value is None else value
    args = (q, k, v, E, heads, C.ones(3 * E, E), C.ones(3 * E), bias_k, bias_v, False, dropout_p, C.ones(E, E),
            C.ones(E))
    return C.bad(id, *args, says=says, **kwargs)


ERRORS["nn.functional.multi_head_attention_forward"] = (
    _mha_bad("query_4d", query=C.ones(3, 2, 1, 4), says="query should be unbatched 2D or batched 3D tensor but "
                                                         "received 4-D query tensor"),
    _mha_bad("key_2d", key=C.ones(4, 4), says="expected `key` and `value` to be 3-D but found 2-D and 3-D"),
    _mha_bad("embed_dim", E=4, query=C.ones(3, 2, 5), says="was expecting embedding dimension of 4, but got 5"),
    _mha_bad("heads", heads=3, says="embed_dim 4 not divisible by num_heads 3"),
    _mha_bad("key_value_shapes", value=C.ones(5, 2, 4), says="does not match value shape"),
    _mha_bad("causal_without_mask", is_causal=True, says="Need attn_mask if specifying the is_causal hint"),
    _mha_bad("padding_mask_int", key_padding_mask=C.ones(2, 4, dtype=np.int64),
             says="only bool and floating types of key_padding_mask are supported"),
    _mha_bad("padding_mask_rank", key_padding_mask=C.ones(2, 4, 1, dtype=np.bool),
             says="expected `key_padding_mask` to be `None` or 2-D but found 3-D"),
    _mha_bad("padding_mask_batch", key_padding_mask=C.ones(3, 4, dtype=np.bool),
             says="Expected key_padded_mask.shape[0] to be 2, but got 3"),
    _mha_bad("attn_mask_2d_shape", attn_mask=C.ones(3, 5), says=("The shape of the 2D attn_mask is", "(3, 4)")),
    _mha_bad("attn_mask_3d_shape", attn_mask=C.ones(2, 3, 4), says=("The shape of the 3D attn_mask is", "(4, 3, 4)")),
    _mha_bad("bias_k_alone", bias_k=C.ones(1, 1, 4), says="bias_k is set but bias_v is None"),
    _mha_bad("static_with_bias", bias_k=C.ones(1, 1, 4), bias_v=C.ones(1, 1, 4), static_k=C.ones(4, 4, 2),
             says="bias cannot be added to static key."),
    _mha_bad("static_k_heads", static_k=C.ones(3, 4, 2), says="expecting static_k.size(0) of 4, but got 3"),
    _mha_bad("separate_without_weight", use_separate_proj_weight=True,
             says="use_separate_proj_weight is True but q_proj_weight is None"),
    _mha_bad("dropout_above_one", dropout_p=1.5, says="dropout probability has to be between 0 and 1, but got 1.5"),
    _mha_bad("dropout_above_one_sdpa", dropout_p=1.5, need_weights=False,
             says="dropout probability has to be between 0 and 1, but got 1.5"),
    _mha_bad("empty_batch_mask_view", N=0, need_weights=False, key_padding_mask=C.ones(0, 4, dtype=np.bool),
             says="cannot reshape tensor of 0 elements"),
)
# not a case: a list for query. torch's Python function fails with AttributeError ('list' object has no attribute
# 'dim'); refgrad raises the TypeError of torch's argument parser (multi_head_attention_forward(): argument 'query'
# (position 1) must be Tensor, not list), as its other functions do
