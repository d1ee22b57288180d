"""OptimizerSpec of SGD: momentum, dampening, nesterov, weight decay, maximize, in one or two parameter groups."""
from __future__ import annotations

from hypothesis import strategies as st

from ...optim_spec import OptimizerErrorCase, OptimizerSpec
from ._hyperparameters import FLAGS, LR, MOMENTUM, WEIGHT_DECAY, lr_as_tensor


@st.composite
def _sgd(draw):
    kwargs = {"lr": draw(lr_as_tensor(LR)), "momentum": draw(MOMENTUM), "weight_decay": draw(WEIGHT_DECAY), **draw(
        st.fixed_dictionaries(FLAGS))}
    if kwargs["momentum"] > 0 and draw(st.booleans()):
        kwargs["nesterov"] = True
    else:
        kwargs["dampening"] = draw(st.sampled_from([0, 0.1, 0.5]))
    return kwargs


OPTIMIZER_SPECS = [OptimizerSpec("SGD", _sgd())]

ERRORS = {
    "SGD": (
        OptimizerErrorCase("negative lr", {"lr": -0.1}, fragments=("Invalid learning rate: -0.1",)),
        OptimizerErrorCase("negative momentum", {"momentum": -0.5}, fragments=("Invalid momentum value: -0.5",)),
        OptimizerErrorCase("negative weight decay", {"weight_decay": -1.0},
                           fragments=("Invalid weight_decay value: -1.0",)),
        OptimizerErrorCase("nesterov without momentum", {"nesterov": True},
                           fragments=("Nesterov momentum requires a momentum and zero dampening",)),
        OptimizerErrorCase("empty", {}, params="empty", fragments=("optimizer got an empty parameter list",)),
        OptimizerErrorCase("a bare tensor", {}, params="tensor",
                           fragments=("should be an iterable of Tensors or dicts",)),
    ),
}
KNOWN_FAILURES: dict = {}
