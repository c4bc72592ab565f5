"""第八条: the conditions a park must meet to be certified as a municipal park, with the relaxations of docs/readings.md."""

from __future__ import annotations

from fractions import Fraction
from math import prod

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
    base = {
        "floor_area": min_floor_area_m2,
        "institutions": min_institutions,
        "revenue": min_revenue_first_year,
        "employment": min_employment_served,
        "talent": min_talent_moves,
    }
    if relaxations_combine == "multiply":
        area = exact_product(min_floor_area_m2, regional, online)
    else:
        area = exact_product(min_floor_area_m2, np.minimum(regional, online))
    return {name: area if name == "floor_area" else exact_product(base[name], regional) for name in base}


def _decimal(value: float) -> Fraction:
    return Fraction(repr(float(value)))  # the decimal the user wrote: 0.55 is 55/100


def exact_product(base: float, *factors: np.ndarray) -> np.ndarray:
    """第八条 末段: ``base`` × the factors, each read as the decimal written, rounded once to the nearest float.

    10000 × 0.55 is 5500 and 20 × 0.55 is 11 (binary floating point gives 11.000000000000002, so an
    applicant at exactly 11 would fail). Exact arithmetic runs once per distinct combination of factors
    (a handful: relaxed or not, online or not, the grid's values), then is spread over the applicants.
    """
    arrays = np.broadcast_arrays(*(np.asarray(f, dtype=float) for f in factors))
    shape = arrays[0].shape
    code = np.zeros(arrays[0].size, dtype=np.int64)
    levels = []
    for a in arrays:  # one integer code per combination: 1-D uniques stay fast over many applicants
        values, idx = np.unique(a.reshape(-1), return_inverse=True)
        code = code * len(values) + idx.reshape(-1)
        levels.append(values)
    combos, inverse = np.unique(code, return_inverse=True)
    exact = _decimal(base)
    out = []
    for c in combos.tolist():
        picks = []
        for values in reversed(levels):
            c, i = divmod(c, len(values))
            picks.append(_decimal(values[i]))
        out.append(float(exact * prod(picks, start=Fraction(1))))
    return np.asarray(out, dtype=float)[inverse.reshape(-1)].reshape(shape)


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
        # a readable ratio: 0.325, not 0.32499999999999996; + 0.0 turns a rounded -0.0 into 0.0
        out[f"margin_{name}"] = np.round(margin, 4) + 0.0
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
