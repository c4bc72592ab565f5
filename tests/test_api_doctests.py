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
