"""The hand-back file for a district: ``--errors FILE.csv|xlsx``, every problem of a submission listed.

A CSV lists them (文件, 工作表, 行, 列, 值, 问题); an XLSX also copies, per file, the offending rows with each wrong
cell marked and its problem beside it, read again with :func:`~hrpark_analysis.io.tables.read_table` exactly as
the readers saw them. The collector itself is :mod:`.problems`; this module only writes its list.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from hrpark_analysis import labels
from hrpark_analysis.errors import InputError
from hrpark_analysis.io.cells import CONTROL_CHARS
from hrpark_analysis.io.problems import ordered
from hrpark_analysis.io.publish import output_files
from hrpark_analysis.io.tables import ROW, read_table, safe_text


def write_errors(errors: Sequence[InputError], path: str | Path, *, force: bool = False) -> Path:
    """The full list of problems for the district: ``.csv`` (one line each, UTF-8 with BOM so that Excel
    opens it) or ``.xlsx`` (the list, then per file a copy of the offending rows with each wrong cell
    marked red and its problem in a comment and in a 问题 column beside the row). Written atomically;
    an existing file is replaced only with ``force``."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".xlsx"):
        raise InputError("问题清单应为 .xlsx 或 .csv 文件", file=path)
    errors = ordered(errors)
    col = labels.ERRORS_COLUMN
    table = pd.DataFrame(
        {
            col["file"]: [e.file or "" for e in errors],
            col["sheet"]: [e.sheet or "" for e in errors],
            col["row"]: [e.row if e.row is not None else "" for e in errors],
            col["column"]: [e.column or "" for e in errors],
            col["value"]: [e.value if e.value is not None else "" for e in errors],
            col["problem"]: [e.message for e in errors],
        }
    )
    with output_files(path.parent, [path.name], force=force) as tmp:
        if suffix == ".csv":
            inert = table.map(_inert)
            inert.to_csv(tmp / path.name, index=False, encoding="utf-8-sig", lineterminator="\n")
        else:
            _write_workbook(errors, table, tmp / path.name)
    return path


def _write_workbook(errors: list[InputError], table: pd.DataFrame, target: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill

    red = PatternFill("solid", fgColor="FFC7CE")
    book = Workbook()
    ws = book.active
    ws.title = labels.ERRORS_SHEET
    ws.append(list(table.columns))
    for rec in table.itertuples(index=False):
        ws.append([_inert(v) for v in rec])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    by_file: dict[tuple[str, str | None], list[InputError]] = {}
    for err in errors:
        if err.file and err.row and err.row > 1:
            by_file.setdefault((err.file, err.sheet), []).append(err)
    for n, ((file, sheet), errs) in enumerate(by_file.items(), start=1):
        try:
            raw = read_table(file, sheet)
        except InputError:
            continue  # the file itself is unreadable: the list above says why
        headers = [c for c in raw.columns if c != ROW]
        rows = raw.set_index(ROW)
        out = book.create_sheet(labels.ERRORS_ROWS_SHEET.format(n=n))
        out.append([labels.ERRORS_COLUMN["file"], _inert(file)])
        out.append([labels.ERRORS_COLUMN["row"], *map(_inert, headers), labels.ERRORS_COLUMN["problem"]])
        for row in sorted({e.row for e in errs}):
            mine = [e for e in errs if e.row == row]
            values = rows.loc[row, headers].tolist() if row in rows.index else [""] * len(headers)
            out.append([row, *map(_inert, values), "；".join(f"{e.column}: {e.message}" for e in mine)])
            for e in mine:
                for name in (e.column or "").split(", "):
                    target_col = next((i for i, h in enumerate(headers) if _matches(h, name)), None)
                    if target_col is not None:
                        cell = out.cell(row=out.max_row, column=target_col + 2)
                        cell.fill = red
                        cell.comment = Comment(e.message, "hrpark")
        out.freeze_panes = "B3"
    book.save(target)


def _matches(header: str, key: str) -> bool:
    entry = labels.INPUT_COLUMN.get(key)
    return header == key or (entry is not None and header.startswith(entry[0]))


def _inert(value: object) -> object:
    # what a district sent back may start with "=": it stays text; control characters cannot be stored
    text = safe_text(value)
    return CONTROL_CHARS.sub("\ufffd", text) if isinstance(text, str) else text
