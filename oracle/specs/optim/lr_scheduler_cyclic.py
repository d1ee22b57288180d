"""SchedulerSpecs of ReduceLROnPlateau (driven by generated metric sequences), CyclicLR and OneCycleLR (lr and
momentum cycled over the whole run)."""
from __future__ import annotations

import math

from hypothesis import strategies as st

from ...optim_spec import SchedulerSpec


class PerGroup(tuple):
    """A setting given as a list, one value per parameter group: cut to the optimizer's group count when built."""

    def __repr__(self) -> str:
        return f"per-group {list(self)}"


def _make(name: str):
    """Builds lib's scheduler ``name``, with every PerGroup setting made a list as long as the groups."""

    def make(lib, optimizer, **settings):
        count = len(optimizer.param_groups)
        settings = {k: list(v[:count]) if isinstance(v, PerGroup) else v for k, v in settings.items()}
        return getattr(lib.optim.lr_scheduler, name)(optimizer, **settings)

    return make


def _maybe_per_group(values: list) -> st.SearchStrategy:
    """One value for all groups, or a value per group."""
    return st.one_of(st.sampled_from(values), st.lists(st.sampled_from(values), min_size=2, max_size=2).map(PerGroup))


# ---- ReduceLROnPlateau ----------------------------------------------------------------------------------------
PLATEAU_STEPS = 80


@st.composite
def _metric_sequences(draw):
    """A walk of metrics: plateaus (the same value), improvements big and below the threshold, setbacks, sign
    changes; now and then NaN (never better than anything: a bad epoch, in torch as here) or an infinity."""
    value = draw(st.sampled_from([1.0, 10.0, -3.0, 0.0, 1e-3]))
    sequence = []
    for _ in range(draw(st.integers(PLATEAU_STEPS // 2, PLATEAU_STEPS))):
        move = draw(st.sampled_from(["same", "same", "same", "better", "slightly", "worse", "jump"]))
        if draw(st.integers(0, 99)) == 0:  # rare: -inf in mode min is a best nothing can beat
            move = "special"
        if move == "better":
            value = value - draw(st.sampled_from([0.5, 0.1, 1e-2]))
        elif move == "slightly":
            value = value * (1 - 1e-5) - 1e-6  # below the default thresholds
        elif move == "worse":
            value = value + draw(st.sampled_from([0.5, 0.1, 1e-3]))
        elif move == "jump":
            value = -value
        elif move == "special":
            sequence.append(draw(st.sampled_from([math.nan, math.inf, -math.inf])))
            continue
        sequence.append(value)
    return sequence


def _negated(sequence: list) -> list:
    return [-m for m in sequence]


_PLATEAU = st.fixed_dictionaries({
    "mode": st.sampled_from(["min", "max"]),
    "factor": st.sampled_from([0.1, 0.5, 0.9, 0.0]),
    "patience": st.integers(0, 5),
    "threshold": st.sampled_from([0.0, 1e-4, 0.1, 1.0]),
    "threshold_mode": st.sampled_from(["rel", "abs"]),
    "cooldown": st.integers(0, 4),
    "min_lr": _maybe_per_group([0, 1e-3, 0.02]),
    "eps": st.sampled_from([1e-8, 0.0, 0.01]),
})

# ---- CyclicLR -----------------------------------------------------------------------------------------------


class ScaleByHalves:
    """A custom scale function that is a callable object (its __dict__ travels in the state_dict, as in torch)."""

    def __init__(self, base: float = 0.5):
        self.base = base

    def __call__(self, x) -> float:
        return self.base**x


def _reciprocal(x) -> float:
    return 1 / (1 + x)


_CYCLIC = st.fixed_dictionaries({
    "base_lr": _maybe_per_group([1e-3, 0.01, 0.1]),
    "max_lr": _maybe_per_group([0.1, 0.5, 1.0]),
    "step_size_up": st.sampled_from([1, 2, 5, 7, 20, 50, 2000]),
    "step_size_down": st.sampled_from([None, 1, 3, 10, 33]),
    "mode": st.sampled_from(["triangular", "triangular2", "exp_range"]),
    "gamma": st.sampled_from([1.0, 0.99, 0.9]),
    "cycle_momentum": st.booleans(),
    "base_momentum": _maybe_per_group([0.8, 0.5]),
    "max_momentum": _maybe_per_group([0.9, 0.99]),
})


@st.composite
def _cyclic_custom(draw):
    """A custom scale_fn (mode is then ignored, scale_mode is the user's)."""
    settings = draw(_CYCLIC)
    settings["scale_fn"] = draw(st.sampled_from([_reciprocal, ScaleByHalves(0.5), ScaleByHalves(0.9)]))
    settings["scale_mode"] = draw(st.sampled_from(["cycle", "iterations"]))
    settings["mode"] = draw(st.sampled_from(["triangular", "exp_range", "not a mode"]))
    return settings


# ---- OneCycleLR ---------------------------------------------------------------------------------------------
ONE_CYCLE_STEPS = 120


@st.composite
def _one_cycle(draw):
    settings = {"max_lr": draw(_maybe_per_group([0.1, 1.0, 0.05]))}
    if draw(st.booleans()):  # the run ends at or after the schedule's last step
        settings["total_steps"] = draw(st.sampled_from([ONE_CYCLE_STEPS, ONE_CYCLE_STEPS + 1, 200]))
    else:
        settings["epochs"], settings["steps_per_epoch"] = draw(st.sampled_from([(12, 10), (40, 3), (1, 150)]))
    settings["three_phase"] = draw(st.booleans())
    settings["pct_start"] = draw(st.sampled_from([0.1, 0.25, 0.3, 0.45] + ([] if settings["three_phase"] else [0.8])))
    settings.update(draw(st.fixed_dictionaries({
        "anneal_strategy": st.sampled_from(["cos", "linear"]),
        "cycle_momentum": st.booleans(),
        "base_momentum": _maybe_per_group([0.85, 0.5]),
        "max_momentum": _maybe_per_group([0.95, 0.99]),
        "div_factor": st.sampled_from([25.0, 10.0, 2.0]),
        "final_div_factor": st.sampled_from([1e4, 100.0, 1.0]),
    })))
    return settings


SCHEDULER_SPECS = [
    SchedulerSpec("ReduceLROnPlateau", _PLATEAU, make=_make("ReduceLROnPlateau"),
                  metrics=st.one_of(_metric_sequences(), _metric_sequences().map(_negated)), steps=PLATEAU_STEPS,
                  state_keys=("best", "num_bad_epochs", "cooldown_counter", "last_epoch", "min_lrs")),
    SchedulerSpec("CyclicLR", _CYCLIC, make=_make("CyclicLR"), state_keys=("last_epoch",)),
    SchedulerSpec("CyclicLR", _cyclic_custom(), variant="scale_fn", make=_make("CyclicLR"),
                  state_keys=("last_epoch",)),
    SchedulerSpec("OneCycleLR", _one_cycle(), make=_make("OneCycleLR"), steps=ONE_CYCLE_STEPS),
]

# beta1 of Adam's betas cycled instead of a momentum
SCHEDULER_SPECS += [
    SchedulerSpec("CyclicLR", _CYCLIC, variant="Adam", make=_make("CyclicLR"), optimizer="Adam",
                  optimizer_kwargs={"lr": 0.1, "betas": (0.9, 0.999)}),
    SchedulerSpec("OneCycleLR", _one_cycle(), variant="Adam", make=_make("OneCycleLR"), optimizer="Adam",
                  optimizer_kwargs={"lr": 0.1, "betas": (0.9, 0.999)}, steps=ONE_CYCLE_STEPS),
]
KNOWN_FAILURES: dict = {}
