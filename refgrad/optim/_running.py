"""Running averages the adaptive optimizers (Adam's family, RMSprop, Adadelta) keep, updated in place in torch's
order of operations so that float64 trajectories agree with torch's to rounding."""
from __future__ import annotations

import numpy as np

__all__ = ["addcdiv_", "decay_squares_", "lerp_"]


def decay_squares_(average_sq: np.ndarray, values: np.ndarray, decay: float) -> None:
    """average_sq ← decay·average_sq + (1 − decay)·values² in place, as torch's mul_().addcmul_(). ``decay`` a number
    or a 0-d tensor (Adam's betas may be tensors)."""
    decay = float(decay)
    average_sq *= decay
    weighted = np.multiply(values, 1 - decay)  # ((1 − decay)·v)·v, torch's order, one temporary
    weighted *= values
    average_sq += weighted


def lerp_(average: np.ndarray, target: np.ndarray, weight: float) -> None:
    """average ← average + weight·(target − average) in place, as torch.lerp_: from a weight of 0.5 up it computes
    target − (target − average)·(1 − weight) instead, which is exact at weight 1."""
    weight = average.dtype.type(weight)
    if abs(weight) < 0.5:
        average += weight * (target - average)
    else:
        average[...] = target - (target - average) * (1 - weight)


def addcdiv_(theta: np.ndarray, value: float, numerator: np.ndarray, denominator: np.ndarray,
             scratch: np.ndarray | None = None) -> np.ndarray:
    """theta ← theta + (value·numerator) / denominator in place, rounded as torch's addcdiv_ rounds it, with one
    temporary (``scratch``, if given, an array of theta's shape and dtype to write it into); returns the temporary,
    for a second update to reuse. (An array also for a 0-d parameter, where a ufunc would return a scalar.)"""
    step = np.multiply(numerator, value, out=np.empty_like(theta) if scratch is None else scratch)
    step /= denominator
    theta += step
    return step
