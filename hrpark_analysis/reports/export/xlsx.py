"""One XLSX sheet per published table, with every text cell inert.

Every text cell goes through :func:`~hrpark_analysis.io.tables.safe_text` (a value starting with ``=``, ``+``,
``-``, ``@``, tab or CR becomes ``'…`` so that a spreadsheet shows it as text, never runs it as a formula);
the CLI's CSV writers use the same function (``tables.write_csv``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from hrpark_analysis.io.tables import safe_text

SHEET_MAX = 31  # Excel's limit on sheet name length
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def sheet_names(names: Sequence[str]) -> list[str]:
    """Valid, unique Excel sheet names for ``names``, in order.

    Characters Excel forbids (``[]:*?/\\``) become ``_``, names are cut to 31 characters, a leading or
    trailing apostrophe is dropped (Excel rejects it), an empty name becomes ``表N``, and repeats get
    `` (2)``, `` (3)`` … (compared case-insensitively, as Excel does).
    """
    result: list[str] = []
    seen: set[str] = set()
    for i, name in enumerate(names, start=1):
        base = _SHEET_FORBIDDEN.sub("_", str(name)).strip().strip("'").strip() or f"表{i}"
        base = base[:SHEET_MAX]
        candidate, n = base, 1
        while candidate.lower() in seen:
            n += 1
            suffix = f" ({n})"
            candidate = base[: SHEET_MAX - len(suffix)] + suffix
        seen.add(candidate.lower())
        result.append(candidate)
    return result


def _flat_label(label: object) -> str:
    if isinstance(label, tuple):
        return " / ".join(str(part) for part in label if str(part) != "")
    return str(label)


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


def _frame_for_sheet(df: pd.DataFrame) -> pd.DataFrame:
    # A meaningful index (park id, year …) becomes columns; a plain 0..n-1 RangeIndex is dropped.
    if isinstance(df.index, pd.RangeIndex) and df.index.name is None:
        return df
    return df.reset_index()


def write_xlsx(tables: Sequence[tuple[str, pd.DataFrame]], path: str | Path) -> list[str]:
    """Write one sheet per ``(name, frame)`` to ``path``; return the sheet names used.

    Header and text cells pass through :func:`safe_text`; NaN/None become empty cells; a workbook with no
    tables gets one sheet ``说明`` saying so (an XLSX file needs at least one sheet).
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    names = sheet_names([name for name, _ in tables])
    for sheet_name, (_, df) in zip(names, tables, strict=True):
        frame = _frame_for_sheet(df)
        sheet = workbook.create_sheet(sheet_name)
        sheet.append([_cell(_flat_label(col)) for col in frame.columns])
        for row in frame.itertuples(index=False, name=None):
            sheet.append([_cell(v) for v in row])
        sheet.freeze_panes = "A2"
        for idx, col in enumerate(frame.columns, start=1):
            # Rough width from the header and a sample of values; CJK characters count double.
            sample = [_flat_label(col), *(str(v) for v in frame.iloc[:50, idx - 1])]
            width = max(sum(2 if ord(ch) > 0x2E80 else 1 for ch in text) for text in sample)
            sheet.column_dimensions[get_column_letter(idx)].width = min(max(width + 2, 8), 60)
    if not tables:
        sheet = workbook.create_sheet("说明")
        sheet.append(["本报告没有导出表格。"])
        names = ["说明"]
    workbook.save(path)
    return names
