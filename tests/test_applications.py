"""``hrpark applications``: the certification round (第八条–第十条), one hand-made applicant per path.

Every expected stage, rejected_at and reason below is worked out by hand from the text: 第十条 (materials),
第八条 (conditions, thresholds 10000 m² / 20 家 / 50000 万元 / 200000 人次 / 2000 人次, × 0.8 in 渝东北/渝东南),
第九条(二) expert review, 第九条(三)/(四) 公示 and 授牌.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrpark_analysis.cli import main
from hrpark_analysis.law.text import resolve
from hrpark_analysis.rules import procedure

HEAD = (
    "applicant_id,name,district,online_offline,floor_area_m2,n_institutions,revenue_first_year,"
    "employment_served,talent_moves,policy_support,plan_complete,infrastructure,management,"
    "material_application_form,material_local_policy,material_park_plan,material_institution_list,"
    "expert_review,publicity_objection,round\n"
)
GOOD = "否,12000,25,60000,250000,2500,是,是,是,是"  # 主城都市区: every threshold met without relaxation
ROWS = {
    # id: (district, figures+facts, materials, expert, objection, round)
    "C1": ("渝北区", GOOD, "是,是,是,是", "pass", "none", "2025"),  # every stage passed → 授牌
    "M1": ("江北区", GOOD, "是,是,否,是", "pass", "", "2025"),  # 第十条(三) missing → stops at 评估
    "E1": (
        "南岸区",
        "否,12000,15,60000,250000,2500,是,是,是,是",
        "是,是,是,是",
        "pass",
        "",
        "2025",
    ),  # 15 < 20 家
    "X1": ("渝中区", GOOD, "是,是,是,是", "fail", "", "2025"),  # expert review failed
    "O1": ("江津区", GOOD, "是,是,是,是", "pass", "upheld", "2025"),  # objection upheld during 公示
    "S1": ("巴南区", GOOD, "是,是,是,是", "", "", "2025"),  # expert review not yet held
    "S2": ("北碚区", GOOD, "是,,是,是", "pass", "", "2025"),  # one material not yet checked
    "P1": ("合川区", GOOD, "是,是,是,是", "pass", "", "2025"),  # 公示 not yet over
    # two failures at once: 第十条(一) and (四) missing, and 第八条(七) talent moves 1500 < 2000
    "W1": ("永川区", "否,12000,25,60000,250000,1500,是,是,是,是", "否,是,是,否", "", "", "2025"),
    # 渝东南 黔江: 9000 ≥ 8000 m², 18 ≥ 16 家, 45000 ≥ 40000, 180000 ≥ 160000, 1800 ≥ 1600: only relaxed
    "R1": ("黔江区", "否,9000,18,45000,180000,1800,是,是,是,是", "是,是,是,是", "通过", "无异议", "2025"),
    # an old-style row: no procedure outcome known at all
    "N1": ("沙坪坝区", GOOD, ",,,", "", "", ""),
}
EXPECTED = {  # id: (stage, rejected_at, reason)
    "C1": ("certified", "", "经公示无异议，认定授牌(第九条(四))"),
    "M1": ("rejected", "assessment", "材料不全(第十条(三))"),
    "E1": ("rejected", "assessment", "不符合第八条(五) 入驻机构数量"),
    "X1": ("rejected", "assessment", "专家评审未通过(第九条(二))"),
    "O1": ("rejected", "publicity", "公示异议成立(第九条(三)、(四))"),
    "S1": ("submitted", "", "评估未完成(第九条(二))"),
    "S2": ("submitted", "", "评估未完成(第九条(二))"),
    "P1": ("assessed", "", "公示结果未定(第九条(三))"),
    "W1": (
        "rejected",
        "assessment",
        "材料不全(第十条(一))；材料不全(第十条(四))；不符合第八条(七) 优秀紧缺人才流动人次",
    ),
    "R1": ("certified", "", "经公示无异议，认定授牌(第九条(四))"),
    "N1": ("submitted", "", "评估未完成(第九条(二))"),
}


def applicants_text(rows=ROWS) -> str:
    lines = [
        f"{k},示例申报{k},{d},{facts},{mat},{ex},{ob},{rd}" for k, (d, facts, mat, ex, ob, rd) in rows.items()
    ]
    return HEAD + "\n".join(lines) + "\n"


def run(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


@pytest.fixture
def applicants(tmp_path) -> Path:
    path = tmp_path / "applicants.csv"
    path.write_text(applicants_text(), encoding="utf-8")
    return path


def applications(capsys, tmp_path, applicants, *extra) -> pd.DataFrame:
    code, err = run(capsys, "applications", "--applicants", applicants, "--out", tmp_path / "out", *extra)
    assert code == 0, err
    return pd.read_csv(tmp_path / "out" / "applications.csv", dtype=str, keep_default_na=False)


def test_every_path_gives_the_stage_and_reason_worked_out_by_hand(capsys, tmp_path, applicants):
    table = applications(capsys, tmp_path, applicants)
    assert list(table.columns) == [
        "applicant_id", "name", "district", "region", "eligible", "stage", "rejected_at", "reason",
    ]  # fmt: skip
    got = {r.applicant_id: (r.stage, r.rejected_at, r.reason) for r in table.itertuples()}
    assert got == EXPECTED
    row = table.set_index("applicant_id")
    assert row.loc["R1", "region"] == "southeast" and row.loc["R1", "eligible"] == "True"
    assert row.loc["E1", "eligible"] == "False" and row.loc["C1", "district"] == "渝北"


def test_every_cited_clause_is_in_the_text():
    for reason in {r for _, _, r in EXPECTED.values()}:
        for part in reason.split("；"):
            ref = part[part.index("第") :].split(" ")[0].rstrip(")")
            ref = ref if ref.count("(") == ref.count(")") else ref + ")"
            assert resolve(ref), ref


def test_without_the_relaxation_the_southeast_applicant_is_rejected(capsys, tmp_path, applicants):
    table = applications(capsys, tmp_path, applicants, "--set", "eligibility.regional_relaxation=1.0")
    r1 = table.set_index("applicant_id").loc["R1"]
    assert (r1["stage"], r1["rejected_at"]) == ("rejected", "assessment")
    assert r1["reason"] == (  # 9000 < 10000, 18 < 20, 45000 < 50000, 180000 < 200000, 1800 < 2000
        "不符合第八条(二) 建筑面积；不符合第八条(五) 入驻机构数量；不符合第八条(五) 运营首年营收；"
        "不符合第八条(六) 帮助就业和流动人次；不符合第八条(七) 优秀紧缺人才流动人次"
    )


def test_new_parks_feed_hrpark_evaluate_unchanged(capsys, tmp_path, applicants):
    applications(capsys, tmp_path, applicants)
    new_parks = tmp_path / "out" / "new_parks.csv"
    lines = new_parks.read_text("utf-8").splitlines()
    assert lines == [
        "park_id,name,district,certified_year,certified_month,kind,online_offline",
        "C1,示例申报C1,渝北,2025,,,否",
        "R1,示例申报R1,黔江,2025,,,否",
    ]
    evals = tmp_path / "evals.csv"
    evals.write_text("park_id,year,score\nC1,2026,85\nR1,2026,55\n", encoding="utf-8")
    code, err = run(
        capsys, "evaluate", "--parks", new_parks, "--evaluations", evals, "--out", tmp_path / "ev"
    )
    assert code == 0, err
    ledger = pd.read_csv(tmp_path / "ev" / "ledger.csv").set_index(["park_id", "year"])
    # 第十一条: 150 in the certification year 2025, 100 in 2026 for a 合格 park; 55 < 60 → 不合格, pending
    assert ledger.loc[("C1", 2025), "base_paid"] == 150 and ledger.loc[("C1", 2026), "base_paid"] == 100
    assert ledger.loc[("R1", 2026), "grade"] == "unqualified" and ledger.loc[("R1", 2026), "pending"] == 100


def test_eligibility_reads_the_same_file_with_its_columns_unchanged(capsys, tmp_path, applicants):
    code, err = run(capsys, "eligibility", "--applicants", applicants, "--out", tmp_path / "el")
    assert code == 0, err
    table = pd.read_csv(tmp_path / "el" / "eligibility.csv")
    assert list(table.columns[:2]) == ["applicant_id", "region"] and table.columns[-1] == "eligible"
    assert not [c for c in table.columns if "material" in c or c in ("stage", "round", "expert_review")]


@pytest.mark.parametrize(
    ("change", "row", "column", "words"),
    [
        (("M1", 2, "可能"), 3, "material_park_plan", "是/否"),  # a yes/no column with another word
        (("X1", 3, "待定"), 5, "expert_review", "pass"),  # an unknown expert-review outcome
        (("O1", 4, "驳回"), 6, "publicity_objection", "upheld"),  # an unknown publicity outcome
        (("C1", 5, ""), 2, "round", "round"),  # certified without its round: no certification year
    ],
)
def test_bad_input_names_file_row_and_column_and_writes_nothing(capsys, tmp_path, change, row, column, words):
    key, field, value = change
    rows = dict(ROWS)
    d, facts, mat, ex, ob, rd = rows[key]
    values = [mat, ex, ob, rd]
    if field == 2:
        values[0] = "是,是,可能,是"
    else:
        values[field - 2] = value
    rows[key] = (d, facts, *values)
    path = tmp_path / "applicants.csv"
    path.write_text(applicants_text(rows), encoding="utf-8")
    code, err = run(capsys, "applications", "--applicants", path, "--out", tmp_path / "out")
    assert code == 2
    assert "applicants.csv" in err and f"第 {row} 行" in err and f"列 {column}" in err and words in err
    assert "Traceback" not in err and not (tmp_path / "out").exists()


def test_a_duplicate_applicant_is_refused(capsys, tmp_path):
    path = tmp_path / "applicants.csv"
    text = applicants_text()
    path.write_text(text + text.splitlines()[1] + "\n", encoding="utf-8")  # C1 again as row 13
    code, err = run(capsys, "applications", "--applicants", path, "--out", tmp_path / "out")
    assert code == 2 and "第 13 行" in err and "applicant_id" in err and not (tmp_path / "out").exists()


outcome = st.sampled_from([0.0, 1.0, np.nan])


@given(st.lists(st.tuples(st.lists(outcome, min_size=4, max_size=4), st.booleans(), outcome, outcome),
                min_size=1, max_size=30))  # fmt: skip
def test_stage_invariants(apps):
    materials = np.array([a[0] for a in apps])
    eligible = np.array([a[1] for a in apps])
    expert = np.array([a[2] for a in apps])
    objection = np.array([a[3] for a in apps])
    stage, rejected_at = procedure.stages(materials, eligible, expert, objection)
    all_good = (materials == 1).all(axis=1) & eligible & (expert == 1)
    # 授牌 exactly when every outcome is known and good (第九条(四) “经公示无异议”)
    assert ((stage == "certified") == (all_good & (objection == 0))).all()
    # rejected exactly when a rejected_at is given; at 评估 exactly when a known failure of 第八条–第十条
    assert ((stage == "rejected") == (rejected_at != "")).all()
    known_fail = (materials == 0).any(axis=1) | ~eligible | (expert == 0)
    assert ((rejected_at == "assessment") == known_fail).all()
    assert ((rejected_at == "publicity") == (all_good & (objection == 1))).all()
    # an unknown outcome never rejects: making every unknown good can only move an application forward
    order = {"submitted": 0, "assessed": 1, "certified": 2}
    filled, filled_at = procedure.stages(np.nan_to_num(materials, nan=1), eligible, np.nan_to_num(expert, nan=1),
                                 np.nan_to_num(objection, nan=0))  # fmt: skip
    assert (filled_at[stage != "rejected"] != "assessment").all()  # only a known objection can still reject
    for before, after in zip(stage, filled, strict=True):
        assert before == "rejected" or after == "rejected" or order[after] >= order[before]


def test_the_sample_round_tells_its_stories(capsys, tmp_path):
    sample = Path(__file__).parent.parent / "hrpark_analysis" / "sample_data" / "applicants.csv"
    table = applications(capsys, tmp_path, sample).set_index("applicant_id")
    assert table["stage"].to_dict() == {
        "A01": "certified", "A02": "certified", "A03": "certified", "A04": "rejected", "A05": "rejected",
        "A06": "rejected", "A07": "rejected", "A08": "rejected", "A09": "certified", "A10": "rejected",
        "A11": "assessed",
    }  # fmt: skip
    assert table.loc["A10", "reason"] == "材料不全(第十条(四))"  # stopped for materials
    assert table.loc["A04", "rejected_at"] == "publicity"  # rejected at 公示
    new = pd.read_csv(tmp_path / "out" / "new_parks.csv", dtype=str, keep_default_na=False)
    assert new["park_id"].tolist() == ["A01", "A02", "A03", "A09"]
    assert new.set_index("park_id").loc["A03", "online_offline"] == "是"  # the online+offline one
    # A09 (武隆, 渝东南) only through the regional relaxation: 8800 < 10000 m² without it
    strict = applications(capsys, tmp_path / "s", sample, "--set", "eligibility.regional_relaxation=1")
    assert strict.set_index("applicant_id").loc["A09", "reason"].startswith("不符合第八条(二) 建筑面积")
