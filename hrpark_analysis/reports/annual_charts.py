"""The annual evaluation report's two charts: 得分分布 (:func:`score_chart`) and 分项得分 (:func:`dimension_chart`).

Both draw the :class:`~hrpark_analysis.reports.annual.AnnualReport` that :func:`.annual.build` returns, in the
house style of :mod:`.charts` (CJK font, grade colours, 示例数据 stamp), as :mod:`.forecast_charts` does for the
forecast report.
"""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import MaxNLocator

from hrpark_analysis import labels
from hrpark_analysis.reports import charts
from hrpark_analysis.reports.annual import AnnualReport


def score_chart(report: AnnualReport, *, sample: bool = True):
    """得分分布: a histogram of this year's scores with the pass mark and the 优秀 boundary."""
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
    g = report.graded
    dims = [c for c in labels.DIMENSION if g[c].notna().any()]
    fig, ax = charts.new_figure(10, 4.5)
    bottom = np.zeros(len(g))
    colors = ["#5c6bc0", "#26a69a", "#ffa726"]
    # One position per park (row), labelled with its name: two parks of the same name keep two bars.
    x = np.arange(len(g))
    for dim, color in zip(dims, colors, strict=False):
        ax.bar(x, g[dim], bottom=bottom, label=labels.DIMENSION[dim], color=color)
        bottom += g[dim].fillna(0).to_numpy()
    ax.set_xticks(x, charts.park_labels(g["park_id"], g["name"]))
    ax.tick_params(axis="x", labelrotation=90, labelsize=8)
    charts.style_axes(ax, f"{report.year} 年各园区分项得分(按名次排列)", None, "得分")
    if dims:
        ax.legend(loc="upper right", bbox_to_anchor=(1, 0.9))
    if sample:
        charts.mark_sample(ax)
    return fig
