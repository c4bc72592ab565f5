"""第十一条 / 第二十四条 / 第二十五条: the ledger of every park's life, rebuilt year by year from the parks and their evaluations.

Each year: the parks taking part are graded together (第二十四条, ``grading.grade_scores``), then every
park's subsidy and consequences advance one year (第十一条/第二十五条, ``subsidy.step``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from hrpark_analysis.errors import InputError
from hrpark_analysis.io.tables import ROW
from hrpark_analysis.law.policy import DIMENSION_COLUMNS, Policy
from hrpark_analysis.rules import subsidy
from hrpark_analysis.rules.grading import GRADE_NAMES, NOT_EVALUATED, grade_scores, graded_score

GRADE_COLUMNS = ["park_id", "year", "score", "rank", "grade", "cap_exceeded"]
LEDGER_COLUMNS = [
    "park_id", "year", "status", "grade", "base_due", "base_paid", "pending", "cancelled", "bonus",
    "cumulative_paid",
]  # fmt: skip
#: ``Evaluation.final``: one row per park (parks table order), where the park stands after the last year.
FINAL_COLUMNS = [
    "park_id", "year", "certified_year", "years_since_certification", "status", "revoked", "score",
    "last_grade", "last_evaluated_year", "unqualified_run", "cumulative_base_paid", "cumulative_paid",
]  # fmt: skip
NOT_CERTIFIED = "not_certified"  # final status of a park certified after the ledger's last year


@dataclass(frozen=True)
class Evaluation:
    """Everything the annual evaluation decides: grades per park-year, the ledger and a per-year summary.

    ``final`` is each park's ``subsidy.State`` after the ledger's last year (what a following year, e.g. the
    forecast's first, starts from), with what the park's last rows say about it:

    - year: the ledger's last year; certified_year and years_since_certification = year − certified_year
      (第十一条: 0, 1, 2 are the three subsidy years; negative: certified later);
    - status: ``active`` / ``revoked`` as in the ledger's last row, ``not_certified`` without a row yet;
      revoked (bool, 第二十五条(二) plaque withdrawn);
    - score: the last year's score (NaN when not evaluated that year); last_grade and last_evaluated_year:
      the park's latest evaluation (``""`` and NA if none);
    - unqualified_run: consecutive 不合格 evaluation years up to the last year (第二十五条(二));
    - cumulative_base_paid: paid against the 300 cap (第十一条; the bonus too if
      ``subsidy.bonus_counts_against_cap``); cumulative_paid: base + bonus, the last row's cumulative_paid.
    """

    grades: pd.DataFrame
    ledger: pd.DataFrame
    years: pd.DataFrame
    final: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FINAL_COLUMNS))

    @property
    def final_state(self) -> subsidy.State:
        """``final`` as the ``subsidy.State`` arrays (parks,) that ``subsidy.step`` carries into the next year."""
        final = self.final
        return subsidy.State(
            revoked=final["revoked"].to_numpy(dtype=bool),
            unqualified_run=final["unqualified_run"].to_numpy(dtype=np.int64),
            cum_base_paid=final["cumulative_base_paid"].to_numpy(dtype=float),
            cum_paid=final["cumulative_paid"].to_numpy(dtype=float),
        )


def district_match_ratios(districts: pd.Series, policy: Policy) -> np.ndarray:
    """第十三条: each park's district matching ratio (per-district setting, else the default)."""
    by_district = policy["subsidy.district_match_ratio_by_district"]
    default = policy["subsidy.district_match_ratio"]
    return np.array([by_district.get(d, default) for d in districts], dtype=float)


def build(
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    policy: Policy,
    *,
    evaluations_file: str | Path = "evaluations",
    end_year: int | None = None,
    drop_after_revocation: bool = False,
) -> Evaluation:
    """Grade every evaluation year and build the ledger (第二十条–第二十五条; readings in docs/readings.md).

    Checks that need the rules (which parks take part in which year) name the evaluations file's row:
    evaluations of unknown parks, before a park's first evaluation year or after its revocation, and
    missing years of an active park up to the last evaluation year.

    ``drop_after_revocation`` (for comparing policies on one data set, ``engine.compare``): evaluations of a
    park after this policy withdrew its plaque are left out instead of being an error (第二十五条(二): a
    withdrawn park is never evaluated again, docs/readings.md §3).
    """
    offset = policy["evaluation.first_evaluation_offset"]
    precision = policy["evaluation.score_precision"]
    grading_args = policy.section("grading")
    step_args = subsidy.rule_arguments(policy)
    park_ids = parks["park_id"].to_numpy()
    index = {pid: i for i, pid in enumerate(park_ids)}
    n = len(park_ids)

    unknown = ~evaluations["park_id"].isin(index)
    if unknown.any():
        bad = evaluations[unknown].iloc[0]
        raise InputError(
            f"园区 {bad['park_id']} 不在园区名单中",
            file=evaluations_file,
            row=int(bad[ROW]),
            column="park_id",
        )
    certified = parks["certified_year"].to_numpy(dtype=int)
    eval_park = evaluations["park_id"].map(index).to_numpy(dtype=int)
    early = evaluations["year"].to_numpy() < certified[eval_park] + offset
    if early.any():
        bad = evaluations[early].iloc[0]
        first = certified[index[bad["park_id"]]] + offset
        raise InputError(
            f"园区 {bad['park_id']} 认定于 {first - offset} 年，首次评估应在 {first} 年(第二十条；"
            f"evaluation.first_evaluation_offset={offset})，不能有 {bad['year']} 年的评估",
            file=evaluations_file, row=int(bad[ROW]), column="year",
        )  # fmt: skip

    last_eval = int(evaluations["year"].max()) if len(evaluations) else int(certified.max())
    first_year = int(certified.min())
    last_year = max(last_eval, int(certified.max())) if end_year is None else end_year
    by_year = {y: g for y, g in evaluations.groupby("year")}
    match_ratio = district_match_ratios(parks["district"], policy)

    state = subsidy.State.new((n,))
    last_grade = np.full(n, "", dtype=object)
    last_evaluated = np.full(n, -1, dtype=np.int64)
    score = np.full(n, np.nan)
    grade_frames, ledger_frames, year_rows = [], [], []
    for year in range(first_year, last_year + 1):
        due_for_evaluation = (certified + offset <= year) & ~state.revoked
        rows = by_year.get(year)
        score = np.full(n, np.nan)
        veto = np.zeros(n, dtype=bool)
        rectified = np.full(n, np.nan)
        dims = {c: np.full(n, np.nan) for c in DIMENSION_COLUMNS}
        if rows is not None:
            pos = rows["park_id"].map(index).to_numpy(dtype=int)
            after_revocation = state.revoked[pos]
            if drop_after_revocation:
                rows, pos = rows[~after_revocation], pos[~after_revocation]
                after_revocation = after_revocation[~after_revocation]
            if after_revocation.any():
                bad = rows[after_revocation].iloc[0]
                raise InputError(
                    f"园区 {bad['park_id']} 已因连续两年不合格被取消授牌(第二十五条(二))，不应再有 {year} 年的评估",
                    file=evaluations_file, row=int(bad[ROW]), column="year",
                )  # fmt: skip
            # the one place input scores are rounded before 第二十四条 (evaluation.score_precision)
            score[pos] = graded_score(rows["score"].to_numpy(dtype=float), score_precision=precision)
            veto[pos] = rows["veto"].to_numpy(dtype=bool)
            rectified[pos] = rows["rectified"].to_numpy(dtype=float)
            for c in DIMENSION_COLUMNS:
                dims[c][pos] = graded_score(rows[c].to_numpy(dtype=float), score_precision=precision)
        if year <= last_eval:
            missing = due_for_evaluation & np.isnan(score)
            if missing.any():
                pid = park_ids[int(np.argmax(missing))]
                raise InputError(
                    f"园区 {pid} 在 {year} 年应参加绩效评估(第二十条)，但没有该年的评估记录",
                    file=evaluations_file,
                    column="year",
                )
        active = due_for_evaluation & ~np.isnan(score)
        if grading_args["tie_policy"] == "dimension" and active.any():
            lacking = active & np.isnan(np.stack([dims[c] for c in grading_args["tie_break_order"]])).any(0)
            if lacking.any():
                pid = park_ids[int(np.argmax(lacking))]
                raise InputError(
                    f"tie_policy=dimension 需要分项得分，园区 {pid} 在 {year} 年缺少分项得分",
                    file=evaluations_file,
                    column=", ".join(grading_args["tie_break_order"]),
                )
        result = grade_scores(score, veto, active, dims, **grading_args)
        state, amounts = subsidy.step(state, year - certified, result.grade, rectified, **step_args)

        grade_words = np.array([GRADE_NAMES.get(int(g), "") for g in result.grade], dtype=object)
        evaluated = result.grade != NOT_EVALUATED
        last_grade[evaluated] = grade_words[evaluated]
        last_evaluated[evaluated] = year
        if active.any():
            grade_frames.append(pd.DataFrame({
                "park_id": park_ids[active], "year": year, "score": score[active],
                "rank": result.rank[active], "grade": grade_words[active],
                "cap_exceeded": bool(result.cap_exceeded), "veto": veto[active],
                **{c: dims[c][active] for c in DIMENSION_COLUMNS},
            }))  # fmt: skip
            year_rows.append({
                "year": year, "n_participants": int(result.n_participants), "cap": int(result.cap),
                "n_excellent": int(result.n_excellent), "cap_exceeded": bool(result.cap_exceeded),
                "ties_excluded": bool(result.ties_excluded),
                "n_unqualified": int((result.grade[active] == 0).sum()), "n_veto": int(veto[active].sum()),
            })  # fmt: skip
        exists = amounts.certified
        paid = amounts.base_paid + amounts.bonus
        ledger_frames.append(pd.DataFrame({
            "park_id": park_ids[exists], "year": year,
            "status": np.where(amounts.revoked[exists], "revoked", "active"),
            "grade": grade_words[exists],
            "base_due": amounts.base_due[exists], "base_paid": amounts.base_paid[exists],
            "pending": amounts.pending[exists], "cancelled": amounts.cancelled[exists],
            "bonus": amounts.bonus[exists], "cumulative_paid": amounts.cumulative_paid[exists],
            "district_match": (paid * match_ratio)[exists],
            "evaluated": evaluated[exists],
            "score": score[exists], "rectified": rectified[exists],
            "revoked_this_year": amounts.newly_revoked[exists],
            "awaiting_evaluation": amounts.awaiting[exists], "undetermined": amounts.undetermined[exists],
        }))  # fmt: skip

    grades = (
        pd.concat(grade_frames, ignore_index=True) if grade_frames else pd.DataFrame(columns=GRADE_COLUMNS)
    )
    ledger = pd.concat(ledger_frames, ignore_index=True)
    since = last_year - certified
    final = pd.DataFrame({
        "park_id": park_ids, "year": last_year, "certified_year": certified,
        "years_since_certification": since,
        "status": np.where(since < 0, NOT_CERTIFIED, np.where(state.revoked, "revoked", "active")),
        "revoked": state.revoked, "score": score, "last_grade": last_grade,
        "last_evaluated_year": pd.array(np.where(last_evaluated < 0, None, last_evaluated), dtype="Int64"),
        "unqualified_run": state.unqualified_run, "cumulative_base_paid": state.cum_base_paid,
        "cumulative_paid": state.cum_paid,
    })[FINAL_COLUMNS]  # fmt: skip
    return Evaluation(grades=grades, ledger=ledger, years=pd.DataFrame(year_rows), final=final)
