"""``hrpark evaluate`` / ``eligibility`` / ``policy``: the command-line contract and one test per bad input.

Every bad input must give exit code 2, one message naming the file, the row (as the user sees it) and the
column, and leave nothing in the output folder.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from hrpark_analysis.cli import main

PARKS = """park_id,name,district,certified_year,kind,online_offline
P01,示例园区甲,渝北区,2022,综合性,否
P02,示例园区乙,万州区,2022,专业性,是
P03,示例园区丙,石柱土家族自治县,2023,综合性,
"""
EVALS = """park_id,year,score,veto,rectified
P01,2023,88,,
P02,2023,55,否,是
P01,2024,91,,
P02,2024,58,,
P03,2024,72,0,
"""


def write(tmp: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp / name
    path.write_bytes(text.encode(encoding))
    return path


def run(capsys, *args) -> tuple[int, str]:
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


@pytest.fixture
def files(tmp_path):
    return write(tmp_path, "parks.csv", PARKS), write(tmp_path, "evals.csv", EVALS)


def evaluate(capsys, tmp_path, parks, evals, *extra):
    out = tmp_path / "out"
    code, err = run(capsys, "evaluate", "--parks", parks, "--evaluations", evals, "--out", out, *extra)
    return code, err, out


def test_evaluate_writes_the_contract_columns(capsys, tmp_path, files):
    code, _, out = evaluate(capsys, tmp_path, *files)
    assert code == 0
    grades = pd.read_csv(out / "grades.csv")
    assert list(grades.columns) == ["park_id", "year", "score", "rank", "grade", "cap_exceeded"]
    book = pd.read_csv(out / "ledger.csv")
    assert list(book.columns[:10]) == [
        "park_id", "year", "status", "grade", "base_due", "base_paid", "pending", "cancelled", "bonus",
        "cumulative_paid",
    ]  # fmt: skip
    # P02: unqualified 2023 (rectified: paid 100) and 2024 → plaque withdrawn in 2024, its 50 cancelled
    p02 = book[book.park_id == "P02"].set_index("year")
    assert p02.loc[2023, "base_paid"] == 100
    assert p02.loc[2024, "status"] == "revoked"
    assert p02.loc[2024, "cancelled"] == 50
    assert set(grades["grade"]) <= {"excellent", "qualified", "unqualified"}


def test_a_second_run_refuses_to_overwrite_without_force(capsys, tmp_path, files):
    assert evaluate(capsys, tmp_path, *files)[0] == 0
    before = (tmp_path / "out" / "grades.csv").read_bytes()
    code, err, out = evaluate(capsys, tmp_path, *files)
    assert code == 2 and "--force" in err
    assert (out / "grades.csv").read_bytes() == before
    assert evaluate(capsys, tmp_path, *files, "--force")[0] == 0


@pytest.mark.parametrize("encoding", ["gb18030", "gbk", "utf-8-sig"])
def test_csv_saved_by_chinese_excel_is_read(capsys, tmp_path, encoding):
    parks = write(tmp_path, "parks.csv", PARKS, encoding)
    evals = write(tmp_path, "evals.csv", EVALS, encoding)
    code, _, out = evaluate(capsys, tmp_path, parks, evals)
    assert code == 0
    assert len(pd.read_csv(out / "grades.csv")) == 5


def test_xlsx_input_is_read(capsys, tmp_path, files):
    parks = tmp_path / "parks.xlsx"
    pd.read_csv(files[0], dtype=str, keep_default_na=False).to_excel(parks, index=False)
    code, _, out = evaluate(capsys, tmp_path, parks, files[1])
    assert code == 0
    assert (out / "ledger.csv").exists()


BAD_EVALS = [
    # (what, evaluations text, expected fragments of the message)
    ("missing column", "park_id,year\nP01,2023\n", ["evals.csv", "score", "缺少"]),
    ("non-numeric score", EVALS.replace("P01,2024,91", "P01,2024,九十一"), ["evals.csv", "第 4 行", "score", "数值"]),
    ("score above 100", EVALS.replace("P01,2024,91", "P01,2024,101"), ["第 4 行", "score", "100"]),
    ("negative score", EVALS.replace("P01,2024,91", "P01,2024,-1"), ["第 4 行", "score"]),
    ("NaN score", EVALS.replace("P01,2024,91", "P01,2024,NaN"), ["第 4 行", "score", "有限数值"]),
    ("empty score", EVALS.replace("P01,2024,91", "P01,2024,"), ["第 4 行", "score", "空"]),
    ("duplicate park and year", EVALS + "P01,2023,70,,\n", ["第 7 行", "park_id, year", "重复"]),
    ("unknown park", EVALS + "P99,2024,70,,\n", ["第 7 行", "park_id", "P99"]),
    ("before the first evaluation year", EVALS + "P03,2023,70,,\n", ["第 7 行", "year", "首次评估"]),
    ("after revocation", EVALS + "P02,2025,70,,\nP01,2025,70,,\nP03,2025,70,,\n", ["第 7 行", "取消授牌"]),
    ("missing evaluation year", EVALS.replace("P03,2024,72,0,\n", "") + "P03,2025,70,,\nP01,2025,80,,\n",
     ["P03", "2024", "没有该年的评估"]),
    ("bad yes/no", EVALS.replace("P02,2023,55,否,是", "P02,2023,55,也许,是"), ["第 3 行", "veto"]),
    ("empty file", "", ["evals.csv", "文件为空"]),
    ("header only", "park_id,year,score\n", ["evals.csv", "没有数据行"]),
]  # fmt: skip


@pytest.mark.parametrize(("what", "text", "fragments"), BAD_EVALS, ids=[b[0] for b in BAD_EVALS])
def test_bad_evaluations_are_refused_with_file_row_and_column(capsys, tmp_path, files, what, text, fragments):
    evals = write(tmp_path, "evals.csv", text)
    code, err, out = evaluate(capsys, tmp_path, files[0], evals)
    assert code == 2, what
    assert err.count("\n") == 1, err  # one line
    for fragment in fragments:
        assert fragment in err, (what, err)
    assert not out.exists() or not any(out.iterdir())


BAD_PARKS = [
    ("unknown district", PARKS.replace("渝北区", "火星区"), ["parks.csv", "第 2 行", "district", "火星区"]),
    ("missing district column", "park_id,name,certified_year\nP01,甲,2022\n", ["parks.csv", "district"]),
    ("duplicate park", PARKS + "P01,示例园区丁,江北区,2022,,\n", ["parks.csv", "第 5 行", "park_id"]),
    ("bad certification year", PARKS.replace("渝北区,2022", "渝北区,二〇二二"), ["第 2 行", "certified_year"]),
    ("unknown kind", PARKS.replace("综合性,否", "混合型,否"), ["第 2 行", "kind", "综合性"]),
]  # fmt: skip


@pytest.mark.parametrize(("what", "text", "fragments"), BAD_PARKS, ids=[b[0] for b in BAD_PARKS])
def test_bad_parks_are_refused_with_file_row_and_column(capsys, tmp_path, files, what, text, fragments):
    parks = write(tmp_path, "parks.csv", text)
    code, err, out = evaluate(capsys, tmp_path, parks, files[1])
    assert code == 2, what
    for fragment in fragments:
        assert fragment in err, (what, err)
    assert not out.exists() or not any(out.iterdir())


@pytest.mark.parametrize(
    ("setting", "fragments"),
    [
        ("grading.pass_mrk=65", ["grading.pass_mrk", "grading.pass_mark"]),
        ("grading.excellent_share=1.5", ["grading.excellent_share", "不大于 1"]),
        ("grading.excellent_share=0", ["grading.excellent_share", "大于 0"]),
        ("grading.pass_mark=120", ["grading.pass_mark", "100"]),
        ("grading.tie_policy=random", ["tie_policy", "exclude"]),
        ("grading.cap_rounding=truncate", ["cap_rounding", "floor"]),
        ("subsidy.excellent_bonus=-5", ["excellent_bonus", "不小于 0"]),
        ("eligibility.regional_relaxation=abc", ["regional_relaxation", "数值"]),
        ("grading.pass_mark", ["键=值"]),
    ],
)
def test_invalid_or_unknown_set_is_refused(capsys, tmp_path, files, setting, fragments):
    code, err, out = evaluate(capsys, tmp_path, *files, "--set", setting)
    assert code == 2
    for fragment in fragments:
        assert fragment in err, err
    assert not out.exists()


def test_reform_changes_the_grades(capsys, tmp_path, files):
    # 60 pass mark inclusive has no effect here, but a pass mark of 56 makes P02's 2024 score 58 qualified
    code, _, out = evaluate(capsys, tmp_path, *files, "--set", "grading.pass_mark=56")
    assert code == 0
    grades = pd.read_csv(out / "grades.csv").set_index(["park_id", "year"])
    assert grades.loc[("P02", 2023), "grade"] == "unqualified"
    assert grades.loc[("P02", 2024), "grade"] == "qualified"


APPLICANTS = """applicant_id,name,district,online_offline,floor_area_m2,n_institutions,revenue_first_year,employment_served,talent_moves,policy_support,plan_complete,infrastructure,management
A1,示例申报甲,渝北区,否,12000,25,60000,250000,2500,是,是,是,是
A2,示例申报乙,万州区,否,8500,17,42000,170000,1700,是,是,是,是
A3,示例申报丙,江北区,否,8500,17,42000,170000,1700,是,是,是,是
"""


def test_eligibility_writes_conditions_margins_and_result(capsys, tmp_path):
    applicants = write(tmp_path, "applicants.csv", APPLICANTS)
    code, _ = run(capsys, "eligibility", "--applicants", applicants, "--out", tmp_path / "out")
    assert code == 0
    table = pd.read_csv(tmp_path / "out" / "eligibility.csv").set_index("applicant_id")
    assert table["eligible"].tolist() == [True, True, False]  # A2 passes only thanks to 第八条's relaxation
    assert table.loc["A2", "region"] == "northeast"
    assert {"met_floor_area", "met_institutions", "margin_revenue"} <= set(table.columns)
    assert table.loc["A1", "margin_floor_area"] == pytest.approx(0.2)


def test_eligibility_bad_input_names_row_and_column(capsys, tmp_path):
    applicants = write(tmp_path, "applicants.csv", APPLICANTS.replace("8500,17", "-8500,17", 1))
    code, err = run(capsys, "eligibility", "--applicants", applicants, "--out", tmp_path / "out")
    assert code == 2
    assert "applicants.csv" in err and "第 3 行" in err and "floor_area_m2" in err


def test_policy_show_and_diff(capsys):
    code = main(["policy", "show", "--set", "grading.excellent_share=0.2"])
    text = capsys.readouterr().out
    assert code == 0
    assert "grading.excellent_share = 0.2" in text and "第二十四条" in text and "假设" in text
    code = main(
        ["policy", "diff", "--set", "grading.excellent_share=0.2", "--set", "subsidy.excellent_bonus=20"]
    )
    text = capsys.readouterr().out
    assert "grading.excellent_share: 0.3 → 0.2" in text
    assert "subsidy.excellent_bonus: 10 → 20" in text


def test_the_installed_command_exits_2_on_bad_input(tmp_path):
    parks = write(tmp_path, "parks.csv", PARKS.replace("渝北区", "火星区"))
    evals = write(tmp_path, "evals.csv", EVALS)
    proc = subprocess.run(
        [sys.executable, "-m", "hrpark_analysis.cli", "evaluate", "--parks", parks, "--evaluations", evals,
         "--out", tmp_path / "out"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "火星区" in proc.stderr
    assert not (tmp_path / "out").exists()
