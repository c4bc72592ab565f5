"""第十一条 / 第二十四条 / 第二十五条: two whole policies' ledgers side by side, park-year by park-year.

The whole-policy counterpart of ``hrpark policy diff``: where ``diff`` lists the parameters that differ,
:func:`compare` lists the park-years whose outcome differs — grade (第二十四条), plaque (第二十五条(二)) or
any amount of the year (第十一条 / 第十三条 / 第二十五条) — with the value under each policy and the difference.
Both ledgers come from :func:`hrpark_analysis.engine.ledger.build` on the same parks and evaluations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from hrpark_analysis.engine.ledger import Evaluation, build
from hrpark_analysis.errors import InputError
from hrpark_analysis.law.policy import Policy

KEYS = ["park_id", "year"]
#: What a park-year's outcome is made of: words compared exactly, amounts (万元) within MONEY_TOLERANCE.
OUTCOME_WORDS = ["grade", "status"]
# undetermined: a year awaiting its evaluation (第二十条), e.g. one policy's first evaluation comes later
MONEY = ["paid", "base_due", "base_paid", "bonus", "pending", "cancelled", "district_match", "undetermined"]
MONEY_TOLERANCE = 1e-6  # 万元 (0.01 元): float noise below a cent is not a change of money
COMPARE_COLUMNS = [
    *KEYS,
    *(f"{c}_{s}" for c in OUTCOME_WORDS for s in ("a", "b")),
    *(f"{c}_{s}" for c in MONEY for s in ("a", "b", "diff")),
    "changed",
]


def _outcomes(result: Evaluation) -> pd.DataFrame:
    book = result.ledger
    out = book[[*KEYS, *OUTCOME_WORDS]].copy()
    out["paid"] = book["base_paid"] + book["bonus"]  # what the municipality pays that year
    for c in MONEY[1:]:
        out[c] = book[c].astype(float)
    return out


def compare_results(a: Evaluation, b: Evaluation, *, all_rows: bool = False) -> pd.DataFrame:
    """第十一条 / 第二十四条 / 第二十五条: two evaluations of the same parks, one row per park-year.

    Columns: park_id, year; ``grade_a``/``grade_b`` and ``status_a``/``status_b``; for each amount of
    :data:`MONEY` (``paid`` = base_paid + bonus) ``X_a``, ``X_b`` and ``X_diff`` = b − a (万元); ``changed``:
    the outcome fields that differ, comma-joined (``""`` if none). Only changed park-years unless
    ``all_rows``. A park-year in one ledger only counts as changed (its missing side is blank / NaN).
    """
    left, right = _outcomes(a), _outcomes(b)
    merged = left.merge(right, on=KEYS, how="outer", suffixes=("_a", "_b"), sort=False, indicator=True)
    order = pd.concat([left[KEYS], right[KEYS]]).drop_duplicates()
    merged = order.merge(merged, on=KEYS, how="left")  # a's order (year, then parks), b's extra rows after
    one_side = (merged.pop("_merge") != "both").to_numpy()
    flags = {}
    for c in OUTCOME_WORDS:
        flags[c] = merged[f"{c}_a"].fillna("").to_numpy() != merged[f"{c}_b"].fillna("").to_numpy()
    for c in MONEY:
        va, vb = merged[f"{c}_a"].to_numpy(float), merged[f"{c}_b"].to_numpy(float)
        merged[f"{c}_diff"] = vb - va
        flags[c] = ~np.isclose(va, vb, rtol=0.0, atol=MONEY_TOLERANCE)
    matrix = np.column_stack(list(flags.values())) | one_side[:, None]
    words = np.full(len(merged), "", dtype=object)
    for j, name in enumerate(flags):  # a loop over the outcome fields, not the rows
        words = words + np.where(matrix[:, j], name + ", ", "")
    merged["changed"] = pd.Series(words, index=merged.index, dtype=object).str.removesuffix(", ")
    out = merged[COMPARE_COLUMNS]
    if not all_rows:
        out = out[matrix.any(axis=1)]
    return out.reset_index(drop=True)


def compare(
    policy_a: Policy,
    policy_b: Policy,
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    *,
    all_rows: bool = False,
) -> pd.DataFrame:
    """第十一条 / 第二十四条 / 第二十五条: the ledger under ``policy_a`` against the ledger under ``policy_b``.

    Every park-year (``all_rows``) or only those whose grade, plaque or money differs; see
    :func:`compare_results` for the columns. Under a policy that withdraws a plaque earlier than the data's
    own, the park's later evaluations are left out (第二十五条(二): never evaluated again). A policy that keeps
    a park whose plaque the data's own policy withdrew needs the park's later scores, which the data do not
    have: that is an error naming the park and the year.
    """
    results = []
    for label, policy in (("policy_a", policy_a), ("policy_b", policy_b)):
        try:
            results.append(build(parks, evaluations, policy, drop_after_revocation=True))
        except InputError as exc:
            raise InputError(
                f"按 {label} 重建台账时: {exc.message}", file=exc.file, row=exc.row, column=exc.column
            ) from exc
    return compare_results(*results, all_rows=all_rows)
