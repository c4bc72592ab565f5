"""Checks that read a finished report's HTML page and XLSX workbook as a reader gets them (issue 10).

Used by the end-to-end report tests (annual, sensitivity, forecast, certification), each on the report its
module fixture already ran once.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import openpyxl

_TABLE = re.compile(r"<table\b[^>]*>(.*?)</table>", re.S)
_CELL = re.compile(r"<t([hd])\b([^>]*)>(.*?)</t\1>", re.S)
_TAG = re.compile(r"<[^>]+>")
CUT = re.compile(r"(?<!…)…$|\.\.\.$")
SCIENTIFIC = re.compile(r"\d[eE][+-]\d")  # 2.94e+01, 9.9e-05 (a hash has no sign)


def _text(fragment: str) -> str:
    return html_lib.unescape(_TAG.sub("", fragment)).strip()


def html_tables(page: str) -> list[str]:
    return _TABLE.findall(page)


def check_html(path: Path, title: str, summary_before: str) -> None:
    """The page reads as a document: its title, a 目录, 摘要 before ``summary_before``; every table captioned
    表N (numbered in order and referred to from the text), without an index column, scientific notation or
    a cut "…"; every figure captioned 图N and referred to from the text."""
    page = path.read_text("utf-8")
    assert f"<title>{title}</title>" in page
    assert '<nav class="hrpark-toc">' in page and ">目录<" in page
    assert 'data-mime-type="application/vnd.jupyter.stdout"' not in page  # prose, never print() output
    assert page.index('>摘要<a class="anchor-link"') < page.index(summary_before)
    tables = html_tables(page)
    assert tables
    captions = []
    for body in tables:
        caption = re.search(r"<caption>(.*?)</caption>", body, re.S)
        assert caption, f"a table without a caption: {body[:200]}"
        captions.append(_text(caption.group(1)))
        assert "row_heading" not in body and "blank level0" not in body, f"index column in {captions[-1]}"
        for _kind, _attrs, inner in _CELL.findall(body):
            text = _text(inner)
            # pandas cuts a long cell with a trailing "..." (a quoted 省略号 "……" inside a reference is text)
            assert not CUT.search(text), f"cut cell {text!r} in {captions[-1]}"
            assert not SCIENTIFIC.search(text), f"scientific notation {text!r} in {captions[-1]}"
    numbers = [int(re.match(r"表(\d+) ", c).group(1)) for c in captions]
    assert numbers == list(range(1, len(numbers) + 1))
    prose = " ".join(
        _text(p) for p in re.findall(r'<(?:p|ul) class="hrpark-text">(.*?)</(?:p|ul)>', page, re.S)
    )
    for n in numbers:
        assert re.search(rf"表{n}(?!\d)", prose), f"表{n} is never referred to from the text"
    figures = re.findall(r'<p class="hrpark-figcaption">(.*?)</p>', page)
    images = page.count("<img ")
    assert len(figures) == images, "every figure has a caption"
    for n, caption in enumerate(figures, start=1):
        assert caption.startswith(f"图{n} ")
        assert re.search(rf"图{n}(?!\d)", prose), f"图{n} is never referred to from the text"


def check_xlsx(path: Path, title: str) -> openpyxl.Workbook:
    """The workbook opens on a 说明 cover sheet with the title and an index; every other sheet has a bold header,
    frozen panes, an autofilter, landscape one-page-wide printing with repeated header rows, and a number
    format (never General) on every numeric cell."""
    book = openpyxl.load_workbook(path)
    assert book.sheetnames[0] == "说明"
    cover = book["说明"]
    assert cover["A1"].value == title
    facts = {row[0]: row[1] for row in cover.iter_rows(values_only=True) if row and row[0]}
    assert {"年度", "发布单位", "报告日期", "清单"} <= set(facts)
    # The cover prints one page wide in portrait at a readable size: long values wrap in a row tall enough
    # for them instead of widening the sheet (a SHA-256 once made every line print at 70%).
    widths = [cover.column_dimensions[letter].width for letter in "ABC"]
    assert sum(widths) <= 115, widths
    for row in cover.iter_rows(min_row=3, max_col=2):
        value = row[1].value
        if isinstance(value, str) and sum(2 if ord(ch) > 0x2E80 else 1 for ch in value) > widths[1]:
            assert (cover.row_dimensions[row[0].row].height or 0) >= 30, f"说明!{row[1].coordinate} is cut"
    indexed = {row[0] for row in cover.iter_rows(values_only=True)}
    for sheet in book.worksheets[1:]:
        assert sheet.title in indexed, f"{sheet.title} missing from the 说明 index"
        header_row = 2 if sheet.print_title_rows and sheet.print_title_rows.startswith("$2") else 1
        assert sheet.freeze_panes and sheet.freeze_panes != "A1", sheet.title
        assert sheet.auto_filter.ref, sheet.title
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1, sheet.title
        assert sheet.print_title_rows, sheet.title
        assert all(c.font.bold for c in sheet[header_row] if c.value is not None), sheet.title
        for row in sheet.iter_rows(min_row=header_row + 1):
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    assert cell.number_format != "General", f"{sheet.title}!{cell.coordinate} is General"
    return book


def check_reproduces(folder: Path, repo: Path, monkeypatch, capsys) -> None:
    """Issue 11: `hrpark report verify` re-runs the report from its manifest (from ``repo``, where it was run,
    so that its params file's relative path means the same) and finds every file byte-identical."""
    from hrpark_analysis.cli import main

    monkeypatch.chdir(repo)
    code = main(["report", "verify", str(folder)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "可以复现" in out and "不一致" not in out


def check_sections_in_documents(headings_of, stem: Path, sections) -> None:
    """Issue 10: the PDF's bookmarks and the Word file's headings hold every section of the report (a heading
    may go on after the section's name: 三、认定成本(第十一条…))."""
    bookmarks, headings = headings_of(stem)
    for section in sections:
        assert any(title.startswith(section) for title in bookmarks), section
        assert any(heading.startswith(section) for heading in headings), section
