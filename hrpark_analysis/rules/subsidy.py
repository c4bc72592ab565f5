"""第十一条 / 第二十五条: one year of a park's subsidy and consequences, vectorized over any array shape.

The ledger (``ledger.py``) and the forecast (``forecast.py``) both advance parks year by year with
:func:`step`; arrays may be shaped (parks,) or (paths, parks). A park's state is what the next year needs:
whether its plaque is withdrawn, its run of consecutive 不合格 years and what has been paid so far.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from hrpark_analysis.rules.grading import EXCELLENT, NOT_EVALUATED, QUALIFIED, UNQUALIFIED


@dataclass(frozen=True)
class State:
    """What a park carries from one year into the next."""

    revoked: np.ndarray  # bool: plaque withdrawn (第二十五条(二))
    unqualified_run: np.ndarray  # int: consecutive 不合格 evaluation years up to now
    cum_base_paid: np.ndarray  # 万元, counted against the 300 cap (第十一条)
    cum_paid: np.ndarray  # 万元, base + bonus

    @classmethod
    def new(cls, shape: tuple[int, ...]) -> State:
        return cls(
            revoked=np.zeros(shape, dtype=bool),
            unqualified_run=np.zeros(shape, dtype=np.int64),
            cum_base_paid=np.zeros(shape),
            cum_paid=np.zeros(shape),
        )


@dataclass(frozen=True)
class Year:
    """One year's amounts (万元) and status per park; base_due = base_paid + pending + cancelled + undetermined."""

    certified: np.ndarray  # bool: the park exists as a municipal park this year (year >= certified_year)
    revoked: np.ndarray  # bool: plaque withdrawn this year or before
    newly_revoked: np.ndarray
    base_due: np.ndarray
    base_paid: np.ndarray
    pending: np.ndarray  # 不合格, rectification outcome not yet known: withheld
    cancelled: np.ndarray
    awaiting: (
        np.ndarray
    )  # bool: due for evaluation (第二十条) but not evaluated yet: the year is undetermined
    undetermined: np.ndarray  # the baseline amount of an awaiting year: neither paid, pending nor cancelled
    bonus: np.ndarray
    cumulative_paid: np.ndarray


def scheduled_base(years_since_certification: np.ndarray, *, base_schedule: list[float]) -> np.ndarray:
    """第十一条: the baseline 150 / 100 / 50 of the certification year and the two after it, else 0."""
    k = np.asarray(years_since_certification)
    table = np.asarray(base_schedule, dtype=float)
    inside = (k >= 0) & (k < len(table))
    return np.where(inside, table[np.clip(k, 0, len(table) - 1)], 0.0)


def step(
    state: State,
    years_since_certification: np.ndarray,
    grade: np.ndarray,
    rectified: np.ndarray,
    *,
    base_schedule: list[float],
    base_cap: float,
    grade_factor: dict[str, float],
    excellent_bonus: float,
    bonus_counts_against_cap: bool,
    bonus_after_subsidy_years: bool,
    revoke_after_unqualified_years: int,
    revoked_forfeits_current_year: bool,
    first_evaluation_offset: int,
) -> tuple[State, Year]:
    """第十一条 / 第二十五条: advance one year.

    - Base due (第十一条): ``base_schedule[k]`` in year k after certification (k = 0 unconditionally, no
      evaluation), times ``grade_factor`` of the year's grade from k = 1 on.
    - 不合格 (第二十五条(二)): rectified (1) → paid; still 不合格 after rectification (0) → that year's base is
      cancelled; outcome not yet known (NaN) → pending.
    - ``revoke_after_unqualified_years`` consecutive 不合格 years → plaque withdrawn that year; that year's base
      (if ``revoked_forfeits_current_year``) and every later scheduled amount is cancelled.
    - 优秀 (第二十五条(一)): + ``excellent_bonus``, after the three subsidy years too if
      ``bonus_after_subsidy_years``; outside the 300 cap unless ``bonus_counts_against_cap``.
    - The sum of base payments never passes ``base_cap``; what the cap cuts off is cancelled.
    - A year from ``first_evaluation_offset`` after certification on (第二十条) whose evaluation has not been
      held yet (no grade, plaque not withdrawn) is undetermined: its amount depends on the grade (第十一条
      "根据……绩效评估等情况综合确定"), so nothing is paid, pending or cancelled; ``base_due`` and
      ``undetermined`` carry the baseline (docs/readings.md §8). No bonus, and the run of 不合格 years stays.
    """
    k = np.asarray(years_since_certification)
    grade = np.asarray(grade)
    rectified = np.asarray(rectified, dtype=float)
    certified = k >= 0
    evaluated = certified & (grade != NOT_EVALUATED) & ~state.revoked
    unqualified = evaluated & (grade == UNQUALIFIED)
    awaiting = certified & (k >= first_evaluation_offset) & (grade == NOT_EVALUATED) & ~state.revoked

    run = np.where(unqualified, state.unqualified_run + 1, np.where(evaluated, 0, state.unqualified_run))
    newly_revoked = unqualified & (run >= revoke_after_unqualified_years)
    revoked = state.revoked | newly_revoked

    factor = np.select(
        [grade == EXCELLENT, grade == QUALIFIED, grade == UNQUALIFIED],
        [grade_factor["excellent"], grade_factor["qualified"], grade_factor["unqualified"]],
        default=1.0,  # the certification year is paid "认定首年" without an evaluation
    )
    base_due = np.where(
        certified, scheduled_base(k, base_schedule=base_schedule) * np.where(evaluated, factor, 1.0), 0.0
    )

    forfeited = state.revoked | (newly_revoked & revoked_forfeits_current_year)
    cancel = forfeited | (unqualified & (rectified == 0))
    pend = ~forfeited & unqualified & np.isnan(rectified)
    payable = np.where(cancel | pend | awaiting, 0.0, base_due)
    room = np.maximum(base_cap - state.cum_base_paid, 0.0)
    base_paid = np.minimum(payable, room)
    pending = np.where(pend, base_due, 0.0)
    cancelled = np.where(cancel, base_due, 0.0) + (payable - base_paid)
    undetermined = np.where(awaiting, base_due, 0.0)

    in_subsidy_years = k < len(base_schedule)
    earns_bonus = evaluated & (grade == EXCELLENT) & (in_subsidy_years | bonus_after_subsidy_years)
    bonus = np.where(earns_bonus, float(excellent_bonus), 0.0)
    if bonus_counts_against_cap:
        bonus = np.minimum(bonus, room - base_paid)
    counted = base_paid + (bonus if bonus_counts_against_cap else 0.0)
    cum_paid = state.cum_paid + base_paid + bonus

    new_state = State(
        revoked=revoked,
        unqualified_run=run,
        cum_base_paid=state.cum_base_paid + counted,
        cum_paid=cum_paid,
    )
    year = Year(
        certified=certified,
        revoked=revoked & certified,
        newly_revoked=newly_revoked,
        base_due=base_due,
        base_paid=base_paid,
        pending=pending,
        cancelled=cancelled,
        awaiting=awaiting,
        undetermined=undetermined,
        bonus=bonus,
        cumulative_paid=cum_paid,
    )
    return new_state, year


def rule_arguments(policy) -> dict:
    """The keyword arguments of :func:`step` from a policy (subsidy and consequences sections)."""
    subsidy = policy.section("subsidy")
    consequences = policy.section("consequences")
    return {
        "base_schedule": subsidy["base_schedule"],
        "base_cap": subsidy["base_cap"],
        "grade_factor": subsidy["grade_factor"],
        "excellent_bonus": subsidy["excellent_bonus"],
        "bonus_counts_against_cap": subsidy["bonus_counts_against_cap"],
        "bonus_after_subsidy_years": subsidy["bonus_after_subsidy_years"],
        "revoke_after_unqualified_years": consequences["revoke_after_unqualified_years"],
        "revoked_forfeits_current_year": consequences["revoked_forfeits_current_year"],
        "first_evaluation_offset": policy["evaluation.first_evaluation_offset"],
    }
