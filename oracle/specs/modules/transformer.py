"""ModuleSpecs of refgrad.nn.modules.transformer: TransformerEncoderLayer, TransformerDecoderLayer,
TransformerEncoder, TransformerDecoder, Transformer.

torch's side runs under its math backend of scaled_dot_product_attention (see oracle/specs/modules/attention.py):
the layers call attention with need_weights=False. torch's fast paths (the fused encoder layer, nested tensors)
require that no parameter needs a gradient, so the checks never take them.

Every constructor argument is drawn: d_model = heads × head size (3 or 4: see HEADS), dim_feedforward, activation
('relu', 'gelu', or a callable: tanh, given to each library as its own function), layer_norm_eps, batch_first,
norm_first, bias; the stacks' num_layers, final norm, enable_nested_tensor. Masks as MultiheadAttention's spec
draws them (bool, float, float with -inf, the causal mask, with is_causal True or, for the stacks, left to
detection), the first key never masked. dropout is 0 in train and eval mode; the ``[dropout]`` variants draw
dropout > 0 and run in eval mode (the training form: tests/test_transformer.py).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec
from ...tolerances import Tol
from .attention import DROPOUT_REASON, causal_mask, draw_mask, math_backend_module

ACTIVATIONS = ("relu", "gelu", "tanh callable")


def _library(lib: str):
    import importlib

    return importlib.import_module(lib)


def _layer_kwargs(lib, kwargs: dict) -> dict:
    """The layer's constructor kwargs in ``lib``: the activation marker 'tanh callable' made lib.tanh."""
    kwargs = dict(kwargs)
    if kwargs.get("activation") == "tanh callable":
        kwargs["activation"] = lib.tanh
    return kwargs


def _layer(name: str, lib_name: str):
    def build(*args, **kwargs):
        lib = _library(lib_name)
        return getattr(lib.nn, name)(*args, **_layer_kwargs(lib, kwargs))

    return build


def _stack(name: str, lib_name: str):
    """TransformerEncoder / TransformerDecoder of ``num_layers`` copies of its layer built from the other kwargs,
    with a final LayerNorm when ``final_norm``."""

    def build(num_layers, final_norm, enable_nested_tensor=None, **layer_kwargs):
        lib = _library(lib_name)
        layer = getattr(lib.nn, f"{name}Layer")(**_layer_kwargs(lib, layer_kwargs))
        norm = lib.nn.LayerNorm(layer_kwargs["d_model"], eps=layer_kwargs["layer_norm_eps"]) if final_norm else None
        extra = {} if enable_nested_tensor is None else {"enable_nested_tensor": enable_nested_tensor}
        return getattr(lib.nn, name)(layer, num_layers, norm, **extra)

    return build


def _transformer(lib_name: str):
    def build(**kwargs):
        lib = _library(lib_name)
        return lib.nn.Transformer(**_layer_kwargs(lib, kwargs))

    return build


def _layout(batch_first: bool, batched: bool, N: int, length: int, features: int) -> tuple:
    if not batched:
        return (length, features)
    return (N, length, features) if batch_first else (length, N, features)


# (heads, head size): d_model 3 or 4. A LayerNorm over 2 features outputs ±1 whatever its input (up to eps), so its
# input gradient is O(1) terms cancelling to ~1e-3: float32 rounding of those terms is then ~5e-6 absolute, in torch
# as in refgrad (both measured against float64), which no 1e-6 comparison can judge. Over 1 feature its normalized
# value is exactly 0 (refgrad's), where torch's float32 kernel leaves a rounding residue of ~1e-6.
HEADS = ((1, 3), (3, 1), (2, 2), (1, 4), (4, 1))


def _features(draw, dtype, shape: tuple) -> np.ndarray:
    """An input whose every row of features is spread out: the drawn values plus a ramp from -1 to 1 over the
    features. A constant row (all zeros, Hypothesis's first choice) is a LayerNorm input of zero variance, whose
    gradient is 1/√eps ≈ 316 times its cotangent per layer: with bias=False, three such norms in a decoder layer
    make gradients of ~1e6, whose float32 rounding (2e-6 relative, both libraries) no 1e-6 comparison can judge."""
    ramp = np.linspace(-1.0, 1.0, shape[-1]).astype(dtype)
    return draw(S.arrays(dtype, shape)) + ramp


def _layer_config(draw, dropout: bool) -> dict:
    heads, head_dim = draw(st.sampled_from(HEADS))
    return {"d_model": heads * head_dim, "nhead": heads, "dim_feedforward": draw(st.integers(1, 4)),
            "dropout": draw(st.sampled_from([0.1, 0.5, 1.0])) if dropout else 0.0,
            "activation": draw(st.sampled_from(ACTIVATIONS)), "layer_norm_eps": draw(st.sampled_from([1e-5, 1e-2])),
            "batch_first": draw(st.booleans()), "norm_first": draw(st.booleans()), "bias": draw(st.booleans())}


def _masks(draw, dtype, forward: dict, prefix: str, N: int, batched: bool, heads: int, L: int, S_: int,
           causal_flag: str | None, detect: bool = False, padding: bool = True) -> None:
    """Draws ``{prefix}mask`` (L, S) or (N·heads, L, S) and ``{prefix}key_padding_mask`` into forward. The causal
    kind sets ``causal_flag`` True, or with ``detect`` leaves it to the stack's detection (flag absent: None) or
    says False; N = 0 gets no masks (torch cannot view a merged empty mask per head)."""
    if N == 0:
        return
    lead = (N,) if batched else ()
    kind = draw(st.sampled_from(["none", "bool", "float", "float_inf", "causal"]))
    name = "mask" if prefix == "" else f"{prefix}_mask"
    if kind == "causal":
        mask = causal_mask(L, S_)
        if draw(st.booleans()):  # the additive form, -inf above the diagonal (what generate_square_subsequent_mask
            mask = np.where(mask, dtype.type(-np.inf), dtype.type(0))  # gives)
        forward[name] = mask
        flag = draw(st.sampled_from([True, None, False] if detect else [True]))
        if flag is not None:
            forward[causal_flag] = flag
    elif kind != "none":
        shape = (N * heads, L, S_) if draw(st.booleans()) else (L, S_)
        forward[name] = draw_mask(draw, dtype, shape, kind)
    if padding:
        kpm = draw(st.sampled_from(["none", "bool", "float", "float_inf"]))
        if kpm != "none":
            key = "src_key_padding_mask" if prefix in ("", "src") else f"{prefix}_key_padding_mask"
            forward[key] = draw_mask(draw, dtype, (*lead, S_), kpm)


def encoder_cases(stack: bool = False, dropout: bool = False):
    def cases(dtype):
        @st.composite
        def draw_case(draw):
            kwargs = _layer_config(draw, dropout)
            if stack:
                kwargs.update(num_layers=draw(st.integers(1, 2)), final_norm=draw(st.booleans()),
                              enable_nested_tensor=draw(st.sampled_from([None, False])))
            batched = draw(st.booleans())
            N = draw(st.integers(0, 2)) if batched else 1
            L = draw(st.integers(1, 3))
            src = _features(draw, dtype, _layout(kwargs["batch_first"], batched, N, L, kwargs["d_model"]))
            forward: dict = {}
            _masks(draw, dtype, forward, "" if stack else "src", N, batched, kwargs["nhead"], L, L,
                   "is_causal", detect=stack)
            return ModuleCase((), kwargs, (src,), forward)

        return draw_case()

    return cases


def decoder_cases(stack: bool = False, dropout: bool = False, transformer: bool = False):
    """Decoder layer / stack cases (tgt, memory), or Transformer's (src, tgt) with ``transformer``."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            kwargs = _layer_config(draw, dropout)
            if transformer:
                kwargs.update(num_encoder_layers=draw(st.integers(1, 2)), num_decoder_layers=draw(st.integers(1, 2)))
            elif stack:
                kwargs.update(num_layers=draw(st.integers(1, 2)), final_norm=draw(st.booleans()))
            batched = draw(st.booleans())
            N = draw(st.integers(0, 2)) if batched else 1
            T, S_ = draw(st.integers(1, 3)), draw(st.integers(1, 3))
            E, heads = kwargs["d_model"], kwargs["nhead"]
            tgt = _features(draw, dtype, _layout(kwargs["batch_first"], batched, N, T, E))
            other = _features(draw, dtype, _layout(kwargs["batch_first"], batched, N, S_, E))
            forward: dict = {}
            if transformer:
                _masks(draw, dtype, forward, "src", N, batched, heads, S_, S_, "src_is_causal", detect=True)
            _masks(draw, dtype, forward, "tgt", N, batched, heads, T, T, "tgt_is_causal", detect=stack or transformer)
            _masks(draw, dtype, forward, "memory", N, batched, heads, T, S_, "memory_is_causal")
            inputs = (other, tgt) if transformer else (tgt, other)
            return ModuleCase((), kwargs, inputs, forward)

        return draw_case()

    return cases


# A layer is 2 (encoder) or 3 (decoder) attention / feed-forward blocks, each ending in a LayerNorm, and the stacks
# and Transformer chain 1 to 4 layers: a composition 2 to 12 normalizations deep, each dividing by the standard
# deviation of 3 or 4 features (small whenever the features nearly agree) and softmaxes in between. Measured over 30
# examples per module (float32 results of each library against torch's float64 result, per element relative to
# |truth| + 1e-3·max|truth|): torch's own float32 results are off by up to 2.7e-4 (Transformer; 2.2e-4 for a single
# decoder layer), refgrad's by the same amount (median ratio refgrad/torch 0.6 to 1.1): rounding amplified ~4500
# times. float32: default tolerances, judged against torch's float64 module (oracle.metrics.compare_to_truth: refgrad
# no less accurate than torch), which this conditioning does not fool. float64 rounding amplified alike is ~5e-13,
# which the default float64 atol of 1e-13 misses (seen: 3.3e-13 in a Transformer's gradient); float64 has no truth
# beyond itself, so it keeps the looser tolerance.
DEEP = "a composition of 2 to 12 LayerNorms over 3-4 features with softmaxes between amplifies rounding ~4500x"
TOLERANCES = {(check, "float64"): Tol(1e-11, 1e-12, reason=DEEP) for check in ("forward", "vjp_torch")}


def _specs(name: str, cases, ref, torch) -> list:
    return [ModuleSpec(name, cases(), ref=ref, torch=math_backend_module(torch), tolerances=TOLERANCES),
            ModuleSpec(name, cases(dropout=True), variant="dropout", ref=ref, torch=math_backend_module(torch),
                       modes=("eval",), modes_reason=DROPOUT_REASON, tolerances=TOLERANCES)]


def _cases(factory, **fixed):
    return lambda dropout=False: factory(dropout=dropout, **fixed)


MODULE_SPECS = [
    *_specs("TransformerEncoderLayer", _cases(encoder_cases), _layer("TransformerEncoderLayer", "refgrad"),
            _layer("TransformerEncoderLayer", "torch")),
    *_specs("TransformerDecoderLayer", _cases(decoder_cases), _layer("TransformerDecoderLayer", "refgrad"),
            _layer("TransformerDecoderLayer", "torch")),
    *_specs("TransformerEncoder", _cases(encoder_cases, stack=True), _stack("TransformerEncoder", "refgrad"),
            _stack("TransformerEncoder", "torch")),
    *_specs("TransformerDecoder", _cases(decoder_cases, stack=True), _stack("TransformerDecoder", "refgrad"),
            _stack("TransformerDecoder", "torch")),
    *_specs("Transformer", _cases(decoder_cases, transformer=True), _transformer("refgrad"),
            _transformer("torch")),
]


def _ones(*shape, dtype="float32"):
    return np.ones(shape, dtype)


ERRORS = {
    "TransformerEncoderLayer": (
        ModuleErrorCase("activation name", (4, 2), {"activation": "tanh"},
                        fragments=("activation should be relu/gelu, not tanh",)),
        ModuleErrorCase("not divisible", (5, 2), fragments=("embed_dim must be divisible by num_heads",)),
        ModuleErrorCase("causal without mask", (4, 2, 8), inputs=(_ones(3, 2, 4),), forward_kwargs={"is_causal": True},
                        fragments=("Need attn_mask if specifying the is_causal hint",)),
        ModuleErrorCase("features", (4, 2, 8), inputs=(_ones(3, 2, 6),),
                        fragments=("embedding dimension of 4", "6")),
    ),
    "TransformerDecoderLayer": (
        ModuleErrorCase("activation name", (4, 2), {"activation": "swish"},
                        fragments=("activation should be relu/gelu, not swish",)),
        ModuleErrorCase("memory features", (4, 2, 8), inputs=(_ones(3, 2, 4), _ones(5, 2, 3)),
                        fragments=("10x3", "4x8")),
    ),
    "Transformer": (
        ModuleErrorCase("batch sizes", (), {"d_model": 4, "nhead": 2, "num_encoder_layers": 1,
                                            "num_decoder_layers": 1, "dim_feedforward": 8},
                        inputs=(_ones(3, 2, 4), _ones(3, 1, 4)),
                        fragments=("the batch number of src and tgt must be equal",)),
        ModuleErrorCase("feature sizes", (), {"d_model": 4, "nhead": 2, "num_encoder_layers": 1,
                                              "num_decoder_layers": 1, "dim_feedforward": 8},
                        inputs=(_ones(3, 2, 4), _ones(3, 2, 6)),
                        fragments=("the feature number of src and tgt must be equal to d_model",)),
    ),
}
KNOWN_FAILURES: dict = {}
