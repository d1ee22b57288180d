"""This project's own test runs: its Hypothesis profiles (``ci`` unless ``--hypothesis-profile`` names another) and
every module of refgrad and oracle imported before the first test. The installed pytest plugin (oracle.pytest_plugin)
does neither: it loads in every pytest run of an environment with refgrad installed, users' included."""
from __future__ import annotations

import importlib
import pkgutil
import warnings

from hypothesis import settings

import oracle.profiles  # noqa: F401 (registers ci, dev and thorough)

DEFAULT_PROFILE = "ci"


def import_local_packages(names=("refgrad", "oracle")) -> None:
    """Imports every module of refgrad and oracle up front.

    Hypothesis mixes constants found in the source of the *local* modules loaded so far (``sys.modules``) into
    the values it draws. Were some of them imported lazily, mid-run, the inputs a test gets would depend on which
    tests ran before it in the same process, and a pytest-xdist worker would generate other cases than a serial
    run (or a ``-k`` selection other cases than the full suite). With every module loaded before the first test,
    the cases depend only on the code."""
    for name in names:
        try:
            package = importlib.import_module(name)
            for info in pkgutil.walk_packages(package.__path__, name + "."):
                if info.name.rsplit(".", 1)[-1] != "__main__":
                    importlib.import_module(info.name)
        except Exception as e:  # noqa: BLE001 (a broken module fails the tests that use it; here only warn)
            warnings.warn(f"could not import every module of {name} up front ({e!r}); Hypothesis may then draw "
                          f"different cases in parallel and serial runs", stacklevel=1)


def pytest_configure(config):
    """Runs in the controlling process and in each pytest-xdist worker, before collection."""
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile(DEFAULT_PROFILE)
    one_torch_thread()
    import_local_packages()


def one_torch_thread() -> None:
    """torch computes on one thread in each test process. Its default is a thread per core in every process, so
    pytest-xdist's worker per core oversubscribes the cores, and torch's idle threads spin while another process
    waits for a core: with both cores of a 2-core machine busy, one Transformer check (25 examples) took 116 s
    against 12-25 s on one thread. The oracle's inputs are small, so one thread costs nothing on an idle machine
    (17.8 s against 17.5 s)."""
    import torch

    torch.set_num_threads(1)
