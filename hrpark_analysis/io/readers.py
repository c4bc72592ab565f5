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
from hrpark_analysis.io.problems import Problems
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
    Column("certified_month", "int", required=False, allow_empty=True, min=1, max=12),  # 第十六条
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


def _check_rows(
    frame: pd.DataFrame, bad, path: str | Path, column: str, message, problems: Problems | None = None
) -> None:
    """Every flagged row is a problem; ``message(row)`` words it. Cells already found wrong are not
    repeated. Without ``problems`` they are raised at once."""
    own = problems is None
    problems = Problems() if problems is None else problems
    bad = np.asarray(bad, dtype=bool)
    for _, row in frame[bad].iterrows():
        if problems.flagged(path, int(row[ROW]), column):
            continue
        value = row[column] if column in row.index else None
        problems.add(InputError(message(row), file=path, row=int(row[ROW]), column=column,
                                sheet=frame.attrs.get("sheet"),
                                value=None if value is None or pd.isna(value) else str(value)))  # fmt: skip
    if own:
        problems.raise_any()


def with_regions(
    frame: pd.DataFrame, policy: Policy, file: str | Path, problems: Problems | None = None
) -> pd.DataFrame:
    """第四条: add ``district`` (short form) and ``region``; an unknown district names its row."""
    short, region, unknown = regions_of(frame["district"], policy)
    _check_rows(
        frame, unknown & frame["district"].notna().to_numpy(), file, "district",
        lambda r: f"未知的区县 {r['district']!r}(应为重庆市38个区县或两江新区、重庆高新区、万盛经开区)",
        problems,
    )  # fmt: skip
    out = frame.copy()
    out["district"] = short
    out["region"] = region
    return out


def read_parks(path: str | Path, policy: Policy, problems: Problems | None = None) -> pd.DataFrame:
    """PARKS: ``park_id, name, district, certified_year`` required; ``certified_month``, ``kind``,
    ``online_offline`` optional. Headers may be the Chinese ones of the template (labels.INPUT_COLUMN)."""
    own = problems is None
    problems = Problems() if problems is None else problems
    parks = load(path, PARK_COLUMNS, unique=["park_id"], role="parks", problems=problems)
    parks = with_regions(parks, policy, path, problems)
    kind = parks["kind"].map(lambda v: None if v is None else KIND_WORDS.get(str(v).lower(), ""))
    _check_rows(parks, (kind == "").to_numpy(), path, "kind",
                lambda r: f"园区类型应为 综合性 或 专业性(第三条)，实际为 {r['kind']!r}", problems)  # fmt: skip
    parks["kind"] = kind.replace("", None)
    parks["online_offline"] = parks["online_offline"].fillna(0).astype(bool)
    if own:
        problems.raise_any()
    parks["certified_year"] = parks["certified_year"].fillna(0).astype(int)
    return parks


def read_evaluations(
    path: str | Path, problems: Problems | None = None, *, empty_ok: bool = False
) -> pd.DataFrame:
    """EVALS: ``park_id, year, score``; optional ``veto``, ``rectified`` (empty = not yet known), subtotals."""
    evals = load(path, EVALUATION_COLUMNS, unique=["park_id", "year"], role="evaluations", problems=problems,
                 empty_ok=empty_ok)  # fmt: skip
    evals["year"] = evals["year"].fillna(0).astype(int)
    evals["veto"] = evals["veto"].fillna(0).astype(bool)
    return evals


def read_applicants(path: str | Path, policy: Policy, problems: Problems | None = None) -> pd.DataFrame:
    """The applicants file of ``hrpark eligibility``, checked and with each applicant's region (第四条)."""
    own = problems is None
    problems = Problems() if problems is None else problems
    applicants = load(path, APPLICANT_COLUMNS, unique=["applicant_id"], role="applicants", problems=problems)
    applicants = with_regions(applicants, policy, path, problems)
    for col, (words, allowed) in OUTCOME_WORDS.items():
        text = applicants[col].map(lambda v: None if pd.isna(v) else str(v).strip().lower())
        bad = text.notna() & ~text.isin(words.keys())
        _check_rows(applicants, bad, Path(path), col,
                    lambda r, c=col, a=allowed: f"应为 {a}，实际为 {r[c]!r}", problems)  # fmt: skip
        applicants[col] = text.map(words).astype(float)  # 1 / 0 / NaN (not yet known)
    if own:
        problems.raise_any()
    for col in ["online_offline", *FACTS]:
        applicants[col] = applicants[col].fillna(0).astype(bool)
    return applicants


# --- the monthly reports (第十六条)
def monthly_columns(fields: Iterable[str] | Mapping[str, MonthlyField]) -> list[Column]:
    """The monthly file's columns: ``park_id, year, month`` and one non-negative figure per sheet field.

    A figure's Chinese header is the sheet's name and unit (labels.MONTHLY_HEADER), or its name alone.
    """

    def figure(key: str) -> Column:
        field = fields[key] if isinstance(fields, Mapping) else None
        if not isinstance(field, MonthlyField):
            return Column(key, "float", min=0)
        label = labels.MONTHLY_HEADER.format(name=field.name, unit=field.unit)
        return Column(key, "float", min=0, aliases=(label, field.name))

    return [
        Column("park_id"),
        Column("year", "int", min=2000, max=2100),
        Column("month", "int", min=1, max=12),
        *[figure(key) for key in fields],
    ]


def check_known_parks(
    frame: pd.DataFrame,
    park_ids: Iterable[str] | None,
    path: str | Path,
    problems: Problems | None,
    note: str = "",
) -> None:
    """Every row of a park that is not in the parks file is a problem (None: the parks file was unreadable)."""
    if park_ids is None:
        return
    known = set(park_ids)
    unknown = frame["park_id"].notna() & ~frame["park_id"].isin(known)
    _check_rows(
        frame, unknown, path, "park_id", lambda r: f"园区 {r['park_id']} 不在园区名单中{note}", problems
    )


def read_monthly(
    path: str | Path,
    fields: Mapping[str, MonthlyField],
    park_ids: Iterable[str] | None,
    problems: Problems | None = None,
) -> pd.DataFrame:
    """第十六条: the monthly reports, checked where they enter.

    Errors name the row and column: a month outside 1–12, a negative figure, a month reported twice for the
    same park (the second row is named), a park that is not in the parks file.
    """
    own = problems is None
    problems = Problems() if problems is None else problems
    frame = load(path, monthly_columns(fields), unique=MONTHLY_KEYS, role="monthly", problems=problems)
    check_known_parks(frame, park_ids, path, problems, "(月报只能报送已认定的园区)")
    if own:
        problems.raise_any()
    frame["year"] = frame["year"].fillna(0).astype(int)
    frame["month"] = frame["month"].fillna(0).astype(int)
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


def _load_maybe_empty(path: Path, columns: list[Column], role: str, problems: Problems) -> pd.DataFrame:
    """Like ``tables.load``, but a file with only its header is an empty table (no events this year)."""
    return parse_table(read_table(path, role), columns, path, problems, empty_ok=True)


def _check_keys(
    frame: pd.DataFrame, path: Path, park_ids, indicators: Mapping[str, str], kind: str, problems: Problems
) -> None:
    check_known_parks(frame, park_ids, path, problems)
    _check_rows(
        frame, frame["indicator"].notna() & ~frame["indicator"].isin(indicators.keys()), path, "indicator",
        lambda r: f"指标 {r['indicator']!r} 不是得分表中{kind}的指标(可用: {', '.join(indicators) or '无'})",
        problems,
    )  # fmt: skip


def _finish(frame: pd.DataFrame, own: bool, problems: Problems) -> pd.DataFrame:
    if own:
        problems.raise_any()
    frame["year"] = frame["year"].fillna(0).astype(int)
    return frame


def read_targets(path: str | Path, sheet: Sheet, park_ids, problems: Problems | None = None) -> pd.DataFrame:
    """第十四条: the year's operating targets per park and ratio_to_target indicator; a target must be > 0."""
    path, own = Path(path), problems is None
    problems = Problems() if problems is None else problems
    frame = load(path, TARGET_COLUMNS, unique=["park_id", "year", "indicator"], role="targets",
                 problems=problems)  # fmt: skip
    allowed = {ind.id: ind.name for ind in sheet.by_method("ratio_to_target")}
    _check_keys(frame, path, park_ids, allowed, "按目标完成率(ratio_to_target)计分", problems)
    _check_rows(frame, frame["target"] <= 0, path, "target",
                lambda r: f"目标值应大于 0(第十四条 年度运营发展目标；完成率无法以 0 为分母)，实际为 {r['target']:g}",
                problems)  # fmt: skip
    return _finish(frame, own, problems)


def read_ratings(path: str | Path, sheet: Sheet, park_ids, problems: Problems | None = None) -> pd.DataFrame:
    """第二十二条(三): expert ratings, in points (0..weight) or 0–1 as the indicator's ``scale`` says."""
    path, own = Path(path), problems is None
    problems = Problems() if problems is None else problems
    frame = load(path, RATING_COLUMNS, unique=["park_id", "year", "indicator", "expert"], role="ratings",
                 problems=problems)  # fmt: skip
    rated = {ind.id: ind for ind in sheet.by_method("rating")}
    _check_keys(frame, path, park_ids, {k: v.name for k, v in rated.items()}, "专家评分(rating)", problems)
    upper = frame["indicator"].map(
        {k: (v.weight if v.params["scale"] == "points" else 1.0) for k, v in rated.items()}
    )

    def message(r) -> str:
        ind = rated[r["indicator"]]
        scale = f"按分值评分(0–{ind.weight:g} 分)" if ind.params["scale"] == "points" else "按 0–1 评分"
        return f"指标 {ind.id}({ind.name}){scale}，评分超出范围: {r['rating']:g}"

    _check_rows(frame, (frame["rating"] < 0) | (frame["rating"] > upper), path, "rating", message, problems)
    return _finish(frame, own, problems)


def read_events(path: str | Path, sheet: Sheet, park_ids, problems: Problems | None = None) -> pd.DataFrame:
    """第二十一条(三) / 第二十四条: events counted by deduction and veto items (several rows per item add up)."""
    path, own = Path(path), problems is None
    problems = Problems() if problems is None else problems
    frame = _load_maybe_empty(path, EVENT_COLUMNS, "events", problems)
    allowed = {ind.id: ind.name for ind in sheet.by_method("deduction", "veto")}
    _check_keys(frame, path, park_ids, allowed, "扣分或一票否决(deduction/veto)", problems)
    frame = _finish(frame, own, problems)
    frame["count"] = frame["count"].astype(float)
    return frame


def read_results(path: Path | None, problems: Problems | None = None) -> pd.DataFrame:
    """第二十四条: a data folder's evaluations file (past results, and rectification outcomes), all years.

    No file, or one with no data rows (only its header, or an unfilled template), means no results yet.
    """
    if path is None:
        return _empty_evaluations()
    evals = read_evaluations(path, problems, empty_ok=True)
    return _empty_evaluations() if evals.empty else evals


def rectification_outcomes(evaluations: pd.DataFrame, year: int) -> pd.Series:
    """第二十五条(二): YEAR's rectification outcomes, when the bureau has recorded them.

    YEAR's score comes from the data, but whether an unqualified park rectified in time is only known
    later: a row for YEAR in the evaluations file (as :func:`read_evaluations` read it) with ``rectified``
    filled in carries that outcome (its score is ignored). Without it the year's base subsidy of an
    unqualified park stays pending.
    """
    rows = evaluations[(evaluations["year"] == year) & evaluations["rectified"].notna()]
    return rows.set_index("park_id")["rectified"].astype(float)


def _empty_evaluations() -> pd.DataFrame:
    frame = pd.DataFrame({c: pd.Series(dtype=float) for c in EVALUATION_FIELDS})
    frame["park_id"] = frame["park_id"].astype(object)
    frame["year"] = frame["year"].astype(int)
    frame["veto"] = frame["veto"].astype(bool)
    frame[ROW] = pd.Series(dtype=int)
    return frame


def read_parks_and_evaluations(
    parks_path: str | Path, evaluations_path: str | Path, policy: Policy
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``hrpark evaluate``/``explain``'s two files, read together: every problem of both (and evaluations of
    parks missing from the parks file) is raised at once."""
    problems = Problems()
    parks = evals = None
    with problems.collecting():
        parks = read_parks(parks_path, policy, problems)
    with problems.collecting():
        evals = read_evaluations(evaluations_path, problems)
        ids = None if parks is None else parks["park_id"].dropna()
        check_known_parks(evals, ids, evaluations_path, problems)
    problems.raise_any()
    return parks, evals
