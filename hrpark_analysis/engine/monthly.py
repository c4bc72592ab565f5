"""第十六条: the districts' monthly reports of each park's operations, turned into annual figures.

"按月向市人力社保局报送园区运营情况": one row per park and month. The sheet's ``monthly_fields`` say which
figures are flows (revenue, tax, people served, talent moves: summed over the year) and which are stocks
(institutions, floor area: the last reported month). A month reported twice is an error; a missing month
is listed in :attr:`Annual.missing` and counted against the reporting rate — never silently taken as zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hrpark_analysis.io.readers import certification_months
from hrpark_analysis.law.sheet import MonthlyField

KEYS = ["park_id", "year", "month"]
MONTHS = np.arange(1, 13)


def expected_months(certified_year: np.ndarray, certified_month: np.ndarray, year: int) -> np.ndarray:
    """第十六条: which months of YEAR each park must report — all 12 after its certification year, from the
    certification month on in that year, none before. Shape (parks, 12)."""
    cy = np.asarray(certified_year)[:, None]
    cm = np.asarray(certified_month)[:, None]
    return (year > cy) | ((year == cy) & (MONTHS[None, :] >= cm))


def _grid(monthly: pd.DataFrame, index: Mapping[str, int], n: int, year: int, columns: list[str]) -> dict:
    """Month-by-park arrays (parks, 12) for one year; NaN where nothing was reported."""
    rows = monthly[(monthly["year"] == year) & monthly["park_id"].isin(index)]
    pos = rows["park_id"].map(index).to_numpy(dtype=int)
    col = rows["month"].to_numpy(dtype=int) - 1
    out = {}
    for name in [*columns, "__reported__"]:
        grid = np.full((n, 12), np.nan)
        grid[pos, col] = 1.0 if name == "__reported__" else rows[name].to_numpy(dtype=float)
        out[name] = grid
    out["__reported__"] = ~np.isnan(out["__reported__"])
    return out


@dataclass(frozen=True)
class Annual:
    """Annual figures per park (``figures``) and the months that were due but not reported (``missing``)."""

    figures: pd.DataFrame
    missing: pd.DataFrame


def annual_figures(
    monthly: pd.DataFrame,
    parks: pd.DataFrame,
    year: int,
    fields: Mapping[str, MonthlyField],
    *,
    missing_month_flows: str,
    default_certified_month: int,
    parks_file: str | Path = "parks",
) -> Annual:
    """第十六条: YEAR's figures for each park in ``parks`` (in that order).

    ``figures``: ``park_id, year, months_expected, months_received, compliance``, one column per field and
    ``<flow>_growth`` per flow field.

    - flows: the sum of the months reported in YEAR; with ``missing_month_flows="annualize"`` each missing
      month counts at the average of the reported ones. Nothing reported: NaN.
    - stocks: the value of the last month reported in YEAR (NaN if none).
    - ``compliance`` (第十六条 "按月报送"): months reported among those due / months due, where months are due
      from the certification month on (12 in every later year); NaN when none are due.
    - ``<flow>_growth``: like-for-like growth over the months reported in both YEAR and YEAR−1 (a park
      certified late in YEAR−1 is compared on the same months); NaN without such months.
    """
    ids = parks["park_id"].to_numpy()
    index = {pid: i for i, pid in enumerate(ids)}
    n = len(ids)
    month_of = certification_months(parks, default_certified_month=default_certified_month, file=parks_file)
    due = expected_months(parks["certified_year"].to_numpy(dtype=int), month_of, year)
    names = list(fields)
    now = _grid(monthly, index, n, year, names)
    before = _grid(monthly, index, n, year - 1, names)
    reported = now["__reported__"]
    n_reported = reported.sum(axis=1)
    n_due = due.sum(axis=1)
    n_received = (reported & due).sum(axis=1)

    out = {"park_id": ids, "year": np.full(n, year), "months_expected": n_due, "months_received": n_received}
    out["compliance"] = np.divide(n_received, n_due, out=np.full(n, np.nan), where=n_due > 0)
    has_any = n_reported > 0
    last = 11 - np.argmax(reported[:, ::-1], axis=1)  # last reported month, where has_any
    common = reported & before["__reported__"]
    for name, spec in fields.items():
        grid = now[name]
        if spec.aggregation == "flow":
            total = np.where(reported, grid, 0.0).sum(axis=1)
            if missing_month_flows == "annualize":
                months = (due | reported).sum(axis=1)
                total = total * np.divide(months, n_reported, out=np.zeros(n), where=has_any)
            elif missing_month_flows != "received":
                raise ValueError(f"unknown missing_month_flows {missing_month_flows!r}")
            out[name] = np.where(has_any, total, np.nan)
        else:
            out[name] = np.where(has_any, grid[np.arange(n), last], np.nan)
    for name, spec in fields.items():
        if spec.aggregation != "flow":
            continue
        this = np.where(common, now[name], 0.0).sum(axis=1)
        base = np.where(common, before[name], 0.0).sum(axis=1)
        ok = common.any(axis=1) & (base > 0)
        out[f"{name}_growth"] = np.divide(this, base, out=np.full(n, np.nan), where=ok) - 1.0

    missing_park, missing_month = np.nonzero(due & ~reported)
    missing = pd.DataFrame(
        {"park_id": ids[missing_park], "year": np.full(len(missing_park), year), "month": missing_month + 1}
    )
    return Annual(figures=pd.DataFrame(out), missing=missing)
