"""ModuleSpecs of refgrad.nn.modules.sparse: Embedding, EmbeddingBag (and their from_pretrained).

The weight's gradient is torch's rule for the lookup, compared with torch (vjp_torch): none for the padding row,
divided by each row's frequency with scale_grad_by_freq; max_norm renormalizes the looked-up rows in place at forward,
outside the graph. With sparse=True both gradients are sparse (torch's COO, refgrad's SparseRowTensor) and the
harness compares them densified; that the gradient is sparse is tests/test_conv_modules.py's.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_spec import ModuleCase, ModuleErrorCase, ModuleSpec


def _indices(draw, shape, rows: int) -> np.ndarray:
    return draw(S.index_arrays(shape, rows)).astype(draw(st.sampled_from([np.int64, np.int32])))


def _table_kwargs(draw, rows: int, dim: int) -> dict:
    """padding_idx (negative: counted from the end), max_norm / norm_type and scale_grad_by_freq / sparse, each
    drawn or left at its default."""
    kwargs = {}
    if draw(st.booleans()):
        kwargs["padding_idx"] = draw(st.integers(-rows, rows - 1))
    if draw(st.booleans()):
        kwargs["max_norm"] = draw(st.sampled_from([0.5, 1.0, 2.5]))
        if draw(st.booleans()):  # the inf norm of an empty row is an error in both
            kwargs["norm_type"] = draw(st.sampled_from([1.0, 2.0, 3.0] + ([float("inf")] if dim else [])))
    # torch refuses scale_grad_by_freq with sparse gradients (at backward): one or the other
    kwargs[draw(st.sampled_from(["scale_grad_by_freq", "sparse"]))] = draw(st.booleans())
    return kwargs


def _embedding_cases(pretrained: bool):
    def cases(dtype):
        @st.composite
        def draw_case(draw):
            rows, dim = draw(st.integers(1, 6)), draw(st.integers(0, 4))
            kwargs = _table_kwargs(draw, rows, dim)
            # torch's sparse backward with a padding_idx fails on a 0-d input ("too many indices for tensor of
            # dimension 0"): 1 to 3 dims there
            least = 1 if kwargs.get("sparse") and "padding_idx" in kwargs else 0
            index = _indices(draw, draw(S.shapes(least, 3, max_side=4)), rows)
            if pretrained:
                kwargs["freeze"] = draw(st.booleans())
                return ModuleCase((draw(S.arrays(dtype, (rows, dim))),), kwargs, (index,))
            if draw(st.booleans()):
                kwargs["_freeze"] = draw(st.booleans())
            return ModuleCase((rows, dim), kwargs, (index,))

        return draw_case()

    return cases


def _bag_cases(per_sample_weights: bool, pretrained: bool = False):
    """2-D input (fixed-length bags) or 1-D input and offsets (include_last_offset: the last offset is the input's
    end; short of it torch's CPU mean divides by the wrong count, see F.embedding_bag). scale_grad_by_freq only where
    one row is looked up: torch's CPU kernel divides each row's gradient by another row's count otherwise."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            # embedding_dim from 1: torch's CPU kernel refuses 0 ("Expected i < index_size to be true")
            rows, dim = draw(st.integers(1, 6)), draw(st.integers(1, 4))
            kwargs = {"mode": "sum" if per_sample_weights else draw(st.sampled_from(["sum", "mean", "max"]))}
            table = _table_kwargs(draw, rows, dim)
            if kwargs["mode"] == "max":  # torch refuses both with max
                table.pop("sparse", None)
                table.pop("scale_grad_by_freq", None)
            kwargs.update(table)
            if draw(st.booleans()):
                index = _indices(draw, (draw(st.integers(0, 4)), draw(st.integers(1, 4))), rows)
                inputs = (index,)
            else:
                index = _indices(draw, (draw(st.integers(0, 10)),), rows)
                cuts = sorted(draw(st.lists(st.integers(0, index.size), max_size=4)))
                last = draw(st.booleans())
                offsets = np.array([0, *cuts] + ([index.size] if last else []), np.int64)
                if last:
                    kwargs["include_last_offset"] = True
                inputs = (index, offsets.astype(index.dtype))
            if kwargs.get("scale_grad_by_freq"):
                inputs = (np.full_like(index, draw(st.integers(0, rows - 1))),) + inputs[1:]
            forward = {"per_sample_weights": draw(S.arrays(dtype, index.shape))} if per_sample_weights else {}
            if pretrained:
                kwargs["freeze"] = draw(st.booleans())
                return ModuleCase((draw(S.arrays(dtype, (rows, dim))),), kwargs, inputs, forward)
            return ModuleCase((rows, dim), kwargs, inputs, forward)

        return draw_case()

    return cases


def _from_pretrained(lib: str, name: str):
    def build(*args, **kwargs):
        import importlib

        return getattr(importlib.import_module(lib).nn, name).from_pretrained(*args, **kwargs)

    return build


I2 = np.array([1, 2], np.int64)
# torch has no double backward through per_sample_weights ("the derivative for '_embedding_bag_backward' is not
# implemented")
_NO_DOUBLE_BACKWARD = ("state_dict", "forward", "vjp_torch", "init")

MODULE_SPECS = [
    ModuleSpec("Embedding", _embedding_cases(pretrained=False)),
    ModuleSpec("Embedding", _embedding_cases(pretrained=True), variant="from_pretrained",
               ref=_from_pretrained("refgrad", "Embedding"), torch=_from_pretrained("torch", "Embedding"),
               error_cases=(ModuleErrorCase("1-d embeddings", (np.ones(3, np.float32),),
                                            fragments=("expected to be 2-dimensional",)),)),
    ModuleSpec("EmbeddingBag", _bag_cases(per_sample_weights=False)),
    ModuleSpec("EmbeddingBag", _bag_cases(per_sample_weights=True), variant="per_sample_weights",
               checks=_NO_DOUBLE_BACKWARD),
    ModuleSpec("EmbeddingBag", _bag_cases(per_sample_weights=False, pretrained=True), variant="from_pretrained",
               ref=_from_pretrained("refgrad", "EmbeddingBag"), torch=_from_pretrained("torch", "EmbeddingBag"),
               error_cases=(ModuleErrorCase("1-d embeddings", (np.ones(3, np.float32),),
                                            fragments=("expected to be 2-dimensional",)),)),
]

ERRORS = {
    "Embedding": (
        ModuleErrorCase("padding_idx too large", (3, 2), {"padding_idx": 3},
                        fragments=("Padding_idx must be within num_embeddings",)),
        ModuleErrorCase("padding_idx too negative", (3, 2), {"padding_idx": -4},
                        fragments=("Padding_idx must be within num_embeddings",)),
        ModuleErrorCase("_weight shape", (3, 2), {"_weight": np.ones((2, 2), np.float32)},
                        fragments=("Shape of weight does not match",)),
        ModuleErrorCase("index out of range", (3, 2), inputs=(np.array([1, 3], np.int64),),
                        fragments=("index out of range in self",)),
        ModuleErrorCase("float indices", (3, 2), inputs=(np.ones(2, np.float32),),
                        fragments=("'indices'", "Long, Int", "FloatTensor")),
    ),
    "EmbeddingBag": (
        ModuleErrorCase("padding_idx too large", (3, 2), {"padding_idx": 3},
                        fragments=("padding_idx must be within num_embeddings",)),
        ModuleErrorCase("_weight shape", (3, 2), {"_weight": np.ones((3, 3), np.float32)},
                        fragments=("Shape of weight does not match",)),
        ModuleErrorCase("mode", (3, 2), {"mode": "median"}, inputs=(I2, np.zeros(1, np.int64)),
                        fragments=("mode has to be one of sum, mean or max",)),
        ModuleErrorCase("offsets with 2-d input", (3, 2), inputs=(I2.reshape(1, 2), np.zeros(1, np.int64)),
                        fragments=("offsets has to be None",)),
        ModuleErrorCase("no offsets", (3, 2), inputs=(I2,), fragments=("offsets has to be a 1D Tensor but got None",)),
        ModuleErrorCase("per_sample_weights with mean", (3, 2), inputs=(I2.reshape(1, 2),),
                        forward_kwargs={"per_sample_weights": np.ones((1, 2), np.float32)},
                        fragments=("only supported for mode='sum'",)),
    ),
}
KNOWN_FAILURES: dict = {}
