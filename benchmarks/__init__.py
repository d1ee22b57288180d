"""The benchmark matrix: refgrad against hand-written NumPy and torch CPU (issue #13). Run ``python -m benchmarks``
(``--help`` for the options); cases live in benchmarks/cases/, one module per model family.

Timing statistics, the machine's metadata and the raw per-round values use pyperf (pyperf.Run / Benchmark, written
as a pyperf JSON suite next to the markdown and CSV tables, so that ``python -m pyperf compare_to before.json.gz
after.json.gz`` tests a change's significance and ``python -m pyperf stats / hist`` show the distributions). The rounds
themselves are ours: pyperf's Runner times one benchmark after the other (each in its own sequence of worker
processes), while the ratios here need implementations interleaved round by round so that load drift on a shared
machine hits them alike. pytest-benchmark does not fit: it times inside pytest runs, and benchmarks here are never
tests (tests/test_benchmarks.py only checks that every case runs and agrees).

Nothing here imports NumPy at package import time: ``python -m benchmarks`` pins the thread pools first."""
