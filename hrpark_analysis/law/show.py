"""Readable text of a policy for the terminal: ``hrpark policy show`` and ``hrpark policy diff``."""

from __future__ import annotations

from hrpark_analysis.labels import POLICY_SECTION
from hrpark_analysis.law import text
from hrpark_analysis.law.policy import Policy


def show(policy: Policy, *, quote: bool = False) -> str:
    """The effective policy grouped by section, each entry with value, unit, article and assumption.

    ``quote``: each entry also prints the words of the text its reference cites (``hrpark policy show --quote``).
    """
    doc = policy.document
    lines = [f"《{doc.get('title', '')}》 {doc.get('number', '')}  来源: {policy.source}"]
    if policy.overrides:
        lines.append("覆盖参数: " + ", ".join(f"{k}={v}" for k, v in policy.overrides.items()))
    current = None
    for row in policy.table().itertuples():
        section = row.key.split(".")[0]
        if section != current:
            current = section
            lines.append(f"\n[{POLICY_SECTION.get(section, section)}]")
        mark = " *" if row.overridden else ""
        lines.append(f"  {row.key} = {row.value} {row.unit}{mark}")
        lines.append(f"      {row.description}  ——{row.reference}")
        if row.assumption:
            lines.append(f"      假设: {row.reason}")
        if quote:
            for cite in text.citations(row.reference):
                lines.extend(f"      「{line}」" for line in cite.text.split("\n"))
    lines.append("\n(* 为本次覆盖的参数；“假设”为原文未明确、按 docs/readings.md 默认解读的取值)")
    return "\n".join(lines)


def diff(baseline: Policy, reform: Policy) -> str:
    """Baseline vs reform, one line per changed parameter."""
    table = baseline.diff(reform)
    if table.empty:
        return "改革方案与基准政策相同(没有参数被改变)"
    lines = [f"基准: {baseline.source}", f"改革: 基准 + {len(table)} 项覆盖", ""]
    for row in table.itertuples():
        lines.append(f"{row.key}: {row.baseline} → {row.reform} {row.unit}")
        lines.append(f"    {row.description}  ——{row.reference}")
    return "\n".join(lines)
