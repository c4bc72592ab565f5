"""Issue 6: the subsidy forecast report — its table helpers on a case worked by hand, and the report end to end.

The end-to-end run (module fixture) executes ``hrpark report forecast`` once on the sample data with the
committed params file, cut to a few hundred paths, and compares the XLSX with ``forecast_dataset`` called
directly with the same scenario. The helper tests use a three-park history small enough to follow by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import nbformat
import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from report_checks import check_html, check_reproduces, check_sections_in_documents, check_xlsx

from hrpark_analysis import labels
from hrpark_analysis.cli import main
from hrpark_analysis.engine.dataset import SAMPLE_DIR, load_dataset
from hrpark_analysis.engine.forecast import ForecastConfig, forecast, forecast_dataset
from hrpark_analysis.law.policy import load_policy
from hrpark_analysis.reports import charts
from hrpark_analysis.reports import forecast as fr
from hrpark_analysis.reports import forecast_charts as frc
from hrpark_analysis.reports.document import table_html
from hrpark_analysis.reports.formatting import percent
from hrpark_analysis.reports.runner import report_key

matplotlib.use("Agg")

REPO = Path(__file__).resolve().parents[1]
PARAMS = REPO / "params" / "forecast-2026-2030.yaml"
TEST_PATHS = 400
SECTIONS = ["摘要", "一、情景与评分模型", "二、市级支出预测", "三、超预算风险", "四、支出由什么决定",
            "五、区县配套、暂缓与取消", "六、园区数量与等次", "七、改革方案比较", "附录"]  # fmt: skip
TITLE = "2026–2030年重庆市市级人力资源服务产业园补助资金多年预测"
SHEETS = {"预测情景", "评分模型", "历年实际", "年度市级支出", "累计市级支出", "超预算风险", "支出构成", "区县配套与取消",
          "园区数量", "等次分布", "改革方案汇总", "改革方案逐年比较", "改革方案参数", "预测明细", "假设", "数据文件",
          "版本与参数"}  # fmt: skip

# --- a history small enough to follow by hand ---------------------------------------------------------------
# A certified 2021 scores 80 in 2022–2024; B certified 2022 scores 70 in 2023–2024; C certified in the base
# year 2024. Ledger base payments (第十一条 150/100/50): 2021 A150; 2022 A100 + B150; 2023 A50 + B100;
# 2024 B50 + C150. At most 2 parks take part in 2022–2024, so the 30% cap is floor(0.6) = 0: no 优秀, no bonus.
PARKS = pd.DataFrame({"park_id": ["A", "B", "C"], "name": ["甲", "乙", "丙"], "district": ["渝中", "万州", "黔江"],
                      "certified_year": [2021, 2022, 2024]})  # fmt: skip
EVALUATIONS = pd.DataFrame({"park_id": ["A", "A", "A", "B", "B"], "year": [2022, 2023, 2024, 2023, 2024],
                            "score": [80.0, 80.0, 80.0, 70.0, 70.0]})  # fmt: skip
# Every park keeps its last score for ever (φ = 1, σ = 0); C and new parks score 77.5; nobody is vetoed.
FROZEN = {"score_model": "fixed", "phi": 1.0, "sigma": 0.0, "mu_mean": 77.5, "mu_sd": 0.0, "veto_rate": 0.0}


def _policy():
    return load_policy(None, ["subsidy.bonus_after_subsidy_years=true"])


def _frozen_forecast(**config):
    settings = {**FROZEN, "horizon": 2028, "paths": 7, "arrivals": "fixed", "arrival_counts": 1, **config}
    return forecast(PARKS, EVALUATIONS, _policy(), ForecastConfig(**settings), base_year=2024)


def test_the_history_is_the_ledger_year_by_year():
    history = fr.history_totals(_frozen_forecast().start)
    assert history["year"].tolist() == [2021, 2022, 2023, 2024]
    assert history["base_paid"].tolist() == [150, 250, 150, 200]
    assert history["outlay"].tolist() == [150, 250, 150, 200]
    assert history["active"].tolist() == [1, 2, 2, 3]
    assert history["n_evaluated"].tolist() == [0, 1, 2, 2]
    assert history["n_excellent"].sum() == 0


def test_new_certifications_add_their_150_100_50_and_lift_the_cap_for_the_others():
    # One new park a year from 2025. Without them, only C is still in its subsidy years (100 in 2025, 50 in
    # 2026) and 3 parks take part: cap 0. With them, 4, 5, 6 parks take part in 2026–2028: cap 1, so A (80,
    # the best score) is 优秀 and earns the 10 bonus (after its subsidy years: bonus_after_subsidy_years).
    result = _frozen_forecast()
    existing = fr.existing_parks_run(result)
    full = result.baseline.measures
    np.testing.assert_array_equal(
        existing.measures["base_paid"], np.array([[100], [50], [0], [0]]) * np.ones(7)
    )
    np.testing.assert_array_equal(existing.measures["bonus"], 0)
    new_base = full["base_paid"] - existing.measures["base_paid"]
    new_bonus = full["bonus"] - existing.measures["bonus"]
    np.testing.assert_array_equal(new_base, np.array([[150], [250], [300], [300]]) * np.ones(7))
    np.testing.assert_array_equal(new_bonus, np.array([[0], [10], [10], [10]]) * np.ones(7))


def test_without_new_certifications_the_existing_parks_run_is_the_baseline():
    result = forecast_dataset(SAMPLE_DIR, 2025, load_policy(), ForecastConfig(paths=60, arrivals="fixed",
                                                                                arrival_counts=0))  # fmt: skip
    existing = fr.existing_parks_run(result)
    for name, values in result.baseline.measures.items():
        np.testing.assert_array_equal(existing.measures[name], values, err_msg=name)


def test_in_the_first_forecast_year_new_parks_add_exactly_their_certification_year_payment():
    # 第十一条: 150 in the certification year, paid without an evaluation; a park certified in 2026 is first
    # evaluated in 2027 (第二十条), so in 2026 it changes nobody's grade: it adds 150 per new park, path by path.
    result = forecast_dataset(
        SAMPLE_DIR, 2025, load_policy(), ForecastConfig(paths=80, seed=5, arrival_rate=2.0)
    )
    existing = fr.existing_parks_run(result)
    new = result.baseline.measures["outlay"][0] - existing.measures["outlay"][0]
    arrivals = result.baseline.measures["arrivals"][0]
    assert arrivals.max() >= 2  # the check covers paths with several new parks
    np.testing.assert_array_equal(new, 150 * arrivals)
    table = fr.drivers(result, existing)
    col = labels.FORECAST_COLUMN
    assert table[col["new"]].iloc[0] == pytest.approx(150 * arrivals.mean())
    assert table["市级支出合计均值(万元)"].tolist() == pytest.approx(
        result.baseline.measures["outlay"].mean(axis=1)
    )


def test_wide_tables_take_each_column_from_the_summary():
    result = _frozen_forecast(arrival_counts=[1, 0, 2, 0])
    table = fr.wide(result.summary, [("arrivals", "mean"), ("base_paid", "p95")])
    assert table.columns.tolist() == ["年度", "新认定园区均值(个)", "基础补助P95(万元)"]
    assert table["年度"].tolist() == [2025, 2026, 2027, 2028]
    assert table["新认定园区均值(个)"].tolist() == [1, 0, 2, 0]


def test_budget_risk_is_a_share_that_the_table_shows_in_percent():
    # Frozen outlay: 100 + 150 = 250 in 2025, 50 + 250 + 10 = 310 in 2026, 310 in 2027 and 2028 (above).
    result = _frozen_forecast(budget=300.0)
    table = fr.budget_table(result)
    assert table[labels.FORECAST_COLUMN["p_over_budget"]].tolist() == [0, 1, 1, 1]
    shown = table_html(table)
    assert ">0%</td>" in shown and ">100%</td>" in shown
    assert table[labels.FORECAST_COLUMN["expected_overrun"]].tolist() == [0, 10, 10, 10]


def test_reform_tables_compare_each_reform_with_the_baseline_and_name_its_overrides():
    # Bonus 20 instead of 10: A's bonus doubles in 2026–2028, so the total over the period is +30 on every path.
    result = _frozen_forecast(budget=300.0)
    reformed = forecast(PARKS, EVALUATIONS, _policy(), result.config, base_year=2024,
                        reforms={"奖励20": ["subsidy.excellent_bonus=20"]})  # fmt: skip
    tables = fr.reform_tables(reformed)
    summary = tables["改革方案汇总"].iloc[0]
    assert summary["改革方案"] == "奖励20"
    assert (summary["差额均值(万元)"], summary["差额P5(万元)"], summary["差额P95(万元)"]) == (30, 30, 30)
    params = tables["改革方案参数"]
    assert params[labels.COLUMN["key"]].tolist() == ["subsidy.excellent_bonus"]
    assert params["改革方案取值"].tolist() == ["20"]
    assert set(tables["改革方案超预算风险"]["方案"]) == {"基准", "奖励20"}
    assert fr.reform_tables(result) == {}


def test_the_scenario_table_shows_the_arrival_parameter_in_use():
    poisson = fr.config_table(ForecastConfig(arrivals="poisson", arrival_rate=1.5))["参数"].tolist()
    fixed = fr.config_table(ForecastConfig(arrivals="fixed", arrival_counts=2))["参数"].tolist()
    assert "arrival_rate" in poisson and "arrival_counts" not in poisson
    assert "arrival_counts" in fixed and "arrival_rate" not in fixed


@pytest.mark.parametrize(("horizon", "last"), [(2030, 2030), (5, 2030), (1, 2026)])
def test_horizon_reads_like_the_report_folder_name(horizon, last):
    assert fr.horizon_year(2025, horizon) == last
    assert report_key("forecast", {"base_year": 2025, "horizon": horizon}) == f"forecast-2026-{last}"


def test_every_chart_says_sample_data_when_asked():
    charts.setup_matplotlib()
    result = forecast(PARKS, EVALUATIONS, _policy(),
                      ForecastConfig(**{**FROZEN, "horizon": 2027, "paths": 5, "budget": 300.0}),
                      base_year=2024, reforms={"奖励20": ["subsidy.excellent_bonus=20"]})  # fmt: skip
    report = fr.build(result, _policy())
    figures = [frc.fan_chart(report, "outlay", "t", budget=True), frc.fan_chart(report, "active", "t"),
               frc.composition_chart(report), frc.budget_chart(report), frc.reform_chart(report)]  # fmt: skip
    for fig in figures:
        assert [t for t in fig.axes[0].texts if t.get_gid() == charts.SAMPLE_MARK_GID]
    plain = frc.fan_chart(report, "outlay", "t", sample=False)
    assert not [t for t in plain.axes[0].texts if t.get_gid() == charts.SAMPLE_MARK_GID]
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def sample_inputs():
    policy = load_policy()
    return policy, load_dataset(SAMPLE_DIR, 2025, policy)


@pytest.mark.parametrize("horizon", range(2027, 2036))
def test_every_horizon_from_2027_to_2035_draws_every_chart_and_its_reform_ranges(sample_inputs, horizon):
    # The reform differences move in steps of the bonus (10 万元), so P5 and P95 often sit on one step while
    # the mean lies just beside them (2027, 20%: P5 = P95 = -60, mean -59.99): the chart once drew the range
    # as an error around the mean and crashed with negative xerr. Each range must span exactly P5..P95.
    import matplotlib.pyplot as plt

    policy, data = sample_inputs
    reforms = {"优秀比例20%": ["grading.excellent_share=0.2"], "奖励20万元": ["subsidy.excellent_bonus=20"]}
    config = ForecastConfig(horizon=horizon, paths=60, seed=20211222, budget=1300.0)
    result = forecast(data.parks, data.evaluations, policy, config, base_year=2025, reforms=reforms)
    report = fr.build(result, policy)
    assert report.years.tolist() == list(range(2026, horizon + 1))
    for fig in (frc.fan_chart(report, "outlay", "t", budget=True), frc.fan_chart(report, "cumulative_outlay", "t"),
                frc.composition_chart(report), frc.budget_chart(report)):  # fmt: skip
        plt.close(fig)
    fig = frc.reform_chart(report)
    table = report.tables["改革方案汇总"]
    (lines,) = [c for c in fig.axes[0].collections if c.get_gid() == frc.RANGE_GID]
    drawn = np.array([sorted((seg[0][0], seg[1][0])) for seg in lines.get_segments()])
    np.testing.assert_allclose(drawn, table[["差额P5(万元)", "差额P95(万元)"]].to_numpy(dtype=float))
    plt.close(fig)
    # the prose and the table show a budget risk with the same rounding
    risk = fr.budget_table(result)["超预算概率"]
    assert [percent(p) for p in risk] == [percent(p, None) for p in risk]


def test_a_rare_event_is_never_shown_as_zero_percent():
    # 1 path in 10,000 over budget: the old text said 0.0% where its table said 0.01.
    assert percent(0.0001) == "0.01%"
    assert percent(0.0001, 1) == "<0.1%"
    assert percent(0.24571) == "24.6%"
    assert percent(0.9999, 1) == ">99.9%"
    assert percent(0.0) == "0%"


# --- end to end ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def scenario() -> dict:
    """The committed params file with a few hundred paths and an absolute data folder."""
    values = yaml.safe_load(PARAMS.read_text("utf-8"))
    return {**values, "paths": TEST_PATHS, "data_dir": str(SAMPLE_DIR)}


@pytest.fixture(scope="module")
def report(tmp_path_factory, scenario):
    folder = tmp_path_factory.mktemp("forecast")
    params = folder / "forecast.yaml"
    params.write_text(yaml.safe_dump(scenario, allow_unicode=True), "utf-8")
    assert main(["report", "forecast", "--params", str(params), "--out", str(folder / "reports")]) == 0
    return folder / "reports" / "forecast-2026-2030"


@pytest.fixture(scope="module")
def direct(scenario):
    """The same scenario run straight through the library, independently of the notebook."""
    config = ForecastConfig(
        horizon=scenario["horizon"], paths=TEST_PATHS, seed=scenario["seed"], arrivals=scenario["arrivals"],
        arrival_counts=scenario["arrival_counts"], arrival_rate=scenario["arrival_rate"],
        region_shares=scenario["region_shares"], ceiling=scenario["ceiling"], score_model=scenario["score_model"],
        phi=scenario["phi"], sigma=scenario["sigma"], mu_mean=scenario["mu_mean"], mu_sd=scenario["mu_sd"],
        prior_scale=scenario["prior_scale"], veto_rate=scenario["veto_rate"],
        rectification_probability=scenario["rectification_probability"], budget=scenario["budget"],
    )  # fmt: skip
    policy = load_policy(None, scenario["policy_set"])
    return forecast_dataset(SAMPLE_DIR, scenario["base_year"], policy, config, reforms=scenario["reforms"])


def _sheet(path: Path, name: str) -> pd.DataFrame:
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = list(wb[name].values)
    return pd.DataFrame(rows[1:], columns=rows[0])


def test_the_report_folder_has_notebook_html_pdf_docx_xlsx_and_manifest(report):
    assert sorted(p.name for p in report.iterdir()) == [
        "environment.txt", "manifest.json", "subsidy_forecast.docx", "subsidy_forecast.html", "subsidy_forecast.ipynb", "subsidy_forecast.pdf", "subsidy_forecast.xlsx",
    ]  # fmt: skip
    manifest = json.loads((report / "manifest.json").read_text("utf-8"))
    assert manifest["key"] == "forecast-2026-2030"
    assert manifest["parameters"]["paths"] == TEST_PATHS


def test_the_html_has_every_section_in_chinese_and_no_code_or_traceback(report):
    html = (report / "subsidy_forecast.html").read_text("utf-8")
    for section in SECTIONS:
        assert section in html
    assert "示例数据" in html
    assert "Traceback" not in html
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in html  # no cell printed a warning
    assert "from hrpark_analysis" not in html and "fr.build(" not in html  # code cells hidden
    assert "<script src=" not in html


def test_the_html_reads_as_a_document_with_every_table_and_figure_numbered_and_captioned(report):
    check_html(report / "subsidy_forecast.html", TITLE, summary_before="预测适用的规则及其条款</caption>")


def test_the_summary_states_the_worst_budget_risk_exactly_as_its_table_shows_it(report):
    # one rounding for what is shown: the text once said 0.0% where its table said 0.01
    import html as html_lib
    import re

    page = html_lib.unescape((report / "subsidy_forecast.html").read_text("utf-8"))
    year, shown = re.search(r"超预算概率最高的是 (\d{4}) 年，([^。<]+)。", page).groups()
    start = page.index("各年超预算概率与预期超支额</caption>")
    table = page[start : page.index("</table>", start)]
    rows = {cells[0]: cells for cells in (re.findall(r"<td[^>]*>(.*?)</td>", r) for r in re.findall(r"<tr>(.*?)</tr>", table, re.S)) if cells}  # fmt: skip
    assert shown in rows[year]
    assert shown.endswith("%")


def test_the_workbook_opens_on_a_cover_sheet_and_every_sheet_is_formatted_for_print(report):
    book = check_xlsx(report / "subsidy_forecast.xlsx", TITLE)
    assert book["年度市级支出"].freeze_panes == "B2"  # the year column stays in view when scrolling right
    risk = book["超预算风险"]
    header = [c.value for c in risk[1]]
    assert risk.cell(row=2, column=header.index("超预算概率") + 1).number_format.endswith("%")


def test_the_executed_notebook_has_no_error_outputs(report):
    nb = nbformat.read(report / "subsidy_forecast.ipynb", as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert outputs and not [o for o in outputs if o.output_type == "error"]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]


def test_the_xlsx_yearly_outlay_equals_the_library_run_directly(report, direct):
    wb = openpyxl.load_workbook(report / "subsidy_forecast.xlsx", read_only=True)
    assert set(wb.sheetnames) >= SHEETS
    table = _sheet(report / "subsidy_forecast.xlsx", "年度市级支出").set_index("年度")
    summary = direct.summary[direct.summary["scenario"] == "baseline"].set_index(["measure", "year"])
    assert table.index.tolist() == [2026, 2027, 2028, 2029, 2030]
    for measure, stat, column in [("outlay", "mean", "市级支出合计均值(万元)"), ("outlay", "p5", "市级支出合计P5(万元)"),
                                  ("outlay", "p95", "市级支出合计P95(万元)"), ("base_paid", "mean", "基础补助均值(万元)"),
                                  ("bonus", "mean", "优秀奖励均值(万元)")]:  # fmt: skip
        expected = summary.loc[measure, stat].reindex(table.index).to_numpy()
        np.testing.assert_allclose(table[column].to_numpy(dtype=float), expected, rtol=1e-12, err_msg=column)


def test_the_xlsx_budget_risk_and_reforms_equal_the_library_run_directly(report, direct):
    risk = _sheet(report / "subsidy_forecast.xlsx", "超预算风险")
    expected = direct.budget[direct.budget["scenario"] == "baseline"]
    np.testing.assert_allclose(risk["超预算概率"], expected["p_over_budget"].to_numpy(dtype=float))
    reforms = _sheet(report / "subsidy_forecast.xlsx", "改革方案汇总").set_index("改革方案")
    assert reforms.index.tolist() == list(direct.reforms)
    for name, run in direct.reforms.items():
        gap = run.measures["cumulative_outlay"][-1] - direct.baseline.measures["cumulative_outlay"][-1]
        assert reforms.loc[name, "差额均值(万元)"] == pytest.approx(gap.mean())


def test_the_scenario_sheet_records_what_the_params_file_asked(report, scenario):
    table = _sheet(report / "subsidy_forecast.xlsx", "预测情景").set_index("参数")["取值"]
    assert table["paths"] == str(TEST_PATHS)
    assert table["seed"] == str(scenario["seed"])
    assert table["budget"] == f"{scenario['budget']:g}"


def test_a_rerun_without_force_refuses_and_keeps_the_old_report(report, capsys):
    before = {p.name: p.read_bytes() for p in report.iterdir()}
    params = report.parent.parent / "forecast.yaml"
    assert main(["report", "forecast", "--params", str(params), "--out", str(report.parent)]) == 2
    assert "--force" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in report.iterdir()} == before


def test_the_pdf_bookmarks_and_the_word_headings_hold_every_section(report, document_headings):
    check_sections_in_documents(document_headings, report / "subsidy_forecast", SECTIONS)


def test_a_second_run_gives_the_same_bytes_in_every_file(report, monkeypatch, capsys):
    """Issue 11: `hrpark report verify` re-runs the report from its manifest and compares every file."""
    check_reproduces(report, REPO, monkeypatch, capsys)
