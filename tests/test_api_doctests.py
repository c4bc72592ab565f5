"""The public API's docstrings (issue 16): each starts with its article, and every example runs."""

from __future__ import annotations

import doctest
import inspect

import pytest

from hrpark_analysis import api

FUNCTIONS = [name for name in api.__all__ if inspect.isfunction(getattr(api, name))]


def test_the_examples_run():
    result = doctest.testmod(api, optionflags=doctest.NORMALIZE_WHITESPACE, report=True)
    assert result.failed == 0
    assert result.attempted >= 3 * len(FUNCTIONS)


@pytest.mark.parametrize("name", FUNCTIONS)
def test_each_function_starts_with_its_article_and_has_an_example(name):
    doc = inspect.getdoc(getattr(api, name))
    assert doc.startswith("第"), doc.splitlines()[0]
    assert ">>> import hrpark_analysis as hp" in doc
    assert len(doctest.DocTestFinder().find(getattr(api, name))[0].examples) >= 3


def test_make_docs_writes_the_reference(tmp_path):
    """``make docs``: pdoc renders the API's docstrings (pure Python, no browser)."""
    import re
    import subprocess
    import sys
    from pathlib import Path

    makefile = (Path(__file__).resolve().parents[1] / "Makefile").read_text("utf-8")
    (command,) = re.findall(r"^\t\$\(BIN\)/pdoc (.+)$", makefile, flags=re.M)
    args = command.replace("docs/api", str(tmp_path / "api")).split()
    subprocess.run([sys.executable, "-m", "pdoc", *args], check=True, capture_output=True, timeout=300)
    page = (tmp_path / "api" / "hrpark_analysis" / "api.html").read_text("utf-8")
    for name in FUNCTIONS:
        assert f'id="{name}"' in page, name
    assert "第二十四条 / 第十一条 / 第二十五条: two policies on the same data" in page
    assert "grading.excellent_share=0.2" in page  # the examples are on the page
