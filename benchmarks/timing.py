"""Interleaved timing: each round runs one call of every implementation, in an order that changes from round to
round, so drifts in machine load hit all of them alike.

A call is slower after some implementations than after others (torch leaves the caches colder), so the orders form a
sequence in which each implementation directly follows each other one equally often."""
from __future__ import annotations

import gc
import itertools
import resource
import time
import tracemalloc
from collections.abc import Callable
from typing import NamedTuple


def balanced_orders(n: int, n_rounds: int) -> list[tuple[int, ...]]:
    """At least n_rounds orders of range(n), repeating a cycle of n - 1 orders in which, across round boundaries too
    (cyclically), each index directly follows each other one exactly once. Two implementations cannot avoid a
    repeat at the boundary: they alternate AB, BA. Four or five run with --against."""
    if n == 2:
        return [(0, 1), (1, 0)] * -(-n_rounds // 2)
    cycle = _follow_once_cycle(n)
    return cycle * -(-n_rounds // len(cycle))


def _follow_once_cycle(n: int) -> list[tuple[int, ...]]:
    """n - 1 permutations of range(n) whose concatenation, read cyclically, holds each ordered pair (a, b), a != b,
    once as neighbours (an Eulerian circuit of the complete digraph, cut into rounds): a depth-first search, which
    finds one at once for the n of the matrix (3 to 5)."""
    perms = list(itertools.permutations(range(n)))

    def extend(cycle: list, used: frozenset):
        if len(cycle) == n - 1:
            closing = (cycle[-1][-1], cycle[0][0])
            return cycle if closing[0] != closing[1] and closing not in used else None
        for order in perms:
            pairs = list(zip(order, order[1:])) + ([(cycle[-1][-1], order[0])] if cycle else [])
            if any(a == b or pair in used for pair in pairs for a, b in [pair]) or len(set(pairs)) < len(pairs):
                continue
            found = extend(cycle + [order], used | set(pairs))
            if found:
                return found
        return None

    found = extend([], frozenset())
    if found is None:
        raise AssertionError(f"no sequence of orders of {n} in which each follows each other once")
    return found


class Measurement(NamedTuple):
    seconds: float  # wall-clock time of the call
    cpu_seconds: float  # the process's CPU time during it: on a machine other work shares, time spent descheduled
    #                     stays out of it (with one thread per library it is the call's own work)
    page_faults: int  # minor page faults: fresh memory the call touched
    gc_seconds: float  # time in Python's garbage collector during the call: a graph of Python objects per op is
    #                    counted and, when long, scanned with every other object in the process (torch's, where
    #                    torch is imported), where torch's graph is C++


# [seconds spent in collections so far, start of the current one]: gc.callbacks time every collection
_collections = [0.0, 0.0]


def _time_collection(phase: str, info: dict) -> None:
    if phase == "start":
        _collections[1] = time.perf_counter()
    else:
        _collections[0] += time.perf_counter() - _collections[1]


gc.callbacks.append(_time_collection)


def timed_call(step: Callable[[], object]) -> Measurement:
    """Measures one call of ``step``."""
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    collecting = _collections[0]
    cpu, start = time.process_time(), time.perf_counter()
    step()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    return Measurement(seconds, cpu_seconds, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults,
                       _collections[0] - collecting)


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
