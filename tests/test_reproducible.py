"""Issue 11: same inputs → same bytes. Office files' dates and zip entries, split kernel streams, warnings in
the kernel, and the forecast's fitted parameters at a stated precision.

Byte-identical reruns of whole reports are checked where a report is already run: the fixture report in
test_report_runner.py and the real reports through ``hrpark report verify`` (test_verify.py).
"""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest

from hrpark_analysis.engine.forecast import scoremodel
from hrpark_analysis.engine.forecast.config import ForecastConfig
from hrpark_analysis.errors import ParameterError
from hrpark_analysis.reports.execute import coalesce_streams, execute_notebook, scrub_notebook
from hrpark_analysis.reports.export.reproducible import normalize_outputs, normalize_zip
from hrpark_analysis.reports.manifest import report_datetime
from hrpark_analysis.reports.params import plan_report

NOTEBOOKS = Path(__file__).resolve().parent / "fixtures" / "notebooks"


def _workbook(path: Path, saved: dt.datetime) -> None:
    workbook = openpyxl.Workbook()
    workbook.active.title = "表"
    workbook.active.append(["园区", "得分"])
    workbook.active.append(["示例园区", 61.5])
    workbook.properties.created = saved
    workbook.properties.modified = saved
    workbook.save(path)


def _entries(path: Path) -> list[zipfile.ZipInfo]:
    with zipfile.ZipFile(path) as archive:
        return archive.infolist()


def test_a_workbook_saved_at_two_times_becomes_the_same_bytes_dated_the_report_date(tmp_path):
    first, second = tmp_path / "a" / "r.xlsx", tmp_path / "b" / "r.xlsx"
    for path, saved in (
        (first, dt.datetime(2026, 3, 1, 9, 30, 7)),
        (second, dt.datetime(2027, 7, 4, 23, 1, 2)),
    ):
        path.parent.mkdir()
        _workbook(path, saved)
    assert first.read_bytes() != second.read_bytes()  # openpyxl stamped the two save times
    report_day = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
    for folder in (first.parent, second.parent):
        assert normalize_outputs(folder, report_day) == [folder / "r.xlsx"]
    assert first.read_bytes() == second.read_bytes()

    entries = _entries(first)
    assert entries[0].filename == "[Content_Types].xml"
    assert entries[1].filename == "_rels/.rels"
    assert [e.filename for e in entries[2:]] == sorted(e.filename for e in entries[2:])
    assert {e.date_time for e in entries} == {(2025, 12, 31, 0, 0, 0)}
    with zipfile.ZipFile(first) as archive:
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2025-12-31T00:00:00Z") == 2 and "2026" not in core and "2027" not in core
    sheet = openpyxl.load_workbook(first)["表"]  # still a workbook Excel and openpyxl open
    assert [[c.value for c in row] for row in sheet.iter_rows()] == [["园区", "得分"], ["示例园区", 61.5]]
    assert openpyxl.load_workbook(first).properties.created == dt.datetime(2025, 12, 31)


def test_normalizing_twice_changes_nothing_and_other_files_are_left_alone(tmp_path):
    _workbook(tmp_path / "r.xlsx", dt.datetime(2026, 1, 2, 3, 4, 5))
    (tmp_path / "r.html").write_text("<p>2026-01-02</p>", "utf-8")
    day = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)
    normalize_zip(tmp_path / "r.xlsx", day)
    once = (tmp_path / "r.xlsx").read_bytes()
    normalize_outputs(tmp_path, day)
    assert (tmp_path / "r.xlsx").read_bytes() == once
    assert (tmp_path / "r.html").read_text("utf-8") == "<p>2026-01-02</p>"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.html", "r.xlsx"]  # no temporary file left


def test_a_docx_like_package_gets_the_same_treatment(tmp_path):
    # Any zip-based office file: a minimal package with core properties, written with a "now" time.
    path = tmp_path / "r.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(zipfile.ZipInfo("word/document.xml", (2026, 5, 5, 5, 5, 4)), "<w:document/>")
        core = (
            '<cp:coreProperties xmlns:dcterms="http://purl.org/dc/terms/">'
            '<dcterms:created xsi:type="dcterms:W3CDTF">2026-05-05T05:05:05Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2026-05-05T05:05:05Z</dcterms:modified>'
            "</cp:coreProperties>"
        )
        archive.writestr(zipfile.ZipInfo("docProps/core.xml", (2026, 5, 5, 5, 5, 4)), core)
        archive.writestr(zipfile.ZipInfo("[Content_Types].xml", (2026, 5, 5, 5, 5, 4)), "<Types/>")
    normalize_outputs(tmp_path, dt.datetime(2025, 12, 31, tzinfo=dt.UTC))
    assert [e.filename for e in _entries(path)] == [
        "[Content_Types].xml",
        "docProps/core.xml",
        "word/document.xml",
    ]
    with zipfile.ZipFile(path) as archive:
        assert "2026" not in archive.read("docProps/core.xml").decode()
        assert archive.read("word/document.xml") == b"<w:document/>"


def test_the_office_date_is_31_december_of_the_report_year_unless_source_date_epoch_is_set(monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    plan = plan_report("annual", None, {"year": 2031}, notebook_dir=NOTEBOOKS)
    assert report_datetime(plan) == dt.datetime(2031, 12, 31, tzinfo=dt.UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01 00:00:00 UTC
    assert report_datetime(plan) == dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def test_consecutive_pieces_of_one_stream_are_merged_and_different_streams_kept_apart():
    out = nbformat.v4.new_output
    outputs = [
        out("stream", name="stdout", text="评估年度 2025\n参评"),
        out("stream", name="stdout", text="园区 24 个\n"),
        out("stream", name="stderr", text="进度\n"),
        out("stream", name="stdout", text="完\n"),
        out("display_data", data={"text/plain": "表"}),
        out("stream", name="stdout", text="a"),
        out("stream", name="stdout", text="b"),
    ]
    merged = coalesce_streams(outputs)
    assert [(o.output_type, o.get("name"), o.get("text")) for o in merged] == [
        ("stream", "stdout", "评估年度 2025\n参评园区 24 个\n"),
        ("stream", "stderr", "进度\n"),
        ("stream", "stdout", "完\n"),
        ("display_data", None, None),
        ("stream", "stdout", "ab"),
    ]


def test_a_third_party_warning_never_reaches_the_executed_notebook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    nb = nbformat.v4.new_notebook(
        metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nb.cells = [
        nbformat.v4.new_code_cell("n = 1", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import warnings\n"
            "warnings.warn_explicit('old API', FutureWarning, '/opt/venv/site-packages/lib/x.py', 7, module='lib.x')\n"
            "warnings.warn('deprecated', DeprecationWarning)\n"
            "print('结果', n)"
        ),
    ]
    nbformat.write(nb, tmp_path / "w.ipynb")
    execute_notebook(tmp_path / "w.ipynb", tmp_path / "out.ipynb", {"n": 2})
    scrub_notebook(tmp_path / "out.ipynb", "w.ipynb")
    outputs = nbformat.read(tmp_path / "out.ipynb", as_version=4).cells[-1].outputs
    assert [(o.output_type, o.get("name"), o.get("text")) for o in outputs] == [
        ("stream", "stdout", "结果 2\n")
    ]


# --- the forecast's fitted parameters -------------------------------------------------------------------------
def _history() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    parks = np.repeat([f"P{i:02d}" for i in range(12)], 4)
    years = np.tile([2022, 2023, 2024, 2025], 12)
    effect = np.repeat(rng.normal(76, 7, 12), 4)
    return pd.DataFrame(
        {"park_id": parks, "year": years, "score": np.round(effect + rng.normal(0, 4, 48), 2)}
    )


def test_fitted_parameters_are_rounded_to_fit_decimals():
    model = scoremodel.fit_score_model(_history(), ForecastConfig())
    for value in (model.phi, model.sigma, model.mu_mean, model.mu_sd):
        assert value == round(value, 3)
    loose = scoremodel.fit_score_model(_history(), ForecastConfig(fit_decimals=None))
    assert abs(loose.sigma - model.sigma) <= 0.0005 and abs(loose.mu_mean - model.mu_mean) <= 0.0005
    assert loose.sigma != round(loose.sigma, 3)  # unrounded, the optimiser's digits show


def test_an_optimiser_stopping_a_millionth_away_gives_the_same_model(monkeypatch):
    """What a different scipy does (L-BFGS-B ~1e-6 apart): the rounded model, hence the forecast, is unchanged."""
    reference = scoremodel.fit_score_model(_history(), ForecastConfig())
    real_minimize = scoremodel.optimize.minimize

    def shifted(*args, **kwargs):
        result = real_minimize(*args, **kwargs)
        result.x = result.x + np.array([1e-6, -1e-6, 1e-6, -1e-6])
        return result

    monkeypatch.setattr(scoremodel.optimize, "minimize", shifted)
    moved = scoremodel.fit_score_model(_history(), ForecastConfig())
    assert (moved.phi, moved.sigma, moved.mu_mean, moved.mu_sd) == (
        reference.phi, reference.sigma, reference.mu_mean, reference.mu_sd,
    )  # fmt: skip


@pytest.mark.parametrize("bad", [2, -1, 1.5, "3"])
def test_fit_decimals_below_three_or_not_an_integer_is_refused(bad):
    with pytest.raises(ParameterError, match="fit_decimals"):
        ForecastConfig(fit_decimals=bad)


def test_the_zip_writer_does_not_depend_on_the_current_time(tmp_path, monkeypatch):
    _workbook(tmp_path / "r.xlsx", dt.datetime(2026, 1, 2, 3, 4, 5))
    normalize_zip(tmp_path / "r.xlsx", dt.datetime(2025, 12, 31, tzinfo=dt.UTC))
    first = (tmp_path / "r.xlsx").read_bytes()
    # zipfile would take time.localtime() for an entry without a date_time; ours always have one.
    monkeypatch.setattr("time.localtime", lambda *a: (2099, 1, 1, 0, 0, 0, 0, 1, 0))
    normalize_zip(tmp_path / "r.xlsx", dt.datetime(2025, 12, 31, tzinfo=dt.UTC))
    assert (tmp_path / "r.xlsx").read_bytes() == first
