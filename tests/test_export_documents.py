"""The PDF and Word export's reading of a notebook (reports/export/*blocks.py, layout.py), on hand-made inputs.

The end-to-end checks of real reports' PDF and DOCX files are in test_annual_report.py and
test_report_runner.py; these cover what a notebook may display (Styler tables with captions and hidden
indexes, MultiIndex columns, Markdown) without starting a kernel.
"""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from hrpark_analysis.reports.export.blocks import (
    Contents,
    Document,
    Figure,
    Heading,
    Paragraph,
    Run,
    Table,
    TitlePage,
)
from hrpark_analysis.reports.export.html_blocks import html_blocks
from hrpark_analysis.reports.export.layout import (
    LANDSCAPE_WIDTH_PT,
    PORTRAIT_WIDTH_PT,
    TABLE_FONT_PT,
    table_layout,
)
from hrpark_analysis.reports.export.markdown_blocks import markdown_blocks
from hrpark_analysis.reports.export.notebook_blocks import read_blocks

DATE = dt.datetime(2025, 12, 31, tzinfo=dt.UTC)


def test_a_styler_with_hidden_index_and_caption_reads_as_its_displayed_cells():
    frame = pd.DataFrame({"园区名称": ["示例园区01", "示例园区02"], "总分": [85.333, 7.5]})
    styler = frame.style.hide(axis="index").format({"总分": "{:,.2f}"}).set_caption("表3 各园区总分")
    [table] = html_blocks(styler.to_html())
    assert table.caption == "表3 各园区总分"
    assert [[c.text for c in row] for row in table.header] == [["园区名称", "总分"]]
    assert table.body == [["示例园区01", "85.33"], ["示例园区02", "7.50"]]
    assert table.numeric == [False, True]


def test_a_default_range_index_is_dropped_but_a_named_index_is_kept_as_a_column():
    plain = pd.DataFrame({"等次": ["优秀", "合格"], "个数": [6, 15]})
    [table] = html_blocks(plain.to_html())
    assert [[c.text for c in row] for row in table.header] == [["等次", "个数"]]
    assert table.body == [["优秀", "6"], ["合格", "15"]]
    named = plain.set_index("等次")
    [table] = html_blocks(named.to_html())
    assert [[c.text for c in row] for row in table.header] == [["等次", "个数"]]  # the index name folded up
    assert table.body == [["优秀", "6"], ["合格", "15"]]


def test_multiindex_columns_keep_their_spans_and_every_cell_stays_whole():
    long_text = "第二十五条(二) " + "连续两年评估为不合格等次的，取消市级园区授牌" * 3
    columns = pd.MultiIndex.from_tuples([("2025", "P5"), ("2025", "P95"), ("说明", "")])
    frame = pd.DataFrame([[1.5, 2.5, long_text]], columns=columns)
    [table] = html_blocks(frame.to_html())
    # the default 0… index is dropped from both header rows and the body
    assert [[(c.text, c.span) for c in row] for row in table.header] == [
        [("2025", 2), ("说明", 1)],
        [("P5", 1), ("P95", 1), ("", 1)],
    ]
    assert table.body == [["1.5", "2.5", long_text]]  # nothing cut with "…"


def test_markdown_gives_headings_runs_quotes_bullets_and_captions_attach():
    blocks = markdown_blocks(
        "## 一、概况\n\n本年度**24 个**园区参评，见 `hrpark explain`。\n\n> 示例数据\n\n- 甲\n- 乙\n"
    )
    assert blocks[0] == Heading(2, "一、概况")
    assert blocks[1].runs == [Run("本年度"), Run("24 个", bold=True), Run("园区参评，见 "),
                              Run("hrpark explain", code=True), Run("。")]  # fmt: skip
    assert (blocks[2].style, blocks[2].text) == ("quote", "示例数据")
    assert [(b.style, b.text) for b in blocks[3:]] == [("bullet", "甲"), ("bullet", "乙")]


def test_a_narrow_table_is_portrait_and_a_wide_one_landscape_within_the_page():
    narrow = Table([], [["主城都市区", "15"], ["渝东北三峡库区城镇群", "4"]])
    layout = table_layout(narrow)
    assert not layout.landscape and layout.font_pt == TABLE_FONT_PT
    assert sum(layout.widths_pt) <= PORTRAIT_WIDTH_PT
    wide = Table([], [["P18", "示例园区18", *["11.31"] * 20, "不合格"]] * 3)
    layout = table_layout(wide)
    assert layout.landscape and sum(layout.widths_pt) <= LANDSCAPE_WIDTH_PT + 0.01
    # the id, the name and the grade keep a line of their own at the chosen size (0.6 em per Latin character)
    for j, text_em in ((0, 1.8), (1, 5.2), (22, 3.0)):
        assert layout.widths_pt[j] >= text_em * layout.font_pt


def test_notebook_outputs_become_blocks_in_order_and_code_never_shows(tmp_path):
    import base64

    png = _tiny_png()

    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": "# 报告\n\n表1 得分"},
            {
                "cell_type": "code",
                "metadata": {},
                "execution_count": 1,
                "source": "secret_code()",
                "outputs": [
                    {
                        "output_type": "execute_result",
                        "execution_count": 1,
                        "metadata": {},
                        "data": {"text/html": pd.DataFrame({"a": [1]}).to_html(), "text/plain": "…"},
                    },
                    {"output_type": "stream", "name": "stdout", "text": "合计 1 个\n"},
                    {"output_type": "stream", "name": "stderr", "text": "warning\n"},
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {"image/png": base64.b64encode(png).decode(), "text/plain": "<Figure>"},
                    },
                ],
            },
            {"cell_type": "markdown", "metadata": {}, "source": "图1 分布"},
        ],
    }
    path = tmp_path / "nb.ipynb"
    path.write_text(json.dumps(nb), "utf-8")
    doc = read_blocks(path)
    assert doc.title == "报告"
    kinds = [type(b).__name__ for b in doc.blocks]
    assert kinds == ["Heading", "Table", "Paragraph", "Figure"]
    assert doc.blocks[1].caption == "表1 得分" and doc.blocks[3].caption == "图1 分布"
    assert (doc.blocks[3].width_px, doc.blocks[3].height_px) == (2, 1)
    assert "secret_code" not in json.dumps([getattr(b, "text", "") for b in doc.blocks], ensure_ascii=False)


def _notebook(path, cells: list[dict]):
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    path.write_text(json.dumps(nb), "utf-8")
    return path


def _html_cell(html: str) -> dict:
    output = {
        "output_type": "display_data",
        "metadata": {},
        "data": {"text/html": html, "text/plain": "<HTML>"},
    }
    return {"cell_type": "code", "metadata": {}, "execution_count": 1, "source": "", "outputs": [output]}


@pytest.fixture
def titled_notebook(tmp_path, monkeypatch):
    """A notebook showing a report's title page (as reports.document draws it), a section and a subsection."""
    from hrpark_analysis.reports import document

    shown: list[str] = []
    monkeypatch.setattr(
        document.Document, "_show", staticmethod(lambda markup, metadata=None: shown.append(markup))
    )
    doc = document.Document("2025年度<某>报告", year=2025, issuer="某某局", report_date="2026-01-15", sample=True,
                            subtitle="依据第十九条")  # fmt: skip
    doc.title_page()
    markdown = {"cell_type": "markdown", "metadata": {}, "source": "## 一、概况\n\n正文。\n\n### 小节"}
    return _notebook(tmp_path / "nb.ipynb", [_html_cell(shown[0]), markdown])


def test_the_title_page_and_the_contents_place_become_their_own_blocks_and_sections_the_top_level(
    titled_notebook,
):
    doc = read_blocks(titled_notebook)
    assert doc.title == "2025年度<某>报告"
    notice = "示例数据：本报告使用软件包自带的合成示例数据，园区名称与数字均为虚构，仅用于演示。"
    assert doc.blocks[0] == TitlePage("2025年度<某>报告", "依据第十九条", "某某局", "2026年1月15日", notice)
    assert doc.blocks[1] == Contents()
    # The page's <h1> is the title, so the Markdown ## sections are the documents' first level.
    assert [b for b in doc.blocks if isinstance(b, Heading)] == [Heading(1, "一、概况"), Heading(2, "小节")]


def test_the_pdf_and_docx_of_a_titled_notebook_have_a_title_page_and_a_contents(titled_notebook, tmp_path):
    import docx
    import pypdf

    from hrpark_analysis.reports.export.docx import write_docx
    from hrpark_analysis.reports.export.pdf import write_pdf

    doc = read_blocks(titled_notebook)
    write_pdf(doc, tmp_path / "t.pdf", date=DATE)
    pages = [page.extract_text() for page in pypdf.PdfReader(tmp_path / "t.pdf").pages]
    assert len(pages) == 3
    cover = ["".join(line.split()) for line in pages[0].splitlines()]  # pypdf spaces CJK from digits
    assert {"2025年度<某>报告", "依据第十九条", "某某局", "2026年1月15日"} <= set(cover)
    assert pages[1].split()[0] == "目录" and "一、概况" in pages[1] and "小节" in pages[1]
    assert pages[2].split()[0] == "一、概况"
    write_docx(doc, tmp_path / "t.docx", date=DATE)
    paragraphs = [(p.style.name, p.text) for p in docx.Document(tmp_path / "t.docx").paragraphs]
    assert paragraphs[0] == ("Title", "2025年度<某>报告")
    assert ("TOC Heading", "目录") in paragraphs
    assert ("Heading 1", "一、概况") in paragraphs and ("Heading 2", "小节") in paragraphs


def _tiny_png() -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    raw = b"\x00" + b"\xff\xff\xff" * 2  # one row of two white pixels
    header = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def hostile_document() -> Document:
    markup = '#set page(width: 1cm) $x^2$ *粗* _斜_ <a> @ref \\ "q" ]) #panic("x")'
    return Document(
        "标题 #title",
        [
            Heading(1, "标题 #title"),
            Paragraph([Run(markup)]),
            Table([], [[markup, "1"]]),
            Figure(_tiny_png(), 2, 1, "图1 " + markup),
        ],
    )


def test_typst_and_xml_special_characters_in_a_report_stay_text(tmp_path, hostile_document):
    import docx
    import pypdf

    from hrpark_analysis.reports.export.docx import write_docx
    from hrpark_analysis.reports.export.pdf import write_pdf

    write_pdf(hostile_document, tmp_path / "h.pdf", date=DATE)
    reader = pypdf.PdfReader(tmp_path / "h.pdf")
    assert [round(float(p.mediabox.width)) for p in reader.pages] == [595]  # the page setting was not run
    text = "".join(reader.pages[0].extract_text().split())
    assert text.count('#setpage(width:1cm)$x^2$*粗*_斜_<a>@ref\\"q"])#panic("x")') == 3
    write_docx(hostile_document, tmp_path / "h.docx", date=DATE)
    document = docx.Document(tmp_path / "h.docx")
    markup = hostile_document.blocks[1].text
    assert markup in [p.text for p in document.paragraphs]
    assert document.tables[0].rows[0].cells[0].text == markup
