"""第十一条 / 第十三条 / 第二十四条 / 第二十五条: what the Measures will cost in the years ahead (issue 6).

The forecast starts where the ledger stands at the base year (SPEC §7, ``ledger.build`` over the data) and
simulates every later year up to the horizon on many Monte Carlo paths at once. Each simulated year applies
the same rule functions the annual report uses: ``grading.grade_scores`` (第二十四条: pass mark, veto, 30% cap,
ties) on an array shaped (paths, slots), then ``subsidy.step`` (第十一条 150/100/50 and the 300 cap,
第二十五条 bonus, cancellation and revocation); district matching (第十三条) is the municipal payment times
the park's ratio. The only Python loop is over years.

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

Score model (第二十一条 scores out of 100), for park i in year t
    μ_i ~ N(m, τ²)                                   park effect
    s_{i,t} = μ_i + u_{i,t},  u_{i,t} = φ u_{i,t-1} + ε_{i,t},  ε ~ N(0, σ²)      AR(1) persistence
    so that s_{i,t} = μ_i + φ (s_{i,t-1} − μ_i) + ε_{i,t}.

    Fit (``score_model="fit"``), on every score up to the base year: the scores of one park are consecutive
    years, so y_i ~ N(m·1, τ² 11ᵀ + Σ_u) with Σ_u = σ²/(1−φ²)·[φ^|s−t|] (stationary start). Σ_u⁻¹ is
    tridiagonal, which gives the marginal likelihood in closed form (Woodbury and the determinant lemma):
        log L_i = −½ [T log 2π + T log σ² − log(1−φ²) + log(1 + τ² I_i) + q_i/σ² − τ² b_i²/(1 + τ² I_i)]
        q_i = (1−φ²) e_1² + Σ_{t≥2} (e_t − φ e_{t−1})²,   e = y_i − m
        I_i = 1ᵀΣ_u⁻¹1 = (1−φ)(2 + (T−2)(1−φ))/σ²
        b_i = 1ᵀΣ_u⁻¹e = (1−φ)(e_1 + e_T + (1−φ) Σ_{1<t<T} e_t)/σ²   (T = 1: (1−φ²) e_1/σ²)
    (m, τ, φ, σ) is the posterior mode (``scipy.optimize.minimize``, L-BFGS-B) under weak priors centred on
    the configured values, which is what keeps a short history (parks with 1–2 scores) sensible:
        atanh φ ~ N(atanh φ₀, κ²),  log σ ~ N(log σ₀, κ²),  log τ ~ N(log τ₀, κ²),  m ~ N(m₀, (κ τ₀)²)
    with κ = ``prior_scale``. ``score_model="fixed"`` takes φ₀, σ₀, m₀, τ₀ as they are.

    Park effects (random-effects shrinkage towards m):
        μ_i | y_i ~ N(m + τ² b_i/(1 + τ² I_i),  τ²/(1 + τ² I_i))
    a park with one score is pulled strongly towards m, a long record hardly at all.

    Simulation: on each path μ_i is drawn from that posterior (parks without scores and new parks from
    N(m, τ²)); s_{i,base} is the park's base-year score, else μ_i + σ/√(1−φ²)·z (stationary); then
        s_{i,t} = clip(μ_i + φ (s_{i,t−1} − μ_i) + σ ε_{i,t}, 0, 100)
    and the graded score is s rounded to ``score_decimals`` (evaluation scores are published rounded, which
    is what makes ties at the 30% boundary possible). φ = 1 (allowed only with σ = 0) keeps every score.

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

import difflib
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats

from hrpark_analysis.engine import ledger
from hrpark_analysis.errors import ParameterError
from hrpark_analysis.law.policy import DIMENSION_COLUMNS, REGION_KEYS, Policy
from hrpark_analysis.rules import subsidy
from hrpark_analysis.rules.grading import EXCELLENT, NOT_EVALUATED, QUALIFIED, UNQUALIFIED, grade_scores

# Numerical guards of the fit, not readings of the text: |φ| < 1 keeps the stationary variance finite and
# σ, τ stay within a range where the likelihood is finite.
_ATANH_PHI_BOUND = 3.0  # |φ| ≤ tanh 3 ≈ 0.995
_LOG_SCALE_BOUNDS = (math.log(1e-3), math.log(1e3))
_STREAMS = ("arrivals", "regions", "effects", "start", "innovations", "veto", "rectification")

#: Per-year measures of a run, each an array (years, paths). Amounts in 万元, counts of parks.
MEASURES = (
    "base_paid", "bonus", "outlay", "district_match", "pending", "cancelled",
    "active", "revoked", "newly_revoked", "arrivals",
    *(f"arrivals_{r}" for r in REGION_KEYS),
    "n_evaluated", "n_excellent", "n_qualified", "n_unqualified",
    "cumulative_outlay", "cumulative_district_match",
)  # fmt: skip


# --- configuration ---------------------------------------------------------------------------------------
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


# --- score model -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ScoreModel:
    """第二十一条 scores: park effect N(mu_mean, mu_sd²) + AR(1) deviations (phi, sigma); see the module doc."""

    phi: float
    sigma: float
    mu_mean: float
    mu_sd: float
    method: str  # "fit" (posterior mode) or "fixed"
    n_parks: int = 0  # parks with at least one score
    n_scores: int = 0
    log_likelihood: float = float("nan")
    converged: bool = True
    message: str = ""

    @property
    def stationary_sd(self) -> float:
        """sd of a park's score around its effect: σ/√(1−φ²) (0 when σ = 0)."""
        return 0.0 if self.sigma == 0 else self.sigma / math.sqrt(1 - self.phi**2)


@dataclass(frozen=True)
class _Panel:
    """Scores of each park as consecutive years, padded: values (parks, T_max), mask, lengths."""

    park_id: np.ndarray
    values: np.ndarray  # zero where masked
    mask: np.ndarray
    length: np.ndarray
    last_year: np.ndarray


def _panel(evaluations: pd.DataFrame) -> _Panel:
    scored = evaluations.dropna(subset=["score"]).sort_values(["park_id", "year"])
    codes, park_id = pd.factorize(scored["park_id"], sort=False)
    years = scored["year"].to_numpy(dtype=np.int64)
    if len(scored) == 0:
        empty = np.zeros((0, 1))
        return _Panel(
            np.array([], dtype=object), empty, empty.astype(bool), np.zeros(0, int), np.zeros(0, int)
        )
    first = pd.Series(years).groupby(codes).transform("min").to_numpy()
    pos = years - first
    rank = pd.Series(codes).groupby(codes).cumcount().to_numpy()
    if (pos != rank).any():
        # The ledger allows no missing year of an active park (第二十条), so this is a caller's frame.
        bad = park_id[codes[np.argmax(pos != rank)]]
        raise ParameterError(f"园区 {bad} 的评估年份不连续，评分模型需要逐年连续的得分")
    n = len(park_id)
    length = np.bincount(codes, minlength=n)
    values = np.zeros((n, int(length.max())))
    mask = np.zeros(values.shape, dtype=bool)
    values[codes, pos] = scored["score"].to_numpy(dtype=float)
    mask[codes, pos] = True
    last_year = first[np.r_[np.flatnonzero(np.diff(codes)), len(codes) - 1]] + length - 1
    return _Panel(np.asarray(park_id, dtype=object), values, mask, length, last_year)


def _sufficient(panel: _Panel, phi: float, mu_mean: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per park, with e = y − m: q·σ² , I·σ² and b·σ² of the module docstring (σ factored out)."""
    e = np.where(panel.mask, panel.values - mu_mean, 0.0)
    n = panel.length
    rows = np.arange(len(n))
    first = e[:, 0]
    last = e[rows, n - 1]
    innov = np.where(panel.mask[:, 1:], e[:, 1:] - phi * e[:, :-1], 0.0)
    q = (1 - phi**2) * first**2 + (innov**2).sum(axis=1)
    info = (1 - phi) * (2 + (n - 2) * (1 - phi))
    middle = e.sum(axis=1) - first - last
    b = np.where(n == 1, (1 - phi**2) * first, (1 - phi) * (first + last + (1 - phi) * middle))
    return q, info, b


def log_likelihood(panel_or_evaluations: _Panel | pd.DataFrame, phi: float, sigma: float, mu_mean: float,
                   mu_sd: float) -> np.ndarray:  # fmt: skip
    """Marginal log-likelihood of each park's scores under the score model (closed form, module doc)."""
    panel = panel_or_evaluations if isinstance(panel_or_evaluations, _Panel) else _panel(panel_or_evaluations)
    q, info, b = _sufficient(panel, phi, mu_mean)
    s2, t2 = sigma**2, mu_sd**2
    n = panel.length
    shrink = 1 + t2 * info / s2
    return -0.5 * (
        n * math.log(2 * math.pi) + n * math.log(s2) - math.log(1 - phi**2) + np.log(shrink)
        + q / s2 - t2 * (b / s2) ** 2 / shrink
    )  # fmt: skip


def park_effects(evaluations: pd.DataFrame, model: ScoreModel) -> pd.DataFrame:
    """Each scored park's effect μ_i given its scores: posterior mean and sd (random-effects shrinkage).

    Columns: park_id, n_scores, last_year, last_score, mean_score, mu_mean, mu_sd.
    """
    panel = _panel(evaluations)
    m, t2 = model.mu_mean, model.mu_sd**2
    _, info, b = _sufficient(panel, model.phi, m)
    n = panel.length
    rows = np.arange(len(n))
    if model.sigma > 0:
        shrink = 1 + t2 * info / model.sigma**2
        mean = m + t2 * (b / model.sigma**2) / shrink
        var = t2 / shrink
    elif model.phi < 1 and t2 > 0:  # no noise: the scores pin the effect down (their GLS mean)
        mean, var = m + b / info, np.zeros(len(n))
    else:  # φ = 1 scores carry no information on μ; τ = 0 fixes μ = m
        mean, var = np.full(len(n), m), np.full(len(n), t2)
    return pd.DataFrame({
        "park_id": panel.park_id, "n_scores": n, "last_year": panel.last_year,
        "last_score": panel.values[rows, n - 1], "mean_score": panel.values.sum(axis=1) / np.maximum(n, 1),
        "mu_mean": mean, "mu_sd": np.sqrt(var),
    })  # fmt: skip


def fit_score_model(evaluations: pd.DataFrame, config: ForecastConfig | None = None) -> ScoreModel:
    """第二十一条 scores: the score model of the module docstring, fitted (or fixed) from past scores."""
    config = config or ForecastConfig()
    panel = _panel(evaluations)
    n_parks, n_scores = len(panel.length), int(panel.length.sum())
    if config.score_model == "fixed":
        return ScoreModel(config.phi, config.sigma, config.mu_mean, config.mu_sd, "fixed", n_parks, n_scores)
    kappa = config.prior_scale
    centre = np.array(
        [config.mu_mean, math.log(config.mu_sd), math.atanh(config.phi), math.log(config.sigma)]
    )
    prior_sd = np.array([kappa * config.mu_sd, kappa, kappa, kappa])

    def objective(theta: np.ndarray) -> float:
        m, log_tau, z, log_sigma = theta
        ll = log_likelihood(panel, math.tanh(z), math.exp(log_sigma), m, math.exp(log_tau)).sum()
        return -(ll - 0.5 * (((theta - centre) / prior_sd) ** 2).sum())

    bounds = [(None, None), _LOG_SCALE_BOUNDS, (-_ATANH_PHI_BOUND, _ATANH_PHI_BOUND), _LOG_SCALE_BOUNDS]
    lower = [-np.inf if lo is None else lo for lo, _ in bounds]
    upper = [np.inf if hi is None else hi for _, hi in bounds]
    result = optimize.minimize(objective, np.clip(centre, lower, upper), method="L-BFGS-B", bounds=bounds)
    m, log_tau, z, log_sigma = result.x
    ll = float(log_likelihood(panel, math.tanh(z), math.exp(log_sigma), m, math.exp(log_tau)).sum())
    return ScoreModel(
        phi=math.tanh(z), sigma=math.exp(log_sigma), mu_mean=float(m), mu_sd=math.exp(log_tau), method="fit",
        n_parks=n_parks, n_scores=n_scores, log_likelihood=ll, converged=bool(result.success),
        message=str(result.message),
    )  # fmt: skip


# --- the starting point: the ledger at the base year -----------------------------------------------------
@dataclass(frozen=True)
class Start:
    """SPEC §7 ledger at the base year and each existing park's ``subsidy.State`` carried into the forecast."""

    base_year: int
    parks: pd.DataFrame  # the existing parks, in slot order
    evaluations: pd.DataFrame  # evaluations up to the base year
    history: ledger.Evaluation | None  # ledger.build up to the base year (None without parks)
    state: subsidy.State  # arrays (parks,)
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
    """SPEC §7: rebuild the ledger up to ``base_year`` (default: the latest evaluation year) and read each
    park's state from it — plaque withdrawn, run of 不合格 years, base paid against the 300 cap, total paid.

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
    state = subsidy.State.new((n,))
    base_score = np.full(n, np.nan)
    if n == 0:
        return Start(base_year, parks, evaluations, None, state, base_score)

    if parks["park_id"].duplicated().any():
        raise ParameterError("园区名单中 park_id 重复")
    history = ledger.build(parks, evaluations, policy, end_year=base_year)
    book = history.ledger
    slot = pd.Series(np.arange(n), index=parks["park_id"].to_numpy())
    now = book[book["year"] == base_year]
    pos = slot[now["park_id"]].to_numpy()
    revoked = np.zeros(n, dtype=bool)
    revoked[pos] = (now["status"] == "revoked").to_numpy()
    cum_paid = np.zeros(n)
    cum_paid[pos] = now["cumulative_paid"].to_numpy(dtype=float)
    counted = book["base_paid"] + (book["bonus"] if policy["subsidy.bonus_counts_against_cap"] else 0.0)
    by_park = counted.groupby(book["park_id"]).sum()
    cum_base = np.zeros(n)
    cum_base[slot[by_park.index].to_numpy()] = by_park.to_numpy(dtype=float)
    # 第二十五条(二) run of consecutive 不合格 evaluation years up to the base year: the unqualified rows after
    # the park's last evaluation that was not unqualified.
    evaluated = book[book["evaluated"]].sort_values(["park_id", "year"])
    unq = (evaluated["grade"] == "unqualified").to_numpy()
    owner = evaluated["park_id"].to_numpy()
    breaks = pd.Series(~unq).groupby(owner).cumsum().to_numpy()
    trailing = unq & (breaks == pd.Series(breaks).groupby(owner).transform("max").to_numpy())
    runs = pd.Series(trailing.astype(np.int64)).groupby(owner).sum()
    run = np.zeros(n, dtype=np.int64)
    run[slot[runs.index].to_numpy()] = runs.to_numpy()

    scored = evaluations[evaluations["year"] == base_year].dropna(subset=["score"])
    base_score[slot[scored["park_id"]].to_numpy()] = scored["score"].to_numpy(dtype=float)
    due = parks["certified_year"].to_numpy() + policy["evaluation.first_evaluation_offset"] <= base_year
    missing = due & ~revoked & np.isnan(base_score)
    if missing.any():
        pid = parks["park_id"].iloc[int(np.argmax(missing))]
        raise ParameterError(
            f"园区 {pid} 在基准年 {base_year} 应有评估得分(第二十条)；基准年应为最近的评估年份"
        )
    state = subsidy.State(revoked=revoked, unqualified_run=run, cum_base_paid=cum_base, cum_paid=cum_paid)
    return Start(base_year, parks, evaluations, history, state, base_score)


# --- random draws (policy-independent) -------------------------------------------------------------------
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


def _run_all(jobs: Sequence[Callable[[], None]], workers: ThreadPoolExecutor | None) -> None:
    """Run independent jobs, on the worker threads if any (numpy releases the GIL in array operations)."""
    if workers is None or len(jobs) <= 1:
        for job in jobs:
            job()
        return
    for future in [workers.submit(job) for job in jobs]:
        future.result()


def _workers(threads: int) -> ThreadPoolExecutor | None:
    return ThreadPoolExecutor(threads) if threads > 1 else None


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
    workers = _workers(config.threads)
    try:
        _run_all(jobs, workers)
    finally:
        if workers is not None:
            workers.shutdown()
    for i in range(n_years):
        latent = np.clip(mu + model.phi * (latent - mu) + model.sigma * score[i], 0.0, 100.0)
        score[i] = latent if config.score_decimals is None else np.round(latent, config.score_decimals)
    return Draws(years, n_existing, arrivals, region, score, veto, rectified, truncated)


# --- applying a policy to the draws ----------------------------------------------------------------------
@dataclass(frozen=True)
class Run:
    """One policy applied to the draws: each of ``MEASURES`` as an array (years, paths)."""

    policy: Policy
    years: np.ndarray
    measures: dict[str, np.ndarray]

    def paths_frame(self, measure: str) -> pd.DataFrame:
        """One measure as a table: a row per year, a column per path."""
        return pd.DataFrame(self.measures[measure], index=pd.Index(self.years, name="year"))


def project(start: Start, draws: Draws, policy: Policy, config: ForecastConfig,
            callback: Callable[[int], None] | None = None) -> Run:  # fmt: skip
    """第十一条/第十三条/第二十四条/第二十五条: grade and pay every simulated year on every path at once.

    Each year: arrivals are certified (up to the ``ceiling``); the parks taking part (certified, first
    evaluation year reached, plaque not withdrawn) are graded together per path with ``grade_scores``;
    ``subsidy.step`` advances every park; district matching is the year's payment times the ratio.
    Paths are independent, so a year's rules run on blocks of ``chunk_paths`` paths, ``threads`` at a time
    (numpy releases the GIL in the array operations), and only on the slots born on some path by then; the
    result does not depend on either.
    """
    grading_args = policy.section("grading")
    if grading_args["tie_policy"] == "dimension":
        raise ParameterError(
            "预测不模拟分项得分，不能使用 grading.tie_policy=dimension；请用 exclude 或 include"
        )
    step_args = subsidy.rule_arguments(policy)
    offset = policy["evaluation.first_evaluation_offset"]
    n_years, paths, slots = draws.score.shape
    n_existing = draws.n_existing
    pool = draws.region.shape[1]

    state = {
        "revoked": np.zeros((paths, slots), dtype=bool),
        "unqualified_run": np.zeros((paths, slots), dtype=np.int64),
        "cum_base_paid": np.zeros((paths, slots)),
        "cum_paid": np.zeros((paths, slots)),
    }
    for name, values in state.items():
        values[:, :n_existing] = getattr(start.state, name)
    certified_year = np.full((paths, slots), np.iinfo(np.int64).max // 2, dtype=np.int64)  # unborn
    certified_year[:, :n_existing] = start.parks["certified_year"].to_numpy(dtype=np.int64)
    born = np.zeros((paths, slots), dtype=bool)
    born[:, :n_existing] = True
    match = np.full(slots, float(policy["subsidy.district_match_ratio"]))  # new parks: the default ratio
    if n_existing:
        match[:n_existing] = ledger.district_match_ratios(start.parks["district"], policy)
    pool_index = np.arange(pool)
    n_born = np.zeros(paths, dtype=np.int64)
    blocks = [slice(a, min(a + config.chunk_paths, paths)) for a in range(0, paths, config.chunk_paths)]

    out = {m: np.zeros((n_years, paths)) for m in MEASURES}

    def advance(i: int, rows: slice, cols: slice, since: np.ndarray, taking_part: np.ndarray) -> None:
        block = (rows, cols)
        graded = grade_scores(draws.score[i][block], draws.veto[i][block], taking_part[rows], None,
                              **grading_args, with_rank=False)  # fmt: skip
        before = subsidy.State(**{name: values[block] for name, values in state.items()})
        after, amounts = subsidy.step(
            before, since[rows], graded.grade, draws.rectified[i][block], **step_args
        )
        for name, values in state.items():  # step returns new arrays, so the views can be overwritten
            values[block] = getattr(after, name)
        paid = amounts.base_paid + amounts.bonus
        out["base_paid"][i, rows] = amounts.base_paid.sum(axis=1)
        out["bonus"][i, rows] = amounts.bonus.sum(axis=1)
        out["district_match"][i, rows] = (paid * match[cols]).sum(axis=1)
        out["pending"][i, rows] = amounts.pending.sum(axis=1)
        out["cancelled"][i, rows] = amounts.cancelled.sum(axis=1)
        out["active"][i, rows] = (amounts.certified & ~amounts.revoked).sum(axis=1)
        out["revoked"][i, rows] = amounts.revoked.sum(axis=1)
        out["newly_revoked"][i, rows] = amounts.newly_revoked.sum(axis=1)
        out["n_evaluated"][i, rows] = (graded.grade != NOT_EVALUATED).sum(axis=1)
        out["n_excellent"][i, rows] = (graded.grade == EXCELLENT).sum(axis=1)
        out["n_qualified"][i, rows] = (graded.grade == QUALIFIED).sum(axis=1)
        out["n_unqualified"][i, rows] = (graded.grade == UNQUALIFIED).sum(axis=1)

    workers = _workers(config.threads)
    try:
        for i, year in enumerate(_progress(draws.years, config.progress)):
            year = int(year)
            arrivals = draws.arrivals[i]
            if config.ceiling is not None:
                active_now = (born & (certified_year <= year) & ~state["revoked"]).sum(axis=1)
                arrivals = np.minimum(arrivals, np.maximum(config.ceiling - active_now, 0))
            newly = (pool_index >= n_born[:, None]) & (pool_index < (n_born + arrivals)[:, None])
            n_born += arrivals
            born[:, n_existing : n_existing + pool] |= newly
            certified_year[:, n_existing : n_existing + pool][newly] = year
            out["arrivals"][i] = arrivals
            for r, key in enumerate(REGION_KEYS):
                out[f"arrivals_{key}"][i] = (newly & (draws.region == r)).sum(axis=1)

            # Slots past the last one born on any path are unborn everywhere: no grade, no amount, no change.
            cols = slice(0, n_existing + int(n_born.max(initial=0)))
            if cols.stop > 0:
                alive, cert = born[:, cols], certified_year[:, cols]
                since = np.where(alive, year - cert, -1)
                taking_part = alive & (cert + offset <= year) & ~state["revoked"][:, cols]
                _run_all([partial(advance, i, rows, cols, since, taking_part) for rows in blocks], workers)
            if callback is not None:
                callback(year)
    finally:
        if workers is not None:
            workers.shutdown()
    out["outlay"] = out["base_paid"] + out["bonus"]
    out["cumulative_outlay"] = np.cumsum(out["outlay"], axis=0)
    out["cumulative_district_match"] = np.cumsum(out["district_match"], axis=0)
    return Run(policy, draws.years, out)


def _progress(years: np.ndarray, enabled: bool) -> Iterable:
    if not enabled:
        return years
    from tqdm import tqdm

    return tqdm(years, desc="forecast", unit="年")


# --- summaries -------------------------------------------------------------------------------------------
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


# --- the whole forecast ----------------------------------------------------------------------------------
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
