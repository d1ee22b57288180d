"""refgrad.save / refgrad.load: round trips of state dicts and nested objects, the safe .npz layout, and clear
errors for what cannot be saved and for corrupt, truncated or foreign files."""
from __future__ import annotations

import io
import json
import math
import zipfile
from collections import OrderedDict

import numpy as np
import pytest
import torch

import refgrad


def _same(a, b):
    """Deep equality with tensors compared by dtype, shape, values and requires_grad, and NaN equal to NaN."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, refgrad.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.detach().numpy(), b.detach().numpy())
    elif isinstance(a, np.ndarray):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for key in a:
            _same(a[key], b[key])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _same(x, y)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b


NESTED = {
    "model": OrderedDict([("0.weight", refgrad.randn(3, 2)), ("0.bias", refgrad.zeros(3, dtype=refgrad.float64)),
                          ("bn.num_batches_tracked", refgrad.tensor(5)), ("mask", refgrad.tensor([True, False]))]),
    "optimizer": {"state": {0: {"step": 3, "exp_avg": refgrad.ones(3, 2)}}, "param_groups": [{"lr": 1e-3,
                                                                                             "betas": (0.9, 0.999)}]},
    "epoch": 7, "best": float("nan"), "limits": [float("inf"), -float("inf"), -0.0], "name": "run-α", "none": None,
    "flag": True, "array": np.arange(6, dtype=np.int32).reshape(2, 3), "empty": refgrad.zeros(0, 4),
    "scalar": refgrad.tensor(2.5, requires_grad=True), 1.5: "float key", None: "none key",
}


@pytest.mark.parametrize("as_file", [False, True])
def test_nested_round_trip(tmp_path, as_file):
    if as_file:
        buffer = io.BytesIO()
        refgrad.save(NESTED, buffer)
        buffer.seek(0)
        loaded = refgrad.load(buffer)
    else:
        path = tmp_path / "checkpoint.pt"
        refgrad.save(NESTED, path)
        assert path.exists() and not (tmp_path / "checkpoint.pt.npz").exists()  # the name is used as given
        loaded = refgrad.load(str(path))
    _same(NESTED, loaded)
    assert isinstance(loaded["model"], OrderedDict) and not isinstance(loaded["optimizer"], OrderedDict)


def test_module_state_dict_round_trip_and_torch_weights(tmp_path):
    class Lin(refgrad.nn.Module):
        def __init__(self):
            super().__init__()
            self.weight = refgrad.nn.Parameter(refgrad.zeros(2, 3))
            self.register_buffer("running_mean", refgrad.zeros(2))

    source = torch.nn.Linear(3, 2)
    state = {"weight": source.weight.detach(), "running_mean": torch.arange(2.0)}
    model = Lin()
    model.load_state_dict(state)
    refgrad.save(model.state_dict(), tmp_path / "m.npz")
    twin = Lin()
    twin.load_state_dict(refgrad.load(tmp_path / "m.npz"))
    np.testing.assert_array_equal(twin.weight.detach().numpy(), source.weight.detach().numpy())
    np.testing.assert_array_equal(twin.running_mean.numpy(), [0.0, 1.0])


def test_layout_is_a_plain_npz_without_pickles(tmp_path):
    path = tmp_path / "x.npz"
    refgrad.save({"w": refgrad.ones(2), "n": 3}, path)
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["__refgrad__", "t0"]
        header = json.loads(str(archive["__refgrad__"][()]))
    assert header == {"format": "refgrad.save", "version": 1,
                      "root": {"dict": [["w", {"tensor": "t0", "requires_grad": False}], ["n", 3]], "ordered": False}}


@pytest.mark.parametrize("bad", [object(), {"m": refgrad.nn.Sequential()}, {(1, 2): 3}, np.array(["a"]),
                                 {"x": [1, {2, 3}]}])
def test_save_refuses_what_it_cannot_store_safely(tmp_path, bad):
    with pytest.raises(TypeError, match="refgrad.save: cannot save|is not a str, number"):
        refgrad.save(bad, tmp_path / "bad.npz")


def _corrupt_files(tmp_path):
    good = tmp_path / "good.npz"
    refgrad.save({"w": refgrad.ones(100)}, good)
    data = good.read_bytes()
    yield "truncated", data[: len(data) // 2]
    yield "empty", b""
    yield "garbage", b"not a zip file at all" * 10
    yield "flipped", data[:40] + bytes(b ^ 0xFF for b in data[40:80]) + data[80:]
    buffer = io.BytesIO()
    np.save(buffer, np.ones(3))
    yield "bare npy", buffer.getvalue()
    buffer = io.BytesIO()
    np.savez(buffer, w=np.ones(3))
    yield "foreign npz", buffer.getvalue()
    buffer = io.BytesIO()
    np.savez(buffer, __refgrad__=np.array("{not json"))
    yield "bad header", buffer.getvalue()
    buffer = io.BytesIO()
    np.savez(buffer, __refgrad__=np.array(json.dumps({"format": "refgrad.save", "version": 1,
                                                       "root": {"tensor": "t9"}})))
    yield "dangling array", buffer.getvalue()
    buffer = io.BytesIO()
    np.savez(buffer, __refgrad__=np.array(json.dumps({"format": "refgrad.save", "version": 99, "root": 1})))
    yield "future version", buffer.getvalue()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:  # what torch.save writes: a zip holding a pickle
        archive.writestr("archive/data.pkl", b"\x80\x04cos\nsystem\n.")
    yield "torch pickle", buffer.getvalue()
    buffer = io.BytesIO()
    np.savez(buffer, __refgrad__=np.array(json.dumps({"format": "refgrad.save", "version": 1,
                                                       "root": {"tensor": "t0"}})),
             t0=np.array([object()], dtype=object))
    yield "object array", buffer.getvalue()


def test_corrupt_truncated_or_foreign_files_raise_clearly(tmp_path):
    for label, content in _corrupt_files(tmp_path):
        path = tmp_path / f"{label}.npz"
        path.write_bytes(content)
        with pytest.raises(RuntimeError, match="refgrad.load: .*(corrupt|not a refgrad.save file|not a valid|"
                                               "format version)"):
            refgrad.load(path)


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError):
        refgrad.load(tmp_path / "nowhere.npz")
