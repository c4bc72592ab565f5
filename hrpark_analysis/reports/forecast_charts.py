"""The subsidy forecast report's charts (issue 6): the figures ``notebooks/subsidy_forecast.ipynb`` shows.

Each chart draws a :class:`~hrpark_analysis.reports.forecast.ForecastReport` (``forecast.build``): its runs
and tables, so a chart shows the same numbers as the report's tables.
"""

from __future__ import annotations

import numpy as np

from hrpark_analysis import labels
from hrpark_analysis.reports.forecast import ForecastReport, format_value, scenario_name, split_label

FAN_BANDS = ((0.05, 0.95), (0.25, 0.75))  # the fan charts' shaded bands (outer, inner)
OUTLAY_COLOR = "#1565c0"
HISTORY_COLOR = "#212121"
RANGE_GID = "hrpark-reform-range"  # the P5–P95 lines of reform_chart, for tests
SCENARIO_COLORS = ("#1565c0", "#ef6c00", "#6a1b9a", "#2e7d32", "#ad1457", "#00838f")


def fan_chart(report: ForecastReport, measure: str, title: str, *, budget: bool = False, sample: bool = True):
    """A fan chart of one baseline measure: P5–P95 and P25–P75 bands, median, mean, and the actual history."""
    from hrpark_analysis.reports import charts

    fig, ax = charts.new_figure(8, 4.5)
    run = report.forecast.baseline
    values = run.measures[measure]
    years = run.years
    for (lo, hi), alpha in zip(FAN_BANDS, (0.18, 0.35), strict=True):
        low, high = np.quantile(values, [lo, hi], axis=1)
        ax.fill_between(years, low, high, color=OUTLAY_COLOR, alpha=alpha, linewidth=0,
                        label=f"P{lo * 100:g}–P{hi * 100:g}")  # fmt: skip
    ax.plot(years, np.quantile(values, 0.5, axis=1), color=OUTLAY_COLOR, linewidth=2, label="中位数")
    ax.plot(years, values.mean(axis=1), color=OUTLAY_COLOR, linewidth=1.2, linestyle=":", label="均值")
    hist = report.history
    if measure in hist and len(hist):
        actual = hist[measure].to_numpy(dtype=float)
        ax.plot(hist["year"], actual, color=HISTORY_COLOR, marker="o", markersize=4, label="实际(台账)")
        # join the last actual year to the first forecast year so the fan visibly starts from the record
        ax.plot([hist["year"].iloc[-1], years[0]], [actual[-1], values.mean(axis=1)[0]], color=HISTORY_COLOR,
                linewidth=0.8, linestyle=":")  # fmt: skip
    line = report.forecast.config.budget
    if budget and isinstance(line, int | float):
        charts.reference_line(ax, y=float(line), label=f"预算线 {line:g} 万元")
    name, unit = split_label(measure)
    charts.style_axes(ax, title, "年度", f"{name}{unit}")
    ax.set_xticks(np.r_[hist["year"].to_numpy(dtype=int), years] if len(hist) else years)
    ax.set_ylim(bottom=0)
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    if sample:
        charts.mark_sample(ax)
    return fig


def composition_chart(report: ForecastReport, *, sample: bool = True):
    """预期市级支出构成: stacked bars of the expected outlay from existing parks and from new certifications."""
    from hrpark_analysis.reports import charts

    col = labels.FORECAST_COLUMN
    table = report.tables["支出构成"]
    fig, ax = charts.new_figure(8, 4.5)
    years = table[col["year"]].to_numpy()
    ax.bar(
        years,
        table[col["existing"]],
        color="#90a4ae",
        label=f"基准年已认定的 {report.summary['n_existing']} 个园区",
    )
    ax.bar(
        years,
        table[col["new"]],
        bottom=table[col["existing"]],
        color=OUTLAY_COLOR,
        label="新认定园区带来的增量",
    )
    charts.style_axes(ax, "预期市级支出构成(均值)", "年度", "万元")
    ax.set_xticks(years)
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    if sample:
        charts.mark_sample(ax)
    return fig


def budget_chart(report: ForecastReport, *, sample: bool = True):
    """超预算概率: P(year's outlay > budget line) per year, one bar per scenario."""
    from hrpark_analysis.reports import charts

    risk = report.forecast.budget
    scenarios = list(dict.fromkeys(risk["scenario"]))
    years = report.years
    width = 0.8 / max(len(scenarios), 1)
    fig, ax = charts.new_figure(8, 4)
    for i, (name, color) in enumerate(zip(scenarios, SCENARIO_COLORS * 4, strict=False)):
        part = risk[risk["scenario"] == name].set_index("year").reindex(years)
        x = years + (i - (len(scenarios) - 1) / 2) * width
        ax.bar(x, 100 * part["p_over_budget"].to_numpy(dtype=float), width=width, color=color,
               label=scenario_name(name))  # fmt: skip
    charts.style_axes(
        ax, f"市级支出超过预算线({format_value(report.forecast.config.budget)} 万元)的概率", "年度", "概率(%)"
    )
    ax.set_xticks(years)
    top = 100 * float(np.nanmax(risk["p_over_budget"].to_numpy(dtype=float), initial=0.0))
    ax.set_ylim(0, min(100.0, max(10.0, 1.2 * top)))
    ax.legend(loc="upper left", bbox_to_anchor=(1, 1))
    if sample:
        charts.mark_sample(ax)
    return fig


def reform_chart(report: ForecastReport, *, sample: bool = True):
    """改革方案: the difference in total municipal outlay over the forecast period, mean with P5–P95."""
    from hrpark_analysis.reports import charts

    table = report.tables["改革方案汇总"]
    col = labels.FORECAST_COLUMN
    names = table[col["reform"]].tolist()
    mean = table["差额均值(万元)"].to_numpy(dtype=float)
    p5, p95 = (table[c].to_numpy(dtype=float) for c in ("差额P5(万元)", "差额P95(万元)"))
    fig, ax = charts.new_figure(8, 0.6 * len(names) + 1.8)
    y = np.arange(len(names))
    ax.barh(y, mean, color=[SCENARIO_COLORS[(i + 1) % len(SCENARIO_COLORS)] for i in y])
    # The P5–P95 range is drawn about its own midpoint, not as an error around the mean: a mean need not lie
    # inside it (differences come in steps of the bonus, so 95% of paths can sit at -60 while the mean is -59.99).
    ax.errorbar((p5 + p95) / 2, y, xerr=(p95 - p5) / 2, fmt="none", ecolor=HISTORY_COLOR, capsize=4,
                label="P5–P95", gid=RANGE_GID)  # fmt: skip
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    charts.reference_line(ax, x=0.0)
    s = report.summary
    charts.style_axes(ax, f"{s['first_year']}–{s['last_year']} 年市级支出合计：改革方案 − 基准(均值与P5–P95)",
                      "万元", None, grid="x")  # fmt: skip
    if sample:
        charts.mark_sample(ax)
    return fig
