"""Papermill alone (as Airflow's PapermillOperator runs a notebook) validates like ``hrpark report`` (issue 11).

The notebooks call ``reports.kernel_check.check_kernel`` in the cell after their parameters cell, so an unknown
name or a value of the wrong type stops the run there, with the message ``hrpark report`` gives, as one line
in the notebook (no traceback into the library). Each papermill run here stops in its second code cell.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from hrpark_analysis.cli import main
from hrpark_analysis.reports.declared import notebook_parameters
from hrpark_analysis.reports.params import NOTEBOOK_DIR, NOTEBOOKS

PAPERMILL = [sys.executable, "-m", "papermill"]


def papermill(tmp_path: Path, kind: str, *args: str) -> tuple[subprocess.CompletedProcess, list[dict]]:
    """Run papermill on the bundled notebook; the executed notebook's error outputs."""
    out = tmp_path / "out.ipynb"
    proc = subprocess.run(
        [*PAPERMILL, str(NOTEBOOK_DIR / f"{NOTEBOOKS[kind]}.ipynb"), str(out), "--cwd", str(tmp_path), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    errors = []
    if out.exists():
        nb = nbformat.read(out, as_version=4)
        errors = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]  # fmt: skip
    return proc, errors


def hrpark_message(capsys, tmp_path: Path, kind: str, text: str) -> str:
    params = tmp_path / "p.yaml"
    params.write_text(text, "utf-8")
    assert main(["report", kind, "--params", str(params), "--out", str(tmp_path / "r")]) == 2
    line = next(x for x in capsys.readouterr().err.splitlines() if x.startswith("hrpark: 错误: "))
    return line.removeprefix("hrpark: 错误: ")


def test_an_unknown_name_fails_with_hrpark_reports_message(capsys, tmp_path):
    proc, errors = papermill(tmp_path, "annual", "-p", "yaer", "2024")
    assert proc.returncode != 0
    assert len(errors) == 1
    error = errors[0]
    assert error["ename"] == "ParameterError"
    assert error["traceback"] == [f"ParameterError: {error['evalue']}"]  # one line, not a deep traceback
    expected = hrpark_message(capsys, tmp_path, "annual", "yaer: 2024\n")
    # Same words after where the value came from (a params file there, papermill here).
    tail = "中的参数 yaer 不是笔记本 annual_evaluation.ipynb 的参数；是否想用 year？"
    assert expected.endswith(tail) and error["evalue"].endswith(tail)
    assert not (tmp_path / "r").exists()


def test_a_value_of_the_wrong_type_is_one_clear_line(capsys, tmp_path):
    proc, errors = papermill(tmp_path, "annual", "-p", "year", "abc")
    assert proc.returncode != 0
    assert [e["traceback"] for e in errors] == [[f"ParameterError: {errors[0]['evalue']}"]]
    assert errors[0]["evalue"].startswith("参数 year 应为 int(笔记本默认值 2025)")
    assert 'str "abc"' in errors[0]["evalue"]
    expected = hrpark_message(capsys, tmp_path, "annual", "year: abc\n")
    assert expected.startswith("参数 year 应为 int(笔记本默认值 2025)")


@pytest.mark.parametrize("kind", sorted(NOTEBOOKS))
def test_every_parameter_is_visible_to_papermill_help_notebook(kind):
    from papermill import inspect_notebook  # what papermill --help-notebook prints

    notebook = NOTEBOOK_DIR / f"{NOTEBOOKS[kind]}.ipynb"
    declared = set(notebook_parameters(notebook))
    assert declared <= set(inspect_notebook(str(notebook))), sorted(
        declared - set(inspect_notebook(str(notebook)))
    )


def test_papermill_help_notebook_prints_the_forecasts_reforms_and_optional_types():
    notebook = NOTEBOOK_DIR / "subsidy_forecast.ipynb"
    proc = subprocess.run([*PAPERMILL, "--help-notebook", str(notebook)], capture_output=True, text=True,
                          timeout=120, check=True)  # fmt: skip
    lines = [line.strip() for line in proc.stdout.splitlines()]
    assert any(line.startswith("reforms: dict (default {") for line in lines)
    assert any(line.startswith("ceiling: Optional[int] (default None)") for line in lines)
    assert any(line.startswith("arrival_rate: Union[float, list] (default 1.0)") for line in lines)


def test_papermill_sees_the_types_the_runner_checks():
    from papermill import inspect_notebook

    inspected = inspect_notebook(str(NOTEBOOK_DIR / "subsidy_forecast.ipynb"))
    inferred = {name: p["inferred_type_name"] for name, p in inspected.items()}
    assert inferred["ceiling"] == "Optional[int]"
    assert inferred["arrival_counts"] == "Union[int, list]"
    assert json.loads(json.dumps(inferred))["reforms"] == "dict"


def test_outside_papermill_the_declared_parameters_current_values_are_checked():
    from hrpark_analysis.errors import ParameterError
    from hrpark_analysis.reports.kernel_check import check_kernel

    check_kernel("annual", {"year": 2026, "data_dir": "", "policy_set": [], "other": object()})
    with pytest.raises(ParameterError, match=r"参数 year 应为 int"):
        check_kernel("annual", {"year": "abc"})
    with pytest.raises(ParameterError, match=r"参数 policy_set 的值含有 bytes"):
        check_kernel("forecast", {"policy_set": [b"import os"]})
