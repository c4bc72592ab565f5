"""The input files of the command line, their columns and their checks (issue 2's contract)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from hrpark_analysis.errors import InputError
from hrpark_analysis.io.tables import ROW, Column, load
from hrpark_analysis.law.policy import DIMENSION_COLUMNS, Policy
from hrpark_analysis.rules.regions import regions_of

KIND_WORDS = {
    "综合性": "comprehensive", "综合": "comprehensive", "comprehensive": "comprehensive",
    "专业性": "specialized", "专业": "specialized", "specialized": "specialized",
}  # fmt: skip

PARK_COLUMNS = [
    Column("park_id"),
    Column("name"),
    Column("district"),
    Column("certified_year", "int", min=2000, max=2100),
    Column("kind", required=False, allow_empty=True),
    Column("online_offline", "bool", required=False, allow_empty=True),
]

EVALUATION_COLUMNS = [
    Column("park_id"),
    Column("year", "int", min=2000, max=2100),
    Column("score", "float", min=0, max=100),
    Column("veto", "bool", required=False, allow_empty=True),
    Column("rectified", "bool", required=False, allow_empty=True),
    *[Column(c, "float", required=False, allow_empty=True, min=0, max=100) for c in DIMENSION_COLUMNS],
]


def with_regions(frame: pd.DataFrame, policy: Policy, file: str | Path) -> pd.DataFrame:
    """第四条: add ``district`` (short form) and ``region``; an unknown district names its row."""
    short, region, unknown = regions_of(frame["district"], policy)
    if unknown.any():
        i = int(np.argmax(unknown))
        raise InputError(
            f"未知的区县 {frame['district'].iloc[i]!r}(应为重庆市38个区县或两江新区、重庆高新区、万盛经开区)",
            file=file, row=int(frame[ROW].iloc[i]), column="district",
        )  # fmt: skip
    out = frame.copy()
    out["district"] = short
    out["region"] = region
    return out


def read_parks(path: str | Path, policy: Policy) -> pd.DataFrame:
    """PARKS: ``park_id, name, district, certified_year`` required; ``kind``, ``online_offline`` optional."""
    parks = load(path, PARK_COLUMNS, unique=["park_id"])
    parks = with_regions(parks, policy, path)
    kinds = []
    for value, row in zip(parks["kind"], parks[ROW], strict=True):
        if value is None:
            kinds.append(None)
        elif value.lower() in KIND_WORDS:
            kinds.append(KIND_WORDS[value.lower()])
        else:
            raise InputError(
                f"园区类型应为 综合性 或 专业性(第三条)，实际为 {value!r}", file=path, row=row, column="kind"
            )
    parks["kind"] = kinds
    parks["online_offline"] = parks["online_offline"].fillna(0).astype(bool)
    parks["certified_year"] = parks["certified_year"].astype(int)
    return parks


def read_evaluations(path: str | Path) -> pd.DataFrame:
    """EVALS: ``park_id, year, score``; optional ``veto``, ``rectified`` (empty = not yet known), subtotals."""
    evals = load(path, EVALUATION_COLUMNS, unique=["park_id", "year"])
    evals["year"] = evals["year"].astype(int)
    evals["veto"] = evals["veto"].fillna(0).astype(bool)
    return evals
