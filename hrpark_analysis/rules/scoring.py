"""第二十一条–第二十三条: the 100-point score from the evaluation sheet, vectorized over parks.

Each scoring method is a small pure function over arrays (one value per park) whose keyword arguments are
the method's parameters in the sheet. :func:`score_parks` applies a whole sheet to aligned inputs and
returns points per indicator, the three subtotals of 第二十一条, the total and the veto flag — the columns
``hrpark evaluate`` reads. :func:`score_year` is the orchestration behind ``hrpark score``: it reads a data
folder (``dataset.load_dataset``) and returns the table for one year.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from hrpark_analysis.law.sheet import DIMENSIONS, Indicator, Sheet

# The aligned input arrays each method reads (one value per park, NaN = not available).
METHOD_INPUTS: dict[str, tuple[str, ...]] = {
    "ratio_to_target": ("actual", "target"),
    "piecewise_linear": ("value",),
    "rating": ("rating",),
    "deduction": ("events",),
    "veto": ("events",),
}
SUBTOTAL_COLUMNS = [column for column, _, _ in DIMENSIONS.values()]


# --- methods ---------------------------------------------------------------------------------------------
def ratio_to_target(actual: np.ndarray, target: np.ndarray, *, weight: float) -> np.ndarray:
    """第十四条 / 第二十一条: the year's operating target met in proportion, capped at full points.

    points = weight × min(actual / target, 1). Targets are positive (checked where they are read); a
    non-positive target gives NaN rather than a silent number.
    """
    actual = np.asarray(actual, dtype=float)
    target = np.asarray(target, dtype=float)
    ratio = np.divide(
        actual, target, out=np.full(np.broadcast(actual, target).shape, np.nan), where=target > 0
    )
    return weight * np.minimum(ratio, 1.0)


def piecewise_linear(
    value: np.ndarray, *, weight: float, floor: float, target: float, no_data_fraction: float
) -> np.ndarray:
    """第二十一条: linear between ``floor`` (0 points) and ``target`` (full points), flat outside.

    Used for growth rates (第二十一条(一) "发展速度") and the monthly reporting rate (第十六条). A ``floor``
    above ``target`` scores an indicator where less is better. Where the value cannot be computed (e.g. a
    growth rate without last year's months) the park gets ``no_data_fraction`` of the points.
    """
    value = np.asarray(value, dtype=float)
    fraction = np.clip((value - floor) / (target - floor), 0.0, 1.0)
    return weight * np.where(np.isnan(value), no_data_fraction, fraction)


def rating_points(rating: np.ndarray, *, weight: float, scale: str) -> np.ndarray:
    """第二十二条(三): an expert rating, given in points (0..weight) or as a 0–1 fraction of the weight."""
    rating = np.asarray(rating, dtype=float)
    if scale == "points":
        return rating.copy()
    if scale == "fraction":
        return weight * rating
    raise ValueError(f"unknown rating scale {scale!r}")


def deduction_points(events: np.ndarray, *, points_per_event: float, max_points: float | None) -> np.ndarray:
    """第二十一条(三) 安全管理: ``points_per_event`` off per event, at most ``max_points`` (negative points).

    The floor at zero is applied to the dimension subtotal (:func:`dimension_subtotals`), not here.
    """
    off = np.asarray(events, dtype=float) * points_per_event
    if max_points is not None:
        off = np.minimum(off, max_points)
    return -off


def veto_flag(events: np.ndarray, *, min_events: int) -> np.ndarray:
    """第二十四条 "直接确定为不合格": at least ``min_events`` events of a veto item set the veto flag."""
    return np.asarray(events, dtype=float) >= min_events


def score_indicator(indicator: Indicator, inputs: Mapping[str, np.ndarray]) -> np.ndarray:
    """第二十一条 / 第二十三条: one indicator's points (or veto flags) by its method and parameters in the sheet."""
    args = {"weight": indicator.weight, **indicator.params}
    if indicator.method == "ratio_to_target":
        return ratio_to_target(inputs["actual"], inputs["target"], weight=indicator.weight)
    if indicator.method == "piecewise_linear":
        return piecewise_linear(inputs["value"], **args)
    if indicator.method == "rating":
        return rating_points(inputs["rating"], **args)
    if indicator.method == "deduction":
        return deduction_points(inputs["events"], **indicator.params)
    if indicator.method == "veto":
        return veto_flag(inputs["events"], **indicator.params)
    raise ValueError(f"unknown method {indicator.method!r}")


def dimension_subtotals(points: Mapping[str, np.ndarray], sheet: Sheet, *, score_decimals: int) -> dict:
    """第二十一条(一)(二)(三): each dimension's subtotal; deductions never take a dimension below zero."""
    out = {}
    for key, (column, _, _) in DIMENSIONS.items():
        parts = [points[ind.id] for ind in sheet.indicators if ind.dimension == key and ind.method != "veto"]
        total = np.sum(parts, axis=0) if parts else 0.0
        out[column] = np.round(np.maximum(total, 0.0), score_decimals)
    return out


def score_parks(
    sheet: Sheet, inputs: Mapping[str, Mapping[str, np.ndarray]], *, score_decimals: int
) -> pd.DataFrame:
    """第二十一条–第二十四条: points per indicator, the three subtotals, the total and the veto flag.

    ``inputs[indicator_id]`` holds the aligned arrays named in :data:`METHOD_INPUTS`. Points are rounded to
    ``score_decimals`` (a sheet setting) indicator by indicator, and subtotals and total are sums of the
    rounded points rounded again, so a total printed as 60.00 is exactly 60 for the pass mark.
    """
    points: dict[str, np.ndarray] = {}
    vetoes = []
    for ind in sheet.indicators:
        result = score_indicator(ind, inputs[ind.id])
        if ind.method == "veto":
            points[ind.id] = result
            vetoes.append(result)
        else:
            points[ind.id] = np.round(result, score_decimals) + 0.0  # + 0.0 turns -0.0 into 0.0
    n = len(next(iter(points.values())))
    subtotals = dimension_subtotals(points, sheet, score_decimals=score_decimals)
    total = np.round(np.sum(list(subtotals.values()), axis=0), score_decimals)
    veto = np.logical_or.reduce(vetoes) if vetoes else np.zeros(n, dtype=bool)
    return pd.DataFrame({**points, **subtotals, "score": total, "veto": veto})
