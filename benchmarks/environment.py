"""The settings the figures depend on: thread counts (pinned before NumPy or torch load their thread pools), the BLAS,
the machine and the versions, printed and written with every result."""
from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
MALLOC = "malloc thresholds"  # the versions' entry saying whether refgrad set glibc's thresholds in that process


def threads_from_argv(argv: list[str]) -> int:
    """--threads N of the command line (default 1: on a machine that other work shares, one thread per library keeps
    the comparison about the code rather than about waiting for cores)."""
    return int(argv[argv.index("--threads") + 1]) if "--threads" in argv[:-1] else 1


def pin_threads(threads: int) -> None:
    """Give every BLAS / OpenMP pool ``threads`` threads (0: leave the libraries' defaults). Must run before NumPy
    and torch are imported: OpenBLAS and torch read the variables once, when they load; worker processes inherit the
    environment."""
    if "numpy" in sys.modules or "torch" in sys.modules:
        raise RuntimeError("pin_threads must run before NumPy and torch are imported")
    for variable in THREAD_VARIABLES if threads > 0 else ():
        os.environ[variable] = str(threads)
    # torch's OpenMP threads otherwise spin after each of its calls and slow whichever call runs next
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"


def library_versions() -> dict[str, str]:
    """Versions and thread counts of the libraries loaded in this process (a worker reports its own)."""
    import numpy as np

    found = {"python": platform.python_version(), "numpy": np.__version__}
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    found["numpy BLAS"] = f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    if "refgrad" in sys.modules:
        found["refgrad"] = git_revision(Path(sys.modules["refgrad"].__file__).resolve().parents[1])
        # whether refgrad set glibc's malloc thresholds for this process (refgrad/_allocator.py; older commits did not)
        allocator = getattr(sys.modules["refgrad"], "_allocator", None)
        status = getattr(allocator, "status", "not done by this commit")
        found[MALLOC] = ("32 / 64 MiB, set by refgrad for the whole process" if status is True
                                      else f"glibc's ({status})")
    if "torch" in sys.modules:
        torch = sys.modules["torch"]
        found["torch"] = f"{torch.__version__} (intra-op threads {torch.get_num_threads()})"
    return found


def git_revision(root: Path) -> str:
    """The commit the refgrad code in checkout ``root`` is at: HEAD, the last commit that changed refgrad/, and
    whether refgrad/ differs from it in the working tree (the benchmarks' own files do not count: they are not what
    is measured)."""

    def git(*args) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()

    try:
        head, changed = git("rev-parse", "--short", "HEAD"), git("log", "-1", "--format=%h", "--", "refgrad")
        dirty = git("status", "--porcelain", "--untracked-files=no", "--", "refgrad")
    except (OSError, subprocess.CalledProcessError):
        return "unknown commit"
    return f"at {head} (refgrad/ last changed in {changed})" + (" + uncommitted changes to refgrad/" if dirty else "")


def machine(metadata: dict) -> dict[str, str]:
    """The machine, from pyperf's metadata of a run (CPU model, cores, frequency, load) and the thread settings."""
    keys = ("cpu_model_name", "cpu_count", "cpu_freq", "load_avg_1min", "platform", "hostname")
    found = {key: str(metadata[key]) for key in keys if key in metadata}
    found["threads"] = ", ".join(f"{v}={os.environ.get(v, 'unset')}" for v in THREAD_VARIABLES + ("OMP_WAIT_POLICY",))
    return found
