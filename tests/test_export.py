"""reports.export (tables, xlsx, html): the table protocol, formula-safe XLSX and escaped, self-contained HTML (no kernel needed)."""

from __future__ import annotations

import base64
import re

import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from hrpark_analysis.reports import export

HOSTILE = "<script>alert(1)</script>"
# A 1×1 transparent PNG, written out by hand so the test does not depend on matplotlib.
PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000100ffff03000006000557bfabd40000000049454e44ae426082"
    )
).decode()


# --- safe_text --------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ('=HYPERLINK("http://x","y")', '\'=HYPERLINK("http://x","y")'),
        ("+86 23", "'+86 23"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("示例园区", "示例园区"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_like_text_gets_a_leading_apostrophe_and_other_text_is_unchanged(value, expected):
    assert export.safe_text(value) == expected


@pytest.mark.parametrize("value", [5, -5, -2.5, 0.0, None, True])
def test_numbers_and_non_text_pass_through_safe_text_untouched(value):
    assert export.safe_text(value) is value


# --- sheet names ------------------------------------------------------------------------------------------
def test_sheet_names_replace_forbidden_characters_cut_to_31_and_stay_unique():
    names = export.sheet_names(
        ["得分表", "a/b:c", "[x]*?\\", "x" * 40, "X" * 40, "得分表", "'引号'", ""],
    )
    assert names[0] == "得分表"
    assert names[1] == "a_b_c"
    assert names[2] == "_x____"
    assert names[3] == "x" * 31
    # Excel compares sheet names case-insensitively, so "XXX…" clashes with "xxx…".
    assert names[4] == "X" * 27 + " (2)"
    assert names[5] == "得分表 (2)"
    assert names[6] == "引号"
    assert names[7] == "表8"
    assert all(len(n) <= 31 for n in names)
    assert len({n.lower() for n in names}) == len(names)


# --- write_xlsx -------------------------------------------------------------------------------------------
def _sheet_rows(path, name):
    sheet = openpyxl.load_workbook(path)[name]
    return [[cell.value for cell in row] for row in sheet.iter_rows()], sheet


def test_xlsx_stores_formula_like_text_as_text_and_numbers_as_numbers(tmp_path):
    frame = pd.DataFrame(
        {
            "园区": [HOSTILE, "=1+1", "@cmd", "普通"],
            "得分": [75.5, -5.0, np.nan, 60],
            "区县": ["渝中", "-渝北", None, "万州"],
        }
    )
    path = tmp_path / "t.xlsx"
    assert export.write_xlsx([("得分表", frame)], path) == ["得分表"]
    rows, sheet = _sheet_rows(path, "得分表")
    assert rows[0] == ["园区", "得分", "区县"]
    assert rows[1] == [HOSTILE, 75.5, "渝中"]  # XLSX is not HTML: the text is kept as written
    assert rows[2] == ["'=1+1", -5.0, "'-渝北"]
    assert rows[3] == ["'@cmd", None, None]
    assert rows[4] == ["普通", 60.0, "万州"]
    # No cell became a formula.
    assert {cell.data_type for row in sheet.iter_rows() for cell in row} <= {"s", "n"}


def test_xlsx_headers_are_neutralized_too_and_multiindex_columns_are_flattened(tmp_path):
    frame = pd.DataFrame([[1, 2]], columns=pd.MultiIndex.from_tuples([("得分", "经济发展"), ("=x", "")]))
    path = tmp_path / "t.xlsx"
    export.write_xlsx([("表", frame)], path)
    rows, _ = _sheet_rows(path, "表")
    assert rows[0] == ["得分 / 经济发展", "'=x"]


def test_xlsx_keeps_a_named_index_and_drops_a_plain_range_index(tmp_path):
    named = pd.DataFrame({"得分": [80, 70]}, index=pd.Index(["P01", "P02"], name="park_id"))
    plain = pd.DataFrame({"得分": [80, 70]})
    path = tmp_path / "t.xlsx"
    export.write_xlsx([("named", named), ("plain", plain)], path)
    assert _sheet_rows(path, "named")[0] == [["park_id", "得分"], ["P01", 80], ["P02", 70]]
    assert _sheet_rows(path, "plain")[0] == [["得分"], [80], [70]]


def test_xlsx_with_no_tables_still_opens_with_an_explanatory_sheet(tmp_path):
    path = tmp_path / "t.xlsx"
    assert export.write_xlsx([], path) == ["说明"]
    assert openpyxl.load_workbook(path).sheetnames == ["说明"]


# --- publish_table ----------------------------------------------------------------------------------------
def test_publish_table_writes_nothing_when_no_runner_is_listening(tmp_path, monkeypatch):
    monkeypatch.delenv(export.OUTPUT_DIR_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    frame = pd.DataFrame({"a": [1]})
    assert export.publish_table(frame, "表") is frame
    assert list(tmp_path.iterdir()) == []


def test_published_tables_come_back_in_order_with_their_names_and_dtypes(tmp_path, monkeypatch):
    monkeypatch.setenv(export.OUTPUT_DIR_ENV, str(tmp_path))
    first = pd.DataFrame({"park_id": ["001", "002"], "score": [60, 75]})
    second = pd.DataFrame({"share": [0.3]})
    export.publish_table(first, "得分表")
    export.publish_table(second, "参数: 份额")
    tables = export.published_tables(tmp_path)
    assert [name for name, _ in tables] == ["得分表", "参数: 份额"]
    pd.testing.assert_frame_equal(tables[0][1], first)  # "001" stays text, 60 stays an integer
    pd.testing.assert_frame_equal(tables[1][1], second)
    assert sorted(p.name for p in (tmp_path / "tables").iterdir()) == ["01.pkl", "02.pkl", "index.json"]


def test_an_explicit_output_dir_wins_over_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv(export.OUTPUT_DIR_ENV, str(tmp_path / "env"))
    export.publish_table(pd.DataFrame({"a": [1]}), "表", output_dir=tmp_path / "explicit")
    assert not (tmp_path / "env").exists()
    assert [n for n, _ in export.published_tables(tmp_path / "explicit")] == ["表"]


def test_publish_table_rejects_what_is_not_a_dataframe(tmp_path):
    with pytest.raises(TypeError, match="DataFrame"):
        export.publish_table([1, 2], "表", output_dir=tmp_path)


def test_published_tables_is_empty_when_nothing_was_published(tmp_path):
    assert export.published_tables(tmp_path) == []


# --- to_html ----------------------------------------------------------------------------------------------
@pytest.fixture
def executed_notebook(tmp_path):
    """A notebook as papermill leaves it: code with outputs (an HTML table, a stream, a PNG)."""
    frame = pd.DataFrame({"园区": [HOSTILE, "=1+1"], "得分": [75.5, 60.0]})
    cells = [
        new_markdown_cell("# 年度报告\n\n## 概况"),
        new_code_cell(
            "SECRET_SOURCE_LINE = 1\nframe",
            execution_count=1,
            outputs=[
                new_output(
                    "execute_result",
                    data={"text/html": frame.to_html(), "text/plain": frame.to_string()},
                    execution_count=1,
                )
            ],
        ),
        new_code_cell(
            "print(name)",
            execution_count=2,
            outputs=[new_output("stream", name="stdout", text=f"园区名称 {HOSTILE}\n")],
        ),
        new_code_cell(
            "plt.show()",
            execution_count=3,
            outputs=[new_output("display_data", data={"image/png": PNG_1PX, "text/plain": "<Figure>"})],
        ),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    path = tmp_path / "report.ipynb"
    nbformat.write(nb, path)
    return path


def test_html_escapes_hostile_text_in_tables_and_streams(executed_notebook):
    html = export.to_html(executed_notebook)
    assert HOSTILE not in html
    # once from the DataFrame's HTML (escaped by pandas), once from the printed line (escaped by nbconvert)
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") == 2


def test_html_hides_code_and_prompts_but_keeps_text_and_outputs(executed_notebook):
    html = export.to_html(executed_notebook)
    assert "SECRET_SOURCE_LINE" not in html
    assert "In&nbsp;[" not in html and "In [1]" not in html
    assert "年度报告" in html and "园区名称" in html


def test_html_is_self_contained(executed_notebook):
    html = export.to_html(executed_notebook)
    assert re.search(r"<script\b", html) is None  # no require.js, MathJax, Mermaid, widget loaders
    assert re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html) is None
    assert re.search(r"@import|url\(\s*[\"']?(?:https?:)?//", html) is None
    assert f"data:image/png;base64,{PNG_1PX}" in html
