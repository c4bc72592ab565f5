"""The sensitivity report (issue 5): its table helpers on worked cases, and ``hrpark report sensitivity`` end to end.

Expected values come from hand calculation or from the stories of data/sample/README.md (P03/P21 tie at the 30%
boundary, P07 scores exactly 60.00, P10 is vetoed), never from the code's own output. The end-to-end run
starts a kernel (seconds), so it runs once per module with small draws.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
from pathlib import Path

import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest
from report_checks import check_html, check_reproduces, check_sections_in_documents, check_xlsx

from hrpark_analysis import cli
from hrpark_analysis.engine import sensitivity
from hrpark_analysis.engine.dataset import SAMPLE_DIR, load_dataset
from hrpark_analysis.errors import ParameterError
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.reports import sensitivity as sr
from hrpark_analysis.reports.runner import run_report

REPO = Path(__file__).resolve().parents[1]
PARAMS = REPO / "params" / "sensitivity-2025.yaml"
STEM = "sensitivity"
SMALL = {"draws": 2000, "sobol_n_base": 64, "sobol_noise_draws": 16}
SECTIONS = [
    "摘要",
    "一、概况",
    "二、优秀比例与合格线：网格扫描",
    "三、条文的不同读法",
    "四、评分误差下的等次稳定性",
    "五、全局敏感性(Sobol 指数)",
    "附录",
]
SHEETS = [
    "参评园区", "优秀比例分段", "合格线分段", "园区等次临界值", "网格扫描", "优秀数矩阵", "不合格数矩阵",
    "风险补助矩阵", "读法对比", "读法组合", "等次概率", "等次摇摆园区", "优秀概率随比例", "不合格概率随合格线",
    "蒙特卡洛数量区间", "排名稳定性", "Sobol指数", "数据文件", "版本与参数",
]  # fmt: skip
GRADING = load_policy().section("grading")


# --- grid ----------------------------------------------------------------------------------------------------
def test_the_default_share_grid_has_46_points_and_holds_30_percent_exactly():
    shares = sr.grid(0.05, 0.50, 0.01, name="比例", lower=0, upper=1)
    assert len(shares) == 46
    assert shares[0] == 0.05 and shares[-1] == 0.5
    assert (shares == 0.3).sum() == 1  # the literal, so the baseline is not added a second time
    np.testing.assert_array_equal(shares, np.arange(5, 51) / 100)


def test_a_grid_stops_at_the_last_step_not_past_the_end():
    np.testing.assert_array_equal(sr.grid(50, 80, 7, name="合格线", lower=0, upper=100), [50, 57, 64, 71, 78])


@pytest.mark.parametrize(
    ("lo", "hi", "step", "words"),
    [
        (0.05, 0.5, 0.0, "步长应大于 0"),
        (0.05, 0.5, -0.01, "步长应大于 0"),
        (0.5, 0.05, 0.01, "小于起点"),
        (0.0, 1.2, 0.1, "之内"),
        (0.0, 1.0, 1e-6, "超过上限"),
        (0.0, math.nan, 0.1, "有限数"),
    ],
)
def test_a_bad_grid_is_a_parameter_error_that_says_why(lo, hi, step, words):
    with pytest.raises(ParameterError, match=words):
        sr.grid(lo, hi, step, name="比例", lower=0, upper=1)


# --- a worked case: five parks 90 80 70 60 50 --------------------------------------------------------------------
FIVE = np.array([90.0, 80.0, 70.0, 60.0, 50.0])
FIVE_IDS = ["A", "B", "C", "D", "E"]
FIVE_ARGS = {**GRADING, "excellent_share": 0.4, "pass_mark": 65.0}  # places: floor(5 × 0.4) = 2
FIVE_SHARES = [0.2, 0.4, 0.6]  # places 1, 2, 3
FIVE_MARKS = [55.0, 65.0, 75.0]


def test_park_thresholds_on_five_parks():
    t = sr.park_thresholds(
        FIVE, park_ids=FIVE_IDS, shares=FIVE_SHARES, pass_marks=FIVE_MARKS, **FIVE_ARGS
    ).set_index("park_id")
    # at mark 65 the candidates are A B C in that order: A needs 1 place (20%), B 2 (40%), C 3 (60%)
    assert t["excellent_from_share"].to_dict() == pytest.approx(
        {"A": 0.2, "B": 0.4, "C": 0.6, "D": np.nan, "E": np.nan}, nan_ok=True
    )
    # at share 40%: C (70) fails a mark of 75, D (60) one of 65, E (50) one of 55
    assert t["unqualified_from_mark"].to_dict() == pytest.approx(
        {"A": np.nan, "B": np.nan, "C": 75.0, "D": 65.0, "E": 55.0}, nan_ok=True
    )
    # C is 合格 at the baseline; 优秀 at (60%, 55) and (60%, 65), 不合格 at mark 75 for all three shares
    assert t.loc["C", "changed_share"] == pytest.approx(5 / 9)
    # A is 优秀 at every point: the single place goes to the top score even at mark 75
    assert t.loc["A", "changed_share"] == 0


def test_a_vetoed_park_has_no_pass_mark_threshold_unless_the_veto_is_off():
    veto = np.array([False, False, False, False, True])
    on = sr.park_thresholds(
        FIVE, veto, park_ids=FIVE_IDS, shares=FIVE_SHARES, pass_marks=FIVE_MARKS, **FIVE_ARGS
    )
    off = sr.park_thresholds(
        FIVE, veto, park_ids=FIVE_IDS, shares=FIVE_SHARES, pass_marks=FIVE_MARKS,
        **{**FIVE_ARGS, "veto_enabled": False},
    )  # fmt: skip
    assert math.isnan(on["unqualified_from_mark"].iloc[4])
    assert off["unqualified_from_mark"].iloc[4] == 55.0


def five_sweep(shares, marks):
    return sensitivity.sweep(
        FIVE, None, np.array([0.0, 0.0, 100.0, 50.0, 50.0]), excellent_bonus=10.0, park_ids=FIVE_IDS,
        shares=shares, pass_marks=marks, **FIVE_ARGS,
    )  # fmt: skip


def test_share_steps_merge_the_shares_that_give_the_same_places():
    # five parks: 20%, 25%, 30% all give floor(…) = 1 place; 40% (the baseline) gives 2
    steps = sr.share_steps(five_sweep([0.2, 0.25, 0.3, 0.4], FIVE_MARKS))
    assert steps[["share_from", "share_to", "cap", "n_excellent", "bonus"]].values.tolist() == [
        [0.2, 0.3, 1, 1, 10.0],
        [0.4, 0.4, 2, 2, 20.0],
    ]
    assert steps["from_excellent"].tolist() == ["B", ""]
    assert steps["is_baseline"].tolist() == [False, True]


def test_pass_mark_steps_follow_who_falls_below_the_mark():
    steps = sr.pass_mark_steps(five_sweep(FIVE_SHARES, [55.0, 60.0, 61.0, 65.0, 75.0]))
    # at 40%: D (60) passes 55 and 60, fails 61 and 65; C (70) fails 75; E (50) always fails
    assert steps[["pass_mark_from", "pass_mark_to", "n_unqualified", "at_risk"]].values.tolist() == [
        [55.0, 60.0, 1, 50.0],
        [61.0, 65.0, 2, 100.0],
        [75.0, 75.0, 3, 200.0],
    ]
    assert steps["from_unqualified"].tolist() == ["D", "", ""]
    assert steps["to_unqualified"].tolist() == ["", "", "C"]
    assert steps["is_baseline"].tolist() == [False, True, False]


# --- readings and Sobol as text ---------------------------------------------------------------------------------
def test_reading_lines_name_each_reading_that_moves_a_park_and_then_the_rest():
    # seven parks, 30% → floor(2.1) = 2 places; the 85s tie for places 2 and 3, so by default only G is 优秀
    score = np.array([85.0, 85.0, 70.0, 65.0, 60.0, 55.0, 90.0])
    ids = ["A", "B", "C", "D", "E", "F", "G"]
    frame = sensitivity.readings(score, excellent_bonus=10.0, park_ids=ids, **GRADING)
    assert sr.reading_lines(frame) == [
        "边界同分处理: 同分组全部评优秀 → 优秀 3 个，不合格 1 个；新增优秀 A, B",
        "名额取整: 向上取整 → 优秀 3 个，不合格 1 个；新增优秀 A, B",  # ceil(2.1) = 3 places
        "“60分以下”含60分: 是 → 优秀 1 个，不合格 2 个；新增不合格 E",
        "不改变任何园区等次的读法: 名额取整: 四舍五入，一票否决生效: 否",
    ]


def test_sobol_lines_keep_factors_whose_interval_excludes_zero_largest_first():
    # σ's interval holds 0; the 0.004 of cap_rounding is clear of 0 but under 1% of the variance
    frame = pd.DataFrame({
        "output": ["at_risk"] * 4 + ["total_bonus"] * 2,
        "factor": ["sigma", "pass_mark", "cap_rounding", "veto_enabled", "sigma", "tie_policy"],
        "ST": [0.02, 0.9, 0.004, 0.05, 0.01, 0.0], "ST_conf": [0.03, 0.1, 0.001, 0.01, 0.02, 0.0],
    })  # fmt: skip
    assert sr.sobol_lines(frame) == [
        "风险补助(万元): 合格线 ST=0.90±0.10；一票否决生效 ST=0.05±0.01",
        "优秀奖励总额(万元): 没有可辨别影响的因素",
    ]


# --- build on the sample data ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def sample():
    policy = load_policy()
    return load_dataset(SAMPLE_DIR, 2025, policy), policy


def build_small(sample, **changes):
    data, policy = sample
    args = {
        "shares": sr.grid(0.05, 0.5, 0.01, name="s", lower=0, upper=1),
        "pass_marks": sr.grid(50, 80, 1, name="p", lower=0, upper=100),
        "sigma": 2.0, "draws": 500, "seed": 1, "sobol_n_base": 16, "sobol_noise_draws": 4, **changes,
    }  # fmt: skip
    return sr.build(data, policy, **args)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"sobol_n_base": 100}, "2 的幂"),
        ({"draws": 0}, "draws"),
        ({"sigma": -1.0}, "sigma"),
        ({"coin_toss_band": [0.8, 0.2]}, "coin_toss_band"),
        ({"coin_toss_band": [0.2]}, "coin_toss_band"),
        ({"sobol_sigma_max": 0.0}, "sobol_sigma_max"),
    ],
)
def test_build_refuses_bad_settings_before_any_work(sample, changes, words):
    with pytest.raises(ParameterError, match=words):
        build_small(sample, **changes)


def test_the_sample_stories_show_in_the_tables(sample):
    report = build_small(sample)
    s = report.summary
    # README: P03 and P21 tie at the 30% boundary and are both left out: one place stays empty
    assert s["n_excellent"] == s["cap"] - 1
    thresholds = report.tables["园区等次临界值"].set_index("园区编号")
    marks = thresholds["基准比例下判为不合格的合格线(分)"]
    assert marks["P07"] == 61.0  # exactly 60.00: passes 60, fails the next mark of the 1-point grid
    assert math.isnan(marks["P10"])  # vetoed: no mark decides it
    shares = thresholds["基准合格线下评为优秀所需比例"]
    assert shares["P03"] == shares["P21"]  # a tied pair turns 优秀 together
    # every share of the grid lies in exactly one run, the runs in order
    steps = report.tables["优秀比例分段"]
    assert steps["优秀比例自"].iloc[0] == 0.05 and steps["优秀比例至"].iloc[-1] == 0.5
    assert (steps["优秀比例自"].iloc[1:].to_numpy() > steps["优秀比例至"].iloc[:-1].to_numpy()).all()
    assert (steps["基准"] == "基准").sum() == 1


# --- end to end: hrpark report sensitivity --------------------------------------------------------------------
@pytest.fixture(scope="module")
def e2e(tmp_path_factory):
    out_root = tmp_path_factory.mktemp("reports")
    stderr = io.StringIO()
    cwd = os.getcwd()
    os.chdir(REPO)  # the params file's relative paths are relative to the working directory
    try:
        with contextlib.redirect_stderr(stderr):
            folder = run_report(
                "sensitivity", PARAMS, out_root=out_root, overrides=dict(SMALL), progress=True
            )
    finally:
        os.chdir(cwd)
    return folder, stderr.getvalue()


def test_the_report_folder_holds_exactly_the_report_files(e2e):
    folder, _ = e2e
    assert folder.name == "sensitivity-2025"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{STEM}.{ext}" for ext in ("ipynb", "html", "pdf", "docx", "xlsx")]
        + ["environment.txt", "manifest.json"]
    )


def test_the_html_has_every_section_no_code_and_no_traceback(e2e):
    folder, _ = e2e
    html = (folder / f"{STEM}.html").read_text("utf-8")
    for title in SECTIONS:
        assert title in html, title
    assert "示例数据" in html
    for code in ("import ", "sr.build(", "publish_table(", "print(f"):
        assert code not in html, code
    assert "Traceback" not in html


TITLE = "2025年度绩效评估等次的敏感性分析"


def test_the_html_reads_as_a_document_with_every_table_and_figure_numbered_and_captioned(e2e):
    folder, _ = e2e
    check_html(folder / f"{STEM}.html", TITLE, summary_before="数据文件及其 SHA-256 校验和</caption>")
    page = (folder / f"{STEM}.html").read_text("utf-8")
    assert "9.9901e-01" not in page and ">100.00%</td>" in page  # probabilities are percentages now


def test_the_workbook_opens_on_a_cover_sheet_and_probabilities_are_percentages(e2e):
    folder, _ = e2e
    book = check_xlsx(folder / f"{STEM}.xlsx", TITLE)
    sheet = book["等次概率"]
    header = [c.value for c in sheet[1]]
    assert sheet.cell(row=2, column=header.index("P(不合格)") + 1).number_format.endswith("%")


def test_the_notebook_wrote_nothing_to_stderr(e2e):
    folder, _ = e2e
    nb = nbformat.read(folder / f"{STEM}.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"] == []


def test_the_xlsx_has_every_table_and_the_readings_of_the_sample_stories(e2e):
    folder, _ = e2e
    book = openpyxl.load_workbook(folder / f"{STEM}.xlsx", read_only=True)
    assert book.sheetnames == ["说明", *SHEETS]
    rows = list(book["读法对比"].values)
    table = pd.DataFrame(rows[1:], columns=rows[0]).set_index("改变的读法")
    # README: include → P03 and P21 both 优秀 (cap passed); inclusive pass mark → P07 不合格; veto off → P10
    assert table.loc["边界同分处理", "新增优秀"].tolist() == ["P03, P21", "P21"]  # include, then dimension
    assert table.loc["“60分以下”含60分", "新增不合格"] == "P07"
    assert table.loc["一票否决生效", "不再不合格"] == "P10"
    sobol = list(book["Sobol指数"].values)
    assert len(sobol) - 1 == 3 * 7  # three outputs × (3 continuous + 4 readings)


def test_the_monte_carlo_puts_a_park_at_exactly_60_on_a_coin_toss(e2e):
    folder, _ = e2e
    rows = list(openpyxl.load_workbook(folder / f"{STEM}.xlsx", read_only=True)["等次概率"].values)
    parks = pd.DataFrame(rows[1:], columns=rows[0]).set_index("园区编号")
    # P07 scores 60.00: symmetric noise puts it below the mark half the time (2,000 draws: sd ≈ 0.011)
    assert parks.loc["P07", "P(不合格)"] == pytest.approx(0.5, abs=0.05)
    assert parks.loc["P07", "等次摇摆"] == "是"
    assert parks.loc["P10", "P(不合格)"] == 1.0  # a veto does not depend on the score


def test_progress_reached_the_terminal_and_not_the_notebook(e2e):
    folder, stderr = e2e
    assert "蒙特卡洛抽样: 2,000/2,000 (100%)" in stderr
    assert "Sobol 抽样:" in stderr
    assert "Unable to parse line" not in stderr
    notebook = (folder / f"{STEM}.ipynb").read_text("utf-8")
    assert "蒙特卡洛抽样:" not in notebook and "Sobol 抽样:" not in notebook
    assert "/tmp" not in notebook and str(REPO) not in notebook


def test_the_overrides_reached_the_notebook_and_the_manifest(e2e):
    folder, _ = e2e
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    assert manifest["parameters"]["draws"] == SMALL["draws"]
    assert manifest["parameters_given"]["draws"] == "override"
    assert manifest["parameters_given"]["sigma"] == "params_file"
    assert manifest["inputs"][0]["role"] == "params_file"
    nb = nbformat.read(folder / f"{STEM}.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and "draws = 2000" in injected[0].source


def test_a_rerun_without_force_refuses_and_leaves_the_report_alone(e2e, capsys, monkeypatch):
    folder, _ = e2e
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    monkeypatch.chdir(REPO)
    code = cli.main(["report", "sensitivity", "--params", str(PARAMS), "--out", str(folder.parent)])
    assert code == 2
    assert "已存在" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_the_pdf_bookmarks_and_the_word_headings_hold_every_section(e2e, document_headings):
    check_sections_in_documents(document_headings, e2e[0] / STEM, SECTIONS)


def test_a_second_run_gives_the_same_bytes_in_every_file(e2e, monkeypatch, capsys):
    """Issue 11: `hrpark report verify` re-runs the report from its manifest and compares every file."""
    check_reproduces(e2e[0], REPO, monkeypatch, capsys)
