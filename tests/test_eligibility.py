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
