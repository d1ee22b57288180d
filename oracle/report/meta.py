"""Run metadata: versions, Hypothesis profile, date. Kept next to records.csv as run.json so that a report
rebuilt later from the records still says what produced them."""
from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import subprocess

from ..records import atomic_write

META_FILE = "run.json"


def _version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git_commit() -> str:
    """The refgrad checkout's commit (``+dirty`` when modified), or "" outside a git checkout."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], check=False, cwd=root, capture_output=True,
                             text=True,
                             timeout=5).stdout.strip()
        if not sha:
            return ""
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], check=False, cwd=root,
                               capture_output=True, text=True, timeout=5).stdout.strip()
        return sha + ("+dirty" if dirty else "")
    except (OSError, subprocess.SubprocessError):
        return ""


def hypothesis_profile() -> tuple[str, int | None]:
    try:
        from hypothesis import settings
    except ImportError:
        return "", None
    name = settings.get_current_profile_name() if hasattr(settings, "get_current_profile_name") else ""
    return name, settings.default.max_examples


def collect(**extra) -> dict:
    """Versions of everything that shapes the numbers, the Hypothesis profile and the time, plus ``extra``."""
    profile, max_examples = hypothesis_profile()
    meta = {
        "refgrad": _version("refgrad"),
        "refgrad_commit": _git_commit(),
        "numpy": _version("numpy"),
        "torch": _version("torch"),
        "hypothesis": _version("hypothesis"),
        "python": platform.python_version(),
        "platform": f"{platform.system()} {platform.machine()}",
        "hypothesis_profile": profile,
        "max_examples": max_examples,
        "date": _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    meta.update(extra)
    return meta


def write(folder: str, meta: dict) -> None:
    atomic_write(os.path.join(folder, META_FILE), lambda fh: json.dump(meta, fh, indent=1, sort_keys=True))


def read(folder: str) -> dict:
    path = os.path.join(folder, META_FILE)
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def for_rebuild(records_path: str) -> dict:
    """The run.json next to a records file; without one, this environment's versions, marked as such."""
    meta = read(os.path.dirname(os.path.abspath(records_path)))
    if meta:
        return meta
    meta = collect()
    meta["hypothesis_profile"] = ""
    meta["max_examples"] = None
    meta["note"] = ("no run.json next to the records: versions are those of the environment that built the "
                    "report, not necessarily of the run")
    return meta

