"""第二十四条: how much one year's grades depend on the 30% cap, the 60-point mark and every reading of the text.

Four questions (issue 5), all on one year's participants given as plain arrays (``year_inputs`` builds them
from an evaluation frame):

1. :func:`sweep` — the deterministic (share, pass mark) grid: counts, which parks change grade against the
   baseline, bonuses paid and subsidies put at risk.
2. :func:`readings` — tie policy, cap rounding, inclusive pass mark and veto side by side.
3. :func:`monte_carlo` — expert-score noise: per-park P(优秀) and P(不合格) at the baseline and over the whole
   grid, expected counts with intervals, rank intervals, coin-toss parks, Kendall's tau.
4. :func:`sobol_indices` — Sobol indices (SALib) of the fiscal outputs against the policy parameters and σ.

Why it is fast (the grid never re-grades): in one evaluation every park gets two numbers that do not depend on
the grid point.

- ``min_cap``: the smallest number of 优秀 places that makes the park 优秀 *once it is a candidate*. Candidates
  are the parks not vetoed (and at or above ``excellent_min_score``) whose score passes the mark; everyone who
  ranks above a candidate passes too, so the count of eligible parks ranked above it (``include``: +1) or at
  or above it (``exclude`` / ``dimension``: its tie group's end) is the same at every pass mark.
- ``passes``: the number of grid pass marks the score passes (``searchsorted``; 0 for a vetoed park).

A park is 优秀 at (share j, pass mark k) iff ``min_cap <= cap[j]`` and ``k < passes``, and 不合格 iff
``k >= passes``. Both sets are prefixes of the same score order, so the 优秀 count is
``min(#{min_cap <= cap[j]}, #{eligible, k < passes})``: at least v parks are 优秀 iff the v-th smallest
share index and the v-th largest pass count allow it, so the distribution of the count over the whole grid is
one histogram of n entries per draw. Per-park probabilities over the grid are a histogram of (park, share
index, pass-mark index). Cumulative sums turn both into grid counts; one sort per draw gives everything. Tests hold this against a loop that re-grades every draw and grid point with
``grading.grade_scores`` (tests/test_sensitivity.py).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.stats

from hrpark_analysis.law.policy import DIMENSION_COLUMNS
from hrpark_analysis.rules.grading import (
    EXCELLENT,
    GRADE_NAMES,
    QUALIFIED,
    UNQUALIFIED,
    excellent_cap,
    grade_scores,
)
from hrpark_analysis.rules.subsidy import scheduled_base

# --- defaults (each one is a keyword argument of the functions below) ---------------------------------------
DEFAULT_SHARES = np.round(np.arange(5, 51) / 100, 2)  # 5% .. 50% step 1%: 46 values, exact decimals
DEFAULT_PASS_MARKS = np.arange(50, 81).astype(float)  # 50 .. 80 step 1: 31 values
DEFAULT_SIGMA = 2.0  # points of the 100-point total
DEFAULT_SCORE_RANGE = (0.0, 100.0)  # 第二十四条: "总分为100分"; draws are clipped to it
DEFAULT_DRAWS = 10_000
DEFAULT_CHUNK_SIZE = 4096
DEFAULT_QUANTILES = (0.05, 0.95)
DEFAULT_COIN_TOSS_BAND = (0.2, 0.8)
DIMENSION_NOISE = ("fixed", "proportional")
# Noise is generated in blocks of this many draws, block b from SeedSequence(seed, spawn_key=(b,)), so a
# draw is the same whatever chunk size processes it. Changing this constant changes every seeded result.
NOISE_BLOCK = 1024
READING_OPTIONS: dict[str, tuple] = {
    "tie_policy": ("exclude", "include", "dimension"),
    "cap_rounding": ("floor", "round", "ceil"),
    "pass_mark_inclusive": (False, True),
    "veto_enabled": (True, False),
}
SOBOL_BOUNDS: dict[str, tuple[float, float]] = {
    "excellent_share": (0.05, 0.50),
    "pass_mark": (50.0, 80.0),
    "sigma": (0.0, 4.0),
}
SOBOL_CATEGORIES: dict[str, tuple] = {
    "tie_policy": ("exclude", "include", "dimension"),
    "cap_rounding": ("floor", "round", "ceil"),
    "pass_mark_inclusive": (False, True),
}
SOBOL_OUTPUTS = ("total_bonus", "n_unqualified", "at_risk")
DEFAULT_SOBOL_N = 256  # SALib base sample (a power of 2); rows = N × (factors + 2)
DEFAULT_SOBOL_NOISE_DRAWS = 64
DEFAULT_SOBOL_RESAMPLES = 100
DEFAULT_CONF_LEVEL = 0.95
DEFAULT_TAU_DRAWS = 10_000  # Kendall's tau costs O(parks²) per draw: at most the first 10,000 draws
_TAU_ROWS = 1024  # memory only: draws per Kendall's tau batch
_SOBOL_ROWS_PER_CHUNK = 256  # memory only: rows × noise draws × parks evaluated at once

Progress = bool | Callable[[int, int], None] | None


# --- inputs -------------------------------------------------------------------------------------------------
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
    parks: pd.DataFrame | None = None,
) -> YearInputs:
    """第十一条 / 第二十五条(二): one year's participants as arrays, with each park's subsidy at risk.

    ``evaluations`` has one row per park and year: park_id, year (optional when the frame holds one year),
    score, and optionally veto and the subtotals score_economic / score_role / score_operations; the rows of
    ``year`` are taken. certified_year comes from the frame or from ``parks`` (``Dataset.parks``). The subsidy
    at risk is that year's base due, ``scheduled_base(year - certified_year) × grade_factor["unqualified"]``:
    what would be pending, then cancelled, if the park stays 不合格. The 300 cap and revocation are ignored
    (both need the earlier years: see ``ledger.build``).
    """
    frame = evaluations[evaluations["year"] == year] if "year" in evaluations else evaluations
    if "certified_year" not in frame:
        if parks is None:
            raise ValueError("certified_year is needed: pass parks or add the column")
        frame = frame.merge(parks[["park_id", "certified_year"]], on="park_id", how="left", validate="1:1")
    park_ids = frame["park_id"].to_numpy()
    score = frame["score"].to_numpy(dtype=float)
    veto = frame["veto"].eq(True).to_numpy() if "veto" in frame else np.zeros(len(frame), bool)
    dims = None
    if all(c in frame for c in DIMENSION_COLUMNS):
        values = {c: frame[c].to_numpy(dtype=float) for c in DIMENSION_COLUMNS}
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


# --- the rules as prepared for the fast kernel -------------------------------------------------------------
@dataclass(frozen=True)
class _Rules:
    n: int
    shares: np.ndarray  # sorted, the baseline share included
    pass_marks: np.ndarray  # sorted, the baseline pass mark included
    caps: np.ndarray  # 优秀 places per share (nondecreasing)
    base_j: int
    base_k: int
    pass_side: str  # searchsorted side: how many grid marks a score passes
    vetoed: np.ndarray  # effective veto (veto_enabled applied)
    tie_policy: str
    tie_break_order: tuple[str, ...]
    excellent_min_score: float | None


def _grid(values: Sequence[float], baseline: float) -> tuple[np.ndarray, int]:
    grid = np.union1d(np.asarray(values, dtype=float), [float(baseline)])
    return grid, int(np.flatnonzero(grid == float(baseline))[0])


def _rules(
    score: np.ndarray,
    veto: np.ndarray,
    dimensions: Mapping[str, np.ndarray] | None,
    shares: Sequence[float],
    pass_marks: Sequence[float],
    grading_args: Mapping[str, Any],
) -> _Rules:
    args = dict(grading_args)
    if not np.isfinite(score).all():
        raise ValueError("scores must be finite: pass only this year's participants")
    tie_policy = args["tie_policy"]
    if tie_policy not in READING_OPTIONS["tie_policy"]:
        raise ValueError(f"unknown tie_policy {tie_policy!r}")
    if tie_policy == "dimension":
        _dimension_keys(dimensions, args["tie_break_order"], len(score))
    shares_grid, base_j = _grid(shares, args["excellent_share"])
    if not ((shares_grid > 0) & (shares_grid <= 1)).all():
        raise ValueError("excellent shares must lie in (0, 1]")
    pms, base_k = _grid(pass_marks, args["pass_mark"])
    n = len(score)
    caps = np.array(
        [int(excellent_cap(n, excellent_share=s, cap_rounding=args["cap_rounding"])) for s in shares_grid]
    )
    return _Rules(
        n=n,
        shares=shares_grid,
        pass_marks=pms,
        caps=caps,
        base_j=base_j,
        base_k=base_k,
        # exclusive reading: a score passes mark m iff score >= m (count of marks <= score);
        # inclusive (《民法典》第一千二百五十九条): iff score > m (count of marks < score)
        pass_side="left" if args["pass_mark_inclusive"] else "right",
        vetoed=(np.asarray(veto, dtype=bool) & bool(args["veto_enabled"])),
        tie_policy=tie_policy,
        tie_break_order=tuple(args["tie_break_order"]),
        excellent_min_score=args["excellent_min_score"],
    )


def _dimension_keys(dimensions: Mapping[str, np.ndarray] | None, order: Sequence[str], n: int) -> list:
    if dimensions is None or any(name not in dimensions for name in order):
        raise ValueError("tie_policy='dimension' needs the subtotals named in tie_break_order")
    keys = [np.asarray(dimensions[name], dtype=float) for name in order]
    if any(k.shape != (n,) or not np.isfinite(k).all() for k in keys):
        raise ValueError("tie_policy='dimension' needs a finite subtotal for every park")
    return keys


def _rank_and_min_cap(
    score: np.ndarray, eligible: np.ndarray, extra_keys: Sequence[np.ndarray], include: bool
) -> tuple[np.ndarray, np.ndarray]:
    """第二十四条: one sort per row → each park's rank and the smallest cap that makes it 优秀 if a candidate.

    ``score`` and ``eligible`` are (draws, parks); ``extra_keys`` (tie-break subtotals) broadcast to them.
    rank = 1 + parks with a strictly higher score (as ``grade_scores``). min_cap counts eligible parks
    ranked strictly above (``include``: +1) or at or above (``exclude``/``dimension``) by the full key.
    """
    d, n = score.shape
    if extra_keys:
        keys = [np.broadcast_to(k, score.shape) for k in extra_keys]
        order = np.lexsort([-k for k in reversed(keys)] + [-score], axis=-1)
    else:
        keys = []
        order = np.argsort(-score, axis=-1, kind="stable")
    s_sorted = np.take_along_axis(score, order, axis=-1)
    new_score = np.ones((d, n), dtype=bool)
    new_score[:, 1:] = s_sorted[:, 1:] != s_sorted[:, :-1]
    new_key = new_score.copy()
    for k in keys:
        k_sorted = np.take_along_axis(k, order, axis=-1)
        new_key[:, 1:] |= k_sorted[:, 1:] != k_sorted[:, :-1]
    idx = np.arange(n, dtype=np.int64)
    score_start = np.maximum.accumulate(np.where(new_score, idx, 0), axis=-1)
    cum = np.zeros((d, n + 1), dtype=np.int64)
    np.cumsum(np.take_along_axis(eligible, order, axis=-1), axis=-1, out=cum[:, 1:])
    if include:
        key_start = np.maximum.accumulate(np.where(new_key, idx, 0), axis=-1)
        min_cap_sorted = np.take_along_axis(cum, key_start, axis=-1) + 1
    else:
        ends_here = np.ones((d, n), dtype=bool)
        ends_here[:, :-1] = new_key[:, 1:]
        key_end = np.minimum.accumulate(np.where(ends_here, idx + 1, n)[:, ::-1], axis=-1)[:, ::-1]
        min_cap_sorted = np.take_along_axis(cum, key_end, axis=-1)
    rank = np.empty((d, n), dtype=np.int64)
    min_cap = np.empty((d, n), dtype=np.int64)
    np.put_along_axis(rank, order, score_start + 1, axis=-1)
    np.put_along_axis(min_cap, order, min_cap_sorted, axis=-1)
    return rank, min_cap


def _positions(
    rules: _Rules, score: np.ndarray, dims: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per draw and park: rank, eligible, share index J (优秀 from J on) and marks passed K (不合格 from K on)."""
    eligible = np.broadcast_to(~rules.vetoed, score.shape)
    if rules.excellent_min_score is not None:
        eligible = eligible & (score >= rules.excellent_min_score)
    rank, min_cap = _rank_and_min_cap(score, eligible, dims, include=rules.tie_policy == "include")
    # J: the first share whose cap reaches min_cap (min_cap is 1 … n + 1, so a lookup table)
    first_share = np.searchsorted(rules.caps, np.arange(rules.n + 2), side="left")
    j = np.where(eligible, first_share[min_cap], len(rules.shares))
    k = np.where(rules.vetoed, 0, np.searchsorted(rules.pass_marks, score, side=rules.pass_side))
    return rank, eligible, j, k


def _grades_from_positions(j: np.ndarray, k: np.ndarray, n_shares: int, n_marks: int) -> np.ndarray:
    """Grades (…, shares, marks, parks) from J and K of shape (…, parks)."""
    js = np.arange(n_shares)[:, None, None]
    ks = np.arange(n_marks)[None, :, None]
    jj, kk = j[..., None, None, :], k[..., None, None, :]
    unq = kk <= ks
    exc = ~unq & (jj <= js)
    return np.where(unq, UNQUALIFIED, np.where(exc, EXCELLENT, QUALIFIED)).astype(np.int8)


# --- 1. the deterministic sweep -----------------------------------------------------------------------------
def grid_grades(
    score: np.ndarray,
    veto: np.ndarray | None = None,
    *,
    dimensions: Mapping[str, np.ndarray] | None = None,
    shares: Sequence[float] = DEFAULT_SHARES,
    pass_marks: Sequence[float] = DEFAULT_PASS_MARKS,
    **grading_args: Any,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """第二十四条: every park's grade at every (share, pass mark); returns (grades[S, P, parks], shares, marks).

    The grids come back sorted with the baseline (``excellent_share``, ``pass_mark``) included.
    """
    score = np.asarray(score, dtype=float)
    veto = np.zeros(score.shape, bool) if veto is None else np.asarray(veto, dtype=bool)
    rules = _rules(score, veto, dimensions, shares, pass_marks, grading_args)
    dims = (
        _dimension_keys(dimensions, rules.tie_break_order, rules.n) if rules.tie_policy == "dimension" else []
    )
    _, _, j, k = _positions(rules, score[None, :], dims)
    grades = _grades_from_positions(j[0], k[0], len(rules.shares), len(rules.pass_marks))
    return grades, rules.shares, rules.pass_marks


def _joined(ids: np.ndarray, mask: np.ndarray) -> str:
    return ", ".join(str(x) for x in ids[mask])


def _change_columns(ids: np.ndarray, base: np.ndarray, grade: np.ndarray) -> dict[str, Any]:
    return {
        "n_changed": int((grade != base).sum()),
        "to_excellent": _joined(ids, (grade == EXCELLENT) & (base != EXCELLENT)),
        "from_excellent": _joined(ids, (base == EXCELLENT) & (grade != EXCELLENT)),
        "to_unqualified": _joined(ids, (grade == UNQUALIFIED) & (base != UNQUALIFIED)),
        "from_unqualified": _joined(ids, (base == UNQUALIFIED) & (grade != UNQUALIFIED)),
    }


def sweep(
    score: np.ndarray,
    veto: np.ndarray | None = None,
    base_due: np.ndarray | None = None,
    *,
    excellent_bonus: float,
    dimensions: Mapping[str, np.ndarray] | None = None,
    park_ids: Sequence | None = None,
    shares: Sequence[float] = DEFAULT_SHARES,
    pass_marks: Sequence[float] = DEFAULT_PASS_MARKS,
    **grading_args: Any,
) -> pd.DataFrame:
    """第二十四条 / 第二十五条: one year's outcome at every (excellent share, pass mark) of the grid.

    ``grading_args`` are the grading section of the policy (``**policy.section("grading")``); its
    ``excellent_share`` and ``pass_mark`` are the baseline, always on the grid (``is_baseline``). One row per
    grid point: cap, counts per grade, ``bonus`` (``excellent_bonus`` per 优秀 park, 第二十五条(一)),
    ``at_risk`` (sum of ``base_due`` over 不合格 parks, 第二十五条(二)) and the parks whose grade differs from the
    baseline (``to_excellent`` … as comma-joined park ids).
    """
    score = np.asarray(score, dtype=float)
    n = len(score)
    ids = np.asarray(park_ids if park_ids is not None else np.arange(1, n + 1))
    base_due = np.zeros(n) if base_due is None else np.asarray(base_due, dtype=float)
    grades, shares_grid, marks = grid_grades(
        score, veto, dimensions=dimensions, shares=shares, pass_marks=pass_marks, **grading_args
    )
    base_j = int(np.flatnonzero(shares_grid == float(grading_args["excellent_share"]))[0])
    base_k = int(np.flatnonzero(marks == float(grading_args["pass_mark"]))[0])
    base = grades[base_j, base_k]
    caps = [
        int(excellent_cap(n, excellent_share=s, cap_rounding=grading_args["cap_rounding"]))
        for s in shares_grid
    ]
    rows = []
    for j, share in enumerate(shares_grid):
        for k, mark in enumerate(marks):
            g = grades[j, k]
            n_exc = int((g == EXCELLENT).sum())
            rows.append({
                "share": float(share), "pass_mark": float(mark), "cap": caps[j],
                "n_excellent": n_exc, "n_qualified": int((g == QUALIFIED).sum()),
                "n_unqualified": int((g == UNQUALIFIED).sum()),
                "bonus": n_exc * float(excellent_bonus),
                "at_risk": float(base_due[g == UNQUALIFIED].sum()),
                "is_baseline": j == base_j and k == base_k,
                **_change_columns(ids, base, g),
            })  # fmt: skip
    return pd.DataFrame(rows)


def heatmap(
    frame: pd.DataFrame, value: str, *, index: str = "pass_mark", columns: str = "share"
) -> pd.DataFrame:
    """A long (share, pass mark) table as a matrix for a heatmap: rows pass marks, columns shares."""
    return frame.pivot(index=index, columns=columns, values=value)


def grade_changes(
    score: np.ndarray,
    veto: np.ndarray | None = None,
    *,
    dimensions: Mapping[str, np.ndarray] | None = None,
    park_ids: Sequence | None = None,
    shares: Sequence[float] = DEFAULT_SHARES,
    pass_marks: Sequence[float] = DEFAULT_PASS_MARKS,
    **grading_args: Any,
) -> pd.DataFrame:
    """第二十四条: a tidy table (share, pass_mark, park_id, baseline_grade, grade) of every grade that differs."""
    score = np.asarray(score, dtype=float)
    ids = np.asarray(park_ids if park_ids is not None else np.arange(1, len(score) + 1))
    grades, shares_grid, marks = grid_grades(
        score, veto, dimensions=dimensions, shares=shares, pass_marks=pass_marks, **grading_args
    )
    base_j = int(np.flatnonzero(shares_grid == float(grading_args["excellent_share"]))[0])
    base_k = int(np.flatnonzero(marks == float(grading_args["pass_mark"]))[0])
    base = grades[base_j, base_k]
    j, k, i = np.nonzero(grades != base[None, None, :])
    words = np.array([GRADE_NAMES[c] for c in (UNQUALIFIED, QUALIFIED, EXCELLENT)], dtype=object)
    return pd.DataFrame({
        "share": shares_grid[j], "pass_mark": marks[k], "park_id": ids[i],
        "baseline_grade": words[base[i]], "grade": words[grades[j, k, i]],
    })  # fmt: skip


# --- 2. readings of the text ----------------------------------------------------------------------------------
def readings(
    score: np.ndarray,
    veto: np.ndarray | None = None,
    base_due: np.ndarray | None = None,
    *,
    excellent_bonus: float,
    dimensions: Mapping[str, np.ndarray] | None = None,
    park_ids: Sequence | None = None,
    mode: str = "one_at_a_time",
    options: Mapping[str, Sequence] = READING_OPTIONS,
    **grading_args: Any,
) -> pd.DataFrame:
    """第二十四条: what each reading of the text changes for this year's parks against the baseline.

    Readings are ``tie_policy`` (exclude / include / dimension), ``cap_rounding`` (floor / round / ceil),
    ``pass_mark_inclusive`` (《民法典》第一千二百五十九条) and ``veto_enabled``. ``mode="one_at_a_time"`` changes
    one of them from the baseline per row; ``mode="all"`` takes every combination. Without complete subtotals
    the ``dimension`` reading is left out. One row per reading: its parameters, ``changed`` (which differ
    from the baseline), counts, bonus, at_risk, cap_exceeded, ties_excluded and the parks that change grade.
    """
    score = np.asarray(score, dtype=float)
    n = len(score)
    ids = np.asarray(park_ids if park_ids is not None else np.arange(1, n + 1))
    veto = np.zeros(n, bool) if veto is None else np.asarray(veto, dtype=bool)
    base_due = np.zeros(n) if base_due is None else np.asarray(base_due, dtype=float)
    opts = {name: list(values) for name, values in options.items()}
    if dimensions is None and "dimension" in opts.get("tie_policy", []):
        opts["tie_policy"].remove("dimension")
    baseline = {name: grading_args[name] for name in opts}
    if mode == "one_at_a_time":
        combos = [dict(baseline)]
        for name, values in opts.items():
            combos += [{**baseline, name: v} for v in values if v != baseline[name]]
    elif mode == "all":
        combos = [dict(zip(opts, values, strict=True)) for values in itertools.product(*opts.values())]
    else:
        raise ValueError(f"unknown mode {mode!r}: one_at_a_time or all")

    base = grade_scores(score, veto, None, dimensions, **grading_args).grade
    rows = []
    for combo in combos:
        result = grade_scores(score, veto, None, dimensions, **{**grading_args, **combo})
        g = result.grade
        changed = [name for name in opts if combo[name] != baseline[name]]
        rows.append({
            **combo, "changed": ", ".join(changed) if changed else "baseline",
            "cap": int(result.cap), "n_excellent": int(result.n_excellent),
            "n_qualified": int((g == QUALIFIED).sum()), "n_unqualified": int((g == UNQUALIFIED).sum()),
            "bonus": int(result.n_excellent) * float(excellent_bonus),
            "at_risk": float(base_due[g == UNQUALIFIED].sum()),
            "cap_exceeded": bool(result.cap_exceeded), "ties_excluded": bool(result.ties_excluded),
            **_change_columns(ids, base, g),
        })  # fmt: skip
    return pd.DataFrame(rows)


# --- 3. Monte Carlo scoring uncertainty -----------------------------------------------------------------------
def resolve_seed(seed: int | None) -> int:
    """The seed a run used: ``seed`` itself, or fresh OS entropy recorded so the run can be repeated."""
    return int(np.random.SeedSequence(seed).entropy)


def draw_scores(
    score: np.ndarray,
    sigma: float | np.ndarray,
    stop: int,
    *,
    seed: int,
    start: int = 0,
    noise: Any = scipy.stats.norm,
    score_range: tuple[float, float] = DEFAULT_SCORE_RANGE,
    resolution: float | None = None,
) -> np.ndarray:
    """第二十四条 (experts' totals are noisy): draws ``start`` … ``stop`` − 1 of every park's total score.

    Draw = recorded + σ × Z with Z from ``noise`` (any scipy.stats distribution, frozen or not; standard
    normal by default), rounded to ``resolution`` points if given, clipped to ``score_range``. Z comes in
    fixed blocks of ``NOISE_BLOCK`` draws from ``SeedSequence(seed, spawn_key=(block,))``, so draw i is the
    same whichever chunk asks for it.
    """
    score = np.asarray(score, dtype=float)
    sigma = np.broadcast_to(np.asarray(sigma, dtype=float), score.shape)
    first, last = start // NOISE_BLOCK, -(-stop // NOISE_BLOCK)
    blocks = []
    for b in range(first, last):
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(b,))))
        blocks.append(np.asarray(noise.rvs(size=(NOISE_BLOCK, len(score)), random_state=rng), dtype=float))
    z = np.concatenate(blocks)[start - first * NOISE_BLOCK : stop - first * NOISE_BLOCK]
    drawn = score + sigma * z
    if resolution is not None:
        drawn = np.round(drawn / resolution) * resolution
    return np.clip(drawn, *score_range)


def _drawn_dimensions(dims: Sequence[np.ndarray], recorded: np.ndarray, drawn: np.ndarray, how: str) -> list:
    if how == "fixed" or not dims:
        return list(dims)
    # proportional: every subtotal scaled by drawn / recorded total (a recorded total of 0 keeps them)
    ratio = np.divide(drawn, recorded, out=np.ones_like(drawn), where=recorded != 0)
    return [k * ratio for k in dims]


def _hist_quantile(counts: np.ndarray, q: float) -> np.ndarray:
    """The ``inverted_cdf`` quantile (as ``numpy.quantile``) of integer values 0… from histograms on the last axis."""
    total = counts.sum(axis=-1, keepdims=True)
    target = np.ceil(total * q - 1).clip(0, None)  # the same float arithmetic as numpy's inverted_cdf index
    cum = np.cumsum(counts, axis=-1)
    return (cum <= target).sum(axis=-1)


def _values_quantile(values: np.ndarray, counts: np.ndarray, q: float) -> float:
    order = np.argsort(values, kind="stable")
    total = counts.sum()
    target = max(math.ceil(total * q - 1), 0)
    return float(values[order][int((np.cumsum(counts[order]) <= target).sum())])


def _column_runs(values: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(column, value, count) of every distinct value in each column of a (rows, columns) array."""
    rows = values.shape[0]
    srt = np.sort(values, axis=0).T
    new = np.ones(srt.shape, dtype=bool)
    new[:, 1:] = srt[:, 1:] != srt[:, :-1]
    col, pos = np.nonzero(new)
    nxt = np.full(len(pos), rows)
    same_col = col[1:] == col[:-1]
    nxt[:-1][same_col] = pos[1:][same_col]
    return col, srt[col, pos], nxt - pos


def _merge_value_counts(keys: np.ndarray, values: np.ndarray, counts: np.ndarray) -> tuple:
    order = np.lexsort((values, keys))
    keys, values, counts = keys[order], values[order], counts[order]
    new = np.ones(len(keys), dtype=bool)
    new[1:] = (keys[1:] != keys[:-1]) | (values[1:] != values[:-1])
    starts = np.flatnonzero(new)
    return keys[starts], values[starts], np.add.reduceat(counts, starts) if len(starts) else counts


def _kendall_tau(drawn: np.ndarray, recorded: np.ndarray, pairs: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Kendall's tau-b of each row of ``drawn`` against ``recorded``, vectorized over pairs of parks.

    The same arithmetic as ``scipy.stats.kendalltau`` (tau-b: (C − D) / √(pairs − x ties) / √(pairs − y
    ties), NaN when one side is all tied), checked equal to it in the tests.
    """
    iu, ju = pairs
    tot = len(iu)
    sx = np.sign(recorded[iu] - recorded[ju])
    x_untied = tot - int((sx == 0).sum())
    sy = np.sign(drawn[:, iu] - drawn[:, ju])
    con_minus_dis = sy @ sx
    y_untied = tot - (sy == 0).sum(axis=-1)
    ok = (x_untied > 0) & (y_untied > 0)
    tau = np.full(len(drawn), np.nan)
    tau[ok] = con_minus_dis[ok] / np.sqrt(x_untied) / np.sqrt(y_untied[ok])
    return np.clip(tau, -1.0, 1.0, out=tau, where=ok)


def _progress_callback(progress: Progress, total: int) -> tuple[Callable[[int], None], Callable[[], None]]:
    if progress is None or progress is False:
        return (lambda done: None), (lambda: None)
    if progress is True:
        from tqdm.auto import tqdm

        bar = tqdm(total=total, unit="draw", leave=False)
        state = {"done": 0}

        def update(done: int) -> None:
            bar.update(done - state["done"])
            state["done"] = done

        return update, bar.close
    return (lambda done: progress(done, total)), (lambda: None)


def _qname(q: float) -> str:
    return f"p{q * 100:g}"


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
            frame[f"rank_{_qname(q)}"] = _hist_quantile(self.rank_counts, q)
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
            frame[f"n_excellent_{_qname(q)}"] = _hist_quantile(exc, q)
        frame["n_unqualified_mean"] = unq @ values / self.draws
        for q in self.quantiles:
            frame[f"n_unqualified_{_qname(q)}"] = _hist_quantile(unq, q)
        frame["bonus_mean"] = frame["n_excellent_mean"] * self.excellent_bonus
        for q in self.quantiles:
            frame[f"bonus_{_qname(q)}"] = frame[f"n_excellent_{_qname(q)}"] * self.excellent_bonus
        frame["at_risk_mean"] = np.tile(at_risk_mean, n_s)
        keys, vals, cnts = self.at_risk_values
        for q in self.quantiles:
            per_mark = [_values_quantile(vals[keys == k], cnts[keys == k], q) for k in range(n_m)]
            frame[f"at_risk_{_qname(q)}"] = np.tile(per_mark, n_s)
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
            out[_qname(q)] = float(np.quantile(tau, q, method="inverted_cdf")) if len(tau) else np.nan
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
    rules = _rules(score, veto, dimensions, shares, pass_marks, grading_args)
    dims = _dimension_keys(dimensions, rules.tie_break_order, n) if rules.tie_policy == "dimension" else []
    seed = resolve_seed(seed)
    n_s, n_m = len(rules.shares), len(rules.pass_marks)
    n_tau = draws if tau_draws is None else min(draws, tau_draws)
    pairs = np.triu_indices(n, 1)

    # the recorded (noise-free) outcome, for reference
    rec_rank, _, rec_j, rec_k = _positions(rules, score[None, :], dims)
    recorded_grade = _grades_from_positions(rec_j[0], rec_k[0], n_s, n_m)[rules.base_j, rules.base_k]

    park_jk = np.zeros(n * (n_s + 1) * (n_m + 1), dtype=np.int64)
    park_k = np.zeros(n * (n_m + 1), dtype=np.int64)
    rank_counts = np.zeros(n * (n + 1), dtype=np.int64)
    at_least = np.zeros((n + 1) * (n_s + 1) * (n_m + 1), dtype=np.int64)  # (v, J_(v), K_(v))
    unq_at_least = np.zeros((n + 1) * (n_m + 1), dtype=np.int64)  # (v, K_(v)) over all parks
    risk_keys, risk_vals, risk_cnts = np.empty(0, np.int64), np.empty(0), np.empty(0, np.int64)
    tau = np.empty(n_tau)
    park_index = np.arange(n)

    update, close = _progress_callback(progress, draws)
    try:
        for start in range(0, draws, chunk_size):
            stop = min(start + chunk_size, draws)
            d = stop - start
            drawn = draw_scores(
                score, sigma, stop, seed=seed, start=start, noise=noise, score_range=score_range,
                resolution=resolution,
            )  # fmt: skip
            keys = _drawn_dimensions(dims, score, drawn, dimension_noise)
            rank, eligible, j, k = _positions(rules, drawn, keys)

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
            new_keys, new_vals, new_cnts = _column_runs(risk)
            risk_keys, risk_vals, risk_cnts = _merge_value_counts(
                np.concatenate([risk_keys, new_keys]),
                np.concatenate([risk_vals, new_vals]),
                np.concatenate([risk_cnts, new_cnts]),
            )

            for lo in range(start, min(stop, n_tau), _TAU_ROWS):  # bounded memory: rows × pairs
                hi = min(lo + _TAU_ROWS, stop, n_tau)
                tau[lo:hi] = _kendall_tau(drawn[lo - start : hi - start], score, pairs)
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


# --- 4. global sensitivity (Sobol) ----------------------------------------------------------------------------
def _decode(u: np.ndarray, values: Sequence) -> np.ndarray:
    """A uniform [0, 1) factor mapped to one of ``values`` by floor(u × k) (the last one for u = 1)."""
    index = np.minimum((np.asarray(u) * len(values)).astype(np.int64), len(values) - 1)
    return np.asarray(values, dtype=object)[index]


def sobol_indices(
    score: np.ndarray,
    veto: np.ndarray | None = None,
    base_due: np.ndarray | None = None,
    *,
    excellent_bonus: float,
    dimensions: Mapping[str, np.ndarray] | None = None,
    sigma: float = DEFAULT_SIGMA,
    bounds: Mapping[str, tuple[float, float]] = SOBOL_BOUNDS,
    categories: Mapping[str, Sequence] = SOBOL_CATEGORIES,
    outputs: Sequence[str] = SOBOL_OUTPUTS,
    n_base: int = DEFAULT_SOBOL_N,
    noise_draws: int = DEFAULT_SOBOL_NOISE_DRAWS,
    seed: int | None = None,
    noise: Any = scipy.stats.norm,
    score_range: tuple[float, float] = DEFAULT_SCORE_RANGE,
    dimension_noise: str = "fixed",
    num_resamples: int = DEFAULT_SOBOL_RESAMPLES,
    conf_level: float = DEFAULT_CONF_LEVEL,
    progress: Progress = None,
    **grading_args: Any,
) -> pd.DataFrame:
    """第二十四条 / 第二十五条: Sobol indices of total bonus, number 不合格 and subsidy at risk (SALib).

    Factors: the continuous ``bounds`` (``excellent_share``, ``pass_mark``, ``sigma``; uniform) and the
    ``categories`` (``tie_policy``, ``cap_rounding``, ``pass_mark_inclusive``; ``veto_enabled`` may be added),
    each sampled as uniform [0, 1) and mapped to a category by floor(u × k): the indices of a categorical
    factor are those of that step function of u, which gives every category equal weight. Factors not listed
    keep their ``grading_args`` value (``sigma`` its argument). Samples: ``SALib.sample.sobol.sample(problem,
    n_base, calc_second_order=False)``, N × (factors + 2) rows. Each row's output is the mean over the same
    ``noise_draws`` standard draws (common random numbers: draw = recorded + σ × Z with Z fixed across
    rows). Without complete subtotals the ``dimension`` tie policy is left out of the categories.

    Returns one row per (output, factor): S1, S1_conf, ST, ST_conf (confidence half-widths at
    ``conf_level``, SALib bootstrap), the factor kind and the output's mean and standard deviation. An output
    that does not vary over the sample has undefined indices (NaN).
    """
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    score = np.asarray(score, dtype=float)
    n = len(score)
    veto = np.zeros(n, bool) if veto is None else np.asarray(veto, dtype=bool)
    base_due = np.zeros(n) if base_due is None else np.asarray(base_due, dtype=float)
    unknown = set(outputs) - set(SOBOL_OUTPUTS)
    if unknown:
        raise ValueError(f"unknown outputs {sorted(unknown)}: choose from {SOBOL_OUTPUTS}")
    cats = {name: list(values) for name, values in categories.items()}
    if dimensions is None and "dimension" in cats.get("tie_policy", []):
        cats["tie_policy"].remove("dimension")
    names = list(bounds) + list(cats)
    problem = {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(map(float, bounds[name])) for name in bounds] + [[0.0, 1.0]] * len(cats),
    }
    seeds = np.random.SeedSequence(resolve_seed(seed)).generate_state(3)
    # SALib's analyze treats a seed of 0 as "no seed": keep every derived seed nonzero
    sample_seed, noise_seed, analyze_seed = (int(s) | 1 for s in seeds)
    x = sobol_sample.sample(problem, n_base, calc_second_order=False, seed=sample_seed)
    rows = len(x)
    factor = {
        name: (x[:, i] if name in bounds else _decode(x[:, i], cats[name])) for i, name in enumerate(names)
    }
    per_row = {}
    for name in (
        "excellent_share",
        "pass_mark",
        "tie_policy",
        "cap_rounding",
        "pass_mark_inclusive",
        "veto_enabled",
    ):
        per_row[name] = factor.get(name, np.full(rows, grading_args[name], dtype=object))
    sigmas = np.asarray(factor.get("sigma", np.full(rows, sigma)), dtype=float)
    z = draw_scores(
        np.zeros(n), 1.0, noise_draws, seed=noise_seed, noise=noise, score_range=(-np.inf, np.inf)
    )
    caps = np.array([
        int(excellent_cap(n, excellent_share=float(s), cap_rounding=str(r)))
        for s, r in zip(per_row["excellent_share"], per_row["cap_rounding"], strict=True)
    ])  # fmt: skip
    pms = np.asarray(per_row["pass_mark"], dtype=float)
    inclusive = np.asarray(per_row["pass_mark_inclusive"], dtype=bool)
    veto_on = np.asarray(per_row["veto_enabled"], dtype=bool)
    tie = np.asarray(per_row["tie_policy"], dtype=object)
    if any(t == "dimension" for t in tie):
        dims = _dimension_keys(dimensions, grading_args["tie_break_order"], n)
    else:
        dims = []
    min_score = grading_args["excellent_min_score"]

    n_exc = np.empty(rows)
    n_unq = np.empty(rows)
    at_risk = np.empty(rows)
    update, close = _progress_callback(progress, rows)
    try:
        for lo in range(0, rows, _SOBOL_ROWS_PER_CHUNK):
            hi = min(lo + _SOBOL_ROWS_PER_CHUNK, rows)
            r = np.arange(lo, hi)
            drawn = np.clip(score + sigmas[r, None, None] * z[None], *score_range)  # (rows, draws, parks)
            vetoed = veto[None, None, :] & veto_on[r, None, None]
            eligible = ~vetoed
            if min_score is not None:
                eligible = eligible & (drawn >= min_score)
            eligible = np.broadcast_to(eligible, drawn.shape)
            flat = drawn.reshape(-1, n)
            min_cap = np.empty(flat.shape, dtype=np.int64)
            for policy in np.unique(tie[r]).tolist():
                in_policy = np.repeat(tie[r] == policy, noise_draws)
                keys = (
                    _drawn_dimensions(dims, score, flat[in_policy], dimension_noise)
                    if policy == "dimension"
                    else []
                )
                _, min_cap[in_policy] = _rank_and_min_cap(
                    flat[in_policy], eligible.reshape(-1, n)[in_policy], keys, include=policy == "include"
                )
            min_cap = min_cap.reshape(drawn.shape)
            mark = pms[r, None, None]
            passes = np.where(inclusive[r, None, None], drawn > mark, drawn >= mark)
            excellent = eligible & passes & (min_cap <= caps[r, None, None])
            unqualified = vetoed | ~passes
            n_exc[lo:hi] = excellent.sum(axis=-1).mean(axis=-1)
            n_unq[lo:hi] = unqualified.sum(axis=-1).mean(axis=-1)
            at_risk[lo:hi] = (unqualified * base_due).sum(axis=-1).mean(axis=-1)
            update(hi)
    finally:
        close()

    values = {"total_bonus": n_exc * float(excellent_bonus), "n_unqualified": n_unq, "at_risk": at_risk}
    frames = []
    for output in outputs:
        y = values[output]
        if np.ptp(y) == 0:
            s1 = s1c = st = stc = np.full(len(names), np.nan)
        else:
            result = sobol_analyze.analyze(
                problem, y, calc_second_order=False, num_resamples=num_resamples, conf_level=conf_level,
                seed=analyze_seed,
            )  # fmt: skip
            s1, s1c, st, stc = (np.asarray(result[key]) for key in ("S1", "S1_conf", "ST", "ST_conf"))
        frames.append(pd.DataFrame({
            "output": output, "factor": names,
            "kind": ["continuous" if name in bounds else "categorical" for name in names],
            "S1": s1, "S1_conf": s1c, "ST": st, "ST_conf": stc,
            "output_mean": float(y.mean()), "output_std": float(y.std()),
        }))  # fmt: skip
    return pd.concat(frames, ignore_index=True)
