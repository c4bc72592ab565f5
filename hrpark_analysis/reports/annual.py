"""The annual evaluation report's content (第十九条–第二十五条): every table and chart the notebook shows.

The notebook ``notebooks/annual_evaluation.ipynb`` only calls :func:`build` and displays what it returns;
all numbers come from the ledger (``ledger.build``), so the report's totals are the ledger's by construction.
Tables carry Chinese headers (``labels.COLUMN``) because they go straight into the HTML and the XLSX.
The appendix's 规则与条款 is written from the policy actually applied (:func:`rules_table`): a reform's report
states the reform's numbers, never the 2021 text's next to them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis import __version__, labels, userfiles
from hrpark_analysis.engine import ledger
from hrpark_analysis.law import text
from hrpark_analysis.law.policy import Policy
from hrpark_analysis.law.text import chinese_numeral


def _number(value: float) -> str:
    return f"{value:g}"


def _percent(share: float) -> str:
    """0.3 -> ``30%``, 0.125 -> ``12.5%`` (six significant digits: 0.29 × 100 prints as 29)."""
    return f"{share * 100:g}%"


def _years(n: int) -> str:
    """2 -> ``两年`` as the text writes it (第二十五条(二) 连续两年), 3 -> ``三年``."""
    return labels.YEARS.get(n) or labels.YEARS_N.format(n=chinese_numeral(n))


def rule_values(policy: Policy) -> dict[str, str]:
    """The numbers and readings of ``labels.ANNUAL_RULES``, in words, from the policy applied."""
    pass_mark = _number(policy["grading.pass_mark"])
    unqualified = (
        labels.UNQUALIFIED_AT_OR_BELOW if policy["grading.pass_mark_inclusive"] else labels.UNQUALIFIED_BELOW
    ).format(pass_mark=pass_mark)
    if policy["grading.veto_enabled"]:
        unqualified += "；" + labels.VETO_RULE
    offset = policy["evaluation.first_evaluation_offset"]
    ratio, by_district = (
        policy["subsidy.district_match_ratio"],
        policy["subsidy.district_match_ratio_by_district"],
    )
    match = labels.DISTRICT_MATCH_RATIO.format(ratio=_number(ratio)) if ratio else labels.DISTRICT_MATCH_NONE
    if by_district:
        match += labels.DISTRICT_MATCH_BY_DISTRICT.format(n=len(by_district))
    factors = policy.section("subsidy")["grade_factor"]
    factor_rule = (
        labels.GRADE_FACTOR_RULE.format(**{g: _number(f) for g, f in factors.items()})
        if any(f != 1 for f in factors.values())
        else ""
    )
    schedule = policy["subsidy.base_schedule"]
    return {
        "schedule_years": _years(len(schedule)),
        "grade_factor": factor_rule,
        "base_schedule": "/".join(_number(v) for v in schedule),
        "base_cap": _number(policy["subsidy.base_cap"]),
        "district_match": match,
        "first_evaluation": labels.FIRST_EVALUATION.get(offset)
        or labels.FIRST_EVALUATION_LATER.format(offset=offset),
        "excellent_share": _percent(policy["grading.excellent_share"]),
        "unqualified": unqualified,
        "excellent_bonus": _number(policy["subsidy.excellent_bonus"]),
        "revoke_years": _years(policy["consequences.revoke_after_unqualified_years"]),
    }


def rules_table(policy: Policy) -> pd.DataFrame:
    """附录 规则与条款: each rule the report applies, with its article, stated with the policy's own numbers,
    and the words of that article quoted from the shipped text (``law/text.py``)."""
    values = rule_values(policy)
    rows = [(article, rule.format(**values), where, quote_article(article))
            for article, rule, where in labels.ANNUAL_RULES]  # fmt: skip
    return pd.DataFrame(rows, columns=[*labels.ANNUAL_RULES_COLUMNS, labels.QUOTE_COLUMN])


def quote_article(article: str) -> str:
    """The words of ``第十一条`` / ``第二十五条(一)`` or of a run ``第二十一条–第二十三条`` (every article in it)."""
    first, _, last = article.partition("–")
    if not last:
        return text.resolve(first)
    reg = text.load()
    lo, hi = (text.numeral(part.strip()[1:-1]) for part in (first, last))
    return "\n".join(reg.article(n).text for n in range(lo, hi + 1))


@dataclass(frozen=True)
class AnnualReport:
    """All tables of one year's report (Chinese headers) plus the raw frames charts need."""

    year: int
    evaluation: ledger.Evaluation
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    graded: pd.DataFrame = field(default_factory=pd.DataFrame)  # this year's parks: scores, grades, payments


def data_files_table(files) -> pd.DataFrame:
    """附录 数据文件: each input file's name and sha256, as every report lists them."""
    return pd.DataFrame([{"文件": Path(f).name, "SHA-256": userfiles.sha256(f)} for f in files])


def _zh(df: pd.DataFrame, extra: dict[str, str] | None = None) -> pd.DataFrame:
    out = df.copy()
    for col, mapping in (("region", labels.REGION), ("grade", labels.GRADE), ("status", labels.STATUS),
                         ("kind", labels.KIND)):  # fmt: skip
        if col in out:
            out[col] = out[col].map(lambda v, m=mapping: m.get(v, v) if isinstance(v, str) else "")
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map(labels.YES_NO)
    return out.rename(columns={**labels.COLUMN, **(extra or {})}).reset_index(drop=True)


def build(
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    policy: Policy,
    year: int,
    *,
    scores: pd.DataFrame | None = None,
    indicator_names: dict[str, str] | None = None,
    files: list[Path] | None = None,
    parameters: dict[str, Any] | None = None,
) -> AnnualReport:
    """第十九条–第二十五条: the year's evaluation, grades, consequences and payments from the ledger."""
    evaluation = ledger.build(parks, evaluations, policy, end_year=year)
    grades = evaluation.grades[evaluation.grades["year"] == year]
    book = evaluation.ledger
    this_year = book[book["year"] == year]
    info = parks[["park_id", "name", "district", "region", "kind", "online_offline", "certified_year"]]

    graded = info.merge(grades, on="park_id").merge(
        this_year[["park_id", "status", "base_due", "base_paid", "pending", "cancelled", "bonus",
                   "cumulative_paid", "district_match", "rectified", "revoked_this_year"]],
        on="park_id",
    )  # fmt: skip
    graded = graded.sort_values(["rank", "park_id"]).reset_index(drop=True)
    year_row = evaluation.years.set_index("year").loc[year]
    excellent_scores = graded.loc[graded["grade"] == "excellent", "score"]
    summary = {
        "year": year,
        "n_participants": int(year_row["n_participants"]),
        "cap": int(year_row["cap"]),
        "n_excellent": int(year_row["n_excellent"]),
        "n_qualified": int((graded["grade"] == "qualified").sum()),
        "n_unqualified": int(year_row["n_unqualified"]),
        "n_veto": int(year_row["n_veto"]),
        "cap_binding": int((graded["grade"] != "unqualified").sum()) > int(year_row["cap"]),
        "cap_exceeded": bool(year_row["cap_exceeded"]),
        "ties_excluded": bool(year_row["ties_excluded"]),
        "lowest_excellent_score": float(excellent_scores.min()) if len(excellent_scores) else None,
        "pass_mark": policy["grading.pass_mark"],
        "excellent_share": policy["grading.excellent_share"],
        "municipal_base_paid": float(this_year["base_paid"].sum()),
        "municipal_bonus": float(this_year["bonus"].sum()),
        "pending": float(this_year["pending"].sum()),
        "cancelled": float(this_year["cancelled"].sum()),
        "district_match": float(this_year["district_match"].sum()),
        "n_revoked_this_year": int(this_year["revoked_this_year"].sum()),
    }

    tables: dict[str, pd.DataFrame] = {}
    # 概况: participants by region and kind
    participants = graded.assign(
        region=graded["region"].map(labels.REGION),
        kind=graded["kind"].map(lambda k: labels.KIND.get(k, labels.KIND_MISSING)),
    )
    overview = pd.crosstab(
        participants["region"], participants["kind"], margins=True, margins_name=labels.TOTAL
    )
    overview = overview.reindex([*(r for r in labels.REGION.values() if r in overview.index), labels.TOTAL])
    overview.index.name = labels.REGION_HEADER
    overview.columns.name = None
    tables["参评园区概况"] = overview.reset_index()
    tables["政策参数"] = _zh(
        policy.table()[["key", "value", "unit", "description", "reference", "assumption"]]
    )

    # 得分: score table with indicators, subtotals, total, rank
    score_cols = ["park_id", "name", "region"]
    indicator_cols: list[str] = []
    base_scores = graded
    if scores is not None:
        indicator_cols = [c for c in scores.columns if c not in {"park_id", "year", "score", "veto",
                          *labels.DIMENSION}]  # fmt: skip
        base_scores = graded.merge(scores[["park_id", *indicator_cols]], on="park_id", how="left")
    dims = [c for c in labels.DIMENSION if base_scores[c].notna().any()]
    table = base_scores[[*score_cols, *indicator_cols, *dims, "score", "rank", "grade", "veto"]]
    tables["得分表"] = _zh(table, indicator_names)

    # 等次
    for grade in ("excellent", "qualified", "unqualified"):
        part = graded[graded["grade"] == grade][["park_id", "name", "region", "score", "rank", "veto"]]
        tables[f"{labels.GRADE[grade]}名单"] = _zh(part)

    # 结果运用 (第二十五条)
    bonus = graded[graded["bonus"] > 0][["park_id", "name", "score", "bonus"]]
    tables["优秀奖励"] = _zh(bonus)
    rectify = graded[graded["grade"] == "unqualified"].copy()
    rectify["outcome"] = np.select(
        [rectify["revoked_this_year"], rectify["rectified"] == 1, rectify["rectified"] == 0],
        [
            labels.RECTIFY_OUTCOME["revoked"].format(revoke_years=rule_values(policy)["revoke_years"]),
            labels.RECTIFY_OUTCOME["rectified"],
            labels.RECTIFY_OUTCOME["not_rectified"],
        ],
        default=labels.RECTIFY_OUTCOME["pending"],
    )
    tables["整改与处理"] = _zh(
        rectify[["park_id", "name", "score", "veto", "base_due", "pending", "cancelled", "outcome"]],
        {"outcome": labels.ANNUAL_COLUMN["outcome"]},
    )

    # 资金 (第十一条, 第十三条)
    # every park with a ledger row this year: newly certified parks are paid 认定首年 without an evaluation
    amounts = ["base_due", "base_paid", "bonus", "pending", "cancelled", "district_match"]
    payable = this_year[(this_year["status"] == "active") | (this_year[amounts].sum(axis=1) > 0)]
    funds = (
        info[["park_id", "name", "district"]]
        .merge(payable[["park_id", *amounts, "cumulative_paid"]], on="park_id")
        .sort_values("park_id", ignore_index=True)
    )
    cap = policy["subsidy.base_cap"]
    base_to_date = book[book["year"] <= year].groupby("park_id")["base_paid"].sum()
    funds["base_to_date"] = funds["park_id"].map(base_to_date)
    funds["cap_room"] = cap - funds["base_to_date"]
    total = funds.drop(columns=["park_id", "name", "district"]).sum().to_frame().T
    total.insert(0, "park_id", labels.TOTAL)
    total.insert(1, "name", "")
    total.insert(2, "district", "")
    tables["资金拨付"] = _zh(
        pd.concat([funds, total], ignore_index=True),
        {
            "base_to_date": labels.ANNUAL_COLUMN["base_to_date"],
            "cap_room": labels.ANNUAL_COLUMN["cap_room"].format(base_cap=_number(cap)),
        },
    )
    history = book[book["year"] <= year].pivot_table(
        index="year", values=["base_paid", "bonus", "pending", "cancelled", "district_match"], aggfunc="sum"
    )
    history["municipal_total"] = history["base_paid"] + history["bonus"]
    tables["历年资金"] = _zh(
        history.reset_index(), {"municipal_total": labels.ANNUAL_COLUMN["municipal_total"]}
    )
    tables["园区台账"] = _zh(book[book["year"] <= year][[*ledger.LEDGER_COLUMNS, "district_match"]])

    # 附录
    tables["规则与条款"] = rules_table(policy)
    tables["假设"] = _zh(policy.assumptions()[["key", "value", "description", "reference", "reason"]])
    if files:
        tables["数据文件"] = data_files_table(files)
    tables["版本与参数"] = pd.DataFrame(
        # Only this package's version: the other versions vary by machine and are in the report's
        # manifest.json, so the committed notebook stays an nbval baseline.
        [{"项目": "hrpark_analysis", "取值": __version__},
         *({"项目": f"参数 {k}", "取值": str(v)} for k, v in (parameters or {}).items())]
    )  # fmt: skip
    return AnnualReport(year=year, evaluation=evaluation, summary=summary, tables=tables, graded=graded)


def sheet_table(sheet) -> pd.DataFrame:
    """第二十一条/第二十三条: the evaluation sheet's indicators with Chinese headers, for the report."""
    return sheet.table().rename(columns=labels.SHEET_COLUMN)


def park_sheets(report: AnnualReport, scores: pd.DataFrame, sheet) -> dict[str, pd.DataFrame]:
    """第二十三条(二): each park's own 得分表 — indicator, dimension, full points and points scored."""
    indicators = [ind for ind in sheet.indicators if ind.id in scores.columns]
    col = {**labels.SHEET_COLUMN, **labels.PARK_SHEET_COLUMN}
    frame = pd.DataFrame({
        col["id"]: [ind.id for ind in indicators],
        col["name"]: [ind.name for ind in indicators],
        col["dimension"]: [labels.DIMENSION.get(ind.dimension_column, ind.dimension) for ind in indicators],
        col["weight"]: [ind.weight for ind in indicators],
    })  # fmt: skip
    by_park = scores.set_index("park_id")
    out = {}
    for row in report.graded.itertuples():
        if row.park_id not in by_park.index:
            continue
        points = by_park.loc[row.park_id, [ind.id for ind in indicators]].to_numpy(dtype=float)
        sheet_frame = frame.assign(**{col["points"]: points})
        title = labels.PARK_SHEET_TOTAL.format(name=row.name, rank=row.rank, grade=labels.GRADE[row.grade])
        total = pd.DataFrame([{col["id"]: labels.TOTAL, col["name"]: title, col["dimension"]: "",
                               col["weight"]: frame[col["weight"]].sum(), col["points"]: row.score}])  # fmt: skip
        park_sheet = pd.concat([sheet_frame, total], ignore_index=True)
        # The sheet name may be cut to Excel's 31 characters; A1 and the 说明 index carry the full id (issue 12).
        park_sheet.attrs = {"park_id": str(row.park_id),
                            "title": labels.PARK_SHEET_TITLE.format(park_id=row.park_id, name=row.name)}  # fmt: skip
        out[labels.PARK_SHEET_NAME.format(park_id=row.park_id)] = park_sheet
    return out


# --- 摘要: the year at a glance and what changed since last year --------------------------------------------
def _year_figures(report: AnnualReport, year: int) -> dict[str, float] | None:
    """The key counts and amounts of one year from the ledger (None if the ledger has no such year)."""
    years = report.evaluation.years.set_index("year")
    book = report.evaluation.ledger
    rows = book[book["year"] == year]
    if year not in years.index and rows.empty:
        return None
    grades = report.evaluation.grades
    graded = grades[grades["year"] == year]
    return {
        "参评园区(个)": int((graded["grade"] != "").sum()) if len(graded) else 0,
        "优秀(个)": int((graded["grade"] == "excellent").sum()),
        "合格(个)": int((graded["grade"] == "qualified").sum()),
        "不合格(个)": int((graded["grade"] == "unqualified").sum()),
        "市级拨付合计(万元)": float(rows["base_paid"].sum() + rows["bonus"].sum()),
        "其中基础补助(万元)": float(rows["base_paid"].sum()),
        "其中优秀奖励(万元)": float(rows["bonus"].sum()),
        "暂缓拨付(万元)": float(rows["pending"].sum()),
        "取消的补助(万元)": float(rows["cancelled"].sum()),
        "区县配套(万元)": float(rows["district_match"].sum()),
        "取消授牌(个)": int(rows["revoked_this_year"].sum()),
    }


def key_figures(report: AnnualReport) -> pd.DataFrame:
    """摘要 主要数字: this year's counts and money beside last year's and the change (第二十四条, 第二十五条,
    第十一条), all from the ledger. Last year's columns are left out when the ledger starts this year."""
    now = _year_figures(report, report.year)
    before = _year_figures(report, report.year - 1)
    frame = pd.DataFrame({"项目": list(now), f"{report.year}年": list(now.values())})
    if before is not None:
        frame[f"{report.year - 1}年"] = list(before.values())
        frame["增减"] = frame[f"{report.year}年"] - frame[f"{report.year - 1}年"]
    return frame


def grade_changes(report: AnnualReport) -> pd.DataFrame:
    """摘要 等次变化: the parks whose grade differs from last year's (a first evaluation counts as 未评估 → …)."""
    grades = report.evaluation.grades
    now = grades[grades["year"] == report.year][["park_id", "score", "grade"]]
    before = grades[grades["year"] == report.year - 1][["park_id", "score", "grade"]]
    both = now.merge(before, on="park_id", how="left", suffixes=("", "_before"))
    both["grade_before"] = both["grade_before"].fillna("")
    changed = both[both["grade"] != both["grade_before"]]
    names = report.graded.set_index("park_id")["name"]
    order = {"excellent": 0, "qualified": 1, "unqualified": 2}
    changed = changed.assign(order=changed["grade"].map(order)).sort_values(["order", "park_id"])
    return pd.DataFrame({
        labels.COLUMN["park_id"]: changed["park_id"].to_numpy(),
        labels.COLUMN["name"]: changed["park_id"].map(names).to_numpy(),
        f"{report.year - 1}年得分": changed["score_before"].to_numpy(dtype=float),
        f"{report.year - 1}年等次": changed["grade_before"].map(labels.GRADE).to_numpy(),
        f"{report.year}年得分": changed["score"].to_numpy(dtype=float),
        f"{report.year}年等次": changed["grade"].map(labels.GRADE).to_numpy(),
    })  # fmt: skip


def grade_list(report: AnnualReport, grade: str) -> str:
    """``甲园区(P01，88.20分)、乙园区(…)``: the parks of one grade this year, in rank order, for the 摘要."""
    g = report.graded[report.graded["grade"] == grade]
    veto = "，" + labels.COLUMN.get("veto", "一票否决")
    return "、".join(f"{row.name}({row.park_id}，{row.score:.2f}分{veto if row.veto else ''})"
                    for row in g.itertuples()) or "无"  # fmt: skip
