"""The sample dataset (示例数据): reproducible byte for byte, plainly synthetic, shaped like Chongqing's parks,
and carrying the stories it promises when scored and graded with the baseline policy; ``hrpark score`` on it
feeds ``hrpark evaluate``; bad inputs through ``hrpark score`` stop with exit code 2 and write nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from hrpark_analysis.cli import main
from hrpark_analysis.engine import dataset, ledger, sample
from hrpark_analysis.errors import OutputExistsError
from hrpark_analysis.io import readers as inputs
from hrpark_analysis.law.policy import load_policy

SAMPLE = dataset.SAMPLE_DIR
FIXTURES = Path(__file__).parent / "fixtures" / "scoring"


@pytest.fixture(scope="module")
def policy():
    return load_policy()


@pytest.fixture(scope="module")
def data(policy):
    return dataset.load_dataset(SAMPLE, 2025, policy)


def graded(data, policy, **overrides):
    reform = policy.with_overrides(overrides) if overrides else policy
    return ledger.build(data.parks, data.evaluations, reform)


def grades_2025(result) -> pd.Series:
    g = result.grades
    return g[g["year"] == 2025].set_index("park_id")["grade"]


# --- reproducible ----------------------------------------------------------------------------------------
def test_hrpark_sample_rewrites_the_committed_folder_byte_for_byte(tmp_path, capsys):
    out = tmp_path / "sample"
    assert main(["sample", "--out", str(out)]) == 0
    assert sorted(p.name for p in SAMPLE.iterdir()) == sorted(sample.FILES)
    for name in sample.FILES:
        assert (out / name).read_bytes() == (SAMPLE / name).read_bytes(), name


def test_the_tables_are_a_pure_function_of_the_seed():
    first, again, other = sample.generate(7), sample.generate(7), sample.generate(8)
    for name, table in first.items():
        pd.testing.assert_frame_equal(table, again[name])
    assert not first["monthly"].equals(other["monthly"])
    assert not first["evaluations"]["score"].equals(other["evaluations"]["score"])


def test_existing_files_are_kept_unless_forced(tmp_path, capsys):
    out = tmp_path / "sample"
    sample.write_sample(out, seed=3)
    (out / "parks.csv").write_text("edited", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        sample.write_sample(out, seed=3)
    assert (out / "parks.csv").read_text("utf-8") == "edited"
    assert main(["sample", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err
    written = sample.write_sample(out, seed=3, force=True)
    assert [p.name for p in written] == sample.FILES
    assert (out / "parks.csv").read_text("utf-8").startswith("park_id,name,district")


# --- plainly synthetic, shaped like the real thing --------------------------------------------------------
def test_everything_is_named_and_labelled_as_sample_data():
    parks = pd.read_csv(SAMPLE / "parks.csv")
    applicants = pd.read_csv(SAMPLE / "applicants.csv")
    assert parks["name"].str.startswith("示例园区").all()
    assert applicants["name"].str.startswith("示例申报园区").all()
    readme = (SAMPLE / "README.md").read_text("utf-8")
    assert "示例数据" in readme and "合成数据" in readme and "illustrative" in readme
    for name in sample.FILES[:-1]:  # every file and every column is described
        assert f"### {name}" in readme
        for column in pd.read_csv(SAMPLE / name).columns:
            assert column in readme, (name, column)


def test_parks_spread_over_yiqu_liangqun_with_both_kinds_and_online_parks(policy):
    parks = inputs.read_parks(SAMPLE / "parks.csv", policy)
    assert 25 <= len(parks) <= 35
    regions = parks["region"].value_counts()
    assert set(regions.index) == {"main_city", "northeast", "southeast"}
    assert regions["main_city"] > regions["northeast"] + regions["southeast"]
    assert set(parks["kind"]) == {"comprehensive", "specialized"}
    assert 0 < parks["online_offline"].sum() < len(parks)
    assert sorted(parks["certified_year"].unique()) == [2022, 2023, 2024, 2025]


def test_past_results_cover_the_years_before_the_latest_from_each_parks_first_evaluation(policy):
    parks = inputs.read_parks(SAMPLE / "parks.csv", policy).set_index("park_id")
    evals = inputs.read_evaluations(SAMPLE / "evaluations.csv")
    assert sorted(evals["year"].unique()) == [2023, 2024]
    first = evals.groupby("park_id")["year"].min()
    # certified in C, first evaluated in C + 1 (first_evaluation_offset = 1)
    assert (first == parks.loc[first.index, "certified_year"] + 1).all()
    monthly = pd.read_csv(SAMPLE / "monthly.csv")
    assert sorted(monthly["year"].unique()) == [2022, 2023, 2024, 2025]


def test_magnitudes_look_like_chongqing_municipal_parks():
    monthly = pd.read_csv(SAMPLE / "monthly.csv")
    parks = pd.read_csv(SAMPLE / "parks.csv").set_index("park_id")
    full = monthly[monthly["year"] > monthly["park_id"].map(parks["certified_year"])]
    revenue = full.groupby(["park_id", "year"])["revenue"].sum()
    # 1–20亿元 a year per park (万元); institutions 20–60 give or take the relaxed regions; 1–3万 m²,
    # "线上+线下" parks smaller
    assert revenue.between(10_000, 200_000).all()
    assert monthly["institutions"].between(15, 70).all()
    assert monthly["floor_area_m2"].between(4_000, 35_000).all()
    # all parks together stay well within the city's 618亿元 (2021)
    assert revenue.groupby("year").sum().max() < 6_180_000
    employment = full.groupby(["park_id", "year"])["employment_served"].sum()
    assert employment.between(100_000, 900_000).all()


def test_applicants_have_issue_2s_columns_and_some_pass_only_thanks_to_a_relaxation(tmp_path, capsys):
    applicants = pd.read_csv(SAMPLE / "applicants.csv")
    assert list(applicants.columns) == [
        "applicant_id", "name", "district", "online_offline", "floor_area_m2", "n_institutions",
        "revenue_first_year", "employment_served", "talent_moves", "policy_support", "plan_complete",
        "infrastructure", "management", "material_application_form", "material_local_policy",
        "material_park_plan", "material_institution_list", "expert_review", "publicity_objection", "round",
    ]  # fmt: skip
    assert main(["eligibility", "--applicants", str(SAMPLE / "applicants.csv"), "--out", str(tmp_path)]) == 0
    result = pd.read_csv(tmp_path / "eligibility.csv").set_index("applicant_id")
    assert result["eligible"].to_dict() == {
        "A01": True, "A02": True, "A03": True, "A04": True, "A05": False, "A06": False, "A07": False, "A08": False,
        "A09": True, "A10": True, "A11": True,
    }  # fmt: skip
    # without any relaxation A02–A04 fail (第八条 末段 is what lets them through)
    strict = ["--set", "eligibility.regional_relaxation=1", "--set", "eligibility.online_area_relaxation=1"]
    out = tmp_path / "strict"
    assert (
        main(["eligibility", "--applicants", str(SAMPLE / "applicants.csv"), "--out", str(out), *strict]) == 0
    )
    strict_result = pd.read_csv(out / "eligibility.csv").set_index("applicant_id")["eligible"]
    assert strict_result[["A01", "A02", "A03", "A04"]].tolist() == [True, False, False, False]


# --- the stories -----------------------------------------------------------------------------------------
def test_the_past_results_are_the_scores_of_those_years_computed_from_the_data(policy):
    evals = pd.read_csv(SAMPLE / "evaluations.csv")
    for year in (2023, 2024):
        scores = dataset.score_year(SAMPLE, year, policy)
        past = evals[evals["year"] == year].reset_index(drop=True)
        cols = ["park_id", "score", "score_economic", "score_role", "score_operations", "veto"]
        pd.testing.assert_frame_equal(scores[cols].reset_index(drop=True), past[cols], check_dtype=False)


def test_a_park_unqualified_two_years_running_loses_its_plaque_in_the_second_year(data, policy):
    book = graded(data, policy).ledger.set_index(["park_id", "year"])
    assert book.loc[("P12", 2024), "grade"] == "unqualified"
    assert book.loc[("P12", 2025), "grade"] == "unqualified"
    assert book.loc[("P12", 2024), "status"] == "active"
    assert book.loc[("P12", 2025), "status"] == "revoked"
    assert bool(book.loc[("P12", 2025), "revoked_this_year"])
    assert book.loc[("P12", 2025), "base_paid"] == 0  # 第二十五条(二): that year's base is not paid


def test_a_park_unqualified_in_2025_is_pending_rectification(data, policy):
    book = graded(data, policy).ledger.set_index(["park_id", "year"])
    assert book.loc[("P19", 2024), "grade"] == ""  # certified 2024: not yet evaluated
    assert book.loc[("P19", 2025), "grade"] == "unqualified"
    assert book.loc[("P19", 2025), "pending"] > 0
    assert book.loc[("P19", 2025), "status"] == "active"


def test_a_score_of_exactly_60_is_qualified_by_default_and_unqualified_when_60_is_below(data, policy):
    assert data.scores.set_index("park_id").loc["P07", "score"] == 60.0
    assert (SAMPLE / "evaluations.csv").exists()
    assert grades_2025(graded(data, policy))["P07"] == "qualified"
    assert grades_2025(graded(data, policy, **{"grading.pass_mark_inclusive": True}))["P07"] == "unqualified"


def test_a_tie_at_the_30_percent_boundary_makes_tie_policy_matter(data, policy):
    scores = data.scores.set_index("park_id")
    assert scores.loc["P03", "score"] == scores.loc["P21", "score"]
    tie = scores.loc["P03", "score"]
    base = graded(data, policy)
    year = base.years.set_index("year").loc[2025]
    assert year["n_participants"] == 24 and year["cap"] == 7  # floor(0.3 × 24)
    candidates = scores[(scores["score"] >= 60) & ~scores["veto"]]
    assert (candidates["score"] > tie).sum() == 6  # the pair takes places 7 and 8 of 7
    exclude = grades_2025(base)
    include = grades_2025(graded(data, policy, **{"grading.tie_policy": "include"}))
    dimension = grades_2025(graded(data, policy, **{"grading.tie_policy": "dimension"}))
    assert (exclude == "excellent").sum() == 6 and exclude[["P03", "P21"]].tolist() == ["qualified"] * 2
    assert (include == "excellent").sum() == 8 and include[["P03", "P21"]].tolist() == ["excellent"] * 2
    # dimension: 作用发挥 first (tie_break_order); the pair's role subtotals differ
    better = "P03" if scores.loc["P03", "score_role"] > scores.loc["P21", "score_role"] else "P21"
    assert (dimension == "excellent").sum() == 7 and dimension[better] == "excellent"


def test_a_major_accident_vetoes_a_park_whatever_its_score(data, policy):
    scores = data.scores.set_index("park_id")
    assert bool(scores.loc["P10", "veto"]) and scores.loc["P10", "score"] >= 60
    assert grades_2025(graded(data, policy))["P10"] == "unqualified"
    assert not scores.drop(index="P10")["veto"].any()


def test_a_failed_rectification_cancels_that_years_base(data, policy):
    book = graded(data, policy).ledger.set_index(["park_id", "year"])
    assert book.loc[("P04", 2023), "grade"] == "unqualified"
    assert book.loc[("P04", 2023), "cancelled"] == book.loc[("P04", 2023), "base_due"] > 0


def test_the_latest_year_has_some_excellent_some_unqualified_and_a_missing_month(data, policy):
    grades = grades_2025(graded(data, policy))
    assert (grades == "excellent").sum() >= 3 and (grades == "unqualified").sum() >= 3
    assert len(data.missing_months) >= 1
    late = data.missing_months["park_id"].iloc[0]
    assert (
        data.scores.set_index("park_id").loc[late, "reporting_compliance"] < 5
    )  # 第十六条 counts against it


# --- the command line ------------------------------------------------------------------------------------
def test_hrpark_score_feeds_hrpark_evaluate(tmp_path, capsys):
    out = tmp_path / "scored"
    assert main(["score", "--data", str(SAMPLE), "--year", "2025", "--out", str(out)]) == 0
    scores = pd.read_csv(out / "scores.csv")
    assert list(scores.columns[:2]) == ["park_id", "year"]
    assert list(scores.columns[-5:]) == ["score_economic", "score_role", "score_operations", "score", "veto"]
    assert len(scores) == 24 and (scores["year"] == 2025).all()
    past = pd.read_csv(SAMPLE / "evaluations.csv", dtype=str, keep_default_na=False)
    new = scores[["park_id", "year", "score", "veto", "score_economic", "score_role", "score_operations"]]
    merged = pd.concat([past, new.astype(str).assign(rectified="")], ignore_index=True)[past.columns]
    merged.to_csv(tmp_path / "evaluations.csv", index=False)
    graded_out = tmp_path / "graded"
    code = main(["evaluate", "--parks", str(SAMPLE / "parks.csv"), "--evaluations", str(tmp_path / "evaluations.csv"),
                 "--out", str(graded_out)])  # fmt: skip
    assert code == 0
    grades = pd.read_csv(graded_out / "grades.csv")
    latest = grades[grades["year"] == 2025]["grade"].value_counts()
    assert latest["excellent"] > 0 and latest["unqualified"] > 0 and latest["qualified"] > 0
    book = pd.read_csv(graded_out / "ledger.csv")
    assert book[(book["park_id"] == "P12") & (book["year"] == 2025)]["status"].item() == "revoked"


@pytest.mark.parametrize(
    ("replace", "fixture", "sheet", "where"),
    [
        (None, None, "sheet_weights_99.yaml", ["sheet_weights_99.yaml", "列 weight", "合计应为 100 分"]),
        (
            None,
            None,
            "sheet_unknown_method.yaml",
            ["sheet_unknown_method.yaml", "第 14 行", "未知的计分方法"],
        ),
        ("monthly.csv", "monthly_month13.csv", None, ["monthly.csv", "第 3 行", "列 month"]),
        ("monthly.csv", "monthly_negative.csv", None, ["monthly.csv", "第 3 行", "列 revenue", "-5000"]),
        ("monthly.csv", "monthly_unknown_park.csv", None, ["monthly.csv", "第 3 行", "列 park_id", "P99"]),
        ("targets.csv", "targets_zero.csv", None, ["targets.csv", "第 3 行", "列 target", "应大于 0"]),
        ("ratings.csv", "ratings_out_of_range.csv", None, ["ratings.csv", "第 3 行", "列 rating", "0–1"]),
    ],
)
def test_bad_input_stops_hrpark_score_with_exit_2_a_located_message_and_no_output(
    tmp_path, capsys, replace, fixture, sheet, where
):
    folder = tmp_path / "data"
    shutil.copytree(SAMPLE, folder)
    if replace:
        shutil.copy(FIXTURES / fixture, folder / replace)
    out = tmp_path / "out"
    args = ["score", "--data", str(folder), "--year", "2025", "--out", str(out)]
    if sheet:
        args += ["--sheet", str(FIXTURES / sheet)]
    code = main(args)
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("hrpark: 错误: 文件 ") and err.count("\n") == 1
    for part in where:
        assert part in err, (part, err)
    assert not out.exists() or not any(out.iterdir())


def test_the_stories_do_not_depend_on_the_seed(tmp_path, policy):
    folder = tmp_path / "seed11"
    sample.write_sample(folder, seed=11)
    other = dataset.load_dataset(folder, 2025, policy)
    assert other.scores.set_index("park_id").loc["P07", "score"] == 60.0
    base = graded(other, policy)
    include = graded(other, policy, **{"grading.tie_policy": "include"})
    assert (grades_2025(base) == "excellent").sum() == 6 and (grades_2025(include) == "excellent").sum() == 8
    book = base.ledger.set_index(["park_id", "year"])
    assert book.loc[("P12", 2025), "status"] == "revoked" and book.loc[("P19", 2025), "pending"] > 0
