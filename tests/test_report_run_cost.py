"""What the report run skips to stay fast must not change what it does (issue 10: the run's cost).

- The kernel reads its notebook's parameters cell as JSON, not through nbformat: the same names, types and
  defaults, whether the cell's source is stored as one string or as a list of lines.
- The runner lets jsonschema import without compiling rfc3987-syntax's IRI grammar
  (:func:`hrpark_analysis.reports.execute.defer_iri_grammar`): an IRI format check still gives the real answers.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hrpark_analysis.errors import ReportError
from hrpark_analysis.reports.declared import notebook_parameters


def _notebook(path: Path, source: str | list[str], version: int = 4) -> Path:
    cell = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": source, "outputs": [],
            "execution_count": None}  # fmt: skip
    path.write_text(json.dumps({"nbformat": version, "nbformat_minor": 5, "metadata": {}, "cells": [cell]}))
    return path


@pytest.mark.parametrize("as_lines", [False, True], ids=["one string", "list of lines"])
def test_the_parameters_cell_is_read_the_same_whether_its_source_is_a_string_or_lines(tmp_path, as_lines):
    text = 'year: int = 2025  # 年度\npolicy_set: list = []  # 例如 ["a=1"]\nissuer = "局"\n'
    source = text.splitlines(keepends=True) if as_lines else text
    declared = notebook_parameters(_notebook(tmp_path / "nb.ipynb", source))
    assert list(declared) == ["year", "policy_set", "issuer"]
    assert declared["year"].default == 2025
    assert declared["policy_set"].default == []
    assert declared["issuer"].default == "局"


def test_a_file_that_is_not_a_notebook_is_a_report_error_naming_it(tmp_path):
    bad = tmp_path / "bad.ipynb"
    bad.write_text("[1, 2", "utf-8")
    with pytest.raises(ReportError, match=r"无法读取报告笔记本 .*bad\.ipynb"):
        notebook_parameters(bad)


def test_an_iri_format_check_gives_the_real_answers_after_the_grammar_was_deferred():
    # A fresh interpreter: this one has imported jsonschema already, so the stand-in would not be installed.
    script = textwrap.dedent(
        """
        import sys
        from hrpark_analysis.reports.execute import defer_iri_grammar
        defer_iri_grammar()
        import papermill
        from jsonschema import Draft7Validator, FormatChecker
        built_at_import = "rfc3987_syntax.syntax_helpers" in sys.modules
        check = Draft7Validator({"format": "iri"}, format_checker=FormatChecker()).is_valid
        print(built_at_import, [check(v) for v in ("http://例子.测试/路径?q=1", "no scheme", "http://a b", 5)])
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    # An IRI needs a scheme and no spaces (RFC 3987); a non-string is not the format's business.
    assert out.split(None, 1) == ["False", "[True, False, False, True]\n"]
