"""refgrad.optim: mirrors torch.optim. One file per optimizer, each stating its update rule as an algorithm."""
from . import lr_scheduler  # noqa: F401
from .adadelta import Adadelta
from .adagrad import Adagrad
from .asgd import ASGD
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .rprop import Rprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD"]
__all__ += ["Adagrad", "RMSprop", "Adadelta", "Rprop", "ASGD"]
