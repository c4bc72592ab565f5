"""The sensitivity report's charts (issue 5, 第二十四条): grid heatmaps, grade probabilities, curves, Sobol."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from hrpark_analysis import labels
from hrpark_analysis.engine import sensitivity
from hrpark_analysis.reports.sensitivity.tables import percent

if TYPE_CHECKING:
    from hrpark_analysis.reports.sensitivity.report import SensitivityReport

FRAGILE_RANGE = (0.01, 0.99)  # a park is drawn in the probability curves if its baseline P lies inside
MAX_CURVES = 8


def _baseline_marks(ax: Any, share: float, mark: float) -> None:
    from hrpark_analysis.reports import charts

    charts.reference_line(ax, x=share * 100, label=f"{percent(share)}", color="white", linewidth=1.0)
    charts.reference_line(ax, y=mark, label=f"{mark:g} 分", color="white", linewidth=1.0)
    ax.plot(share * 100, mark, marker="*", markersize=16, color="white", markeredgecolor="black", zorder=5)


def sweep_chart(report: SensitivityReport, *, sample: bool = True):
    """Two heatmaps over (share, pass mark): 优秀 and 不合格 counts, the baseline marked with a star."""
    from hrpark_analysis.reports import charts

    fig, axes = charts.new_figure(11, 4.6, ncols=2)
    s = report.summary
    for ax, value, title in (
        (axes[0], "n_excellent", "优秀园区数"),
        (axes[1], "n_unqualified", "不合格园区数"),
    ):
        matrix = sensitivity.heatmap(report.sweep, value)
        mesh = ax.pcolormesh(
            matrix.columns.to_numpy() * 100, matrix.index.to_numpy(), matrix.to_numpy(),
            shading="nearest", cmap="viridis",
        )  # fmt: skip
        fig.colorbar(mesh, ax=ax, label="园区数")
        _baseline_marks(ax, s["excellent_share"], s["pass_mark"])
        charts.style_axes(
            ax, f"{report.year} 年{title}(★ 为基准)", "优秀比例上限(%)", "合格线(分)", grid=None
        )
        if sample:
            charts.mark_sample(ax)
    return fig


def probability_chart(report: SensitivityReport, *, sample: bool = True):
    """Each park's P(优秀) / P(合格) / P(不合格) under scoring noise as a stacked bar; coin tosses in red."""
    from hrpark_analysis.reports import charts

    parks = report.monte_carlo.parks().sort_values(["rank", "park_id"], ignore_index=True)
    n = len(parks)
    fig, ax = charts.new_figure(8, max(4.0, 0.28 * n + 1.2))
    y = np.arange(n)
    left = np.zeros(n)
    for grade, column in (
        ("excellent", "p_excellent"),
        ("qualified", "p_qualified"),
        ("unqualified", "p_unqualified"),
    ):
        values = parks[column].to_numpy()
        ax.barh(
            y, values, left=left, color=charts.GRADE_COLORS[grade], label=labels.GRADE[grade], height=0.75
        )
        left += values
    names = charts.park_labels(parks["park_id"], [report.names.get(p, p) for p in parks["park_id"]])
    ax.set_yticks(y, [f"{name}({labels.GRADE[g]})" for name, g in zip(names, parks["grade"], strict=True)])
    for tick, toss in zip(ax.get_yticklabels(), parks["coin_toss"], strict=True):
        if toss:
            tick.set_color("#b71c1c")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    s = report.summary
    charts.style_axes(
        ax,
        f"评分误差 σ = {s['sigma']:g} 分下的等次概率(括号内为基准等次，红字为等次摇摆)",
        "概率",
        None,
        grid="x",
    )
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1.04), ncols=3)
    if sample:
        charts.mark_sample(ax)
    return fig


def _fragile(p: np.ndarray) -> np.ndarray:
    lo, hi = FRAGILE_RANGE
    inside = np.flatnonzero((p >= lo) & (p <= hi))
    return inside[np.argsort(np.abs(p[inside] - 0.5), kind="stable")][:MAX_CURVES]


def curves_chart(report: SensitivityReport, *, sample: bool = True):
    """P(优秀) against the share (baseline pass mark) and P(不合格) against the pass mark, for fragile parks."""
    from hrpark_analysis.reports import charts

    mc = report.monte_carlo
    s = report.summary
    fig, axes = charts.new_figure(11, 4.4, ncols=2)
    panels = (
        (axes[0], mc.p_excellent[:, :, mc.base_k], mc.p_excellent[:, mc.base_j, mc.base_k], mc.shares * 100,
         s["excellent_share"] * 100, "P(优秀)随优秀比例上限变化", "优秀比例上限(%)", "P(优秀)"),
        (axes[1], mc.p_unqualified, mc.p_unqualified[:, mc.base_k], mc.pass_marks,
         s["pass_mark"], "P(不合格)随合格线变化", "合格线(分)", "P(不合格)"),
    )  # fmt: skip
    for ax, curves, at_base, xs, base_x, title, xlabel, ylabel in panels:
        chosen = _fragile(at_base)
        ids = [mc.park_ids[i] for i in sorted(chosen)]
        shown = charts.park_labels(ids, [report.names.get(pid, str(pid)) for pid in ids])
        for i, label in zip(sorted(chosen), shown, strict=True):
            ax.plot(xs, curves[i], label=label, linewidth=1.4)
        charts.reference_line(ax, x=base_x, label="基准")
        ax.set_ylim(-0.02, 1.02)
        charts.style_axes(ax, title, xlabel, ylabel)
        if len(chosen):
            ax.legend(loc="center left", fontsize=8)
        else:
            ax.text(0.5, 0.5, "没有等次不确定的园区", transform=ax.transAxes, ha="center", color="#616161")
        if sample:
            charts.mark_sample(ax)
    return fig


def sobol_chart(report: SensitivityReport, *, sample: bool = True):
    """Sobol total (ST) and first-order (S1) indices with their confidence half-widths, one panel per output."""
    from hrpark_analysis.reports import charts

    outputs = list(dict.fromkeys(report.sobol["output"]))
    fig, axes = charts.new_figure(4 * len(outputs), 4.2, ncols=len(outputs), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, output in zip(axes, outputs, strict=True):
        part = report.sobol[report.sobol["output"] == output].reset_index(drop=True)
        y = np.arange(len(part))
        if part["ST"].notna().any():
            ax.barh(y, part["ST"], xerr=part["ST_conf"], color="#90a4ae", label="总效应 ST", capsize=2)
            ax.errorbar(
                part["S1"], y, xerr=part["S1_conf"], fmt="o", color="#263238", label="一阶 S1", capsize=2
            )
            ax.legend(loc="lower right", fontsize=8)
        else:
            ax.text(0.5, 0.5, "该输出在样本中不变", transform=ax.transAxes, ha="center", color="#616161")
        ax.set_yticks(y, [labels.SENSITIVITY_FACTOR.get(f, f) for f in part["factor"]])
        ax.axvline(0, color="#9e9e9e", linewidth=0.8)
        charts.style_axes(ax, labels.SENSITIVITY_OUTPUT.get(output, output), "Sobol 指数", None, grid="x")
        if sample:
            charts.mark_sample(ax)
    axes[0].invert_yaxis()
    return fig
