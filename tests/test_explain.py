"""``hrpark explain``: every JSON field on a hand-made year, worked out by hand below; bad input named.

Ten parks certified in 2022, evaluated first in 2023 (第二十条, offset 1), so 2023 is the second subsidy
year: 100万元 due each (第十一条). N = 10, cap = floor(0.3 × 10) = 3.

    P01 95  P02 90            -> 优秀 (places 1, 2)
    P03 85  P04 85            -> tied at the boundary: above them 2 candidates, the group needs 4 > 3
                                 places, so under tie_policy=exclude neither is 优秀 (boundary score 90)
    P05 80  P06 75  P08 65    -> 合格
    P07 70 with a veto        -> 不合格 (grading.veto_enabled)
    P09 60 exactly            -> 合格 (60 is not "60分以下" by default)
    P10 50, rectified = 0     -> 不合格, still 不合格 after rectification: its 100 cancelled
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hrpark_analysis.cli import main
from hrpark_analysis.engine import explain as ex
from hrpark_analysis.law.policy import DIMENSION_COLUMNS, load_policy
from hrpark_analysis.rules.grading import GRADE_NAMES

PARKS = "park_id,name,district,certified_year\n" + "".join(
    f"P{i:02d},园区{i},{d},2022\n"
    for i, d in enumerate(["渝中", "江北", "南岸", "渝北", "万州", "黔江", "巴南", "北碚", "永川", "江津"], 1)
)
EVALS = """park_id,year,score,veto,rectified,score_economic,score_role,score_operations
P01,2023,95,,,35,40,20
P02,2023,90,,,30,40,20
P03,2023,85,,,25,40,20
P04,2023,85,,,30,35,20
P05,2023,80,,,30,30,20
P06,2023,75,,,25,30,20
P07,2023,70,是,,25,25,20
P08,2023,65,,,25,20,20
P09,2023,60,,,20,20,20
P10,2023,50,,0,15,20,15
"""


@pytest.fixture
def files(tmp_path):
    (tmp_path / "parks.csv").write_text(PARKS, "utf-8")
    (tmp_path / "evals.csv").write_text(EVALS, "utf-8")
    return tmp_path / "parks.csv", tmp_path / "evals.csv"


def run(capsys, files, park, year=2023, *extra):
    parks, evals = files
    code = main(["explain", "--parks", str(parks), "--evaluations", str(evals), "--park", park,
                 "--year", str(year), *extra])  # fmt: skip
    out = capsys.readouterr()
    return code, out.out, out.err


def as_json(capsys, files, park, *extra):
    code, out, err = run(capsys, files, park, 2023, "--format", "json", *extra)
    assert code == 0, err
    return json.loads(out)


def grades_by_value(item, key):
    return {r["value"]: r["grade"] for r in item["readings"][key]}


def test_a_tied_park_at_the_boundary_every_field(capsys, files):
    item = as_json(capsys, files, "P03")
    assert (item["park_id"], item["year"], item["score"], item["grade"]) == ("P03", 2023, 85, "qualified")
    assert item["rank"] == 3  # P01, P02 above; P04 shares rank 3
    assert (item["n_participants"], item["cap"], item["cap_formula"]) == (10, 3, "floor(0.3 × 10) = 3")
    assert item["boundary_score"] == 90
    tie = item["tie_group"]
    assert tie["park_ids"] == ["P03", "P04"] and tie["at_cap"] and tie["places_left"] == 1
    assert tie["tie_policy"] == "exclude" and "均不评为优秀" in tie["outcome"]
    assert item["veto"] is False
    assert item["points_to_excellent"] == 0.01  # 85.01 alone above P04: 3 places needed, 3 allowed
    assert item["points_above_pass_mark"] == 25 and item["below_pass_mark"] is False
    # include takes the whole group; dimension: P03's 作用发挥 40 beats P04's 35; caps all 3 for N = 10
    assert grades_by_value(item, "grading.tie_policy") == {
        "exclude": "qualified", "include": "excellent", "dimension": "excellent"}  # fmt: skip
    assert set(grades_by_value(item, "grading.cap_rounding").values()) == {"qualified"}
    assert [r["value"] for r in item["readings"]["grading.tie_policy"] if r["applied"]] == ["exclude"]
    money = item["money"]
    assert {k: money[k] for k in ex.MONEY_COLUMNS} == {
        "base_due": 100, "base_paid": 100, "pending": 0, "cancelled": 0, "bonus": 0}  # fmt: skip
    assert "第2年" in money["why"]
    arts = {a["key"]: a for a in item["articles"]}
    assert arts["grading.tie_policy"]["article"] == "第二十四条"
    assert "不超过参加绩效评估园区总数的30%" in arts["grading.excellent_share"]["quote"]
    assert arts["subsidy.excellent_bonus"]["article"] == "第二十五条(一)"
    assert "增加补助资金10万元" in arts["subsidy.excellent_bonus"]["quote"]


def test_the_other_parks_by_hand(capsys, files):
    p01 = as_json(capsys, files, "P01")
    assert p01["grade"] == "excellent" and p01["points_to_excellent"] == 0 and p01["rank"] == 1
    assert (p01["money"]["base_paid"], p01["money"]["bonus"]) == (100, 10)
    assert p01["tie_group"] == {"park_ids": ["P01"], "at_cap": False, "places_left": 3, "tie_policy": None,
                                "outcome": None}  # fmt: skip
    p05 = as_json(capsys, files, "P05")
    # 85 would join P03/P04 (a group of three needing 5 places); 85.01 is alone in third place
    assert p05["points_to_excellent"] == 5.01 and p05["rank"] == 5
    p07 = as_json(capsys, files, "P07")
    assert p07["veto"] is True and p07["grade"] == "unqualified" and p07["points_to_excellent"] is None
    assert grades_by_value(p07, "grading.veto_enabled") == {True: "unqualified", False: "qualified"}
    assert (p07["money"]["pending"], p07["money"]["base_paid"]) == (100, 0)  # rectification not yet known
    p09 = as_json(capsys, files, "P09")
    assert p09["grade"] == "qualified" and p09["points_above_pass_mark"] == 0 and not p09["below_pass_mark"]
    assert grades_by_value(p09, "grading.pass_mark_inclusive") == {False: "qualified", True: "unqualified"}
    assert p09["points_to_excellent"] == 25.01
    p10 = as_json(capsys, files, "P10")
    assert p10["points_above_pass_mark"] == -10 and p10["below_pass_mark"] is True
    assert p10["points_to_excellent"] == 35.01 and p10["rank"] == 10
    assert (p10["money"]["cancelled"], p10["money"]["base_paid"]) == (100, 0)
    assert "整改后仍不合格" in p10["money"]["why"]


def test_a_reform_is_explained_with_its_own_numbers(capsys, files):
    item = as_json(capsys, files, "P03", "--set", "grading.tie_policy=include")
    assert item["grade"] == "excellent" and item["points_to_excellent"] == 0
    assert item["tie_group"]["tie_policy"] == "include" and "突破" in item["tie_group"]["outcome"]
    item = as_json(capsys, files, "P09", "--set", "grading.pass_mark_inclusive=true")
    assert item["grade"] == "unqualified" and item["below_pass_mark"] and item["points_above_pass_mark"] == 0
    assert item["cap_formula"] == "floor(0.3 × 10) = 3"
    item = as_json(
        capsys, files, "P05", "--set", "grading.excellent_share=0.25", "--set", "grading.cap_rounding=round"
    )
    assert item["cap_formula"] == "round(0.25 × 10) = 3"  # 2.5 rounds half up to 3


def test_the_text_states_the_same_facts_in_chinese(capsys, files):
    code, out, _ = run(capsys, files, "P03")
    assert code == 0
    assert out.startswith("园区 P03 2023 年绩效评估：85 分，合格，名次 3/10")
    assert "floor(0.3 × 10) = 3" in out and "当年最低优秀分：90 分" in out
    assert "P03、P04" in out and "0.01 分可评为优秀" in out
    assert "「第二十四条 绩效评估方法」" in out


@pytest.mark.parametrize(
    ("park", "year", "words", "column"),
    [("P99", 2023, "园区 P99 不在园区名单中", "列 park_id"),
     ("P01", 2022, "园区 P01 没有参加 2022 年的绩效评估(参加过的年份: 2023)", "列 year")],
)  # fmt: skip
def test_an_unknown_park_or_year_is_named(capsys, files, park, year, words, column):
    code, out, err = run(capsys, files, park, year)
    assert code == 2 and out == ""
    assert words in err and column in err and "Traceback" not in err


def test_bad_input_names_file_row_and_column(capsys, files):
    files[1].write_text(EVALS.replace("P05,2023,80", "P05,2023,八十"), "utf-8")
    code, out, err = run(capsys, files, "P01")
    assert code == 2 and out == ""
    assert "evals.csv" in err and "第 6 行" in err and "score" in err


# --- points_to_excellent against brute force: raise the score 0.01 at a time and regrade ---------------
def brute_force(cohort, args, i, total=100):
    own = round(cohort.score[i] * 100)
    steps = np.arange(0, total * 100 - own + 1)
    trial = np.broadcast_to(cohort.score, (len(steps), len(cohort.score))).copy()
    trial[:, i] = (own + steps) / 100
    grades = ex.regrade(cohort, trial, args)[:, i]
    hit = np.flatnonzero(grades == 2)
    return None if len(hit) == 0 else steps[hit[0]] / 100


@settings(max_examples=40)
@given(
    scores=st.lists(st.integers(5600, 6400).map(lambda v: v / 100), min_size=1, max_size=9).map(
        lambda s: [round(x * 4) / 4 for x in s]  # quarter points: ties are frequent
    ),
    vetoes=st.lists(st.booleans(), min_size=9, max_size=9),
    roles=st.lists(st.integers(20, 22), min_size=9, max_size=9),
    tie_policy=st.sampled_from(["exclude", "include", "dimension"]),
    cap_rounding=st.sampled_from(["floor", "round", "ceil"]),
    inclusive=st.booleans(),
    share=st.sampled_from([0.1, 0.3, 0.5]),
)
def test_points_to_excellent_is_the_brute_force_least_raise(
    scores, vetoes, roles, tie_policy, cap_rounding, inclusive, share
):
    n = len(scores)
    args = load_policy(overrides={
        "grading.tie_policy": tie_policy, "grading.cap_rounding": cap_rounding,
        "grading.pass_mark_inclusive": inclusive, "grading.excellent_share": share,
    }).section("grading")  # fmt: skip
    score = np.array(scores)
    dims = {c: np.round(score / (k + 2), 0) for k, c in enumerate(DIMENSION_COLUMNS)}
    dims["score_role"] = np.array(roles[:n], float)  # tie-breaks that differ within a tied group
    veto = np.array(vetoes[:n])
    base = ex.Cohort(2023, np.array([f"P{i}" for i in range(n)]), score, veto, dims,
                     np.empty(n, object), np.ones(n, np.int64))  # fmt: skip
    words = np.array([GRADE_NAMES[int(g)] for g in ex.regrade(base, score, args)], dtype=object)
    cohort = ex.Cohort(2023, base.park_ids, score, veto, dims, words, base.rank)
    fast = ex.points_to_excellent(cohort, args, score_precision=2, total_points=100)
    for i in range(n):
        slow = brute_force(cohort, args, i)
        assert (np.isnan(fast[i]) and slow is None) or fast[i] == pytest.approx(slow, abs=1e-9), (
            i,
            fast,
            slow,
        )


def test_the_annual_explanations_share_one_function(files):
    from hrpark_analysis.engine import ledger
    from hrpark_analysis.io import readers

    policy = load_policy()
    parks = readers.read_parks(files[0], policy)
    result = ledger.build(parks, readers.read_evaluations(files[1]), policy)
    items = ex.explain_year(result, parks, policy, 2023)
    assert [i["park_id"] for i in items] == [f"P{i:02d}" for i in range(1, 11)]
    grades = pd.Series({i["park_id"]: i["grade"] for i in items})
    assert list(grades[grades == "excellent"].index) == ["P01", "P02"]
