"""SchedulerSpecs of refgrad.optim.lr_scheduler."""
from __future__ import annotations

from hypothesis import strategies as st

from ...optim_spec import SchedulerSpec

GAMMA = st.sampled_from([0.1, 0.5, 0.9, 0.99])

SCHEDULER_SPECS = [
    SchedulerSpec("StepLR", st.fixed_dictionaries({"step_size": st.integers(1, 30), "gamma": GAMMA})),
]
KNOWN_FAILURES: dict = {}
