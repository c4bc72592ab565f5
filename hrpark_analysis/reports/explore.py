"""第二十四条 / 第二十五条: what the exploration notebook (``notebooks/explore.ipynb``, issue 16) shows.

Display only: Chinese tables of what ``hp.evaluate`` and ``hp.compare`` return, and the chart the live
controls redraw. No rule is applied here; the notebook computes everything through ``import hrpark_analysis
as hp``.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from hrpark_analysis import labels
from hrpark_analysis.engine.ledger import Evaluation
from hrpark_analysis.law.policy import Policy


def _words(series: pd.Series, mapping: Mapping[str, str]) -> pd.Series:
    return series.fillna("").map(lambda v: mapping.get(v, v))


def grades_table(result: Evaluation, year: int, names: Mapping[str, str]) -> pd.DataFrame:
    """第二十四条: one year's grades in rank order, with each park's payment of that year (万元), in Chinese."""
    g = result.grades[result.grades["year"] == year]
    book = result.ledger[result.ledger["year"] == year].set_index("park_id")
    out = pd.DataFrame({
        "park_id": g["park_id"].to_numpy(),
        "name": g["park_id"].map(names).to_numpy(),
        "score": g["score"].to_numpy(),
        "rank": g["rank"].to_numpy(),
        "grade": _words(g["grade"], labels.GRADE).to_numpy(),
        "paid": (book["base_paid"] + book["bonus"]).reindex(g["park_id"]).to_numpy(),
    }).sort_values(["rank", "park_id"], ignore_index=True)  # fmt: skip
    return out.rename(columns={**labels.COLUMN, **labels.EXPLORE_COLUMN})


def compare_table(frame: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """第二十四条 / 第二十五条: ``hp.compare``'s rows with Chinese words and headers (grade, status, payment)."""
    out = pd.DataFrame({
        "park_id": frame["park_id"], "name": frame["park_id"].map(names), "year": frame["year"],
        "grade_a": _words(frame["grade_a"], labels.GRADE), "grade_b": _words(frame["grade_b"], labels.GRADE),
        "status_a": _words(frame["status_a"], labels.STATUS),
        "status_b": _words(frame["status_b"], labels.STATUS),
        "paid_a": frame["paid_a"], "paid_b": frame["paid_b"], "paid_diff": frame["paid_diff"],
        "changed": frame["changed"].map(
            lambda s: "、".join(labels.EXPLORE_CHANGED.get(w, w) for w in s.split(", ") if w)
        ),
    })  # fmt: skip
    return out.reset_index(drop=True).rename(columns={**labels.COLUMN, **labels.EXPLORE_COLUMN})


def policy_caption(policy: Policy) -> str:
    """第二十四条: the four settings the live controls change, as one Chinese line."""
    g = policy.section("grading")
    rule = "含本数" if g["pass_mark_inclusive"] else "不含本数"
    return (
        f"优秀比例上限 {g['excellent_share']:.0%}，合格线 {g['pass_mark']:g} 分({rule})，"
        f"同分: {labels.TIE_POLICY[g['tie_policy']]}，名额取整: {labels.CAP_ROUNDING[g['cap_rounding']]}"
    )


def grade_chart(result: Evaluation, year: int, policy: Policy, *, sample: bool = True):
    """第二十四条: one year's scores in rank order, coloured by grade, with the pass mark (a redraw per change)."""
    from hrpark_analysis.reports import charts

    g = result.grades[result.grades["year"] == year].sort_values(["rank", "park_id"])
    fig, ax = charts.new_figure(9, 3.8)
    x = np.arange(len(g))
    for grade in ("excellent", "qualified", "unqualified"):
        shown = (g["grade"] == grade).to_numpy()
        ax.bar(x[shown], g["score"].to_numpy()[shown], color=charts.GRADE_COLORS[grade],
               label=f"{labels.GRADE[grade]} {int(shown.sum())} 个")  # fmt: skip
    charts.reference_line(
        ax, y=policy["grading.pass_mark"], label=f"合格线 {policy['grading.pass_mark']:g} 分"
    )
    ax.set_xticks(x, g["park_id"], rotation=90, fontsize=8)
    ax.set_ylim(max(0.0, float(g["score"].min()) - 10), 100)
    charts.style_axes(ax, f"{year} 年等次 — {policy_caption(policy)}", "园区(按名次)", "得分")
    ax.title.set_fontsize(10)
    ax.legend(loc="upper right", bbox_to_anchor=(1, 0.9))
    if sample:
        charts.mark_sample(ax)
    return fig
