"""Interleaved timing shared by the benchmarks: each round runs one call of every implementation, in an order
that changes from round to round, and medians are reported, so drifts in machine load hit all of them alike.

A call is slower after some implementations than after others (torch leaves the caches colder), so the orders
form a sequence in which each implementation directly follows each other one equally often."""
from __future__ import annotations

import collections
import itertools
import os
import statistics
import time

# torch's OpenMP threads otherwise spin after each of its calls and slow whichever call runs next
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def balanced_orders(n: int, n_rounds: int) -> list[tuple[int, ...]]:
    """At least n_rounds orders of range(n) (n = 2 or 3), cycling through all permutations in a sequence where,
    across round boundaries too, each index directly follows each other one equally often."""
    perms = list(itertools.permutations(range(n)))
    for cycle in itertools.permutations(perms):
        seq = [i for order in cycle for i in order]
        follows = collections.Counter(zip(seq[-1:] + seq[:-1], seq))  # (before, after), cyclic
        pairs = n * (n - 1)
        if len(follows) == pairs and len(set(follows.values())) == 1 and all(a != b for a, b in follows):
            return list(cycle) * -(-n_rounds // len(cycle))
    if n == 2:  # two orders cannot avoid a repeat at the boundary: alternate AB, BA
        return [(0, 1), (1, 0)] * -(-n_rounds // 2)
    raise AssertionError(f"no balanced sequence of orders of {n}")


def interleaved_medians(calls: dict, n_rounds: int) -> dict:
    """{name: median seconds of one call} over n_rounds interleaved rounds."""
    names = list(calls)
    times = {name: [] for name in names}
    for order in balanced_orders(len(names), n_rounds):
        for i in order:
            t0 = time.perf_counter()
            calls[names[i]]()
            times[names[i]].append(time.perf_counter() - t0)
    return {name: statistics.median(ts) for name, ts in times.items()}
