"""ModuleSpecs of refgrad.nn.modules.loss: every loss module, its cases drawn as its functional form's spec draws
them (oracle/specs/loss.py, oracle/specs/margin.py: the same inputs, targets, reductions, legacy size_average /
reduce pairs and class weights), the functional kwargs becoming the constructor's and the functional inputs the
forward call's. Class weights (and BCEWithLogitsLoss's pos_weight) are constructor ndarrays: registered buffers,
so the state_dict check compares them and no gradient flows to them. Targets get a gradient where the functional
spec gives them one (``grad_inputs`` mirrors its ``grad_args``); integer targets never do.

A loss has no training-dependent behaviour: train and eval mode are the same computation, both checked anyway.
"""
from __future__ import annotations

import numpy as np

from ...module_spec import MODULE_CHECKS, ModuleCase, ModuleErrorCase, ModuleSpec
from .. import loss as L
from .. import margin as M

# ---- from functional cases to module cases --------------------------------------------------------------------
# The functional specs' kwargs hold only configuration (reduction, the legacy pair, weight, ignore_index, margin,
# p, eps, ...): they become the constructor's kwargs; the functional positional args are the forward inputs.


def from_functional(functional_cases, drop: tuple = ()):
    """dtype -> strategy of ModuleCase: each functional ``Case(args, kwargs)`` as ``Module(**kwargs)(*args)``,
    leaving out the kwargs in ``drop`` (the functional form's arguments that the module does not take)."""

    def cases(dtype):
        return functional_cases(dtype).map(
            lambda c: ModuleCase(kwargs={k: v for k, v in c.kwargs.items() if k not in drop}, inputs=tuple(c.args)))

    return cases


def _triplet_with_distance(lib_name: str):
    """TripletMarginWithDistanceLoss of one library, built from a case that names its distance function (see
    oracle.specs.margin.distance_functions; left out: the module's default)."""

    def build(*args, distance=M.OMIT, **kwargs):
        lib = __import__(lib_name)
        if distance is not M.OMIT:
            kwargs["distance_function"] = M.distance_functions(lib)[distance]
        return lib.nn.TripletMarginWithDistanceLoss(*args, **kwargs)

    return build


# torch has no double backward for these (multi_margin_loss_backward and multilabel_margin_loss_backward are not
# differentiable): the check is left out, as in their functional specs
NO_DOUBLE_BACKWARD = tuple(check for check in MODULE_CHECKS if check != "double_backward")

# F.mse_loss, l1_loss and huber_loss take an elementwise ``weight`` (of input's size) that their modules do not
ELEMENTWISE_WEIGHT = ("weight",)

MODULE_SPECS = [
    ModuleSpec("L1Loss", from_functional(L.regression_cases("l1"), drop=ELEMENTWISE_WEIGHT)),
    ModuleSpec("MSELoss", from_functional(L.regression_cases("mse"), drop=ELEMENTWISE_WEIGHT)),
    # class indices: only the input is differentiable; class probabilities: the target too
    ModuleSpec("CrossEntropyLoss", from_functional(L.index_cases), variant="indices"),
    ModuleSpec("CrossEntropyLoss", from_functional(L.probability_cases), variant="probabilities"),
    ModuleSpec("NLLLoss", from_functional(lambda dtype: L.index_cases(dtype, smoothing=False))),
    # NLLLoss under its deprecated name (both libraries warn, FutureWarning, at construction); it takes any input
    # NLLLoss takes, so the same cases
    ModuleSpec("NLLLoss2d", from_functional(lambda dtype: L.index_cases(dtype, smoothing=False))),
    ModuleSpec("PoissonNLLLoss", from_functional(L.poisson_cases)),
    ModuleSpec("GaussianNLLLoss", from_functional(L.gaussian_cases())),
    ModuleSpec("GaussianNLLLoss", from_functional(L.gaussian_cases(clamped=True)), variant="clamped",
               notes="var below eps: torch clamps it under no_grad (see the functional spec)"),
    ModuleSpec("KLDivLoss", from_functional(L.kl_div_cases)),
    # weight is a buffer (not differentiable in torch either)
    ModuleSpec("BCELoss", from_functional(L.bce_cases)),
    ModuleSpec("BCEWithLogitsLoss", from_functional(L.bce_logits_cases)),
    ModuleSpec("MarginRankingLoss", from_functional(M.ranking_cases())),
    ModuleSpec("HingeEmbeddingLoss", from_functional(M.hinge_cases()), grad_inputs=(0,)),
    ModuleSpec("MultiLabelMarginLoss", from_functional(M.multilabel_margin_cases()), checks=NO_DOUBLE_BACKWARD),
    ModuleSpec("HuberLoss", from_functional(L.regression_cases("huber"), drop=ELEMENTWISE_WEIGHT)),
    ModuleSpec("SmoothL1Loss", from_functional(L.regression_cases("smooth_l1"))),
    # the target of soft_margin_loss is not differentiable in torch (it raises)
    ModuleSpec("SoftMarginLoss", from_functional(L.soft_margin_cases), grad_inputs=(0,)),
    ModuleSpec("MultiLabelSoftMarginLoss", from_functional(L.multilabel_soft_margin_cases)),
    ModuleSpec("CosineEmbeddingLoss", from_functional(M.cosine_embedding_cases()), grad_inputs=(0, 1)),
    ModuleSpec("MultiMarginLoss", from_functional(M.multi_margin_cases()), checks=NO_DOUBLE_BACKWARD),
    ModuleSpec("TripletMarginLoss", from_functional(M.triplet_cases())),
    ModuleSpec("TripletMarginWithDistanceLoss", from_functional(M.triplet_cases(with_distance=True)),
               ref=_triplet_with_distance("refgrad"), torch=_triplet_with_distance("torch")),
]

# Bad configurations torch refuses at construction, and, for every loss, a bad call: the module passes its
# configuration and inputs to F, whose errors (checked in full by the functional specs) must come out unchanged.
X34 = np.ones((3, 4), np.float32)
T3 = np.array([0, 3, 1], np.int64)
ONES3, ONES4 = np.ones(3, np.float32), np.ones(4, np.float32)
BAD_REDUCTION = "avg is not a valid value for reduction"


def _bad_reduction(*inputs) -> ModuleErrorCase:
    """reduction='avg' constructs (torch checks it at the call) and raises at the call."""
    return ModuleErrorCase("reduction at the call", kwargs={"reduction": "avg"}, inputs=inputs,
                           fragments=BAD_REDUCTION)


ERRORS = {
    "L1Loss": (_bad_reduction(X34, X34),),
    "MSELoss": (
        _bad_reduction(X34, X34),
        ModuleErrorCase("no broadcast", inputs=(X34, np.ones(2, np.float32)),
                        fragments=("size of tensor a (4)", "tensor b (2)")),
    ),
    "NLLLoss": (
        _bad_reduction(X34, T3),
        ModuleErrorCase("target out of range", inputs=(X34, np.array([0, 7, 1], np.int64)),
                        fragments="Target 7 is out of bounds."),
        ModuleErrorCase("weight size", kwargs={"weight": ONES3}, inputs=(X34, T3),
                        fragments="weight tensor should be defined either for all 4 classes or no classes"),
    ),
    "NLLLoss2d": (_bad_reduction(X34, T3),),
    "PoissonNLLLoss": (_bad_reduction(X34, X34),),
    "GaussianNLLLoss": (
        ModuleErrorCase("negative var", inputs=(X34, X34, -X34), fragments="var has negative entry/entries"),
        ModuleErrorCase("reduction at the call", kwargs={"reduction": "avg"}, inputs=(X34, X34, X34),
                        fragments="avg is not valid"),
    ),
    "KLDivLoss": (_bad_reduction(X34, X34),),
    "BCELoss": (
        _bad_reduction(X34 / 2, X34 / 2),
        ModuleErrorCase("input above 1", inputs=(X34 * 2, X34 / 2),
                        fragments="all elements of input should be between 0 and 1"),
    ),
    "BCEWithLogitsLoss": (
        _bad_reduction(X34, X34),
        ModuleErrorCase("target size", inputs=(X34, ONES4),
                        fragments="Target size (torch.Size([4])) must be the same as input size "
                                  "(torch.Size([3, 4]))"),
        ModuleErrorCase("pos_weight size", kwargs={"pos_weight": ONES3}, inputs=(X34, X34),
                        fragments="The size of tensor a (3) must match the size of tensor b (4)"),
    ),
    "MarginRankingLoss": (
        ModuleErrorCase("target rank", inputs=(ONES3, ONES3, np.ones((3, 1), np.float32)),
                        fragments=("All input tensors should have same dimension", "[3, 1]")),
    ),
    "HingeEmbeddingLoss": (
        ModuleErrorCase("size mismatch", inputs=(ONES3, ONES4), fragments=("size of tensor a", "(4)")),
    ),
    "MultiLabelMarginLoss": (
        ModuleErrorCase("target shape", inputs=(X34, np.zeros((3, 3), np.int64)),
                        fragments="inconsistent target size: [3, 3] for input of size: [3, 4]"),
    ),
    "SmoothL1Loss": (
        ModuleErrorCase("negative beta", kwargs={"beta": -1.0}, inputs=(X34, X34),
                        fragments="smooth_l1_loss does not support negative values for beta."),
    ),
    "SoftMarginLoss": (
        ModuleErrorCase("no broadcast", inputs=(np.ones(2, np.float32), ONES3), fragments="size of tensor a (2)"),
    ),
    "MultiLabelSoftMarginLoss": (
        ModuleErrorCase("0-d input", inputs=(np.ones((), np.float32), np.ones((), np.float32)),
                        fragments="Dimension specified as -1 but tensor has no dimensions"),
    ),
    "CosineEmbeddingLoss": (
        ModuleErrorCase("2-d target", inputs=(X34, X34, np.ones((3, 1), np.float32)),
                        fragments="0D or 1D target tensor expected, multi-target not supported"),
    ),
    "CrossEntropyLoss": (
        _bad_reduction(X34, T3),
        ModuleErrorCase("target out of range", inputs=(X34, np.array([0, 5, 1], np.int64)),
                        fragments="Target 5 is out of bounds."),
        ModuleErrorCase("weight size", kwargs={"weight": np.ones(3, np.float32)}, inputs=(X34, T3),
                        fragments="weight tensor should be defined either for all 4 classes or no classes"),
        ModuleErrorCase("label smoothing", kwargs={"label_smoothing": 1.5}, inputs=(X34, T3),
                        fragments="label_smoothing must be between 0.0 and 1.0. Got: 1.5"),
        ModuleErrorCase("weight not a tensor", kwargs={"weight": [1.0, 2.0]},
                        fragments="cannot assign 'list' object to buffer 'weight' (torch Tensor or None required)"),
    ),
    "HuberLoss": (
        ModuleErrorCase("delta a string", kwargs={"delta": "1"}, fragments="delta must be a float or int, got:"),
        ModuleErrorCase("delta zero", kwargs={"delta": 0.0}, inputs=(X34, X34),
                        fragments="huber_loss does not support non-positive values for delta."),
    ),
    "MultiMarginLoss": (
        ModuleErrorCase("p 3", kwargs={"p": 3}, fragments="only p == 1 and p == 2 supported"),
        ModuleErrorCase("weight 2d", kwargs={"weight": np.ones((4, 1), np.float32)},
                        fragments="MultiMarginLoss: expected weight to be None or 1D tensor, got 2D instead"),
        ModuleErrorCase("target out of range", inputs=(X34, np.array([0, 7, 1], np.int64)),
                        fragments=("target out of range", "7")),
    ),
    "TripletMarginLoss": (
        ModuleErrorCase("margin zero", kwargs={"margin": 0.0},
                        fragments="TripletMarginLoss: expected margin to be greater than 0, got 0.0 instead"),
        ModuleErrorCase("ranks", inputs=(X34, X34, ONES4), fragments="anchor 2D, positive 2D, and negative 1D"),
    ),
    "TripletMarginWithDistanceLoss": (
        ModuleErrorCase("margin negative", kwargs={"margin": -1.0},
                        fragments="TripletMarginWithDistanceLoss: expected margin to be greater than 0, got -1.0 "
                                  "instead"),
        ModuleErrorCase("ranks", inputs=(X34, X34, ONES4), fragments="anchor 2D, positive 2D, and negative 1D"),
    ),
}
KNOWN_FAILURES: dict = {}
