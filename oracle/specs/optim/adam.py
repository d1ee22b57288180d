"""OptimizerSpecs of the Adam family: Adam, AdamW, Adamax, NAdam, RAdam, every option torch accepts drawn (betas,
eps, weight decay coupled and decoupled, amsgrad, maximize, the implementation flags torch accepts on CPU, lr as a
float or a 0-d tensor, Adam's betas as floats or a pair of 0-d tensors), in one or two parameter groups."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from ...optim_spec import OptimizerErrorCase, OptimizerSpec
from ._hyperparameters import LR, WEIGHT_DECAY, lr_as_tensor

# beta1 = 0 (no momentum) and beta2 = 0 (v is the last g²) are valid edges; (0.9, 0.999) is the default
BETAS = st.sampled_from([(0.9, 0.999), (0.5, 0.9), (0.0, 0.99), (0.95, 0.0)])
EPS = st.sampled_from([1e-8, 1e-6, 0.1])


# lr as a float, a float64 0-d tensor, or a float32 one (torch's default dtype: its step size is then computed in
# float32, and refgrad's must be too)
LR_ANY = st.one_of(lr_as_tensor(LR), LR.map(lambda v: np.array(v, np.float32)))


def _tensor_betas(betas: tuple) -> tuple:
    return tuple(np.array(b) for b in betas)


@st.composite
def _adam(draw, decoupled: bool | None):
    """Adam's options (AdamW's with ``decoupled=None``: it takes no decoupled_weight_decay). torch refuses a tensor
    lr or tensor betas with foreach=True, and fused=True with foreach=True; capturable=True needs a GPU in torch."""
    lr = draw(LR_ANY)
    betas = draw(BETAS)
    betas = draw(st.sampled_from([betas, _tensor_betas(betas)]))
    any_tensor = isinstance(lr, np.ndarray) or isinstance(betas[0], np.ndarray)
    # both flags in every draw, so that a second group's options never pair with the first's
    implementation = draw(st.sampled_from([{"foreach": None, "fused": None}, {"foreach": False, "fused": None},
                                           {"foreach": None, "fused": True}, {"foreach": False, "fused": False}]
                                          + ([] if any_tensor else [{"foreach": True, "fused": None}])))
    kwargs = {"lr": lr, "betas": betas, "eps": draw(EPS), "weight_decay": draw(WEIGHT_DECAY),
              "amsgrad": draw(st.booleans()), "maximize": draw(st.booleans()), **implementation}
    if decoupled is not None:
        kwargs["decoupled_weight_decay"] = draw(st.booleans())
    return kwargs


@st.composite
def _family(draw, betas=BETAS, **extra):
    """Adamax's, NAdam's and RAdam's options: the shared ones, and ``extra`` ({name: strategy}) of their own."""
    lr = draw(LR_ANY)
    foreach = [None, False] + ([] if isinstance(lr, np.ndarray) else [True])
    return {"lr": lr, "betas": draw(betas), "eps": draw(EPS), "weight_decay": draw(WEIGHT_DECAY),
            "maximize": draw(st.booleans()), "foreach": draw(st.sampled_from(foreach)),
            **{name: draw(strategy) for name, strategy in extra.items()}}


OPTIMIZER_SPECS = [
    OptimizerSpec("Adam", _adam(decoupled=False)),
    OptimizerSpec("AdamW", _adam(decoupled=None)),
    OptimizerSpec("Adamax", _family()),
    OptimizerSpec("NAdam", _family(momentum_decay=st.sampled_from([4e-3, 0.0, 0.1, 1.0]),
                                   decoupled_weight_decay=st.booleans())),
    # ρₜ passes the rectification threshold (5) at step 6 for β₂ = 0.9 and 0.999, never for β₂ = 0.5 or 0: ten
    # steps cover both branches and the switch
    OptimizerSpec("RAdam", _family(betas=st.sampled_from([(0.9, 0.999), (0.9, 0.9), (0.0, 0.999), (0.5, 0.5),
                                                          (0.9, 0.0)]),
                                   decoupled_weight_decay=st.booleans()), steps=10),
]


def _common_errors(sparse_message: str) -> tuple:
    """The bad values every member refuses with the same messages, and its refusal of sparse gradients."""
    return (
        OptimizerErrorCase("negative lr", {"lr": -0.1}, fragments=("Invalid learning rate: -0.1",)),
        OptimizerErrorCase("two-element lr", {"lr": np.array([0.1, 0.2])}, fragments=("Tensor lr must be 1-element",)),
        OptimizerErrorCase("negative eps", {"eps": -1e-8}, fragments=("Invalid epsilon value: -1e-08",)),
        OptimizerErrorCase("beta1 of 1", {"betas": (1.0, 0.999)},
                           fragments=("Invalid beta parameter at index 0: 1.0",)),
        OptimizerErrorCase("negative beta2", {"betas": (0.9, -0.1)},
                           fragments=("Invalid beta parameter at index 1: -0.1",)),
        OptimizerErrorCase("negative weight decay", {"weight_decay": -1.0},
                           fragments=("Invalid weight_decay value: -1.0",)),
        OptimizerErrorCase("empty", {}, params="empty", fragments=("optimizer got an empty parameter list",)),
        OptimizerErrorCase("a bare tensor", {}, params="tensor",
                           fragments=("should be an iterable of Tensors or dicts",)),
        OptimizerErrorCase("sparse gradient", {}, sparse_grad=True, fragments=(sparse_message,)),
    )


def _adam_errors(name: str) -> tuple:
    """Adam's and AdamW's own: betas' types, tensors with foreach, fused with foreach or differentiable."""
    return _common_errors(f"{name} does not support sparse gradients, please consider SparseAdam instead") + (
        OptimizerErrorCase("betas an int and a float", {"betas": (0, 0.999)},
                           fragments=("betas must be either both floats or both Tensors",)),
        OptimizerErrorCase("betas a tensor and a float", {"betas": (np.array(0.9), 0.999)},
                           fragments=("betas must be either both floats or both Tensors",)),
        OptimizerErrorCase("tensor lr with foreach", {"lr": np.array(0.1), "foreach": True},
                           fragments=("lr as a Tensor is not supported for capturable=False and foreach=True",)),
        OptimizerErrorCase("tensor betas with foreach", {"betas": (np.array(0.9), np.array(0.999)), "foreach": True},
                           fragments=("betas[0] as a Tensor is not supported for capturable=False and foreach=True",)),
        OptimizerErrorCase("fused with foreach", {"fused": True, "foreach": True},
                           fragments=("`fused` and `foreach` cannot be `True` together.",)),
        OptimizerErrorCase("fused and differentiable", {"fused": True, "differentiable": True},
                           fragments=("`fused` does not support `differentiable`",)),
    )


ERRORS = {
    "Adam": _adam_errors("Adam"),
    "AdamW": _adam_errors("AdamW"),
    "Adamax": _common_errors("Adamax does not support sparse gradients"),
    "NAdam": _common_errors("NAdam does not support sparse gradients") + (
        OptimizerErrorCase("negative momentum decay", {"momentum_decay": -0.1},
                           fragments=("Invalid momentum_decay value: -0.1",)),),
    "RAdam": _common_errors("RAdam does not support sparse gradients"),
}
KNOWN_FAILURES: dict = {}
