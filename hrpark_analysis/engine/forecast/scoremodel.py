"""第二十一条 scores: the forecast's model of each park's yearly score, its likelihood and its fit.

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
    with κ = ``prior_scale``. The mode is rounded to ``fit_decimals`` (default 3) before it is used, so that
    scipy versions whose optimisers stop a hair apart give the same forecast. ``score_model="fixed"`` takes
    φ₀, σ₀, m₀, τ₀ as they are.

    Park effects (random-effects shrinkage towards m):
        μ_i | y_i ~ N(m + τ² b_i/(1 + τ² I_i),  τ²/(1 + τ² I_i))
    a park with one score is pulled strongly towards m, a long record hardly at all.

    Simulation: on each path μ_i is drawn from that posterior (parks without scores and new parks from
    N(m, τ²)); s_{i,base} is the park's base-year score, else μ_i + σ/√(1−φ²)·z (stationary); then
        s_{i,t} = clip(μ_i + φ (s_{i,t−1} − μ_i) + σ ε_{i,t}, 0, 100)
    and the graded score is s rounded to ``score_decimals`` (evaluation scores are published rounded, which
    is what makes ties at the 30% boundary possible). φ = 1 (allowed only with σ = 0) keeps every score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import optimize

from hrpark_analysis.engine.forecast.config import ForecastConfig
from hrpark_analysis.errors import ParameterError

# Numerical guards of the fit, not readings of the text: |φ| < 1 keeps the stationary variance finite and
# σ, τ stay within a range where the likelihood is finite.
_ATANH_PHI_BOUND = 3.0  # |φ| ≤ tanh 3 ≈ 0.995
_LOG_SCALE_BOUNDS = (math.log(1e-3), math.log(1e3))


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
    phi, sigma, mu_mean, mu_sd = math.tanh(z), math.exp(log_sigma), float(m), math.exp(log_tau)
    if config.fit_decimals is not None:
        # Stated precision (ForecastConfig.fit_decimals): the forecast must not depend on where a given scipy's
        # optimiser happened to stop. The bounds keep σ, τ ≥ 1e-3 and |φ| ≤ 0.995, so rounding to ≥ 3 decimals
        # keeps them valid; the likelihood below is that of the rounded model, the one simulated.
        phi, sigma, mu_mean, mu_sd = (round(v, config.fit_decimals) for v in (phi, sigma, mu_mean, mu_sd))
        sigma, mu_sd = max(sigma, 10.0**-config.fit_decimals), max(mu_sd, 10.0**-config.fit_decimals)
    ll = float(log_likelihood(panel, phi, sigma, mu_mean, mu_sd).sum())
    return ScoreModel(
        phi=phi, sigma=sigma, mu_mean=mu_mean, mu_sd=mu_sd, method="fit",
        n_parks=n_parks, n_scores=n_scores, log_likelihood=ll, converged=bool(result.success),
        message=str(result.message),
    )  # fmt: skip
