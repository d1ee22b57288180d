"""ModuleSpecs of refgrad.nn.modules.attention: MultiheadAttention.

torch's side runs under its math backend (``sdpa_kernel(SDPBackend.MATH)``), as the functional spec does
(oracle/specs/attention.py): with need_weights=False torch's module calls scaled_dot_product_attention, whose CPU
flash kernel has no double backward. torch's fused fast path (``_native_multi_head_attention``) is never taken in
these checks: it requires that no parameter needs a gradient.

Masks: boolean (True: masked out) or additive float, some float masks holding -inf; the first key is never masked,
so no query row is masked from every key (softmax's nan with need_weights=True: tests/test_attention.py checks
those rows). is_causal comes with the causal mask itself as attn_mask, as torch asks of its callers.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from ... import strategies as S
from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec

QK = S.Domain(-1.0, 1.0)  # query and key values: the scores stay O(1) (see oracle/specs/attention.py)


def math_backend_module(build):
    """A torch module factory whose modules run forward under torch's math backend of scaled_dot_product_attention
    (the backend with a double backward); ``build(*args, **kwargs)`` makes the module."""

    def factory(*args, **kwargs):
        from torch.nn.attention import SDPBackend, sdpa_kernel

        module = build(*args, **kwargs)
        forward = module.forward

        def forward_with_math_backend(*inputs, **forward_kwargs):
            with sdpa_kernel(SDPBackend.MATH):
                return forward(*inputs, **forward_kwargs)

        module.forward = forward_with_math_backend
        return module

    return factory


def _torch_mha(*args, **kwargs):
    import torch

    return torch.nn.MultiheadAttention(*args, **kwargs)


def draw_mask(draw, dtype, shape, kind: str):
    """A boolean mask (True: masked out), an additive float one, or a float one with -inf at some entries; the
    first key (last dim) is never masked."""
    if kind == "bool":
        mask = draw(hnp.arrays(bool, shape))
        mask[..., :1] = False
        return mask
    mask = draw(S.arrays(dtype, shape))
    if kind == "float_inf":
        hidden = draw(hnp.arrays(bool, shape))
        hidden[..., :1] = False
        mask = np.where(hidden, dtype.type(-np.inf), mask)
    return mask


def causal_mask(L: int, S_: int) -> np.ndarray:
    """The boolean causal mask (True above the diagonal: a later key is masked out)."""
    return ~np.tri(L, S_, dtype=bool)


def _layout(batch_first: bool, batched: bool, N: int, length: int, features: int) -> tuple:
    if not batched:
        return (length, features)
    return (N, length, features) if batch_first else (length, N, features)


def mha_cases(dropout: bool = False, self_attention: bool = False):
    """MultiheadAttention cases: 1 or 2 heads of size 1 or 2; bias, add_bias_kv, add_zero_attn, kdim/vdim (separate
    projections), batch_first drawn; batched (N from 0) or unbatched inputs; key_padding_mask and attn_mask (2-D
    or 3-D), each boolean, float or float with -inf; need_weights, average_attn_weights and is_causal drawn.
    ``self_attention``: one input x for query, key and value (torch's packed in-projection path: query is key is
    value). ``dropout``: dropout in (0, 1] (the spec runs in eval mode), else 0."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            heads, head_dim = draw(st.integers(1, 2)), draw(st.integers(1, 2))
            E = heads * head_dim
            separate = not self_attention and draw(st.booleans())
            kwargs = {"embed_dim": E, "num_heads": heads, "bias": draw(st.booleans()),
                      "add_bias_kv": draw(st.booleans()), "add_zero_attn": draw(st.booleans()),
                      "batch_first": draw(st.booleans())}
            if dropout:
                kwargs["dropout"] = draw(st.sampled_from([0.1, 0.5, 1.0]))
            if separate:
                kwargs["kdim"], kwargs["vdim"] = draw(st.integers(1, 3)), draw(st.integers(1, 3))
            kdim, vdim = kwargs.get("kdim", E), kwargs.get("vdim", E)
            batched = draw(st.booleans())
            N = draw(st.integers(0, 2)) if batched else 1
            L = draw(st.integers(1, 3))
            S_ = L if self_attention else draw(st.integers(1, 3))
            query = draw(S.arrays(dtype, _layout(kwargs["batch_first"], batched, N, L, E), QK))
            forward = {"need_weights": draw(st.booleans()), "average_attn_weights": draw(st.booleans())}
            # with N = 0 and need_weights=False torch cannot view a merged (0, ., S) mask per head (the functional
            # spec's ERRORS): masks are drawn for N >= 1
            if N >= 1:
                lead = (N,) if batched else ()
                kpm = draw(st.sampled_from(["none", "bool", "float", "float_inf"]))
                if kpm != "none":
                    forward["key_padding_mask"] = draw_mask(draw, dtype, (*lead, S_), kpm)
                am = draw(st.sampled_from(["none", "bool", "float", "float_inf", "causal"]))
                if am == "causal":
                    forward["attn_mask"], forward["is_causal"] = causal_mask(L, S_), True
                elif am != "none":
                    shape = (N * heads, L, S_) if draw(st.booleans()) else (L, S_)
                    forward["attn_mask"] = draw_mask(draw, dtype, shape, am)
            if self_attention:
                return ModuleCase((), kwargs, (query,), forward)
            key = draw(S.arrays(dtype, _layout(kwargs["batch_first"], batched, N, S_, kdim), QK))
            value = draw(S.arrays(dtype, _layout(kwargs["batch_first"], batched, N, S_, vdim)))
            return ModuleCase((), kwargs, (query, key, value), forward)

        return draw_case()

    return cases


def _self_attention(lib: str):
    """MultiheadAttention called as self-attention, ``module(x, **kw) = mha(x, x, x, **kw)``: one tensor for all
    three (the harness would make three)."""

    def build(*args, **kwargs):
        if lib == "torch":
            import torch
            base = torch.nn.MultiheadAttention
        else:
            import refgrad
            base = refgrad.nn.MultiheadAttention

        class SelfAttention(base):
            def forward(self, x, **forward_kwargs):
                return super().forward(x, x, x, **forward_kwargs)

        return SelfAttention(*args, **kwargs)

    return build


DROPOUT_REASON = ("dropout > 0 is random in training: eval mode here; tests/test_transformer.py checks the training "
                  "form by structure (and p=0 runs in both modes in the other variants)")

MODULE_SPECS = [
    ModuleSpec("MultiheadAttention", mha_cases(), torch=math_backend_module(_torch_mha)),
    ModuleSpec("MultiheadAttention", mha_cases(self_attention=True), variant="self_attention",
               ref=_self_attention("refgrad"), torch=math_backend_module(_self_attention("torch"))),
    ModuleSpec("MultiheadAttention", mha_cases(dropout=True), variant="dropout", modes=("eval",),
               modes_reason=DROPOUT_REASON, torch=math_backend_module(_torch_mha)),
]


def _ones(*shape, dtype="float32"):
    return np.ones(shape, dtype)


ERRORS = {
    "MultiheadAttention": (
        ModuleErrorCase("zero embed_dim", (0, 2), fragments=("embed_dim=0", "num_heads=2")),
        ModuleErrorCase("negative num_heads", (4, -1), fragments=("embed_dim=4", "num_heads=-1")),
        ModuleErrorCase("not divisible", (5, 2), fragments=("embed_dim must be divisible by num_heads",)),
        ModuleErrorCase("query embed", (4, 2), inputs=(_ones(3, 2, 6), _ones(3, 2, 6), _ones(3, 2, 6)),
                        fragments=("embedding dimension of 4", "6")),
        ModuleErrorCase("query rank", (4, 2), inputs=(_ones(3, 2, 1, 4), _ones(3, 2, 4), _ones(3, 2, 4)),
                        fragments=("4-D query",)),
        ModuleErrorCase("key rank", (4, 2), inputs=(_ones(3, 2, 4), _ones(3, 4), _ones(3, 2, 4)),
                        fragments=("2-D", "3-D")),
        ModuleErrorCase("attn_mask shape", (4, 2), inputs=(_ones(3, 2, 4), _ones(5, 2, 4), _ones(5, 2, 4)),
                        forward_kwargs={"attn_mask": _ones(3, 4)}, fragments=("2D attn_mask", "[3, 4]")),
        ModuleErrorCase("attn_mask 3-D shape", (4, 2), inputs=(_ones(3, 2, 4), _ones(5, 2, 4), _ones(5, 2, 4)),
                        forward_kwargs={"attn_mask": _ones(2, 3, 5)}, fragments=("3D attn_mask", "[2, 3, 5]")),
        ModuleErrorCase("key_padding_mask length", (4, 2),
                        inputs=(_ones(3, 2, 4), _ones(5, 2, 4), _ones(5, 2, 4)),
                        forward_kwargs={"key_padding_mask": np.zeros((2, 4), bool)},
                        fragments=("key_padded_mask.shape[1] to be 5", "4")),
        ModuleErrorCase("int mask", (4, 2), inputs=(_ones(3, 2, 4), _ones(5, 2, 4), _ones(5, 2, 4)),
                        forward_kwargs={"attn_mask": np.zeros((3, 5), np.int64)},
                        fragments=("only bool and floating types of attn_mask are supported",)),
        ModuleErrorCase("causal without mask", (4, 2), inputs=(_ones(3, 2, 4), _ones(5, 2, 4), _ones(5, 2, 4)),
                        forward_kwargs={"is_causal": True}, fragments=("Need attn_mask if specifying the is_causal",)),
        ModuleErrorCase("key value lengths", (4, 2), inputs=(_ones(3, 2, 4), _ones(5, 2, 4), _ones(6, 2, 4)),
                        fragments=("key shape", "[5, 2, 4]", "[6, 2, 4]")),
    ),
}
KNOWN_FAILURES: dict = {}
