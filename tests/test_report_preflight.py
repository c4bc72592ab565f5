"""``hrpark report``: everything a run needs is checked before any kernel starts (issue 12).

A bad data folder, policy override, scenario choice or parameter value gives exit 2 and the same one-line
message the other commands give for it, and leaves nothing in ``--out``: no report folder, no temporary
folder, no lock file. None of these tests starts a kernel: a test that did would take seconds, and the
point is that the run stops first.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from hrpark_analysis.cli import main
from hrpark_analysis.engine.dataset import SAMPLE_DIR


def run(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hrpark: 错误: "), err  # nothing else on stderr either
    return lines[0]


def params(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "params.yaml"
    path.write_text(textwrap.dedent(text), "utf-8")
    return path


@pytest.fixture
def bad_data(tmp_path) -> Path:
    """The sample data folder with one park's certification year spoilt (parks.csv, row 4)."""
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, folder, ignore=shutil.ignore_patterns("README.md"))
    lines = (folder / "parks.csv").read_text("utf-8").splitlines()
    fields = lines[3].split(",")
    fields[3] = "二〇二二"
    lines[3] = ",".join(fields)
    (folder / "parks.csv").write_text("\n".join(lines) + "\n", "utf-8")
    return folder


@pytest.mark.parametrize("kind", ["annual", "sensitivity", "certification"])
def test_a_bad_data_folder_is_refused_before_the_kernel_with_hrpark_scores_message(
    capsys, tmp_path, bad_data, kind, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, "score", "--data", "data", "--year", 2025, "--out", "scores")
    assert code == 2
    expected = one_error_line(err)
    assert "parks.csv" in expected and "第 4 行" in expected

    code, err = run(capsys, "report", kind, "--params", params(tmp_path, "data_dir: data\n"), "--out", "out")
    assert code == 2
    assert one_error_line(err) == expected
    assert not (tmp_path / "out").exists()  # no folder, no .tmp-, no lock file
    assert not (tmp_path / "scores").exists()


def test_the_forecast_checks_its_base_years_data_too(capsys, tmp_path, bad_data, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, "report", "forecast", "--params", params(tmp_path, "data_dir: data\n"),
                    "--out", "out")  # fmt: skip
    assert code == 2 and "parks.csv" in one_error_line(err) and "第 4 行" in err
    assert not (tmp_path / "out").exists()


def test_year_and_data_options_are_checked_the_same_way(capsys, tmp_path, bad_data, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, "report", "annual", "--year", 2025, "--data", "data", "--out", "out")
    assert code == 2 and "parks.csv" in one_error_line(err)
    assert not (tmp_path / "out").exists()


def test_a_policy_override_in_the_params_file_fails_as_evaluate_set_does(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad = "grading.excellent_share=1.5"
    code, err = run(capsys, "evaluate", "--parks", SAMPLE_DIR / "parks.csv", "--evaluations",
                    SAMPLE_DIR / "evaluations.csv", "--set", bad, "--out", "ev")  # fmt: skip
    assert code == 2
    expected = one_error_line(err)
    assert "grading.excellent_share" in expected
    for kind in ("annual", "sensitivity", "forecast", "certification"):
        code, err = run(capsys, "report", kind, "--params", params(tmp_path, f'policy_set: ["{bad}"]\n'),
                        "--out", "out")  # fmt: skip
        assert code == 2, kind
        assert one_error_line(err) == expected, kind
    assert not (tmp_path / "out").exists() and not (tmp_path / "ev").exists()


def test_a_reforms_override_is_checked_like_a_set_option(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    text = 'reforms:\n  改革: ["grading.excelent_share=0.2"]\n'
    code, err = run(capsys, "report", "forecast", "--params", params(tmp_path, text), "--out", "out")
    assert code == 2 and "grading.excelent_share" in one_error_line(err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("arrivals: poison\n", "arrivals"),
        ("region_shares: {main_city: 0.9, northeast: 0.25, southeast: 0.15}\n", "region_shares"),
        ("score_model: guess\n", "score_model"),
    ],
)
def test_a_bad_forecast_choice_is_refused_before_the_kernel(capsys, tmp_path, monkeypatch, text, word):
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, "report", "forecast", "--params", params(tmp_path, text), "--out", "out")
    assert code == 2
    assert word in one_error_line(err)
    assert not (tmp_path / "out").exists()


def test_a_bad_sensitivity_grid_is_refused_before_the_kernel(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, "report", "sensitivity", "--params",
                    params(tmp_path, "share_min: 0.5\nshare_max: 0.1\n"), "--out", "out")  # fmt: skip
    assert code == 2 and "优秀比例上限" in one_error_line(err)
    assert not (tmp_path / "out").exists()


def test_a_sheet_that_does_not_load_is_refused_before_the_kernel(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sheet.yaml").write_text("indicators: 3\n", "utf-8")
    code, err = run(capsys, "report", "annual", "--params", params(tmp_path, "sheet_file: sheet.yaml\n"),
                    "--out", "out")  # fmt: skip
    assert code == 2 and "sheet.yaml" in one_error_line(err)
    assert not (tmp_path / "out").exists()


def test_an_existing_out_root_gets_no_lock_file_when_the_data_is_bad(capsys, tmp_path, bad_data, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    code, _ = run(capsys, "report", "annual", "--year", 2025, "--data", "data", "--out", "out")
    assert code == 2
    assert list((tmp_path / "out").iterdir()) == []


# --- parameter values: only plain data ever reaches papermill ------------------------------------------------
@pytest.mark.parametrize(
    "text",
    [
        "policy_set: [!!binary aW1wb3J0IG9z]\n",
        "policy_set: [[!!binary aW1wb3J0IG9z]]\n",
        "reforms: {a: !!binary aW1wb3J0IG9z}\n",
        "reforms: {a: [!!binary aW1wb3J0IG9z]}\n",
        "region_shares: {main_city: !!binary aW1wb3J0IG9z}\n",
        "data_dir: !!binary aW1wb3J0IG9z\n",
    ],
)
def test_binary_values_anywhere_in_a_params_file_are_refused(capsys, tmp_path, monkeypatch, text):
    monkeypatch.chdir(tmp_path)
    import papermill

    def never(*args, **kwargs):  # pragma: no cover - reaching it is the failure
        raise AssertionError("papermill was reached")

    monkeypatch.setattr(papermill, "execute_notebook", never)
    code, err = run(capsys, "report", "forecast", "--params", params(tmp_path, text), "--out", "out")
    assert code == 2
    line = one_error_line(err)
    assert "bytes" in line and "只能是 str、int、float、bool、None" in line
    assert not (tmp_path / "out").exists()


NESTED = """from typing import Optional, Union
names: list[str] = []
weights: dict[str, float] = {}
counts: Union[int, list[int]] = 1
band: Optional[list[float]] = None
year: int = 2025
"""


@pytest.fixture
def nested_notebook(tmp_path) -> Path:
    import nbformat

    cell = nbformat.v4.new_code_cell(NESTED, metadata={"tags": ["parameters"]})
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), tmp_path / "annual_evaluation.ipynb")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("names", ["a", 1], r"list\[str\]"),
        ("names", [["a"]], r"list\[str\]"),
        ("weights", {"a": "x"}, r"dict\[str, float\]"),
        ("weights", {"a": True}, r"dict\[str, float\]"),  # true is not a number in a params file
        ("counts", [1, 2.5], r"Union\[int, list\[int\]\]"),
        ("counts", "3", r"int \| list"),
        ("band", [0.2, "0.8"], r"Optional\[list\[float\]\]"),
    ],
)
def test_items_of_lists_and_mappings_are_checked_against_the_declared_type(nested_notebook, name, value,
                                                                           expected):  # fmt: skip
    from hrpark_analysis.errors import ParameterError
    from hrpark_analysis.reports.params import plan_report

    with pytest.raises(ParameterError, match=rf"参数 {name} 应为 {expected}"):
        plan_report("annual", None, {name: value}, notebook_dir=nested_notebook)


def test_values_of_the_declared_nested_types_pass(nested_notebook):
    from hrpark_analysis.reports.params import plan_report

    given = {"names": ["甲", "乙"], "weights": {"a": 1, "b": 0.5}, "counts": [1, 2], "band": None}
    assert plan_report("annual", None, given, notebook_dir=nested_notebook).parameters == given
    assert plan_report("annual", None, {"band": [0.2, 1]}, notebook_dir=nested_notebook).parameters == {
        "band": [0.2, 1]
    }


def test_the_certification_reports_forecast_settings_are_checked_before_the_kernel(
    capsys, tmp_path, monkeypatch
):
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, "report", "certification", "--params", params(tmp_path, "forecast_paths: -5\n"),
                    "--out", "out")  # fmt: skip
    assert code == 2 and "paths" in one_error_line(err)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("kind", "date"),
    [
        ("annual", "2025/12/31"),
        ("sensitivity", "2025-02-30"),
        ("forecast", "31.12.2025"),
        ("certification", "明年"),
    ],
)
def test_a_malformed_report_date_is_refused_before_the_kernel_naming_the_parameter(
    capsys, tmp_path, monkeypatch, kind, date
):
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, "report", kind, "--params", params(tmp_path, f'report_date: "{date}"\n'),
                    "--out", "out")  # fmt: skip
    line = one_error_line(err)
    assert code == 2 and "report_date" in line and date in line
    assert not (tmp_path / "out").exists()


def test_a_malformed_source_date_epoch_is_refused_before_the_kernel(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "last tuesday")
    code, err = run(capsys, "report", "annual", "--year", 2025, "--out", "out")
    assert code == 2 and "SOURCE_DATE_EPOCH" in one_error_line(err)
    assert not (tmp_path / "out").exists()
