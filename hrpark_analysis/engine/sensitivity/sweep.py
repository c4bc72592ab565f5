"""第二十四条 / 第二十五条: the deterministic (excellent share, pass mark) grid of one year's grades.

Counts, bonus and subsidy at risk at every grid point, and which parks change grade against the baseline; the
grades come from the grid kernel :func:`hrpark_analysis.rules.grid.grid_grades` (one sort, no re-grading).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis.rules.grading import EXCELLENT, GRADE_NAMES, QUALIFIED, UNQUALIFIED, excellent_cap
from hrpark_analysis.rules.grid import DEFAULT_PASS_MARKS, DEFAULT_SHARES, grid_grades


def joined(ids: np.ndarray, mask: np.ndarray) -> str:
    """The ids where ``mask`` holds, comma-joined (a table cell)."""
    return ", ".join(str(x) for x in ids[mask])


def change_columns(ids: np.ndarray, base: np.ndarray, grade: np.ndarray) -> dict[str, Any]:
    """第二十四条: how many parks change grade against ``base`` and which move into or out of 优秀 / 不合格."""
    return {
        "n_changed": int((grade != base).sum()),
        "to_excellent": joined(ids, (grade == EXCELLENT) & (base != EXCELLENT)),
        "from_excellent": joined(ids, (base == EXCELLENT) & (grade != EXCELLENT)),
        "to_unqualified": joined(ids, (grade == UNQUALIFIED) & (base != UNQUALIFIED)),
        "from_unqualified": joined(ids, (base == UNQUALIFIED) & (grade != UNQUALIFIED)),
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
                **change_columns(ids, base, g),
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
