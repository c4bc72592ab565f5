"""Issue 14: ``hrpark report certification`` end to end on the sample's 2025 round, reading the files it writes.

Expected numbers are worked out by hand from the sample's stories (hrpark_analysis/sample_data/README.md) and
the text: A01, A02, A03 and A09 are certified in 2025; 第十一条 pays 150 / 100 / 50 万元; 第二十五条(一) adds
at most 10 万元 a year from the first evaluation (2026).
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import openpyxl
import pytest
from report_checks import check_html, check_reproduces, check_sections_in_documents, check_xlsx

from hrpark_analysis.cli import main

REPO = Path(__file__).resolve().parents[1]
SECTIONS = [
    "摘要",
    "一、申报与审核进度",
    "二、认定条件(第八条)",
    "三、认定成本",
    "四、一区两群布局(第四条)",
    "附录",
]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    params = REPO / "params" / "certification-2025.yaml"
    assert main(["report", "certification", "--params", str(params), "--out", str(out)]) == 0
    return out / "certification-2025"


def sheet(report: Path, name: str) -> list[dict]:
    wb = openpyxl.load_workbook(report / "certification.xlsx", read_only=True)
    rows = list(wb[name].values)
    return [dict(zip(rows[0], r, strict=True)) for r in rows[1:]]


def test_the_folder_has_every_format_the_other_reports_have(report):
    assert sorted(p.name for p in report.iterdir()) == [
        "certification.docx", "certification.html", "certification.ipynb", "certification.pdf", "certification.xlsx", "environment.txt", "manifest.json",
    ]  # fmt: skip
    manifest = json.loads((report / "manifest.json").read_text("utf-8"))
    assert manifest["key"] == "certification-2025"
    assert {i["role"] for i in manifest["inputs"]} >= {"params_file", "data_dir"}
    nb = nbformat.read(report / "certification.ipynb", as_version=4)
    assert not [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]


def test_the_html_has_every_section_in_chinese_and_no_code(report):
    html = (report / "certification.html").read_text("utf-8")
    for section in SECTIONS:
        assert section in html
    assert "示例数据" in html and "Traceback" not in html and "from hrpark_analysis" not in html
    assert "材料不全(第十条(四))" in html and "公示异议成立(第九条(三)、(四))" in html


TITLE = "2025年重庆市市级人力资源服务产业园认定评审报告"


def test_the_html_reads_as_a_document_with_every_table_and_figure_numbered_and_captioned(report):
    check_html(report / "certification.html", TITLE, summary_before="适用的规则及其条款</caption>")
    page = (report / "certification.html").read_text("utf-8")
    assert (
        "授牌：" in page and "A09" in page[: page.index('>一、申报与审核进度<a class="anchor-link"')]
    )  # the 摘要 names the certified


def test_the_workbook_opens_on_a_cover_sheet_and_every_sheet_is_formatted_for_print(report):
    check_xlsx(report / "certification.xlsx", TITLE)


def test_stages_and_who_is_eligible_only_thanks_to_a_relaxation(report):
    stages = {r["申报单位编号"]: r["所处阶段"] for r in sheet(report, "申报与阶段")}
    assert [k for k, v in stages.items() if v == "授牌"] == ["A01", "A02", "A03", "A09"]
    assert stages["A11"] == "通过评估(待公示结果)"
    needed = {r["申报单位编号"]: r["放宽的作用"] for r in sheet(report, "因放宽而符合条件")}
    assert needed == {"A02": "仅因地区放宽", "A03": "仅因“线上+线下”放宽", "A04": "需两项放宽同时适用",
                      "A09": "仅因地区放宽"}  # fmt: skip


def test_every_condition_with_its_margin_and_relaxation(report):
    rows = {r["申报单位编号"]: r for r in sheet(report, "认定条件与差距")}
    # A09 (武隆, 渝东南): 8800 m² against 10000 × 0.8 = 8000 → +10.0%; A08: 4800 against 5000 → −4.0%
    assert (
        rows["A09"]["第八条(二) 建筑面积 差距(%)"] == 10.0 and rows["A09"]["适用的放宽"] == "地区放宽 × 0.8"
    )
    assert rows["A08"]["第八条(二) 建筑面积 差距(%)"] == -4.0 and rows["A08"]["符合条件"] == "否"
    assert rows["A07"]["第八条(二) 建设方案完整"] == "否"


def test_the_relaxation_grid_counts_eligible_applicants(report):
    grid = {r["地区放宽系数"]: r for r in sheet(report, "放宽系数与符合条件数")}
    assert grid["1"]["线上+线下 × 1"] == 3  # no relaxation: A01, A10, A11
    assert grid["0.8"]["线上+线下 × 0.5"] == 7  # the default: A01–A04, A09–A11
    assert len(grid) == 6


def test_the_cost_of_the_round_beside_the_existing_parks(report):
    costs = {r["年度"]: r for r in sheet(report, "认定成本与在册园区承诺")}
    new = [costs[y]["本轮新认定园区基础补助(万元)"] for y in (2025, 2026, 2027)]
    assert new == [4 * 150, 4 * 100, 4 * 50]
    assert [costs[y]["本轮新认定园区优秀奖励上限(万元)"] for y in (2025, 2026, 2027)] == [0, 40, 40]
    # 2026: the six parks of 2025 at 100 and the eight of 2024 at 50; 2027: the six of 2025 at 50
    assert costs[2026]["在册园区基础补助(万元)"] == 6 * 100 + 8 * 50
    assert costs[2027]["在册园区基础补助(万元)"] == 6 * 50


def test_yiqu_liangqun_before_and_after(report):
    rows = {
        r["区域"]: (r["本轮前园区数"], r["本轮新认定"], r["本轮后园区数"])
        for r in sheet(report, "一区两群布局")
    }
    # 18/7/5 parks, P12 (万盛经开区, 主城都市区) withdrawn in 2025; A01, A03 主城, A02 渝东北, A09 渝东南
    assert rows == {
        "主城都市区": (17, 2, 19),
        "渝东北三峡库区城镇群": (7, 1, 8),
        "渝东南武陵山区城镇群": (5, 1, 6),
    }
    new = sheet(report, "新认定园区")
    assert [r["园区编号"] for r in new] == ["A01", "A02", "A03", "A09"] and new[0]["认定年份"] == 2025


def test_the_relaxation_grid_agrees_with_assess_and_only_grows_as_factors_fall():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from hrpark_analysis.engine.dataset import SAMPLE_DIR
    from hrpark_analysis.io.readers import read_applicants
    from hrpark_analysis.law.policy import load_policy
    from hrpark_analysis.rules import eligibility

    policy = load_policy()
    applicants = read_applicants(SAMPLE_DIR / "applicants.csv", policy)
    rules = eligibility.rule_arguments(policy)

    @settings(max_examples=40, deadline=None)
    @given(st.lists(st.floats(0.3, 1.0), min_size=2, max_size=6, unique=True))
    def check(factors):
        factors = sorted(factors)
        met = eligibility.eligible_over_relaxations(applicants, factors, factors, **rules)
        # a larger factor (less relaxation) never makes an applicant eligible
        assert (met[1:] <= met[:-1]).all() and (met[:, 1:] <= met[:, :-1]).all()
        for i, r in enumerate(factors):
            one = policy.with_overrides({"eligibility.regional_relaxation": r,
                                         "eligibility.online_area_relaxation": factors[-1]})  # fmt: skip
            expected = eligibility.assess(applicants, **eligibility.rule_arguments(one))["eligible"]
            assert (met[i, -1] == expected.to_numpy()).all()

    check()


def test_the_forecast_with_and_without_the_round(report):
    rows = {r["年度"]: r for r in sheet(report, "多年预测")}
    assert sorted(rows) == [2026, 2027, 2028, 2029, 2030]
    diff = {y: r["本轮新增 期望支出(万元)"] for y, r in rows.items()}
    # four new parks: at most 100 base + 10 bonus each in 2026, 50 + 10 in 2027, only the bonus after that;
    # at least the base of those not graded 不合格 — a positive amount while the schedule runs
    assert 0 < diff[2026] <= 4 * (100 + 10) and 0 < diff[2027] <= 4 * (50 + 10)
    assert all(0 <= diff[y] <= 4 * 10 for y in (2028, 2029, 2030))
    for r in rows.values():
        assert r["含本轮 期望市级支出(万元)"] == pytest.approx(
            r["不含本轮 期望市级支出(万元)"] + r["本轮新增 期望支出(万元)"], abs=0.01
        )


def test_the_pdf_bookmarks_and_the_word_headings_hold_every_section(report, document_headings):
    check_sections_in_documents(document_headings, report / "certification", SECTIONS)


def test_a_second_run_gives_the_same_bytes_in_every_file(report, monkeypatch, capsys):
    """Issue 11: `hrpark report verify` re-runs the report from its manifest and compares every file."""
    check_reproduces(report, REPO, monkeypatch, capsys)
