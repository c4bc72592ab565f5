"""第十一条 / 第二十二条 / 第二十五条(二): one year's participants as the arrays the sensitivity analysis takes.

:func:`year_inputs` reads them from an evaluation frame (with each park's subsidy at risk);
:func:`sigma_from_experts` estimates each park's scoring noise from several experts' totals.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from hrpark_analysis.engine.sensitivity.draws import DEFAULT_SIGMA
from hrpark_analysis.law.policy import DIMENSION_COLUMNS
from hrpark_analysis.rules.grading import graded_score
from hrpark_analysis.rules.subsidy import scheduled_base


@dataclass(frozen=True)
class YearInputs:
    """One year's participants as arrays aligned on ``park_ids``."""

    year: int
    park_ids: np.ndarray
    score: np.ndarray
    veto: np.ndarray
    dimensions: dict[str, np.ndarray] | None  # None when the frame has no complete subtotals
    base_due: np.ndarray  # 万元 put at risk if the park is 不合格 this year


def year_inputs(
    evaluations: pd.DataFrame,
    *,
    year: int,
    base_schedule: list[float],
    grade_factor: Mapping[str, float],
    score_precision: int,
    parks: pd.DataFrame | None = None,
) -> YearInputs:
    """第十一条 / 第二十五条(二): one year's participants as arrays, with each park's subsidy at risk.

    ``evaluations`` has one row per park and year: park_id, year (optional when the frame holds one year),
    score, and optionally veto and the subtotals score_economic / score_role / score_operations; the rows of
    ``year`` are taken. certified_year comes from the frame or from ``parks`` (``Dataset.parks``). The subsidy
    at risk is that year's base due, ``scheduled_base(year - certified_year) × grade_factor["unqualified"]``:
    what would be pending, then cancelled, if the park stays 不合格. The 300 cap and revocation are ignored
    (both need the earlier years: see ``ledger.build``). Scores and subtotals are graded at
    ``score_precision`` decimals (``evaluation.score_precision``), by the same rule as the ledger's.
    """
    frame = evaluations[evaluations["year"] == year] if "year" in evaluations else evaluations
    if "certified_year" not in frame:
        if parks is None:
            raise ValueError("certified_year is needed: pass parks or add the column")
        frame = frame.merge(parks[["park_id", "certified_year"]], on="park_id", how="left", validate="1:1")
    park_ids = frame["park_id"].to_numpy()
    score = graded_score(frame["score"].to_numpy(dtype=float), score_precision=score_precision)
    veto = frame["veto"].eq(True).to_numpy() if "veto" in frame else np.zeros(len(frame), bool)
    dims = None
    if all(c in frame for c in DIMENSION_COLUMNS):
        values = {
            c: graded_score(frame[c].to_numpy(dtype=float), score_precision=score_precision)
            for c in DIMENSION_COLUMNS
        }
        if all(np.isfinite(v).all() for v in values.values()):
            dims = values
    k = year - frame["certified_year"].to_numpy(dtype=int)
    base_due = scheduled_base(k, base_schedule=base_schedule) * float(grade_factor["unqualified"])
    return YearInputs(
        year=year, park_ids=park_ids, score=score, veto=veto, dimensions=dims, base_due=base_due
    )


def sigma_from_experts(
    expert_scores: pd.DataFrame,
    park_ids: Sequence,
    *,
    fallback: float = DEFAULT_SIGMA,
    of_mean: bool = True,
    min_experts: int = 2,
) -> np.ndarray:
    """第二十二条 (市局组织评审): each park's σ estimated from several experts' total scores.

    ``expert_scores`` is a long table (park_id, expert, score). σ is the sample standard deviation (ddof=1)
    of a park's experts; with ``of_mean`` (the recorded total is the panel mean) it is divided by √k, the
    standard error of that mean. Parks with fewer than ``min_experts`` experts get ``fallback``.
    """
    grouped = expert_scores.groupby("park_id")["score"]
    k = grouped.count()
    sd = grouped.std(ddof=1)
    sigma = sd / np.sqrt(k) if of_mean else sd
    sigma = sigma.where(k >= min_experts)
    return sigma.reindex(pd.Index(park_ids)).fillna(fallback).to_numpy(dtype=float)
