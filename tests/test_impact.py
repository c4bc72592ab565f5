"""解读影响: each declared alternative of each assumption, run alone on the same data (engine/impact.py).

The hand-made year of tests/test_explain.py (ten parks certified 2022, all evaluated 2023, cap 3, P03/P04
tied at 85 at the boundary, P07 vetoed, P09 at exactly 60, P10 at 50 and not rectified; 100万元 due each).
Expected changes, worked out by hand:

- pass_mark_inclusive=true: P09 becomes 不合格, rectification unknown -> its 100 pending: paid −100;
- veto_enabled=false: P07 (70) becomes 合格, its pending 100 is paid: +100;
- tie_policy=include: P03 and P04 both 优秀, +10 bonus each; dimension: only P03 (作用发挥 40 > 35);
- cap_rounding round/ceil: 0.3 × 10 = 3 exactly, nothing changes;
- grade_factor.excellent=1.2: P01, P02 due 120 instead of 100 (+20); qualified=0.8: the six 合格 −20 each;
  unqualified=0.5: P07 and P10 due 50 instead of 100, and neither is paid either way (paid change 0);
- district_match_ratio=1.0: each park's matching funds = its municipal payment (110 with a bonus, else 100;
  P07 pending and P10 cancelled are paid nothing, so match nothing);
- first_evaluation_offset 0 or 2: the evaluations file cannot be read that way -> refused, with the reason;
- no applicants file -> the 第八条 readings are not computed.
"""

from __future__ import annotations

import pytest
from test_explain import EVALS, PARKS

from hrpark_analysis.engine import impact
from hrpark_analysis.errors import PolicyError
from hrpark_analysis.io import readers
from hrpark_analysis.law.policy import load_policy

SHIPPED = load_policy()


@pytest.fixture(scope="module")
def rows(tmp_path_factory):
    folder = tmp_path_factory.mktemp("impact")
    (folder / "parks.csv").write_text(PARKS, "utf-8")
    (folder / "evals.csv").write_text(EVALS, "utf-8")
    parks = readers.read_parks(folder / "parks.csv", SHIPPED)
    return impact.interpretation_impact(parks, readers.read_evaluations(folder / "evals.csv"), SHIPPED, 2023)


def changes(rows, key, value, column="paid_change"):
    part = rows[(rows["key"] == key) & rows["alternative"].map(lambda v: v == value)]
    return {r.id: getattr(r, column) for r in part.itertuples() if r.kind == "park"}, set(part["kind"])


def test_grading_readings_change_the_parks_worked_out_by_hand(rows):
    assert changes(rows, "grading.pass_mark_inclusive", True)[0] == {"P09": -100}
    p09 = rows[(rows["key"] == "grading.pass_mark_inclusive")].iloc[0]
    assert (p09["grade_from"], p09["grade_to"]) == ("qualified", "unqualified")
    assert changes(rows, "grading.veto_enabled", False)[0] == {"P07": 100}
    assert changes(rows, "grading.tie_policy", "include")[0] == {"P03": 10, "P04": 10}
    assert changes(rows, "grading.tie_policy", "dimension")[0] == {"P03": 10}
    for rounding in ("round", "ceil"):
        assert changes(rows, "grading.cap_rounding", rounding) == ({}, {"none"})


def test_money_readings_change_the_amounts_worked_out_by_hand(rows):
    assert changes(rows, "subsidy.grade_factor.excellent", 1.2, "due_change")[0] == {"P01": 20, "P02": 20}
    qualified = {p: -20 for p in ("P03", "P04", "P05", "P06", "P08", "P09")}
    assert changes(rows, "subsidy.grade_factor.qualified", 0.8)[0] == qualified
    assert changes(rows, "subsidy.grade_factor.unqualified", 0.5, "due_change")[0] == {"P07": -50, "P10": -50}
    assert changes(rows, "subsidy.grade_factor.unqualified", 0.5)[0] == {"P07": 0, "P10": 0}
    match = {"P01": 110, "P02": 110, **{p: 100 for p in ("P03", "P04", "P05", "P06", "P08", "P09")}}
    assert changes(rows, "subsidy.district_match_ratio", 1.0, "district_match_change")[0] == match
    assert changes(rows, "subsidy.bonus_counts_against_cap", True) == ({}, {"none"})  # 250 + 10 < 300


def test_a_reading_the_data_cannot_take_is_one_row_saying_why(rows):
    refused = rows[rows["key"] == "evaluation.first_evaluation_offset"]
    assert list(refused["kind"]) == ["refused", "refused"]
    assert "2022 年应参加绩效评估" in refused.iloc[0]["note"] and "2024" in refused.iloc[1]["note"]
    eligibility = rows[rows["key"].str.startswith("eligibility.")]
    assert set(eligibility["note"]) == {"no_applicants"}


def test_every_declared_alternative_is_run_and_the_applied_value_is_not(rows):
    declared = [(k, v) for k, p in SHIPPED.params.items() for v in p.alternatives if v != p.value]
    assert len(declared) == len(impact.alternatives(SHIPPED)) and len(declared) >= 20
    ran = {(r.key, repr(r.alternative)) for r in rows.itertuples()}
    assert ran == {(k, repr(v)) for k, v in declared}
    # district_match_ratio declares {min: 0.0, max: 1.0}: 0.0 is the applied value, only 1.0 runs
    assert impact.alternatives(SHIPPED).count(("subsidy.district_match_ratio", 1.0)) == 1
    assert ("subsidy.district_match_ratio", 0.0) not in impact.alternatives(SHIPPED)


def test_eligibility_readings_name_the_applicants_they_change():
    from hrpark_analysis.engine.dataset import SAMPLE_DIR
    from hrpark_analysis.rules import eligibility

    applicants = readers.read_applicants(SAMPLE_DIR / "applicants.csv", SHIPPED)
    relaxed = eligibility.assess(applicants, **eligibility.rule_arguments(SHIPPED))
    strict = eligibility.assess(
        applicants,
        **eligibility.rule_arguments(SHIPPED.with_overrides({"eligibility.regional_relaxation": 1.0})),
    )
    only_thanks_to_relaxation = set(relaxed["applicant_id"][relaxed["eligible"] & ~strict["eligible"]])
    assert only_thanks_to_relaxation  # the sample has applicants eligible only thanks to the 0.8 relaxation
    from hrpark_analysis.engine.dataset import load_dataset

    data = load_dataset(SAMPLE_DIR, 2025, SHIPPED)
    rows = impact.interpretation_impact(data.parks, data.evaluations, SHIPPED, 2025, applicants=applicants)
    part = rows[(rows["key"] == "eligibility.regional_relaxation") & (rows["alternative"] == 1.0)]
    assert set(part["id"]) == only_thanks_to_relaxation and not part["eligible_to"].any()


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ("    alternatives: [true]\n", "只有假设"),
        ("    alternatives: []\n", "取值列表"),
        ("    alternatives: {min: 2, max: 1}\n", "min ≤ max"),
        ("    alternatives: [maybe]\n", "无效"),
    ],
)
def test_alternatives_are_validated_when_the_policy_loads(tmp_path, entry, words):
    from importlib import resources

    text = resources.files("hrpark_analysis").joinpath("law", "policy-2021.yaml").read_text("utf-8")
    if "只有假设" in words:  # on an entry that is not an assumption (pass_mark comes from the text)
        anchor = "    reference: 第二十四条\n  pass_mark_inclusive:"
        text = text.replace(anchor, "    reference: 第二十四条\n" + entry + "  pass_mark_inclusive:", 1)
    else:
        anchor = "    alternatives: [true]\n"  # pass_mark_inclusive's
        assert anchor in text
        text = text.replace(anchor, entry, 1)
    bad = tmp_path / "policy.yaml"
    bad.write_text(text, "utf-8")
    with pytest.raises(PolicyError) as err:
        load_policy(bad)
    assert words in str(err.value) and "alternatives" in str(err.value)
