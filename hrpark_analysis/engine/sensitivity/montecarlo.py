"""第二十四条: grades under expert-score noise, at the baseline and over the whole (share, pass mark) grid.

Per-park P(优秀) and P(不合格), expected counts with intervals, rank intervals, coin-toss parks and Kendall's tau,
all from the grid kernel of :mod:`hrpark_analysis.rules.grid` run on each chunk of draws and kept as exact
integer counts (see that module for why one sort per draw gives the whole grid).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from hrpark_analysis.engine.sensitivity.draws import (
    DEFAULT_SCORE_RANGE,
    DEFAULT_SIGMA,
    DIMENSION_NOISE,
    Progress,
    draw_scores,
    drawn_dimensions,
    progress_callback,
    resolve_seed,
)
from hrpark_analysis.engine.sensitivity.tallies import (
    column_runs,
    hist_quantile,
    kendall_tau,
    merge_value_counts,
    qname,
    values_quantile,
)
from hrpark_analysis.rules.grading import EXCELLENT, GRADE_NAMES, QUALIFIED, UNQUALIFIED
from hrpark_analysis.rules.grid import (
    DEFAULT_PASS_MARKS,
    DEFAULT_SHARES,
    dimension_keys,
    grades_from_positions,
    grid_positions,
    grid_rules,
)

DEFAULT_DRAWS = 10_000
DEFAULT_CHUNK_SIZE = 4096
DEFAULT_QUANTILES = (0.05, 0.95)
DEFAULT_COIN_TOSS_BAND = (0.2, 0.8)
DEFAULT_TAU_DRAWS = 10_000  # Kendall's tau costs O(parks²) per draw: at most the first 10,000 draws
_TAU_ROWS = 1024  # memory only: draws per Kendall's tau batch


@dataclass(frozen=True)
class MonteCarlo:
    """Counts over the draws of :func:`monte_carlo`; probabilities and summaries are derived on demand.

    Every array is an exact integer count (or a per-draw value) so results do not depend on the chunk size.
    """

    park_ids: np.ndarray
    score: np.ndarray  # recorded
    sigma: np.ndarray  # per park
    shares: np.ndarray  # sorted, baseline included
    pass_marks: np.ndarray
    base_j: int
    base_k: int
    draws: int
    seed: int
    excellent_bonus: float
    base_due: np.ndarray
    quantiles: tuple[float, float]
    coin_toss_band: tuple[float, float]
    recorded_grade: np.ndarray  # at the baseline, no noise
    recorded_rank: np.ndarray
    excellent_counts: np.ndarray  # (parks, shares, marks): draws in which the park is 优秀
    unqualified_counts: np.ndarray  # (parks, marks)
    rank_counts: np.ndarray  # (parks, parks + 1): draws with rank r (1 = best)
    n_excellent_counts: np.ndarray  # (shares, marks, parks + 1): draws with that many 优秀 parks
    n_unqualified_counts: np.ndarray  # (marks, parks + 1)
    at_risk_values: tuple[np.ndarray, np.ndarray, np.ndarray]  # (mark index, value, draws): distribution
    tau: np.ndarray  # Kendall's tau-b of each draw (the first ``tau_draws``) against the recorded scores

    @property
    def p_excellent(self) -> np.ndarray:
        """(parks, shares, marks) probability of 优秀."""
        return self.excellent_counts / self.draws

    @property
    def p_unqualified(self) -> np.ndarray:
        """(parks, marks) probability of 不合格."""
        return self.unqualified_counts / self.draws

    def parks(self) -> pd.DataFrame:
        """Per park at the baseline: P(优秀), P(合格), P(不合格), rank mean and interval, coin toss flag."""
        lo, hi = self.coin_toss_band
        p_exc = self.p_excellent[:, self.base_j, self.base_k]
        p_unq = self.p_unqualified[:, self.base_k]
        ranks = np.arange(self.rank_counts.shape[1])
        words = np.array([GRADE_NAMES[c] for c in (UNQUALIFIED, QUALIFIED, EXCELLENT)], dtype=object)
        frame = pd.DataFrame({
            "park_id": self.park_ids, "score": self.score, "sigma": self.sigma,
            "grade": words[self.recorded_grade], "rank": self.recorded_rank,
            "p_excellent": p_exc, "p_qualified": 1.0 - p_exc - p_unq, "p_unqualified": p_unq,
            "rank_mean": self.rank_counts @ ranks / self.draws,
        })  # fmt: skip
        for q in self.quantiles:
            frame[f"rank_{qname(q)}"] = hist_quantile(self.rank_counts, q)
        frame["coin_toss"] = ((p_exc >= lo) & (p_exc <= hi)) | ((p_unq >= lo) & (p_unq <= hi))
        return frame

    def coin_tosses(self) -> pd.DataFrame:
        """The parks whose baseline grade is a coin toss: P(优秀) or P(不合格) inside ``coin_toss_band``."""
        frame = self.parks()
        return frame[frame["coin_toss"]].reset_index(drop=True)

    def counts(self) -> pd.DataFrame:
        """Per (share, pass mark): mean and quantiles of the 优秀 / 不合格 counts, the bonus and the subsidy at risk."""
        n_s, n_m = len(self.shares), len(self.pass_marks)
        values = np.arange(self.n_excellent_counts.shape[-1])
        share = np.repeat(self.shares, n_m)
        mark = np.tile(self.pass_marks, n_s)
        exc = self.n_excellent_counts.reshape(n_s * n_m, -1)
        unq = np.tile(self.n_unqualified_counts, (n_s, 1))
        at_risk_mean = self.base_due @ self.unqualified_counts / self.draws
        frame = pd.DataFrame({"share": share, "pass_mark": mark})
        frame["n_excellent_mean"] = exc @ values / self.draws
        for q in self.quantiles:
            frame[f"n_excellent_{qname(q)}"] = hist_quantile(exc, q)
        frame["n_unqualified_mean"] = unq @ values / self.draws
        for q in self.quantiles:
            frame[f"n_unqualified_{qname(q)}"] = hist_quantile(unq, q)
        frame["bonus_mean"] = frame["n_excellent_mean"] * self.excellent_bonus
        for q in self.quantiles:
            frame[f"bonus_{qname(q)}"] = frame[f"n_excellent_{qname(q)}"] * self.excellent_bonus
        frame["at_risk_mean"] = np.tile(at_risk_mean, n_s)
        keys, vals, cnts = self.at_risk_values
        for q in self.quantiles:
            per_mark = [values_quantile(vals[keys == k], cnts[keys == k], q) for k in range(n_m)]
            frame[f"at_risk_{qname(q)}"] = np.tile(per_mark, n_s)
        frame["is_baseline"] = (share == self.shares[self.base_j]) & (mark == self.pass_marks[self.base_k])
        return frame

    def park_heatmap(self, park_id: Any, kind: str = "excellent") -> pd.DataFrame:
        """One park's P(优秀) (``kind="excellent"``) or P(不合格) over the grid: rows pass marks, columns shares."""
        i = int(np.flatnonzero(self.park_ids == park_id)[0])
        if kind == "excellent":
            p = self.p_excellent[i].T
        elif kind == "unqualified":
            p = np.repeat(self.p_unqualified[i][:, None], len(self.shares), axis=1)
        else:
            raise ValueError(f"unknown kind {kind!r}: excellent or unqualified")
        return pd.DataFrame(
            p, index=pd.Index(self.pass_marks, name="pass_mark"), columns=pd.Index(self.shares, name="share")
        )

    def tau_summary(self) -> pd.Series:
        """Kendall's tau between each draw's ranking and the recorded one: draws used, mean and quantiles."""
        tau = self.tau[np.isfinite(self.tau)]
        out = {"draws": len(self.tau), "mean": float(tau.mean()) if len(tau) else np.nan}
        for q in self.quantiles:
            out[qname(q)] = float(np.quantile(tau, q, method="inverted_cdf")) if len(tau) else np.nan
        return pd.Series(out)


def monte_carlo(
    score: np.ndarray,
    veto: np.ndarray | None = None,
    base_due: np.ndarray | None = None,
    *,
    excellent_bonus: float,
    sigma: float | np.ndarray = DEFAULT_SIGMA,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = None,
    dimensions: Mapping[str, np.ndarray] | None = None,
    park_ids: Sequence | None = None,
    shares: Sequence[float] = DEFAULT_SHARES,
    pass_marks: Sequence[float] = DEFAULT_PASS_MARKS,
    noise: Any = scipy.stats.norm,
    score_range: tuple[float, float] = DEFAULT_SCORE_RANGE,
    resolution: float | None = None,
    dimension_noise: str = "fixed",
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    quantiles: tuple[float, float] = DEFAULT_QUANTILES,
    coin_toss_band: tuple[float, float] = DEFAULT_COIN_TOSS_BAND,
    tau_draws: int | None = DEFAULT_TAU_DRAWS,
    progress: Progress = None,
    **grading_args: Any,
) -> MonteCarlo:
    """第二十四条: grades under expert-score noise, at the baseline and over the whole (share, pass mark) grid.

    Each draw perturbs every park's total (:func:`draw_scores`; ``sigma`` a number or one per park, e.g.
    from :func:`sigma_from_experts`); vetoes stay as recorded. For ``tie_policy="dimension"`` the subtotals
    stay as recorded (``dimension_noise="fixed"``) or scale with the drawn total (``"proportional"``); with
    continuous noise ties are rare but handled exactly. Draws are processed ``chunk_size`` at a time (memory
    is O(chunk × parks × grid) for the counts, O(parks × grid) for what is kept); results do not depend on
    the chunk size. Kendall's tau (O(parks²) per draw) uses the first ``tau_draws`` draws (all when None). ``progress``: True
    shows a tqdm bar, a callable gets (draws done, draws); default off so notebooks stay clean.
    """
    score = np.asarray(score, dtype=float)
    n = len(score)
    veto = np.zeros(n, bool) if veto is None else np.asarray(veto, dtype=bool)
    base_due = np.zeros(n) if base_due is None else np.asarray(base_due, dtype=float)
    ids = np.asarray(park_ids if park_ids is not None else np.arange(1, n + 1))
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), (n,)).copy()
    if (sigma < 0).any() or not np.isfinite(sigma).all():
        raise ValueError("sigma must be finite and >= 0")
    if draws < 1 or chunk_size < 1:
        raise ValueError("draws and chunk_size must be positive")
    if dimension_noise not in DIMENSION_NOISE:
        raise ValueError(f"unknown dimension_noise {dimension_noise!r}")
    rules = grid_rules(score, veto, dimensions, shares, pass_marks, grading_args)
    dims = dimension_keys(dimensions, rules.tie_break_order, n) if rules.tie_policy == "dimension" else []
    seed = resolve_seed(seed)
    n_s, n_m = len(rules.shares), len(rules.pass_marks)
    n_tau = draws if tau_draws is None else min(draws, tau_draws)
    pairs = np.triu_indices(n, 1)

    # the recorded (noise-free) outcome, for reference
    rec_rank, _, rec_j, rec_k = grid_positions(rules, score[None, :], dims)
    recorded_grade = grades_from_positions(rec_j[0], rec_k[0], n_s, n_m)[rules.base_j, rules.base_k]

    park_jk = np.zeros(n * (n_s + 1) * (n_m + 1), dtype=np.int64)
    park_k = np.zeros(n * (n_m + 1), dtype=np.int64)
    rank_counts = np.zeros(n * (n + 1), dtype=np.int64)
    at_least = np.zeros((n + 1) * (n_s + 1) * (n_m + 1), dtype=np.int64)  # (v, J_(v), K_(v))
    unq_at_least = np.zeros((n + 1) * (n_m + 1), dtype=np.int64)  # (v, K_(v)) over all parks
    risk_keys, risk_vals, risk_cnts = np.empty(0, np.int64), np.empty(0), np.empty(0, np.int64)
    tau = np.empty(n_tau)
    park_index = np.arange(n)

    update, close = progress_callback(progress, draws)
    try:
        for start in range(0, draws, chunk_size):
            stop = min(start + chunk_size, draws)
            d = stop - start
            drawn = draw_scores(
                score, sigma, stop, seed=seed, start=start, noise=noise, score_range=score_range,
                resolution=resolution,
            )  # fmt: skip
            keys = drawn_dimensions(dims, score, drawn, dimension_noise)
            rank, eligible, j, k = grid_positions(rules, drawn, keys)

            # per park: histogram of (J, K), turned into grid counts by cumulative sums at the end
            park_jk += np.bincount(
                ((park_index * (n_s + 1) + j) * (n_m + 1) + k).ravel(), minlength=park_jk.size
            )
            park_k += np.bincount((park_index * (n_m + 1) + k).ravel(), minlength=park_k.size)
            rank_counts += np.bincount((park_index * (n + 1) + rank).ravel(), minlength=rank_counts.size)

            # per draw, the 优秀 set at (j, k) is the shorter of two prefixes of the score order (min_cap
            # ≤ cap[j]; passing mark k), so at least v parks are 优秀 iff the v-th smallest J is ≤ j and the
            # v-th largest K among eligible parks is > k: one (v, J_(v), K_(v)) histogram entry per v and draw
            j_sorted = np.sort(j, axis=1)  # ineligible parks have J = n_shares: never
            k_sorted = -np.sort(-np.where(eligible, k, 0), axis=1)
            v_index = np.arange(1, n + 1)[None, :]
            at_least += np.bincount(
                ((v_index * (n_s + 1) + j_sorted) * (n_m + 1) + k_sorted).ravel(), minlength=at_least.size
            )
            k_all = -np.sort(-k, axis=1)  # 不合格 count at mark k: parks with K <= k, i.e. n - #{K > k}
            unq_at_least += np.bincount((v_index * (n_m + 1) + k_all).ravel(), minlength=unq_at_least.size)

            rows = np.arange(d)[:, None]
            weights = np.broadcast_to(base_due, (d, n)).ravel()
            risk = np.cumsum(
                np.bincount((rows * (n_m + 1) + k).ravel(), weights=weights, minlength=d * (n_m + 1)).reshape(
                    d, n_m + 1
                ),
                axis=1,
            )[:, :n_m]
            new_keys, new_vals, new_cnts = column_runs(risk)
            risk_keys, risk_vals, risk_cnts = merge_value_counts(
                np.concatenate([risk_keys, new_keys]),
                np.concatenate([risk_vals, new_vals]),
                np.concatenate([risk_cnts, new_cnts]),
            )

            for lo in range(start, min(stop, n_tau), _TAU_ROWS):  # bounded memory: rows × pairs
                hi = min(lo + _TAU_ROWS, stop, n_tau)
                tau[lo:hi] = kendall_tau(drawn[lo - start : hi - start], score, pairs)
            update(stop)
    finally:
        close()

    hist = park_jk.reshape(n, n_s + 1, n_m + 1)
    by_share = np.cumsum(hist, axis=1)[:, :n_s, :]  # J <= j
    excellent_counts = np.cumsum(by_share[:, :, ::-1], axis=2)[:, :, ::-1][:, :, 1:]  # and K > k
    unqualified_counts = np.cumsum(park_k.reshape(n, n_m + 1), axis=1)[:, :n_m]
    # draws with at least v 优秀 parks at (j, k): J_(v) <= j and K_(v) > k; v = 0 holds in every draw
    g = np.cumsum(at_least.reshape(n + 1, n_s + 1, n_m + 1), axis=1)[:, :n_s, :]
    g = np.cumsum(g[:, :, ::-1], axis=2)[:, :, ::-1][:, :, 1:]
    g[0] = draws
    ge = np.concatenate([g, np.zeros((1, n_s, n_m), np.int64)])
    n_exc_counts = np.moveaxis(ge[:-1] - ge[1:], 0, -1)  # (shares, marks, v): exactly v 优秀 parks
    # parks passing mark k: at least v of them iff K_(v) > k; 不合格 = n - passing
    h = np.cumsum(unq_at_least.reshape(n + 1, n_m + 1)[:, ::-1], axis=1)[:, ::-1][:, 1:]
    h[0] = draws
    he = np.concatenate([h, np.zeros((1, n_m), np.int64)])
    n_passing = (he[:-1] - he[1:]).T  # (marks, v): exactly v parks pass
    n_unq_counts = n_passing[:, ::-1]  # exactly n - v 不合格
    return MonteCarlo(
        park_ids=ids,
        score=score,
        sigma=sigma,
        shares=rules.shares,
        pass_marks=rules.pass_marks,
        base_j=rules.base_j,
        base_k=rules.base_k,
        draws=draws,
        seed=seed,
        excellent_bonus=float(excellent_bonus),
        base_due=base_due,
        quantiles=tuple(quantiles),
        coin_toss_band=tuple(coin_toss_band),
        recorded_grade=recorded_grade,
        recorded_rank=rec_rank[0],
        excellent_counts=excellent_counts,
        unqualified_counts=unqualified_counts,
        rank_counts=rank_counts.reshape(n, n + 1),
        n_excellent_counts=np.ascontiguousarray(n_exc_counts),
        n_unqualified_counts=np.ascontiguousarray(n_unq_counts),
        at_risk_values=(risk_keys, risk_vals, risk_cnts),
        tau=tau,
    )
