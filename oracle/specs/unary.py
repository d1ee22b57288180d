"""Specs for refgrad/ops/unary.py."""
from .. import cases as C
from .. import strategies as S
from ..spec import OpSpec

SPECS = [
    OpSpec("neg", C.unary()),
    OpSpec("exp", C.unary(S.REAL)),
]
