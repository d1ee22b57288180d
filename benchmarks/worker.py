"""A worker process holding one implementation's step of one case, so that each implementation runs alone in its
process (torch's OpenMP threads, for one, are then absent from refgrad's and NumPy's processes).

The parent sends ("run", calls, settle) for each timed block and "stop" at the end; the worker answers with
timed_call's figures. It
is started with multiprocessing's spawn: a fresh interpreter that imports only the implementation's library (for
``--against``, refgrad from the other checkout's folder, put first on its path)."""
from __future__ import annotations

import multiprocessing
import sys

from .case import as_arrays
from .timing import Measurement, peak_traced_bytes, timed_call


def serve(case_name: str, implementation: str, connection, code: str | None = None) -> None:
    if code is not None:  # refgrad from another checkout (--against): its folder ahead of this one's on the path
        sys.path.insert(0, code)
    from .cases import by_name
    from .environment import library_versions

    case = by_name(case_name)
    step = case.build(implementation)
    results = [as_arrays(step()) for _ in range(case.warmups)]
    connection.send((results, library_versions(), "torch" in sys.modules, peak_traced_bytes(step)))
    while (message := connection.recv()) != "stop":
        _, calls, settle = message
        connection.send(tuple(timed_call(step, calls, settle)))


class Worker:
    """The parent's handle on one worker: ``warmup()`` returns (results, versions, torch imported?, peak traced
    bytes of a step), a call times a block of steps there (see timing.timed_call)."""

    def __init__(self, case_name: str, implementation: str, code: str | None = None):
        context = multiprocessing.get_context("spawn")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(case_name, implementation, theirs, code), daemon=True)
        self.process.start()
        theirs.close()  # the worker's end: once it exits, recv() here raises EOFError instead of waiting

    def warmup(self):
        try:
            return self.connection.recv()
        except EOFError:
            raise RuntimeError(f"the worker exited before its warm-up (exit code {self.process.exitcode}); "
                               "its traceback is above") from None

    def __call__(self, calls: int = 1, settle: bool = False) -> Measurement:
        self.connection.send(("run", calls, settle))
        return Measurement(*self.connection.recv())

    def stop(self) -> None:
        self.connection.send("stop")
        self.process.join(timeout=30)
