"""Freed memory kept for the next step: glibc's malloc thresholds set, when refgrad is imported, to the ceilings that
glibc's own adjustment of them reaches.

A training step allocates and frees the same large arrays every step (activations, scores, gradients). glibc serves
an allocation above M_MMAP_THRESHOLD from a fresh mapping, and gives the top of its heap back to the system once
more than M_TRIM_THRESHOLD lies free there. It raises both as it sees large blocks freed (the first to the largest
block freed, up to 32 MiB on a 64-bit system; the second to twice the first), but a step whose arrays are a few MiB
each still frees more than that at its end. Then every step returns its memory and takes it back page by page, each
page a fault the kernel zeroes. In a fresh process (measured, 2-core Xeon, float64): the transformer layer's step made
6,851 minor page faults and took 60 ms; with these thresholds, none and 48 ms. Attention: 1,763 faults, 12.6 ms; none,
9.4 ms. (torch's own steps make a few hundred: its kernels make fewer temporaries.)

The thresholds are glibc's documented ceilings (32 MiB, and twice that), which it would reach by itself once a
32 MiB array had been freed: memory up to 64 MiB at the heap's top stays with the process instead of going back to
the system, and arrays up to 32 MiB come from the heap. It changes the whole process's allocator, so it is skipped
where the environment already tunes it (MALLOC_TRIM_THRESHOLD_ and its kin, or glibc.malloc tunables), and
REFGRAD_KEEP_FREED_MEMORY=0 turns it off. Elsewhere than glibc nothing changes.
"""
from __future__ import annotations

import ctypes
import os
import platform
import sys

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)
MMAP_THRESHOLD = 32 << 20  # glibc's largest dynamic mmap threshold on 64-bit (DEFAULT_MMAP_THRESHOLD_MAX)
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # as glibc pairs them when it adjusts the mmap threshold itself
# the environment variables by which glibc takes these settings (and the ones beside them) from the user
_TUNING = ("MALLOC_TRIM_THRESHOLD_", "MALLOC_MMAP_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_")

# what keep_freed_memory() did at import: True (set), or why not
status: bool | str = "not tried"


def keep_freed_memory() -> bool | str:
    """Set glibc's thresholds (see the module docstring); True where set, else the reason it was not."""
    if os.environ.get("REFGRAD_KEEP_FREED_MEMORY", "1") == "0":
        return "turned off by REFGRAD_KEEP_FREED_MEMORY=0"
    tuned = sorted(k for k in _TUNING if k in os.environ)
    if "glibc.malloc." in os.environ.get("GLIBC_TUNABLES", ""):
        tuned.append("GLIBC_TUNABLES")
    if tuned:
        return f"the environment tunes malloc ({', '.join(tuned)})"
    if not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc" or sys.maxsize < 2**32:
        return "not a 64-bit glibc system"
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return "mallopt not found"
    mallopt.argtypes, mallopt.restype = (ctypes.c_int, ctypes.c_int), ctypes.c_int
    if not (mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)):
        return "mallopt refused the thresholds"
    return True
