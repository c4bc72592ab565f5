"""The workbook handed on with a report: a 说明 cover sheet, then one sheet per published table, every text
cell inert, every number a number with its format.

Every text cell goes through :func:`~hrpark_analysis.io.tables.safe_text` (a value starting with ``=``, ``+``,
``-``, ``@``, tab or CR becomes ``'…`` so that a spreadsheet shows it as text, never runs it as a formula);
the CLI's CSV writers use the same function (``tables.write_csv``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from hrpark_analysis import labels
from hrpark_analysis.io.tables import safe_text
from hrpark_analysis.reports.formatting import (
    ColumnFormat,
    column_formats,
    display_width,
    number_cells_format,
    shown_frame,
)

SHEET_MAX = 31  # Excel's limit on sheet name length
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sheet_names(names: Sequence[str]) -> list[str]:
    """Valid, unique Excel sheet names for ``names``, in order.

    Characters Excel forbids (``[]:*?/\\``) become ``_``, names are cut to 31 characters, a leading or
    trailing apostrophe is dropped (Excel rejects it), an empty name becomes ``表N``, and repeats get
    `` (2)``, `` (3)`` … (compared case-insensitively, as Excel does).
    """
    namer = _SheetNamer()
    return [namer.next(name) for name in names]


class _SheetNamer:
    """:func:`sheet_names` one name at a time: each name depends only on the names before it."""

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._count = 0

    def next(self, name: str) -> str:
        self._count += 1
        base = _SHEET_FORBIDDEN.sub("_", str(name)).strip().strip("'").strip() or f"表{self._count}"
        base = base[:SHEET_MAX]
        candidate, n = base, 1
        while candidate.lower() in self._seen:
            n += 1
            suffix = f" ({n})"
            candidate = base[: SHEET_MAX - len(suffix)] + suffix
        self._seen.add(candidate.lower())
        return candidate


def _cell(value: object) -> object:
    """A value openpyxl can store, with formula-like text neutralized."""
    if value is None:
        return None
    if isinstance(value, float) and value != value:  # NaN: an empty cell, not the text "nan"
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # numpy scalar -> Python scalar
    if isinstance(value, bool | int | float):
        return value
    if hasattr(value, "isoformat"):
        return value  # date / datetime: openpyxl writes them as dates
    return safe_text(str(value))


COVER_SHEET = "说明"
COVER_ROLE = "cover"  # DataFrame.attrs["role"] of the (项目, 内容) table that fills the 说明 sheet
TITLE_ATTR = "title"  # DataFrame.attrs["title"]: a line written in A1 above the header (a park's full id)
CAPTION_ATTR = "caption"  # DataFrame.attrs["caption"]: 表N …, listed in the 说明 sheet's index
SAMPLE_FACT = (
    labels.SAMPLE
)  # a cover fact of that name (reports.document) marks a workbook built from the sample
KEY_HEADERS = (
    "编号",
    "名称",
    "年度",
    "方案",
)  # leading key columns that stay in view (frozen) when scrolling right
MAX_WIDTH = 60
COVER_WIDTHS = (
    30,
    68,
    14,
)  # 说明: fact or sheet name, value or caption (a SHA-256 on one line), full park id
HEADER_WIDTH = 12  # a wrapped header line: six CJK characters
LINE_HEIGHT = 15  # points per line of a wrapped header
_HEADER_FONT = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
_HEADER_ALIGN = Alignment(wrap_text=True, vertical="center")
_HEADER_TEXT = Alignment(horizontal="left", wrap_text=True, vertical="center", indent=1)
_WRAP = Alignment(horizontal="left", wrap_text=True, vertical="top", indent=1)
_TEXT = Alignment(horizontal="left", vertical="top", indent=1)
_NUMBER = Alignment(vertical="top")


def _widths(frame: pd.DataFrame, specs: list[ColumnFormat]) -> list[float]:
    """Column widths from the content as shown (header words wrap, so a long header counts less)."""
    widths = []
    for i, spec in enumerate(specs):
        cells = [display_width(spec.text(v)) for v in frame.iloc[:, i]]
        header = display_width(str(frame.columns[i]))
        content = max(cells, default=0)
        # a header wraps (bold, wrap_text), so a long one adds lines, not width: at most HEADER_WIDTH columns
        widths.append(min(max(content, min(header, HEADER_WIDTH), 6) + 2, MAX_WIDTH))
    return widths


def _write_table(sheet, frame: pd.DataFrame, title: str | None, formats: dict | None = None) -> None:
    """Title line (optional), bold wrapped header, values with a number format per column (``formats``: the
    overrides the page used), widths, frozen header and key columns, autofilter and print setup."""
    specs = column_formats(frame, formats)
    top = 1
    if title:
        sheet.append([_cell(title)])
        sheet.cell(row=1, column=1).font = Font(bold=True, size=12)
        top = 2
    sheet.append([_cell(col) for col in frame.columns])
    for cell in sheet[top]:
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
    for row in frame.itertuples(index=False, name=None):
        sheet.append([_cell(v) for v in row])
    widths = _widths(frame, specs)
    n_rows = len(frame)
    lines = max(
        (_wrapped_lines(str(c), max(w - 2, 1)) for c, w in zip(frame.columns, widths, strict=True)), default=1
    )
    sheet.row_dimensions[top].height = LINE_HEIGHT * min(max(lines, 1), 8)
    for idx, (spec, width) in enumerate(zip(specs, widths, strict=True), start=1):
        letter = get_column_letter(idx)
        sheet.column_dimensions[letter].width = width
        number_format = spec.excel()
        if number_format is None:  # text, perhaps with some numbers among it: those get their own format
            number_format = number_cells_format(frame.columns[idx - 1], frame.iloc[:, idx - 1]).excel()
        # Text is indented one step so that it never touches the right-aligned number beside it.
        align = _WRAP if width >= MAX_WIDTH else (_NUMBER if spec.numeric else _TEXT)
        if not spec.numeric:
            sheet.cell(row=top, column=idx).alignment = _HEADER_TEXT
        if number_format or align:
            for (cell,) in sheet.iter_rows(min_row=top + 1, max_row=top + n_rows, min_col=idx, max_col=idx):
                if number_format and isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    cell.number_format = number_format
                if align:
                    cell.alignment = align
    keys = 0
    for col in list(frame.columns)[:2]:
        if any(mark in str(col) for mark in KEY_HEADERS):
            keys += 1
        else:
            break
    sheet.freeze_panes = f"{get_column_letter(keys + 1)}{top + 1}"
    if len(frame.columns):
        last = f"{get_column_letter(len(frame.columns))}{top + max(n_rows, 1)}"
        sheet.auto_filter.ref = f"A{top}:{last}"
    _print_setup(sheet, f"{top}:{top}")


def _print_setup(sheet, title_rows: str | None) -> None:
    # A4 landscape, every column on one page wide (as many pages tall as needed), header rows on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if title_rows:
        sheet.print_title_rows = title_rows


def _wrapped_lines(text: str, width: int) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide (CJK counted double): breaks at
    spaces, and anywhere inside a word longer than a line (Chinese has no spaces)."""
    lines, used = 1, 0
    for word in text.split(" "):
        size = display_width(word)
        if used and used + 1 + size <= width:
            used += 1 + size
            continue
        if used:
            lines += 1
        lines += max(math.ceil(size / width) - 1, 0)
        used = size - (math.ceil(size / width) - 1) * width if size else 0
    return lines


def _write_cover(sheet, cover: pd.DataFrame | None, index: list[tuple[str, str, str]]) -> None:
    """说明: the report's facts (title, year, data, parameters, 示例数据, manifest) and an index of the sheets."""
    facts = [] if cover is None else [tuple(row) for row in cover.itertuples(index=False, name=None)]
    title = next((str(v) for k, v in facts if k == "标题"), "报告表格")
    sheet.append([_cell(title)])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    for key, value in facts:
        if key == "标题":
            continue
        sheet.append([_cell(key), _cell(value)])
        sheet.cell(row=sheet.max_row, column=1).font = _HEADER_FONT
        sheet.cell(row=sheet.max_row, column=2).alignment = _WRAP
    sheet.append([])
    sheet.append(["工作表索引"])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=12)
    header_row = sheet.max_row + 1
    sheet.append(["工作表", "内容", "园区编号(完整)"])
    for cell in sheet[header_row]:
        cell.font, cell.fill, cell.alignment = _HEADER_FONT, _HEADER_FILL, _HEADER_ALIGN
    for name, caption, full_id in index:
        sheet.append([_cell(name), _cell(caption), _cell(full_id)])
    # Long values (a SHA-256, a list of overrides) wrap in B rather than widen it: at one page wide, a wider
    # sheet would print every line of the cover smaller.
    sheet.column_dimensions["A"].width = COVER_WIDTHS[0]
    sheet.column_dimensions["B"].width = COVER_WIDTHS[1]
    sheet.column_dimensions["C"].width = COVER_WIDTHS[2]
    for row in sheet.iter_rows(min_row=3, max_col=len(COVER_WIDTHS)):
        if row[0].row != header_row and row[1].value is not None:
            row[1].alignment = _WRAP
        lines = max(
            (_wrapped_lines(str(c.value), w - 2) for c, w in zip(row, COVER_WIDTHS, strict=True) if c.value),
            default=1,
        )
        if lines > 1:  # Excel and LibreOffice keep the default height of a row they did not lay out
            sheet.row_dimensions[row[0].row].height = LINE_HEIGHT * lines
    _print_setup(sheet, None)
    sheet.page_setup.orientation = "portrait"


def write_xlsx(tables: Sequence[tuple[str, pd.DataFrame]], path: str | Path) -> list[str]:
    """Write a 说明 cover sheet and one sheet per ``(name, frame)`` to ``path``; return the sheet of each table
    in order (the cover table's is 说明).

    The cover holds the facts of the table whose ``attrs["role"]`` is ``"cover"`` (if any) and an index of the
    sheets: name, caption (``attrs["caption"]``) and, for a per-park sheet, the full park id
    (``attrs["park_id"]``), which a 31-character sheet name may have cut. Header and text cells pass through
    :func:`safe_text`; NaN/None become empty cells; every numeric column gets a number format
    (``reports.formatting``), never General.
    """
    workbook = ReportWorkbook()
    for name, df in tables:
        workbook.add(name, df)
    return workbook.save(path)


class ReportWorkbook:
    """:func:`write_xlsx` a table at a time: the runner adds each table as the kernel publishes it, so that
    the workbook is all but written when the notebook ends. The same tables in the same order give the same
    bytes either way."""

    def __init__(self) -> None:
        self._workbook = Workbook()
        self._front = self._workbook.active
        self._front.title = COVER_SHEET
        self._namer = _SheetNamer()
        self._namer.next(COVER_SHEET)
        self._cover: pd.DataFrame | None = None
        self._index: list[tuple[str, str, str]] = []
        self.sheets: list[str] = []  # the sheet of each table added, in order (the cover table's is 说明)

    def add(self, name: str, df: pd.DataFrame) -> str:
        """Write ``df`` as the next sheet (or, for the cover table, keep its facts for 说明); return its sheet."""
        if df.attrs.get("role") == COVER_ROLE:
            if self._cover is None:  # the first cover table fills 说明
                self._cover = df
            self.sheets.append(COVER_SHEET)
            return COVER_SHEET
        sheet_name = self._namer.next(name)
        self.sheets.append(sheet_name)
        sheet = self._workbook.create_sheet(sheet_name)
        _write_table(sheet, shown_frame(df), df.attrs.get(TITLE_ATTR), df.attrs.get("formats"))
        self._index.append(
            (sheet_name, str(df.attrs.get(CAPTION_ATTR, name)), str(df.attrs.get("park_id", "")))
        )
        return sheet_name

    def save(self, path: str | Path) -> list[str]:
        """Write the 说明 sheet and save the workbook to ``path``; return the sheet of each table added."""
        cover = self._cover
        _write_cover(self._front, cover, self._index)
        if cover is not None and SAMPLE_FACT in set(cover.iloc[:, 0]):
            for sheet in self._workbook.worksheets:  # every printed page of a sample workbook says so
                sheet.oddHeader.right.text = SAMPLE_FACT
        if not self.sheets:
            self._front.append(["本报告没有导出表格。"])
            self.sheets = [COVER_SHEET]
        self._workbook.save(path)
        return list(self.sheets)
