"""OptimizerSpecs of the special-purpose optimizers: SparseAdam (sparse row gradients), Adafactor (factored second
moments), LBFGS (closure-driven, one parameter group)."""
from __future__ import annotations

from hypothesis import strategies as st

from ...optim_spec import OptimizerErrorCase, OptimizerSpec
from ...tolerances import Tol
from ._hyperparameters import FLAGS, LR, WEIGHT_DECAY, lr_as_tensor

BETAS = st.tuples(st.sampled_from([0.0, 0.5, 0.9]), st.sampled_from([0.0, 0.9, 0.999]))

_sparse_adam = st.fixed_dictionaries({"lr": lr_as_tensor(LR), "betas": BETAS,
                                      "eps": st.sampled_from([1e-8, 1e-3]), "maximize": st.booleans()})

_adafactor = st.fixed_dictionaries({
    "lr": lr_as_tensor(LR), "beta2_decay": st.sampled_from([-0.8, -0.5, 0.0]),
    "eps": st.tuples(st.sampled_from([None, 1e-30, 1e-3]), st.sampled_from([1e-3, 0.0, 0.1])),
    "d": st.sampled_from([1.0, 1.5, 4.0]), "weight_decay": WEIGHT_DECAY, **FLAGS})

_lbfgs = st.fixed_dictionaries({
    "lr": lr_as_tensor(st.sampled_from([1.0, 0.5, 0.1])), "max_iter": st.sampled_from([1, 4, 20]),
    "max_eval": st.sampled_from([None, 1, 3, 30]), "tolerance_grad": st.sampled_from([1e-7, 1e-3]),
    "tolerance_change": st.sampled_from([1e-9, 1e-4]), "history_size": st.sampled_from([1, 3, 100]),
    "line_search_fn": st.sampled_from([None, "strong_wolfe"])})

OPTIMIZER_SPECS = [
    OptimizerSpec("SparseAdam", _sparse_adam, sparse=True),
    # a size-0 parameter makes torch's step divide by zero (tests/test_optim_special.py checks refgrad's does too)
    OptimizerSpec("Adafactor", _adafactor, nonempty=True),
    OptimizerSpec("LBFGS", _lbfgs, closure=True, max_groups=1, steps=4, no_float32=(
        "LBFGS reaches the float32 resolution of the minimum within a few steps; there a dot product's summation "
        "order (NumPy's BLAS, torch's kernel) changes the curvature pairs 1/(y·s) and the two-loop buffer al by far "
        "more than float32's tolerance (1 of 60 drawn float32 runs parted so, at step 3), though both are correct; "
        "tests/test_optim_special.py compares float32 steps away from the minimum"),
        scratch_state={"al": (
            "the two-loop recursion's buffer: each step writes al[i] = ro_i·(s_i·q) before reading it, and torch "
            "keeps it in the state only to reuse its memory. Its values are one step's intermediates, a dot product "
            "that cancels: 2 of 18 thorough runs parted there by up to 2.3e-12, beyond 1e-7 of |al|. The direction and "
            "the iterates they lead to are compared")},
        tolerances={"float64": Tol(1e-7, 1e-14, (
            "the curvature pairs are differences of iterates: a 1-ulp difference in an iterate (a dot product's "
            "summation order) is a relative error eps·|x|/|s| in s = Δx, so in ro = 1/(y·s), and the two-loop "
            "buffer al = ro·(s·q) adds its dot product's cancellation: measured 3.6e-12 in ro at |s| ~ 7e-5 and "
            "1.4e-9 in al at |s| ~ 8e-5 in thorough-profile cases (max 4.3e-13 in ro over 300 random runs); a "
            "wrong update rule differs at O(1)"))}),
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
    "Adafactor": (
        OptimizerErrorCase("negative lr", {"lr": -0.1}, fragments=("Learning rate should be >= 0 but is: -0.1",)),
        OptimizerErrorCase("positive beta2_decay", {"beta2_decay": 0.5},
                           fragments=("beta2_decay should be <= 0 but is: 0.5",)),
        OptimizerErrorCase("negative eps1", {"eps": (-1.0, 1e-3)}, fragments=("epsilon1 should be >= 0 but is: -1.0",)),
        OptimizerErrorCase("negative eps2", {"eps": (None, -1e-3)},
                           fragments=("epsilon2 should be >= 0 but is: -0.001",)),
        OptimizerErrorCase("d below 1", {"d": 0.5}, fragments=("Clipping threshold d should be >= 1 but is: 0.5",)),
        OptimizerErrorCase("negative weight decay", {"weight_decay": -0.1},
                           fragments=("weight_decay should be >= 0 but is: -0.1",)),
        OptimizerErrorCase("sparse gradient", {}, params=((3, 2),), sparse_grad=True,
                           fragments=("Adafactor does not support sparse gradients",)),
    ),
    "LBFGS": (
        OptimizerErrorCase("negative lr", {"lr": -0.1}, fragments=("Invalid learning rate: -0.1",)),
        OptimizerErrorCase("empty", {}, params="empty", fragments=("optimizer got an empty parameter list",)),
    ),
}
KNOWN_FAILURES: dict = {}
