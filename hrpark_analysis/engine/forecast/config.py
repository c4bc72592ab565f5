"""Issue 6: the forecast's scenario and model parameters (:class:`ForecastConfig`) and what a run measures.

Every default is a scenario assumption documented next to it, not a reading of the Measures.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

import numpy as np

from hrpark_analysis.errors import ParameterError
from hrpark_analysis.law.policy import REGION_KEYS

#: Per-year measures of a run, each an array (years, paths). Amounts in 万元, counts of parks.
MEASURES = (
    "base_paid", "bonus", "outlay", "district_match", "pending", "cancelled",
    "active", "revoked", "newly_revoked", "arrivals",
    *(f"arrivals_{r}" for r in REGION_KEYS),
    "n_evaluated", "n_excellent", "n_qualified", "n_unqualified",
    "cumulative_outlay", "cumulative_district_match",
)  # fmt: skip


@dataclass(frozen=True)
class ForecastConfig:
    """Scenario and model parameters of a forecast (issue 6); every default is documented here.

    The defaults are scenario assumptions, not readings of the Measures: a notebook or params file is
    expected to set them (``ForecastConfig.from_mapping``).
    """

    horizon: int = 2030  # last forecast year (issue 6: "default to 2030")
    paths: int = 2000  # Monte Carlo paths
    seed: int = 20211222  # the Measures' date (渝人社发〔2021〕57号, 2021-12-22); any integer
    arrivals: str = "poisson"  # "fixed" | "poisson" new certifications a year
    arrival_counts: int | tuple[int, ...] = 1  # fixed: one count for every year or one per forecast year
    arrival_rate: float | tuple[float, ...] = 1.0  # poisson: mean a year, or one per forecast year
    arrival_quantile: float = 1 - 1e-6  # poisson: the pool of arrival slots covers this quantile of the total
    region_shares: Mapping[str, float] = field(
        default_factory=lambda: {"main_city": 0.6, "northeast": 0.25, "southeast": 0.15}
    )  # 第四条 一区两群: share of new parks by region (assumption, near the sample's 18/7/5 of 30 parks)
    ceiling: int | None = None  # at most this many certified, not revoked parks ("1+10+N": about 10)
    score_model: str = "fit"  # "fit": estimate from past scores; "fixed": use phi, sigma, mu_mean, mu_sd
    phi: float = 0.5  # AR(1) persistence φ (fit: prior centre)
    sigma: float = 5.0  # innovation sd σ, points (fit: prior centre)
    mu_mean: float = 75.0  # mean m of park effects, points (fit: prior centre)
    mu_sd: float = 8.0  # sd τ of park effects, points (fit: prior centre)
    prior_scale: float = 1.0  # κ: prior sd of atanh φ, log σ, log τ (and of m in units of τ₀)
    # The fitted m, τ, φ, σ are rounded to this many decimals before simulating (None: as the optimiser left
    # them). L-BFGS-B stops ~1e-6 apart under different scipy versions, which moved table cells in the 2nd
    # decimal; 3 decimals (a thousandth of a point, of φ) is far finer than the fit's own uncertainty and makes
    # every supported scipy give the same forecast.
    fit_decimals: int | None = 3
    score_decimals: int | None = 2  # graded scores rounded as the sheet rounds them (None: unrounded)
    veto_rate: float = 0.02  # 第二十四条 一票否决: yearly probability per evaluated park
    rectification_probability: float = 0.8  # 第二十五条(二): an unqualified park's rectification succeeds
    budget: float | Mapping[int, float] | None = None  # yearly budget line of municipal outlay, 万元
    quantiles: tuple[float, ...] = (0.05, 0.5, 0.95)  # reported besides the mean
    progress: bool = False  # a tqdm bar over the years on the terminal
    threads: int = 2  # worker threads for the rules (this machine has 2 cores); results do not depend on it
    chunk_paths: int = 1000  # paths per block handed to a thread (smaller blocks stay in cache)

    def __post_init__(self) -> None:
        for name in ("arrival_counts", "arrival_rate", "quantiles"):
            value = getattr(self, name)
            if isinstance(value, list):
                object.__setattr__(self, name, tuple(value))
        if isinstance(self.budget, Mapping):
            object.__setattr__(self, "budget", {int(k): float(v) for k, v in self.budget.items()})
        if (msg := self._problem()) is not None:
            raise ParameterError(f"预测参数无效: {msg}")

    def _problem(self) -> str | None:
        if not isinstance(self.paths, int) or self.paths < 1:
            return f"paths 应为正整数，实际为 {self.paths!r}"
        for name in ("threads", "chunk_paths"):
            if not isinstance(getattr(self, name), int) or getattr(self, name) < 1:
                return f"{name} 应为正整数，实际为 {getattr(self, name)!r}"
        if self.arrivals not in ("fixed", "poisson"):
            return f"arrivals 应为 fixed 或 poisson，实际为 {self.arrivals!r}"
        counts = np.atleast_1d(np.asarray(self.arrival_counts))
        if counts.dtype.kind not in "iu" or (counts < 0).any():
            return f"arrival_counts 应为非负整数或其列表，实际为 {self.arrival_counts!r}"
        rates = np.atleast_1d(np.asarray(self.arrival_rate, dtype=float))
        if not np.isfinite(rates).all() or (rates < 0).any():
            return f"arrival_rate 应为非负数或其列表，实际为 {self.arrival_rate!r}"
        if not 0 < self.arrival_quantile < 1:
            return f"arrival_quantile 应在 (0, 1) 之间，实际为 {self.arrival_quantile!r}"
        unknown = set(self.region_shares) - set(REGION_KEYS)
        if unknown:
            return f"region_shares 的区域应为 {', '.join(REGION_KEYS)}，实际有 {sorted(unknown)[0]}"
        shares = np.array(list(self.region_shares.values()), dtype=float)
        if (shares < 0).any() or not math.isclose(shares.sum(), 1.0, abs_tol=1e-9):
            return f"region_shares 应为非负且合计为 1，实际为 {dict(self.region_shares)}"
        if self.ceiling is not None and (not isinstance(self.ceiling, int) or self.ceiling < 0):
            return f"ceiling 应为非负整数或不设，实际为 {self.ceiling!r}"
        if self.score_model not in ("fit", "fixed"):
            return f"score_model 应为 fit 或 fixed，实际为 {self.score_model!r}"
        if self.score_model == "fit":
            if not -1 < self.phi < 1 or self.sigma <= 0 or self.mu_sd <= 0 or self.prior_scale <= 0:
                return "score_model=fit 需要 -1 < phi < 1，sigma、mu_sd、prior_scale 大于 0(作为先验中心)"
        else:
            if not -1 < self.phi <= 1 or self.sigma < 0 or self.mu_sd < 0:
                return "score_model=fixed 需要 -1 < phi <= 1，sigma、mu_sd 不小于 0"
            if self.phi == 1 and self.sigma != 0:
                return "phi = 1 只能与 sigma = 0 一起使用(否则没有平稳分布)"
        # Fewer than 3 decimals could round a fitted |φ| ≤ 0.995 to 1 (no stationary distribution).
        if self.fit_decimals is not None and (
            not isinstance(self.fit_decimals, int) or self.fit_decimals < 3
        ):
            return f"fit_decimals 应为不小于 3 的整数或不设，实际为 {self.fit_decimals!r}"
        if self.score_decimals is not None and (
            not isinstance(self.score_decimals, int) or self.score_decimals < 0
        ):
            return f"score_decimals 应为非负整数或不设，实际为 {self.score_decimals!r}"
        for name in ("veto_rate", "rectification_probability"):
            if not 0 <= getattr(self, name) <= 1:
                return f"{name} 应在 [0, 1] 之间，实际为 {getattr(self, name)!r}"
        if any(not 0 < q < 1 for q in self.quantiles):
            return f"quantiles 应在 (0, 1) 之间，实际为 {self.quantiles!r}"
        return None

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> ForecastConfig:
        """A config from a params file's mapping; an unknown key is an error that suggests the right one."""
        names = [f.name for f in fields(cls)]
        for key in values:
            if key not in names:
                hint = difflib.get_close_matches(str(key), names, n=1)
                raise ParameterError(f"未知的预测参数 {key}" + (f"；是否想用 {hint[0]}？" if hint else ""))
        return cls(**dict(values))

    def per_year(self, name: str, n_years: int) -> np.ndarray:
        """``arrival_counts`` or ``arrival_rate`` as one value per forecast year."""
        value = np.atleast_1d(np.asarray(getattr(self, name)))
        if value.size == 1:
            return np.repeat(value, n_years)
        if value.size != n_years:
            raise ParameterError(
                f"{name} 应为一个数或每个预测年份一个数({n_years} 个)，实际为 {value.size} 个"
            )
        return value
