"""The installed pytest plugin stays out of the way of projects that do not use it, and the command-line tools fail
cleanly without the test extras: each checked in a fresh environment holding only the packages it names.

A fresh environment is a ``python -m venv --without-pip`` (no network, well under a second) whose site-packages
gets symlinks to the chosen distributions of the interpreter running these tests (their files as RECORD lists
them) and to the requirements those distributions pull in, plus refgrad installed as pip would: its two packages
(symlinks to this checkout) and a ``refgrad-0.1.0.dist-info`` whose entry_points.txt, generated from
pyproject.toml, registers the pytest11 plugin and the console scripts (written to bin/ as pip writes them). Nothing
else is importable there: no PYTHONPATH, no user site, no system site-packages.

Then this project's own runs: the ``ci`` profile is in effect unless ``--hypothesis-profile`` names another, and
every module of refgrad and oracle was imported before the first test (tests/conftest.py)."""
from __future__ import annotations

import importlib
import importlib.metadata
import json
import os
import pkgutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest depends on tomli there
    import tomli as tomllib

PROJECT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "hypothesis", "torch", "pandas", "refgrad")  # none of them may load with the plugin alone


def _with_requirements(names) -> list[importlib.metadata.Distribution]:
    """The installed distributions ``names`` and, recursively, what they require (extras left out)."""
    found, todo = {}, list(names)
    while todo:
        name = canonicalize_name(todo.pop())
        if name in found:
            continue
        dist = found[name] = importlib.metadata.distribution(name)
        for line in dist.requires or ():
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return list(found.values())


def _install_refgrad(site: Path, bin_dir: Path) -> None:
    """refgrad as ``pip install .`` would leave it: its packages, its metadata, its entry points and scripts."""
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    for package in ("refgrad", "oracle"):
        (site / package).symlink_to(PROJECT / package, target_is_directory=True)
    info = site / f"{project['name']}-{project['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['name']}\nVersion: {project['version']}\n")
    groups = {"console_scripts": project.get("scripts", {}), **project.get("entry-points", {})}
    (info / "entry_points.txt").write_text("".join(
        f"[{group}]\n" + "".join(f"{name} = {target}\n" for name, target in entries.items()) + "\n"
        for group, entries in groups.items()))
    for name, target in project.get("scripts", {}).items():
        module, function = target.split(":")
        script = bin_dir / name
        script.write_text(f"#!{bin_dir / 'python'}\nimport sys\nfrom {module} import {function}\n"
                          f"if __name__ == '__main__':\n    sys.exit({function}())\n")
        script.chmod(0o755)


class FreshEnv:
    """A venv holding refgrad and the distributions ``packages`` (with their requirements), nothing else."""

    def __init__(self, root: Path, packages):
        subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(root)], check=True)
        self.bin = root / "bin"
        self.python = str(self.bin / "python")
        site = Path(self.run(["python", "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                             cwd=root).stdout.strip())
        for dist in _with_requirements(packages):
            for top in sorted({f.parts[0] for f in dist.files or () if f.parts[0] not in ("..", "__pycache__")}):
                if not (site / top).exists():
                    (site / top).symlink_to(dist.locate_file(top))
        _install_refgrad(site, self.bin)

    def run(self, argv, cwd) -> subprocess.CompletedProcess:
        # the user's project runs as on a developer's machine: under a CI service (CI=true ...) Hypothesis itself
        # loads its built-in "ci" profile, which would hide what the plugin does or does not impose
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTHON", "PYTEST", "VIRTUAL_ENV", "HYPOTHESIS")) and k not in _ci_variables()}
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return subprocess.run([str(self.bin / argv[0]), *argv[1:]], cwd=cwd, env=env, capture_output=True,
                              text=True, timeout=120)


@pytest.fixture(scope="module")
def bare(tmp_path_factory):
    """refgrad as a NumPy-only user installs it, with pytest: no hypothesis, torch, pandas."""
    return FreshEnv(tmp_path_factory.mktemp("bare"), ["numpy", "pytest"])


@pytest.fixture(scope="module")
def with_hypothesis(tmp_path_factory):
    return FreshEnv(tmp_path_factory.mktemp("hyp"), ["numpy", "pytest", "hypothesis"])


def _project(folder: Path, files: dict) -> Path:
    """A user's project: ``files`` maps names to their text, each a sequence of (indented) parts."""
    folder.mkdir(exist_ok=True)
    for name, parts in files.items():
        parts = (parts,) if isinstance(parts, str) else parts
        (folder / name).write_text("".join(textwrap.dedent(part) for part in parts))
    return folder


def _nothing_heavy(heavy=HEAVY) -> str:
    """A user's test: the plugin is registered, and none of ``heavy`` nor any other module of oracle was imported."""
    return f"""
    import sys

    def test_plugin_loaded_and_inert(request):
        assert request.config.pluginmanager.hasplugin("oracle")
        heavy = [m for m in sys.modules if m.split(".")[0] in {tuple(sorted(heavy))!r}
                 or (m.startswith("oracle.") and m != "oracle.pytest_plugin")]
        assert heavy == []
    """


def test_unrelated_project_without_hypothesis(bare, tmp_path):
    user = _project(tmp_path, {"test_user.py": _nothing_heavy()})
    result = bare.run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=user)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_plugin_imports_only_the_standard_library(bare, tmp_path):
    """What loading the plugin costs every pytest run of the environment: the modules it adds to pytest's."""
    probe = ("import sys, pytest; before = set(sys.modules); import oracle.pytest_plugin; "
             "print(' '.join(sorted(set(sys.modules) - before)))")
    result = bare.run(["python", "-c", probe], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    added = result.stdout.split()
    assert "oracle.pytest_plugin" in added
    assert [m for m in added if m not in ("oracle", "oracle.pytest_plugin")
            and m.split(".")[0] not in sys.stdlib_module_names] == []


def _ci_variables() -> set:
    """The environment variables by which Hypothesis detects a CI service (its private table; "CI" if it moved)."""
    try:
        from hypothesis._settings import _CI_VARS
    except ImportError:
        return {"CI"}
    return set(_CI_VARS)


def test_users_own_profile_is_kept(with_hypothesis, tmp_path):
    """Loaded in the user's conftest, their profile is the one in effect: the plugin imposes none (it used to load
    ``ci``: 8 derandomized examples, no database)."""
    user = _project(tmp_path, {
        "conftest.py": """
            from hypothesis import settings

            settings.register_profile("mine", max_examples=200)
            settings.load_profile("mine")
            """,
        "test_user.py": (_nothing_heavy(set(HEAVY) - {"hypothesis"}), """
            from hypothesis import given, settings, strategies as st

            EXAMPLES = []

            @given(st.integers())
            def test_examples(x):
                EXAMPLES.append(x)

            def test_profile_in_effect():
                assert settings.get_current_profile_name() == "mine"
                assert settings.default.max_examples == 200 and not settings.default.derandomize
                assert settings.default.database is not None
                assert len(EXAMPLES) > 8
            """)})
    result = with_hypothesis.run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=user)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout


def test_no_profile_imposed(with_hypothesis, tmp_path):
    user = _project(tmp_path, {"test_user.py": """
        from hypothesis import settings

        def test_default_profile():
            assert settings.get_current_profile_name() == "default"
        """})
    result = with_hypothesis.run(["python", "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=user)
    assert result.returncode == 0, result.stdout + result.stderr


def _one_line_saying_what_to_install(result, command: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(command) and 'pip install "refgrad[test]"' in lines[0], lines


@pytest.mark.parametrize("argv,command", [
    (["refgrad-report", "--help"], "refgrad-report"),
    (["python", "-m", "oracle.report", "build", "records.csv"], "refgrad-report"),
    (["python", "-m", "oracle", "coverage"], "python -m oracle coverage"),
    (["python", "-m", "pytest", "--report-dir", "out"], "ERROR: --report-dir"),
], ids=["refgrad-report", "python -m oracle.report", "python -m oracle coverage", "pytest --report-dir"])
def test_commands_say_what_to_install(bare, tmp_path, argv, command):
    _one_line_saying_what_to_install(bare.run(argv, cwd=tmp_path), command)


def test_oracle_help_lists_its_commands(bare, tmp_path):
    result = bare.run(["python", "-m", "oracle", "--help"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "coverage" in result.stdout


def test_this_projects_runs_load_its_profile(request):
    chosen = request.config.getoption("hypothesis_profile") or "ci"
    assert settings.get_current_profile_name() == chosen
    assert settings.default.max_examples == settings.get_profile(chosen).max_examples
    if chosen == "ci":
        assert settings.default.max_examples == 8 and settings.default.derandomize
        assert settings.default.database is None


def test_this_projects_runs_import_every_module_first():
    """tests/conftest.py imports them before collection, so Hypothesis draws the same cases serially, under xdist
    and in a -k selection (see import_local_packages)."""
    for name in ("refgrad", "oracle"):
        package = importlib.import_module(name)
        modules = [m.name for m in pkgutil.walk_packages(package.__path__, name + ".")
                   if not m.name.endswith(".__main__")]
        assert [m for m in modules if m not in sys.modules] == []


USER_RECORDS = """
    from oracle.records import Record

    def test_writes(oracle_records):
        oracle_records.write([Record(op="mine", family="user", check="forward", dtype="float64", shapes="(2,)",
                                     params="", n_elements=2, max_abs_err=0.0, max_rel_err=0.0, max_ulp=0.0,
                                     rtol=1e-7, atol=0.0, passed=True)])
    """


@pytest.mark.parametrize("files,options,expected", [
    ({"test_user.py": USER_RECORDS}, [], (0, "OK", "refgrad vs PyTorch", "")),
    ({"test_user.py": (USER_RECORDS, "\ndef test_fails():\n    assert False\n"),
      "pytest.ini": "[pytest]\noracle_report_title = My ops vs torch\noracle_report_intro = from the ini\n"},
     ["--report-intro", "from the command line"], (1, "TESTS_FAILED", "My ops vs torch", "from the command line")),
], ids=["defaults", "ini-and-option"])
def test_run_json_and_records(tmp_path, files, options, expected):
    """A user's suite with --report-dir: each Record stamped with its test's node id; run.json keeps the exit status
    (a number and its name) and the report's title and intro (command line over ini over the defaults)."""
    user = _project(tmp_path / "user", files)
    out = tmp_path / "report"
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--report-dir", str(out),
                             *options], cwd=user, env={**os.environ, "PYTHONPATH": str(PROJECT)},
                            capture_output=True, text=True, timeout=120)
    run = json.loads((out / "run.json").read_text())
    assert (run["exit_status"], run["exit"], run["title"], run["intro"]) == expected, result.stdout + result.stderr
    rows = (out / "records.csv").read_text().splitlines()
    assert len(rows) == 2 and rows[1].endswith(",test_user.py::test_writes"), rows


def test_report_build_title(tmp_path, monkeypatch):
    """refgrad-report build --title/--intro override run.json's for the page; the rest of run.json is kept."""
    import oracle.report
    from oracle.report import cli, meta

    (tmp_path / "records.csv").write_text("")
    meta.write(str(tmp_path), {"title": "from the run", "intro": "kept", "torch": "9.9"})
    seen = {}
    monkeypatch.setattr(oracle.report, "build", lambda path, out, meta=None, progress=None: seen.update(meta) or [])
    assert cli.main(["build", str(tmp_path / "records.csv"), "--title", "Mine", "-q"]) == 0
    assert seen == {"title": "Mine", "intro": "kept", "torch": "9.9"}
