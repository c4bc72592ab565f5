"""The one date a report carries: on its title page, in its PDF/DOCX/XLSX metadata and zip entries.

Never the wall clock, so that the same inputs give the same bytes years later. In order of precedence:

1. ``report_date`` as the user gave it (a report parameter, ``YYYY-MM-DD``);
2. ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention: seconds since 1970-01-01 UTC), when set;
3. a date derived from the inputs: 31 December of the report's year (the evaluated, base or round year).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import Any

from hrpark_analysis.errors import ParameterError, ReportError

EPOCH_VARIABLE = "SOURCE_DATE_EPOCH"
# The parameter that names a report's year, in order of precedence: the evaluated or round year
# (annual, sensitivity, certification), else the forecast's base year.
YEAR_PARAMETERS = ("year", "base_year")


def document_date(report_date: str | None, year: int) -> dt.date:
    """The report's date: the parameter if given, else ``SOURCE_DATE_EPOCH``, else 31 December of ``year``."""
    if report_date:
        try:
            return dt.date.fromisoformat(str(report_date).strip())
        except ValueError:
            raise ParameterError(
                f"参数 report_date 应为 YYYY-MM-DD 形式的日期，实际为 {report_date!r}"
            ) from None
    epoch = os.environ.get(EPOCH_VARIABLE, "").strip()
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
        except (ValueError, OverflowError, OSError):
            raise ParameterError(f"环境变量 {EPOCH_VARIABLE} 应为整数秒数，实际为 {epoch!r}") from None
    return dt.date(int(year), 12, 31)


def document_datetime(report_date: str | None, year: int) -> dt.datetime:
    """:func:`document_date` at midnight UTC: for file metadata (zip entries, core properties, PDF info)."""
    day = document_date(report_date, year)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def chinese(day: dt.date) -> str:
    """``2025年12月31日``: how the title page writes the date."""
    return f"{day.year}年{day.month}月{day.day}日"


def document_facts(parameters: Mapping[str, Any]) -> tuple[dt.datetime, str]:
    """The documents' date and author (issuer) from the report's effective parameters."""
    year = next((parameters[key] for key in YEAR_PARAMETERS if isinstance(parameters.get(key), int)), None)
    if year is None:
        raise ReportError(f"报告笔记本缺少年度参数({' 或 '.join(YEAR_PARAMETERS)})，无法确定报告日期")
    date = document_datetime(parameters.get("report_date") or None, year)
    return date, str(parameters.get("issuer") or "")
