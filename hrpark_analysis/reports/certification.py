"""The certification report's content (第四条, 第八条–第十一条, 第二十五条(一)): every table and chart it shows.

``notebooks/certification.ipynb`` calls :func:`build` and displays what it returns. The stages come from
``engine.certification.round_of`` (the same function as ``hrpark applications``), the existing parks'
commitments from the ledger (``engine.ledger.build``), so the report agrees with both commands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis import __version__, labels
from hrpark_analysis.engine import certification, ledger
from hrpark_analysis.law.policy import Policy
from hrpark_analysis.reports.annual import _number, _years, data_files_table
from hrpark_analysis.rules import eligibility

QUANTITATIVE = [name for name, _, _ in eligibility.QUANTITATIVE]
NUMBERS = [param for _, _, param in eligibility.QUANTITATIVE] + [
    "regional_relaxation",
    "online_area_relaxation",
]


@dataclass(frozen=True)
class CertificationReport:
    """All tables of one round's report (Chinese headers) plus the frames its charts draw."""

    year: int
    round: certification.Round
    summary: dict[str, Any]
    grid: pd.DataFrame  # eligible applicants per (regional, online) relaxation factor
    balance: pd.DataFrame  # 第四条: parks per region before / after
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)


def _zh(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    for col, mapping in (("region", labels.REGION), ("stage", labels.STAGE), ("rejected_at", labels.REJECTED_AT),
                         ("relaxation_needed", labels.RELAXATION_NEEDED)):  # fmt: skip
        if col in out:
            out[col] = out[col].map(lambda v, m=mapping: m.get(v, v) if isinstance(v, str) else "")
    for col in out.columns:
        if out[col].dtype == bool:
            out[col] = out[col].map(labels.YES_NO)
    return out.rename(columns={**labels.COLUMN, **labels.CERTIFICATION_COLUMN}).reset_index(drop=True)


def relaxation_applied(applicants: pd.DataFrame, policy: Policy) -> np.ndarray:
    """第八条 末段: the relaxation each applicant's thresholds were computed with, in words."""
    rules = eligibility.rule_arguments(policy)
    regional = np.isin(applicants["region"].to_numpy(), rules["relaxed_regions"]) & (
        rules["regional_relaxation"] != 1
    )
    online = applicants["online_offline"].to_numpy(dtype=bool) & (rules["online_area_relaxation"] != 1)
    reg_text = labels.RELAXATION_APPLIED_REGIONAL.format(factor=_number(rules["regional_relaxation"]))
    onl_text = labels.RELAXATION_APPLIED_ONLINE.format(factor=_number(rules["online_area_relaxation"]))
    return np.select(
        [regional & online, regional, online], [f"{reg_text}；{onl_text}", reg_text, onl_text],
        default=labels.RELAXATION_APPLIED_NONE,
    ).astype(object)  # fmt: skip


def conditions_table(applicants: pd.DataFrame, assessed: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """第八条: every condition per applicant — yes/no facts met, quantitative margins (actual / threshold − 1)."""
    out = pd.DataFrame({"applicant_id": assessed["applicant_id"], "name": applicants["name"].to_numpy(),
                        "region": assessed["region"]})  # fmt: skip
    for name, (clause, text) in labels.CONDITION.items():
        header = f"{clause} {text}"
        if name in QUANTITATIVE:
            margin = assessed[f"margin_{name}"].to_numpy(dtype=float)
            out[f"{header} 差距(%)"] = np.round(margin * 100, 1)  # actual / threshold − 1, in percent
        else:
            out[header] = assessed[f"met_{name}"].map(labels.YES_NO).to_numpy()
    out["relaxation_applied"] = relaxation_applied(applicants, policy)
    out["eligible"] = assessed["eligible"].to_numpy(dtype=bool)
    return _zh(out)


def thresholds_table(policy: Policy) -> pd.DataFrame:
    """第八条 末段: the thresholds for each kind of applicant (no relaxation, regional, online, both)."""
    rules = eligibility.rule_arguments(policy)
    relaxed = rules["relaxed_regions"][0] if rules["relaxed_regions"] else "main_city"
    region = np.array(["main_city", relaxed, "main_city", relaxed], dtype=object)
    online = np.array([False, False, True, True])
    limits = eligibility.thresholds(region, online, **rules)
    out = pd.DataFrame({"申报类型": labels.THRESHOLD_KINDS})
    for name, (clause, text) in labels.CONDITION.items():
        if name in QUANTITATIVE:
            out[f"{clause} {text}"] = [_number(v) for v in limits[name]]
    return out


def rules_table(policy: Policy) -> pd.DataFrame:
    """附录 规则与条款: the rules this report applies, stated with the policy's own numbers."""
    rules = eligibility.rule_arguments(policy)
    schedule = policy["subsidy.base_schedule"]
    values = {
        **{k: _number(rules[k]) for k in NUMBERS},
        "relaxed_regions": "、".join(labels.REGION[r] for r in rules["relaxed_regions"]) or "(无)",
        "combine": labels.COMBINE.get(rules["relaxations_combine"], rules["relaxations_combine"]),
        "materials": "、".join(labels.MATERIAL[m][0] for m in certification.required_materials(policy)),
        "base_schedule": "/".join(_number(v) for v in schedule),
        "schedule_years": _years(len(schedule)),
        "base_cap": _number(policy["subsidy.base_cap"]),
        "excellent_bonus": _number(policy["subsidy.excellent_bonus"]),
        "first_evaluation": _number(policy["evaluation.first_evaluation_offset"]),
    }
    rows = [(a, rule.format(**values), where) for a, rule, where in labels.CERTIFICATION_RULES]
    return pd.DataFrame(rows, columns=list(labels.ANNUAL_RULES_COLUMNS))


def build(
    applicants: pd.DataFrame,
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    policy: Policy,
    year: int,
    *,
    applicants_file: str | Path,
    factors: list[float],
    files: list[Path] | None = None,
    parameters: dict[str, Any] | None = None,
    forecast: dict[str, int] | None = None,
) -> CertificationReport:
    """The round of YEAR: stages, 第八条 margins, relaxations, cost beside the ledger, 一区两群 balance.

    ``forecast`` (``horizon``, ``paths``, ``seed``; ``paths`` 0 = none) adds the multi-year forecast of the
    municipal outlay with and without the round (:func:`engine.certification.forecast_with_round`).
    """
    rnd = certification.round_of(applicants, policy, file=applicants_file)
    apps = rnd.applications
    evaluation = ledger.build(parks, evaluations, policy, end_year=year)
    certified = apps["stage"].to_numpy() == "certified"
    grid = certification.relaxation_grid(applicants, policy, factors)
    balance = certification.region_balance(parks, evaluation, apps["region"].to_numpy()[certified], policy)
    costs = certification.commitments(evaluation, parks, rnd.new_parks, policy, year)
    needed = certification.relaxation_needed(applicants, policy)

    tables: dict[str, pd.DataFrame] = {}
    tables["申报与阶段"] = _zh(apps)
    tables["认定条件与差距"] = conditions_table(applicants, rnd.eligibility, policy)
    tables["适用门槛"] = thresholds_table(policy)
    thanks = pd.DataFrame({"applicant_id": apps["applicant_id"], "name": apps["name"], "region": apps["region"],
                           "online_offline": applicants["online_offline"].to_numpy(dtype=bool),
                           "relaxation_needed": needed, "stage": apps["stage"]})  # fmt: skip
    tables["因放宽而符合条件"] = _zh(thanks[~np.isin(needed, ["none", "ineligible"])])
    sweep = grid.copy()
    sweep.columns = [f"线上+线下 × {_number(c)}" for c in grid.columns]
    sweep.insert(0, "地区放宽系数", [_number(r) for r in grid.index])
    tables["放宽系数与符合条件数"] = sweep.reset_index(drop=True)
    shown = costs.astype({"existing_bonus": object})
    shown.loc[shown["existing_bonus"].isna(), "existing_bonus"] = ""  # later years' grades are not known
    tables["认定成本与在册园区承诺"] = _zh(shown)
    if forecast and forecast.get("paths"):  # where asked: the forecast with and without this round
        projected = certification.forecast_with_round(parks, evaluations, rnd, policy, year, **forecast)
        tables["多年预测"] = _zh(projected)
    tables["一区两群布局"] = _zh(balance)
    tables["新认定园区"] = rnd.new_parks.rename(columns={**labels.COLUMN, **labels.CERTIFICATION_COLUMN})

    tables["规则与条款"] = rules_table(policy)
    tables["假设"] = _zh(policy.assumptions()[["key", "value", "description", "reference", "reason"]])
    if files:
        tables["数据文件"] = data_files_table(files)
    tables["版本与参数"] = pd.DataFrame(
        [{"项目": "hrpark_analysis", "取值": __version__},
         *({"项目": f"参数 {k}", "取值": str(v)} for k, v in (parameters or {}).items())]
    )  # fmt: skip
    stages = apps["stage"].value_counts()
    summary = {
        "n_applicants": len(apps),
        "n_eligible": int(apps["eligible"].sum()),
        **{f"n_{s}": int(stages.get(s, 0)) for s in ("submitted", "assessed", "certified", "rejected")},
        "n_relaxed_only": int((~np.isin(needed, ["none", "ineligible"])).sum()),
        "first_year_cost": float(costs["new_base"].iloc[0]),
        "round_cost_base": float(costs["new_base"].sum()),
        "round_cost_bonus_max": float(costs["new_bonus_max"].sum()),
    }
    return CertificationReport(year, rnd, summary, grid, balance, tables)


def grid_chart(report: CertificationReport, *, sample: bool = True):
    """第八条 末段: eligible applicants as the two relaxation factors run over the grid (a heat map)."""
    from hrpark_analysis.reports import charts

    grid = report.grid
    fig, ax = charts.new_figure(7, 5)
    image = ax.imshow(grid.to_numpy(), cmap="Blues", origin="lower", aspect="auto", vmin=0)
    ax.set_xticks(range(len(grid.columns)), [_number(c) for c in grid.columns])
    ax.set_yticks(range(len(grid.index)), [_number(r) for r in grid.index])
    top = grid.to_numpy().max()
    for (i, j), n in np.ndenumerate(grid.to_numpy()):
        ax.text(j, i, str(n), ha="center", va="center", color="white" if n > top / 2 else "#212121")
    charts.style_axes(ax, "放宽系数与符合第八条条件的申报数", "“线上+线下”面积放宽系数(online_area_relaxation)",
                      "地区放宽系数(regional_relaxation)", grid=None)  # fmt: skip
    fig.colorbar(image, ax=ax, label="符合条件的申报数")
    if sample:
        charts.mark_sample(ax)
    return fig


def balance_chart(report: CertificationReport, *, sample: bool = True):
    """第四条: municipal parks per region of 一区两群, before and after the round."""
    from hrpark_analysis.reports import charts

    b = report.balance
    fig, ax = charts.new_figure(8, 4)
    x = np.arange(len(b))
    ax.bar(x - 0.2, b["before"], width=0.4, color="#90caf9", label="本轮前")
    ax.bar(x + 0.2, b["after"], width=0.4, color="#1565c0", label="本轮后")
    for xi, (n0, n1) in enumerate(zip(b["before"], b["after"], strict=True)):
        ax.text(xi - 0.2, n0, str(n0), ha="center", va="bottom")
        ax.text(xi + 0.2, n1, str(n1), ha="center", va="bottom")
    ax.set_xticks(x, [labels.REGION[r] for r in b["region"]])
    charts.style_axes(ax, "一区两群园区布局(第四条)", None, "市级园区数")
    ax.legend(loc="upper center")
    if sample:
        charts.mark_sample(ax)
    return fig
