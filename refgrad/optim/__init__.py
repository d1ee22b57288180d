"""refgrad.optim: mirrors torch.optim. One file per optimizer, each stating its update rule as an algorithm."""
from . import lr_scheduler  # noqa: F401
from .adam import Adam
from .adamw import AdamW
from .adamax import Adamax
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "Adamax", "NAdam", "RAdam"]
