"""refgrad/_allocator.py: importing refgrad keeps the memory a step frees for the next step (glibc's malloc thresholds
at their ceilings), so a repeated step with arrays of a few MiB stops faulting its pages in anew each time. Each check
runs in a fresh interpreter: the thresholds are a process's, set once at import."""
from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

glibc_only = pytest.mark.skipif(not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc",
                                reason="the thresholds are glibc's; elsewhere refgrad changes nothing")

# a step over a 4 MiB float64 tensor: each op's result is a fresh 4 MiB array, freed by the step's end
STEP = """
import resource, refgrad
x = refgrad.randn(512, 1024, dtype=refgrad.float64, requires_grad=True)
def step():
    ((x * 2).tanh() * x + x.exp()).sum().backward()
    x.grad = None
for _ in range(3):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(10):
    step()
print(refgrad._allocator.status, (resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before) / 10)
"""
ONE_ARRAY_PAGES = 4 * 2**20 // 4096


def run_step(**environment) -> tuple[str, float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_") and k != "GLIBC_TUNABLES"}
    done = subprocess.run([sys.executable, "-c", STEP], capture_output=True, text=True, check=True,
                          env=env | environment)
    status, faults = done.stdout.rsplit(" ", 1)
    return status, float(faults)


@glibc_only
def test_a_repeated_step_reuses_the_memory_it_freed():
    status, faults = run_step()
    assert status == "True"
    assert faults < ONE_ARRAY_PAGES / 8, f"{faults} minor page faults per step: freed memory went back to the system"


@glibc_only
def test_turned_off_the_step_faults_its_arrays_in_each_time():
    """The premise of the check above: with glibc's own thresholds, the same step gives its arrays back and faults
    them in again (if a glibc stops doing so, this fails and the setting may go)."""
    status, faults = run_step(REFGRAD_KEEP_FREED_MEMORY="0")
    assert status == "turned off by REFGRAD_KEEP_FREED_MEMORY=0"
    assert faults > ONE_ARRAY_PAGES


@glibc_only
def test_an_environment_that_tunes_malloc_itself_is_left_alone():
    status, _ = run_step(MALLOC_TRIM_THRESHOLD_=str(2**20))
    assert status == "the environment tunes malloc (MALLOC_TRIM_THRESHOLD_)"
    status, _ = run_step(GLIBC_TUNABLES="glibc.malloc.trim_threshold=1048576")
    assert status == "the environment tunes malloc (GLIBC_TUNABLES)"
