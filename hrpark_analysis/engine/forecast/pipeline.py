"""Issue 6, the whole forecast: the ledger at the base year, the score model, the draws, the baseline and
every reform on those draws, and their tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis.engine.forecast.config import ForecastConfig
from hrpark_analysis.engine.forecast.draws import draw
from hrpark_analysis.engine.forecast.projection import Run, project
from hrpark_analysis.engine.forecast.scoremodel import ScoreModel, fit_score_model
from hrpark_analysis.engine.forecast.start import Start, start_from_ledger
from hrpark_analysis.engine.forecast.summary import budget_risk, compare, summarize
from hrpark_analysis.law.policy import Policy


@dataclass(frozen=True)
class Forecast:
    """A forecast: the fitted model, the baseline and reform runs and their tables (module doc)."""

    config: ForecastConfig
    start: Start
    model: ScoreModel
    baseline: Run
    reforms: dict[str, Run]
    summary: pd.DataFrame  # scenario, year, measure, mean, p5, p50, p95
    budget: pd.DataFrame  # scenario, year, budget, p_over_budget, expected_overrun (empty without a budget)
    differences: pd.DataFrame  # reform, year, measure, baseline_mean, reform_mean, difference_*
    truncated_paths: int

    @property
    def base_year(self) -> int:
        return self.start.base_year


def _as_policy(policy: Policy, reform: Policy | Mapping[str, Any] | Iterable[str]) -> Policy:
    return reform if isinstance(reform, Policy) else policy.with_overrides(reform)


def forecast(
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    policy: Policy,
    config: ForecastConfig | None = None,
    *,
    base_year: int | None = None,
    reforms: Mapping[str, Policy | Mapping[str, Any] | Iterable[str]] | None = None,
    rng: np.random.Generator | None = None,
    callback: Callable[[int], None] | None = None,
) -> Forecast:
    """Issue 6: project the Measures' cost from the ledger at ``base_year`` to ``config.horizon``.

    ``parks`` needs park_id, district, certified_year; ``evaluations`` park_id, year, score (veto, rectified
    and subtotals optional). ``reforms`` maps a name to a policy or to ``--set`` style overrides of
    ``policy``; every reform runs on the baseline's draws. ``rng`` replaces ``config.seed``.
    """
    config = config or ForecastConfig()
    start = start_from_ledger(parks, evaluations, policy, base_year)
    model = fit_score_model(start.evaluations, config)
    draws = draw(start, model, config, rng)
    runs = {"baseline": project(start, draws, policy, config, callback)}
    for name, reform in (reforms or {}).items():
        runs[name] = project(start, draws, _as_policy(policy, reform), config)
    summary = pd.concat(
        [summarize(run, config.quantiles).assign(scenario=name) for name, run in runs.items()],
        ignore_index=True,
    )
    summary = summary[["scenario", *summary.columns[:-1]]]
    budget_cols = ["scenario", "year", "budget", "p_over_budget", "expected_overrun"]
    if config.budget is None:
        budget = pd.DataFrame(columns=budget_cols)
    else:
        budget = pd.concat(
            [budget_risk(run, config.budget).assign(scenario=name) for name, run in runs.items()],
            ignore_index=True,
        )[budget_cols]
    diffs = [compare(runs["baseline"], run, config.quantiles).assign(reform=name)
             for name, run in runs.items() if name != "baseline"]  # fmt: skip
    differences = (
        pd.concat(diffs, ignore_index=True).pipe(lambda f: f[["reform", *f.columns[:-1]]])
        if diffs
        else pd.DataFrame(
            columns=["reform", "year", "measure", "baseline_mean", "reform_mean", "difference_mean"]
        )
    )
    return Forecast(
        config=config, start=start, model=model, baseline=runs["baseline"],
        reforms={k: v for k, v in runs.items() if k != "baseline"}, summary=summary, budget=budget,
        differences=differences, truncated_paths=draws.truncated_paths,
    )  # fmt: skip


def forecast_dataset(
    data_dir: str | Path,
    year: int,
    policy: Policy,
    config: ForecastConfig | None = None,
    *,
    reforms: Mapping[str, Policy | Mapping[str, Any] | Iterable[str]] | None = None,
    sheet_path: str | Path | None = None,
    callback: Callable[[int], None] | None = None,
) -> Forecast:
    """Issue 6 on a data folder: ``dataset.load_dataset`` scores ``year`` (its rectification outcomes are
    not known yet: pending), then :func:`forecast` projects from that year as the base year."""
    from hrpark_analysis.engine.dataset import load_dataset

    data = load_dataset(data_dir, year, policy, sheet_path)
    return forecast(data.parks, data.evaluations, policy, config, base_year=year, reforms=reforms,
                    callback=callback)  # fmt: skip
