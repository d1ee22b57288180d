"""SchedulerSpecs of refgrad.optim.lr_scheduler.

Each schedule that step(epoch) serves (all but the composites) also has an "epoch" variant: its steps are a drawn
mix of step() and step(epoch) with epochs in any order (the deprecated explicit epoch, answered by the closed form
where there is one), so the closed form, and the chainable form continuing from wherever it left the lr, are both
compared with torch's.
"""
from __future__ import annotations

from hypothesis import strategies as st

from ...optim_spec import SchedulerSpec

GAMMA = st.sampled_from([0.1, 0.5, 0.9, 0.99])
STEPS = 120
FACTOR = st.sampled_from([0.0, 0.1, 1.0 / 3, 0.5, 1.0])
TOTAL_ITERS = st.integers(1, 40)
EPOCHS = st.lists(st.one_of(st.none(), st.integers(0, 150)), min_size=STEPS, max_size=STEPS)


class Counting:
    """An lr_lambda that is a callable object with state (calls so far): its __dict__ is what a scheduler's
    state_dict keeps of it, so a resumed scheduler continues only if that state was loaded."""

    def __init__(self, gamma: float):
        self.gamma, self.calls = gamma, 0

    def __call__(self, epoch: int) -> float:
        self.calls += 1
        return self.gamma ** (self.calls % 7)


def _lambda(kind: str, gamma: float):
    """A fresh function of the epoch (each library gets its own, a Counting object its own state)."""
    if kind == "power":
        return lambda epoch: gamma ** epoch
    if kind == "steps":
        return lambda epoch: gamma ** (epoch // 10)
    if kind == "constant":
        return lambda epoch: gamma
    return Counting(gamma)


LAMBDA_SETTINGS = st.fixed_dictionaries({
    "kinds": st.lists(st.sampled_from(["power", "steps", "constant", "object"]), min_size=2, max_size=2),
    "gamma": st.sampled_from([0.5, 0.9, 0.99, 1.0, 1.01]),
    "as_list": st.booleans(),
})


def _make_lambda(name: str):
    """make= for LambdaLR / MultiplicativeLR: one function for all groups, or a list with one per group."""

    def make(lib, optimizer, kinds, gamma, as_list):
        if as_list:
            lr_lambda = [_lambda(kinds[i], gamma) for i in range(len(optimizer.param_groups))]
        else:
            lr_lambda = _lambda(kinds[0], gamma)
        return getattr(lib.optim.lr_scheduler, name)(optimizer, lr_lambda=lr_lambda)

    return make


MULTISTEP = st.fixed_dictionaries({
    "milestones": st.lists(st.integers(0, 100), max_size=8).map(sorted),  # repeats drawn: a Counter in torch
    "gamma": GAMMA,
})
CONSTANT = st.fixed_dictionaries({"factor": FACTOR.filter(bool), "total_iters": TOTAL_ITERS})
LINEAR = st.fixed_dictionaries({"start_factor": FACTOR.filter(bool), "end_factor": FACTOR, "total_iters": TOTAL_ITERS})
POLYNOMIAL = st.fixed_dictionaries({"total_iters": TOTAL_ITERS, "power": st.sampled_from([0.5, 1.0, 2.0, 3.0])})
COSINE = st.fixed_dictionaries({"T_max": st.integers(1, 50), "eta_min": st.sampled_from([0.0, 1e-4, 0.01])})
WARM_RESTARTS = st.fixed_dictionaries({"T_0": st.integers(1, 30), "T_mult": st.integers(1, 3),
                                       "eta_min": st.sampled_from([0.0, 1e-4, 0.01])})
# step(epoch) with a float epoch (per-batch fractions of an epoch), in any order, mixed with step()
FLOAT_EPOCHS = st.lists(st.one_of(st.none(), st.integers(0, 150), st.floats(0, 150, allow_subnormal=False)),
                        min_size=STEPS, max_size=STEPS)

# children of the composite schedules: (name, settings strategy)
CHILDREN = {
    "StepLR": st.fixed_dictionaries({"step_size": st.integers(1, 20), "gamma": GAMMA}),
    "MultiStepLR": MULTISTEP,
    "ConstantLR": CONSTANT,
    "LinearLR": LINEAR,
    "ExponentialLR": st.fixed_dictionaries({"gamma": GAMMA}),
    "PolynomialLR": POLYNOMIAL,
    "CosineAnnealingLR": COSINE,
    "CosineAnnealingWarmRestarts": WARM_RESTARTS,
}
CHILD = st.sampled_from(sorted(CHILDREN)).flatmap(lambda name: st.tuples(st.just(name), CHILDREN[name]))


def _children(lib, optimizer, children):
    return [getattr(lib.optim.lr_scheduler, name)(optimizer, **settings) for name, settings in children]


def _make_sequential(lib, optimizer, children, milestones):
    return lib.optim.lr_scheduler.SequentialLR(optimizer, _children(lib, optimizer, children), milestones)


def _make_chained(lib, optimizer, children, pass_optimizer):
    schedulers = _children(lib, optimizer, children)
    return lib.optim.lr_scheduler.ChainedScheduler(schedulers, optimizer=optimizer if pass_optimizer else None)


SEQUENTIAL = st.lists(CHILD, min_size=1, max_size=3).flatmap(lambda children: st.fixed_dictionaries({
    "children": st.just(children),
    "milestones": st.lists(st.integers(0, 100), min_size=len(children) - 1, max_size=len(children) - 1).map(sorted),
}))
# chained children must be chainable (each scales the current lr); a closed form sets it outright, as in torch
CHAINED = st.fixed_dictionaries({
    "children": st.lists(CHILD, min_size=1, max_size=3),
    "pass_optimizer": st.booleans(),
})


def _with_epochs(name: str, settings, epochs=EPOCHS) -> list[SchedulerSpec]:
    return [SchedulerSpec(name, settings), SchedulerSpec(name, settings, variant="epoch", metrics=epochs)]


SCHEDULER_SPECS = [
    SchedulerSpec("StepLR", st.fixed_dictionaries({"step_size": st.integers(1, 30), "gamma": GAMMA})),
    SchedulerSpec("StepLR", st.fixed_dictionaries({"step_size": st.integers(1, 30), "gamma": GAMMA}),
                  variant="epoch", metrics=EPOCHS),
    *_with_epochs("MultiStepLR", MULTISTEP),
    *_with_epochs("ExponentialLR", st.fixed_dictionaries({"gamma": GAMMA})),
    # no closed form: step(epoch) sets last_epoch and runs get_lr (LambdaLR's is one; MultiplicativeLR's scales the
    # current lr by λ(epoch))
    *[SchedulerSpec(name, LAMBDA_SETTINGS, make=_make_lambda(name), **epoch)
      for name in ("LambdaLR", "MultiplicativeLR") for epoch in ({}, {"variant": "epoch", "metrics": EPOCHS})],
    *_with_epochs("ConstantLR", CONSTANT),
    *_with_epochs("LinearLR", LINEAR),
    *_with_epochs("PolynomialLR", POLYNOMIAL),
    *_with_epochs("CosineAnnealingLR", COSINE),
    *_with_epochs("CosineAnnealingWarmRestarts", WARM_RESTARTS, FLOAT_EPOCHS),
    SchedulerSpec("SequentialLR", SEQUENTIAL, make=_make_sequential),
    SchedulerSpec("ChainedScheduler", CHAINED, make=_make_chained),
]
KNOWN_FAILURES: dict = {}
