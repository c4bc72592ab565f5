"""The bureau's own data (issue 15): templates, Chinese headers, every problem at once, ``hrpark check``.

Expected texts are written out by hand from the messages a district reads; files are read back as produced.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from hrpark_analysis.cli import main
from hrpark_analysis.engine.dataset import SAMPLE_DIR, load_dataset
from hrpark_analysis.errors import InputError, InputErrors
from hrpark_analysis.io import readers
from hrpark_analysis.io.cells import Column, parse_cell
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.law.sheet import load_sheet

ROLES = ["parks", "evaluations", "monthly", "targets", "ratings", "events", "applicants"]
SHEET_NAMES = {"parks": "园区名单", "evaluations": "评估结果", "monthly": "月报", "targets": "年度目标",
               "ratings": "专家评分", "events": "扣分与否决事项", "applicants": "申报单位"}  # fmt: skip


@pytest.fixture(scope="module")
def policy():
    return load_policy()


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("templates") / "t"
    assert main(["template", "--out", str(out), "--year", "2025"]) == 0
    return out


def fill(template: Path, role: str, rows: list[dict[str, str]], target: Path) -> None:
    """What a district does: type rows under the template's example row, keep its headers, save."""
    book = openpyxl.load_workbook(template)
    ws = book[SHEET_NAMES[role]]
    keys = [c.value for c in ws[2]]  # the hidden row of English keys
    for i, rec in enumerate(rows, start=4):
        for j, key in enumerate(keys, start=1):
            value = rec.get(key, "")
            if value == "":
                continue
            value = as_number(value)
            ws.cell(row=i, column=j, value=value)
    book.save(target)


def as_number(text: str) -> object:
    """A number typed as a number (Excel stores it so), anything else as text."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def sample_rows(role: str) -> list[dict[str, str]]:
    return pd.read_csv(SAMPLE_DIR / f"{role}.csv", dtype=str, keep_default_na=False).to_dict("records")


def test_filled_templates_make_a_data_folder_that_check_and_the_annual_report_accept(
    templates, tmp_path, capsys
):
    data = tmp_path / "data"
    data.mkdir()
    for role in ROLES:
        fill(templates / f"{role}.xlsx", role, sample_rows(role), data / f"{role}.xlsx")
    capsys.readouterr()
    assert main(["check", "--data", str(data), "--year", "2025"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and out.startswith("数据检查通过")
    # the sample has 30 parks, 24 taking part in 2025 and one missing monthly report (its README)
    assert "30 个园区" in out and "2025 年 24 个园区参加评估" in out
    assert out.rstrip().endswith(
        "缺报月报 1 条(第十六条，计入报送及时率): P04 2025年12月"
    )  # no P04,2025,12 row
    policy = load_policy()
    from_templates = load_dataset(data, 2025, policy).scores
    pd.testing.assert_frame_equal(from_templates, load_dataset(SAMPLE_DIR, 2025, policy).scores)
    reports = tmp_path / "reports"
    assert main(["report", "annual", "--year", "2025", "--data", str(data), "--out", str(reports)]) == 0
    book = openpyxl.load_workbook(reports / "2025" / "annual_evaluation.xlsx", read_only=True)
    assert any(name.startswith("得分表-P01") for name in book.sheetnames)


def test_a_template_says_what_each_column_means_and_guards_what_it_can(templates):
    book = openpyxl.load_workbook(templates / "parks.xlsx")
    assert book.sheetnames[:2] == ["园区名单", "填写说明"]
    data = book["园区名单"]
    assert [c.value for c in data[1]][:4] == ["园区编号", "园区名称", "区县", "认定年份"]
    assert [c.value for c in data[2]][:4] == ["park_id", "name", "district", "certified_year"]
    assert data.row_dimensions[2].hidden
    assert data.freeze_panes == "A3"
    assert str(data["A3"].value).startswith("示例行")
    guide = {r[1]: r for r in book["填写说明"].iter_rows(values_only=True) if r and len(r) > 1}
    assert guide["district"][0] == "区县" and guide["district"][4] == "第四条"
    assert guide["certified_year"][3] == "年" and guide["certified_year"][5] == "必填"
    assert guide["certified_year"][6] == "2000 至 2025"  # --year 2025: no park certified later
    rules = {str(v.sqref).split(":")[0][0]: v for v in data.data_validations.dataValidation}
    lists = book["选项"]
    assert lists.sheet_state == "hidden"
    districts = [r[2] for r in lists.iter_rows(values_only=True) if r[2]]
    assert len(districts) == 41 and "渝中" in districts and "秀山" in districts  # 一区两群: 24 + 11 + 6
    assert rules["C"].type == "list" and rules["D"].type == "whole"
    assert (rules["D"].formula1, rules["D"].formula2) == ("2000", "2025")
    assert [r[6] for r in lists.iter_rows(values_only=True) if r[6]] == ["是", "否"]  # online_offline
    targets = openpyxl.load_workbook(templates / "targets.xlsx")
    ids = [r[2] for r in targets["选项"].iter_rows(values_only=True) if r[2]]
    sheet = load_sheet(None)
    assert ids == [ind.id for ind in sheet.by_method("ratio_to_target")]


def test_an_unfilled_template_is_a_file_without_data_rows(templates, policy):
    with pytest.raises(InputError, match="没有数据行"):
        readers.read_parks(templates / "parks.xlsx", policy)


def test_templates_are_not_overwritten_without_force(templates, capsys):
    before = (templates / "parks.xlsx").read_bytes()
    assert main(["template", "--out", str(templates)]) == 2
    assert "已存在" in capsys.readouterr().err
    assert (templates / "parks.xlsx").read_bytes() == before


def gbk_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("gbk")


def test_a_chinese_headed_csv_saved_in_gbk_reads_the_same_as_the_english_headed_original(tmp_path, policy):
    english = pd.read_csv(SAMPLE_DIR / "parks.csv", dtype=str, keep_default_na=False)
    chinese = ["园区编号", "园区名称", "区县", "认定年份", "认定月份", "园区类型", "线上+线下"]
    (tmp_path / "parks.csv").write_bytes(gbk_csv([chinese, *english.to_numpy().tolist()]))
    pd.testing.assert_frame_equal(
        readers.read_parks(tmp_path / "parks.csv", policy),
        readers.read_parks(SAMPLE_DIR / "parks.csv", policy),
    )
    sheet = load_sheet(None)
    monthly = pd.read_csv(SAMPLE_DIR / "monthly.csv", dtype=str, keep_default_na=False)
    header = ["园区编号", "年度", "月份", "人力资源服务营业收入(万元)", "纳税额（万元）", "帮助劳动者实现就业和流动",
              "帮助优秀紧缺人才流动(人次)", "入驻人力资源服务机构数(家)", "园区建筑面积(平方米)"]  # fmt: skip
    (tmp_path / "monthly.csv").write_bytes(gbk_csv([header, *monthly.to_numpy().tolist()]))
    ids = [f"P{i:02d}" for i in range(1, 31)]
    pd.testing.assert_frame_equal(
        readers.read_monthly(tmp_path / "monthly.csv", sheet.monthly_fields, ids),
        readers.read_monthly(SAMPLE_DIR / "monthly.csv", sheet.monthly_fields, ids),
    )


def test_a_template_re_saved_as_gbk_csv_with_its_key_and_example_rows_reads_without_edits(
    templates, tmp_path, policy
):
    fill(templates / "parks.xlsx", "parks", sample_rows("parks"), tmp_path / "parks.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "parks.xlsx")["园区名单"]
    rows = [["" if v is None else str(v) for v in r] for r in ws.iter_rows(values_only=True)]
    (tmp_path / "parks.csv").write_bytes(gbk_csv(rows))
    parks = readers.read_parks(tmp_path / "parks.csv", policy)
    assert parks["park_id"].tolist() == [f"P{i:02d}" for i in range(1, 31)]
    assert parks["_row"].iloc[0] == 4  # the row as Excel shows it: header, keys, example, then data


PARKS = """park_id,name,district,certified_year,kind,online_offline
P01,示例园区甲,渝北区,2022,综合性,否
P02,示例园区\x0b乙,火星区,2022,综合性,否
P03,示例园区丙,江北区,2022,综合性,否
"""
EVALS = """park_id,year,score,veto
P01,2023,"6,5",否
P02,2023,70,也许
P03,2023,101,否
"""


def test_five_mistakes_in_two_files_are_all_named_in_one_run_and_nothing_is_written(tmp_path, capsys):
    (tmp_path / "parks.csv").write_text(PARKS, encoding="utf-8")
    (tmp_path / "evals.csv").write_text(EVALS, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["evaluate", "--parks", str(tmp_path / "parks.csv"), "--evaluations", str(tmp_path / "evals.csv"),
                 "--out", str(out)])  # fmt: skip
    err = capsys.readouterr().err
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == "hrpark: 错误: 输入数据有 5 处问题，涉及 2 个文件:"
    expected = [  # grouped by file, then by row
        ("parks.csv, 第 3 行, 列 name", "控制字符(\\x0b)"),
        ("parks.csv, 第 3 行, 列 district", "未知的区县 '火星区'"),
        ("evals.csv, 第 2 行, 列 score", "逗号只能作千位分隔符"),
        ("evals.csv, 第 3 行, 列 veto", "'也许'"),
        ("evals.csv, 第 4 行, 列 score", "应不大于 100"),
    ]
    assert len(lines) == 6
    for line, (where, what) in zip(lines[1:], expected, strict=True):
        assert where in line and what in line, line
    assert not out.exists()


@pytest.mark.parametrize(
    ("text", "value"),
    [("6,5", None), ("1,23", None), ("1,2345", None), (",5", None), ("12,345", 12345.0),
     ("1,234,567.5", 1234567.5), ("6.5", 6.5)],
)  # fmt: skip
def test_a_comma_is_read_only_as_a_thousands_separator(tmp_path, text, value):
    path = tmp_path / "monthly.csv"
    path.write_text(f'park_id,year,month,revenue\nA,2024,1,"{text}"\n', encoding="utf-8")
    fields = {"revenue": load_sheet(None).monthly_fields["revenue"]}
    if value is None:
        with pytest.raises(InputError) as err:
            readers.read_monthly(path, fields, ["A"])
        assert (err.value.row, err.value.column) == (2, "revenue") and "逗号" in str(err.value)
    else:
        assert readers.read_monthly(path, fields, ["A"])["revenue"].tolist() == [value]


@given(st.integers(min_value=-(10**12), max_value=10**12), st.sampled_from(["", ".5", ".25"]))
def test_a_number_written_with_thousands_separators_reads_as_written_without_them(n, decimals):
    text = f"{n:,}{decimals}"
    column = Column("revenue", "float")
    assert parse_cell(text, column, "m.csv", 2) == float(f"{n}{decimals}")


@given(st.from_regex(r"\A[0-9]{1,4}(,[0-9]{1,4})+\Z"))
def test_a_comma_that_does_not_group_three_digits_is_refused(text):
    assume(not re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+", text))
    with pytest.raises(InputError, match="逗号"):
        parse_cell(text, Column("revenue", "float"), "m.csv", 2)


def test_an_unknown_header_is_named_with_the_nearest_suggestion(tmp_path):
    path = tmp_path / "evals.csv"
    path.write_text("园区编号,年度,总份\nP01,2023,70\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        readers.read_evaluations(path)
    assert (err.value.row, err.value.column) == (1, "总份")
    assert "无法识别的列名 '总份'；是否想用 总分？" in str(err.value)
    assert not isinstance(err.value, InputErrors)  # one mistake, one message (not also "缺少 score")


def test_an_extra_column_unlike_any_known_one_is_kept_as_the_districts_own_note(tmp_path):
    path = tmp_path / "evals.csv"
    path.write_text("园区编号,年度,总分,经办人\nP01,2023,70,张三\n", encoding="utf-8")
    assert readers.read_evaluations(path)["经办人"].tolist() == ["张三"]


def test_a_workbook_with_several_sheets_is_read_from_the_sheet_named_like_its_role(tmp_path):
    path = tmp_path / "evals.xlsx"
    with pd.ExcelWriter(path) as w:
        pd.DataFrame({"说明": ["封面"]}).to_excel(w, sheet_name="封面", index=False)
        pd.DataFrame({"园区编号": ["P01", "P02"], "年度": [2023, 2023], "总分": [65, "x"]}).to_excel(
            w, sheet_name="评估结果", index=False
        )
    with pytest.raises(InputError) as err:
        readers.read_evaluations(path)
    assert "工作表 评估结果, 第 3 行, 列 score" in str(err.value)
    other = tmp_path / "other.xlsx"
    with pd.ExcelWriter(other) as w:
        pd.DataFrame({"a": [1]}).to_excel(w, sheet_name="封面", index=False)
        pd.DataFrame({"park_id": ["P01"], "year": [2023], "score": [65]}).to_excel(
            w, sheet_name="Sheet2", index=False
        )
    with pytest.raises(InputError, match="工作簿有 2 个工作表"):
        readers.read_evaluations(other)


def test_past_fifty_problems_the_first_fifty_are_printed_with_the_count(tmp_path, capsys):
    (tmp_path / "parks.csv").write_text("park_id,name,district,certified_year\nP01,甲,渝北区,2022\n", "utf-8")
    body = "".join(f"P01,{2023 + i},abc\n" for i in range(60))
    (tmp_path / "evals.csv").write_text("park_id,year,score\n" + body, encoding="utf-8")
    code = main(["evaluate", "--parks", str(tmp_path / "parks.csv"), "--evaluations", str(tmp_path / "evals.csv"),
                 "--out", str(tmp_path / "out"), "--errors", str(tmp_path / "problems.csv")])  # fmt: skip
    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert err[0] == "hrpark: 错误: 输入数据有 60 处问题，涉及 1 个文件:"
    assert err[50].strip().startswith("文件") and "第 51 行" in err[50]
    assert err[51].strip().startswith("……另有 10 处问题未列出")
    listed = pd.read_csv(tmp_path / "problems.csv", encoding="utf-8-sig", dtype=str)
    assert list(listed.columns) == ["文件", "工作表", "行", "列", "值", "问题"]
    assert len(listed) == 60 and listed["行"].tolist()[-1] == "61" and set(listed["值"]) == {"abc"}
    assert not (tmp_path / "out").exists()


def test_the_errors_workbook_copies_the_offending_rows_with_each_problem_beside_its_cell(tmp_path, capsys):
    (tmp_path / "parks.csv").write_text(PARKS, encoding="utf-8")
    (tmp_path / "evals.csv").write_text(EVALS, encoding="utf-8")
    target = tmp_path / "back" / "问题清单.xlsx"
    code = main(["evaluate", "--parks", str(tmp_path / "parks.csv"), "--evaluations", str(tmp_path / "evals.csv"),
                 "--out", str(tmp_path / "out"), "--errors", str(target)])  # fmt: skip
    assert code == 2
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["问题清单", "问题行-1", "问题行-2"]
    listed = list(book["问题清单"].iter_rows(values_only=True))
    assert len(listed) == 6 and listed[3][2:5] == (2, "score", "6,5")
    rows = book["问题行-2"]
    assert [c.value for c in rows[2]] == ["行", "park_id", "year", "score", "veto", "问题"]
    assert [c.value for c in rows[3]][:5] == [2, "P01", "2023", "6,5", "否"]
    assert "逗号只能作千位分隔符" in rows["D3"].comment.text and rows["D3"].fill.fgColor.rgb.endswith(
        "FFC7CE"
    )
    assert rows["F5"].value.startswith("score: 应不大于 100")
    parks = book["问题行-1"]
    assert parks["C3"].value == "示例园区\ufffd乙"  # the control character cannot be stored; it is shown


def test_check_names_problems_between_files_all_at_once(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    with (data / "monthly.csv").open("a", encoding="utf-8") as f:
        f.write("P99,2025,1,1,1,1,1,1,1\n")
    with (data / "targets.csv").open("a", encoding="utf-8") as f:
        f.write("P01,2025,innovation,10\n")
    with (data / "evaluations.csv").open("a", encoding="utf-8") as f:
        f.write("P98,2024,70,false,,30,20,20\n")
    n_monthly = len((data / "monthly.csv").read_text("utf-8").splitlines())
    n_targets = len((data / "targets.csv").read_text("utf-8").splitlines())
    n_evals = len((data / "evaluations.csv").read_text("utf-8").splitlines())
    assert main(["check", "--data", str(data), "--year", "2025"]) == 2
    err = capsys.readouterr().err
    assert "输入数据有 3 处问题，涉及 3 个文件" in err
    assert f"evaluations.csv, 第 {n_evals} 行, 列 park_id: 园区 P98 不在园区名单中" in err
    assert f"monthly.csv, 第 {n_monthly} 行, 列 park_id: 园区 P99 不在园区名单中" in err
    assert f"targets.csv, 第 {n_targets} 行, 列 indicator: 指标 'innovation' 不是得分表中按目标完成率" in err


def test_check_refuses_evaluations_after_revocation(tmp_path, capsys):
    tiny = Path(__file__).parent / "fixtures" / "scoring"
    data = tmp_path / "data"
    shutil.copytree(tiny / "tiny", data)
    # E is unqualified in 2022 and 2023 (50, 40): its plaque goes (第二十五条(二)), so no 2024 result can exist
    with (data / "evaluations.csv").open("a", encoding="utf-8") as f:
        f.write("E,2024,70,false,,30,20,20\n")
    code = main(["check", "--data", str(data), "--year", "2025", "--sheet", str(tiny / "sheet_tiny.yaml")])
    assert code == 2
    err = capsys.readouterr().err
    assert "evaluations.csv, 第 5 行, 列 year: 园区 E 已因连续两年不合格被取消授牌" in err


def test_check_of_a_clean_folder_says_so_in_one_line(capsys):
    assert main(["check", "--data", str(SAMPLE_DIR)]) == 0  # without --year: the latest monthly year
    captured = capsys.readouterr()
    assert captured.out.count("\n") == 1 and "2025 年 24 个园区参加评估" in captured.out


def test_check_reads_the_applicants_file_of_the_folder_too(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    lines = (data / "applicants.csv").read_text("utf-8").splitlines()
    lines[1] = lines[1].replace(",15800,", ",15800.5.1,")  # A01's floor area, mistyped
    (data / "applicants.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with (data / "monthly.csv").open("a", encoding="utf-8") as f:
        f.write("P01,2025,13,1,1,1,1,1,1\n")
    n_monthly = len((data / "monthly.csv").read_text("utf-8").splitlines())
    assert main(["check", "--data", str(data), "--year", "2025"]) == 2
    err = capsys.readouterr().err
    assert "输入数据有 2 处问题，涉及 2 个文件" in err
    assert "applicants.csv, 第 2 行, 列 floor_area_m2: 应为数值，实际为 '15800.5.1'" in err
    assert f"monthly.csv, 第 {n_monthly} 行, 列 month: 应不大于 12，实际为 13" in err
