"""The policy file: every number of the text is there with its article, and loading validates it."""

from __future__ import annotations

from importlib import resources

import pytest
import yaml

from hrpark_analysis.errors import PolicyError
from hrpark_analysis.law.policy import load_policy

BASELINE_TEXT = resources.files("hrpark_analysis").joinpath("law", "policy-2021.yaml").read_text("utf-8")


def test_baseline_carries_the_numbers_of_the_measures():
    p = load_policy()
    assert p["grading.pass_mark"] == 60  # 第二十四条
    assert p["grading.excellent_share"] == 0.3  # 第二十四条
    assert p["subsidy.base_schedule"] == [150, 100, 50]  # 第十一条
    assert p["subsidy.base_cap"] == 300  # 第十一条
    assert p["subsidy.excellent_bonus"] == 10  # 第二十五条(一)
    assert p["eligibility.min_floor_area_m2"] == 10000  # 第八条(二)
    assert p["eligibility.min_revenue_first_year"] == 50000  # 第八条(五): 5亿元 in 万元
    assert p["eligibility.min_employment_served"] == 200000  # 第八条(六)
    assert p["eligibility.min_talent_moves"] == 2000  # 第八条(七)
    assert p["consequences.revoke_after_unqualified_years"] == 2  # 第二十五条(二)
    assert len(p["regions.main_city"]) == 21 + 3 and len(p["regions.northeast"]) == 11
    assert len(p["regions.southeast"]) == 6


def test_every_entry_cites_an_article_and_every_assumption_has_a_reason():
    table = load_policy().table()
    assert table["reference"].str.contains("第.+条").all()
    assumptions = table[table["assumption"]]
    assert (assumptions["reason"].str.len() > 5).all()
    # the default readings of docs/readings.md are flagged as assumptions
    for key in ["grading.pass_mark_inclusive", "grading.tie_policy", "grading.cap_rounding",
                "eligibility.regional_relaxation", "eligibility.online_area_relaxation",
                "evaluation.first_evaluation_offset", "subsidy.district_match_ratio"]:  # fmt: skip
        assert key in set(assumptions["key"]), key


def broken(tmp_path, edit):
    raw = yaml.safe_load(BASELINE_TEXT)
    edit(raw)
    path = tmp_path / "policy.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "fragments"),
    [
        (lambda r: r["grading"].update(pass_marks=r["grading"].pop("pass_mark")), ["grading.pass_marks", "grading.pass_mark"]),
        (lambda r: r["grading"]["excellent_share"].update(value=0), ["excellent_share", "大于 0"]),
        (lambda r: r["grading"]["excellent_share"].update(value=1.2), ["excellent_share"]),
        (lambda r: r["grading"]["pass_mark"].update(value="sixty"), ["pass_mark", "数值"]),
        (lambda r: r["grading"]["tie_policy"].update(value="exclud"), ["tie_policy", "exclude"]),
        (lambda r: r["subsidy"]["base_cap"].update(value=-1), ["base_cap"]),
        (lambda r: r["subsidy"]["grade_factor"]["qualified"].update(value=-0.5), ["grade_factor.qualified"]),
        (lambda r: r["grading"]["pass_mark"].pop("reference"), ["pass_mark", "reference"]),
        (lambda r: r["grading"]["pass_mark"].update(refrence="x"), ["refrence", "reference"]),
        (lambda r: r["grading"]["tie_policy"].pop("reason"), ["tie_policy", "reason"]),
        (lambda r: r["regions"]["northeast"]["value"].append("渝中"), ["渝中"]),
    ],
)  # fmt: skip
def test_broken_policy_files_are_refused_with_the_key(tmp_path, edit, fragments):
    with pytest.raises(PolicyError) as err:
        load_policy(broken(tmp_path, edit))
    for fragment in fragments:
        assert fragment in str(err.value)
    assert "policy.yaml" in str(err.value)


def test_a_reform_is_the_baseline_with_overrides():
    reform = load_policy(overrides=["grading.excellent_share=0.2", "grading.pass_mark_inclusive=true"])
    diff = load_policy().diff(reform)
    assert set(diff["key"]) == {"grading.excellent_share", "grading.pass_mark_inclusive"}
    assert reform["grading.pass_mark_inclusive"] is True
