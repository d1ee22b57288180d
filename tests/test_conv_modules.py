"""What the module harness does not cover for Linear, Bilinear, Embedding, EmbeddingBag and the convolutions,
against torch called here: the default initialization's distribution over a few large modules at fixed seeds (the
two-sample Kolmogorov-Smirnov test of oracle/statistics.py; the harness's init check runs it over many small
configurations), the padding row zeroed at init and kept out of the gradient, max_norm's in-place renormalization,
the sparse gradient's type and rows, from_pretrained's sharing and freezing, the factory kwargs, and repr."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad
from oracle.statistics import ks_p_value
from refgrad.sparse import SparseRowTensor

SIGNIFICANCE = 1e-3  # a distribution differs from torch's when the KS test rejects at this level (fixed seeds)
# (constructor args) for modules whose every parameter is large enough for the KS test (thousands of draws)
INIT_CASES = {
    "Linear": (5, 2000),
    "Bilinear": (5, 3, 1000),
    "Conv2d": (4, 500, 3),
    "Embedding": (1000, 4),
    "Embedding padding_idx": (1000, 4, 7),
}


def _built(lib, name: str, args, seed: int):
    lib.manual_seed(seed)
    return getattr(lib.nn, name.split()[0])(*args)


@pytest.mark.parametrize("name", list(INIT_CASES))
def test_default_initialization_draws_from_torchs_distribution(name):
    ours = dict(_built(refgrad, name, INIT_CASES[name], 0).named_parameters())
    theirs = dict(_built(torch, name, INIT_CASES[name], 0).named_parameters())
    assert list(ours) == list(theirs)
    for key, param in theirs.items():
        ours_values, their_values = ours[key].detach().numpy(), param.detach().numpy()
        assert ours_values.shape == their_values.shape
        p = ks_p_value(ours_values, their_values)
        assert p > SIGNIFICANCE, f"{name}.{key}: KS p-value {p:.2e}"


def test_the_ks_test_sees_a_bound_off_by_a_tenth():
    """Power: Linear's weight with fan_in 5 (bound 1/√5) is told apart from one with fan_in 6 (1/√6)."""
    ours = _built(refgrad, "Linear", (5, 2000), 0).weight.detach().numpy()
    theirs = _built(torch, "Linear", (6, 2000), 0).weight.detach().numpy()
    assert ks_p_value(ours, theirs) < SIGNIFICANCE


@pytest.mark.parametrize("padding_idx", [2, -2])
def test_embedding_padding_row_is_zero_at_init_and_gets_no_gradient(padding_idx):
    index = np.array([[0, 3, 3, 1], [3, 2, 0, 0]])
    for lib in (refgrad, torch):
        lib.manual_seed(0)
        module = lib.nn.Embedding(5, 3, padding_idx=padding_idx)
        assert module.padding_idx == 3 if padding_idx == -2 else padding_idx
        weight = module.weight.detach().numpy()
        assert np.all(weight[module.padding_idx] == 0) and np.all(np.delete(weight, module.padding_idx, 0) != 0)
        module(lib.tensor(index)).sum().backward()
        grad = module.weight.grad.numpy()
        assert np.all(grad[module.padding_idx] == 0)
        assert grad[0].tolist() == [3.0] * 3 if module.padding_idx != 0 else True


def test_embedding_max_norm_renormalizes_the_looked_up_rows_in_place_as_torch():
    weight = np.random.default_rng(0).standard_normal((6, 4)) * 3
    index = np.array([[1, 4], [4, 5]])
    ours = refgrad.nn.Embedding(6, 4, max_norm=1.5, norm_type=3.0, _weight=refgrad.tensor(weight.copy()))
    theirs = torch.nn.Embedding(6, 4, max_norm=1.5, norm_type=3.0, _weight=torch.tensor(weight.copy()))
    out, expected = ours(refgrad.tensor(index)), theirs(torch.tensor(index))
    np.testing.assert_allclose(out.detach().numpy(), expected.detach().numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.weight.detach().numpy(), theirs.weight.detach().numpy(), rtol=1e-12)
    untouched = [0, 2, 3]
    assert np.array_equal(ours.weight.detach().numpy()[untouched], weight[untouched])
    assert np.all(np.linalg.norm(ours.weight.detach().numpy()[[1, 4, 5]], 3, axis=1) <= 1.5 + 1e-9)


@pytest.mark.parametrize("module", ["Embedding", "EmbeddingBag"])
def test_sparse_gradient_is_a_sparse_row_tensor_with_torchs_rows_and_values(module):
    weight = np.random.default_rng(1).standard_normal((6, 3))
    index = np.array([[1, 4, 1], [5, 0, 0]])
    grads = []
    for lib in (refgrad, torch):
        emb = getattr(lib.nn, module).from_pretrained(lib.tensor(weight.copy()), freeze=False, sparse=True)
        out = emb(lib.tensor(index))
        (out * lib.tensor(np.arange(out.numel(), dtype=np.float64).reshape(out.shape))).sum().backward()
        grads.append(emb.weight.grad)
    ours, theirs = grads
    assert isinstance(ours, SparseRowTensor) and ours.is_sparse and theirs.is_sparse
    ours, theirs = ours.coalesce(), theirs.coalesce()
    assert ours.indices().numpy().tolist() == theirs.indices().numpy().tolist()
    np.testing.assert_allclose(ours.values().numpy(), theirs.values().numpy(), rtol=1e-12)


@pytest.mark.parametrize("module", ["Embedding", "EmbeddingBag"])
@pytest.mark.parametrize("freeze", [True, False])
def test_from_pretrained_shares_the_tensor_and_freezes_as_torch(module, freeze):
    embeddings = refgrad.tensor(np.arange(12.0).reshape(4, 3))
    ours = getattr(refgrad.nn, module).from_pretrained(embeddings, freeze=freeze)
    theirs = getattr(torch.nn, module).from_pretrained(torch.arange(12.0).reshape(4, 3), freeze=freeze)
    assert ours.weight.requires_grad == theirs.weight.requires_grad == (not freeze)
    assert np.shares_memory(ours.weight.detach().numpy(), embeddings.numpy())
    assert (ours.num_embeddings, ours.embedding_dim) == (theirs.num_embeddings, theirs.embedding_dim) == (4, 3)


FACTORY_CASES = [("Linear", (3, 2)), ("Bilinear", (3, 2, 4)), ("Embedding", (5, 2)), ("EmbeddingBag", (5, 2)),
                 ("Conv1d", (4, 2, 3)), ("Conv2d", (2, 4, (2, 3))), ("ConvTranspose1d", (4, 2, 3)),
                 ("ConvTranspose2d", (2, 4, 3))]


@pytest.mark.parametrize("name,args", FACTORY_CASES)
def test_factory_dtype_and_parameter_shapes_as_torch(name, args):
    ours = getattr(refgrad.nn, name)(*args, dtype=refgrad.float64)
    theirs = getattr(torch.nn, name)(*args, dtype=torch.float64)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == \
        [(k, tuple(v.shape)) for k, v in theirs.state_dict().items()]
    assert all(p.dtype == np.float64 for p in ours.parameters())


REPR_CASES = [
    ("Bilinear", (3, 4, 5), {"bias": False}),
    ("Embedding", (5, 3), {"padding_idx": -1, "max_norm": 1.0, "norm_type": 1.0, "scale_grad_by_freq": True}),
    ("Embedding", (5, 3), {"sparse": True}),
    ("EmbeddingBag", (5, 3), {"padding_idx": -2, "max_norm": 2.0, "mode": "max"}),
    ("EmbeddingBag", (5, 3), {}),
    ("Conv1d", (4, 6, 3), {"padding": "same", "padding_mode": "reflect", "dilation": 2}),
    ("Conv1d", (4, 6, 3), {"padding": "valid", "bias": False}),
    ("Conv2d", (4, 6, (2, 3)), {"stride": (2, 1), "padding": (1, 0), "groups": 2, "padding_mode": "circular"}),
    ("ConvTranspose1d", (4, 6, 3), {"stride": 2, "output_padding": 1}),
    ("ConvTranspose2d", (4, 6, 3), {"padding": 1, "dilation": (1, 2), "groups": 2, "bias": False}),
]


@pytest.mark.parametrize("name,args,kwargs", REPR_CASES)
def test_repr_as_torch(name, args, kwargs):
    assert repr(getattr(refgrad.nn, name)(*args, **kwargs)) == repr(getattr(torch.nn, name)(*args, **kwargs))


@pytest.mark.parametrize("name", ["Conv1d", "Conv2d"])
@pytest.mark.parametrize("kernel,dilation", [(4, 1), (3, 2), (2, 3)])
def test_same_padding_for_the_padding_modes_pads_as_torch(name, kernel, dilation):
    """torch's _reversed_padding_repeated_twice: an odd total puts the extra element on the right."""
    ours = getattr(refgrad.nn, name)(2, 2, kernel, padding="same", dilation=dilation, padding_mode="replicate")
    theirs = getattr(torch.nn, name)(2, 2, kernel, padding="same", dilation=dilation, padding_mode="replicate")
    assert list(ours._reversed_padding_repeated_twice) == list(theirs._reversed_padding_repeated_twice)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("d", [1, 2], ids=["conv1d", "conv2d"])
def test_convolution_adds_its_bias_into_the_product(d, dtype):
    """The bias goes into the product's own array (addmm's way, as torch's kernels start their output from it): a
    convolution with a bias holds no more memory at its peak than one without, where adding it afterwards made a
    second output-sized array."""
    import tracemalloc

    rng = np.random.default_rng(7)
    # (outputs of 262,144 values: NumPy's iterator buffers a broadcast add in chunks of 8,192, a small share of it)
    x = refgrad.tensor(rng.standard_normal((8, 16) + ((1024,), (32, 32))[d - 1]).astype(dtype), requires_grad=True)
    w = refgrad.tensor(rng.standard_normal((32, 16) + (3,) * d).astype(dtype), requires_grad=True)
    b = refgrad.tensor(rng.standard_normal(32).astype(dtype), requires_grad=True)
    conv = getattr(refgrad.nn.functional, f"conv{d}d")
    peaks = {}
    for bias in (None, b):
        tracemalloc.start()
        out = conv(x, w, bias, padding=1)
        peaks[bias is None] = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peaks[False] - peaks[True] < 0.5 * out.detach().numpy().nbytes
