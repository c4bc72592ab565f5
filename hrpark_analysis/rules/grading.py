"""第二十四条: grade parks 优秀 / 合格 / 不合格 in one evaluation, vectorized over any leading axes.

The last axis holds the parks; every leading axis (years, Monte Carlo draws, forecast paths) is an
independent evaluation. Nothing here reads a file or a default: every reading of the text comes in as a
keyword argument named after its policy parameter (``grade_scores(..., **policy.section("grading"))``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

NOT_EVALUATED = -1
UNQUALIFIED = 0
QUALIFIED = 1
EXCELLENT = 2
GRADE_NAMES = {EXCELLENT: "excellent", QUALIFIED: "qualified", UNQUALIFIED: "unqualified"}
TIE_POLICIES = ("exclude", "include", "dimension")  # how a tied group at the 优秀 boundary is treated
CAP_ROUNDINGS = ("floor", "round", "ceil")  # how share × N becomes a whole number of 优秀 places


def excellent_cap(
    n_participants: np.ndarray | int, *, excellent_share: float, cap_rounding: str
) -> np.ndarray:
    """第二十四条: the number of 优秀 places, share × N rounded as ``cap_rounding`` says, computed exactly.

    The share is read as the decimal the user wrote (0.29 is 29/100), so 0.29 × 100 is 29 and not 28 as a
    binary floating-point floor would give.
    """
    share = Fraction(repr(float(excellent_share)))
    num, den = share.numerator, share.denominator
    n = np.asarray(n_participants, dtype=np.int64)
    uniques, inverse = np.unique(n, return_inverse=True)
    caps = []
    for value in uniques.tolist():  # exact integer arithmetic on the few distinct N
        scaled = num * value
        if cap_rounding == "floor":
            caps.append(scaled // den)
        elif cap_rounding == "round":  # round half up
            caps.append((2 * scaled + den) // (2 * den))
        elif cap_rounding == "ceil":
            caps.append(-((-scaled) // den))
        else:
            raise ValueError(f"unknown cap_rounding {cap_rounding!r}")
    return np.asarray(caps, dtype=np.int64)[inverse].reshape(n.shape)


def graded_score(score: np.ndarray | float, *, score_precision: int) -> np.ndarray:
    """第二十四条: a score as it is graded, kept to ``score_precision`` decimals (docs/readings.md §7).

    The 得分表 is filled in to whole hundredths; a total that reaches the program as a binary sum, such as
    20.2 + 16.4 + 23.4 = 59.99999999999999, is the 60.00 the workbook shows and is graded as 60.
    """
    return np.round(np.asarray(score, dtype=float), score_precision) + 0.0  # + 0.0: no -0.0


def below_pass_mark(
    score: np.ndarray | float, *, pass_mark: float | np.ndarray, pass_mark_inclusive: bool | np.ndarray
) -> np.ndarray:
    """第二十四条: "得分在60分以下的直接确定为不合格" — below means score < ``pass_mark``.

    ``pass_mark_inclusive``: score <= ``pass_mark``, the reading of 《民法典》第一千二百五十九条 ("以下" includes
    the number itself). Both arguments broadcast against ``score`` (e.g. one reading per row of a sample).
    """
    score = np.asarray(score)
    if np.ndim(pass_mark_inclusive) == 0:
        return (score <= pass_mark) if pass_mark_inclusive else (score < pass_mark)
    return np.where(pass_mark_inclusive, score <= pass_mark, score < pass_mark)


def pass_side(pass_mark_inclusive: bool) -> str:
    """第二十四条: the ``numpy.searchsorted`` side that counts the sorted marks a score passes.

    The same rule as :func:`below_pass_mark`: a score passes mark m iff it is not below m, i.e. m <= score
    (side ``"right"``), or m < score under the inclusive reading (side ``"left"``).
    """
    return "left" if pass_mark_inclusive else "right"


def tie_groups(sorted_keys: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """第二十四条: the tie groups (runs of equal keys) of rows already sorted along the last axis.

    ``sorted_keys`` are arrays of one shape, sorted together (lexicographically) along the last axis; a group
    is a run of positions where every key is equal. Returns, for each position, its group's ``start`` and
    ``end`` (positions ``start`` … ``end`` − 1), so a group straddles a cap c iff start < c < end.
    """
    first = sorted_keys[0]
    n = first.shape[-1]
    new_group = np.zeros(first.shape, dtype=bool)
    new_group[..., 0] = True
    for k in sorted_keys:
        new_group[..., 1:] |= k[..., 1:] != k[..., :-1]
    idx = np.broadcast_to(np.arange(n, dtype=np.int64), first.shape)
    start = np.maximum.accumulate(np.where(new_group, idx, 0), axis=-1)
    ends_here = np.ones(first.shape, dtype=bool)
    ends_here[..., :-1] = new_group[..., 1:]
    end = np.flip(np.minimum.accumulate(np.flip(np.where(ends_here, idx + 1, n), -1), axis=-1), -1)
    return start, end


def places_needed(above: np.ndarray, at_or_above: np.ndarray, *, tie_policy: str) -> np.ndarray:
    """第二十四条: the fewest 优秀 places that make a candidate 优秀, given the candidates ranked above it.

    ``above`` / ``at_or_above`` count the candidates ranked strictly above it / at or above it (its tie group
    included). A group that straddles the cap: ``include`` takes it whole (``above`` + 1 places suffice, so
    the cap may be passed); ``exclude`` and ``dimension`` (after its tie-break keys) leave it out
    (``at_or_above`` places are needed). A candidate is 优秀 iff ``places_needed <= cap``.
    """
    if tie_policy == "include":
        return above + 1
    if tie_policy in TIE_POLICIES:
        return at_or_above
    raise ValueError(f"unknown tie_policy {tie_policy!r}")


def tie_counts(keys: list[np.ndarray], valid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """第二十四条: for each park, how many valid parks rank strictly above it and how many at or above it.

    ``keys`` are compared lexicographically, larger first. One sort per row; :func:`tie_groups` of the sorted
    row gives the start and end of each park's group of equal keys.
    """
    neg = [np.where(valid, -k, np.inf) for k in keys]  # invalid parks sort last and count for nobody
    order = np.lexsort(neg[::-1], axis=-1)
    start, end = tie_groups([np.take_along_axis(k, order, axis=-1) for k in neg])
    above = np.empty(order.shape, dtype=np.int64)
    at_or_above = np.empty(order.shape, dtype=np.int64)
    np.put_along_axis(above, order, start, axis=-1)
    np.put_along_axis(at_or_above, order, end, axis=-1)
    return above, at_or_above


@dataclass(frozen=True)
class Grading:
    """The outcome of one or many evaluations (arrays shaped like the input scores or their leading axes)."""

    grade: np.ndarray  # int8: EXCELLENT / QUALIFIED / UNQUALIFIED, NOT_EVALUATED where not taking part
    rank: (
        np.ndarray
    )  # 1 = best score among participants (ties share the better rank); 0 where not taking part
    n_participants: np.ndarray
    cap: np.ndarray  # excellent places allowed
    n_excellent: np.ndarray
    cap_exceeded: np.ndarray  # only possible under tie_policy="include"
    ties_excluded: np.ndarray  # a tied group at the boundary was left out so the cap holds


def grade_scores(
    score: np.ndarray,
    veto: np.ndarray | None = None,
    active: np.ndarray | None = None,
    dimensions: dict[str, np.ndarray] | None = None,
    *,
    pass_mark: float,
    pass_mark_inclusive: bool,
    veto_enabled: bool,
    excellent_share: float,
    cap_rounding: str,
    tie_policy: str,
    tie_break_order: list[str],
    excellent_min_score: float | None,
    with_rank: bool = True,
) -> Grading:
    """第二十四条: 优秀 at most ``excellent_share`` of participants; below ``pass_mark`` is 不合格.

    - 不合格: score < pass_mark (``pass_mark_inclusive``: score <= pass_mark, 《民法典》第一千二百五十九条),
      or a veto when ``veto_enabled`` ("直接确定为不合格").
    - 优秀 places: ``excellent_cap(N)`` with N every participant, vetoed ones included; only parks that are not
      不合格 (and reach ``excellent_min_score`` if set) are candidates, taken in score order.
    - A tied group at the boundary: ``exclude`` leaves the whole group out, ``include`` takes it (the cap may
      be passed and is flagged), ``dimension`` breaks ties by ``tie_break_order`` subtotals, then excludes.

    ``with_rank=False`` skips the score ranking (a second sort) for callers that only need grades, such as
    the forecast's thousands of paths; ``rank`` is then all zeros.
    """
    score = np.asarray(score, dtype=float)
    active = np.ones(score.shape, dtype=bool) if active is None else np.asarray(active, dtype=bool)
    active = active & ~np.isnan(score)
    unqualified = below_pass_mark(score, pass_mark=pass_mark, pass_mark_inclusive=pass_mark_inclusive)
    if veto_enabled and veto is not None:
        unqualified = unqualified | np.asarray(veto, dtype=bool)
    candidate = active & ~unqualified
    if excellent_min_score is not None:
        candidate &= score >= excellent_min_score

    n_participants = active.sum(axis=-1)
    cap = excellent_cap(n_participants, excellent_share=excellent_share, cap_rounding=cap_rounding)
    keys = [score]
    if tie_policy == "dimension":
        if dimensions is None or any(name not in dimensions for name in tie_break_order):
            raise ValueError("tie_policy='dimension' needs the subtotals named in tie_break_order")
        keys += [np.asarray(dimensions[name], dtype=float) for name in tie_break_order]
    above, at_or_above = tie_counts(keys, candidate)
    capx = cap[..., None]
    excellent = candidate & (places_needed(above, at_or_above, tie_policy=tie_policy) <= capx)

    grade = np.where(unqualified, UNQUALIFIED, np.where(excellent, EXCELLENT, QUALIFIED)).astype(np.int8)
    grade[~active] = NOT_EVALUATED
    if with_rank:
        rank_above, _ = tie_counts([score], active)
        rank = np.where(active, rank_above + 1, 0)
    else:
        rank = np.zeros(score.shape, dtype=np.int64)
    n_excellent = excellent.sum(axis=-1)
    ties_excluded = (candidate & (above < capx) & ~excellent).any(axis=-1)
    return Grading(
        grade=grade,
        rank=rank,
        n_participants=n_participants,
        cap=cap,
        n_excellent=n_excellent,
        cap_exceeded=n_excellent > cap,
        ties_excluded=ties_excluded,
    )
