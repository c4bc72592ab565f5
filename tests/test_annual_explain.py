"""The annual report's 解读影响 section, its 等次说明 appendix and the quoted articles, read from the produced
HTML and XLSX. Expectations come from the sample's evaluations file read directly, by the rule of the text."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest

from hrpark_analysis.cli import main
from hrpark_analysis.engine.dataset import SAMPLE_DIR, load_dataset
from hrpark_analysis.law.policy import load_policy

YEAR = 2025


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    assert main(["report", "annual", "--year", str(YEAR), "--out", str(out)]) == 0
    return out / str(YEAR)


@pytest.fixture(scope="module")
def book(report):
    wb = openpyxl.load_workbook(report / "annual_evaluation.xlsx", read_only=True)
    sheets = {}
    for name in ("解读影响", "等次说明", "规则与条款"):
        rows = list(wb[name].iter_rows(values_only=True))
        sheets[name] = pd.DataFrame(rows[1:], columns=rows[0])
    return sheets


@pytest.fixture(scope="module")
def evaluations():
    """The year's scores as the data folder gives them (scored from the monthly reports by the sheet)."""
    data = load_dataset(SAMPLE_DIR, YEAR, load_policy())
    frame = data.evaluations
    return frame[frame["year"] == YEAR].reset_index(drop=True)


def test_the_html_has_the_section_and_the_appendix(report):
    html = (report / "annual_evaluation.html").read_text("utf-8")
    assert "解读影响" in html and "等次说明" in html
    headings = [html.index(f">{title}") for title in ("解读影响", "附录", "等次说明")]  # <h2>/<h3> headings
    assert headings == sorted(headings)


def test_impact_names_the_parks_at_exactly_the_pass_mark_and_the_vetoed(book, evaluations):
    impact = book["解读影响"]
    at_60 = set(evaluations.loc[evaluations["score"] == 60, "park_id"])
    assert at_60  # the sample has a park at exactly 60
    rows = impact[impact["解读(参数)"] == "grading.pass_mark_inclusive"]
    assert set(rows["园区/申报单位"]) == at_60
    assert set(rows["变化"]) == {"等次: 合格 → 不合格"}
    vetoed = set(evaluations.loc[evaluations["veto"].astype(bool) & (evaluations["score"] >= 60), "park_id"])
    rows = impact[impact["解读(参数)"] == "grading.veto_enabled"]
    assert vetoed and set(rows["园区/申报单位"]) == vetoed
    assert all(change.startswith("等次: 不合格 →") for change in rows["变化"])


def test_every_participant_has_one_explanation_line(book, evaluations):
    lines = book["等次说明"]
    assert sorted(lines["园区编号"]) == sorted(evaluations["park_id"])
    n = len(evaluations)
    for row in lines.itertuples():
        assert row.说明.startswith(f"{float(row.总分):g} 分，名次 ") and f"/{n}，{row.等次}" in row.说明
    low = set(evaluations.loc[evaluations["score"] < 60, "park_id"])
    flagged = set(lines.loc[lines["说明"].str.contains("低于合格线60分"), "园区编号"])
    assert flagged == low


def test_the_rules_appendix_quotes_the_article_beside_each_rule(book):
    rules = book["规则与条款"].set_index("条款")
    assert "增加补助资金10万元" in rules.loc["第二十五条(一)", "原文"]
    assert "不超过参加绩效评估园区总数的30%" in rules.loc["第二十四条", "原文"]
    assert rules.loc["第二十一条–第二十三条", "原文"].startswith("第二十一条")
    assert "第二十三条" in rules.loc["第二十一条–第二十三条", "原文"]
