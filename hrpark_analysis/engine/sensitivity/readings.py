"""第二十四条: the readings of the text (tie policy, cap rounding, inclusive pass mark, veto) side by side."""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis.engine.sensitivity.sweep import change_columns
from hrpark_analysis.rules.grading import QUALIFIED, TIE_POLICIES, UNQUALIFIED, grade_scores

READING_OPTIONS: dict[str, tuple] = {
    "tie_policy": TIE_POLICIES,
    "cap_rounding": ("floor", "round", "ceil"),
    "pass_mark_inclusive": (False, True),
    "veto_enabled": (True, False),
}


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
            **change_columns(ids, base, g),
        })  # fmt: skip
    return pd.DataFrame(rows)
