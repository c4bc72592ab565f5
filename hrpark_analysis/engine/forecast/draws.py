"""Every random number of a forecast, drawn before any policy is applied.

Slots
    Every park that can exist has a slot: the existing parks (in the order of the parks table), then a pool
    of arrival slots. Pool slot j is certified on a path in the year that path's cumulative accepted
    arrivals first exceed j; until then it is unborn (inactive, no amounts).

Arrivals (scenario)
    ``fixed``: ``arrival_counts`` new certifications a year; ``poisson``: A_t ~ Poisson(``arrival_rate``).
    The pool holds sum(counts) slots, or the ``arrival_quantile`` quantile of Poisson(Σ rate) (the total
    over the horizon is truncated there; ``Forecast.truncated_paths`` counts the paths it touched).
    Each pool slot's region (第四条 一区两群) is drawn from ``region_shares``, so the regions of a year's
    arrivals are multinomial. With a ``ceiling``, a year accepts at most ceiling − (certified, not revoked
    parks) arrivals; the others are not certified.

Veto and rectification (第二十四条, 第二十五条(二))
    veto_{i,t} ~ Bernoulli(``veto_rate``); an unqualified park's rectification succeeds (its base is paid)
    with probability ``rectification_probability``, else the base is cancelled. Future outcomes are drawn,
    so forecast years have no pending amounts.

Common random numbers
    All random numbers come from ``seed`` through independent streams (``numpy.random.SeedSequence.spawn``),
    one per kind of draw, before any policy is applied (:func:`draw`). The baseline and every reform
    (:func:`project` with another policy) see the same scores, vetoes, rectifications and arrivals, so a
    difference between them is the reform and not noise. The history up to the base year is the ledger
    under the baseline policy (the rules that were in force); a reform applies from the first forecast year.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
from scipy import stats

from hrpark_analysis.engine.forecast._threads import run_all, thread_pool
from hrpark_analysis.engine.forecast.config import ForecastConfig
from hrpark_analysis.engine.forecast.scoremodel import ScoreModel, park_effects
from hrpark_analysis.engine.forecast.start import Start
from hrpark_analysis.errors import ParameterError
from hrpark_analysis.law.policy import REGION_KEYS

_STREAMS = ("arrivals", "regions", "effects", "start", "innovations", "veto", "rectification")


@dataclass(frozen=True)
class Draws:
    """Every random number of a forecast, drawn before any policy is applied (common random numbers)."""

    years: np.ndarray  # forecast years, base_year + 1 .. horizon
    n_existing: int
    arrivals: np.ndarray  # (years, paths) requested certifications, after the pool truncation
    region: np.ndarray  # (paths, pool) index into REGION_KEYS of each arrival slot
    score: np.ndarray  # (years, paths, slots) graded scores
    veto: np.ndarray  # (years, paths, slots) bool
    rectified: np.ndarray  # (years, paths, slots) bool: rectification succeeds
    truncated_paths: int  # paths whose Poisson total passed the pool (arrivals cut at the pool size)


def _generators(seed: int | np.random.Generator) -> dict[str, np.random.Generator]:
    if isinstance(seed, np.random.Generator):
        children = seed.spawn(len(_STREAMS))
    else:
        children = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(_STREAMS))]
    return dict(zip(_STREAMS, children, strict=True))


def draw(start: Start, model: ScoreModel, config: ForecastConfig,
         rng: np.random.Generator | None = None) -> Draws:  # fmt: skip
    """Arrivals, regions, scores, vetoes and rectification outcomes for every path and slot (module doc)."""
    years = np.arange(start.base_year + 1, config.horizon + 1)
    n_years, paths = len(years), config.paths
    if n_years < 1:
        raise ParameterError(f"预测终止年 horizon={config.horizon} 应晚于基准年 {start.base_year}")
    gen = _generators(config.seed if rng is None else rng)

    if config.arrivals == "fixed":
        counts = config.per_year("arrival_counts", n_years).astype(np.int64)
        pool = int(counts.sum())
        arrivals = np.broadcast_to(counts[:, None], (n_years, paths)).copy()
        truncated = 0
    else:
        rates = config.per_year("arrival_rate", n_years).astype(float)
        pool = int(stats.poisson.ppf(config.arrival_quantile, rates.sum())) if rates.sum() > 0 else 0
        requested = gen["arrivals"].poisson(rates[:, None], size=(n_years, paths))
        cumulative = np.cumsum(requested, axis=0)
        truncated = int((cumulative[-1] > pool).sum())
        capped = np.minimum(cumulative, pool)
        arrivals = np.diff(capped, axis=0, prepend=0)
    shares = np.array([config.region_shares.get(r, 0.0) for r in REGION_KEYS])
    region = np.minimum(
        np.searchsorted(np.cumsum(shares), gen["regions"].random((paths, pool)), side="right"),
        len(REGION_KEYS) - 1,
    ).astype(np.int8)

    n_existing = len(start.parks)
    slots = max(n_existing + pool, 1)  # one never-born slot keeps the arrays non-empty
    effects = park_effects(start.evaluations, model)
    prior_mean = np.full(slots, model.mu_mean)
    prior_sd = np.full(slots, model.mu_sd)
    if n_existing and len(effects):
        where = pd.Series(np.arange(n_existing), index=start.parks["park_id"].to_numpy())
        known = effects["park_id"].isin(where.index).to_numpy()
        pos = where[effects["park_id"][known]].to_numpy()
        prior_mean[pos] = effects["mu_mean"].to_numpy()[known]
        prior_sd[pos] = effects["mu_sd"].to_numpy()[known]
    mu = prior_mean + prior_sd * gen["effects"].standard_normal((paths, slots))
    base = np.full(slots, np.nan)
    base[:n_existing] = start.base_score
    stationary = mu + model.stationary_sd * gen["start"].standard_normal((paths, slots))
    latent = np.where(np.isnan(base), stationary, base)

    # One innovation stream per year, so years can be filled on worker threads in any order.
    year_streams = gen["innovations"].spawn(n_years)
    score = np.empty((n_years, paths, slots))  # innovations first, then the scores in place
    veto = np.empty((n_years, paths, slots), dtype=bool)
    rectified = np.empty((n_years, paths, slots), dtype=bool)

    def innovations(i: int) -> None:
        year_streams[i].standard_normal(out=score[i])

    def bernoulli(stream: str, p: float, out: np.ndarray) -> None:
        for i in range(n_years):
            out[i] = gen[stream].random((paths, slots), dtype=np.float32) < p

    jobs = [*(partial(innovations, i) for i in range(n_years)),
            partial(bernoulli, "veto", config.veto_rate, veto),
            partial(bernoulli, "rectification", config.rectification_probability, rectified)]  # fmt: skip
    workers = thread_pool(config.threads)
    try:
        run_all(jobs, workers)
    finally:
        if workers is not None:
            workers.shutdown()
    for i in range(n_years):
        latent = np.clip(mu + model.phi * (latent - mu) + model.sigma * score[i], 0.0, 100.0)
        score[i] = latent if config.score_decimals is None else np.round(latent, config.score_decimals)
    return Draws(years, n_existing, arrivals, region, score, veto, rectified, truncated)
