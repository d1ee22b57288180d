"""refgrad's packages are layered, each importing only the layers below it:

    dtypes, _grad_state, _quiet, _rows, _scatter, _layout, registry  ->  tensor (arguments, creation, random)  ->  autograd  ->  ops  ->  nn

Each module is imported in a fresh interpreter with a bare ``refgrad`` package in place of refgrad/__init__.py
(which imports everything), so what lands in sys.modules is what that module itself pulls in."""
from __future__ import annotations

import ast
import pathlib
import subprocess
import sys

import pytest

import refgrad

PACKAGE_DIR = pathlib.Path(refgrad.__file__).parent
LAYERS = (
    ("refgrad.dtypes", "refgrad._grad_state", "refgrad._quiet", "refgrad._rows", "refgrad._scatter", "refgrad._layout",
     "refgrad.registry"),
    ("refgrad.tensor", "refgrad.arguments", "refgrad.creation", "refgrad.random", "refgrad.sparse",
     "refgrad.serialization"),
    ("refgrad.autograd",),
    ("refgrad.ops",),
    ("refgrad.nn",),
    ("refgrad.optim",),
)
IMPORTED = [("refgrad.dtypes", 0), ("refgrad._grad_state", 0), ("refgrad._quiet", 0), ("refgrad._rows", 0),
            ("refgrad._scatter", 0), ("refgrad._layout", 0), ("refgrad.registry", 0), ("refgrad.tensor", 1),
            ("refgrad.arguments", 1), ("refgrad.sparse", 1), ("refgrad.serialization", 1), ("refgrad.autograd", 2),
            *[(f"refgrad.ops.{p.stem}", 3) for p in sorted((PACKAGE_DIR / "ops").glob("[!_]*.py"))],
            *[(f"refgrad.nn.functional.{p.stem}", 4) for p in sorted((PACKAGE_DIR / "nn/functional").glob("*.py"))],
            ("refgrad.nn.init", 4), ("refgrad.nn.parameter", 4),
            *[(f"refgrad.nn.modules.{p.stem}", 4) for p in sorted((PACKAGE_DIR / "nn/modules").glob("*.py"))],
            *[(f"refgrad.optim.{p.stem}", 5) for p in sorted((PACKAGE_DIR / "optim").glob("*.py"))]]


def _modules_loaded_by(module: str) -> list:
    script = (
        "import importlib, sys, types\n"
        "bare = types.ModuleType('refgrad')\n"
        f"bare.__path__ = [{str(PACKAGE_DIR)!r}]\n"
        "sys.modules['refgrad'] = bare\n"
        f"importlib.import_module({module!r})\n"
        "print('\\n'.join(m for m in sys.modules if m.startswith('refgrad.')))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return done.stdout.split()


def _in(module: str, prefixes) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.mark.parametrize("module, layer", IMPORTED)
def test_a_layer_imports_only_the_layers_below_it(module, layer):
    allowed = [p for below in LAYERS[:layer + 1] for p in below]
    above = [m for m in _modules_loaded_by(module) if not _in(m, allowed)]
    assert not above, f"importing {module} loads {above}, above its layer"


@pytest.mark.parametrize("path", ["func.py", *[f"autograd/{p.name}" for p in sorted((PACKAGE_DIR / "autograd").glob("*.py"))]])
def test_no_import_hides_inside_a_function(path):
    """A function-local import of a refgrad module is how a cycle hides: the engine's layers import at the top."""
    tree = ast.parse((PACKAGE_DIR / path).read_text())
    local = [f"line {node.lineno}" for fn in ast.walk(tree) if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef))
             for node in ast.walk(fn) if isinstance(node, ast.ImportFrom) and node.level > 0]
    assert not local, f"{path} imports inside a function at {local}"


def test_no_forward_sets_its_own_error_state():
    """Every Function's forward already runs quiet (refgrad._quiet, set once by Function): an np.errstate inside
    one only costs another 1.3 µs per call, more than a small op's arithmetic."""
    found = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        tree = ast.parse(path.read_text())
        for cls in [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]:
            for fn in [f for f in cls.body if isinstance(f, ast.FunctionDef) and f.name == "forward"]:
                found += [f"{path.relative_to(PACKAGE_DIR)}:{node.lineno} {cls.name}.forward" for node in ast.walk(fn)
                          if isinstance(node, ast.With) and "errstate" in ast.unparse(node)]
    assert not found, f"np.errstate inside an already quiet forward: {found}"
