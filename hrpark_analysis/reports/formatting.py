"""How a report shows a number: one format per table column, used by the HTML tables, the prose and the XLSX.

A report table holds raw values (floats, ints, text). :func:`column_formats` decides once, per column, how
they read: text (left), integers with thousands separators, years as written (``2025``), decimals with a
fixed number of places, or shares as percentages (``30.0%``). The same :class:`ColumnFormat` gives the HTML
cell text (:meth:`ColumnFormat.text`), the XLSX number format (:meth:`ColumnFormat.excel`, never General
for a number) and, through :func:`percent` and :func:`number`, the figures quoted in the prose — so the
text and its table never round the same value two ways. No format ever writes scientific notation.

The choice is made from the values and the header, and a table may override it per column
(``formats={"列名": "percent"}``, or ``"+"`` for a signed change; see :func:`parse_format`):

- bool → 是/否 text; object columns whose values are all numbers are numbers;
- integers, and floats that are all whole → ``integer`` (``1,200``), or ``year`` when the header names a
  year (contains 年 but not 年数) and every value is a plausible year;
- a header naming a probability or a share (``P(``, 概率, 比例) with every value in [0, 1] → ``percent``;
- other floats → ``decimal`` with the fewest places (at most 2, or 3 below 1) that show every value exactly,
  else that maximum.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

MISSING = "—"  # an empty cell in a shown table
KINDS = ("text", "integer", "year", "decimal", "percent")
MAX_DECIMALS = 2  # money in 万元 and scores are shown to the fen / the hundredth of a point
MAX_DECIMALS_SMALL = 3  # indices and coefficients below 1 (Sobol S1, Kendall τ, φ)
MAX_PERCENT_DECIMALS = 2
MAX_TEXT_DECIMALS = 6  # a number in a column of text (值 of mixed parameters)
_PERCENT_HEADERS = ("P(", "概率", "比例")
_YEAR_RANGE = (1900, 2200)


@dataclass(frozen=True)
class ColumnFormat:
    """How one column's values are shown: ``kind`` (one of :data:`KINDS`) and its fixed decimals."""

    kind: str = "text"
    decimals: int = 0
    signed: bool = False  # a change: +8, -480 (and 0)

    @property
    def numeric(self) -> bool:
        return self.kind != "text"

    def text(self, value: object) -> str:
        """The cell as shown: never scientific notation, missing values as :data:`MISSING`."""
        if _missing(value):
            return MISSING
        if isinstance(value, bool | np.bool_):
            return "是" if value else "否"
        if not _is_number(value):
            return str(value)
        if self.kind == "text":  # a number among text (a mixed column): plain, never scientific
            exact = _exact_decimals(np.array([float(value)]), MAX_TEXT_DECIMALS)
            return f"{float(value):,.{MAX_TEXT_DECIMALS if exact is None else exact}f}"
        v = float(value)
        if self.signed and v > 0:
            return "+" + ColumnFormat(self.kind, self.decimals).text(value)
        if self.kind == "year":
            return f"{v:.0f}"
        if self.kind == "integer":
            return f"{v:,.0f}"
        if self.kind == "percent":
            return percent(v, self.decimals)
        return f"{v:,.{self.decimals}f}"

    def excel(self) -> str | None:
        """The XLSX number format (None for text: it stays General, as text)."""
        if self.signed and self.kind in ("integer", "decimal"):
            plain = ColumnFormat(self.kind, self.decimals).excel()
            return f"+{plain};-{plain};0"
        if self.kind == "year":
            return "0"
        if self.kind == "integer":
            return "#,##0"
        if self.kind == "decimal":
            return "#,##0" + ("." + "0" * self.decimals if self.decimals else "")
        if self.kind == "percent":
            return "0" + ("." + "0" * self.decimals if self.decimals else "") + "%"
        return None


def _missing(value: object) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float | np.floating) and math.isnan(value)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def _exact_decimals(values: np.ndarray, limit: int) -> int | None:
    """The fewest decimals (0..limit) at which every value is shown exactly, or None."""
    scale = np.maximum(np.abs(values), 1.0)
    for d in range(limit + 1):
        if np.all(np.abs(np.round(values, d) - values) <= 1e-9 * scale):
            return d
    return None


def percent(share: float, decimals: int | None = None) -> str:
    """``0.246`` → ``24.6%``: a share as a percentage, in prose and in tables alike.

    ``decimals`` None takes the fewest places (at most 2) that show the value exactly, else 1. A share
    that is not zero but would show as 0 reads ``<0.01%`` (and one short of 1 as ``>99.99%``), so a
    rare event is never written as impossible.
    """
    if _missing(share):
        return MISSING
    v = float(share) * 100
    if decimals is None:
        exact = _exact_decimals(np.array([v]), MAX_PERCENT_DECIMALS)
        decimals = 1 if exact is None else exact
    unit = 10.0**-decimals
    if 0 < abs(v) < unit / 2:
        return f"<{unit:.{decimals}f}%"
    if 100 - unit / 2 < v < 100:
        return f">{100 - unit:.{decimals}f}%"
    return f"{v:,.{decimals}f}%"


def number(value: float, decimals: int | None = None) -> str:
    """A number in prose as its table column shows it: thousands separators, fixed or fewest decimals."""
    if _missing(value):
        return MISSING
    v = float(value)
    if decimals is None:
        exact = _exact_decimals(np.array([v]), MAX_DECIMALS)
        decimals = MAX_DECIMALS if exact is None else exact
    return f"{v:,.{decimals}f}"


def parse_format(spec: str | ColumnFormat) -> ColumnFormat:
    """``"percent"``, ``"percent:1"``, ``"decimal:2"``, ``"integer"``, ``"year"``, ``"text"`` → ColumnFormat."""
    if isinstance(spec, ColumnFormat):
        return spec
    kind, _, places = str(spec).partition(":")
    if kind.startswith("+"):  # "+integer", "+decimal:2": a signed change
        return dataclasses.replace(parse_format(spec[1:]), signed=True)
    if kind not in KINDS:
        raise ValueError(f"unknown column format {spec!r} (expected one of {', '.join(KINDS)})")
    return ColumnFormat(kind, int(places) if places else (1 if kind == "percent" else 0))


def _numeric_values(column: pd.Series) -> np.ndarray | None:
    """The column's non-missing values as floats, or None if it holds anything but numbers."""
    if pd.api.types.is_bool_dtype(column):
        return None
    present = column[~column.map(_missing)]
    if pd.api.types.is_numeric_dtype(column):
        return present.to_numpy(dtype=float)
    if len(present) and all(_is_number(v) for v in present):
        return present.to_numpy(dtype=float)
    return None


def infer_format(header: object, column: pd.Series) -> ColumnFormat:
    """The format of one column from its values and its header (module docstring)."""
    values = _numeric_values(column)
    if values is None:
        return ColumnFormat("text")
    if len(values) == 0:
        return ColumnFormat("decimal", 0)
    name = str(header)
    finite = values[np.isfinite(values)]
    if (
        any(mark in name for mark in _PERCENT_HEADERS)
        and len(finite)
        and finite.min() >= 0
        and finite.max() <= 1
        and not pd.api.types.is_integer_dtype(column)
    ):
        exact = _exact_decimals(finite * 100, MAX_PERCENT_DECIMALS)
        return ColumnFormat("percent", 1 if exact is None else max(exact, 0))
    if _exact_decimals(finite, 0) == 0:
        lo, hi = _YEAR_RANGE
        if "年" in name and "年数" not in name and len(finite) and finite.min() >= lo and finite.max() <= hi:
            return ColumnFormat("year")
        return ColumnFormat("integer")
    limit = MAX_DECIMALS_SMALL if np.abs(finite).max() < 1 else MAX_DECIMALS
    exact = _exact_decimals(finite, limit)
    return ColumnFormat("decimal", limit if exact is None else exact)


def number_cells_format(header: object, column: pd.Series) -> ColumnFormat:
    """For a text column that holds some numbers (a mixed 取值 column): the format of those numbers."""
    numbers = column[column.map(_is_number)]
    return infer_format(header, numbers.astype(float)) if len(numbers) else ColumnFormat("text")


def column_formats(
    frame: pd.DataFrame, overrides: Mapping[str, str | ColumnFormat] | None = None
) -> list[ColumnFormat]:
    """One :class:`ColumnFormat` per column of ``frame`` (by position), ``overrides`` by header first."""
    overrides = dict(overrides or {})
    formats = []
    for i, col in enumerate(frame.columns):
        spec = overrides.get(str(col))
        if spec == "+":  # a signed change in the format its values call for
            formats.append(dataclasses.replace(infer_format(col, frame.iloc[:, i]), signed=True))
        else:
            formats.append(parse_format(spec) if spec is not None else infer_format(col, frame.iloc[:, i]))
    return formats


def flat_label(label: object) -> str:
    """A column header as one line: a tuple (MultiIndex) joined with `` / ``."""
    if isinstance(label, tuple):
        return " / ".join(str(part) for part in label if str(part) != "")
    return str(label)


def shown_frame(df: pd.DataFrame) -> pd.DataFrame:
    """The frame a report shows: a named index (park id, year …) becomes columns, an unnamed one (0…n−1) is
    dropped, and headers are flat text."""
    unnamed = not isinstance(df.index, pd.MultiIndex) and df.index.name is None
    frame = df.reset_index(drop=unnamed)
    frame.columns = [flat_label(c) for c in frame.columns]
    return frame


def display_width(text: str) -> int:
    """Columns a text takes in a monospace grid: CJK and full-width characters count double (table widths on
    the page and in the workbook)."""
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)
