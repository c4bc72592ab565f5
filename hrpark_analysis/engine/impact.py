"""解读影响: what each reading of the text changes, run on the same data (docs/readings.md).

For every policy entry with ``assumption: true`` and declared ``alternatives``, each alternative value is
applied alone (the policy with that one override), the year is rebuilt by the same ledger
(``ledger.build``; 第二十四条 grading, 第十一条/第二十五条 money) and, for the 第八条 readings, the same
eligibility rule (``eligibility.assess``) on the applicants; every park whose grade or money changes, and
every applicant whose eligibility changes, is one row. An alternative the data cannot take (e.g. an earlier
first evaluation the evaluations file does not have) is one row saying why.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis.engine import ledger
from hrpark_analysis.errors import HrparkError
from hrpark_analysis.law.policy import Policy
from hrpark_analysis.rules import eligibility

#: one row per change; ``kind`` is ``park`` / ``applicant`` / ``none`` (nothing changes) / ``refused``
IMPACT_COLUMNS = [
    "key", "baseline", "alternative", "kind", "id", "grade_from", "grade_to",
    "paid_from", "paid_to", "paid_change", "due_change", "district_match_change", "cumulative_change",
    "eligible_from", "eligible_to", "note",
]  # fmt: skip


def _year_view(result: ledger.Evaluation, year: int) -> pd.DataFrame:
    """Per park this year: grade, paid (base_paid + bonus), base_due, district_match, cumulative_paid."""
    book = result.ledger[result.ledger["year"] == year].set_index("park_id")
    return pd.DataFrame({
        "grade": book["grade"], "paid": book["base_paid"] + book["bonus"], "due": book["base_due"],
        "match": book["district_match"], "cumulative": book["cumulative_paid"],
    })  # fmt: skip


def alternatives(policy: Policy) -> list[tuple[str, Any]]:
    """(key, value) for every declared alternative of every assumption, the applied value left out."""
    return [
        (key, value)
        for key, param in policy.params.items()
        if param.assumption
        for value in param.alternatives
        if value != param.value
    ]


def interpretation_impact(
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    policy: Policy,
    year: int,
    *,
    applicants: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Rows of IMPACT_COLUMNS: every park / applicant that an alternative reading changes in ``year``."""
    base = _year_view(ledger.build(parks, evaluations, policy, end_year=year), year)
    base_eligible = None
    if applicants is not None and len(applicants):
        base_eligible = eligibility.assess(applicants, **eligibility.rule_arguments(policy))[
            "eligible"
        ].to_numpy()
    rows: list[dict[str, Any]] = []
    for key, value in alternatives(policy):
        head = {"key": key, "baseline": policy[key], "alternative": value}
        try:
            trial = policy.with_overrides({key: value})
            if key.startswith("eligibility."):
                rows += _applicant_rows(head, applicants, trial, base_eligible)
                continue
            alt = _year_view(ledger.build(parks, evaluations, trial, end_year=year), year)
        except HrparkError as exc:
            rows.append({**head, "kind": "refused", "note": str(exc)})
            continue
        rows += _park_rows(head, base, alt)
    return pd.DataFrame(rows, columns=IMPACT_COLUMNS)


def _park_rows(head: dict[str, Any], base: pd.DataFrame, alt: pd.DataFrame) -> list[dict[str, Any]]:
    both = base.merge(alt, left_index=True, right_index=True, how="outer", suffixes=("", "_alt"))
    change = {name: both[f"{name}_alt"].fillna(0) - both[name].fillna(0)
              for name in ("paid", "due", "match", "cumulative")}  # fmt: skip
    changed = both["grade"].fillna("") != both["grade_alt"].fillna("")
    for delta in change.values():
        changed |= ~np.isclose(delta, 0)
    if not changed.any():
        return [{**head, "kind": "none"}]
    part = both[changed]
    return [
        {**head, "kind": "park", "id": str(pid), "grade_from": part.at[pid, "grade"],
         "grade_to": part.at[pid, "grade_alt"], "paid_from": part.at[pid, "paid"],
         "paid_to": part.at[pid, "paid_alt"], "paid_change": float(change["paid"][pid]),
         "due_change": float(change["due"][pid]), "district_match_change": float(change["match"][pid]),
         "cumulative_change": float(change["cumulative"][pid])}
        for pid in part.index
    ]  # fmt: skip


def _applicant_rows(
    head: dict[str, Any], applicants: pd.DataFrame | None, trial: Policy, base_eligible: np.ndarray | None
) -> list[dict[str, Any]]:
    if applicants is None or base_eligible is None:
        return [{**head, "kind": "none", "note": "no_applicants"}]
    alt = eligibility.assess(applicants, **eligibility.rule_arguments(trial))["eligible"].to_numpy()
    changed = np.flatnonzero(alt != base_eligible)
    if not len(changed):
        return [{**head, "kind": "none"}]
    ids = applicants["applicant_id"].to_numpy()
    return [
        {**head, "kind": "applicant", "id": str(ids[i]), "eligible_from": bool(base_eligible[i]),
         "eligible_to": bool(alt[i])}
        for i in changed
    ]  # fmt: skip
