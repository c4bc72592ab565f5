"""第二十四条 / 第十一条 / 第二十五条: why a park got its grade and its money in one year (``hrpark explain``).

Under 第二十四条 a park's grade depends on every other park's score and on how a tie at the 优秀 cap is
broken, so the explanation is computed from the whole cohort, through the same rules that graded it:
``ledger.build`` (grades, rank, money) and ``rules.grading`` (``grade_scores``, ``excellent_cap``,
``tie_counts``, ``below_pass_mark``). Nothing here grades a second way.

:func:`explain_year` explains every participant of one year at once (the annual report's 等次说明);
:func:`explain` picks one park and names an unknown park or a year it did not take part in.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis import labels
from hrpark_analysis.engine import ledger
from hrpark_analysis.errors import InputError
from hrpark_analysis.law import text
from hrpark_analysis.law.policy import DIMENSION_COLUMNS, Policy
from hrpark_analysis.rules import grading
from hrpark_analysis.rules.grading import EXCELLENT, GRADE_NAMES

#: The readings of 第二十四条 whose alternatives ``readings`` shows (docs/readings.md §4–§7).
READING_KEYS = (
    "grading.tie_policy",
    "grading.cap_rounding",
    "grading.pass_mark_inclusive",
    "grading.veto_enabled",
)
#: The policy entries an explanation rests on, in the order the articles are quoted.
ARTICLE_KEYS = (
    "grading.pass_mark",
    "grading.pass_mark_inclusive",
    "grading.veto_enabled",
    "grading.excellent_share",
    "grading.cap_rounding",
    "grading.tie_policy",
    "subsidy.base_schedule",
    "subsidy.base_cap",
    "subsidy.excellent_bonus",
    "consequences.revoke_after_unqualified_years",
)
MONEY_COLUMNS = ("base_due", "base_paid", "pending", "cancelled", "bonus")


@dataclass(frozen=True)
class Cohort:
    """One year's participants as arrays (grades.csv order), with what the ledger decided for them."""

    year: int
    park_ids: np.ndarray
    score: np.ndarray
    veto: np.ndarray
    dims: dict[str, np.ndarray]
    grade: np.ndarray  # words, as grades.csv
    rank: np.ndarray

    @classmethod
    def of(cls, grades: pd.DataFrame, year: int) -> Cohort:
        rows = grades[grades["year"] == year]
        return cls(
            year=year,
            park_ids=rows["park_id"].to_numpy(),
            score=rows["score"].to_numpy(dtype=float),
            veto=rows["veto"].to_numpy(dtype=bool),
            dims={c: rows[c].to_numpy(dtype=float) for c in DIMENSION_COLUMNS},
            grade=rows["grade"].to_numpy(dtype=object),
            rank=rows["rank"].to_numpy(dtype=np.int64),
        )

    def has_dims(self, order: list[str]) -> bool:
        return not np.isnan(np.stack([self.dims[c] for c in order])).any()


def regrade(cohort: Cohort, score: np.ndarray, args: dict[str, Any]) -> np.ndarray:
    """第二十四条: grade codes of ``score`` (any leading axes, parks last) with the cohort's vetoes and subtotals."""
    shape = np.shape(score)
    veto = np.broadcast_to(cohort.veto, shape)
    dims = {c: np.broadcast_to(v, shape) for c, v in cohort.dims.items()}
    if args["tie_policy"] != "dimension":
        dims = None
    return grading.grade_scores(score, veto, None, dims, **args, with_rank=False).grade


def points_to_excellent(
    cohort: Cohort, args: dict[str, Any], *, score_precision: int, total_points: float
) -> np.ndarray:
    """第二十四条: per park, the least raise (a multiple of 10^-score_precision) that makes it 优秀, others unchanged.

    ``score_precision`` is the policy's ``evaluation.score_precision``, the decimals scores are graded at.

    0 for a park already 优秀, NaN when no raise up to ``total_points`` can. Grades depend on a park's own
    score only through its comparison with the other scores and the thresholds, so the grade is constant
    between breakpoints; the first grid point at and just above each breakpoint (and one step up) are the
    only candidates, regraded together as one batch along leading axes (park, candidate).
    """
    n = len(cohort.score)
    out = np.full(n, np.nan)
    if n == 0:
        return out
    unit = 10**score_precision
    own = np.round(cohort.score * unit).astype(np.int64)
    marks = [args["pass_mark"]] + (
        [args["excellent_min_score"]] if args["excellent_min_score"] is not None else []
    )
    breaks = np.concatenate([cohort.score, np.asarray(marks, dtype=float)]) * unit
    at_or_above = np.ceil(np.round(breaks[None, :] - own[:, None], 6)).astype(np.int64)  # (n, m)
    steps = np.concatenate([np.ones((n, 1), np.int64), at_or_above, at_or_above + 1], axis=1)
    valid = (steps >= 1) & (own[:, None] + steps <= round(total_points * unit))
    steps = np.where(valid, steps, 1)
    trial = np.broadcast_to(cohort.score, (n, steps.shape[1], n)).copy()
    idx = np.arange(n)
    trial[idx, :, idx] = (own[:, None] + steps) / unit
    grades = regrade(cohort, trial, args)[idx, :, idx]  # (n, candidates): each park's own grade
    hit = valid & (grades == EXCELLENT)
    least = np.where(hit, steps, np.iinfo(np.int64).max).min(axis=1)
    out = np.where(hit.any(axis=1), least / unit, np.nan)
    return np.where(cohort.grade == GRADE_NAMES[EXCELLENT], 0.0, out)


def cap_formula(n: int, *, excellent_share: float, cap_rounding: str) -> tuple[int, str]:
    """第二十四条: the 优秀 places and how they were computed, e.g. ``(7, "floor(0.3 × 24) = 7")``."""
    cap = int(grading.excellent_cap(n, excellent_share=excellent_share, cap_rounding=cap_rounding))
    share = Fraction(repr(float(excellent_share)))
    return cap, f"{cap_rounding}({float(share):g} × {n}) = {cap}"


def reading_grades(cohort: Cohort, policy: Policy) -> dict[str, list[dict[str, Any]]]:
    """Each park's grade under every value of each reading of 第二十四条, the others as applied.

    Returns key → one entry per value: ``value``, ``applied`` and ``grades`` (words, cohort order; None
    where the reading cannot be applied, i.e. ``dimension`` without subtotals).
    """
    args = policy.section("grading")
    out: dict[str, list[dict[str, Any]]] = {}
    for key in READING_KEYS:
        name = key.split(".", 1)[1]
        rows = []
        for value in reading_values(key):
            trial = {**args, name: value}
            usable = value != "dimension" or cohort.has_dims(args["tie_break_order"])
            words = None
            if usable:
                codes = regrade(cohort, cohort.score, trial)
                words = [GRADE_NAMES[int(g)] for g in codes]
            rows.append({"value": value, "applied": value == args[name], "grades": words})
        out[key] = rows
    return out


def reading_values(key: str) -> tuple[Any, ...]:
    """The values a reading of 第二十四条 can take (the rule's own choices; booleans both ways)."""
    return {
        "grading.tie_policy": grading.TIE_POLICIES,
        "grading.cap_rounding": grading.CAP_ROUNDINGS,
        "grading.pass_mark_inclusive": (False, True),
        "grading.veto_enabled": (True, False),
    }[key]


def articles(policy: Policy) -> list[dict[str, Any]]:
    """Each rule an explanation uses: the policy key, its value, its reference and the quoted clause(s)."""
    out = []
    for key in ARTICLE_KEYS:
        param = policy.params[key]
        cites = text.citations(param.reference)
        out.append({
            "key": key,
            "value": param.value,
            "description": param.description,
            "reference": param.reference,
            "article": "；".join(c.label for c in cites),
            "quote": "\n".join(c.text for c in cites),
        })  # fmt: skip
    return out


def money_reason(row: pd.Series, certified_year: int, policy: Policy) -> str:
    """第十一条 / 第二十五条: the ledger row's amounts in words (which year of the schedule, why paid or not)."""
    k = int(row["year"]) - certified_year
    schedule = policy["subsidy.base_schedule"]
    parts = []
    if row["status"] == "revoked" and not row["revoked_this_year"]:
        parts.append(labels.EXPLAIN_MONEY["revoked_before"])
    elif k < len(schedule):
        parts.append(
            labels.EXPLAIN_MONEY["schedule"].format(
                n=k + 1, amount=_num(schedule[k]), due=_num(row["base_due"])
            )
        )
    else:
        parts.append(labels.EXPLAIN_MONEY["after_schedule"].format(years=len(schedule)))
    if row["revoked_this_year"]:
        parts.append(
            labels.EXPLAIN_MONEY["revoked_now"].format(
                years=policy["consequences.revoke_after_unqualified_years"]
            )
        )
    elif row["pending"] > 0:
        parts.append(labels.EXPLAIN_MONEY["pending"])
    elif row["grade"] == "unqualified" and row["cancelled"] > 0:
        parts.append(labels.EXPLAIN_MONEY["not_rectified"])
    elif row["grade"] == "unqualified" and row["base_due"] > 0:
        parts.append(labels.EXPLAIN_MONEY["rectified"])
    if row["cancelled"] > 0 and row["grade"] != "unqualified" and row["status"] != "revoked":
        parts.append(labels.EXPLAIN_MONEY["cap"].format(cap=_num(policy["subsidy.base_cap"])))
    if row["bonus"] > 0:
        parts.append(labels.EXPLAIN_MONEY["bonus"].format(bonus=_num(row["bonus"])))
    elif row["grade"] == "excellent":
        parts.append(labels.EXPLAIN_MONEY["no_bonus"])
    return "；".join(parts)


def _num(value: float) -> str:
    return f"{float(value):g}"


def _opt(value: float) -> float | None:
    return None if np.isnan(value) else round(float(value), 6)


def explain_year(
    result: ledger.Evaluation,
    parks: pd.DataFrame,
    policy: Policy,
    year: int,
) -> list[dict[str, Any]]:
    """Every participant of ``year`` explained (grades.csv order), sharing the cohort's grading work."""
    cohort = Cohort.of(result.grades, year)
    precision = policy["evaluation.score_precision"]
    args = policy.section("grading")
    n = len(cohort.score)
    cap, formula = cap_formula(n, excellent_share=args["excellent_share"], cap_rounding=args["cap_rounding"])
    excellent = cohort.grade == GRADE_NAMES[EXCELLENT]
    boundary = float(cohort.score[excellent].min()) if excellent.any() else None
    raise_by = points_to_excellent(
        cohort, args, score_precision=precision, total_points=policy["evaluation.total_points"]
    )
    below = grading.below_pass_mark(
        cohort.score, pass_mark=args["pass_mark"], pass_mark_inclusive=args["pass_mark_inclusive"]
    )
    unqualified = below | (cohort.veto & args["veto_enabled"])
    above, at_or_above = grading.tie_counts([cohort.score], ~unqualified)
    readings = reading_grades(cohort, policy)
    quoted = articles(policy)
    book = result.ledger[result.ledger["year"] == year].set_index("park_id")
    certified = dict(zip(parks["park_id"], parks["certified_year"].astype(int), strict=True))
    out = []
    for i, pid in enumerate(cohort.park_ids):
        same = cohort.score == cohort.score[i]
        at_cap = bool(not unqualified[i] and above[i] < cap < at_or_above[i])
        row = book.loc[pid]
        out.append({
            "park_id": str(pid), "year": int(year), "score": float(cohort.score[i]),
            "grade": str(cohort.grade[i]), "rank": int(cohort.rank[i]), "n_participants": n,
            "cap": cap, "cap_formula": formula, "boundary_score": boundary,
            "tie_group": {
                "park_ids": [str(p) for p in cohort.park_ids[same]],
                "at_cap": at_cap,
                "places_left": int(max(cap - above[i], 0)),
                "tie_policy": args["tie_policy"] if at_cap else None,
                "outcome": _tie_outcome(args["tie_policy"], cohort.grade[same]) if at_cap else None,
            },
            "veto": bool(cohort.veto[i]),
            "points_to_excellent": _opt(raise_by[i]),
            "pass_mark": args["pass_mark"], "pass_mark_inclusive": args["pass_mark_inclusive"],
            "below_pass_mark": bool(below[i]),
            "points_above_pass_mark": round(float(cohort.score[i] - args["pass_mark"]), precision) + 0.0,
            "readings": {
                key: [{"value": r["value"], "applied": r["applied"], "grade": None if r["grades"] is None else r["grades"][i]} for r in rows]
                for key, rows in readings.items()
            },
            "money": {
                **{c: float(row[c]) for c in MONEY_COLUMNS},
                "why": money_reason(row, certified[pid], policy),
            },
            "articles": quoted,
        })  # fmt: skip
    return out


def _tie_outcome(tie_policy: str, grades: np.ndarray) -> str:
    """What ``tie_policy`` did with a tied group that straddles the cap: exclude / include / dimension."""
    if tie_policy == "dimension":
        n_excellent = int((grades == GRADE_NAMES[EXCELLENT]).sum())
        return labels.EXPLAIN_TIE["dimension"].format(n=n_excellent, total=len(grades))
    return labels.EXPLAIN_TIE[tie_policy]


def explain(
    result: ledger.Evaluation,
    parks: pd.DataFrame,
    policy: Policy,
    park_id: str,
    year: int,
    *,
    parks_file: str | Path = "parks",
    evaluations_file: str | Path = "evaluations",
) -> dict[str, Any]:
    """One park's explanation for one year; an unknown park or a year it did not take part in is named."""
    if park_id not in set(parks["park_id"]):
        raise InputError(f"园区 {park_id} 不在园区名单中", file=parks_file, column="park_id")
    years = sorted(int(y) for y in result.grades.loc[result.grades["park_id"] == park_id, "year"])
    if year not in years:
        took_part = "、".join(map(str, years)) or "无"
        raise InputError(
            f"园区 {park_id} 没有参加 {year} 年的绩效评估(参加过的年份: {took_part})",
            file=evaluations_file,
            column="year",
        )
    for item in explain_year(result, parks, policy, year):
        if item["park_id"] == park_id:
            return item
    raise AssertionError("unreachable: the park took part in the year")
