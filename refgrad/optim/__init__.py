"""refgrad.optim: mirrors torch.optim. One file per optimizer, each stating its update rule as an algorithm."""
from . import lr_scheduler  # noqa: F401
from .adagrad import Adagrad
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD"]
__all__ += ["Adagrad"]
