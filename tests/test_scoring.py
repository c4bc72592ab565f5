"""第二十一条–第二十四条: each scoring method on hand-worked numbers, the sheet applied to a tiny data folder,
and who takes part in a year (第二十条, 第二十五条(二)).

Every expected value below is worked out by hand in the comment next to it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hrpark_analysis.engine import dataset, ledger
from hrpark_analysis.errors import InputError
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.law.sheet import load_sheet
from hrpark_analysis.rules import scoring

FIXTURES = Path(__file__).parent / "fixtures" / "scoring"
TINY_DIR = FIXTURES / "tiny"
TINY_SHEET = FIXTURES / "sheet_tiny.yaml"
SHEET = load_sheet(TINY_SHEET)


@pytest.fixture(scope="module")
def policy():
    return load_policy()


# --- the methods -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("actual", "target", "weight", "expected"),
    [
        (8000, 10000, 15, 12.0),  # 15 × 8000/10000 = 15 × 0.8 = 12
        (12000, 10000, 15, 15.0),  # 120% of target: capped at full points
        (10000, 10000, 15, 15.0),  # exactly on target
        (0, 10000, 15, 0.0),  # nothing achieved
        (1, 3, 9, 3.0),  # 9 × 1/3 = 3
        (35, 40, 5, 4.375),  # 5 × 0.875
    ],
)
def test_ratio_to_target_is_proportional_and_capped_at_full_points(actual, target, weight, expected):
    got = scoring.ratio_to_target(np.array([actual]), np.array([target]), weight=weight)
    assert got[0] == pytest.approx(expected, abs=1e-12)


def test_a_non_positive_target_gives_no_number_rather_than_a_silent_one():
    got = scoring.ratio_to_target(np.array([5.0, 5.0]), np.array([0.0, -1.0]), weight=10)
    assert np.isnan(got).all()


@pytest.mark.parametrize(
    ("value", "floor", "target", "expected"),
    [
        (0.06, 0.0, 0.15, 2.8),  # 7 × (0.06 − 0)/(0.15 − 0) = 7 × 0.4 = 2.8
        (-0.02, 0.0, 0.15, 0.0),  # below the floor: 0
        (0.20, 0.0, 0.15, 7.0),  # above the target: full points
        (0.15, 0.0, 0.15, 7.0),
        (0.0, 0.0, 0.15, 0.0),
        (11 / 12, 0.5, 1.0, 7 * 5 / 6),  # reporting rate 11/12: (11/12 − 1/2)/(1/2) = 5/6 of 7 points
        (0.03, 0.05, 0.0, 7 * 0.4),  # less is better: floor 0.05, target 0; (0.03 − 0.05)/(0 − 0.05) = 0.4
    ],
)
def test_piecewise_linear_runs_from_floor_to_target(value, floor, target, expected):
    got = scoring.piecewise_linear(
        np.array([value]), weight=7, floor=floor, target=target, no_data_fraction=0.5
    )
    assert got[0] == pytest.approx(expected, abs=1e-12)


def test_piecewise_linear_gives_the_no_data_fraction_where_the_value_is_unknown():
    got = scoring.piecewise_linear(
        np.array([np.nan, 0.3]), weight=7, floor=0, target=0.15, no_data_fraction=0.5
    )
    assert got.tolist() == [3.5, 7.0]  # 7 × 0.5; 0.3 is above the target


def test_an_expert_rating_in_points_or_as_a_fraction_of_the_weight():
    assert scoring.rating_points(np.array([7.5]), weight=10, scale="points")[0] == 7.5
    assert scoring.rating_points(np.array([0.8]), weight=8, scale="fraction")[0] == pytest.approx(
        6.4
    )  # 8 × 0.8


@pytest.mark.parametrize(
    ("events", "per_event", "max_points", "expected"),
    [
        (0, 3, 9, 0.0),
        (1, 3, 9, -3.0),
        (2, 3, 9, -6.0),
        (5, 3, 9, -9.0),  # 15 points off, capped at 9
        (5, 3, None, -15.0),  # no cap
    ],
)
def test_deductions_take_points_per_event_up_to_their_cap(events, per_event, max_points, expected):
    got = scoring.deduction_points(np.array([events]), points_per_event=per_event, max_points=max_points)
    assert got[0] == expected


def test_a_veto_item_fires_from_its_minimum_number_of_events():
    assert scoring.veto_flag(np.array([0, 1, 2]), min_events=2).tolist() == [False, False, True]


def test_deductions_never_take_a_dimension_below_zero_and_points_are_rounded_once():
    sheet = load_sheet(TINY_SHEET)
    n = 2
    inputs = {
        "rev": {"actual": np.array([1.0, 2.0]), "target": np.array([3.0, 3.0])},
        "growth": {"value": np.array([0.1, np.nan])},
        "help": {"rating": np.array([10.0, 30.0])},
        "report": {"value": np.array([0.5, 1.0])},
        "safety": {"rating": np.array([0.1, 1.0])},
        "incidents": {"events": np.array([2.0, 1.0])},
        "accident": {"events": np.zeros(n)},
    }
    table = scoring.score_parks(sheet, inputs, score_decimals=2)
    # park 1: rev 40/3 = 13.333 -> 13.33; growth 10 × 0.1/0.2 = 5; help 10; report 0; safety 1; incidents −8
    #   economic 18.33, role 10, operations max(0 + 1 − 8, 0) = 0, total 28.33
    # park 2: rev 40 × 2/3 = 26.667 -> 26.67; growth unknown -> 10 × 0.5 = 5; help 30; report 10; safety 10;
    #   incidents −4; economic 31.67, role 30, operations 16, total 77.67
    assert table["rev"].tolist() == [13.33, 26.67]
    assert table["score_operations"].tolist() == [0.0, 16.0]
    assert table["score_economic"].tolist() == [18.33, 31.67]
    assert table["score"].tolist() == [28.33, 77.67]
    assert table["veto"].tolist() == [False, False]
    assert list(table.columns) == [
        "rev", "growth", "help", "report", "safety", "incidents", "accident",
        "score_economic", "score_role", "score_operations", "score", "veto",
    ]  # fmt: skip


def test_a_total_adding_to_sixty_is_exactly_sixty():
    # 0.1 + 0.2 != 0.3 in binary floats; totals are sums of rounded points rounded again, so they print
    # and compare as the 2-decimal number the sheet gives: 19.9 + 20.1 + 20 = 60.00 exactly.
    sheet = load_sheet(TINY_SHEET)
    inputs = {
        "rev": {"actual": np.array([19.9]), "target": np.array([40.0])},  # 40 × 19.9/40 = 19.9
        "growth": {"value": np.array([0.0])},
        "help": {"rating": np.array([20.1])},
        "report": {"value": np.array([1.0])},  # 10
        "safety": {"rating": np.array([1.0])},  # 10
        "incidents": {"events": np.array([0.0])},
        "accident": {"events": np.array([0.0])},
    }
    table = scoring.score_parks(sheet, inputs, score_decimals=2)
    assert table["score"].iloc[0] == 60.0


@given(
    st.lists(
        st.tuples(
            st.integers(0, 10**6), st.integers(1, 10**6), st.integers(-100, 100), st.integers(0, 3000),
            st.integers(0, 100), st.integers(0, 100), st.integers(0, 5), st.integers(0, 2),
        ),
        min_size=1, max_size=20,
    )
)  # fmt: skip
def test_any_inputs_give_points_within_weights_and_a_total_within_100(rows):
    sheet = SHEET
    cols = list(zip(*rows, strict=True))
    # amounts as reported, rates and ratings with 2 decimals
    scale = [1, 1, 100, 100, 100, 100, 1, 1]
    arr = [np.array(c, dtype=float) / k for c, k in zip(cols, scale, strict=True)]
    inputs = {
        "rev": {"actual": arr[0], "target": arr[1]},
        "growth": {"value": arr[2]},
        "help": {"rating": arr[3]},
        "report": {"value": arr[4]},
        "safety": {"rating": arr[5]},
        "incidents": {"events": arr[6]},
        "accident": {"events": arr[7]},
    }
    table = scoring.score_parks(sheet, inputs, score_decimals=2)
    for ind in sheet.indicators:
        if ind.method in ("ratio_to_target", "piecewise_linear", "rating"):
            assert ((table[ind.id] >= 0) & (table[ind.id] <= ind.weight)).all()
    for column in scoring.SUBTOTAL_COLUMNS:
        assert (table[column] >= 0).all()
    assert ((table["score"] >= 0) & (table["score"] <= 100)).all()
    assert (table["veto"] == (arr[7] >= 1)).all()


# --- a tiny data folder scored by hand -------------------------------------------------------------------
def tiny(policy, year=2024, data_dir=TINY_DIR):
    return dataset.load_dataset(data_dir, year, policy, sheet_path=TINY_SHEET)


def test_the_tiny_folder_scores_as_worked_by_hand(policy):
    scores = tiny(policy).scores.set_index("park_id")
    # D is certified in 2024 (first evaluated 2025); E lost its plaque in 2023 (不合格 2022 and 2023).
    assert scores.index.tolist() == ["A", "B", "C"]
    # A (certified 2023-12): 2024 revenue = 10 months × 100 + December 160 = 1160 (June missing);
    #   rev 40 × 1160/1450 = 32; growth on December only: 160/100 − 1 = 0.6 ≥ 0.2 -> 10;
    #   help (24 + 27)/2 = 25.5; report 11/12 -> 10 × (11/12 − 0.5)/0.5 = 8.333 -> 8.33; safety 10 × 0.9 = 9;
    #   incidents 2 + 1 events × 4 = 12, capped at 8 -> −8; operations 8.33 + 9 − 8 = 9.33; total 76.83
    assert scores.loc["A", ["rev", "growth", "help", "report", "safety", "incidents"]].tolist() == [
        32.0, 10.0, 25.5, 8.33, 9.0, -8.0,
    ]  # fmt: skip
    assert scores.loc["A", ["score_economic", "score_role", "score_operations", "score"]].tolist() == [
        42.0, 25.5, 9.33, 76.83,
    ]  # fmt: skip
    # B: 12 × 55 = 660 against 600 -> capped 40; growth 660/600 − 1 = 0.1 -> 10 × 0.5 = 5; help 12; report 10;
    #   safety 10 × 0.2 = 2; incidents −4; a major accident -> veto; total 45 + 12 + 8 = 65
    assert scores.loc["B", ["score_economic", "score_role", "score_operations", "score"]].tolist() == [
        45.0, 12.0, 8.0, 65.0,
    ]  # fmt: skip
    assert bool(scores.loc["B", "veto"]) and not bool(scores.loc["A", "veto"])
    # C (certified 2023-06) reports July–December 2024 only: 6 × 30 = 180 against 200 -> 36;
    #   growth on July–December: 180/120 − 1 = 0.5 -> 10; reporting rate 6/12 = 0.5 -> 0;
    #   operations 0 + 1 − 8 = −7 -> floored at 0; total 46
    assert scores.loc["C", ["rev", "growth", "report", "score_operations", "score"]].tolist() == [
        36.0, 10.0, 0.0, 0.0, 46.0,
    ]  # fmt: skip


def test_the_dataset_merges_past_results_with_the_scored_year_for_the_ledger(policy):
    ds = tiny(policy)
    assert ds.evaluations[["park_id", "year"]].values.tolist() == [
        ["E", 2022], ["B", 2023], ["E", 2023], ["A", 2024], ["B", 2024], ["C", 2024],
    ]  # fmt: skip
    assert ds.evaluations.loc[ds.evaluations["year"] == 2024, "rectified"].isna().all()
    assert ds.missing_months.values.tolist() == [["A", 2024, 6], *[["C", 2024, m] for m in range(1, 7)]]
    assert [p.name for p in ds.files] == [
        "parks.csv", "evaluations.csv", "monthly.csv", "targets.csv", "ratings.csv", "events.csv",
        "sheet_tiny.yaml",
    ]  # fmt: skip
    result = ledger.build(ds.parks, ds.evaluations, policy)
    grades = result.grades[result.grades["year"] == 2024].set_index("park_id")["grade"]
    # B is vetoed, C is below 60; three participants leave floor(0.9) = 0 excellent places
    assert grades.to_dict() == {"A": "qualified", "B": "unqualified", "C": "unqualified"}


def test_past_results_for_the_scored_year_or_later_are_ignored(policy, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(TINY_DIR, folder)
    with (folder / "evaluations.csv").open("a", encoding="utf-8") as f:
        f.write("A,2024,99,false,,40,40,19\n")
    assert tiny(policy, data_dir=folder).scores.set_index("park_id").loc["A", "score"] == 76.83


def test_a_gap_in_past_results_is_an_error_because_revocation_cannot_be_known(policy, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(TINY_DIR, folder)
    lines = (folder / "evaluations.csv").read_text("utf-8").splitlines()
    (folder / "evaluations.csv").write_text("\n".join(lines[:2]) + "\n", encoding="utf-8")  # only E 2022
    with pytest.raises(InputError) as err:
        tiny(policy, data_dir=folder)
    assert "园区 B 在 2023 年应参加绩效评估" in str(err.value) and "evaluations.csv" in str(err.value)


@pytest.mark.parametrize(
    ("file", "drop", "expected"),
    [
        ("targets.csv", "B,2024,rev", "园区 B 缺少 2024 年指标 rev(营收目标完成率)的目标值"),
        ("ratings.csv", "C,2024,safety", "园区 C 缺少 2024 年指标 safety(安全管理)的专家评分"),
        ("monthly.csv", "C,2024,", "园区 C 在 2024 年参加绩效评估，但没有任何月报"),
    ],
)
def test_missing_inputs_for_a_park_taking_part_are_errors_naming_the_file(
    policy, tmp_path, file, drop, expected
):
    folder = tmp_path / "data"
    shutil.copytree(TINY_DIR, folder)
    lines = (folder / file).read_text("utf-8").splitlines()
    (folder / file).write_text("\n".join(x for x in lines if not x.startswith(drop)) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        tiny(policy, data_dir=folder)
    assert expected in str(err.value) and file in str(err.value)


@pytest.mark.parametrize(
    ("file", "line", "expected"),
    [
        ("targets.csv", "A,2024,help,10", "指标 'help' 不是得分表中按目标完成率"),
        ("targets.csv", "Z,2024,rev,10", "园区 Z 不在园区名单中"),
        ("ratings.csv", "A,2024,help,X3,31", "评分超出范围: 31"),
        ("ratings.csv", "A,2024,help,X2,20", "重复的记录"),
        ("events.csv", "A,2024,rev,1,", "不是得分表中扣分或一票否决"),
        ("events.csv", "A,2024,incidents,-1,", "应不小于 0"),
    ],
)
def test_bad_rows_in_targets_ratings_and_events_name_their_row(policy, tmp_path, file, line, expected):
    folder = tmp_path / "data"
    shutil.copytree(TINY_DIR, folder)
    with (folder / file).open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    n_lines = len((folder / file).read_text("utf-8").splitlines())
    with pytest.raises(InputError) as err:
        tiny(policy, data_dir=folder)
    assert expected in str(err.value)
    assert err.value.row == n_lines and file in str(err.value)


def test_an_events_file_with_only_its_header_means_no_events(policy, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(TINY_DIR, folder)
    (folder / "events.csv").write_text("park_id,year,indicator,count,note\n", encoding="utf-8")
    scores = tiny(policy, data_dir=folder).scores.set_index("park_id")
    # A without its deduction: operations 8.33 + 9 = 17.33, total 42 + 25.5 + 17.33 = 84.83; B not vetoed
    assert scores.loc["A", "score"] == 84.83
    assert not scores["veto"].any()


def test_a_folder_without_required_files_or_with_two_versions_of_one_is_refused(policy, tmp_path):
    with pytest.raises(InputError, match="数据文件夹不存在"):
        tiny(policy, data_dir=tmp_path / "nope")
    folder = tmp_path / "data"
    shutil.copytree(TINY_DIR, folder)
    (folder / "targets.csv").unlink()
    with pytest.raises(InputError, match=r"缺少 targets\.csv"):
        tiny(policy, data_dir=folder)
    shutil.copy(TINY_DIR / "targets.csv", folder / "targets.csv")
    pd.read_csv(folder / "targets.csv").to_excel(folder / "targets.xlsx", index=False)
    with pytest.raises(InputError, match=r"同时存在 targets\.csv 和 targets\.xlsx"):
        tiny(policy, data_dir=folder)


def test_score_year_is_the_datasets_score_table(policy):
    table = dataset.score_year(TINY_DIR, 2024, policy, sheet_path=TINY_SHEET)
    pd.testing.assert_frame_equal(table, tiny(policy).scores)
    assert list(table.columns[:2]) == ["park_id", "year"]
    assert list(table.columns[-5:]) == ["score_economic", "score_role", "score_operations", "score", "veto"]


def test_text_that_looks_like_a_formula_is_neutralized_when_scores_are_written(tmp_path):
    # pandas 3 gives text columns the "str" dtype; write_csv must still neutralize them (tables.neutralize).
    from hrpark_analysis.io.tables import write_csv

    frame = pd.DataFrame({"park_id": ["=HYPERLINK(1)", "P02"], "score": [-1.5, 60.0]})
    write_csv(frame, tmp_path / "scores.csv")
    assert (tmp_path / "scores.csv").read_text("utf-8").splitlines() == [
        "park_id,score", "'=HYPERLINK(1),-1.5", "P02,60.0",
    ]  # fmt: skip


def test_a_folder_saved_by_chinese_excel_scores_the_same(policy, tmp_path):
    # parks.csv in GB18030 (Chinese Excel's CSV), targets and ratings as XLSX workbooks
    folder = tmp_path / "data"
    shutil.copytree(TINY_DIR, folder)
    text = (folder / "parks.csv").read_text("utf-8")
    (folder / "parks.csv").write_bytes(text.encode("gb18030"))
    for name in ("targets", "ratings"):
        pd.read_csv(folder / f"{name}.csv", dtype=str).to_excel(folder / f"{name}.xlsx", index=False)
        (folder / f"{name}.csv").unlink()
    converted = tiny(policy, data_dir=folder)
    pd.testing.assert_frame_equal(converted.scores, tiny(policy).scores)
    assert converted.parks["name"].tolist()[:2] == ["示例园区甲", "示例园区乙"]
    assert {p.name for p in converted.files} >= {"targets.xlsx", "ratings.xlsx"}
