"""第八条: the conditions a park must meet to be certified as a municipal park, with the relaxations of docs/readings.md."""

from __future__ import annotations

import numpy as np
import pandas as pd

from hrpark_analysis.law.policy import Policy

# (condition, column in the applicants file, threshold parameter); 第八条's quantitative clauses.
QUANTITATIVE = [
    ("floor_area", "floor_area_m2", "min_floor_area_m2"),  # (二)
    ("institutions", "n_institutions", "min_institutions"),  # (五)
    ("revenue", "revenue_first_year", "min_revenue_first_year"),  # (五)
    ("employment", "employment_served", "min_employment_served"),  # (六)
    ("talent", "talent_moves", "min_talent_moves"),  # (七)
]
# 第八条's yes/no clauses: (一) policy support, (二) complete plan, (三) infrastructure, (四) management.
FACTS = ["policy_support", "plan_complete", "infrastructure", "management"]


def thresholds(
    region: np.ndarray,
    online_offline: np.ndarray,
    *,
    min_floor_area_m2: float,
    min_institutions: float,
    min_revenue_first_year: float,
    min_employment_served: float,
    min_talent_moves: float,
    regional_relaxation: float,
    relaxed_regions: list[str],
    online_area_relaxation: float,
    relaxations_combine: str,
) -> dict[str, np.ndarray]:
    """第八条: each applicant's thresholds after relaxation.

    "对渝东北、渝东南地区申报的……适当放宽相关条件要求": every quantitative threshold × ``regional_relaxation``
    in ``relaxed_regions``. "以'线上+线下'相结合形式申报的，可适当放宽场地面积要求": the area threshold ×
    ``online_area_relaxation``. Both together: multiplied, or the smaller factor (``relaxations_combine``).
    """
    regional = np.where(np.isin(region, relaxed_regions), regional_relaxation, 1.0)
    online = np.where(online_offline, online_area_relaxation, 1.0)
    area_factor = regional * online if relaxations_combine == "multiply" else np.minimum(regional, online)
    base = {
        "floor_area": min_floor_area_m2,
        "institutions": min_institutions,
        "revenue": min_revenue_first_year,
        "employment": min_employment_served,
        "talent": min_talent_moves,
    }
    return {name: base[name] * (area_factor if name == "floor_area" else regional) for name in base}


def assess(applicants: pd.DataFrame, **rules) -> pd.DataFrame:
    """第八条: each condition met or not, its margin (actual / threshold − 1) and overall eligibility.

    The result has ``applicant_id, region``, one ``met_*`` column per condition (the four yes/no clauses and
    the five quantitative ones), ``threshold_*`` and ``margin_*`` for the quantitative ones, and ``eligible``
    (all conditions met). ``relaxed`` says whether a relaxation changed any threshold for the applicant.
    """
    region = applicants["region"].to_numpy()
    online = applicants["online_offline"].to_numpy(dtype=bool)
    limits = thresholds(region, online, **rules)
    out = pd.DataFrame({"applicant_id": applicants["applicant_id"].to_numpy(), "region": region})
    met_all = np.ones(len(applicants), dtype=bool)
    for fact in FACTS:
        met = applicants[fact].to_numpy(dtype=bool)
        out[f"met_{fact}"] = met
        met_all &= met
    relaxed = np.zeros(len(applicants), dtype=bool)
    for name, col, param in QUANTITATIVE:
        actual = applicants[col].to_numpy(dtype=float)
        limit = limits[name]
        met = actual >= limit
        out[f"met_{name}"] = met
        met_all &= met
        relaxed |= limit != rules[param]
        with np.errstate(divide="ignore", invalid="ignore"):
            margin = np.where(limit > 0, actual / np.where(limit > 0, limit, 1) - 1, np.inf)
        out[f"margin_{name}"] = np.round(margin, 4)  # a readable ratio: 0.325, not 0.32499999999999996
        out[f"threshold_{name}"] = limit
    out["relaxed"] = relaxed
    out["eligible"] = met_all
    return out


def rule_arguments(policy: Policy) -> dict:
    """The keyword arguments of :func:`assess` from the policy's eligibility section."""
    return policy.section("eligibility")


def eligible_over_relaxations(
    applicants: pd.DataFrame, regional: np.ndarray, online: np.ndarray, **rules
) -> np.ndarray:
    """第八条 末段: who is eligible for every pair of relaxation factors, from one broadcast of :func:`thresholds`.

    ``regional`` (G,) and ``online`` (H,) are values of ``regional_relaxation`` and ``online_area_relaxation``;
    the result is (G, H, applicants) booleans. The other rules (thresholds, regions, ``relaxations_combine``)
    are the policy's.
    """
    rules = {**rules, "regional_relaxation": np.asarray(regional, dtype=float)[:, None, None],
             "online_area_relaxation": np.asarray(online, dtype=float)[None, :, None]}  # fmt: skip
    limits = thresholds(
        applicants["region"].to_numpy(), applicants["online_offline"].to_numpy(dtype=bool), **rules
    )
    met = np.ones((len(regional), len(online), len(applicants)), dtype=bool)
    for fact in FACTS:
        met &= applicants[fact].to_numpy(dtype=bool)
    for name, col, _ in QUANTITATIVE:
        met &= applicants[col].to_numpy(dtype=float) >= limits[name]
    return met
