"""OptimizerSpecs of the adaptive family: Adagrad (dense and sparse gradients), RMSprop, Adadelta, Rprop, ASGD, every
option torch accepts drawn, in one or two parameter groups."""
from __future__ import annotations

from hypothesis import strategies as st

from ...optim_spec import OptimizerErrorCase, OptimizerSpec
from ._hyperparameters import FLAGS, LR, MOMENTUM, WEIGHT_DECAY, lr_as_tensor

EPS = st.sampled_from([1e-10, 1e-8, 1e-6, 0.1])


def _adagrad(sparse: bool = False):
    # torch refuses weight decay with a sparse gradient (an error case below); fused=True: torch's fused CPU kernel,
    # which takes no sparse gradient
    return st.fixed_dictionaries({
        "lr": lr_as_tensor(LR), "lr_decay": st.sampled_from([0, 0.01, 0.5]),
        "weight_decay": st.just(0) if sparse else WEIGHT_DECAY,
        "initial_accumulator_value": st.sampled_from([0, 0.1, 1.0]), "eps": EPS,
        "fused": st.sampled_from([None, False]) if sparse else st.sampled_from([None, False, True]), **FLAGS})


# alpha 0 with centered=True is left out: v − m² is then g² − g² (0), or an ulp off it where torch's lerp / addcmul run
# fused multiply-adds, and (√(v − m²) + ε)⁻¹ turns that rounding into the whole step
RMSPROP = st.fixed_dictionaries({
    "lr": lr_as_tensor(LR), "alpha": st.sampled_from([0.5, 0.9, 0.99]), "eps": EPS, "weight_decay": WEIGHT_DECAY,
    "momentum": MOMENTUM, "centered": st.booleans(), "capturable": st.just(False), **FLAGS})
ADADELTA = st.fixed_dictionaries({
    "lr": lr_as_tensor(st.sampled_from([1.0, 0.1, 0.5])), "rho": st.sampled_from([0.0, 0.5, 0.9, 0.99, 1.0]),
    "eps": EPS, "weight_decay": WEIGHT_DECAY, "capturable": st.just(False), **FLAGS})
RPROP = st.fixed_dictionaries({
    "lr": lr_as_tensor(LR), "etas": st.sampled_from([(0.5, 1.2), (0.3, 1.1), (0.9, 3.0)]),
    "step_sizes": st.sampled_from([(1e-6, 50), (0.005, 0.02), (0.0, 1.0)]), "capturable": st.just(False), **FLAGS})
# t0 within the drawn steps, so that the averaging (μ < 1) starts; capturable=True: torch's step refuses CPU tensors
ASGD = st.fixed_dictionaries({
    "lr": lr_as_tensor(LR), "lambd": st.sampled_from([1e-4, 0.0, 0.1]), "alpha": st.sampled_from([0.75, 0.5, 1.0]),
    "t0": st.sampled_from([1e6, 0, 2, 3.5]), "weight_decay": WEIGHT_DECAY, "capturable": st.just(False), **FLAGS})

OPTIMIZER_SPECS = [
    OptimizerSpec("Adagrad", _adagrad()),
    OptimizerSpec("Adagrad", _adagrad(sparse=True), variant="sparse", sparse=True),
    OptimizerSpec("RMSprop", RMSPROP),
    OptimizerSpec("Adadelta", ADADELTA),
    OptimizerSpec("Rprop", RPROP),
    OptimizerSpec("ASGD", ASGD),
]


def _common_errors(*, weight_decay: bool = True) -> tuple:
    cases = (OptimizerErrorCase("negative lr", {"lr": -0.1}, fragments=("Invalid learning rate: -0.1",)),
             OptimizerErrorCase("empty", {}, params="empty", fragments=("optimizer got an empty parameter list",)))
    if weight_decay:
        cases += (OptimizerErrorCase("negative weight decay", {"weight_decay": -1.0},
                                     fragments=("Invalid weight_decay value: -1.0",)),)
    return cases


ERRORS = {
    "Adagrad": _common_errors() + (
        OptimizerErrorCase("negative lr_decay", {"lr_decay": -0.5}, fragments=("Invalid lr_decay value: -0.5",)),
        OptimizerErrorCase("negative initial accumulator", {"initial_accumulator_value": -0.1},
                           fragments=("Invalid initial_accumulator_value value: -0.1",)),
        OptimizerErrorCase("negative eps", {"eps": -1e-10}, fragments=("Invalid epsilon value: -1e-10",)),
        OptimizerErrorCase("weight decay with a sparse gradient", {"weight_decay": 0.1}, params=((4, 3),),
                           sparse_grad=True, fragments=("weight_decay option is not compatible with sparse",)),
        OptimizerErrorCase("fused with a sparse gradient", {"fused": True}, params=((4, 3),), sparse_grad=True,
                           fragments=("`fused` does not support sparse grad",)),
        OptimizerErrorCase("fused and foreach", {"fused": True, "foreach": True},
                           fragments=("`fused` and `foreach` cannot be `True` together.",)),
    ),
    "RMSprop": _common_errors() + (
        OptimizerErrorCase("negative eps", {"eps": -1e-8}, fragments=("Invalid epsilon value: -1e-08",)),
        OptimizerErrorCase("negative momentum", {"momentum": -0.9}, fragments=("Invalid momentum value: -0.9",)),
        OptimizerErrorCase("negative alpha", {"alpha": -0.99}, fragments=("Invalid alpha value: -0.99",)),
        OptimizerErrorCase("sparse gradient", {}, params=((4, 3),), sparse_grad=True,
                           fragments=("RMSprop does not support sparse gradients",)),
    ),
    "Adadelta": _common_errors() + (
        OptimizerErrorCase("rho above 1", {"rho": 1.5}, fragments=("Invalid rho value: 1.5",)),
        OptimizerErrorCase("negative rho", {"rho": -0.1}, fragments=("Invalid rho value: -0.1",)),
        OptimizerErrorCase("negative eps", {"eps": -1e-6}, fragments=("Invalid epsilon value: -1e-06",)),
        OptimizerErrorCase("sparse gradient", {}, params=((4, 3),), sparse_grad=True,
                           fragments=("Adadelta does not support sparse gradients",)),
    ),
    "Rprop": _common_errors(weight_decay=False) + (
        OptimizerErrorCase("eta minus at 1", {"etas": (1.0, 1.2)}, fragments=("Invalid eta values: 1.0, 1.2",)),
        OptimizerErrorCase("eta minus at 0", {"etas": (0.0, 1.2)}, fragments=("Invalid eta values: 0.0, 1.2",)),
        OptimizerErrorCase("eta plus below 1", {"etas": (0.5, 0.9)}, fragments=("Invalid eta values: 0.5, 0.9",)),
        OptimizerErrorCase("sparse gradient", {}, params=((4, 3),), sparse_grad=True,
                           fragments=("Rprop does not support sparse gradients",)),
    ),
    "ASGD": _common_errors() + (
        OptimizerErrorCase("sparse gradient", {}, params=((4, 3),), sparse_grad=True,
                           fragments=("ASGD does not support sparse gradients",)),
    ),
}
KNOWN_FAILURES: dict = {}
