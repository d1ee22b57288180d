"""refgrad.optim: mirrors torch.optim. One file per optimizer, each stating its update rule as an algorithm."""
from . import lr_scheduler  # noqa: F401
from .adafactor import Adafactor
from .lbfgs import LBFGS
from .optimizer import Optimizer
from .sgd import SGD
from .sparse_adam import SparseAdam

__all__ = ["Adafactor", "LBFGS", "Optimizer", "SGD", "SparseAdam"]
