"""Interleaved timing: each round runs one call of every implementation, in an order that changes from round to
round, so drifts in machine load hit all of them alike.

A call is slower after some implementations than after others (torch leaves the caches colder), so the orders form a
sequence in which each implementation directly follows each other one equally often."""
from __future__ import annotations

import collections
import itertools
import resource
import time
import tracemalloc
from collections.abc import Callable
from typing import NamedTuple


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


class Measurement(NamedTuple):
    seconds: float  # wall-clock time of the call
    cpu_seconds: float  # the process's CPU time during it: on a machine other work shares, time spent descheduled
    #                     stays out of it (with one thread per library it is the call's own work)
    page_faults: int  # minor page faults: fresh memory the call touched


def timed_call(step: Callable[[], object]) -> Measurement:
    """Measures one call of ``step``."""
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    cpu, start = time.process_time(), time.perf_counter()
    step()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return Measurement(seconds, cpu_seconds, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults)


def peak_traced_bytes(step: Callable[[], object]) -> int:
    """The most memory one call of ``step`` holds at once beyond what it started with, as tracemalloc sees it: Python
    objects and NumPy arrays (NumPy reports its buffers to tracemalloc; torch does not, so its figure means nothing).
    Tracing slows the call, so this is a call of its own, never a timed one."""
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        step()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()


def interleaved(timers: dict[str, Callable[[], Measurement]], n_rounds: int) -> dict[str, list[Measurement]]:
    """{name: [its Measurement in each round]} over at least n_rounds interleaved rounds; a timer measures one call
    (here or in a worker process)."""
    names = list(timers)
    measured = {name: [] for name in names}
    for order in balanced_orders(len(names), n_rounds):
        for i in order:
            measured[names[i]].append(timers[names[i]]())
    return measured
