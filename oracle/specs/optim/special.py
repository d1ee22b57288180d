"""OptimizerSpecs of the special-purpose optimizers: SparseAdam (sparse row gradients), Adafactor (factored second
moments), LBFGS (closure-driven, one parameter group)."""
from __future__ import annotations

from hypothesis import strategies as st

from ...optim_spec import OptimizerErrorCase, OptimizerSpec
from ._hyperparameters import LR, lr_as_tensor

BETAS = st.tuples(st.sampled_from([0.0, 0.5, 0.9]), st.sampled_from([0.0, 0.9, 0.999]))

_sparse_adam = st.fixed_dictionaries({"lr": lr_as_tensor(LR), "betas": BETAS,
                                      "eps": st.sampled_from([1e-8, 1e-3]), "maximize": st.booleans()})

OPTIMIZER_SPECS = [
    OptimizerSpec("SparseAdam", _sparse_adam, sparse=True),
]

ERRORS = {
    "SparseAdam": (
        OptimizerErrorCase("zero lr", {"lr": 0.0}, fragments=("Invalid learning rate: 0.0",)),
        OptimizerErrorCase("negative lr", {"lr": -0.1}, fragments=("Invalid learning rate: -0.1",)),
        OptimizerErrorCase("zero eps", {"eps": 0.0}, fragments=("Invalid epsilon value: 0.0",)),
        OptimizerErrorCase("beta1 of 1", {"betas": (1.0, 0.9)}, fragments=("Invalid beta parameter at index 0: 1.0",)),
        OptimizerErrorCase("negative beta2", {"betas": (0.9, -0.1)},
                           fragments=("Invalid beta parameter at index 1: -0.1",)),
        OptimizerErrorCase("dense gradient", {}, fragments=(
            "SparseAdam does not support dense gradients, please consider Adam instead",)),
        OptimizerErrorCase("empty", {}, params="empty", fragments=("optimizer got an empty parameter list",)),
    ),
}
KNOWN_FAILURES: dict = {}
