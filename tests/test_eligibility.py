"""第八条 worked by hand (tests/cases/eligibility.yaml); the 第九条/第十条 paths are in test_applications.py."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from hrpark_analysis.io.readers import with_regions
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.rules import eligibility

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "eligibility.yaml").read_text("utf-8"))
CONDITIONS = ["floor_area", "institutions", "revenue", "employment", "talent"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_worked_case(case):
    policy = load_policy(overrides=case.get("set"))
    district, online, *figures = case["applicant"]
    row = {
        "applicant_id": "A1",
        "name": "示例申报单位",
        "district": district,
        "online_offline": online,
        "_row": 2,
    }
    row.update(dict(zip(["floor_area_m2", "n_institutions", "revenue_first_year", "employment_served",
                         "talent_moves"], figures, strict=True)))  # fmt: skip
    row.update({f: True for f in eligibility.FACTS} | case.get("facts", {}))
    applicants = with_regions(pd.DataFrame([row]), policy, "applicants.csv")
    result = eligibility.assess(applicants, **eligibility.rule_arguments(policy)).iloc[0]
    assert bool(result["eligible"]) is case["eligible"]
    failed = [c for c in CONDITIONS + eligibility.FACTS if not result[f"met_{c}"]]
    assert failed == case.get("failed", [])
    for name, margin in case.get("margins", {}).items():
        assert result[f"margin_{name}"] == pytest.approx(margin)
    if "relaxed" in case:
        assert bool(result["relaxed"]) is case["relaxed"]


BASE = {
    "floor_area_m2": 10000,
    "n_institutions": 20,
    "revenue_first_year": 50000,
    "employment_served": 200000,
    "talent_moves": 2000,
}  # fmt: skip — the shipped 第八条 thresholds, restated by hand


def _at_threshold(factor: str, online: bool, combine: str = "multiply"):
    """An applicant from 万州 (渝东北) at exactly base × factor on every clause, as the decimals a user types."""
    from decimal import Decimal

    f = Decimal(factor)
    o = Decimal("0.5") if online else Decimal(1)
    area = f * o if combine == "multiply" else min(f, o)
    figures = {k: (area if k == "floor_area_m2" else f) * v for k, v in BASE.items()}
    row = {"applicant_id": "A1", "name": "甲", "district": "万州", "online_offline": online, "_row": 2}
    row.update({k: float(str(v)) for k, v in figures.items()})
    row.update({fact: True for fact in eligibility.FACTS})
    return pd.DataFrame([row])


def test_an_applicant_exactly_at_the_relaxed_threshold_is_eligible_with_margin_zero():
    # 0.55 × 50000 = 27500 exactly, though 50000 * 0.55 = 27500.000000000004 in binary floating point
    assert 50000 * 0.55 != 27500
    policy = load_policy(overrides=["eligibility.regional_relaxation=0.55"])
    applicants = with_regions(_at_threshold("0.55", online=False), policy, "applicants.csv")
    result = eligibility.assess(applicants, **eligibility.rule_arguments(policy)).iloc[0]
    assert bool(result["eligible"])
    for name in CONDITIONS:
        assert bool(result[f"met_{name}"]), name
        assert str(result[f"margin_{name}"]) == "0.0", name  # never -0.0
    assert result["threshold_institutions"] == 11 and result["threshold_revenue"] == 27500


@pytest.mark.parametrize("combine", ["multiply", "min"])
@pytest.mark.parametrize("online", [False, True])
def test_every_factor_is_exact_at_the_threshold_and_one_unit_below_fails(online, combine):
    from decimal import Decimal

    policy = load_policy(overrides={"eligibility.relaxations_combine": combine})
    for factor in (f"{k / 100:.2f}" for k in [*range(1, 101, 3), 55, 65, 95]):  # 0.01 … 1.00
        rules = {**eligibility.rule_arguments(policy), "regional_relaxation": float(factor)}
        frame = _at_threshold(factor, online, combine)
        below = frame.copy()
        below["n_institutions"] = float(str(Decimal(factor) * 20 - Decimal("0.01")))
        applicants = with_regions(pd.concat([frame, below], ignore_index=True), policy, "applicants.csv")
        result = eligibility.assess(applicants, **rules)
        assert result["eligible"].tolist() == [True, False], factor
        assert (result.loc[0, [f"margin_{c}" for c in CONDITIONS]] == 0).all(), factor
        grid = eligibility.eligible_over_relaxations(applicants, [float(factor)], [0.5], **rules)
        assert grid[0, 0].tolist() == [True, False], factor
