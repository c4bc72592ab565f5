"""Every input file: its columns and row checks, read into a clean, typed frame.

Rule and engine modules take the frames these functions return and never open a file; every error here
names the file, the row as the user sees it (header = row 1) and the column.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from hrpark_analysis import labels
from hrpark_analysis.errors import InputError
from hrpark_analysis.io.tables import ROW, Column, load, parse_table, read_table
from hrpark_analysis.law.policy import DIMENSION_COLUMNS, Policy
from hrpark_analysis.law.sheet import MonthlyField, Sheet
from hrpark_analysis.rules.eligibility import FACTS, QUANTITATIVE
from hrpark_analysis.rules.procedure import MATERIALS
from hrpark_analysis.rules.regions import regions_of

KIND_WORDS = {
    "综合性": "comprehensive", "综合": "comprehensive", "comprehensive": "comprehensive",
    "专业性": "specialized", "专业": "specialized", "specialized": "specialized",
}  # fmt: skip

PARK_COLUMNS = [
    Column("park_id"),
    Column("name"),
    Column("district"),
    Column("certified_year", "int", min=2000, max=2100),
    Column("kind", required=False, allow_empty=True),
    Column("online_offline", "bool", required=False, allow_empty=True),
]

EVALUATION_COLUMNS = [
    Column("park_id"),
    Column("year", "int", min=2000, max=2100),
    Column("score", "float", min=0, max=100),
    Column("veto", "bool", required=False, allow_empty=True),
    Column("rectified", "bool", required=False, allow_empty=True),
    *[Column(c, "float", required=False, allow_empty=True, min=0, max=100) for c in DIMENSION_COLUMNS],
]

EVALUATION_FIELDS = ["park_id", "year", "score", "veto", "rectified", *DIMENSION_COLUMNS]
SUFFIXES = (".csv", ".xlsx")
MONTHLY_KEYS = ["park_id", "year", "month"]
TARGET_COLUMNS = [
    Column("park_id"),
    Column("year", "int", min=2000, max=2100),
    Column("indicator"),
    Column("target", "float"),
]
RATING_COLUMNS = [
    Column("park_id"),
    Column("year", "int", min=2000, max=2100),
    Column("indicator"),
    Column("rating", "float"),
    Column("expert", required=False, allow_empty=True),
]
EVENT_COLUMNS = [
    Column("park_id"),
    Column("year", "int", min=2000, max=2100),
    Column("indicator"),
    Column("count", "int", min=0),
    Column("note", required=False, allow_empty=True),
]
APPLICANT_COLUMNS = [
    Column("applicant_id"),
    Column("name"),
    Column("district"),
    Column("online_offline", "bool"),
    *[Column(col, "float", min=0) for _, col, _ in QUANTITATIVE],
    *[Column(col, "bool") for col in FACTS],
    # 第九条/第十条, all optional (empty = not yet known): read by ``hrpark applications``.
    *[Column(f"material_{m}", "bool", required=False, allow_empty=True) for m in MATERIALS],
    Column("expert_review", required=False, allow_empty=True),
    Column("publicity_objection", required=False, allow_empty=True),
    Column("round", "int", required=False, allow_empty=True, min=2000, max=2100),
]
# The words of the two outcome columns (empty = not yet known) and what each means.
OUTCOME_WORDS = {
    "expert_review": (labels.EXPERT_WORDS, "pass(通过) / fail(未通过) / 空(尚未评审)"),
    "publicity_objection": (labels.OBJECTION_WORDS, "upheld(异议成立) / none(无异议) / 空(公示未结束)"),
}


def with_regions(frame: pd.DataFrame, policy: Policy, file: str | Path) -> pd.DataFrame:
    """第四条: add ``district`` (short form) and ``region``; an unknown district names its row."""
    short, region, unknown = regions_of(frame["district"], policy)
    if unknown.any():
        i = int(np.argmax(unknown))
        raise InputError(
            f"未知的区县 {frame['district'].iloc[i]!r}(应为重庆市38个区县或两江新区、重庆高新区、万盛经开区)",
            file=file, row=int(frame[ROW].iloc[i]), column="district",
        )  # fmt: skip
    out = frame.copy()
    out["district"] = short
    out["region"] = region
    return out


def read_parks(path: str | Path, policy: Policy) -> pd.DataFrame:
    """PARKS: ``park_id, name, district, certified_year`` required; ``kind``, ``online_offline`` optional."""
    parks = load(path, PARK_COLUMNS, unique=["park_id"])
    parks = with_regions(parks, policy, path)
    kinds = []
    for value, row in zip(parks["kind"], parks[ROW], strict=True):
        if value is None:
            kinds.append(None)
        elif value.lower() in KIND_WORDS:
            kinds.append(KIND_WORDS[value.lower()])
        else:
            raise InputError(
                f"园区类型应为 综合性 或 专业性(第三条)，实际为 {value!r}", file=path, row=row, column="kind"
            )
    parks["kind"] = kinds
    parks["online_offline"] = parks["online_offline"].fillna(0).astype(bool)
    parks["certified_year"] = parks["certified_year"].astype(int)
    return parks


def read_evaluations(path: str | Path) -> pd.DataFrame:
    """EVALS: ``park_id, year, score``; optional ``veto``, ``rectified`` (empty = not yet known), subtotals."""
    evals = load(path, EVALUATION_COLUMNS, unique=["park_id", "year"])
    evals["year"] = evals["year"].astype(int)
    evals["veto"] = evals["veto"].fillna(0).astype(bool)
    return evals


def read_applicants(path: str | Path, policy: Policy) -> pd.DataFrame:
    """The applicants file of ``hrpark eligibility``, checked and with each applicant's region (第四条)."""
    applicants = load(path, APPLICANT_COLUMNS, unique=["applicant_id"])
    applicants = with_regions(applicants, policy, path)
    for col in ["online_offline", *FACTS]:
        applicants[col] = applicants[col].astype(bool)
    for col, (words, allowed) in OUTCOME_WORDS.items():
        text = applicants[col].map(lambda v: None if pd.isna(v) else str(v).strip().lower())
        bad = text.notna() & ~text.isin(words.keys())
        _check_rows(applicants, bad, Path(path), col,
                    lambda r, c=col, a=allowed: f"应为 {a}，实际为 {r[c]!r}")  # fmt: skip
        applicants[col] = text.map(words).astype(float)  # 1 / 0 / NaN (not yet known)
    return applicants


# --- the monthly reports (第十六条)
def monthly_columns(fields: Iterable[str]) -> list[Column]:
    """The monthly file's columns: ``park_id, year, month`` and one non-negative figure per sheet field."""
    return [
        Column("park_id"),
        Column("year", "int", min=2000, max=2100),
        Column("month", "int", min=1, max=12),
        *[Column(name, "float", min=0) for name in fields],
    ]


def read_monthly(
    path: str | Path, fields: Mapping[str, MonthlyField], park_ids: Iterable[str]
) -> pd.DataFrame:
    """第十六条: the monthly reports, checked where they enter.

    Errors name the row and column: a month outside 1–12, a negative figure, a month reported twice for the
    same park (the second row is named), a park that is not in the parks file.
    """
    frame = load(path, monthly_columns(fields), unique=MONTHLY_KEYS)
    known = set(park_ids)
    unknown = ~frame["park_id"].isin(known)
    if unknown.any():
        bad = frame[unknown].iloc[0]
        raise InputError(f"园区 {bad['park_id']} 不在园区名单中(月报只能报送已认定的园区)", file=path,
                         row=int(bad[ROW]), column="park_id")  # fmt: skip
    frame["year"] = frame["year"].astype(int)
    frame["month"] = frame["month"].astype(int)
    return frame


def certification_months(
    parks: pd.DataFrame, *, default_certified_month: int, file: str | Path
) -> np.ndarray:
    """第十六条: the month each park was certified (the optional ``certified_month`` column of the parks
    file, else the sheet's ``default_certified_month``); reports are due from that month on."""
    if "certified_month" not in parks.columns:
        return np.full(len(parks), default_certified_month, dtype=int)
    column = parks["certified_month"]
    if not pd.api.types.is_numeric_dtype(column):  # text cells as read from the file: check them
        spec = Column("certified_month", "int", required=False, allow_empty=True, min=1, max=12)
        text = column.map(lambda v: "" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v))
        column = parse_table(pd.DataFrame({"certified_month": text, ROW: parks[ROW]}), [spec], file)[
            "certified_month"
        ]
    return column.fillna(default_certified_month).to_numpy(dtype=int)


# --- finding and reading the files ------------------------------------------------------------------------
def find_table(data_dir: Path, stem: str, *, required: bool) -> Path | None:
    """``DIR/stem.csv`` or ``DIR/stem.xlsx``; both present is ambiguous, none is an error if required."""
    found = [data_dir / f"{stem}{suffix}" for suffix in SUFFIXES if (data_dir / f"{stem}{suffix}").exists()]
    if len(found) > 1:
        raise InputError(f"同时存在 {found[0].name} 和 {found[1].name}，无法确定使用哪一个", file=data_dir)
    if not found:
        if required:
            raise InputError(f"数据文件夹缺少 {stem}.csv(或 {stem}.xlsx)", file=data_dir / f"{stem}.csv")
        return None
    return found[0]


def _load_maybe_empty(path: Path, columns: list[Column]) -> pd.DataFrame:
    """Like ``tables.load``, but a file with only its header is an empty table (no events this year)."""
    raw = read_table(path)
    if raw.empty:
        missing = [c.name for c in columns if c.required and c.name not in raw.columns]
        if missing:
            raise InputError("缺少必需的列", file=path, column=", ".join(missing))
        return pd.DataFrame({**{c.name: pd.Series(dtype=object) for c in columns}, ROW: pd.Series(dtype=int)})
    return parse_table(raw, columns, path)


def _check_rows(frame: pd.DataFrame, bad: pd.Series, path: Path, column: str, message) -> None:
    """Raise for the first flagged row; ``message(row)`` words it."""
    if bad.any():
        row = frame[bad].iloc[0]
        raise InputError(message(row), file=path, row=int(row[ROW]), column=column)


def _check_keys(frame: pd.DataFrame, path: Path, park_ids, indicators: Mapping[str, str], kind: str) -> None:
    _check_rows(frame, ~frame["park_id"].isin(set(park_ids)), path, "park_id",
                lambda r: f"园区 {r['park_id']} 不在园区名单中")  # fmt: skip
    _check_rows(
        frame, ~frame["indicator"].isin(indicators.keys()), path, "indicator",
        lambda r: f"指标 {r['indicator']!r} 不是得分表中{kind}的指标(可用: {', '.join(indicators) or '无'})",
    )  # fmt: skip


def read_targets(path: str | Path, sheet: Sheet, park_ids) -> pd.DataFrame:
    """第十四条: the year's operating targets per park and ratio_to_target indicator; a target must be > 0."""
    path = Path(path)
    frame = load(path, TARGET_COLUMNS, unique=["park_id", "year", "indicator"])
    allowed = {ind.id: ind.name for ind in sheet.by_method("ratio_to_target")}
    _check_keys(frame, path, park_ids, allowed, "按目标完成率(ratio_to_target)计分")
    _check_rows(frame, frame["target"] <= 0, path, "target",
                lambda r: f"目标值应大于 0(第十四条 年度运营发展目标；完成率无法以 0 为分母)，实际为 {r['target']:g}")  # fmt: skip
    frame["year"] = frame["year"].astype(int)
    return frame


def read_ratings(path: str | Path, sheet: Sheet, park_ids) -> pd.DataFrame:
    """第二十二条(三): expert ratings, in points (0..weight) or 0–1 as the indicator's ``scale`` says."""
    path = Path(path)
    frame = load(path, RATING_COLUMNS, unique=["park_id", "year", "indicator", "expert"])
    rated = {ind.id: ind for ind in sheet.by_method("rating")}
    _check_keys(frame, path, park_ids, {k: v.name for k, v in rated.items()}, "专家评分(rating)")
    upper = frame["indicator"].map(
        {k: (v.weight if v.params["scale"] == "points" else 1.0) for k, v in rated.items()}
    )

    def message(r) -> str:
        ind = rated[r["indicator"]]
        scale = f"按分值评分(0–{ind.weight:g} 分)" if ind.params["scale"] == "points" else "按 0–1 评分"
        return f"指标 {ind.id}({ind.name}){scale}，评分超出范围: {r['rating']:g}"

    _check_rows(frame, (frame["rating"] < 0) | (frame["rating"] > upper), path, "rating", message)
    frame["year"] = frame["year"].astype(int)
    return frame


def read_events(path: str | Path, sheet: Sheet, park_ids) -> pd.DataFrame:
    """第二十一条(三) / 第二十四条: events counted by deduction and veto items (several rows per item add up)."""
    path = Path(path)
    frame = _load_maybe_empty(path, EVENT_COLUMNS)
    allowed = {ind.id: ind.name for ind in sheet.by_method("deduction", "veto")}
    _check_keys(frame, path, park_ids, allowed, "扣分或一票否决(deduction/veto)")
    frame["year"] = frame["year"].astype(int)
    frame["count"] = frame["count"].astype(float)
    return frame


def read_past_evaluations(path: Path | None, year: int) -> pd.DataFrame:
    """第二十四条: past results (``hrpark evaluate``'s evaluations file) for the years before YEAR."""
    if path is None or read_table(path).empty:
        return _empty_evaluations()
    evals = read_evaluations(path)
    return evals[evals["year"] < year].reset_index(drop=True)


def rectification_outcomes(path: Path | None, year: int) -> pd.Series:
    """第二十五条(二): YEAR's rectification outcomes, when the bureau has recorded them.

    YEAR's score comes from the data, but whether an unqualified park rectified in time is only known
    later: a row for YEAR in the evaluations file with ``rectified`` filled in carries that outcome (its
    score is ignored). Without it the year's base subsidy of an unqualified park stays pending.
    """
    if path is None or read_table(path).empty:
        return pd.Series(dtype=float)
    evals = read_evaluations(path)
    rows = evals[(evals["year"] == year) & evals["rectified"].notna()]
    return rows.set_index("park_id")["rectified"].astype(float)


def _empty_evaluations() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in EVALUATION_FIELDS})
    frame["park_id"] = frame["park_id"].astype(object)
    frame["year"] = frame["year"].astype(int)
    frame["veto"] = frame["veto"].astype(bool)
    frame[ROW] = pd.Series(dtype=int)
    return frame
