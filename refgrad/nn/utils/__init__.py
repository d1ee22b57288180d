"""refgrad.nn.utils: mirrors torch.nn.utils (gradient clipping, parameter vectors; rnn: packed sequences)."""
from . import rnn  # noqa: F401
from .clip_grad import *  # noqa: F401,F403
from .convert_parameters import *  # noqa: F401,F403
