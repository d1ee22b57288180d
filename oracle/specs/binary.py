"""Specs for refgrad/ops/binary.py."""
from .. import cases as C
from .. import strategies as S
from ..spec import OpSpec

SPECS = [
    OpSpec("add", C.binary()),
    OpSpec("sub", C.binary()),
    OpSpec("mul", C.binary()),
    OpSpec("div", C.binary(S.REAL, S.NONZERO)),
    OpSpec("pow", C.binary(S.POSITIVE, S.REAL)),
]
