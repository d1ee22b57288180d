"""Specs for refgrad/ops/binary.py."""
from .. import cases as C
from ..spec import OpSpec

SPECS = [
    OpSpec("add", C.binary()),
    OpSpec("mul", C.binary()),
]
