"""``hrpark explain`` as Chinese text, and the annual report's 等次说明 (one line per park).

Both read the dicts of :mod:`hrpark_analysis.engine.explain`; the JSON of ``hrpark explain --format json``
is the same dict, so the text and the JSON state the same facts.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from hrpark_analysis import labels

READING_LABEL = {
    "grading.tie_policy": labels.SENSITIVITY_FACTOR["tie_policy"],
    "grading.cap_rounding": labels.SENSITIVITY_FACTOR["cap_rounding"],
    "grading.pass_mark_inclusive": labels.SENSITIVITY_FACTOR["pass_mark_inclusive"],
    "grading.veto_enabled": labels.SENSITIVITY_FACTOR["veto_enabled"],
}


def _g(value: float) -> str:
    return f"{value:g}"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if value is None:
        return labels.NOT_SET
    return str(value)


def to_json(item: dict[str, Any]) -> str:
    """The explanation as JSON (UTF-8 Chinese kept as is, keys in a stable order)."""
    return json.dumps(item, ensure_ascii=False, indent=2)


def to_text(item: dict[str, Any]) -> str:
    """The explanation as the Chinese text ``hrpark explain`` prints by default."""
    t = labels.EXPLAIN_TEXT
    grade = labels.GRADE[item["grade"]]
    lines = [
        t["head"].format(park_id=item["park_id"], year=item["year"], score=_g(item["score"]), grade=grade,
                         rank=item["rank"], n=item["n_participants"]),
        t["cap"].format(formula=item["cap_formula"], share=_share(item), rounding=_rounding(item)),
        t["boundary"].format(score=_g(item["boundary_score"])) if item["boundary_score"] is not None
        else t["no_boundary"],
    ]  # fmt: skip
    tie = item["tie_group"]
    if len(tie["park_ids"]) > 1:
        lines.append(
            t["tie"].format(ids="、".join(tie["park_ids"]), n=len(tie["park_ids"]), score=_g(item["score"]))
        )
    if tie["at_cap"]:
        above = item["cap"] - tie["places_left"]
        lines.append(t["tie_at_cap"].format(above=above, left=tie["places_left"], outcome=tie["outcome"]))
    enabled = _value(_reading(item, "grading.veto_enabled"))
    lines.append(t["veto_yes"].format(enabled=enabled) if item["veto"] else t["veto_no"])
    points = item["points_to_excellent"]
    if points is None:
        lines.append(t["to_excellent_none"])
    elif points == 0:
        lines.append(t["to_excellent_zero"])
    else:
        lines.append(t["to_excellent"].format(points=_g(points)))
    lines.append(t["pass_mark"].format(diff=item["points_above_pass_mark"], mark=_g(item["pass_mark"]),
                                       reading=labels.EXPLAIN_PASS_READING[item["pass_mark_inclusive"]]))  # fmt: skip
    lines.append(t["readings"])
    for key, rows in item["readings"].items():
        values = " | ".join(
            f"{_value(r['value'])} {labels.GRADE[r['grade']] if r['grade'] else t['not_applicable']}"
            + (t["applied"] if r["applied"] else "")
            for r in rows
        )
        lines.append(t["reading_row"].format(label=READING_LABEL[key], key=key, values=values))
    money = item["money"]
    lines.append(t["money"].format(**{k: v for k, v in money.items() if k != "why"}))
    lines.append(t["money_why"].format(why=money["why"]))
    lines.append(t["articles"])
    for article, keys, quote in grouped_articles(item["articles"]):
        lines.append(t["article"].format(article=article, keys="、".join(keys)))
        lines.extend(t["quote"].format(quote=q) for q in quote.split("\n"))
    return "\n".join(lines)


def grouped_articles(articles: list[dict[str, Any]]) -> list[tuple[str, list[str], str]]:
    """The quoted articles once each, with the policy keys that rest on them (first-use order)."""
    groups: dict[str, tuple[list[str], str]] = {}
    for a in articles:
        groups.setdefault(a["article"], ([], a["quote"]))[0].append(a["key"])
    return [(article, keys, quote) for article, (keys, quote) in groups.items()]


def _reading(item: dict[str, Any], key: str) -> Any:
    return next(r["value"] for r in item["readings"][key] if r["applied"])


def _rounding(item: dict[str, Any]) -> str:
    return _reading(item, "grading.cap_rounding")


def _share(item: dict[str, Any]) -> str:
    share = next(a["value"] for a in item["articles"] if a["key"] == "grading.excellent_share")
    return f"{share * 100:g}%"


def summary_line(item: dict[str, Any]) -> str:
    """等次说明: one line per park (score, rank, grade, why, how far from 优秀, what a reading would change)."""
    t = labels.EXPLAIN_LINE
    parts = [t["base"].format(score=_g(item["score"]), rank=item["rank"], n=item["n_participants"],
                              grade=labels.GRADE[item["grade"]])]  # fmt: skip
    if item["veto"] and item["grade"] == "unqualified":
        parts.append(t["veto"])
    if item["below_pass_mark"]:
        parts.append(t["below"].format(mark=_g(item["pass_mark"])))
    tie = item["tie_group"]
    if tie["at_cap"]:
        others = "、".join(p for p in tie["park_ids"] if p != item["park_id"])
        parts.append(t["tie"].format(others=others, outcome=tie["outcome"]))
    points = item["points_to_excellent"]
    if points:
        parts.append(t["to_excellent"].format(points=_g(points)))
    for key, rows in item["readings"].items():
        for r in rows:
            if r["grade"] is not None and r["grade"] != item["grade"]:
                parts.append(t["changes"].format(label=key.split(".", 1)[1], value=_value(r["value"]),
                                                 grade=labels.GRADE[r["grade"]]))  # fmt: skip
    return "；".join(parts)


def summary_table(items: list[dict[str, Any]]) -> pd.DataFrame:
    """等次说明 as a table: 园区编号, 总分, 等次, 说明 (one row per participant)."""
    return pd.DataFrame({
        labels.COLUMN["park_id"]: [i["park_id"] for i in items],
        labels.COLUMN["score"]: [i["score"] for i in items],
        labels.COLUMN["grade"]: [labels.GRADE[i["grade"]] for i in items],
        labels.EXPLAIN_SUMMARY_COLUMN: [summary_line(i) for i in items],
    })  # fmt: skip


def explanation_table(result, parks: pd.DataFrame, policy, year: int) -> pd.DataFrame:
    """附录 等次说明: one line per park of ``year``, rank order, from the function behind ``hrpark explain``."""
    from hrpark_analysis.engine.explain import explain_year

    items = sorted(explain_year(result, parks, policy, year),
                   key=lambda i: (i["rank"], i["park_id"]))  # fmt: skip
    return summary_table(items)


def impact_table(impact: pd.DataFrame) -> pd.DataFrame:
    """解读影响 with Chinese headers and words: one row per park / applicant an alternative reading changes."""
    t = labels.IMPACT
    out = pd.DataFrame({
        t["key"]: impact["key"],
        t["baseline"]: impact["baseline"].map(_value),
        t["alternative"]: impact["alternative"].map(_value),
        t["id"]: impact["id"].fillna(""),
        t["change"]: [_change(row) for row in impact.itertuples()],
        t["paid_change"]: _amounts(impact["paid_change"]),
        t["due_change"]: _amounts(impact["due_change"]),
        t["district_match_change"]: _amounts(impact["district_match_change"]),
        t["cumulative_change"]: _amounts(impact["cumulative_change"]),
    })  # fmt: skip
    return out


def _amounts(column: pd.Series) -> pd.Series:
    """万元 changes, empty where the row has no money (applicants, readings the data cannot take)."""
    return column.astype(object).where(column.notna(), "")


def _change(row) -> str:
    t = labels.IMPACT
    if row.kind == "none":
        return t["no_applicants"] if row.note == "no_applicants" else t["none"]
    if row.kind == "refused":
        return t["refused"].format(why=row.note)
    if row.kind == "applicant":
        return t["eligible"].format(was=labels.YES_NO[row.eligible_from], now=labels.YES_NO[row.eligible_to])
    grade = t["grade"].format(
        was=labels.GRADE.get(row.grade_from or "", ""), now=labels.GRADE.get(row.grade_to or "", "")
    )
    return grade if row.grade_from != row.grade_to else t["money_only"]
