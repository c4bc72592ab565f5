"""The subsidy forecast report's content (issue 6): every table ``notebooks/subsidy_forecast.ipynb`` shows
(its charts are in ``reports/forecast_charts.py``).

The notebook runs the forecast (:func:`hrpark_analysis.engine.forecast.forecast` on a loaded data folder, exactly
what ``forecast_dataset`` does) and hands the :class:`~hrpark_analysis.engine.forecast.Forecast` to :func:`build`,
which shapes it into tables with Chinese headers (``labels.FORECAST_*``) for the HTML and the XLSX. Every
number is read from the forecast's runs and summary tables, so the report equals the library by construction.

What drives the outlay
    :func:`existing_parks_run` applies the baseline policy once more to the same random draws, with every
    new certification removed. The outlay then splits path by path into what the parks certified by the base
    year cost and what the new certifications add — their own 第十一条 payments and their effect on the
    others through the 30% cap of 第二十四条 (more participants, more 优秀 places).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis import __version__, labels
from hrpark_analysis.engine import forecast as fc
from hrpark_analysis.law.policy import Policy
from hrpark_analysis.reports.annual import data_files_table, rule_values

STATS = {"mean": "均值", "p5": "P5", "p50": "P50", "p95": "P95"}


@dataclass(frozen=True)
class ForecastReport:
    """All tables of a forecast report (Chinese headers) plus the raw pieces the charts need."""

    forecast: fc.Forecast
    existing: fc.Run  # the baseline on the same draws without new certifications
    history: pd.DataFrame  # the ledger's yearly totals up to the base year (English columns, as MEASURES)
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)

    @property
    def years(self) -> np.ndarray:
        return self.forecast.baseline.years


# --- pieces ------------------------------------------------------------------------------------------------
def existing_parks_run(result: fc.Forecast) -> fc.Run:
    """The baseline policy on the forecast's own draws with no new certification (module docstring).

    The draws are made again from ``config.seed``, which reproduces them exactly (``forecast.draw``), so the
    forecast must have been run without an ``rng`` of its own.
    """
    draws = fc.draw(result.start, result.model, result.config)
    draws = dataclasses.replace(draws, arrivals=np.zeros_like(draws.arrivals))
    return fc.project(result.start, draws, result.baseline.policy, result.config)


def history_totals(start: fc.Start) -> pd.DataFrame:
    """The ledger's totals per year up to the base year, named like ``forecast.MEASURES``."""
    columns = ["year", "base_paid", "bonus", "outlay", "pending", "cancelled", "district_match", "active",
               "revoked", "newly_revoked", "n_evaluated", "n_excellent", "n_qualified", "n_unqualified"]  # fmt: skip
    if start.history is None:
        return pd.DataFrame(columns=columns)
    book = start.history.ledger
    year = book["year"]
    grade = book["grade"]
    totals = pd.DataFrame({
        "base_paid": book["base_paid"].groupby(year).sum(),
        "bonus": book["bonus"].groupby(year).sum(),
        "pending": book["pending"].groupby(year).sum(),
        "cancelled": book["cancelled"].groupby(year).sum(),
        "district_match": book["district_match"].groupby(year).sum(),
        "active": (book["status"] == "active").groupby(year).sum(),
        "revoked": (book["status"] == "revoked").groupby(year).sum(),
        "newly_revoked": book["revoked_this_year"].groupby(year).sum(),
        "n_evaluated": book["evaluated"].groupby(year).sum(),
        "n_excellent": (grade == "excellent").groupby(year).sum(),
        "n_qualified": (grade == "qualified").groupby(year).sum(),
        "n_unqualified": (grade == "unqualified").groupby(year).sum(),
    })  # fmt: skip
    totals["outlay"] = totals["base_paid"] + totals["bonus"]
    return totals.rename_axis("year").reset_index()[columns]


def split_label(measure: str) -> tuple[str, str]:
    """``"市级支出合计(万元)"`` -> ``("市级支出合计", "(万元)")``."""
    label = labels.FORECAST_MEASURE[measure]
    name, sep, unit = label.partition("(")
    return name, sep + unit


def _stat_column(measure: str, stat: str) -> str:
    name, unit = split_label(measure)
    return f"{name}{STATS[stat]}{unit}"


def wide(
    summary: pd.DataFrame, columns: Sequence[tuple[str, str]], scenario: str = "baseline"
) -> pd.DataFrame:
    """One row per year: the ``(measure, stat)`` columns of one scenario, headed like ``市级支出合计P5(万元)``."""
    part = summary[summary["scenario"] == scenario]
    out = pd.DataFrame({labels.FORECAST_COLUMN["year"]: np.sort(part["year"].unique())})
    for measure, stat in columns:
        values = part[part["measure"] == measure].set_index("year")[stat]
        out[_stat_column(measure, stat)] = values.reindex(out[labels.FORECAST_COLUMN["year"]]).to_numpy()
    return out


def format_value(value: Any) -> str:
    if value is None:
        return "(不设)"
    if isinstance(value, Mapping):
        return "，".join(f"{labels.REGION.get(k, k)} {v:g}" if isinstance(v, float | int) else f"{k} {v}"
                        for k, v in value.items())  # fmt: skip
    if isinstance(value, tuple | list):
        return ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def config_table(config: fc.ForecastConfig) -> pd.DataFrame:
    """预测情景: the scenario and model parameters the forecast ran with (``labels.FORECAST_CONFIG``)."""
    shown = [name for name in labels.FORECAST_CONFIG
             if not (name == "arrival_counts" and config.arrivals != "fixed")
             and not (name == "arrival_rate" and config.arrivals != "poisson")]  # fmt: skip
    col = labels.FORECAST_COLUMN
    return pd.DataFrame({
        col["parameter"]: shown,
        col["value"]: [format_value(getattr(config, name)) for name in shown],
        col["description"]: [labels.FORECAST_CONFIG[name] for name in shown],
    })  # fmt: skip


def model_table(model: fc.ScoreModel) -> pd.DataFrame:
    """评分模型: φ, σ, m, τ and the derived stationary sd, in words."""
    col = labels.FORECAST_COLUMN
    rows = [
        ("phi", "φ", model.phi, "得分偏离园区效应的部分逐年保留的比例(负值表示次年倾向反向)"),
        ("sigma", "σ", model.sigma, "每年新增的得分波动(标准差，分)"),
        ("mu_mean", "m", model.mu_mean, "园区效应(园区长期平均得分)的均值(分)"),
        ("mu_sd", "τ", model.mu_sd, "园区效应在园区之间的标准差(分)"),
        ("stationary_sd", "σ/√(1−φ²)", model.stationary_sd, "某园区得分围绕其园区效应的长期标准差(分)"),
    ]
    return pd.DataFrame(rows, columns=[col["parameter"], col["symbol"], col["value"], col["meaning"]])


def effects_table(result: fc.Forecast) -> pd.DataFrame:
    """园区效应: each scored park's estimated effect μ_i (posterior mean and sd) next to its own scores."""
    effects = fc.park_effects(result.start.evaluations, result.model)
    names = result.start.parks.set_index("park_id")["name"] if "name" in result.start.parks else None
    out = pd.DataFrame({
        labels.COLUMN["park_id"]: effects["park_id"].to_numpy(),
        **({labels.COLUMN["name"]: effects["park_id"].map(names).to_numpy()} if names is not None else {}),
        "得分年数": effects["n_scores"].to_numpy(),
        "平均得分": effects["mean_score"].to_numpy(),
        "最近得分": effects["last_score"].to_numpy(),
        "园区效应估计(分)": effects["mu_mean"].to_numpy(),
        "园区效应标准差(分)": effects["mu_sd"].to_numpy(),
    })  # fmt: skip
    return out.sort_values(labels.COLUMN["park_id"], ignore_index=True)


def drivers(result: fc.Forecast, existing: fc.Run) -> pd.DataFrame:
    """支出构成: the expected outlay split into parks certified by the base year and new certifications
    (same draws, so the split holds path by path), its base/bonus parts, the cancelled base and the spread."""
    run = result.baseline
    outlay = run.measures["outlay"]
    old = existing.measures["outlay"]
    new = outlay - old
    col = labels.FORECAST_COLUMN
    return pd.DataFrame({
        col["year"]: run.years,
        _stat_column("outlay", "mean"): outlay.mean(axis=1),
        col["existing"]: old.mean(axis=1),
        col["new"]: new.mean(axis=1),
        _stat_column("base_paid", "mean"): run.measures["base_paid"].mean(axis=1),
        _stat_column("bonus", "mean"): run.measures["bonus"].mean(axis=1),
        _stat_column("cancelled", "mean"): run.measures["cancelled"].mean(axis=1),
        col["outlay_sd"]: outlay.std(axis=1),
        col["existing_sd"]: old.std(axis=1),
        col["new_sd"]: new.std(axis=1),
    })  # fmt: skip


def budget_table(result: fc.Forecast, scenario: str = "baseline") -> pd.DataFrame:
    """超预算风险: the budget line, mean outlay, P(outlay > line) as a share and the expected overrun."""
    col = labels.FORECAST_COLUMN
    risk = result.budget[result.budget["scenario"] == scenario]
    outlay = result.summary[
        (result.summary["scenario"] == scenario) & (result.summary["measure"] == "outlay")
    ]
    merged = risk.merge(outlay[["year", "mean"]], on="year")
    return pd.DataFrame({
        col["year"]: merged["year"].to_numpy(),
        col["budget"]: merged["budget"].to_numpy(dtype=float),
        _stat_column("outlay", "mean"): merged["mean"].to_numpy(),
        # a share (0–1), shown as a percentage by reports.formatting in the table, the prose and the XLSX alike
        col["p_over_budget"]: merged["p_over_budget"].to_numpy(dtype=float),
        col["expected_overrun"]: merged["expected_overrun"].to_numpy(dtype=float),
    })  # fmt: skip


def scenario_name(name: str) -> str:
    return labels.FORECAST_SCENARIO.get(name, name)


def detail_table(summary: pd.DataFrame) -> pd.DataFrame:
    """预测明细: every measure of every scenario, long, with Chinese names."""
    out = summary.assign(
        scenario=summary["scenario"].map(scenario_name),
        measure=summary["measure"].map(labels.FORECAST_MEASURE),
    )
    return out.rename(columns=labels.FORECAST_COLUMN).reset_index(drop=True)


def reform_tables(result: fc.Forecast) -> dict[str, pd.DataFrame]:
    """改革方案汇总 / 逐年比较 / 超预算风险 / 参数: each reform against the baseline on the same draws."""
    if not result.reforms:
        return {}
    col = labels.FORECAST_COLUMN
    base = result.baseline
    last = len(base.years) - 1
    rows = []
    for name, run in result.reforms.items():
        total = run.measures["cumulative_outlay"][last] - base.measures["cumulative_outlay"][last]
        bonus = run.measures["bonus"].sum(axis=0) - base.measures["bonus"].sum(axis=0)
        cancelled = run.measures["cancelled"].sum(axis=0) - base.measures["cancelled"].sum(axis=0)
        p5, p95 = np.quantile(total, [0.05, 0.95])
        rows.append({
            col["reform"]: name,
            "预测期市级支出合计-基准均值(万元)": base.measures["cumulative_outlay"][last].mean(),
            "预测期市级支出合计-改革方案均值(万元)": run.measures["cumulative_outlay"][last].mean(),
            "差额均值(万元)": total.mean(),
            "差额P5(万元)": p5,
            "差额P95(万元)": p95,
            "其中优秀奖励差额均值(万元)": bonus.mean(),
            "取消的基础补助差额均值(万元)": cancelled.mean(),
        })  # fmt: skip
    diffs = result.differences[result.differences["measure"] == "outlay"]
    by_year = diffs.drop(columns="measure").rename(columns=labels.FORECAST_COLUMN).reset_index(drop=True)
    params = [base.policy.diff(run.policy).rename(columns={"reform": "reform_value"}).assign(reform=name)
              for name, run in result.reforms.items()]  # fmt: skip
    overrides = pd.concat(params, ignore_index=True)[
        ["reform", "key", "baseline", "reform_value", "unit", "description", "reference"]
    ].rename(columns={**labels.COLUMN, "reform_value": "改革方案取值"})
    tables = {"改革方案汇总": pd.DataFrame(rows), "改革方案逐年比较": by_year}
    if len(result.budget):
        tables["改革方案超预算风险"] = pd.concat(
            [budget_table(result, name).assign(**{col["scenario"]: scenario_name(name)})
             for name in ["baseline", *result.reforms]],
            ignore_index=True,
        ).pipe(lambda f: f[[col["scenario"], *f.columns[:-1]]])  # fmt: skip
    tables["改革方案参数"] = overrides
    return tables


# --- the report --------------------------------------------------------------------------------------------
def build(
    result: fc.Forecast,
    policy: Policy,
    *,
    files: Sequence[Path] | None = None,
    parameters: Mapping[str, Any] | None = None,
) -> ForecastReport:
    """Issue 6: the forecast's tables (Chinese headers) and key figures for the budget office."""
    run = result.baseline
    existing = existing_parks_run(result)
    history = history_totals(result.start)
    summary_table = result.summary
    years = run.years
    first, last = int(years[0]), int(years[-1])
    total = run.measures["cumulative_outlay"][-1]
    by_year = drivers(result, existing)
    col = labels.FORECAST_COLUMN

    tables: dict[str, pd.DataFrame] = {}
    tables["预测情景"] = config_table(result.config)
    tables["评分模型"] = model_table(result.model)
    tables["园区效应"] = effects_table(result)
    tables["历年实际"] = history.rename(columns={"year": col["year"], **labels.FORECAST_MEASURE})
    tables["年度市级支出"] = wide(
        summary_table,
        [("base_paid", "mean"), ("bonus", "mean"), ("outlay", "mean"), ("outlay", "p5"), ("outlay", "p50"),
         ("outlay", "p95")],
    )  # fmt: skip
    tables["累计市级支出"] = wide(
        summary_table,
        [("cumulative_outlay", s) for s in STATS] + [("cumulative_district_match", "mean")],
    )
    if len(result.budget):
        tables["超预算风险"] = budget_table(result)
    tables["支出构成"] = by_year
    tables["区县配套与取消"] = wide(
        summary_table,
        [("district_match", "mean"), ("district_match", "p5"), ("district_match", "p95"),
         ("cancelled", "mean"), ("cancelled", "p5"), ("cancelled", "p95"), ("pending", "mean")],
    )  # fmt: skip
    tables["园区数量"] = wide(
        summary_table,
        [("arrivals", "mean"), *((f"arrivals_{r}", "mean") for r in labels.REGION), ("active", "mean"),
         ("active", "p5"), ("active", "p50"), ("active", "p95"), ("revoked", "mean"), ("newly_revoked", "mean")],
    )  # fmt: skip
    tables["等次分布"] = wide(
        summary_table,
        [("n_evaluated", "mean"), ("n_excellent", "mean"), ("n_excellent", "p5"), ("n_excellent", "p95"),
         ("n_qualified", "mean"), ("n_unqualified", "mean"), ("n_unqualified", "p5"), ("n_unqualified", "p95")],
    )  # fmt: skip
    tables.update(reform_tables(result))
    tables["预测明细"] = detail_table(summary_table)
    values = rule_values(policy)
    tables["规则与条款"] = pd.DataFrame(
        [(article, rule.format(**values), where) for article, rule, where in labels.FORECAST_RULES],
        columns=list(labels.ANNUAL_RULES_COLUMNS),
    )
    tables["假设"] = policy.assumptions()[["key", "value", "description", "reference", "reason"]].rename(
        columns=labels.COLUMN
    )
    if files:
        tables["数据文件"] = data_files_table(files)
    tables["版本与参数"] = pd.DataFrame(
        # Only this package's version: the others vary by machine and are in the report's manifest.json.
        [{"项目": "hrpark_analysis", "取值": __version__},
         *({"项目": f"参数 {k}", "取值": str(v)} for k, v in (parameters or {}).items())]
    )  # fmt: skip

    risk = result.budget[result.budget["scenario"] == "baseline"]
    worst = risk.loc[risk["p_over_budget"].idxmax()] if len(risk) else None
    summary = {
        "base_year": result.base_year,
        "first_year": first,
        "last_year": last,
        "paths": result.config.paths,
        "seed": result.config.seed,
        "n_existing": len(result.start.parks),
        "active_at_base": int(history.loc[history["year"] == result.base_year, "active"].sum()),
        "pending_at_base": result.start.pending_at_base,
        "total_mean": float(total.mean()),
        "total_p5": float(np.quantile(total, 0.05)),
        "total_p95": float(np.quantile(total, 0.95)),
        "existing_total": float(existing.measures["outlay"].sum(axis=0).mean()),
        "cancelled_total": float(run.measures["cancelled"].sum(axis=0).mean()),
        "district_total": float(run.measures["cumulative_district_match"][-1].mean()),
        "budget": result.config.budget,
        "worst_year": int(worst["year"]) if worst is not None else None,
        "worst_p_over": float(worst["p_over_budget"]) if worst is not None else None,
        "truncated_paths": result.truncated_paths,
    }
    return ForecastReport(forecast=result, existing=existing, history=history, summary=summary, tables=tables)


def horizon_year(base_year: int, horizon: int) -> int:
    """The last forecast year: ``horizon`` itself when it is a calendar year (≥ 1000), else that many years
    after the base year — the reading ``report.report_key`` gives the folder name ``forecast-<first>-<last>``."""
    return horizon if horizon >= 1000 else base_year + horizon
