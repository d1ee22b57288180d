"""Interleaved timing: each round times a block of calls of every implementation, in an order that changes from
round to round, so drifts in machine load hit all of them alike.

A block is what a training loop runs: the same step again and again, on warm caches. A step's first call after
another implementation's is slower (torch's most: the 64-wide MLP's step took 422 µs cold and 212 µs warm, refgrad's
434 and 327, NumPy's 113 and 69), so a short step is timed over ``calls`` consecutive calls after one untimed call
(``settle``); a step of BLOCK_SECONDS or more is timed alone, where the cold start is a few percent of it. The
orders still form a sequence in which each implementation directly follows each other one equally often."""
from __future__ import annotations

import gc
import itertools
import math
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


class Measurement(NamedTuple):  # one call's figures (a block's mean)
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


BLOCK_SECONDS = 0.02  # a round's timed calls of one implementation last at least this long (see block_calls)


def block_calls(step_seconds: float) -> tuple[int, bool]:
    """(calls, settle) for a step that takes step_seconds: calls enough for BLOCK_SECONDS, after an untimed call
    (settle) when the step is shorter than that."""
    calls = max(1, math.ceil(BLOCK_SECONDS / max(step_seconds, 1e-9)))
    return calls, step_seconds < BLOCK_SECONDS


def timed_call(step: Callable[[], object], calls: int = 1, settle: bool = False) -> Measurement:
    """Measures ``calls`` consecutive calls of ``step``, after one untimed call if ``settle``: the figures of one
    call (their mean; page faults rounded up)."""
    if settle:
        step()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    collecting = _collections[0]
    cpu, start = time.process_time(), time.perf_counter()
    for _ in range(calls):
        step()
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
    return Measurement(seconds / calls, cpu_seconds / calls, math.ceil(faults / calls),
                       (_collections[0] - collecting) / calls)


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
    """{name: [its Measurement in each round]} over at least n_rounds interleaved rounds; a timer measures one block
    of calls (here or in a worker process)."""
    names = list(timers)
    measured = {name: [] for name in names}
    for order in balanced_orders(len(names), n_rounds):
        for i in order:
            measured[names[i]].append(timers[names[i]]())
    return measured
