"""第二十四条 over a grid of (excellent_share, pass_mark): every grade at every grid point from one sort.

Pure array functions of the rule in :mod:`hrpark_analysis.rules.grading` — its tie groups
(:func:`~hrpark_analysis.rules.grading.tie_groups`), its boundary treatment
(:func:`~hrpark_analysis.rules.grading.places_needed`), its pass mark
(:func:`~hrpark_analysis.rules.grading.pass_side`) and its cap — laid out so that the grid never re-grades.
The sensitivity analysis (``engine/sensitivity``) runs them over Monte Carlo draws.

Why it is fast: in one evaluation every park gets two numbers that do not depend on the grid point.

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
index, pass-mark index). Cumulative sums turn both into grid counts; one sort per draw gives everything. Tests
hold this against a loop that re-grades every draw and grid point with ``grading.grade_scores``
(tests/test_sensitivity.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from hrpark_analysis.rules.grading import (
    EXCELLENT,
    QUALIFIED,
    TIE_POLICIES,
    UNQUALIFIED,
    excellent_cap,
    pass_side,
    places_needed,
    tie_groups,
)

DEFAULT_SHARES = np.round(np.arange(5, 51) / 100, 2)  # 5% .. 50% step 1%: 46 values, exact decimals
DEFAULT_PASS_MARKS = np.arange(50, 81).astype(float)  # 50 .. 80 step 1: 31 values


@dataclass(frozen=True)
class GridRules:
    """第二十四条 as prepared for the grid kernel: the sorted grids, their caps and the baseline's readings."""

    n: int
    shares: np.ndarray  # sorted, the baseline share included
    pass_marks: np.ndarray  # sorted, the baseline pass mark included
    caps: np.ndarray  # 优秀 places per share (nondecreasing)
    base_j: int
    base_k: int
    pass_side: str  # searchsorted side: how many grid marks a score passes (grading.pass_side)
    vetoed: np.ndarray  # effective veto (veto_enabled applied)
    tie_policy: str
    tie_break_order: tuple[str, ...]
    excellent_min_score: float | None


def _with_baseline(values: Sequence[float], baseline: float) -> tuple[np.ndarray, int]:
    grid = np.union1d(np.asarray(values, dtype=float), [float(baseline)])
    return grid, int(np.flatnonzero(grid == float(baseline))[0])


def dimension_keys(dimensions: Mapping[str, np.ndarray] | None, order: Sequence[str], n: int) -> list:
    """第二十四条 (tie_policy="dimension"): the tie-break subtotals in ``order``, checked finite for n parks."""
    if dimensions is None or any(name not in dimensions for name in order):
        raise ValueError("tie_policy='dimension' needs the subtotals named in tie_break_order")
    keys = [np.asarray(dimensions[name], dtype=float) for name in order]
    if any(k.shape != (n,) or not np.isfinite(k).all() for k in keys):
        raise ValueError("tie_policy='dimension' needs a finite subtotal for every park")
    return keys


def grid_rules(
    score: np.ndarray,
    veto: np.ndarray,
    dimensions: Mapping[str, np.ndarray] | None,
    shares: Sequence[float],
    pass_marks: Sequence[float],
    grading_args: Mapping[str, Any],
) -> GridRules:
    """第二十四条: the grading section (``grading_args``) and the grid checked and laid out for the kernel."""
    args = dict(grading_args)
    if not np.isfinite(score).all():
        raise ValueError("scores must be finite: pass only this year's participants")
    tie_policy = args["tie_policy"]
    if tie_policy not in TIE_POLICIES:
        raise ValueError(f"unknown tie_policy {tie_policy!r}")
    if tie_policy == "dimension":
        dimension_keys(dimensions, args["tie_break_order"], len(score))
    shares_grid, base_j = _with_baseline(shares, args["excellent_share"])
    if not ((shares_grid > 0) & (shares_grid <= 1)).all():
        raise ValueError("excellent shares must lie in (0, 1]")
    pms, base_k = _with_baseline(pass_marks, args["pass_mark"])
    n = len(score)
    caps = np.array(
        [int(excellent_cap(n, excellent_share=s, cap_rounding=args["cap_rounding"])) for s in shares_grid]
    )
    return GridRules(
        n=n,
        shares=shares_grid,
        pass_marks=pms,
        caps=caps,
        base_j=base_j,
        base_k=base_k,
        pass_side=pass_side(args["pass_mark_inclusive"]),
        vetoed=(np.asarray(veto, dtype=bool) & bool(args["veto_enabled"])),
        tie_policy=tie_policy,
        tie_break_order=tuple(args["tie_break_order"]),
        excellent_min_score=args["excellent_min_score"],
    )


def rank_and_min_cap(
    score: np.ndarray, eligible: np.ndarray, extra_keys: Sequence[np.ndarray], *, tie_policy: str
) -> tuple[np.ndarray, np.ndarray]:
    """第二十四条: one sort per row → each park's rank and the smallest cap that makes it 优秀 if a candidate.

    ``score`` and ``eligible`` are (draws, parks); ``extra_keys`` (tie-break subtotals) broadcast to them.
    rank = 1 + parks with a strictly higher score (as ``grade_scores``). min_cap is ``places_needed`` of the
    eligible parks ranked strictly above and at or above by the full key (``tie_groups`` of the sorted row).
    """
    if extra_keys:
        keys = [np.broadcast_to(k, score.shape) for k in extra_keys]
        order = np.lexsort([-k for k in reversed(keys)] + [-score], axis=-1)
    else:
        keys = []
        order = np.argsort(-score, axis=-1, kind="stable")
    s_sorted = np.take_along_axis(score, order, axis=-1)
    score_start, score_end = tie_groups([s_sorted])
    if keys:
        key_start, key_end = tie_groups([s_sorted, *(np.take_along_axis(k, order, axis=-1) for k in keys)])
    else:
        key_start, key_end = score_start, score_end
    d, n = score.shape
    cum = np.zeros((d, n + 1), dtype=np.int64)  # cum[:, i]: eligible parks among the first i of the order
    np.cumsum(np.take_along_axis(eligible, order, axis=-1), axis=-1, out=cum[:, 1:])
    min_cap_sorted = places_needed(
        np.take_along_axis(cum, key_start, axis=-1),
        np.take_along_axis(cum, key_end, axis=-1),
        tie_policy=tie_policy,
    )
    rank = np.empty((d, n), dtype=np.int64)
    min_cap = np.empty((d, n), dtype=np.int64)
    np.put_along_axis(rank, order, score_start + 1, axis=-1)
    np.put_along_axis(min_cap, order, min_cap_sorted, axis=-1)
    return rank, min_cap


def grid_positions(
    rules: GridRules, score: np.ndarray, dims: Sequence[np.ndarray]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per draw and park: rank, eligible, share index J (优秀 from J on) and marks passed K (不合格 from K on)."""
    eligible = np.broadcast_to(~rules.vetoed, score.shape)
    if rules.excellent_min_score is not None:
        eligible = eligible & (score >= rules.excellent_min_score)
    rank, min_cap = rank_and_min_cap(score, eligible, dims, tie_policy=rules.tie_policy)
    # J: the first share whose cap reaches min_cap (min_cap is 1 … n + 1, so a lookup table)
    first_share = np.searchsorted(rules.caps, np.arange(rules.n + 2), side="left")
    j = np.where(eligible, first_share[min_cap], len(rules.shares))
    k = np.where(rules.vetoed, 0, np.searchsorted(rules.pass_marks, score, side=rules.pass_side))
    return rank, eligible, j, k


def grades_from_positions(j: np.ndarray, k: np.ndarray, n_shares: int, n_marks: int) -> np.ndarray:
    """Grades (…, shares, marks, parks) from J and K of shape (…, parks)."""
    js = np.arange(n_shares)[:, None, None]
    ks = np.arange(n_marks)[None, :, None]
    jj, kk = j[..., None, None, :], k[..., None, None, :]
    unq = kk <= ks
    exc = ~unq & (jj <= js)
    return np.where(unq, UNQUALIFIED, np.where(exc, EXCELLENT, QUALIFIED)).astype(np.int8)


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
    rules = grid_rules(score, veto, dimensions, shares, pass_marks, grading_args)
    dims = (
        dimension_keys(dimensions, rules.tie_break_order, rules.n) if rules.tie_policy == "dimension" else []
    )
    _, _, j, k = grid_positions(rules, score[None, :], dims)
    grades = grades_from_positions(j[0], k[0], len(rules.shares), len(rules.pass_marks))
    return grades, rules.shares, rules.pass_marks
