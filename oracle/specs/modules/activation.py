"""ModuleSpecs of refgrad.nn.modules.activation: one per activation module (MultiheadAttention: see attention.py).

Each draws every constructor argument torch accepts (each sometimes left at its default), with the parameter pools
of the functional specs (oracle/specs/activation.py: float32-exact bounds, slopes, alphas, lambdas) and their input
domains where those are there for a conditioning reason (gelu's). Inputs are any shape up to 4-D, 0-d and size-0
included. ``inplace=True`` runs in a variant of its own with the forward check only: torch refuses an in-place
operation on the leaf that requires grad which the gradient checks hand the module (the in-place effect itself is
checked in tests/test_simple_modules.py).
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ... import strategies as S
from ...module_cases import module_cases
from ...module_spec import ModuleErrorCase, ModuleSpec
from ..activation import ALPHAS, BETAS, BOUNDS, GELU, HARDSIGMOID_TOL, LAMBDAS, SLOPES, THRESHOLDS, WIDE

FORWARD_ONLY = ("state_dict", "forward")
INPLACE_REASON = "in place: torch refuses it on the leaf requiring grad that the gradient checks pass"
# torch has no double backward for Hardsigmoid (its hardsigmoid_backward is not differentiable)
NO_DOUBLE_BACKWARD = ("state_dict", "forward", "vjp_torch")


def any_shape(domain: S.Domain = S.REAL):
    """inputs(config, dtype): one input of any shape (0-d and size-0 included) from domain."""

    def inputs(config, dtype):
        return S.shapes(0, 4, max_side=4).flatmap(lambda s: S.arrays(dtype, s, domain)).map(lambda x: (x,))

    return inputs


def optional(**kwargs) -> st.SearchStrategy[dict]:
    """Constructor kwargs, each drawn or left out (torch's default)."""
    return st.fixed_dictionaries({}, optional=kwargs)


def _hardtanh_kwargs():
    """min_val < max_val (torch asserts it): both given, or one beside the other's default, or neither."""
    both = st.tuples(BOUNDS, BOUNDS).filter(lambda b: b[0] != b[1]).map(
        lambda b: {"min_val": min(b), "max_val": max(b)})
    only_min = BOUNDS.filter(lambda b: b < 1.0).map(lambda b: {"min_val": b})
    only_max = BOUNDS.filter(lambda b: b > -1.0).map(lambda b: {"max_val": b})
    return st.one_of(st.just({}), both, only_min, only_max)


def _rrelu_kwargs(fixed: bool = False):
    """lower <= upper, both given or both at their defaults; equal when fixed (training then draws that slope)."""
    if fixed:
        return BOUNDS.map(lambda b: {"lower": b / 4, "upper": b / 4})
    return st.one_of(st.just({}), st.tuples(BOUNDS, BOUNDS).map(lambda b: {"lower": min(b) / 4,
                                                                           "upper": max(b) / 4}))


def _elementwise(name: str, kwargs=st.just({}), domain: S.Domain = S.REAL, inplace: bool = False, **spec) -> list:
    """The spec of an elementwise activation (kwargs drawn as a dict strategy), and with ``inplace`` its
    inplace=True variant (forward only)."""
    specs = [ModuleSpec(name, module_cases(any_shape(domain), kwargs=kwargs), **spec)]
    if inplace:
        spec.pop("checks", None)
        with_inplace = kwargs.map(lambda kw: {**kw, "inplace": True})
        specs.append(ModuleSpec(name, module_cases(any_shape(domain), kwargs=with_inplace), variant="inplace",
                                checks=FORWARD_ONLY, notes=INPLACE_REASON, **spec))
    return specs


def _glu_inputs(config, dtype):
    """A dim of even size (0 included) along the module's dim, the others any size."""
    dim = config.kwargs.get("dim", -1)

    @st.composite
    def draw(draw_):
        shape = list(draw_(S.shapes(min_dims=max(dim + 1, -dim), max_dims=4, max_side=3)))
        shape[dim] = 2 * draw_(st.integers(0, 2))
        return (draw_(S.arrays(dtype, tuple(shape))),)

    return draw()


def _prelu_inputs(config, dtype):
    """num_parameters == 1: any input; else (N, C, ...) with C = num_parameters."""
    channels = config.kwargs.get("num_parameters", 1)
    if channels == 1:
        return any_shape()(config, dtype)
    return st.tuples(st.integers(0, 3), S.shapes(0, 2, max_side=3)).flatmap(
        lambda nl: S.arrays(dtype, (nl[0], channels) + nl[1], S.REAL)).map(lambda x: (x,))


def _softmax_inputs(config, dtype):
    """A dim of the module's range: an explicit dim needs at least that many dims."""
    dim = config.kwargs.get("dim")
    low = 0 if dim is None else (dim + 1 if dim >= 0 else -dim)
    return S.shapes(low, 4, max_side=4).flatmap(lambda s: S.arrays(dtype, s)).map(lambda x: (x,))


def _softmax_like(name: str) -> ModuleSpec:
    """dim None (torch's implicit choice, with its deprecation warning in both libraries), or any dim in [-4, 3]."""
    kwargs = optional(dim=st.one_of(st.none(), st.integers(-4, 3)))
    return ModuleSpec(name, module_cases(_softmax_inputs, kwargs=kwargs))


def _softmax2d_inputs(config, dtype):
    return S.shapes(3, 4, max_side=3).flatmap(lambda s: S.arrays(dtype, s)).map(lambda x: (x,))


HARDSIGMOID_TOLERANCES = {("vjp_torch", "float64"): HARDSIGMOID_TOL}
RRELU_EVAL_REASON = ("RReLU draws one slope per element in training: eval mode (the mean slope) here; training "
                     "by structure in tests/test_simple_modules.py, and with lower == upper in [fixed_slope]")

MODULE_SPECS = [
    *_elementwise("Threshold", st.fixed_dictionaries({"threshold": BOUNDS, "value": st.sampled_from([0.0, -1.0, 2.5])}),
                  inplace=True),
    *_elementwise("ReLU", inplace=True),
    *_elementwise("RReLU", _rrelu_kwargs(), inplace=True, modes=("eval",), modes_reason=RRELU_EVAL_REASON),
    ModuleSpec("RReLU", module_cases(any_shape(), kwargs=_rrelu_kwargs(fixed=True)), variant="fixed_slope",
               notes="lower == upper: training draws that one slope, so train mode is deterministic too"),
    *_elementwise("Hardtanh", _hardtanh_kwargs(), inplace=True),
    *_elementwise("ReLU6", domain=S.Domain(-1.0, 7.0), inplace=True),
    *_elementwise("Sigmoid"),
    *_elementwise("Hardsigmoid", domain=WIDE, inplace=True, checks=NO_DOUBLE_BACKWARD,
                  tolerances=HARDSIGMOID_TOLERANCES),
    *_elementwise("Tanh"),
    *_elementwise("SiLU", domain=WIDE, inplace=True),
    *_elementwise("Mish", domain=WIDE, inplace=True),
    *_elementwise("Hardswish", domain=WIDE, inplace=True),
    *_elementwise("ELU", optional(alpha=ALPHAS), inplace=True),
    *_elementwise("CELU", optional(alpha=ALPHAS), inplace=True),
    *_elementwise("SELU", inplace=True),
    ModuleSpec("GLU", module_cases(_glu_inputs, kwargs=optional(dim=st.integers(-3, 2)))),
    *_elementwise("GELU", optional(approximate=st.sampled_from(["none", "tanh"])), GELU),
    *_elementwise("Hardshrink", optional(lambd=LAMBDAS)),
    *_elementwise("LeakyReLU", optional(negative_slope=SLOPES), inplace=True),
    *_elementwise("LogSigmoid"),
    *_elementwise("Softplus", optional(beta=BETAS, threshold=THRESHOLDS)),
    *_elementwise("Softshrink", optional(lambd=LAMBDAS)),
    ModuleSpec("PReLU", module_cases(_prelu_inputs, kwargs=optional(num_parameters=st.integers(1, 4),
                                                                    init=st.sampled_from([0.25, 0.0, -0.5, 1.5])))),
    *_elementwise("Softsign"),
    *_elementwise("Tanhshrink"),
    _softmax_like("Softmin"),
    _softmax_like("Softmax"),
    ModuleSpec("Softmax2d", module_cases(_softmax2d_inputs)),
    _softmax_like("LogSoftmax"),
]

X = np.ones((2, 3), "float32")
ERRORS = {
    "Threshold": (ModuleErrorCase("missing threshold and value", fragments=("threshold", "value")),),
    "Hardtanh": (
        ModuleErrorCase("max_val below min_val", (2.0, 1.0), fragments=("max_val (1.0)", "min_val (2.0)")),
        ModuleErrorCase("max_val equal to min_val", (1.0, 1.0), fragments=("max_val (1.0)", "min_val (1.0)")),
    ),
    "Sigmoid": (ModuleErrorCase("an argument", (3,), fragments=("Sigmoid.__init__()", "positional")),),
    "PReLU": (
        ModuleErrorCase("negative num_parameters", (-1,), fragments=("negative dimension -1",)),
        ModuleErrorCase("channels", (2,), inputs=(X,), fragments=("parameter numbers = 2", "channel size = 3")),
    ),
    "CELU": (ModuleErrorCase("alpha 0", (0.0,), inputs=(X,), fragments=("alpha cannot be 0",)),),
    "GELU": (ModuleErrorCase("approximate", ("bad",), inputs=(X,), fragments=("none or tanh",)),),
    "GLU": (ModuleErrorCase("odd dim", inputs=(X,), fragments=("dimension 1 is size 3",)),),
    "Softmax2d": (
        ModuleErrorCase("2-D input", inputs=(X,), fragments=("3D or 4D, got 2D",)),
        ModuleErrorCase("5-D input", inputs=(np.ones((1, 1, 1, 1, 1), "float32"),), fragments=("got 5D",)),
    ),
    "Softmax": (ModuleErrorCase("dim out of range", (2,), inputs=(X,), fragments=("range of [-2, 1]", "got 2")),),
    "RReLU": (ModuleErrorCase("lower above upper", (0.5, 0.1), inputs=(X,), fragments=("Lower bound",)),),
}
KNOWN_FAILURES: dict = {}
