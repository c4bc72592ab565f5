"""Where the forecast starts — the ledger at the base year and each park's state carried from it.

The ledger (``ledger.build`` up to the base year) is the one implementation of the rules up to then; its
``final`` table is each park's ``subsidy.State`` after the base year (plaque withdrawn, run of 不合格 years,
base paid against the 300 cap, total paid), which the forecast takes as it is.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from hrpark_analysis.engine import ledger
from hrpark_analysis.errors import ParameterError
from hrpark_analysis.law.policy import DIMENSION_COLUMNS, Policy
from hrpark_analysis.rules import subsidy


@dataclass(frozen=True)
class Start:
    """The ledger at the base year and each existing park's ``subsidy.State`` carried into the forecast."""

    base_year: int
    parks: pd.DataFrame  # the existing parks, in slot order
    evaluations: pd.DataFrame  # evaluations up to the base year
    history: ledger.Evaluation | None  # ledger.build up to the base year (None without parks)
    state: subsidy.State  # arrays (parks,): history.final_state
    base_score: np.ndarray  # the base-year score of each park, NaN where it has none

    @property
    def pending_at_base(self) -> float:
        """第二十五条(二): base subsidy withheld in the base year, rectification outcome unknown (万元).

        The forecast leaves it where the ledger puts it: it is neither in a forecast year's outlay nor in its
        cancelled amount, whichever way the rectification goes.
        """
        if self.history is None:
            return 0.0
        book = self.history.ledger
        return float(book.loc[book["year"] == self.base_year, "pending"].sum())


def _clean_evaluations(evaluations: pd.DataFrame) -> pd.DataFrame:
    """Add the optional columns ``ledger.build`` reads (veto, rectified, subtotals, ``_row``) when absent."""
    out = evaluations.copy()
    out["veto"] = out["veto"].fillna(False).astype(bool) if "veto" in out else False
    out["rectified"] = out["rectified"].astype(float) if "rectified" in out else np.nan
    for c in DIMENSION_COLUMNS:
        if c not in out:
            out[c] = np.nan
    if "_row" not in out:
        out["_row"] = np.arange(len(out)) + 2
    return out


def start_from_ledger(parks: pd.DataFrame, evaluations: pd.DataFrame, policy: Policy,
                      base_year: int | None = None) -> Start:  # fmt: skip
    """Build the ledger up to ``base_year`` (default: the latest evaluation year) and start each
    park from its final state (``ledger.Evaluation.final``) and its base-year score.

    Evaluations after the base year are ignored (a back-test); parks certified after it stay as known
    certifications in their year.
    """
    parks = parks.reset_index(drop=True)
    evaluations = _clean_evaluations(evaluations)
    if base_year is None:
        if len(evaluations) == 0:
            raise ParameterError("没有评估记录时需要指定基准年份 base_year")
        base_year = int(evaluations["year"].max())
    evaluations = evaluations[evaluations["year"] <= base_year].reset_index(drop=True)
    n = len(parks)
    if n == 0:
        return Start(base_year, parks, evaluations, None, subsidy.State.new((n,)), np.full(n, np.nan))

    if parks["park_id"].duplicated().any():
        raise ParameterError("园区名单中 park_id 重复")
    history = ledger.build(parks, evaluations, policy, end_year=base_year)
    final = history.final  # one row per park, in the parks table's order
    state = history.final_state
    base_score = final["score"].to_numpy(dtype=float)
    # 第二十条: a park due for evaluation in the base year needs its score there (the ledger checks only up
    # to the last evaluation year, which may be before a base year given by the caller).
    due = final["years_since_certification"].to_numpy() >= policy["evaluation.first_evaluation_offset"]
    missing = due & ~state.revoked & np.isnan(base_score)
    if missing.any():
        pid = parks["park_id"].iloc[int(np.argmax(missing))]
        raise ParameterError(
            f"园区 {pid} 在基准年 {base_year} 应有评估得分(第二十条)；基准年应为最近的评估年份"
        )
    return Start(base_year, parks, evaluations, history, state, base_score)
