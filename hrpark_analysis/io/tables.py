"""Reading and writing tables: CSV (UTF-8, UTF-8 with BOM, GB18030/GBK) and XLSX, validated where they enter.

Everything past this module can trust its frames: columns exist and are typed, values are in range, and
each row keeps ``_row``, its row number as the user sees it in the file (header = row 1), so that later
checks (unknown parks, missing years) can still name the row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from hrpark_analysis import userfiles
from hrpark_analysis.errors import InputError
from hrpark_analysis.io.publish import (
    output_files as output_files,  # moved there; callers still import it here
)

TRUE_WORDS = {"true", "1", "是", "yes", "y", "t", "1.0", "真"}
FALSE_WORDS = {"false", "0", "否", "no", "n", "f", "0.0", "假"}
NAN_WORDS = {"nan", "na", "n/a", "inf", "-inf", "+inf", "infinity", "-infinity"}
ROW = "_row"


@dataclass(frozen=True)
class Column:
    """One expected column: its kind and the values it may take."""

    name: str
    kind: str = "str"  # str | int | float | bool
    required: bool = True  # the column must be present
    allow_empty: bool = False  # an empty cell is allowed (NaN / None / unknown)
    min: float | None = None
    max: float | None = None


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a CSV or XLSX file as text cells plus the ``_row`` column; blank rows are skipped."""
    path = userfiles.check_regular(path)  # a regular file within the size bound (userfiles.py)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        userfiles.check_xlsx(path)  # unpacked size, each sheet's range and furthest cell, before loading
        try:
            raw = pd.read_excel(path, header=None, dtype=object, engine="openpyxl")
        except Exception as exc:  # openpyxl raises many kinds for a broken workbook
            raise InputError(f"无法读取 Excel 文件: {exc}", file=path) from exc
        rows = [["" if _is_blank(v) else _cell_text(v) for v in rec] for rec in raw.itertuples(index=False)]
        numbered = list(enumerate(rows, start=1))
    elif suffix in (".csv", ".txt", ""):
        # decoded (UTF-8/GB18030, plausibly), no NUL, one record per line with balanced quotes
        numbered = userfiles.csv_records(userfiles.read_text(path), path)
    else:
        raise InputError(f"不支持的文件类型 {suffix}(请用 .csv 或 .xlsx)", file=path)
    numbered = [(n, [c.strip() for c in rec]) for n, rec in numbered if any(c.strip() for c in rec)]
    if not numbered:
        raise InputError("文件为空", file=path)
    header_row, header = numbered[0]
    while header and not header[-1]:
        header.pop()
    if not header or any(not h for h in header):
        raise InputError("表头有空列名", file=path, row=header_row)
    seen = set()
    for h in header:
        if h in seen:
            raise InputError("表头中列名重复", file=path, row=header_row, column=h)
        seen.add(h)
    body = []
    for n, rec in numbered[1:]:
        if len(rec) > len(header) and any(rec[len(header) :]):
            raise InputError(f"该行有 {len(rec)} 个值，多于表头的 {len(header)} 列", file=path, row=n)
        body.append([*(rec + [""] * len(header))[: len(header)], n])
    return pd.DataFrame(body, columns=[*header, ROW]).astype({ROW: int})


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def parse_table(raw: pd.DataFrame, columns: Sequence[Column], file: str | Path) -> pd.DataFrame:
    """Check presence, type and range of each column; return typed columns plus ``_row``.

    Unexpected extra columns are kept as text (a district may carry its own notes).
    """
    missing = [c.name for c in columns if c.required and c.name not in raw.columns]
    if missing:
        raise InputError(
            f"缺少必需的列(共需 {', '.join(c.name for c in columns if c.required)})",
            file=file,
            column=", ".join(missing),
        )
    if raw.empty:
        raise InputError("文件只有表头，没有数据行", file=file)
    out = raw.copy()
    for col in columns:
        if col.name not in raw.columns:
            out[col.name] = (
                pd.Series([None] * len(raw), dtype=object) if col.kind in ("str", "bool") else math.nan
            )
            continue
        out[col.name] = [
            _parse_cell(v, col, file, row) for v, row in zip(raw[col.name], raw[ROW], strict=True)
        ]
        if col.kind in ("int", "float"):
            out[col.name] = out[col.name].astype(float)
    return out


def _parse_cell(value: str, col: Column, file: str | Path, row: int) -> object:
    text = value.strip()
    if text == "":
        if col.allow_empty:
            return math.nan if col.kind in ("int", "float", "bool") else None
        raise InputError("值为空", file=file, row=row, column=col.name)
    if col.kind == "str":
        return text
    if col.kind == "bool":
        low = text.lower()
        if low in TRUE_WORDS:
            return 1.0
        if low in FALSE_WORDS:
            return 0.0
        raise InputError(f"应为 是/否(true/false/1/0)，实际为 {text!r}", file=file, row=row, column=col.name)
    if text.lower() in NAN_WORDS:
        raise InputError(f"应为有限数值，实际为 {text!r}", file=file, row=row, column=col.name)
    try:
        number = float(text.replace(",", ""))
    except ValueError:
        raise InputError(f"应为数值，实际为 {text!r}", file=file, row=row, column=col.name) from None
    if not math.isfinite(number):
        raise InputError(f"应为有限数值，实际为 {text!r}", file=file, row=row, column=col.name)
    if col.kind == "int" and not number.is_integer():
        raise InputError(f"应为整数，实际为 {text!r}", file=file, row=row, column=col.name)
    if col.min is not None and number < col.min:
        raise InputError(f"应不小于 {col.min:g}，实际为 {text}", file=file, row=row, column=col.name)
    if col.max is not None and number > col.max:
        raise InputError(f"应不大于 {col.max:g}，实际为 {text}", file=file, row=row, column=col.name)
    return number


def check_unique(df: pd.DataFrame, keys: Sequence[str], file: str | Path) -> None:
    """Each key combination appears once; the second occurrence is the row named."""
    dup = df.duplicated(list(keys), keep="first")
    if dup.any():
        first = df[dup].iloc[0]
        values = ", ".join(f"{k}={first[k]}" for k in keys)
        raise InputError(f"重复的记录({values})", file=file, row=int(first[ROW]), column=", ".join(keys))


def load(path: str | Path, columns: Sequence[Column], unique: Sequence[str] | None = None) -> pd.DataFrame:
    """read_table + parse_table + check_unique: a validated frame from a user's file."""
    frame = parse_table(read_table(path), columns, path)
    if unique:
        check_unique(frame, unique, path)
    return frame


# --- writing ---------------------------------------------------------------------------------------------
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """A text cell that a spreadsheet would read as a formula gets a leading apostrophe; numbers stay."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def neutralize(df: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell passed through :func:`safe_text`."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):  # pandas 3: text is "str"
            out[col] = out[col].map(safe_text)
    return out


def write_csv(df: pd.DataFrame, path: str | Path) -> None:
    """Plain UTF-8 (no BOM: other tools read these column names exactly); formula-like text neutralized.

    The XLSX reports are the files meant for Excel; these CSVs are the machine-readable contract.
    """
    neutralize(df).to_csv(path, index=False, encoding="utf-8", lineterminator="\n")
