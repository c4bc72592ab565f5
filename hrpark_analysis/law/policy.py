"""The policy file: every number and default reading of 渝人社发〔2021〕57号 as validated parameters.

The baseline lives in ``law/policy-2021.yaml``. Each parameter entry carries ``value``, ``description``,
``unit``, ``reference`` and, where the text is silent, ``assumption: true`` with a one-line ``reason``.
A reform is the baseline with dotted-key overrides (``grading.excellent_share=0.2``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd

from hrpark_analysis.errors import InputError, PolicyError
from hrpark_analysis.law import entries as checks
from hrpark_analysis.law import text as regulation
from hrpark_analysis.law import yamlfile

BASELINE_NAME = "policy-2021.yaml"
ENTRY_FIELDS = {"value", "description", "unit", "reference", "assumption", "reason", "alternatives"}
REGION_KEYS = ("main_city", "northeast", "southeast")
# 第二十一条's three dimension subtotals, as columns of evaluations and as the words of tie_break_order.
DIMENSION_COLUMNS = ("score_economic", "score_role", "score_operations")


def _ratio_map(v: Any) -> str | None:
    if not isinstance(v, dict):
        return f"应为 区县: 比例 的映射，实际为 {v!r}"
    for k, ratio in v.items():
        if (msg := checks.number(0)(ratio)) is not None:
            return f"{k}: {msg}"
    return None


AMOUNT = checks.number(0)  # amounts (万元) ≥ 0
FACTOR = checks.number(0)  # factors ≥ 0
COUNT = checks.number(0)

SCHEMA: dict[str, Callable[[Any], str | None]] = {
    "regions.main_city": checks.list_of(checks.text),
    "regions.northeast": checks.list_of(checks.text),
    "regions.southeast": checks.list_of(checks.text),
    "eligibility.min_floor_area_m2": COUNT,
    "eligibility.min_institutions": COUNT,
    "eligibility.min_revenue_first_year": AMOUNT,
    "eligibility.min_employment_served": COUNT,
    "eligibility.min_talent_moves": COUNT,
    "eligibility.regional_relaxation": FACTOR,
    "eligibility.relaxed_regions": checks.list_of(checks.text, REGION_KEYS, min_len=0),
    "eligibility.online_area_relaxation": FACTOR,
    "eligibility.relaxations_combine": checks.choice("multiply", "min"),
    "procedure.required_materials": checks.list_of(checks.text),
    "evaluation.first_evaluation_offset": checks.integer(0),
    "evaluation.total_points": checks.number(0, lo_open=True),
    "evaluation.score_precision": checks.integer(0, 6),
    "grading.pass_mark": checks.number(0, 100),
    "grading.pass_mark_inclusive": checks.boolean,
    "grading.veto_enabled": checks.boolean,
    "grading.excellent_share": checks.number(0, 1, lo_open=True),
    "grading.cap_rounding": checks.choice("floor", "round", "ceil"),
    "grading.tie_policy": checks.choice("exclude", "include", "dimension"),
    "grading.tie_break_order": checks.list_of(checks.text, DIMENSION_COLUMNS),
    "grading.excellent_min_score": checks.optional(checks.number(0, 100)),
    "subsidy.base_schedule": checks.list_of(AMOUNT),
    "subsidy.base_cap": AMOUNT,
    "subsidy.grade_factor.excellent": FACTOR,
    "subsidy.grade_factor.qualified": FACTOR,
    "subsidy.grade_factor.unqualified": FACTOR,
    "subsidy.excellent_bonus": AMOUNT,
    "subsidy.bonus_counts_against_cap": checks.boolean,
    "subsidy.bonus_after_subsidy_years": checks.boolean,
    "subsidy.district_match_ratio": FACTOR,
    "subsidy.district_match_ratio_by_district": _ratio_map,
    "consequences.revoke_after_unqualified_years": checks.integer(1),
    "consequences.revoked_forfeits_current_year": checks.boolean,
}


@dataclass(frozen=True)
class Parameter:
    """One entry of the policy file."""

    key: str
    value: Any
    description: str
    unit: str
    reference: str
    assumption: bool = False
    reason: str = ""
    #: the other readings an assumption is run with for 解读影响: a list of values, or {min, max} (both ends run)
    alternatives: tuple[Any, ...] = ()

    @classmethod
    def from_entry(cls, key: str, entry: Mapping[str, Any]) -> Parameter:
        """An entry of a YAML file (value, description, unit, reference[, assumption, reason]), already checked."""
        return cls(
            key=key,
            value=entry["value"],
            description=str(entry["description"]),
            unit=str(entry["unit"]),
            reference=str(entry["reference"]),
            assumption=bool(entry.get("assumption", False)),
            reason=str(entry.get("reason", "")),
            alternatives=alternative_values(entry.get("alternatives")),
        )


@dataclass(frozen=True)
class Policy:
    """A validated policy: the baseline file plus any overrides."""

    params: Mapping[str, Parameter]
    document: Mapping[str, str]
    source: str
    overrides: Mapping[str, Any]

    def __getitem__(self, key: str) -> Any:
        if key not in self.params:
            raise PolicyError(f"未知的政策参数 {key}{checks.suggest(key, self.params)}")
        return self.params[key].value

    def section(self, name: str) -> dict[str, Any]:
        """Values of one section as keyword arguments for the rule functions (nested groups as dicts)."""
        out: dict[str, Any] = {}
        prefix = name + "."
        for key, param in self.params.items():
            if not key.startswith(prefix):
                continue
            parts = key[len(prefix) :].split(".")
            target = out
            for part in parts[:-1]:
                target = target.setdefault(part, {})
            target[parts[-1]] = param.value
        if not out:
            raise PolicyError(f"未知的政策参数组 {name}")
        return out

    def with_overrides(self, overrides: Mapping[str, Any] | Iterable[str]) -> Policy:
        """A reform: this policy with dotted-key overrides (``{"grading.pass_mark": 65}`` or ``["k=v"]``)."""
        parsed = parse_overrides(overrides)
        params = dict(self.params)
        for key, value in parsed.items():
            key, value = _resolve_override(key, value, params)
            if (msg := SCHEMA[key](value)) is not None:
                raise PolicyError(f"参数 {key} 的覆盖值无效: {msg}")
            params[key] = replace(params[key], value=value)
        _check_consistency(params, "--set")
        return Policy(params, self.document, self.source, {**self.overrides, **parsed})

    def assumptions(self) -> pd.DataFrame:
        """Every default reading where the text is silent (docs/readings.md), for the reports' 附录."""
        table = self.table()
        return table[table["assumption"]].reset_index(drop=True)

    def table(self) -> pd.DataFrame:
        """The effective policy as a table: key, value, unit, description, reference, assumption, reason."""
        rows = [
            {
                "key": p.key,
                "value": _fmt(p.value),
                "unit": p.unit,
                "description": p.description,
                "reference": p.reference,
                "assumption": p.assumption,
                "reason": p.reason,
                "overridden": p.key in self.overrides,
            }
            for p in self.params.values()
        ]
        return pd.DataFrame(rows)

    def diff(self, other: Policy) -> pd.DataFrame:
        """Parameters whose value differs between this policy (baseline) and ``other`` (reform)."""
        rows = [
            {
                "key": key,
                "baseline": _fmt(p.value),
                "reform": _fmt(other.params[key].value),
                "unit": p.unit,
                "description": p.description,
                "reference": p.reference,
            }
            for key, p in self.params.items()
            if other.params[key].value != p.value
        ]
        return pd.DataFrame(rows, columns=["key", "baseline", "reform", "unit", "description", "reference"])

    def region_map(self) -> dict[str, str]:
        """District short name -> region key, from 第四条's 一区两群 lists."""
        return {d: region for region in REGION_KEYS for d in self.params[f"regions.{region}"].value}


def _fmt(value: Any) -> str:
    if value is None:
        return "(不设)"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items()) or "(无)"
    return str(value)


def parse_overrides(overrides: Mapping[str, Any] | Iterable[str] | None) -> dict[str, Any]:
    """``["grading.pass_mark=65"]`` -> ``{"grading.pass_mark": 65}``; values are read as YAML scalars."""
    if overrides is None:
        return {}
    if isinstance(overrides, Mapping):
        return dict(overrides)
    parsed: dict[str, Any] = {}
    for item in overrides:
        key, sep, raw = str(item).partition("=")
        key = key.strip()
        if not sep or not key:
            raise PolicyError(f"--set 需要 键=值 的形式，例如 grading.pass_mark=65，实际为 {item!r}")
        try:
            parsed[key] = yamlfile.load_text(raw, f"--set {key}") if raw.strip() else None
        except InputError as exc:
            raise PolicyError(f"--set {key} 的值无法解析: {exc.message}") from None
    return parsed


def _resolve_override(key: str, value: Any, params: Mapping[str, Parameter]) -> tuple[str, Any]:
    if key in params:
        return key, value
    # subsidy.district_match_ratio_by_district.渝中=0.5 sets one entry of a mapping parameter.
    parent, _, child = key.rpartition(".")
    if parent in params and isinstance(params[parent].value, dict):
        return parent, {**params[parent].value, child: value}
    raise PolicyError(f"未知的 --set 参数 {key}{checks.suggest(key, params)}")


def alternative_values(raw: Any) -> tuple[Any, ...]:
    """An entry's ``alternatives``: a list of values as written, or the two ends of ``{min: a, max: b}``."""
    if raw is None:
        return ()
    if isinstance(raw, dict):
        return (raw["min"], raw["max"])
    return tuple(raw)


def _check_alternatives(key: str, entry: Mapping[str, Any], source: str) -> None:
    """``alternatives`` only beside an assumption; a non-empty list or {min, max}; every value valid."""
    raw = entry.get("alternatives")
    if raw is None:
        return
    where = f"{source}: {key}.alternatives"
    if not entry.get("assumption"):
        raise PolicyError(f"{where}: 只有假设(assumption: true)才声明替代取值")
    if isinstance(raw, dict):
        if set(raw) != {"min", "max"}:
            raise PolicyError(f"{where}: 区间应写为 {{min: 下限, max: 上限}}，实际为 {raw!r}")
        if not (checks.is_number(raw["min"]) and checks.is_number(raw["max"])) or raw["min"] > raw["max"]:
            raise PolicyError(f"{where}: 区间的 min、max 应为数值且 min ≤ max，实际为 {raw!r}")
    elif not isinstance(raw, list) or not raw:
        raise PolicyError(f"{where}: 应为取值列表(如 [true])或区间 {{min: 0.5, max: 1.0}}，实际为 {raw!r}")
    if key in SCHEMA:
        for value in alternative_values(raw):
            if (msg := SCHEMA[key](value)) is not None:
                raise PolicyError(f"{where}: 取值 {value!r} 无效: {msg}")


def _flatten(node: Mapping[str, Any], prefix: str, source: str) -> dict[str, Parameter]:
    out: dict[str, Parameter] = {}
    for name, child in node.items():
        key = f"{prefix}.{name}" if prefix else str(name)
        if not isinstance(child, dict):
            raise PolicyError(f"{source}: {key} 应为参数条目(含 value、description、unit、reference)")
        if "value" in child:
            unknown = set(child) - ENTRY_FIELDS
            if unknown:
                bad = sorted(unknown)[0]
                raise PolicyError(f"{source}: {key} 含未知字段 {bad}{checks.suggest(bad, ENTRY_FIELDS)}")
            missing = [f for f in ("description", "unit", "reference") if not child.get(f)]
            if missing:
                raise PolicyError(f"{source}: {key} 缺少字段 {', '.join(missing)}")
            assumption = child.get("assumption", False)
            if not isinstance(assumption, bool):
                raise PolicyError(f"{source}: {key}.assumption 应为 true 或 false")
            if assumption and not child.get("reason"):
                raise PolicyError(f"{source}: {key} 是假设(assumption: true)，需要一句 reason 说明理由")
            try:
                regulation.citations(str(child["reference"]))
            except PolicyError as exc:
                raise PolicyError(f"{source}: {key}.reference 无法对应到原文: {exc}") from exc
            _check_alternatives(key, child, source)
            out[key] = Parameter.from_entry(key, child)
        else:
            out.update(_flatten(child, key, source))
    return out


def _check_consistency(params: Mapping[str, Parameter], source: str) -> None:
    seen: dict[str, str] = {}
    for region in REGION_KEYS:
        for district in params[f"regions.{region}"].value:
            if district in seen and seen[district] != region:
                raise PolicyError(f"{source}: 区县 {district} 同时属于 {seen[district]} 和 {region}")
            seen[district] = region
    for district in params["subsidy.district_match_ratio_by_district"].value:
        if district not in seen:
            raise PolicyError(
                f"{source}: subsidy.district_match_ratio_by_district 中的区县 {district} 不在“一区两群”名单中"
                f"{checks.suggest(district, seen)}"
            )


def load_policy(
    path: str | Path | None = None, overrides: Mapping[str, Any] | Iterable[str] | None = None
) -> Policy:
    """Load and validate a policy file (default: the bundled 渝人社发〔2021〕57号 baseline), then apply overrides."""
    try:  # one safe loader (law/yamlfile.py): encodings, duplicate keys, alias bombs, depth
        if path is None:
            source = f"hrpark_analysis/law/{BASELINE_NAME}"
            text = resources.files("hrpark_analysis").joinpath("law", BASELINE_NAME).read_text("utf-8")
            raw = yamlfile.load_text(text, source)
        else:
            source = str(path)
            _, raw = yamlfile.read(path)
    except InputError as exc:
        raise PolicyError(f"政策{exc}") from None  # "政策文件 X, 第 N 行: …"
    if not isinstance(raw, dict):
        raise PolicyError(f"{source}: 政策文件应为 YAML 映射")
    document = raw.pop("document", {}) or {}
    params = _flatten(raw, "", source)
    for key in params:
        if key not in SCHEMA:
            raise PolicyError(f"{source}: 未知的政策参数 {key}{checks.suggest(key, SCHEMA)}")
    missing = [k for k in SCHEMA if k not in params]
    if missing:
        raise PolicyError(f"{source}: 缺少政策参数 {', '.join(missing)}")
    for key, param in params.items():
        if (msg := SCHEMA[key](param.value)) is not None:
            raise PolicyError(f"{source}: 参数 {key} 无效: {msg}")
    _check_consistency(params, source)
    policy = Policy(params, document, source, {})
    return policy.with_overrides(overrides) if overrides else policy
