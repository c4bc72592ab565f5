"""Reading and writing tables: CSV (UTF-8, UTF-8 with BOM, GB18030/GBK) and XLSX, validated where they enter.

Everything past this module can trust its frames: columns exist and are typed, values are in range, and
each row keeps ``_row``, its row number as the user sees it in the file (header = row 1), so that later
checks (unknown parks, missing years) can still name the row.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from hrpark_analysis import labels, userfiles
from hrpark_analysis.errors import InputError
from hrpark_analysis.io.cells import Column, parse_cell, trim_cell
from hrpark_analysis.io.problems import Problems
from hrpark_analysis.io.publish import (
    output_files as output_files,  # moved there; callers still import it here
)

ROW = "_row"


def read_table(path: str | Path, role: str | None = None) -> pd.DataFrame:
    """Read a CSV or XLSX file as text cells plus the ``_row`` column; blank rows are skipped.

    ``role`` (``parks``, ``monthly`` …) picks the worksheet of a workbook with several (see :func:`_xlsx_rows`).
    """
    path = userfiles.check_regular(path)  # a regular file within the size bound (userfiles.py)
    suffix = path.suffix.lower()
    sheet = None
    if suffix in (".xlsx", ".xlsm"):
        userfiles.check_xlsx(path)  # unpacked size, each sheet's range and furthest cell, before loading
        sheet, numbered = _xlsx_rows(path, role)
    elif suffix in (".csv", ".txt", ""):
        # decoded (UTF-8/GB18030, plausibly), no NUL, one record per line with balanced quotes
        numbered = userfiles.csv_records(userfiles.read_text(path), path)
    else:
        raise InputError(f"不支持的文件类型 {suffix}(请用 .csv 或 .xlsx)", file=path)
    numbered = [(n, [trim_cell(c) for c in rec]) for n, rec in numbered if any(c.strip() for c in rec)]
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
    frame = pd.DataFrame(body, columns=[*header, ROW]).astype({ROW: int})
    frame.attrs["sheet"] = sheet
    return frame


def _xlsx_rows(path: Path, role: str | None) -> tuple[str | None, list[tuple[int, list[str]]]]:
    """The rows of the worksheet that holds the data, numbered as Excel shows them.

    A workbook with one worksheet is read whole. With several (a template has 填写说明 and 选项 beside its
    data), the one named like the file's role is read — its English key (``parks``) or its Chinese name
    (``园区名单``, labels.INPUT_ROLE) — else the only one that is not empty. The sheet is returned to be named
    in errors when the workbook has several.
    """
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InputError(f"无法读取 Excel 文件: {exc}", file=path) from exc
    try:
        names = book.sheetnames
        chosen = names[0] if len(names) == 1 else None
        wanted = {role, labels.INPUT_ROLE.get(role or "")} - {None, ""}
        if chosen is None:
            chosen = next((n for n in names if n.strip() in wanted), None)
        if chosen is None:
            skip = {labels.TEMPLATE_GUIDE_SHEET, labels.TEMPLATE_LISTS_SHEET}
            filled = [n for n in names if n not in skip and _sheet_has_values(book[n])]
            if len(filled) != 1:
                expected = " 或 ".join(sorted(wanted)) if wanted else "数据"
                raise InputError(
                    f"工作簿有 {len(names)} 个工作表({'、'.join(names)})，无法确定读取哪一个："
                    f"请把数据放在名为 {expected} 的工作表中",
                    file=path,
                )
            chosen = filled[0]
        ws = book[chosen]
        ws.reset_dimensions()  # some writers record a wrong used range: read the rows actually stored
        try:
            rows = [
                (n, ["" if _is_blank(v) else _cell_text(v) for v in rec])
                for n, rec in enumerate(ws.iter_rows(values_only=True), start=1)
            ]
        except Exception as exc:  # a damaged sheet part
            raise InputError(f"无法读取 Excel 文件: {exc}", file=path) from exc
    finally:
        book.close()
    return (chosen if len(names) > 1 else None), rows


def _sheet_has_values(ws) -> bool:
    return any(v is not None and str(v).strip() for rec in ws.iter_rows(values_only=True) for v in rec)


def _is_blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def header_label(column: Column) -> str:
    """The Chinese header of an input column: the one the templates write and the readers accept."""
    if column.aliases:
        return column.aliases[0]
    entry = labels.INPUT_COLUMN.get(column.name)
    return entry[0] if entry else column.name


def _norm(header: str) -> str:
    # 总分 / 总分(分) / 总分（分） / " Score " are one header: spacing, case, full-width and a unit in brackets
    text = "".join(header.split()).replace("（", "(").replace("）", ")").lower()
    return _UNIT_SUFFIX.sub("", text) or text


_UNIT_SUFFIX = re.compile(r"\([^()]*\)$")


def header_aliases(columns: Sequence[Column]) -> dict[str, str]:
    """Every accepted header (normalized) → the English key: the key itself and its Chinese header."""
    aliases: dict[str, str] = {}
    for col in columns:
        for name in (col.name, header_label(col), *col.aliases):
            aliases.setdefault(_norm(name), col.name)
    return aliases


def _rename_headers(
    raw: pd.DataFrame, columns: Sequence[Column], file, problems: Problems, sheet
) -> tuple[pd.DataFrame, set[str]]:
    """Chinese headers (labels.INPUT_COLUMN) become the English keys; a near miss is named with a suggestion.

    A header that matches nothing and resembles nothing is kept as an extra column (a district may carry its
    own notes); one that resembles a known header (``scroe``, ``园区编码``), or the header of a required
    column that is missing (``总份`` for 总分), is an error suggesting it. Returns the frame and the keys
    whose column was suggested (so that they are not also reported missing).
    """
    aliases = header_aliases(columns)
    known = [c.name for c in columns]
    choices = {**{c.name: c.name for c in columns}, **{header_label(c): c.name for c in columns}}
    renamed: dict[str, str] = {}
    suggested: set[str] = set()
    extras: list[str] = []

    def near_miss(header: str, best: str) -> None:
        problems.add(InputError(
            labels.HEADER_UNKNOWN.format(header=header, hint=labels.HEADER_HINT.format(best=best),
                                         known="、".join(f"{header_label(c)}({c.name})" for c in columns)),
            file=file, row=1, column=header, sheet=sheet, value=header,
        ))  # fmt: skip
        suggested.add(choices[best])

    for header in raw.columns:
        if header == ROW:
            continue
        key = header if header in known else aliases.get(_norm(header))
        if key is None:
            hint = _nearest(header, list(choices), cutoff=0.6)
            if hint:
                near_miss(header, hint)
            else:
                extras.append(header)
            continue
        if key in renamed.values():
            first = next(h for h, k in renamed.items() if k == key)
            problems.add(InputError(f"列 {header} 与列 {first} 是同一列({key})", file=file, row=1,
                                    column=header, sheet=sheet, value=header))  # fmt: skip
            suggested.add(key)
            continue
        renamed[header] = key
    for col in columns:  # a required column missing: the closest leftover header is probably it, misspelt
        if not col.required or col.name in renamed.values() or col.name in suggested:
            continue
        for option in (header_label(col), col.name):
            hint = _nearest(option, extras, cutoff=0.5)
            if hint:
                extras.remove(hint)
                near_miss(hint, option)
                break
    return raw.rename(columns=renamed), suggested


def _nearest(word: str, options: Sequence[str], cutoff: float) -> str | None:
    # 0.6 for any header (an extra column must really look like a known one to be an error); 0.5 for the
    # leftovers when a required column is missing, so that 总份 (one of two characters wrong) finds 总分
    hint = difflib.get_close_matches(word, list(options), n=1, cutoff=cutoff)
    return hint[0] if hint else None


def _template_rows(raw: pd.DataFrame) -> np.ndarray:
    """Rows a template adds that hold no data: its English-key row and its example row (labels.TEMPLATE_EXAMPLE).

    A filled template read back (as XLSX, or re-saved as CSV) needs no edits: both are skipped. The key
    row is the first row under the header whose cells are (mostly) the English keys of their columns.
    """
    cells = raw.drop(columns=[ROW]).to_numpy(dtype=object)
    skip = np.zeros(len(raw), dtype=bool)
    if cells.size == 0:
        return skip
    names = np.array(raw.drop(columns=[ROW]).columns, dtype=object)
    skip[0] = (cells[0] == names).sum() >= max(1, len(names) // 2)
    skip |= np.array([str(v).startswith(labels.TEMPLATE_EXAMPLE) for v in cells[:, 0]], dtype=bool)
    return skip


def parse_table(
    raw: pd.DataFrame,
    columns: Sequence[Column],
    file: str | Path,
    problems: Problems | None = None,
    *,
    empty_ok: bool = False,
) -> pd.DataFrame:
    """Check presence, type and range of each column; return typed columns plus ``_row``.

    Headers may be the English keys or their Chinese labels (labels.INPUT_COLUMN). Unexpected extra columns
    are kept as text (a district may carry its own notes). Every problem is collected: into ``problems`` if
    given (the caller raises), else raised here once all cells were read. A cell with a problem becomes
    empty so that checks of other cells can go on.
    """
    own = problems is None
    problems = Problems() if problems is None else problems
    found_before = len(problems)
    sheet = raw.attrs.get("sheet")
    raw, suggested = _rename_headers(raw, columns, file, problems, sheet)
    if len(raw):
        raw = raw[~_template_rows(raw)]
    missing = [c.name for c in columns if c.required and c.name not in raw.columns]
    for name in missing:
        problems.missing(file, name)
    really_missing = [name for name in missing if name not in suggested]
    if really_missing:
        problems.add(InputError(
            f"缺少必需的列(共需 {', '.join(c.name for c in columns if c.required)})",
            file=file, column=", ".join(really_missing), sheet=sheet,
        ))  # fmt: skip
    if raw.empty and not empty_ok and len(problems) == found_before:
        problems.add(InputError("文件只有表头，没有数据行", file=file, sheet=sheet))
    out = raw.copy()
    for col in columns:
        if col.name not in raw.columns:
            out[col.name] = (
                pd.Series([None] * len(raw), dtype=object, index=raw.index)
                if col.kind in ("str", "bool")
                else math.nan
            )
            continue
        values = []
        for v, row in zip(raw[col.name].tolist(), raw[ROW].tolist(), strict=True):
            try:
                values.append(parse_cell(v, col, file, row, sheet=sheet))
            except InputError as err:
                problems.add(err)
                values.append(None if col.kind == "str" else math.nan)
        out[col.name] = pd.Series(values, index=raw.index, dtype=object)
        if col.kind in ("int", "float"):
            out[col.name] = out[col.name].astype(float)
    out = out.reset_index(drop=True)
    out.attrs["sheet"] = sheet
    if own:
        problems.raise_any()
    return out


def check_unique(
    df: pd.DataFrame, keys: Sequence[str], file: str | Path, problems: Problems | None = None
) -> None:
    """Each key combination appears once; every later occurrence is a problem naming its row."""
    own = problems is None
    problems = Problems() if problems is None else problems
    complete = df[list(keys)].notna().all(axis=1)
    dup = df[complete].duplicated(list(keys), keep="first").reindex(df.index, fill_value=False)
    for _, bad in df[dup].iterrows():
        values = ", ".join(f"{k}={bad[k]}" for k in keys)
        problems.add(InputError(f"重复的记录({values})", file=file, row=int(bad[ROW]), column=", ".join(keys),
                                sheet=df.attrs.get("sheet"), value=values))  # fmt: skip
    if own:
        problems.raise_any()


def load(
    path: str | Path,
    columns: Sequence[Column],
    unique: Sequence[str] | None = None,
    *,
    role: str | None = None,
    problems: Problems | None = None,
    empty_ok: bool = False,
) -> pd.DataFrame:
    """read_table + parse_table + check_unique: a validated frame from a user's file.

    With ``problems`` every problem is recorded there and the frame (problem cells empty) is returned;
    without, they are raised here.
    """
    own = problems is None
    problems = Problems() if problems is None else problems
    frame = parse_table(read_table(path, role), columns, path, problems, empty_ok=empty_ok)
    if unique and all(k in frame.columns for k in unique):
        check_unique(frame, unique, path, problems)
    if own:
        problems.raise_any()
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
