"""What the report run skips to stay fast must not change what it does (issue 10: the run's cost).

- The kernel reads its notebook's parameters cell as JSON, not through nbformat: the same names, types and
  defaults, whether the cell's source is stored as one string or as a list of lines.
- The runner lets jsonschema import without compiling rfc3987-syntax's IRI grammar
  (:func:`hrpark_analysis.reports.execute.defer_iri_grammar`): an IRI format check still gives the real answers.
- The ``hrpark`` command ends without the interpreter's teardown (:func:`hrpark_analysis.__main__.run`): its
  output, exit code and exit handlers are those of an ordinary exit, and a thread still at work is waited for.
- A report kernel imports the notebook's libraries while it waits for its first cell
  (:mod:`hrpark_analysis.reports.preload`), and every cell waits for that thread.
- The kernel imports the export package for ``publish_table`` only, and the runner finds the CJK font, without
  loading the writers (openpyxl, python-docx) or matplotlib: the writers still import on first use.
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


def _python(script: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args], capture_output=True, text=True
    )


def test_the_command_prints_and_exits_as_an_ordinary_exit_would(tmp_path):
    from hrpark_analysis.cli import main

    ran = _python(
        """
        import atexit, sys
        atexit.register(lambda: print("exit handler ran", flush=True))
        sys.argv = ["hrpark", "policy", "show"]
        from hrpark_analysis.__main__ import run
        run()
        """
    )
    assert ran.returncode == 0, ran.stderr
    lines = ran.stdout.splitlines()
    assert lines[-1] == "exit handler ran"
    assert len(lines) > 30 and lines[0].startswith("《重庆市市级人力资源服务产业园管理办法(试行)》")

    bad = _python("from hrpark_analysis.__main__ import run; run()", "score", "--data", str(tmp_path / "无"),
                  "--year", "2025", "--out", str(tmp_path / "out"))  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.startswith("hrpark: 错误: ") and "无" in bad.stderr
    assert main(["policy", "show"]) == 0  # the in-process route still returns its code


def test_a_thread_still_at_work_gets_the_ordinary_exit():
    ran = _python(
        """
        import sys, threading, time
        def late():
            time.sleep(0.3)
            print("thread finished", flush=True)
        threading.Thread(target=late).start()
        sys.argv = ["hrpark", "--version"]
        from hrpark_analysis.__main__ import run
        run()
        """
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.splitlines()[-1] == "thread finished"


def test_the_kernel_and_the_runner_do_not_load_the_writers_or_matplotlib_for_what_they_need():
    ran = _python(
        """
        import sys
        from hrpark_analysis.reports.export import publish_table
        from hrpark_analysis.reports.fonts import cjk_font_path
        from hrpark_analysis.reports import runner
        font = cjk_font_path()
        loaded = sorted(m for m in ("openpyxl", "docx", "typst", "matplotlib", "mplfonts") if m in sys.modules)
        from hrpark_analysis.reports.export import write_xlsx, to_html, write_documents, sheet_names
        import mplfonts
        from pathlib import Path
        same = font == Path(mplfonts.__file__).resolve().parent / "fonts" / "NotoSansCJKsc-Regular.otf"
        print(loaded, "openpyxl" in sys.modules, same)
        """
    )
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.split() == ["[]", "True", "True"]


def test_a_report_kernel_has_the_libraries_loaded_when_its_first_cell_runs(tmp_path):
    import nbformat

    from hrpark_analysis.reports.execute import execute_notebook
    from hrpark_analysis.reports.preload import MODULES

    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell("year = 2025", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            f"import sys\nprint([m for m in {list(MODULES)!r} if m not in sys.modules])"
        ),
    ]
    source, executed = tmp_path / "nb.ipynb", tmp_path / "out.ipynb"
    nbformat.write(nb, source)
    execute_notebook(source, executed, {"year": 2025})
    outputs = nbformat.read(executed, as_version=4).cells[-1].outputs
    assert [o.get("text") for o in outputs] == ["[]\n"]  # nothing left to import, and no warning or error


def test_the_preload_hook_waits_for_the_thread_and_a_failed_import_is_left_to_the_notebook():
    ran = _python(
        """
        import sys
        from hrpark_analysis.reports import preload

        class Events:
            def register(self, event, hook):
                self.event, self.hook = event, hook

        class Shell:
            events = Events()

        preload.MODULES = ("wave", "no_such_module_anywhere", "tabnanny")  # stops at the failure, quietly
        thread = preload.start(Shell())
        Shell.events.hook(object())  # what IPython calls before a cell: returns once the imports are done
        print(Shell.events.event, thread.is_alive(), "wave" in sys.modules, "tabnanny" in sys.modules)
        """
    )
    assert ran.returncode == 0 and ran.stderr == "", ran.stderr
    assert ran.stdout.split() == ["pre_run_cell", "False", "True", "False"]
