"""The two-sample Kolmogorov-Smirnov test: do two samples come from the same distribution? Used where values cannot
match torch's (random initialization draws from refgrad's generator, not torch's), so distributions are compared."""
from __future__ import annotations

import math

import numpy as np


def ks_statistic(x: np.ndarray, y: np.ndarray) -> float:
    """D = max |F_x - F_y| over the pooled sample, F the empirical distribution functions."""
    x, y = np.sort(np.ravel(x).astype(np.float64)), np.sort(np.ravel(y).astype(np.float64))
    both = np.concatenate([x, y])
    return float(np.max(np.abs(np.searchsorted(x, both, side="right") / x.size
                               - np.searchsorted(y, both, side="right") / y.size)))


def ks_p_value(x: np.ndarray, y: np.ndarray) -> float:
    """The asymptotic p-value of D: Q(λ) = 2 Σ_k (-1)^(k-1) exp(-2 k² λ²), λ = (√n_e + 0.12 + 0.11/√n_e)·D,
    n_e = n·m/(n+m) (Stephens' correction)."""
    statistic = ks_statistic(x, y)
    effective = x.size * y.size / (x.size + y.size)
    lam = (math.sqrt(effective) + 0.12 + 0.11 / math.sqrt(effective)) * statistic
    if lam < 0.05:  # the series converges too slowly there; Q is 1 to many digits
        return 1.0
    k = np.arange(1, 101)
    return float(np.clip(2 * np.sum((-1.0) ** (k - 1) * np.exp(-2 * k**2 * lam**2)), 0.0, 1.0))
