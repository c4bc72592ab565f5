"""One cell of a user's table: the column it belongs to (:class:`Column`) and its text made a typed value.

:func:`parse_cell` turns a cell's text into the value its column takes — text, a number in range, an integer,
是/否 — or an :class:`~hrpark_analysis.errors.InputError` naming the file, row, column and value. The same
reading serves every input file and every template (:mod:`.tables` applies it column by column).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from hrpark_analysis.errors import InputError

TRUE_WORDS = {"true", "1", "是", "yes", "y", "t", "1.0", "真"}
FALSE_WORDS = {"false", "0", "否", "no", "n", "f", "0.0", "假"}
NAN_WORDS = {"nan", "na", "n/a", "inf", "-inf", "+inf", "infinity", "-infinity"}


@dataclass(frozen=True)
class Column:
    """One expected column: its kind and the values it may take."""

    name: str
    kind: str = "str"  # str | int | float | bool
    required: bool = True  # the column must be present
    allow_empty: bool = False  # an empty cell is allowed (NaN / None / unknown)
    min: float | None = None
    max: float | None = None
    aliases: tuple[str, ...] = ()  # Chinese headers beyond labels.INPUT_COLUMN (the first is the template's)


# Characters no spreadsheet cell may hold (openpyxl refuses them on writing): C0 controls but tab and line
# breaks, and DEL. A name carrying one is a copy-paste accident; refusing it here names the cell.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A comma in a number is a thousands separator only where it groups three digits (1,234,567.5); anything
# else (6,5 — a decimal comma) would silently become another number.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")


def trim_cell(text: str) -> str:
    """Surrounding spaces go; a control character stays, to be refused by :func:`parse_cell` with its cell."""
    if text.isprintable() or not CONTROL_CHARS.search(text):  # isprintable: the fast common case
        return text.strip()
    return text.strip(" \t\r\n\u3000\xa0")


class _Bad(Exception):
    """A cell's problem, before :func:`parse_cell` gives it its file, row and column."""


def parse_cell(value: str, col: Column, file: str | Path, row: int, *, sheet: str | None = None) -> object:
    text = value.strip() if value.isprintable() else trim_cell(value)
    try:
        return _cell_value(text, col)
    except _Bad as bad:
        raise InputError(str(bad), file=file, row=row, column=col.name, sheet=sheet, value=text) from None


def _cell_value(text: str, col: Column) -> object:
    control = None if text.isprintable() else CONTROL_CHARS.search(text)
    if control:
        code = ord(control.group())
        raise _Bad(f"含有不可见的控制字符(\\x{code:02x})，请删除后重新填写，实际为 {text!r}")
    if text == "":
        if col.allow_empty:
            return math.nan if col.kind in ("int", "float", "bool") else None
        raise _Bad("值为空")
    if col.kind == "str":
        return text
    if col.kind == "bool":
        low = text.lower()
        if low in TRUE_WORDS:
            return 1.0
        if low in FALSE_WORDS:
            return 0.0
        raise _Bad(f"应为 是/否(true/false/1/0)，实际为 {text!r}")
    if text.lower() in NAN_WORDS:
        raise _Bad(f"应为有限数值，实际为 {text!r}")
    if "," in text and not _GROUPED.match(text):
        raise _Bad(f"应为数值(逗号只能作千位分隔符，如 1,234.5；小数点请用“.”)，实际为 {text!r}")
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        raise _Bad(f"应为数值，实际为 {text!r}") from None
    if not math.isfinite(number):
        raise _Bad(f"应为有限数值，实际为 {text!r}")
    if col.kind == "int" and not number.is_integer():
        raise _Bad(f"应为整数，实际为 {text!r}")
    if col.min is not None and number < col.min:
        raise _Bad(f"应不小于 {col.min:g}，实际为 {text}")
    if col.max is not None and number > col.max:
        raise _Bad(f"应不大于 {col.max:g}，实际为 {text}")
    return number
