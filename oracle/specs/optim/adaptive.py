"""OptimizerSpecs of the adaptive family: Adagrad (dense and sparse gradients), RMSprop, Adadelta, Rprop, ASGD, every
option torch accepts drawn, in one or two parameter groups."""
from __future__ import annotations

from hypothesis import strategies as st

from ...optim_spec import OptimizerErrorCase, OptimizerSpec
from ._hyperparameters import FLAGS, LR, WEIGHT_DECAY, lr_as_tensor

EPS = st.sampled_from([1e-10, 1e-8, 1e-6, 0.1])


def _adagrad(sparse: bool = False):
    # torch refuses weight decay with a sparse gradient (an error case below)
    return st.fixed_dictionaries({
        "lr": lr_as_tensor(LR), "lr_decay": st.sampled_from([0, 0.01, 0.5]),
        "weight_decay": st.just(0) if sparse else WEIGHT_DECAY,
        "initial_accumulator_value": st.sampled_from([0, 0.1, 1.0]), "eps": EPS,
        "fused": st.sampled_from([None, False]), **FLAGS})


OPTIMIZER_SPECS = [
    OptimizerSpec("Adagrad", _adagrad()),
    OptimizerSpec("Adagrad", _adagrad(sparse=True), variant="sparse", sparse=True),
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
    ),
}
KNOWN_FAILURES: dict = {}
