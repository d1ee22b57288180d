"""README's worked examples run: every ```python block right after a `<!-- runs in tests/test_readme.py -->` line is
executed as it stands (its own asserts are its checks), so the README cannot drift from what refgrad does."""
from __future__ import annotations

import pathlib
import re
import warnings

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"
MARKER = "<!-- runs in tests/test_readme.py -->"
EXAMPLES = re.findall(re.escape(MARKER) + r"\s*```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)


def test_readme_has_runnable_examples():
    assert EXAMPLES


@pytest.mark.parametrize("source", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_readme_example_runs(source, capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # an example that warns teaches users to ignore warnings
        exec(compile(source, str(README), "exec"), {"__name__": "readme_example"})
