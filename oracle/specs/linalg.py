"""Specs for refgrad/ops/linalg.py: the matmul family, the add-products, tensordot, einsum, trace.

Shapes: every rank combination matmul accepts (1-D, 2-D, batched with broadcast batch dims), size-0 and
size-1 dims on every axis (the contracted one included), each operand capped at MAX_ELEMENTS elements.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec, RarelyDrawn

SIDE = st.integers(0, 4)  # a matrix side: 0 (empty) included


GRID = 8  # float32 operands are multiples of 1/GRID in (-3, 3): see _arrays


def _arrays(dtype, *shapes):
    """Operands in (-3, 3). float64: any values. float32: multiples of 1/8, so that every product and partial sum
    of the forward pass (at most 3 factors, at most 9 terms here: magnitudes < 2^8 on a grid of 2^-9) is exact
    in float32's 24-bit significand. torch and NumPy add in different orders (and with or without FMA); on this
    grid every order gives the same float32 result, so the forward check compares at the default tolerance with
    no rounding noise from the order of summation. (The gradients multiply by the checks' random N(0, 1)
    cotangents, which are not on a grid: judged against the float64 truth, see SPECS.)"""
    if np.dtype(dtype) == np.float32:
        grid = st.integers(-3 * GRID + 1, 3 * GRID - 1).map(lambda i: i / GRID)
        return st.tuples(*[hnp.arrays(np.float32, s, elements=grid, fill=st.nothing()) for s in shapes])
    return st.tuples(*[S.arrays(dtype, s) for s in shapes])


def _small(*shapes) -> bool:
    return all(int(np.prod(s)) <= S.MAX_ELEMENTS for s in shapes)


@st.composite
def _batches(draw, nd_a: int, nd_b: int):
    """Two batch shapes of nd_a and nd_b dims that broadcast together (size-1 and size-0 dims included)."""
    n = max(nd_a, nd_b)
    full = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))

    def own(nd):
        return tuple(1 if draw(st.booleans()) and draw(st.booleans()) else s for s in full[n - nd:])

    return own(nd_a), own(nd_b)


@st.composite
def _matmul_shapes(draw, ranks=None):
    ra, rb = draw(ranks) if ranks is not None else (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    n, k, m = draw(SIDE), draw(SIDE), draw(SIDE)
    ba, bb = draw(_batches(max(ra - 2, 0), max(rb - 2, 0)))
    sa = (k,) if ra == 1 else ba + (n, k)
    sb = (k,) if rb == 1 else bb + (k, m)
    return sa, sb


def _pairs(shapes):
    def cases(dtype):
        return shapes.filter(lambda ss: _small(*ss)).flatmap(lambda ss: _arrays(dtype, *ss)).map(lambda ab: Case(ab))

    return cases


def matmul_cases(dtype):
    return _pairs(_matmul_shapes())(dtype)


def _fixed(*shape_fns):
    """Cases whose shapes are functions of the sides n, k, m (and a batch size b)."""

    def cases(dtype):
        sides = st.tuples(SIDE, SIDE, SIDE, st.integers(0, 3))
        return sides.map(lambda s: tuple(f(*s) for f in shape_fns)).filter(lambda ss: _small(*ss)).flatmap(
            lambda ss: _arrays(dtype, *ss)).map(lambda xs: Case(xs))

    return cases


def _coefficients():
    """beta/alpha: the defaults, ordinary values, and the 0 that makes torch skip a term."""
    return st.fixed_dictionaries({}, optional={"beta": st.sampled_from([0, 0.5, 1, -2.0]),
                                               "alpha": st.sampled_from([0, 1, 1.5, -1])})


def _input_shape(out_shape):
    """addmm's input: the product's shape or anything that broadcasts to it (0-d, size-1 dims, fewer dims)."""
    nd = len(out_shape)
    return st.integers(0, nd).flatmap(lambda d: st.tuples(*[st.sampled_from([s, 1]) for s in out_shape[nd - d:]]))


def _add_product(kind):
    def cases(dtype):
        @st.composite
        def draw_case(draw):
            n, k, m, b = draw(SIDE), draw(SIDE), draw(SIDE), draw(st.integers(0, 3))
            if kind == "mm":
                sa, sb, out = (n, k), (k, m), (n, m)
            elif kind == "mv":
                sa, sb, out = (n, k), (k,), (n,)
            else:
                sa, sb, out = (b, n, k), (b, k, m), (b, n, m)
            if kind == "mv":
                # torch 2.13's addmv returns beta * input in input's own shape when mat has no elements (a 0-d
                # result for a (2, 0) mat, with a resize warning): refgrad gives the (n,) result, not that.
                sc = out if n * k == 0 else draw(st.sampled_from([(), (1,), out]))
            else:
                sc = draw(_input_shape(out))
            if not _small(sa, sb, sc, out):
                sa, sb, sc = (1,) * len(sa), (1,) * len(sb), (1,) * len(sc)
            arrays = draw(_arrays(dtype, sc, sa, sb))
            return Case(arrays, draw(_coefficients()))

        return draw_case()

    return cases


@st.composite
def _tensordot_case(draw, dtype):
    """Contracted dims as an int, or as two lists in any order (negative dims included). Sometimes one side of a
    contracted pair has size 1: torch then sums the other operand over that dim (refgrad does the same)."""
    n_con = draw(st.integers(0, 2))
    con = tuple(draw(st.integers(0, 3)) for _ in range(n_con))
    con_a, con_b = con, con
    if n_con and draw(st.integers(0, 3)) == 0:
        j = draw(st.integers(0, n_con - 1))
        one = con[:j] + (1,) + con[j + 1:]
        con_a, con_b = (one, con) if draw(st.booleans()) else (con, one)
    free_a = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    free_b = tuple(draw(st.lists(st.integers(0, 3), max_size=2)))
    if draw(st.booleans()):  # dims=int: the last n_con dims of a against the first n_con of b
        sa, sb, dims = free_a + con_a, con_b + free_b, n_con
    else:
        la, lb = free_a + con_a, con_b + free_b  # logical order, then laid out in a random order
        pa = draw(st.permutations(range(len(la))))
        pb = draw(st.permutations(range(len(lb))))
        sa, sb = tuple(la[p] for p in pa), tuple(lb[p] for p in pb)
        dims_a = [int(np.argsort(pa)[len(free_a) + j]) for j in range(n_con)]
        dims_b = [int(np.argsort(pb)[j]) for j in range(n_con)]
        dims_a = [d - len(sa) if draw(st.booleans()) else d for d in dims_a]
        dims = [dims_a, dims_b]
    if not _small(sa, sb, free_a + free_b):
        sa, sb = tuple(1 for _ in sa), tuple(1 for _ in sb)
    a, b = draw(_arrays(dtype, sa, sb))
    return Case((a, b), {"dims": dims})


# einsum: (equation, operand shapes as functions of sides i, j, k, l)
EINSUM_EQUATIONS = [
    ("ij,jk->ik", lambda i, j, k, l: [(i, j), (j, k)]),  # matmul
    ("bij,bjk->bik", lambda i, j, k, l: [(l, i, j), (l, j, k)]),  # batched
    ("i,j->ij", lambda i, j, k, l: [(i,), (j,)]),  # outer
    ("ii->", lambda i, j, k, l: [(i, i)]),  # trace
    ("ii->i", lambda i, j, k, l: [(i, i)]),  # diagonal
    ("iji->j", lambda i, j, k, l: [(i, j, i)]),  # a diagonal across non-adjacent dims
    ("ij->ji", lambda i, j, k, l: [(i, j)]),  # transpose
    ("ijk->j", lambda i, j, k, l: [(i, j, k)]),  # sum out
    ("ij,kj->", lambda i, j, k, l: [(i, j), (k, j)]),  # i and k summed out of one operand each
    ("...ij,...jk->...ik", lambda i, j, k, l: [(l, 1, i, j), (2, j, k)]),  # ellipsis, broadcast
    ("i...->...", lambda i, j, k, l: [(i, j, k)]),  # ellipsis summed over a leading dim
    ("ij,jk,kl->il", lambda i, j, k, l: [(i, j), (j, k), (k, l)]),  # 3 operands
    ("ii,i->i", lambda i, j, k, l: [(i, i), (i,)]),  # a diagonal times a vector
    ("ij,ij->i", lambda i, j, k, l: [(1, j), (i, j)]),  # a size-1 dim broadcast against i
    ("ba", lambda i, j, k, l: [(i, j)]),  # implicit output (ASCII order: a transpose)
]


def einsum_cases(dtype):
    @st.composite
    def draw_case(draw):
        eq, shapes_of = draw(st.sampled_from(EINSUM_EQUATIONS))
        shapes = shapes_of(*[draw(st.integers(0, 3)) for _ in range(4)])
        if not _small(*shapes):
            shapes = [tuple(1 for _ in s) for s in shapes]
        return Case((eq, *draw(_arrays(dtype, *shapes))))

    return draw_case()


def _trace_cases(dtype):
    return st.tuples(SIDE, SIDE).flatmap(lambda s: _arrays(dtype, s)).map(lambda x: Case(x))


# float32 gradients are inner products of the checks' N(0, 1) cotangent with the operands, rounded by torch and NumPy in
# different orders (a few u·Σ|g||b| each, beyond the default atol where an element cancels): default tolerances, the
# float32 checks judged against the float64 truth (oracle.metrics.compare_to_truth)
RANKS_2D = st.just((2, 2))
SPECS = [
    OpSpec("matmul", matmul_cases),
    OpSpec("mm", _pairs(_matmul_shapes(RANKS_2D))),
    OpSpec("bmm", _fixed(lambda n, k, m, b: (b, n, k), lambda n, k, m, b: (b, k, m))),
    OpSpec("mv", _fixed(lambda n, k, m, b: (n, k), lambda n, k, m, b: (k,))),
    OpSpec("dot", _fixed(lambda n, k, m, b: (k,), lambda n, k, m, b: (k,))),  # its gradients are exact products
    OpSpec("outer", _fixed(lambda n, k, m, b: (n,), lambda n, k, m, b: (m,))),
    OpSpec("inner", _pairs(st.tuples(S.shapes(max_dims=3, max_side=3), S.shapes(max_dims=3, max_side=3),
                                     st.integers(0, 3)).map(
        lambda t: (t[0] + (t[2],) if t[0] else (), t[1] + (t[2],))))),
    OpSpec("tensordot", lambda dtype: _tensordot_case(dtype)),
    OpSpec("einsum", einsum_cases),
    OpSpec("addmm", _add_product("mm")),
    OpSpec("addmv", _add_product("mv")),
    OpSpec("baddbmm", _add_product("bmm")),
    OpSpec("trace", _trace_cases),  # its gradient is the cotangent times an identity: exact
]

# ---- refgrad defects the extremes check found (strict xfails; remove an entry once fixed) -----------------
_MATMUL = ("products of inf/nan/max-sized factors: where torch's BLAS order overflows an intermediate it gives inf "
           "or nan where refgrad (numpy's matmul) gives a finite value or -inf (e.g. a vjp entry 4.4e307 in refgrad, "
           "inf in torch; mm output -inf in refgrad, nan in torch); and a sum of -0.0 products is 0.0 in refgrad "
           "(numpy's accumulator starts at +0.0), -0.0 in torch (e.g. a 1x1 @ 1x2 product -1.25·0.0)")
KNOWN_FAILURES = {
    **{op: {"extremes": _MATMUL} for op in ("matmul", "mm", "bmm", "tensordot", "baddbmm")},
    # float64 too, but rarely drawn
    "einsum": {"extremes": _MATMUL},
    "addmm": {"extremes": _MATMUL},
    # float32 too, but rarely drawn (400 examples of the ci profile do not reach it)
    "inner": {("extremes", "float64"): _MATMUL},
    # drawn by the thorough profile's examples (a gradient inf in refgrad, nan in torch's BLAS order)
    "mv": {"extremes": RarelyDrawn(_MATMUL)},
    # drawn by the ci profile on an Intel Xeon's torch (a gradient inf there, 1.1e308 in refgrad), not on an AMD EPYC's
    "addmv": {"extremes": RarelyDrawn(_MATMUL)},
}


# ---- bad inputs (moved from tests/test_linalg_errors.py; each run in torch and refgrad by test_ops) ---------
ERRORS = {
    "matmul": (
        C.bad("matmul_0_d", np.array(1.0, np.float32), C.ones(3), says="they are 0D and 1D"),
        C.bad(
            "matmul_1d1d_size",
            C.ones(3),
            C.ones(4),
            says="expected tensor [3] and src [4] to have the same number of elements",
        ),
        C.bad(
            "matmul_2d2d_shape",
            C.ones(2, 3),
            C.ones(4, 5),
            says="mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)",
        ),
        C.bad(
            "matmul_1d2d_shape", C.ones(3), C.ones(4, 5), says="mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)"
        ),
        C.bad(
            "matmul_3d2d_shape",
            C.ones(2, 3, 4),
            C.ones(5, 2),
            says="mat1 and mat2 shapes cannot be multiplied (6x4 and 5x2)",
        ),
        C.bad("matmul_2d1d_shape", C.ones(2, 3), C.ones(4), says="size mismatch, got input (2), mat (2x3), vec (4)"),
        C.bad(
            "matmul_batched_shape",
            C.ones(2, 2, 3, 4),
            C.ones(2, 5, 2),
            says="Expected size for first two dimensions of batch2 tensor to be: [4, 4] but got: [4, 5].",
        ),
        C.bad(
            "matmul_batch_broadcast",
            C.ones(2, 2, 3),
            C.ones(3, 3, 5),
            says="The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0",
        ),
        C.bad(
            "matmul_dtype_2d",
            C.ones(2, 3),
            C.ones(3, 2, dtype=np.float64),
            says="expected m1 and m2 to have the same dtype, but got: float != double",
        ),
        C.bad(
            "matmul_dtype_1d",
            C.ones(3, dtype=np.int64),
            C.ones(3),
            says="dot : expected both vectors to have same dtype, but found Long and Float",
        ),
        C.bad(
            "matmul_dtype_2d1d",
            C.ones(2, 3),
            C.ones(3, dtype=np.float64),
            says="addmv input tensors must have the same dtype, but got Double, Float, and Double",
        ),
        C.bad(
            "matmul_dtype_batched",
            C.ones(2, 2, 3, dtype=np.float64),
            C.ones(2, 3, 2),
            says="expected scalar type Double but found Float",
        ),
        C.bad("matmul_bool", C.ones(2, 3, dtype=np.bool), C.ones(3, 2, dtype=np.bool), says="'Bool'"),
        C.bad("matmul_list", [1.0], np.array([1.0], np.float32), says="list"),
    ),
    "mm": (
        C.bad("mm_1_d", C.ones(3), C.ones(3, 4), says="self must be a matrix"),
        C.bad("mm_3_d_mat2", C.ones(2, 3), C.ones(2, 3, 4), says="mat2 must be a matrix"),
        C.bad("mm_shape", C.ones(2, 3), C.ones(4, 5), says="mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
        C.bad(
            "mm_dtype",
            C.ones(2, 3, dtype=np.int64),
            C.ones(3, 2),
            says="expected m1 and m2 to have the same dtype, but got: long int != float",
        ),
    ),
    "bmm": (
        C.bad("bmm_2_d", C.ones(2, 3), C.ones(3, 4), says="batch1 must be a 3D tensor"),
        C.bad("bmm_2_d_batch2", C.ones(2, 2, 3), C.ones(3, 4), says="batch2 must be a 3D tensor"),
        C.bad(
            "bmm_batch",
            C.ones(2, 2, 3),
            C.ones(3, 3, 4),
            says="Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3].",
        ),
        C.bad("bmm_inner", C.ones(2, 2, 3), C.ones(2, 4, 4), says="to be: [2, 3] but got: [2, 4]."),
        C.bad(
            "bmm_dtype",
            C.ones(2, 2, 3),
            C.ones(2, 3, 4, dtype=np.float64),
            says="expected scalar type Float but found Double",
        ),
    ),
    "mv": (
        C.bad("mv_ranks", C.ones(2, 3), C.ones(3, 1), says="vector + matrix @ vector expected, got 1, 2, 2"),
        C.bad("mv_shape", C.ones(2, 3), C.ones(4), says="size mismatch, got input (2), mat (2x3), vec (4)"),
        C.bad(
            "mv_dtype",
            C.ones(2, 3),
            C.ones(3, dtype=np.float64),
            says="addmv input tensors must have the same dtype, but got Double, Float, and Double",
        ),
    ),
    "dot": (
        C.bad("dot_2_d", C.ones(2, 3), C.ones(2, 3), says="1D tensors expected, but got 2D and 2D tensors"),
        C.bad("dot_0_d", C.ones(3), np.array(1.0, np.float32), says="1D tensors expected, but got 1D and 0D tensors"),
        C.bad("dot_size", C.ones(3), C.ones(4), says="got 3 and 4 elements respectively"),
        C.bad(
            "dot_dtype",
            C.ones(3),
            C.ones(3, dtype=np.float64),
            says="expected both vectors to have same dtype, but found Float and Double",
        ),
        C.bad("dot_bool", C.ones(3, dtype=np.bool), C.ones(3, dtype=np.bool), says="'Bool'"),
    ),
    "outer": (
        C.bad("outer_2_d", C.ones(3, 2), C.ones(4), says="outer: Expected 1-D argument self, but got 2-D"),
        C.bad(
            "outer_0_d_vec2",
            C.ones(3),
            np.array(1.0, np.float32),
            says="outer: Expected 1-D argument vec2, but got 0-D",
        ),
    ),
    "inner": (
        C.bad(
            "inner_shape",
            C.ones(2, 3),
            C.ones(4, 5),
            says="the last dimension must match on both input tensors but got shapes [2, 3] and [4, 5]",
        ),
        C.bad("inner_dtype", C.ones(3, dtype=np.int64), C.ones(3), says="both inputs should have same dtype"),
    ),
    "trace": (
        C.bad("trace_3_d", C.ones(2, 3, 4), says="trace: expected a matrix, but got tensor with dim 3"),
        C.bad("trace_1_d", C.ones(3), says="got tensor with dim 1"),
        C.bad("trace_bool", C.ones(2, 2, dtype=np.bool), says="'Bool'"),
    ),
    "tensordot": (
        C.bad(
            "tensordot_negative",
            C.ones(3, 4),
            C.ones(4, 5),
            dims=-1,
            says="tensordot expects dims >= 0, but got dims=-1",
        ),
        C.bad("tensordot_too_many", C.ones(3, 4), C.ones(4, 5), dims=3, says="but got dims=3"),
        C.bad(
            "tensordot_sizes",
            C.ones(3, 4),
            C.ones(5, 5),
            dims=1,
            says="first has size 4 in dim -1 and second has size 5 in dim 0",
        ),
        C.bad(
            "tensordot_list_lengths",
            C.ones(3, 4),
            C.ones(4, 3),
            dims=([0, 1], [1]),
            says="both dimension lists should have same length",
        ),
        C.bad(
            "tensordot_repeated_dim",
            C.ones(3, 3),
            C.ones(3, 3),
            dims=([0, 0], [0, 1]),
            says="dim 0 appears multiple times in the list of dims",
        ),
        C.bad(
            "tensordot_dim_range",
            C.ones(3, 3),
            C.ones(3, 3),
            dims=([2], [0]),
            says="Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        ),
        C.bad("tensordot_float_dims", C.ones(3), C.ones(3), dims=1.0, says="but got dims=1.0"),
        C.bad(
            "tensordot_tuple_of_ints", C.ones(3, 4), C.ones(4, 3), dims=(1, 0), says="must be tuple of ints, not int"
        ),
        C.bad(
            "tensordot_dtype",
            C.ones(3, 4, dtype=np.int64),
            C.ones(4, 3),
            dims=1,
            says="both inputs should have same dtype",
        ),
    ),
    "addmm": (
        C.bad(
            "addmm_3_d_mat1", C.ones(2, 4), C.ones(2, 2, 3), C.ones(3, 4), says="mat1 must be a matrix, got 3-D tensor"
        ),
        C.bad("addmm_1_d_mat2", C.ones(2, 2), C.ones(2, 3), C.ones(3), says="mat2 must be a matrix, got 1-D tensor"),
        C.bad(
            "addmm_shape",
            C.ones(2, 4),
            C.ones(2, 3),
            C.ones(5, 4),
            says="mat1 and mat2 shapes cannot be multiplied (2x3 and 5x4)",
        ),
        C.bad(
            "addmm_input_broadcast",
            C.ones(3),
            C.ones(2, 3),
            C.ones(3, 4),
            says="The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1."
                 "  Target sizes: [2, 4].  Tensor sizes: [3]",
        ),
        C.bad(
            "addmm_input_rank",
            C.ones(1, 2, 2),
            C.ones(2, 3),
            C.ones(3, 2),
            says="the number of sizes provided (2) must be greater or equal to the number of dimensions in the"
                 " tensor (3)",
        ),
        C.bad(
            "addmm_dtype_self",
            C.ones(2, 2, dtype=np.float64),
            C.ones(2, 3),
            C.ones(3, 2),
            says="self and mat2 must have the same dtype, but got Double and Float",
        ),
        C.bad(
            "addmm_dtype_mats",
            C.ones(2, 2),
            C.ones(2, 3, dtype=np.float64),
            C.ones(3, 2),
            says="mat1 and mat2 must have the same dtype, but got Double and Float",
        ),
    ),
    "addmv": (
        C.bad(
            "addmv_shape", C.ones(3), C.ones(2, 3), C.ones(3), says="size mismatch, got input (3), mat (2x3), vec (3)"
        ),
        C.bad(
            "addmv_ranks", C.ones(1, 2), C.ones(2, 3), C.ones(3), says="vector + matrix @ vector expected, got 2, 2, 1"
        ),
        C.bad(
            "addmv_dtype",
            C.ones(2),
            C.ones(2, 3),
            C.ones(3, dtype=np.float64),
            says="addmv input tensors must have the same dtype, but got Float, Float, and Double",
        ),
    ),
    "baddbmm": (
        C.bad(
            "baddbmm_shape",
            C.ones(2, 2, 4),
            C.ones(2, 2, 3),
            C.ones(3, 3, 4),
            says="Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3].",
        ),
        C.bad(
            "baddbmm_input",
            C.ones(3, 2, 4),
            C.ones(2, 2, 3),
            C.ones(2, 3, 4),
            says="The expanded size of the tensor (2) must match the existing size (3) at non-singleton dimension 0.",
        ),
        C.bad(
            "baddbmm_dtype_input",
            C.ones(1, 2, 2, dtype=np.float64),
            C.ones(1, 2, 3),
            C.ones(1, 3, 2),
            says="Input dtypes must be the same, got: input double, batch1: float, batch2: float",
        ),
        C.bad(
            "baddbmm_dtype_batches",
            C.ones(1, 2, 2),
            C.ones(1, 2, 3),
            C.ones(1, 3, 2, dtype=np.float64),
            says="expected scalar type Float but found Double",
        ),
    ),
    "einsum": (
        C.bad(
            "einsum_fewer_operands",
            "ij,jk->ik",
            C.ones(2, 3),
            says="fewer operands were provided than specified in the equation",
        ),
        C.bad(
            "einsum_more_operands",
            "ij->ij",
            C.ones(2, 3),
            C.ones(2, 3),
            says="more operands were provided than specified in the equation",
        ),
        C.bad(
            "einsum_rank",
            "ijk->ij",
            C.ones(2, 3),
            says="the number of subscripts in the equation (3) does not match the number of dimensions (2) for"
                 " operand 0",
        ),
        C.bad(
            "einsum_rank_with_ellipsis",
            "ijk...->",
            C.ones(2, 3),
            says="the number of subscripts in the equation (3) is more than the number of dimensions (2) for operand 0",
        ),
        C.bad(
            "einsum_sizes",
            "ij,ij->ij",
            C.ones(2, 3),
            C.ones(3, 4),
            says="subscript i has size 3 for operand 1 which does not broadcast with previously seen size 2",
        ),
        C.bad(
            "einsum_repeated_sizes",
            "ii->i",
            C.ones(3, 4),
            says="subscript i is repeated for operand 0 but the sizes don't match, 4 != 3",
        ),
        C.bad(
            "einsum_ellipsis_sizes",
            "...ij,...jk->...ik",
            C.ones(2, 2, 3),
            C.ones(5, 3, 4),
            says="has size 5 which does not broadcast with previously seen ellipsis with size 2",
        ),
        C.bad(
            "einsum_bad_subscript",
            "i1->i",
            C.ones(2, 3),
            says="invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]",
        ),
        C.bad(
            "einsum_unknown_output",
            "ij->k",
            C.ones(2, 3),
            says="output subscript k does not appear in the equation for any input operand",
        ),
        C.bad(
            "einsum_repeated_output",
            "ij->ii",
            C.ones(2, 3),
            says="output subscript i appears more than once in the output",
        ),
        C.bad(
            "einsum_two_ellipses",
            "......->",
            C.ones(2, 3),
            says="found '.' for operand 0 for which an ellipsis was already found",
        ),
        C.bad(
            "einsum_lone_dots", "..ij", C.ones(2, 3), says="found '.' for operand 0 that is not part of any ellipsis"
        ),
        C.bad(
            "einsum_dtype",
            "ij,jk",
            C.ones(2, 3),
            C.ones(3, 4, dtype=np.float64),
            says="expected scalar type Float but found Double",
        ),
        C.bad("einsum_non_tensor", "ij", 3, says="expected Tensor as element 0 in argument 1"),
        C.bad("einsum_equation_type", 3, C.ones(2, 3), says="must be str, not int"),
        C.bad(
            "einsum_sublist_range",
            C.ones(2, 3),
            [0, 60],
            says="subscript in subscript list is not within the valid range [0, 52)",
        ),
    ),
}
