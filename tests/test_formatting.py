"""Issue 10: one format per report column (HTML, prose and XLSX alike), numbered captions, and the HTML page's
title and 目录 — on small tables worked by hand."""

from __future__ import annotations

import nbformat
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hrpark_analysis.reports import export
from hrpark_analysis.reports.captions import Captions
from hrpark_analysis.reports.document import TITLE_METADATA, TOC_PLACEHOLDER, table_html
from hrpark_analysis.reports.formatting import ColumnFormat, column_formats, infer_format, number, percent


def _kinds(frame: pd.DataFrame) -> list[tuple[str, int]]:
    return [(f.kind, f.decimals) for f in column_formats(frame)]


def test_each_column_gets_the_format_its_values_and_header_call_for():
    frame = pd.DataFrame({
        "园区名称": ["甲", "乙"],
        "年度": [2025, 2026],
        "补助(万元)": [1200.0, 50.0],  # whole floats: integers, not 1200.0
        "得分": [60.5, 70.25],
        "P(优秀)": [0.0001, 0.5],
        "S1": [0.01234, 0.5],
        "个数": [8, 12],
    })  # fmt: skip
    assert _kinds(frame) == [("text", 0), ("year", 0), ("integer", 0), ("decimal", 2), ("percent", 2),
                             ("decimal", 3), ("integer", 0)]  # fmt: skip


def test_shown_values_have_separators_fixed_decimals_and_no_scientific_notation():
    assert ColumnFormat("integer").text(1200.0) == "1,200"
    assert ColumnFormat("year").text(2025) == "2025"
    assert ColumnFormat("decimal", 2).text(29.4) == "29.40"
    assert ColumnFormat("decimal", 2).text(1234567.891) == "1,234,567.89"
    assert ColumnFormat("percent", 1).text(0.99901) == "99.9%"
    assert ColumnFormat("text").text(1e-05) == "0.00001"  # a number among text
    assert ColumnFormat("decimal", 2).text(np.nan) == "—"
    assert ColumnFormat("text").text(True) == "是"


def test_a_change_is_shown_with_its_sign():
    (spec,) = column_formats(pd.DataFrame({"增减": [8, -480, 0]}), {"增减": "+"})
    assert [spec.text(v) for v in (8, -480, 0)] == ["+8", "-480", "0"]
    assert spec.excel() == "+#,##0;-#,##0;0"


def test_the_xlsx_number_format_matches_the_shown_one():
    assert ColumnFormat("integer").excel() == "#,##0"
    assert ColumnFormat("decimal", 2).excel() == "#,##0.00"
    assert ColumnFormat("percent", 1).excel() == "0.0%"
    assert ColumnFormat("year").excel() == "0"
    assert ColumnFormat("text").excel() is None


@given(st.floats(min_value=-1e12, max_value=1e12, allow_nan=False))
def test_no_number_is_ever_shown_in_scientific_notation(value):
    for spec in (infer_format("x", pd.Series([value])), ColumnFormat("text"), ColumnFormat("decimal", 2)):
        assert "e" not in spec.text(value).lower()
    assert "e" not in number(value).lower()


@given(st.floats(min_value=0, max_value=1))
def test_a_nonzero_share_never_reads_as_zero_and_one_short_of_all_never_as_all(share):
    shown = percent(share, 1)
    if share > 0:
        assert shown not in ("0.0%", "-0.0%")
    if share < 1:
        assert shown != "100.0%"


def test_captions_are_numbered_per_kind_in_order_and_referred_to_by_name():
    captions = Captions()
    assert captions.peek("表") == "表1"
    assert captions.table("得分表") == "表1 得分表"
    assert captions.figure("得分分布", "2025年得分分布") == "图1 2025年得分分布"
    assert captions.table("资金", "资金拨付") == "表2 资金拨付"
    assert (captions.ref("得分表"), captions.ref("得分分布"), captions.ref("资金")) == ("表1", "图1", "表2")
    with pytest.raises(KeyError):
        captions.ref("未出现的表")


def test_a_table_has_its_caption_no_index_column_and_escaped_cells():
    frame = pd.DataFrame({"园区": ["<b>甲</b>"], "得分": [60.0]}, index=[7])
    markup = table_html(frame, "表1 <得分>")
    assert "<caption>表1 &lt;得分&gt;</caption>" in markup
    assert "&lt;b&gt;甲&lt;/b&gt;" in markup and "<b>" not in markup
    assert "row_heading" not in markup and ">7<" not in markup  # the index is not shown
    assert ">60</td>" in markup


def test_the_html_page_is_titled_by_the_report_and_lists_its_sections(tmp_path):
    title_page = f'<div class="hrpark-title-page"><h1>年度报告</h1></div>{TOC_PLACEHOLDER}'
    cells = [
        new_code_cell(
            "doc.title_page()",
            outputs=[
                new_output(
                    "display_data",
                    data={"text/html": title_page, "text/plain": "<HTML>"},
                    metadata={TITLE_METADATA: {"title": "2025年度 <报告>"}},
                )
            ],
        ),
        new_markdown_cell("## 摘要\n\n文字\n\n## 附录\n\n### 等次说明"),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "annual_evaluation.ipynb"
    nbformat.write(nb, path)
    page = export.to_html(path)
    assert "<title>2025年度 &lt;报告&gt;</title>" in page
    toc = page[page.index('<nav class="hrpark-toc">') : page.index("</nav>")]
    assert [t for t in ("摘要", "附录", "等次说明") if t in toc] == ["摘要", "附录", "等次说明"]
    assert 'class="level3"' in toc
    assert "@page" in page and "table-header-group" in page  # the print stylesheet is in the page


def test_the_title_page_carries_the_issuer_and_the_date_given_never_the_clock(monkeypatch):
    from hrpark_analysis.reports.document import Document

    shown: list[tuple[str, dict]] = []
    monkeypatch.setattr(
        Document, "_show", staticmethod(lambda markup, metadata=None: shown.append((markup, metadata)))
    )
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    Document(
        "2025年度<报告>", year=2025, issuer="某市人社局", report_date="2026-03-15", sample=True
    ).title_page()
    markup, metadata = shown[0]
    assert "2025年度&lt;报告&gt;" in markup and "某市人社局" in markup and "2026年3月15日" in markup
    assert "示例数据" in markup and TOC_PLACEHOLDER in markup
    assert metadata == {TITLE_METADATA: {"title": "2025年度<报告>"}}
    shown.clear()
    Document("t", year=2025).title_page()  # no date given: 31 December of the report's year
    assert "2025年12月31日" in shown[0][0] and "重庆市人力资源和社会保障局" in shown[0][0]
