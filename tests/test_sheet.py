"""第二十一条 / 第二十三条 / 第二十四条: the evaluation sheet is validated where it is loaded.

Each broken sheet is the small valid fixture with one thing changed; every error names the file, and for an
indicator its id and its line in the file.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from hrpark_analysis.errors import InputError
from hrpark_analysis.law.sheet import DIMENSIONS, load_sheet

FIXTURES = Path(__file__).parent / "fixtures" / "scoring"
TINY = FIXTURES / "sheet_tiny.yaml"


def tiny() -> dict:
    return yaml.safe_load(TINY.read_text("utf-8"))


def write(tmp_path: Path, doc: dict) -> Path:
    path = tmp_path / "sheet.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def with_indicator(index: int, **changes) -> dict:
    doc = tiny()
    for key, value in changes.items():
        if value is None:
            doc["indicators"][index].pop(key, None)
        else:
            doc["indicators"][index][key] = value
    return doc


def test_the_bundled_illustrative_sheet_loads_says_it_is_illustrative_and_weighs_100():
    sheet = load_sheet()
    assert sheet.illustrative
    assert sum(ind.weight for ind in sheet.indicators) == 100
    # 第二十一条: all three dimensions are present, each indicator cites an article.
    assert {ind.dimension for ind in sheet.indicators} == set(DIMENSIONS)
    assert all("第" in ind.reference for ind in sheet.indicators)
    # a veto item (第二十四条 "直接确定为不合格") and a deduction item are part of the sheet
    assert sheet.by_method("veto") and sheet.by_method("deduction")
    assert {"ratio_to_target", "piecewise_linear", "rating"} <= {ind.method for ind in sheet.indicators}
    table = sheet.table()
    assert list(table["id"]) == [ind.id for ind in sheet.indicators]
    assert set(table["dimension"]) == {"经济发展", "作用发挥", "运营管理"}


def test_the_small_fixture_sheet_loads_with_its_parameters():
    sheet = load_sheet(TINY)
    growth = sheet.get("growth")
    assert (growth.method, growth.field, growth.measure) == ("piecewise_linear", "revenue", "growth")
    assert growth.params == {"floor": 0, "target": 0.2, "no_data_fraction": 0.5}
    assert sheet.get("report").field is None
    assert sheet.setting("score_decimals") == 2


def test_weights_that_add_up_only_in_decimal_arithmetic_are_accepted(tmp_path):
    weights = [44.3, 19.9, 15.8, 10, 10]  # rev, growth, help, report, safety: 100 exactly in decimal
    assert (
        weights[0] + weights[1] + weights[2] + weights[3] + weights[4] == 99.99999999999999
    )  # binary floats
    doc = tiny()
    for item, weight in zip(doc["indicators"], weights, strict=False):
        item["weight"] = weight
    sheet = load_sheet(write(tmp_path, doc))
    assert [ind.weight for ind in sheet.indicators][:5] == weights


def test_weights_not_adding_up_to_100_name_the_file_and_each_dimension(tmp_path):
    path = FIXTURES / "sheet_weights_99.yaml"
    with pytest.raises(InputError) as err:
        load_sheet(path)
    message = str(err.value)
    assert str(path) in message
    assert "合计应为 100 分" in message and "实际为 99 分" in message
    assert "经济发展 49" in message and "作用发挥 30" in message and "运营管理 20" in message


def test_a_total_of_100_point_01_is_refused_too(tmp_path):
    doc = tiny()
    doc["indicators"][0]["weight"] = 40.01
    with pytest.raises(InputError, match=r"实际为 100\.01 分"):
        load_sheet(write(tmp_path, doc))


def test_the_total_comes_from_the_policy_parameter(tmp_path):
    # evaluation.total_points is a policy parameter (第二十四条); a 50-point total needs weights adding to 50.
    with pytest.raises(InputError, match="合计应为 50 分"):
        load_sheet(TINY, total_points=50)


def test_an_unknown_method_names_the_indicator_its_line_and_suggests_the_nearest(tmp_path):
    path = FIXTURES / "sheet_unknown_method.yaml"
    with pytest.raises(InputError) as err:
        load_sheet(path)
    message = str(err.value)
    assert str(path) in message
    assert "指标 rev" in message and "ratio_to_targt" in message and "是否想用 ratio_to_target" in message
    line = next(i for i, text in enumerate(path.read_text("utf-8").splitlines(), 1) if "id: rev" in text)
    assert err.value.row == line


@pytest.mark.parametrize(
    ("index", "changes", "expected"),
    [
        (1, {"params": {"floor": 0, "target": 0, "no_data_fraction": 0.5}}, "floor 与 target 不能相等"),
        (1, {"params": {"floor": 0, "target": 0.2}}, "缺少参数 no_data_fraction"),
        (1, {"params": {"floor": 0, "target": 0.2, "no_data_fraction": 1.5}}, "no_data_fraction 应不大于 1"),
        (1, {"params": {"floor": "low", "target": 0.2, "no_data_fraction": 0.5}}, "floor 应为数值"),
        (2, {"params": {"scale": "percent"}}, "scale 应为 points / fraction 之一"),
        (2, {"params": {"scale": "points", "max": 5}}, "没有参数 max"),
        (5, {"params": {"points_per_event": 0, "max_points": 8}}, "points_per_event 应大于 0"),
        (6, {"params": {"min_events": 0}}, "min_events 应不小于 1"),
        (5, {"weight": 2}, "weight 应为 0"),
        (0, {"weight": 0}, "weight 应大于 0"),
        (0, {"weight": -5}, "weight 应为不小于 0 的数值"),
        (0, {"dimension": "economy"}, "是否想用 economic"),
        (0, {"source": "monthly"}, "数据来源应为 target"),
        (0, {"field": "profit"}, "field 应为月报字段之一"),
        (1, {"measure": None}, "measure"),
        (1, {"field": "institutions"}, "只适用于流量字段"),
        (3, {"field": "revenue"}, "不应填写 field"),
        (0, {"reference": None}, "缺少 reference"),
        (0, {"unit": ""}, "缺少 unit"),
        (0, {"id": "Revenue Target"}, "id 'Revenue Target' 无效"),
        (0, {"id": "score"}, "id 'score' 无效"),
        (0, {"wieght": 40}, "未知字段 wieght"),
    ],
)
def test_each_broken_indicator_is_refused_with_its_reason(tmp_path, index, changes, expected):
    path = write(tmp_path, with_indicator(index, **changes))
    with pytest.raises(InputError) as err:
        load_sheet(path)
    assert expected in str(err.value)
    assert str(path) in str(err.value)
    assert err.value.row is not None  # the indicator's line in the file


def test_a_duplicated_indicator_id_is_refused(tmp_path):
    doc = tiny()
    doc["indicators"].append(copy.deepcopy(doc["indicators"][2]))
    with pytest.raises(InputError, match="指标 id help 重复"):
        load_sheet(write(tmp_path, doc))


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["settings"].pop("score_decimals"), "缺少设置 settings.score_decimals"),
        (lambda d: d["settings"]["rating_aggregate"].update(value="mode"), "应为 mean / median 之一"),
        (lambda d: d["settings"]["default_certified_month"].update(value=13), "应在 1–12 之间"),
        (lambda d: d["settings"].update(rounding={"value": 1}), "未知的设置 settings.rounding"),
        (lambda d: d["settings"]["score_decimals"].update(assumption=True), "需要一句 reason"),
        (lambda d: d["monthly_fields"]["revenue"].update(aggregation="sum"), "应为 flow / stock 之一"),
        (lambda d: d.update(indicator=[]), "未知的顶层字段 indicator"),
        (lambda d: d.update(indicators=[]), "indicators 应为至少一项"),
    ],
)
def test_broken_settings_and_fields_are_refused(tmp_path, mutate, expected):
    doc = tiny()
    mutate(doc)
    with pytest.raises(InputError, match=expected):
        load_sheet(write(tmp_path, doc))


def test_a_missing_or_malformed_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="无法读取得分表"):
        load_sheet(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("indicators: [\n", encoding="utf-8")
    with pytest.raises(InputError, match="不是有效的 YAML"):
        load_sheet(bad)
