"""The annual evaluation report's content (第十九条–第二十五条): every table and chart the notebook shows.

The notebook ``notebooks/annual_evaluation.ipynb`` only calls :func:`build` and displays what it returns;
all numbers come from the ledger (``ledger.build``), so the report's totals are the ledger's by construction.
Tables carry Chinese headers (``labels.COLUMN``) because they go straight into the HTML and the XLSX.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis import __version__, labels
from hrpark_analysis.engine import ledger
from hrpark_analysis.law.policy import Policy

# The rules the report applies, with the article each implements (the appendix lists them).
RULES = [
    ("第四条", "一区两群区域划分", "regions.regions_of"),
    ("第十一条", "基础补助分三年拨付(150/100/50)，累计不超过300万元", "subsidy.step"),
    ("第十三条", "区县配套补助资金", "ledger.district_match_ratios"),
    ("第二十条", "每年评估一次；认定次年起参加评估", "ledger.build"),
    ("第二十一条–第二十三条", "经济发展、作用发挥、运营管理三方面量化评分", "scoring.score_year"),
    ("第二十四条", "优秀不超过参评园区总数的30%；60分以下直接确定为不合格", "grading.grade_scores"),
    ("第二十五条(一)", "年度优秀增加补助资金10万元", "subsidy.step"),
    ("第二十五条(二)", "不合格限期整改；整改后仍不合格取消当年补助；连续两年不合格取消授牌", "subsidy.step"),
]


@dataclass(frozen=True)
class AnnualReport:
    """All tables of one year's report (Chinese headers) plus the raw frames charts need."""

    year: int
    evaluation: ledger.Evaluation
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    graded: pd.DataFrame = field(default_factory=pd.DataFrame)  # this year's parks: scores, grades, payments


def sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _zh(df: pd.DataFrame, extra: dict[str, str] | None = None) -> pd.DataFrame:
    out = df.copy()
    for col, mapping in (("region", labels.REGION), ("grade", labels.GRADE), ("status", labels.STATUS),
                         ("kind", labels.KIND)):  # fmt: skip
        if col in out:
            out[col] = out[col].map(lambda v, m=mapping: m.get(v, v) if isinstance(v, str) else "")
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map({True: "是", False: "否"})
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
        kind=graded["kind"].map(lambda k: labels.KIND.get(k, "未填")),
    )
    overview = pd.crosstab(participants["region"], participants["kind"], margins=True, margins_name="合计")
    overview = overview.reindex([*(r for r in labels.REGION.values() if r in overview.index), "合计"])
    overview.index.name = "区域"
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
        ["连续两年不合格，取消授牌", "整改合格，拨付当年补助", "整改后仍不合格，取消当年补助"],
        default="限期整改中，当年补助暂缓拨付",
    )
    tables["整改与处理"] = _zh(
        rectify[["park_id", "name", "score", "veto", "base_due", "pending", "cancelled", "outcome"]],
        {"outcome": "处理结果"},
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
    total.insert(0, "park_id", "合计")
    total.insert(1, "name", "")
    total.insert(2, "district", "")
    tables["资金拨付"] = _zh(
        pd.concat([funds, total], ignore_index=True),
        {"base_to_date": "累计基础补助(万元)", "cap_room": f"距{cap:g}万元上限(万元)"},
    )
    history = book[book["year"] <= year].pivot_table(
        index="year", values=["base_paid", "bonus", "pending", "cancelled", "district_match"], aggfunc="sum"
    )
    history["municipal_total"] = history["base_paid"] + history["bonus"]
    tables["历年资金"] = _zh(history.reset_index(), {"municipal_total": "市级拨付合计(万元)"})
    tables["园区台账"] = _zh(book[book["year"] <= year][[*ledger.LEDGER_COLUMNS, "district_match"]])

    # 附录
    tables["规则与条款"] = pd.DataFrame(RULES, columns=["条款", "规则", "实现"])
    tables["假设"] = _zh(policy.assumptions()[["key", "value", "description", "reference", "reason"]])
    if files:
        tables["数据文件"] = pd.DataFrame([{"文件": Path(f).name, "SHA-256": sha256(f)} for f in files])
    tables["版本与参数"] = pd.DataFrame(
        # Only this package's version: the other versions vary by machine and are in the report's
        # manifest.json, so the committed notebook stays an nbval baseline.
        [{"项目": "hrpark_analysis", "取值": __version__},
         *({"项目": f"参数 {k}", "取值": str(v)} for k, v in (parameters or {}).items())]
    )  # fmt: skip
    return AnnualReport(year=year, evaluation=evaluation, summary=summary, tables=tables, graded=graded)


def score_chart(report: AnnualReport, *, sample: bool = True):
    """得分分布: a histogram of this year's scores with the pass mark and the 优秀 boundary."""
    from matplotlib.ticker import MaxNLocator

    from hrpark_analysis.reports import charts

    fig, ax = charts.new_figure(8, 4)
    g = report.graded
    bins = np.arange(np.floor(g["score"].min() / 5) * 5, 101, 2.5)
    order = ("unqualified", "qualified", "excellent")
    ax.hist(
        [g.loc[g["grade"] == grade, "score"] for grade in order], bins=bins, stacked=True,
        color=[charts.GRADE_COLORS[grade] for grade in order], label=[labels.GRADE[grade] for grade in order],
    )  # fmt: skip
    s = report.summary
    charts.reference_line(ax, x=s["pass_mark"], label=f"合格线 {s['pass_mark']:g} 分")
    if s["lowest_excellent_score"] is not None:
        charts.reference_line(ax, x=s["lowest_excellent_score"],
                              label=f"优秀边界({s['excellent_share']:.0%} 名额，{s['cap']} 个)", color="#2e7d32")  # fmt: skip
    charts.style_axes(ax, f"{report.year} 年绩效评估得分分布", "得分", "园区数")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.legend(loc="upper left")
    if sample:
        charts.mark_sample(ax)
    return fig


def dimension_chart(report: AnnualReport, *, sample: bool = True):
    """维度得分: each park's three subtotals (第二十一条) as stacked bars, in rank order."""
    from hrpark_analysis.reports import charts

    g = report.graded
    dims = [c for c in labels.DIMENSION if g[c].notna().any()]
    fig, ax = charts.new_figure(10, 4.5)
    bottom = np.zeros(len(g))
    colors = ["#5c6bc0", "#26a69a", "#ffa726"]
    for dim, color in zip(dims, colors, strict=False):
        ax.bar(g["name"], g[dim], bottom=bottom, label=labels.DIMENSION[dim], color=color)
        bottom += g[dim].fillna(0).to_numpy()
    ax.tick_params(axis="x", labelrotation=90, labelsize=8)
    charts.style_axes(ax, f"{report.year} 年各园区分项得分(按名次排列)", None, "得分")
    if dims:
        ax.legend(loc="upper right", bbox_to_anchor=(1, 0.9))
    if sample:
        charts.mark_sample(ax)
    return fig


SHEET_COLUMNS = {
    "id": "指标代码",
    "name": "指标名称",
    "dimension": "评估内容",
    "weight": "分值",
    "unit": "单位",
    "source": "数据来源",
    "method": "计分方法",
    "params": "计分参数",
    "reference": "依据",
}


def sheet_table(sheet) -> pd.DataFrame:
    """第二十一条/第二十三条: the evaluation sheet's indicators with Chinese headers, for the report."""
    return sheet.table().rename(columns=SHEET_COLUMNS)


def park_sheets(report: AnnualReport, scores: pd.DataFrame, sheet) -> dict[str, pd.DataFrame]:
    """第二十三条(二): each park's own 得分表 — indicator, dimension, full points and points scored."""
    indicators = [ind for ind in sheet.indicators if ind.id in scores.columns]
    frame = pd.DataFrame({
        "指标代码": [ind.id for ind in indicators],
        "指标名称": [ind.name for ind in indicators],
        "评估内容": [labels.DIMENSION.get(ind.dimension_column, ind.dimension) for ind in indicators],
        "分值": [ind.weight for ind in indicators],
    })  # fmt: skip
    by_park = scores.set_index("park_id")
    out = {}
    for row in report.graded.itertuples():
        if row.park_id not in by_park.index:
            continue
        points = by_park.loc[row.park_id, [ind.id for ind in indicators]].to_numpy(dtype=float)
        sheet_frame = frame.assign(得分=points)
        total = pd.DataFrame([{"指标代码": "合计", "指标名称": f"{row.name}(名次 {row.rank}，{labels.GRADE[row.grade]})",
                               "评估内容": "", "分值": frame["分值"].sum(), "得分": row.score}])  # fmt: skip
        out[f"得分表-{row.park_id}"] = pd.concat([sheet_frame, total], ignore_index=True)
    return out
