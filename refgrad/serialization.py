"""refgrad.save / refgrad.load: mirror torch.save / torch.load for state dicts, in a safe format.

The file is a NumPy ``.npz`` archive (a zip of ``.npy`` members) read with ``allow_pickle=False``, so loading
never executes code from the file. Layout:

- ``__refgrad__``: a 0-d unicode array holding JSON: ``{"format": "refgrad.save", "version": 1, "root": node}``;
- ``t0``, ``t1``, ...: one array per tensor or ndarray, in the order the JSON walk meets them.

A node is ``{"tensor": "t0", "requires_grad": false}``, ``{"ndarray": "t1"}``, ``{"dict": [[key, node], ...]}``
(keys are str, int, float, bool or None; order kept; ``"ordered": true`` for an OrderedDict),
``{"list": [node, ...]}``, ``{"tuple": [node, ...]}``, ``{"float": "repr"}`` (repr keeps nan and inf), or a
JSON scalar for a str, int, bool or None. Anything else (a Module, an arbitrary object) is refused at save time:
save a module's ``state_dict()``. Differences from torch: no pickling, so no arbitrary objects; tensors that
shared memory are stored (and loaded) as separate copies; ``map_location`` and ``weights_only`` are accepted and
ignored (a refgrad file only ever holds weights).
"""
from __future__ import annotations

import io
import json
import os
import zipfile
from collections import OrderedDict

import numpy as np

from .tensor import Tensor

_HEADER = "__refgrad__"
_FORMAT = "refgrad.save"
_VERSION = 1


class _Encoder:
    """Walks an object into (JSON-able node, arrays by key)."""

    def __init__(self):
        self.arrays = {}

    def _store(self, array: np.ndarray) -> str:
        if array.dtype.kind not in "biufc":
            raise TypeError(f"refgrad.save: cannot save an array of dtype {array.dtype} (numbers and bools only)")
        key = f"t{len(self.arrays)}"
        self.arrays[key] = array
        return key

    def node(self, obj, path: str):
        if isinstance(obj, Tensor):
            return {"tensor": self._store(obj._data), "requires_grad": obj.requires_grad}
        if isinstance(obj, np.ndarray):
            return {"ndarray": self._store(obj)}
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, (int, np.integer)):
            return int(obj)
        if isinstance(obj, (float, np.floating)):
            return {"float": repr(float(obj))}
        if isinstance(obj, dict):
            for key in obj:
                if not (key is None or isinstance(key, (str, int, float, bool))):
                    raise TypeError(f"refgrad.save: dict key {key!r} at {path or 'the top'} is not a str, number, "
                                    "bool or None")
            items = [[self.node(k, path), self.node(v, f"{path}[{k!r}]")] for k, v in obj.items()]
            return {"dict": items, "ordered": isinstance(obj, OrderedDict)}
        if isinstance(obj, (list, tuple)):
            kind = "list" if isinstance(obj, list) else "tuple"
            return {kind: [self.node(v, f"{path}[{i}]") for i, v in enumerate(obj)]}
        raise TypeError(f"refgrad.save: cannot save an object of type {type(obj).__name__} at {path or 'the top'} "
                        "(tensors, arrays, numbers, strings, None and dicts/lists/tuples of them only; for a module, "
                        "save its state_dict())")


def save(obj, f, pickle_module=None, pickle_protocol=None, _use_new_zipfile_serialization=True) -> None:
    """torch.save(obj, f): writes obj (nested dicts/lists/tuples of tensors, arrays, numbers, strings) to f, a
    path or a binary file object, in the layout of this module's docstring. A path is used as given (NumPy's
    savez would append '.npz')."""
    encoder = _Encoder()
    header = {"format": _FORMAT, "version": _VERSION, "root": encoder.node(obj, "")}
    members = {_HEADER: np.array(json.dumps(header)), **encoder.arrays}
    if isinstance(f, (str, os.PathLike)):
        with open(f, "wb") as file:
            np.savez(file, **members)
    else:
        np.savez(f, **members)


class _Decoder:
    def __init__(self, archive, source: str):
        self.archive, self.source = archive, source

    def _corrupt(self, what: str) -> RuntimeError:
        return RuntimeError(f"refgrad.load: {self.source} is not a valid refgrad.save file ({what})")

    def _array(self, key) -> np.ndarray:
        if not isinstance(key, str) or key == _HEADER or key not in self.archive.files:
            raise self._corrupt(f"the array {key!r} it refers to is missing")
        return self.archive[key]

    def node(self, node):
        if node is None or isinstance(node, (bool, str, int)):
            return node
        if isinstance(node, list) or not isinstance(node, dict):
            raise self._corrupt(f"unexpected entry {node!r}")
        if "tensor" in node:
            return Tensor(self._array(node["tensor"]), requires_grad=bool(node.get("requires_grad", False)))
        if "ndarray" in node:
            return self._array(node["ndarray"])
        if "float" in node:
            try:
                return float(node["float"])
            except (TypeError, ValueError):
                raise self._corrupt(f"bad float {node['float']!r}") from None
        if "dict" in node:
            pairs = [(self.node(k), self.node(v)) for k, v in node["dict"]]
            return OrderedDict(pairs) if node.get("ordered") else dict(pairs)
        if "list" in node:
            return [self.node(v) for v in node["list"]]
        if "tuple" in node:
            return tuple(self.node(v) for v in node["tuple"])
        raise self._corrupt(f"unknown entry {sorted(node)}")


def load(f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args):
    """torch.load(f): reads what refgrad.save wrote (a path or a binary file object). Tensors come back as
    refgrad tensors, with their dtype and requires_grad. The archive is read with allow_pickle=False; a file that
    is not a refgrad.save file, or is corrupt or truncated, raises RuntimeError saying so."""
    source = repr(os.fspath(f)) if isinstance(f, (str, os.PathLike)) else "the file"
    data = f
    if not isinstance(f, (str, os.PathLike)):
        data = io.BytesIO(f.read())  # np.load closes nothing it did not open; read once, parse from memory
    try:
        archive = np.load(data, allow_pickle=False)
        if not hasattr(archive, "files") or _HEADER not in archive.files:  # a bare .npy, or another .npz
            raise RuntimeError(f"refgrad.load: {source} is not a refgrad.save file (no {_HEADER} entry)")
        with archive:
            header = json.loads(str(archive[_HEADER][()]))
            if not isinstance(header, dict) or header.get("format") != _FORMAT:
                raise RuntimeError(f"refgrad.load: {source} is not a refgrad.save file")
            if header.get("version") != _VERSION:
                raise RuntimeError(f"refgrad.load: {source} has format version {header.get('version')}; this "
                                   f"refgrad reads version {_VERSION}")
            return _Decoder(archive, source).node(header["root"])
    except RuntimeError:
        raise
    except FileNotFoundError:
        raise
    except (OSError, ValueError, EOFError, KeyError, TypeError, zipfile.BadZipFile, json.JSONDecodeError) as error:
        raise RuntimeError(f"refgrad.load: {source} is corrupt, truncated or not a refgrad.save file "
                           f"({type(error).__name__}: {error})") from error

