"""第二十一条 / 第二十三条: the evaluation sheet (绩效评估得分表) as validated data.

The official 《重庆市市级人力资源服务产业园绩效评估得分表》 is not public; the package ships an illustrative
sheet (``law/sheet-illustrative.yaml``) and loads the bureau's own with the same code. Loading checks
everything the scoring rules rely on, so that ``scoring.py`` can trust the sheet: the weights sum to exactly
the total points of 第二十四条 (decimal arithmetic, not binary floats), every method is known, its parameters
are present and valid, and each indicator names a dimension of 第二十一条. Errors name the file, the
indicator and its line in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from hrpark_analysis.errors import InputError, PolicyError
from hrpark_analysis.law import entries as checks
from hrpark_analysis.law import text as regulation
from hrpark_analysis.law import yamlfile
from hrpark_analysis.law.sheet_methods import (
    AGGREGATIONS,
    DIMENSIONS,
    ENTRY_FIELDS,
    ID_PATTERN,
    INDICATOR_FIELDS,
    MEASURES,
    METHODS,
    RESERVED,
    SETTINGS,
    SOURCES,
    Setting,
)

BUNDLED_NAME = "sheet-illustrative.yaml"


@dataclass(frozen=True)
class MonthlyField:
    """第十六条: one figure in the monthly report; flows are summed over the year, stocks take the last month."""

    key: str
    name: str
    unit: str
    aggregation: str


@dataclass(frozen=True)
class Indicator:
    """One line of the sheet."""

    id: str
    name: str
    dimension: str
    weight: float
    unit: str
    source: str
    method: str
    params: Mapping[str, Any]
    reference: str
    field: str | None = None
    measure: str | None = None
    description: str = ""
    line: int | None = None

    @property
    def dimension_column(self) -> str:
        return DIMENSIONS[self.dimension][0]


@dataclass(frozen=True)
class Sheet:
    """A validated evaluation sheet."""

    indicators: tuple[Indicator, ...]
    monthly_fields: Mapping[str, MonthlyField]
    settings: Mapping[str, Setting]
    document: Mapping[str, Any]
    source: str
    path: Path | None = None
    total_points: Decimal = field(default=Decimal(100))

    def setting(self, key: str) -> Any:
        """The value of a sheet-wide setting."""
        return self.settings[key].value

    def by_method(self, *methods: str) -> list[Indicator]:
        return [ind for ind in self.indicators if ind.method in methods]

    def get(self, indicator_id: str) -> Indicator | None:
        return next((ind for ind in self.indicators if ind.id == indicator_id), None)

    @property
    def illustrative(self) -> bool:
        return bool(self.document.get("illustrative", False))

    def table(self) -> pd.DataFrame:
        """The sheet as a table for reports: one row per indicator with its dimension, weight and article."""
        rows = [
            {
                "id": ind.id,
                "name": ind.name,
                "dimension": DIMENSIONS[ind.dimension][1],
                "weight": ind.weight,
                "unit": ind.unit,
                "source": SOURCES[ind.source],
                "method": METHODS[ind.method].label,
                "params": ", ".join(f"{k}={v}" for k, v in ind.params.items()),
                "reference": ind.reference,
            }
            for ind in self.indicators
        ]
        return pd.DataFrame(rows)


# --- loading ----------------------------------------------------------------------------------------------
def bundled_path() -> Path:
    """The illustrative sheet shipped with the package."""
    return Path(str(resources.files("hrpark_analysis").joinpath("law", BUNDLED_NAME)))


def _indicator_lines(text: str) -> list[int]:
    """Line (1-based) where each item of ``indicators:`` starts, so errors can point at it."""
    root = yamlfile.compose(text)
    if not isinstance(root, yaml.MappingNode):
        return []
    for key, value in root.value:
        if key.value == "indicators" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def load_sheet(path: str | Path | None = None, *, total_points: float = 100) -> Sheet:
    """Load and validate an evaluation sheet (default: the bundled illustrative one).

    ``total_points`` is the policy's ``evaluation.total_points`` (第二十四条 "总分为100分"); the weights must
    add up to it exactly.
    """
    file = bundled_path() if path is None else Path(path)
    source = str(file)
    try:  # one safe loader: encodings, duplicate keys, alias bombs, depth
        text, raw = yamlfile.read(file)
    except InputError as exc:
        raise InputError(f"无法读取得分表: {exc.message}", file=source, row=exc.row) from None
    if not isinstance(raw, dict):
        raise InputError("得分表应为 YAML 映射(含 settings、monthly_fields、indicators)", file=source)
    unknown = set(raw) - {"document", "settings", "monthly_fields", "indicators"}
    if unknown:
        bad = sorted(map(str, unknown))[0]
        raise InputError(
            f"未知的顶层字段 {bad}{checks.suggest(bad, ['document', 'settings', 'monthly_fields', 'indicators'])}",
            file=source,
        )
    settings = _settings(raw.get("settings"), source)
    fields = _monthly_fields(raw.get("monthly_fields"), source)
    items = raw.get("indicators")
    if not isinstance(items, list) or not items:
        raise InputError("indicators 应为至少一项的指标列表", file=source)
    lines = _indicator_lines(text)
    indicators: list[Indicator] = []
    seen: set[str] = set()
    for i, item in enumerate(items):
        line = lines[i] if i < len(lines) else None
        ind = _indicator(item, i, line, fields, source)
        if ind.id in seen:
            raise InputError(f"指标 id {ind.id} 重复", file=source, row=line)
        seen.add(ind.id)
        indicators.append(ind)
    _check_weights(indicators, total_points, source)
    document = raw.get("document") or {}
    if not isinstance(document, dict):
        raise InputError("document 应为映射", file=source)
    return Sheet(
        indicators=tuple(indicators),
        monthly_fields=fields,
        settings=settings,
        document=document,
        source=source,
        path=file,
        total_points=_decimal(total_points),
    )


def cited(reference: Any) -> str | None:
    """None if ``reference`` resolves to the shipped text (law/text.py), else why it does not."""
    try:
        regulation.citations(str(reference))
    except PolicyError as exc:
        return str(exc)
    return None


def _decimal(value: float) -> Decimal:
    # The weight as the user wrote it: repr gives the shortest decimal that reads back as the same float.
    return Decimal(repr(value)) if isinstance(value, float) else Decimal(int(value))


def _check_weights(indicators: list[Indicator], total_points: float, source: str) -> None:
    """第二十四条: "总分为100分" — the weights add up to the total exactly (decimal arithmetic)."""
    total = _decimal(total_points)
    by_dim = {key: Decimal(0) for key in DIMENSIONS}
    for ind in indicators:
        by_dim[ind.dimension] += _decimal(ind.weight)
    weight_sum = sum(by_dim.values(), Decimal(0))
    if weight_sum != total:
        parts = "，".join(f"{DIMENSIONS[k][1]} {v.normalize():f}" for k, v in by_dim.items())
        raise InputError(
            f"各指标权重合计应为 {total.normalize():f} 分(第二十四条“总分为100分”)，实际为 "
            f"{weight_sum.normalize():f} 分({parts})",
            file=source,
            column="weight",
        )


def _settings(node: Any, source: str) -> dict[str, Setting]:
    if not isinstance(node, dict):
        raise InputError(f"settings 应为映射，需含 {', '.join(SETTINGS)}", file=source)
    out: dict[str, Setting] = {}
    for key, entry in node.items():
        if key not in SETTINGS:
            raise InputError(f"未知的设置 settings.{key}{checks.suggest(key, SETTINGS)}", file=source)
        if not isinstance(entry, dict) or "value" not in entry:
            raise InputError(f"settings.{key} 应为含 value、description、unit、reference 的条目", file=source)
        extra = set(entry) - ENTRY_FIELDS
        if extra:
            bad = sorted(extra)[0]
            raise InputError(
                f"settings.{key} 含未知字段 {bad}{checks.suggest(bad, ENTRY_FIELDS)}", file=source
            )
        missing = [f for f in ("description", "unit", "reference") if not entry.get(f)]
        if missing:
            raise InputError(f"settings.{key} 缺少字段 {', '.join(missing)}", file=source)
        if (msg := cited(entry["reference"])) is not None:
            raise InputError(f"settings.{key}.reference {msg}", file=source)
        if entry.get("assumption") and not entry.get("reason"):
            raise InputError(
                f"settings.{key} 是假设(assumption: true)，需要一句 reason 说明理由", file=source
            )
        if (msg := SETTINGS[key](entry["value"])) is not None:
            raise InputError(f"settings.{key} 无效: {msg}", file=source)
        out[key] = Setting.from_entry(key, entry)
    missing = [k for k in SETTINGS if k not in out]
    if missing:
        raise InputError(f"缺少设置 settings.{', settings.'.join(missing)}", file=source)
    return out


def _monthly_fields(node: Any, source: str) -> dict[str, MonthlyField]:
    if not isinstance(node, dict) or not node:
        raise InputError("monthly_fields 应为至少一项的映射(月报字段: name、unit、aggregation)", file=source)
    out: dict[str, MonthlyField] = {}
    for key, entry in node.items():
        key = str(key)
        if not ID_PATTERN.match(key) or key in RESERVED:
            raise InputError(
                f"月报字段名 {key!r} 无效(应为小写英文、数字和下划线，且不与保留列名重复)", file=source
            )
        if not isinstance(entry, dict):
            raise InputError(f"monthly_fields.{key} 应为含 name、unit、aggregation 的映射", file=source)
        extra = set(entry) - {"name", "unit", "aggregation"}
        if extra:
            raise InputError(f"monthly_fields.{key} 含未知字段 {sorted(extra)[0]}", file=source)
        for f in ("name", "unit"):
            if not isinstance(entry.get(f), str) or not entry[f].strip():
                raise InputError(f"monthly_fields.{key} 缺少 {f}", file=source)
        if (msg := checks.choice(*AGGREGATIONS)(entry.get("aggregation"))) is not None:
            raise InputError(f"monthly_fields.{key}.aggregation(flow 流量按年合计 / stock 存量取最后一月) {msg}",
                             file=source)  # fmt: skip
        out[key] = MonthlyField(key, entry["name"].strip(), entry["unit"].strip(), entry["aggregation"])
    return out


def _indicator(
    item: Any, index: int, line: int | None, fields: Mapping[str, MonthlyField], source: str
) -> Indicator:
    where = {"file": source, "row": line}
    if not isinstance(item, dict):
        raise InputError(f"第 {index + 1} 个指标应为映射", **where)
    ind_id = item.get("id")
    if not isinstance(ind_id, str) or not ID_PATTERN.match(ind_id) or ind_id in RESERVED:
        raise InputError(
            f"第 {index + 1} 个指标的 id {ind_id!r} 无效(应为小写英文、数字和下划线，且不是 "
            f"{', '.join(sorted(RESERVED))} 之一)",
            **where,
        )
    label = f"指标 {ind_id}"

    def fail(message: str) -> InputError:
        return InputError(f"{label}: {message}", **where)

    extra = set(item) - INDICATOR_FIELDS
    if extra:
        bad = sorted(map(str, extra))[0]
        raise fail(f"未知字段 {bad}{checks.suggest(bad, INDICATOR_FIELDS)}")
    for key in ("name", "unit", "reference"):
        if not isinstance(item.get(key), str) or not item[key].strip():
            raise fail(f"缺少 {key}(中文名称、单位和依据条款都要填写)")
    if (msg := cited(item["reference"])) is not None:
        raise fail(f"reference {msg}")
    if (msg := checks.choice(*DIMENSIONS)(item.get("dimension"))) is not None:
        raise fail(f"dimension(economic 经济发展 / role 作用发挥 / operations 运营管理，第二十一条) {msg}")
    method_name = item.get("method")
    if method_name not in METHODS:
        raise fail(
            f"未知的计分方法 method={method_name!r}(可用: {', '.join(METHODS)}){checks.suggest(method_name, METHODS)}"
        )
    method = METHODS[method_name]
    source_name = item.get("source")
    if source_name not in SOURCES:
        raise fail(
            f"未知的数据来源 source={source_name!r}(可用: {', '.join(SOURCES)}){checks.suggest(source_name, SOURCES)}"
        )
    if source_name != method.source:
        raise fail(f"计分方法 {method_name} 的数据来源应为 {method.source}，实际为 {source_name}")

    weight = item.get("weight", 0 if not method.weighted else None)
    if not checks.is_number(weight) or weight < 0:
        raise fail(f"weight 应为不小于 0 的数值，实际为 {weight!r}")
    if method.weighted and weight == 0:
        raise fail("weight 应大于 0")
    if not method.weighted and weight != 0:
        raise fail(f"{method.label}不计入100分，weight 应为 0，实际为 {weight}")

    params = item.get("params") or {}
    if not isinstance(params, dict):
        raise fail(f"params 应为映射，实际为 {params!r}")
    unknown = set(params) - set(method.params)
    if unknown:
        bad = sorted(map(str, unknown))[0]
        allowed = ", ".join(method.params) or "无参数"
        raise fail(
            f"计分方法 {method_name} 没有参数 {bad}(可用: {allowed}){checks.suggest(bad, method.params)}"
        )
    for name, check in method.params.items():
        if name not in params:
            raise fail(f"计分方法 {method_name} 缺少参数 {name}")
        if (msg := check(params[name])) is not None:
            raise fail(f"参数 {name} {msg}")
    if method_name == "piecewise_linear" and params["floor"] == params["target"]:
        raise fail(f"参数 floor 与 target 不能相等(均为 {params['floor']})")

    field_name = item.get("field")
    measure = item.get("measure")
    if source_name == "monthly":
        if (msg := checks.choice(*MEASURES)(measure)) is not None:
            raise fail(f"measure(annual 年度值 / growth 同比增长率 / compliance 月报报送率) {msg}")
    elif measure is not None and not (source_name == "target" and measure == "annual"):
        raise fail(f"数据来源 {source_name} 的指标不用 measure")
    needs_field = source_name == "target" or (source_name == "monthly" and measure != "compliance")
    if needs_field:
        if field_name not in fields:
            raise fail(
                f"field 应为月报字段之一({', '.join(fields)})，实际为 {field_name!r}{checks.suggest(field_name, fields)}"
            )
        if measure == "growth" and fields[field_name].aggregation != "flow":
            raise fail(f"同比增长率只适用于流量字段，{field_name} 是存量")
    elif field_name is not None:
        raise fail("该指标不读取月报字段，不应填写 field")
    return Indicator(
        id=ind_id,
        name=item["name"].strip(),
        dimension=item["dimension"],
        weight=float(weight),
        unit=item["unit"].strip(),
        source=source_name,
        method=method_name,
        params=dict(params),
        reference=item["reference"].strip(),
        field=field_name,
        measure=measure if source_name == "monthly" else ("annual" if source_name == "target" else None),
        description=str(item.get("description", "")),
        line=line,
    )
