"""Tables of a forecast's runs: per-year mean and quantiles over paths, budget risk, reform minus baseline."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from hrpark_analysis.engine.forecast.config import MEASURES
from hrpark_analysis.engine.forecast.projection import Run


def _quantile_names(quantiles: Sequence[float]) -> list[str]:
    return [f"p{q * 100:g}" for q in quantiles]


def summarize(run: Run, quantiles: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
    """Tidy table: year, measure, mean and the quantiles over paths (p5, p50, p95 by default).

    Values are rounded to 6 decimals: interpolated quantiles of 万元 sums otherwise show binary noise
    (4050.4999999999995) in the reports' tables.
    """
    names = list(MEASURES)
    stack = np.stack([run.measures[m] for m in names])  # (measures, years, paths)
    qs = np.quantile(stack, list(quantiles), axis=-1)  # (quantiles, measures, years)
    frame = pd.DataFrame({
        "year": np.tile(run.years, len(names)),
        "measure": np.repeat(names, len(run.years)),
        "mean": np.round(stack.mean(axis=-1).ravel(), 6),
    })  # fmt: skip
    for name, values in zip(_quantile_names(quantiles), qs, strict=True):
        frame[name] = np.round(values.ravel(), 6)
    return frame


def budget_risk(run: Run, budget: float | Mapping[int, float]) -> pd.DataFrame:
    """Each year: the budget line, P(municipal outlay > budget) and the expected overrun (万元)."""
    line = np.array([budget.get(int(y), np.nan) if isinstance(budget, Mapping) else budget for y in run.years],
                    dtype=float)  # fmt: skip
    over = run.measures["outlay"] - line[:, None]  # NaN in years without a budget line
    known = ~np.isnan(line)
    return pd.DataFrame({
        "year": run.years,
        "budget": line,
        "p_over_budget": np.where(known, (over > 0).mean(axis=1), np.nan),
        "expected_overrun": np.where(known, np.fmax(over, 0).mean(axis=1), np.nan),
    })  # fmt: skip


def compare(baseline: Run, reform: Run, quantiles: Sequence[float] = (0.05, 0.5, 0.95)) -> pd.DataFrame:
    """Reform minus baseline on the same draws, path by path: year, measure, means and difference quantiles."""
    names = list(MEASURES)
    base = np.stack([baseline.measures[m] for m in names])
    alt = np.stack([reform.measures[m] for m in names])
    diff = alt - base
    frame = pd.DataFrame({
        "year": np.tile(baseline.years, len(names)),
        "measure": np.repeat(names, len(baseline.years)),
        "baseline_mean": base.mean(axis=-1).ravel(),
        "reform_mean": alt.mean(axis=-1).ravel(),
        "difference_mean": diff.mean(axis=-1).ravel(),
    })  # fmt: skip
    for name, values in zip(
        _quantile_names(quantiles), np.quantile(diff, list(quantiles), axis=-1), strict=True
    ):
        frame[f"difference_{name}"] = values.ravel()
    return frame
