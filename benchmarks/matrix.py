"""The benchmark matrix: every case of benchmarks/cases, each implementation interleaved with the others round by
round, medians and spread per implementation, refgrad's ratios to NumPy and torch as the headline, targets beside
them. Results go to benchmarks/results/<date>-<time>[-quick][-isolated].md / .csv / .json.gz (pyperf suite), the
markdown to stdout too.

    python -m benchmarks                 # the full matrix (about 10 minutes on 2 cores)
    python -m benchmarks --quick         # one case or two per family (about a minute)
    python -m benchmarks --isolate       # each implementation in its own process (torch absent from refgrad's)
    python -m benchmarks --only "MLP" --only "seed net"     # the cases whose group or name contains a text
    python -m benchmarks --threads 2     # BLAS / OpenMP threads per library (default 1; 0 leaves theirs)
    git worktree add --detach ../refgrad-old acee365
    python -m benchmarks --against ../refgrad-old --only "small CNN"   # that commit's refgrad beside this one's
"""
from __future__ import annotations

import argparse
import datetime
import math
import subprocess
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pyperf

from .case import NUMPY, REFGRAD, TORCH, Case, as_arrays, assert_agree
from .cases import all_cases
from .environment import MALLOC, library_versions, machine
from .results import write_results
from .timing import Measurement, block_calls, interleaved, peak_traced_bytes, timed_call
from .worker import Worker

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass(frozen=True)
class Budget:
    """How long to time each case: rounds enough for ``seconds`` of measured calls, within [least, most]."""
    seconds: float
    least: int
    most: int

    def rounds(self, round_seconds: float) -> int:
        return max(self.least, min(self.most, math.ceil(self.seconds / max(round_seconds, 1e-9))))


FULL, QUICK = Budget(seconds=2.0, least=12, most=400), Budget(seconds=1.5, least=6, most=200)


@dataclass
class CaseResult:
    case: Case
    measured: dict[str, list[Measurement]]  # implementation -> its measurement in each round
    benchmarks: dict[str, pyperf.Benchmark]  # implementation -> its values (seconds per op for per-op cases)
    versions: dict[str, dict[str, str]]  # implementation -> the libraries its process had loaded
    peak_bytes: dict[str, int]  # implementation -> peak traced memory of one step (NumPy and refgrad only)


def reference(case: Case) -> str:
    """The implementation the others' results are checked against: NumPy where the case has one, else torch."""
    return NUMPY if NUMPY in case.implementations else TORCH


def check_agreement(case: Case, results: dict[str, list[list]]) -> None:
    """Every implementation's warm-up results (losses over the first steps, or outputs and gradients) match the
    reference's to the case's tolerance."""
    if not case.compare:
        return
    want = results[reference(case)]
    for implementation, got in results.items():
        for call, (g, w) in enumerate(zip(got, want)):
            assert_agree(g, w, case.rtol, case.atol,
                         f"{case.name}: {implementation} against {reference(case)}, warm-up call {call + 1}")


@dataclass(frozen=True)
class Against:
    """refgrad from another checkout (``--against``), timed as one more implementation, ``name``."""
    name: str  # "refgrad@<commit>"
    code: str  # the checkout's folder, put first on its worker's path

    @classmethod
    def of(cls, folder: Path) -> Against:
        if not (folder / "refgrad" / "__init__.py").is_file():
            sys.exit(f"--against {folder}: no refgrad/ package there (give a checkout, e.g. a git worktree)")
        done = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=folder, capture_output=True, text=True)
        return cls(f"{REFGRAD}@{done.stdout.strip() if done.returncode == 0 else folder.name}", str(folder.resolve()))


def prepare(case: Case, isolate: bool, against: Against | None = None):
    """Timers for each implementation (here, or in its own worker process), after the warm-up calls and the check
    that the implementations agree; returns (timers, versions, peak traced bytes of a step, workers to stop).
    ``against`` (isolated runs only): the other checkout's refgrad as one more implementation of refgrad's cases."""
    if isolate:
        workers = {implementation: Worker(case.name, implementation) for implementation in case.implementations}
        if against is not None and REFGRAD in case.implementations:
            workers[against.name] = Worker(case.name, against.name, against.code)
        try:
            warm = {implementation: worker.warmup() for implementation, worker in workers.items()}
            for implementation, (_, _, torch_loaded, _) in warm.items():
                if torch_loaded and not implementation.startswith(TORCH):
                    raise AssertionError(f"{case.name}: torch was imported in {implementation}'s process")
            check_agreement(case, {implementation: results for implementation, (results, *_) in warm.items()})
        except BaseException:
            for worker in workers.values():
                worker.process.kill()
            raise
        versions = {implementation: found for implementation, (_, found, *_) in warm.items()}
        if against is not None and against.name in versions:  # (the tables merge versions: keep both refgrads')
            versions[against.name] = {(against.name if key == REFGRAD else f"{key} ({against.name})" if key == MALLOC
                                       else key): value for key, value in versions[against.name].items()}
        return (workers, versions, {implementation: peak for implementation, (*_, peak) in warm.items()}, workers)
    steps = {implementation: case.build(implementation) for implementation in case.implementations}
    check_agreement(case, {implementation: [as_arrays(step()) for _ in range(case.warmups)]
                           for implementation, step in steps.items()})
    versions = library_versions()
    peaks = {implementation: peak_traced_bytes(step) for implementation, step in steps.items()}
    return ({implementation: partial(timed_call, step) for implementation, step in steps.items()},
            dict.fromkeys(steps, versions), peaks, {})


def run_case(case: Case, budget: Budget, isolate: bool, against: Against | None = None) -> CaseResult:
    timers, versions, peaks, workers = prepare(case, isolate, against)
    try:
        pilot = {implementation: timer(1, True).seconds for implementation, timer in timers.items()}  # not kept
        calls, settle = block_calls(min(pilot.values()))  # one block size for all, the fastest's BLOCK_SECONDS
        timers = {implementation: partial(timer, calls, settle) for implementation, timer in timers.items()}
        measured = interleaved(timers, budget.rounds(sum(pilot.values()) * (calls + settle)))
    finally:
        for worker in workers.values():
            worker.stop()
    benchmarks = {}
    for implementation, values in measured.items():
        metadata = {"name": f"{case.name} | {implementation}", "unit": "second", "inner_loops": case.ops_per_call,
                    "isolated": str(isolate)}
        run = pyperf.Run([m.seconds / case.ops_per_call for m in values], metadata=metadata)
        benchmarks[implementation] = pyperf.Benchmark([run])
    return CaseResult(case, measured, benchmarks, versions, peaks)


def selected(args) -> list[Case]:
    cases = [case for case in all_cases() if case.quick or not args.quick]
    if args.only:
        wanted = [text.lower() for text in args.only]
        cases = [case for case in cases if any(text in f"{case.group}: {case.name}".lower() for text in wanted)]
    return cases


def parse(argv) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description="Run the benchmark matrix: refgrad against hand-written NumPy and "
        "torch CPU.", formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__)
    parser.add_argument("--quick", action="store_true", help="the cases marked quick, with short timing budgets")
    parser.add_argument("--isolate", action="store_true", help="each implementation in its own worker process")
    parser.add_argument("--threads", type=int, default=1, help="threads per library's BLAS / OpenMP pools (0: theirs)")
    parser.add_argument("--only", action="append",
                        help="run the cases whose group or name contains this text (repeatable)")
    parser.add_argument("--seconds", type=float, help="measured seconds per case (default 2, --quick 1.5)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="folder for the .md / .csv / .json.gz results")
    parser.add_argument("--no-write", action="store_true", help="print the tables only")
    parser.add_argument("--note", default="",
                        help="a line to write above the tables (e.g. what else loaded the machine)")
    parser.add_argument("--against", type=Path, metavar="CHECKOUT",
                        help="also time refgrad from another checkout (a git worktree of another commit), in its own "
                        "process beside this one's, with refgrad's ratio to it in the tables (implies --isolate)")
    parser.add_argument("--list", action="store_true", help="list the selected cases and exit")
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse(argv)
    cases = selected(args)
    if args.list:
        print("\n".join(f"{case.group:15s} {case.name}" for case in cases))
        return
    if not cases:
        sys.exit("no case matches --only")
    against = Against.of(args.against) if args.against else None
    isolate = args.isolate or against is not None  # (both refgrads alike, each in a process of its own)
    budget = QUICK if args.quick else FULL
    if args.seconds:
        budget = Budget(args.seconds, budget.least, budget.most)
    started = datetime.datetime.now(datetime.timezone.utc)
    results = []
    for case in cases:
        print(f"  {case.group}: {case.name} ...", file=sys.stderr, flush=True)
        results.append(run_case(case, budget, isolate, against))
    mode = "each implementation in its own process" if isolate else "all implementations in one process"
    if against is not None:
        mode += f"; {against.name} is refgrad from {against.code}"
    setting = {"started": started.strftime("%Y-%m-%d %H:%M UTC"), "note": args.note, "mode": mode, "quick": args.quick,
               "machine": machine(next(iter(results[0].benchmarks.values())).get_metadata())}
    stem = (started.strftime("%Y-%m-%d-%H%M") + ("-quick" if args.quick else "") + ("-isolated" if isolate else "")
            + (f"-against-{against.name.split('@')[1]}" if against else ""))
    print(write_results(results, setting, None if args.no_write else args.out / stem))
