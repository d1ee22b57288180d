"""refgrad.nn.functional: mirrors torch.nn.functional."""
from .activation import *  # noqa: F401,F403
from .encoding import *  # noqa: F401,F403
from .loss import *  # noqa: F401,F403
from .padding import *  # noqa: F401,F403
