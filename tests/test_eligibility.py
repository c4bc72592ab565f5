"""第八条 worked by hand (tests/cases/eligibility.yaml), and 第九条/第十条 procedure paths."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import yaml

from hrpark_analysis.io.readers import with_regions
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.rules import eligibility, procedure

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


REQUIRED = load_policy()["procedure.required_materials"]


def test_complete_application_goes_through_every_stage_to_certification():
    app = procedure.run(
        "A1", set(REQUIRED), expert_passed=True, objection_upheld=False, required_materials=REQUIRED
    )
    assert app.stage is procedure.Stage.CERTIFIED
    assert [s.value for s in app.history] == ["申报", "评估", "公示", "授牌"]


def test_incomplete_materials_stop_the_application_at_evaluation():
    app = procedure.run("A1", set(REQUIRED[:3]), True, False, required_materials=REQUIRED)
    assert app.stage is procedure.Stage.REJECTED
    assert app.history[-2] is procedure.Stage.EVALUATION
    assert REQUIRED[3] in app.reason and "第十条" in app.reason


def test_failed_expert_review_rejects_before_public_notice():
    app = procedure.run(
        "A1", set(REQUIRED), expert_passed=False, objection_upheld=False, required_materials=REQUIRED
    )
    assert app.stage is procedure.Stage.REJECTED
    assert procedure.Stage.PUBLIC_NOTICE not in app.history


def test_an_upheld_objection_during_public_notice_rejects():
    app = procedure.run(
        "A1", set(REQUIRED), expert_passed=True, objection_upheld=True, required_materials=REQUIRED
    )
    assert app.stage is procedure.Stage.REJECTED
    assert app.history[-2] is procedure.Stage.PUBLIC_NOTICE


def test_actions_out_of_order_are_refused():
    with pytest.raises(procedure.ProcedureError, match="公示"):
        procedure.Application("A1").public_notice(objection_upheld=False)
