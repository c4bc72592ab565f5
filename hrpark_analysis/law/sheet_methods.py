"""What an evaluation sheet may say (第二十一条 / 第二十三条): its vocabulary, checked by :mod:`.sheet` on loading.

The three dimensions of 第二十一条, the sources an indicator reads, the scoring methods with their
parameters (all required, no hidden defaults) and whether they count towards the total, the sheet-wide
settings, and the field names a sheet file may use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hrpark_analysis.law import entries as checks
from hrpark_analysis.law.policy import DIMENSION_COLUMNS, Parameter

# 第二十一条(一)(二)(三): dimension key -> subtotal column, Chinese label, clause.
DIMENSIONS: dict[str, tuple[str, str, str]] = {
    "economic": (DIMENSION_COLUMNS[0], "经济发展", "第二十一条(一)"),
    "role": (DIMENSION_COLUMNS[1], "作用发挥", "第二十一条(二)"),
    "operations": (DIMENSION_COLUMNS[2], "运营管理", "第二十一条(三)"),
}
SOURCES = {"monthly": "月报", "target": "年度目标", "rating": "专家评分", "deduction": "扣分/否决事项"}
MEASURES = ("annual", "growth", "compliance")  # what a monthly-sourced indicator reads (第十六条)
AGGREGATIONS = ("flow", "stock")
RESERVED = {"park_id", "year", "month", "score", "veto", "rectified", *(c for c, _, _ in DIMENSIONS.values())}
INDICATOR_FIELDS = {
    "id", "name", "dimension", "weight", "unit", "source", "method", "params", "reference", "field", "measure",
    "description",
}  # fmt: skip
ENTRY_FIELDS = {"value", "description", "unit", "reference", "assumption", "reason"}
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")  # an indicator id or a monthly field key


@dataclass(frozen=True)
class Method:
    """A scoring method: the source it reads, its parameters (all required, no hidden defaults) and its weight."""

    source: str
    params: Mapping[str, Callable[[Any], str | None]]
    weighted: bool  # counts towards the 100 points; deductions and vetoes carry weight 0
    label: str


METHODS: dict[str, Method] = {
    # 第十四条: the year's operating targets; points = weight × min(actual / target, 1).
    "ratio_to_target": Method("target", {}, True, "目标完成率(封顶满分)"),
    # growth rates and rates of compliance: linear from `floor` (0 points) to `target` (full points).
    "piecewise_linear": Method(
        "monthly",
        {"floor": checks.number(), "target": checks.number(), "no_data_fraction": checks.number(0, 1)},
        True,
        "分段线性(下限至目标)",
    ),
    # 第二十二条(三) expert review: points directly (0..weight) or a 0–1 fraction of the weight.
    "rating": Method("rating", {"scale": checks.choice("points", "fraction")}, True, "专家评分"),
    # 第二十一条(三) 安全管理: points off per event, never below zero for the dimension.
    "deduction": Method(
        "deduction",
        {"points_per_event": checks.number(0, lo_open=True), "max_points": checks.optional(checks.number(0))},
        False,
        "扣分(分项不低于0)",
    ),
    # 第二十四条 "直接确定为不合格": enough events set the veto flag whatever the score.
    "veto": Method("deduction", {"min_events": checks.integer(1)}, False, "一票否决"),
}

SETTINGS: dict[str, Callable[[Any], str | None]] = {
    "missing_month_flows": checks.choice("received", "annualize"),
    "default_certified_month": checks.integer(1, 12),
    "rating_aggregate": checks.choice("mean", "median"),
    "score_decimals": checks.integer(0, 6),
}


# A sheet-wide setting is documented exactly like a policy parameter (value, description, unit, reference,
# assumption and reason), so it is one.
Setting = Parameter
