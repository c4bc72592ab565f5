"""Issue 4: the annual evaluation report end to end on the sample data, as a user runs it.

One real run (module fixture) serves most assertions; a second run with hostile park names checks that
text in generated files stays inert. The runner's own safety (killed runs, concurrent runs, failing cells)
is tested on a tiny fixture notebook in test_report_runner.py.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import openpyxl
import pandas as pd
import pytest

from hrpark_analysis.cli import main
from hrpark_analysis.engine import ledger
from hrpark_analysis.engine.dataset import SAMPLE_DIR, load_dataset
from hrpark_analysis.law.policy import load_policy

REPO = Path(__file__).resolve().parents[1]
SECTIONS = ["一、概况", "二、得分", "三、等次", "四、结果运用", "五、资金", "附录"]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    code = main(
        ["report", "annual", "--params", str(REPO / "params" / "annual-2025.yaml"), "--out", str(out)]
    )
    assert code == 0
    return out / "2025"


@pytest.fixture(scope="module")
def expected_ledger():
    """The 2025 ledger computed directly from the library, independently of the notebook."""
    policy = load_policy()
    ds = load_dataset(SAMPLE_DIR, 2025, policy)
    book = ledger.build(ds.parks, ds.evaluations, policy, end_year=2025).ledger
    return book[book["year"] == 2025]


def test_the_report_folder_has_notebook_html_xlsx_and_manifest(report):
    names = sorted(p.name for p in report.iterdir())
    assert names == [
        "annual_evaluation.html",
        "annual_evaluation.ipynb",
        "annual_evaluation.xlsx",
        "environment.txt",
        "manifest.json",
    ]


def test_the_html_has_every_section_in_chinese_and_no_code_or_traceback(report):
    html = (report / "annual_evaluation.html").read_text("utf-8")
    for section in SECTIONS:
        assert section in html
    assert "示例数据" in html
    assert "Traceback" not in html
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html  # no cell printed a warning
    assert "from hrpark_analysis" not in html and "load_dataset(" not in html  # code cells hidden
    assert "<script src=" not in html  # self-contained: no external scripts


def test_the_executed_notebook_has_no_error_outputs(report):
    nb = nbformat.read(report / "annual_evaluation.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs and not [o for o in outputs if o.output_type == "error"]


def test_xlsx_totals_equal_the_ledger(report, expected_ledger):
    wb = openpyxl.load_workbook(report / "annual_evaluation.xlsx", read_only=True)
    assert {"得分表", "资金拨付", "园区台账", "假设"} <= set(wb.sheetnames)
    rows = list(wb["资金拨付"].values)
    header, total = rows[0], rows[-1]
    assert total[0] == "合计"
    got = dict(zip(header, total, strict=True))
    assert got["实拨基础补助(万元)"] == pytest.approx(expected_ledger["base_paid"].sum())
    assert got["优秀奖励(万元)"] == pytest.approx(expected_ledger["bonus"].sum())
    assert got["暂缓拨付(万元)"] == pytest.approx(expected_ledger["pending"].sum())
    assert got["取消(万元)"] == pytest.approx(expected_ledger["cancelled"].sum())


def test_every_graded_park_has_its_own_score_sheet(report, expected_ledger):
    wb = openpyxl.load_workbook(report / "annual_evaluation.xlsx", read_only=True)
    evaluated = expected_ledger[expected_ledger["evaluated"]]
    park_sheets = [n for n in wb.sheetnames if n.startswith("得分表-")]
    assert sorted(park_sheets) == sorted(f"得分表-{p}" for p in evaluated["park_id"])
    rows = list(wb[park_sheets[0]].values)
    header = rows[0]
    points = [dict(zip(header, r, strict=True)) for r in rows[1:]]
    total = points[-1]
    assert total["指标代码"] == "合计"
    assert sum(p["得分"] for p in points[:-1]) == pytest.approx(total["得分"], abs=0.02)
    assert total["分值"] == pytest.approx(100)


def test_a_rerun_without_force_refuses_and_keeps_the_old_report(report, capsys):
    before = {p.name: p.read_bytes() for p in report.iterdir()}
    code = main(["report", "annual", "--params", str(REPO / "params" / "annual-2025.yaml"),
                 "--out", str(report.parent)])  # fmt: skip
    assert code == 2
    assert "--force" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in report.iterdir()} == before


def test_unknown_or_mistyped_parameters_are_refused_before_running(tmp_path, capsys):
    params = tmp_path / "p.yaml"
    params.write_text('data_dir: ""\nyear: 2025\nsead: 1\n', "utf-8")
    assert main(["report", "annual", "--params", str(params), "--out", str(tmp_path / "r")]) == 2
    assert "sead" in capsys.readouterr().err
    params.write_text("data_dir: ''\nyear: '2025'\n", "utf-8")
    assert main(["report", "annual", "--params", str(params), "--out", str(tmp_path / "r")]) == 2
    assert "year" in capsys.readouterr().err
    assert not (tmp_path / "r" / "2025").exists()


def test_hostile_park_names_stay_inert_in_html_and_xlsx(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    parks = pd.read_csv(data / "parks.csv", dtype=str, keep_default_na=False)
    parks.loc[0, "name"] = "<script>alert(1)</script>"
    parks.loc[1, "name"] = '=HYPERLINK("http://x","y")'
    parks.to_csv(data / "parks.csv", index=False)
    out = tmp_path / "reports"
    assert main(["report", "annual", "--year", "2025", "--data", str(data), "--out", str(out)]) == 0
    html = (out / "2025" / "annual_evaluation.html").read_text("utf-8")
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    wb = openpyxl.load_workbook(out / "2025" / "annual_evaluation.xlsx", read_only=True)
    cells = [v for row in wb["得分表"].values for v in row if isinstance(v, str)]
    assert any(v.startswith("'=HYPERLINK") for v in cells)
    assert not any(v.startswith("=") for v in cells)


def test_a_recorded_rectification_outcome_for_the_scored_year_resolves_the_pending_amount(tmp_path):
    # P19 is 不合格 in 2025 with its 100 pending (data/sample/README.md); the bureau records that it
    # rectified in time, so the 100 is paid (第二十五条(二)). The score in that row is ignored.
    data = tmp_path / "data"
    shutil.copytree(SAMPLE_DIR, data)
    with open(data / "evaluations.csv", "a", encoding="utf-8") as fh:
        fh.write("P19,2025,0,false,true,,,\n")
    policy = load_policy()
    before = load_dataset(SAMPLE_DIR, 2025, policy)
    after = load_dataset(data, 2025, policy)

    def row(ds):
        book = ledger.build(ds.parks, ds.evaluations, policy).ledger
        return book.set_index(["park_id", "year"]).loc[("P19", 2025)]

    assert (row(before)["pending"], row(before)["base_paid"]) == (100, 0)
    assert (row(after)["pending"], row(after)["base_paid"]) == (0, 100)
    assert row(after)["score"] == row(before)["score"]


def test_a_year_in_which_no_park_takes_part_says_so(tmp_path, capsys):
    # the sample's first parks are certified in 2022 and first evaluated in 2023 (第二十条; docs/readings.md)
    assert main(["score", "--data", str(SAMPLE_DIR), "--year", "2022", "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert "2022 年没有园区参加绩效评估" in err and "certified_year" in err
    assert not (tmp_path / "o").exists()


def appendix_rules(report_dir: Path) -> dict[str, str]:
    """The 附录's 规则与条款 table as the produced HTML shows it: article -> rule."""
    import html as html_lib
    import re

    page = (report_dir / "annual_evaluation.html").read_text("utf-8")
    appendix = page.index('<h2 id="%E9%99%84%E5%BD%95">')  # 附录, the last section
    start = page.index("<table", appendix)
    table = page[start : page.index("</table>", start)]
    assert "条款" in table and "规则" in table  # the first table of the appendix is 规则与条款
    rules = {}
    for row in re.findall(r"<tr>(.*?)</tr>", table, flags=re.S):
        cells = [
            html_lib.unescape(re.sub(r"<[^>]+>", "", c)).strip()
            for c in re.findall(r"<td>(.*?)</td>", row, re.S)
        ]
        if cells:
            rules[cells[0]] = cells[1]
    return rules


def test_the_appendix_states_the_rules_of_the_baseline(report):
    rules = appendix_rules(report)
    assert "30%" in rules["第二十四条"] and "60分" in rules["第二十四条"]
    assert "10万元" in rules["第二十五条(一)"]
    assert "150/100/50万元" in rules["第十一条"] and "300万元" in rules["第十一条"]
    assert "连续两年" in rules["第二十五条(二)"]


def test_a_reform_report_states_the_reform_rules_not_the_2021_numbers(tmp_path):
    # 第二十四条 and 第二十五条(一) reformed: the appendix must state the rules that were applied.
    params = tmp_path / "reform.yaml"
    params.write_text(
        f"data_dir: {SAMPLE_DIR.as_posix()}\nyear: 2025\n"
        'policy_set: ["grading.excellent_share=0.2", "subsidy.excellent_bonus=20"]\n',
        "utf-8",
    )
    out = tmp_path / "reports"
    assert main(["report", "annual", "--params", str(params), "--out", str(out)]) == 0
    rules = appendix_rules(out / "2025")
    assert "优秀不超过参评园区总数的20%" in rules["第二十四条"]
    assert "30%" not in rules["第二十四条"]
    assert "增加补助资金20万元" in rules["第二十五条(一)"]
    assert "10万元" not in rules["第二十五条(一)"]
    stated = " ".join(rules.values())
    assert "30%" not in stated and "10万元" not in stated
    # the unchanged rules keep the law's numbers
    assert "150/100/50万元" in rules["第十一条"] and "60分" in rules["第二十四条"]


def test_a_second_run_gives_the_same_bytes_in_every_file(report, monkeypatch, capsys):
    """Issue 11: `hrpark report verify` re-runs the report from its manifest and compares every file."""
    monkeypatch.chdir(REPO)  # where the report was run from: its params file's path is relative to it
    code = main(["report", "verify", str(report)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "可以复现" in out and "不一致" not in out
