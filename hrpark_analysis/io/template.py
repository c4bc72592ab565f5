"""``hrpark template``: one XLSX per input file of a data folder, made for a district to fill in.

Each workbook has the data sheet (named like the file's role, labels.INPUT_ROLE) with the Chinese headers of
labels.INPUT_COLUMN in row 1, the English keys in a hidden row 2, an example row (row 3, its first cell
marked 示例行) and data validation where the values are known; a 填写说明 sheet (each column's meaning, unit,
article and the values it takes) and a hidden 选项 sheet holding the drop-down lists. The readers take the
same headers (one table), skip the key and example rows, and so read a filled template back without edits
— as XLSX, or re-saved as CSV in UTF-8 or GBK.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hrpark_analysis import labels
from hrpark_analysis.io import readers
from hrpark_analysis.io.publish import output_files
from hrpark_analysis.io.tables import Column, header_label
from hrpark_analysis.law.policy import Policy
from hrpark_analysis.law.sheet import Sheet, load_sheet

ROLES = ("parks", "evaluations", "monthly", "targets", "ratings", "events", "applicants")
FIRST_DATA_ROW = 3  # the example row; a district's rows start below it
VALIDATED_ROWS = (
    5000  # validation and formats reach this row: more than a year of monthly reports of 300 parks
)
YES_NO = ("是", "否")
CHOICES = {
    "kind": tuple(labels.KIND.values()),
    "expert_review": ("通过", "未通过"),
    "publicity_objection": ("异议成立", "无异议"),
}
INDICATOR_METHODS = {"targets": ("ratio_to_target",), "ratings": ("rating",), "events": ("deduction", "veto")}


def role_columns(role: str, sheet: Sheet) -> list[Column]:
    """The columns a reader expects of each input file (the same lists the readers check)."""
    return {
        "parks": readers.PARK_COLUMNS,
        "evaluations": readers.EVALUATION_COLUMNS,
        "monthly": readers.monthly_columns(sheet.monthly_fields),
        "targets": readers.TARGET_COLUMNS,
        "ratings": readers.RATING_COLUMNS,
        "events": readers.EVENT_COLUMNS,
        "applicants": readers.APPLICANT_COLUMNS,
    }[role]


def _year_range(key: str, column: Column, year: int | None) -> tuple[float | None, float | None]:
    # with --year YEAR a folder holds data up to YEAR: earlier months feed growth rates (第十六条), earlier
    # results the ledger (第二十四条); nothing is certified, reported or evaluated after it
    lo, hi = column.min, column.max
    if year is not None and key in ("year", "round", "certified_year"):
        hi = year
    return lo, hi


def describe(role: str, column: Column, sheet: Sheet, policy: Policy, year: int | None) -> dict[str, object]:
    """One line of the 填写说明 sheet and what the data sheet enforces for the column."""
    key = column.name
    if role == "monthly" and key in sheet.monthly_fields:
        field = sheet.monthly_fields[key]
        aggregation = labels.TEMPLATE_AGGREGATION.get(field.aggregation, field.aggregation)
        meaning = labels.TEMPLATE_MONTHLY_MEANING.format(name=field.name, aggregation=aggregation)
        unit, article = field.unit, "第十六条"
    else:
        _, meaning, unit, article = labels.INPUT_COLUMN.get(key, (key, "", "", ""))
    choices: Sequence[str] | None = None
    values = ""
    if key == "district":
        choices = list(policy.region_map())
        values = labels.TEMPLATE_VALUES_DISTRICT.format(n=len(choices))
    elif key == "indicator" and role in INDICATOR_METHODS:
        items = sheet.by_method(*INDICATOR_METHODS[role])
        choices = [ind.id for ind in items]
        values = labels.TEMPLATE_VALUES_LIST.format(values="、".join(f"{i.id}({i.name})" for i in items))
    elif key in CHOICES:
        choices = CHOICES[key]
        values = labels.TEMPLATE_VALUES_LIST.format(values="、".join(choices))
    elif column.kind == "bool":
        choices = YES_NO
        values = labels.TEMPLATE_VALUES_YES_NO
    lo, hi = _year_range(key, column, year)
    if choices is None and column.kind in ("int", "float"):
        if lo is not None and hi is not None:
            values = labels.TEMPLATE_VALUES_RANGE.format(lo=f"{lo:g}", hi=f"{hi:g}")
        elif lo is not None:
            values = labels.TEMPLATE_VALUES_MIN.format(lo=f"{lo:g}")
    return {
        "header": header_label(column), "key": key, "meaning": meaning, "unit": unit, "article": article,
        "required": column.required and not column.allow_empty, "values": values, "choices": choices,
        "min": lo, "max": hi,
    }  # fmt: skip


def write_templates(
    out: str | Path,
    policy: Policy,
    *,
    year: int | None = None,
    sheet_path: str | Path | None = None,
    force: bool = False,
) -> list[Path]:
    """Write ``OUT/<role>.xlsx`` for every input file; existing ones are replaced only with ``force``.

    All are written into a private folder first and moved in together (io/publish.py).
    """
    sheet = load_sheet(sheet_path, total_points=policy["evaluation.total_points"])
    names = [f"{role}.xlsx" for role in ROLES]
    with output_files(out, names, force=force) as tmp:
        for role in ROLES:
            _workbook(role, sheet, policy, year).save(tmp / f"{role}.xlsx")
    return [Path(out) / n for n in names]


def _workbook(role: str, sheet: Sheet, policy: Policy, year: int | None):
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter, quote_sheetname
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = role_columns(role, sheet)
    lines = [describe(role, c, sheet, policy, year) for c in columns]
    book = Workbook()
    data = book.active
    data.title = labels.INPUT_ROLE[role]
    guide = book.create_sheet(labels.TEMPLATE_GUIDE_SHEET)
    lists = book.create_sheet(labels.TEMPLATE_LISTS_SHEET)
    lists.sheet_state = "hidden"

    header_fill = PatternFill("solid", fgColor="DDEBF7")
    example_font = Font(italic=True, color="808080")
    last = FIRST_DATA_ROW + VALIDATED_ROWS
    for j, (column, line) in enumerate(zip(columns, lines, strict=True), start=1):
        letter = get_column_letter(j)
        head = data.cell(row=1, column=j, value=line["header"])
        head.font = Font(bold=True)
        head.fill = header_fill
        note = "；".join(
            str(x) for x in (line["meaning"], line["unit"], line["article"], line["values"]) if x
        )
        head.comment = Comment(f"{line['key']}：{note}", "hrpark")
        data.cell(row=2, column=j, value=line["key"])
        example = labels.TEMPLATE_EXAMPLE_VALUES.get(line["key"], "")
        if line["key"] in ("year", "round", "certified_year"):
            example = "" if year is None else year - (line["key"] == "certified_year")
        if line["key"] == "indicator" and line["choices"]:
            example = line["choices"][0]
        if role == "monthly" and line["key"] in sheet.monthly_fields:
            example = 100
        if j == 1:
            example = labels.TEMPLATE_EXAMPLE_MARK.format(value=example)
        cell = data.cell(row=FIRST_DATA_ROW, column=j, value=example if example != "" else None)
        cell.font = example_font
        data.column_dimensions[letter].width = max(10, min(40, 2 * len(str(line["header"])) + 4))
        # "General" for figures: Excel saves a CSV as displayed, so a fixed "0.00" would round 0.825 away;
        # "@" (text) keeps ids such as 001 and words as typed
        number_format = {"int": "0", "float": "General"}.get(column.kind, "@")
        for row in range(FIRST_DATA_ROW + 1, FIRST_DATA_ROW + 200):
            data.cell(row=row, column=j).number_format = number_format  # the first rows people type into
        rule = _validation(line, column, lists, j, quote_sheetname, get_column_letter, DataValidation)
        if rule is not None:
            data.add_data_validation(rule)
            rule.add(f"{letter}{FIRST_DATA_ROW + 1}:{letter}{last}")
    data.row_dimensions[2].hidden = True
    data.freeze_panes = "B3" if role in ("monthly", "targets", "ratings", "events") else "A3"

    for text in labels.TEMPLATE_GUIDE_INTRO:
        guide.append([text.format(role=labels.INPUT_ROLE[role])])
    guide.append([])
    guide.append(list(labels.TEMPLATE_GUIDE_COLUMNS))
    header_row = guide.max_row
    for cell in guide[header_row]:
        cell.font = Font(bold=True)
        cell.fill = header_fill
    for line in lines:
        guide.append([line["header"], line["key"], line["meaning"], line["unit"], line["article"],
                      labels.TEMPLATE_REQUIRED[bool(line["required"])], line["values"]])  # fmt: skip
    for letter, width in zip("ABCDEFG", (22, 26, 50, 10, 22, 8, 50), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=header_row + 1):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return book


def _validation(line, column: Column, lists, j: int, quote_sheetname, get_column_letter, DataValidation):
    """Excel's data validation for one column: a drop-down list, a whole number or a decimal in range."""
    message = labels.TEMPLATE_INVALID.format(values=line["values"] or line["meaning"])
    kwargs = {"allow_blank": True, "showErrorMessage": True, "errorTitle": line["header"], "error": message}
    if line["choices"]:
        letter = get_column_letter(j)
        for i, value in enumerate(line["choices"], start=1):
            lists.cell(row=i, column=j, value=value)
        ref = f"{quote_sheetname(labels.TEMPLATE_LISTS_SHEET)}!${letter}$1:${letter}${len(line['choices'])}"
        if line["key"] == "district":  # 渝北区 and 渝北 are both right (第四条): the list only proposes
            kwargs["errorStyle"] = "warning"
        return DataValidation(type="list", formula1=ref, **kwargs)
    if column.kind in ("int", "float") and line["min"] is not None:
        kind = "whole" if column.kind == "int" else "decimal"
        if line["max"] is not None:
            return DataValidation(type=kind, operator="between", formula1=f"{line['min']:g}",
                                  formula2=f"{line['max']:g}", **kwargs)  # fmt: skip
        return DataValidation(type=kind, operator="greaterThanOrEqual", formula1=f"{line['min']:g}", **kwargs)
    return None
