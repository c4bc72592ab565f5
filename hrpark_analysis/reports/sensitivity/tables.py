"""The sensitivity report's tables (issue 5, 第二十四条 / 第二十五条): grids, steps, thresholds and text lines.

Grids come from the notebook's parameters through :func:`grid`, which rounds every point so that the baseline
(30%, 60) falls exactly on it. Tables carry Chinese headers (``labels.SENSITIVITY_COLUMN``, :func:`zh`)
because they go straight into the HTML and the XLSX; every number comes from
:mod:`hrpark_analysis.engine.sensitivity`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis import labels
from hrpark_analysis.engine import sensitivity
from hrpark_analysis.errors import ParameterError
from hrpark_analysis.rules.grading import EXCELLENT, UNQUALIFIED

GRID_DECIMALS = 6  # 0.05 + 25 × 0.01 rounds to the same double as the literal 0.3
MAX_GRID_POINTS = 1001  # per axis: a typo in a step should fail, not fill the memory
SOBOL_MIN_INDEX = 0.01  # a Sobol index below this share of the variance is reported as no visible effect
_YES_NO = {True: "是", False: "否"}
_BOOL_COLUMNS = ("veto", "pass_mark_inclusive", "veto_enabled", "cap_exceeded", "ties_excluded", "coin_toss")


# --- parameters --------------------------------------------------------------------------------------------
def grid(lo: float, hi: float, step: float, *, name: str, lower: float, upper: float) -> np.ndarray:
    """The points lo, lo + step, … up to hi (inclusive when on a step), each rounded to 6 decimals.

    Raises ParameterError unless step > 0, lo <= hi, every point lies in [lower, upper] and there are at most
    :data:`MAX_GRID_POINTS` points. ``name`` is the parameter family named in the message.
    """
    if not (math.isfinite(lo) and math.isfinite(hi) and math.isfinite(step)):
        raise ParameterError(f"{name} 网格的起点、终点和步长应为有限数")
    if step <= 0:
        raise ParameterError(f"{name} 网格的步长应大于 0，得到 {step:g}")
    if hi < lo:
        raise ParameterError(f"{name} 网格的终点 {hi:g} 小于起点 {lo:g}")
    n = math.floor((hi - lo) / step + 1e-9) + 1
    if n > MAX_GRID_POINTS:
        raise ParameterError(f"{name} 网格有 {n} 个点，超过上限 {MAX_GRID_POINTS}；请加大步长")
    values = np.round(lo + step * np.arange(n), GRID_DECIMALS)
    if values[0] < lower or values[-1] > upper:
        raise ParameterError(
            f"{name} 网格应在 [{lower:g}, {upper:g}] 之内，得到 {values[0]:g}–{values[-1]:g}"
        )
    return values


def check_settings(
    *, sigma: float, draws: int, coin_toss_band: Sequence[float], sobol_n_base: int, sobol_sigma_max: float
) -> tuple[float, float]:
    """The notebook's Monte Carlo and Sobol settings checked (ParameterError); returns the coin-toss band."""
    if not (math.isfinite(sigma) and sigma >= 0):
        raise ParameterError(f"sigma(评分误差)应为不小于 0 的数，得到 {sigma}")
    if draws < 1:
        raise ParameterError(f"draws(抽样次数)应为正整数，得到 {draws}")
    band = tuple(coin_toss_band)
    if (
        len(band) != 2
        or not all(isinstance(v, int | float) and 0 <= v <= 1 for v in band)
        or band[0] > band[1]
    ):
        raise ParameterError(f"coin_toss_band 应为 [下限, 上限]，0 ≤ 下限 ≤ 上限 ≤ 1，得到 {list(band)}")
    if sobol_n_base < 2 or sobol_n_base & (sobol_n_base - 1):
        # SALib's Sobol' sequence keeps its balance properties only for powers of 2 (and warns otherwise)
        raise ParameterError(f"sobol_n_base 应为 2 的幂(如 128、1024)，得到 {sobol_n_base}")
    if not (math.isfinite(sobol_sigma_max) and sobol_sigma_max > 0):
        raise ParameterError(f"sobol_sigma_max 应大于 0，得到 {sobol_sigma_max}")
    return float(band[0]), float(band[1])


# --- tables ------------------------------------------------------------------------------------------------
def zh(df: pd.DataFrame, extra: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Chinese values and headers for a report table."""
    out = df.copy()
    maps = {
        "grade": labels.GRADE,
        "tie_policy": labels.TIE_POLICY,
        "cap_rounding": labels.CAP_ROUNDING,
        "output": labels.SENSITIVITY_OUTPUT,
        "factor": labels.SENSITIVITY_FACTOR,
        "kind": labels.SOBOL_KIND,
    }
    for col, mapping in maps.items():
        if col in out:
            out[col] = out[col].map(lambda v, m=mapping: m.get(v, v))
    for col in _BOOL_COLUMNS:
        if col in out:
            out[col] = out[col].map(_YES_NO)
    if "is_baseline" in out:
        out["is_baseline"] = out["is_baseline"].map({True: "基准", False: ""})
    if "changed" in out:
        out["changed"] = out["changed"].map(
            lambda v: "、".join(labels.SENSITIVITY_FACTOR.get(p, p) for p in v.split(", "))
        )
    return out.rename(columns={**labels.COLUMN, **labels.SENSITIVITY_COLUMN, **(extra or {})})


def percent(share: float) -> str:
    """A share as a grid header: 0.3 → ``30%``."""
    return f"{share * 100:g}%"


def _runs(line: pd.DataFrame, along: str, keys: list[str]) -> pd.DataFrame:
    """Consecutive rows of ``line`` (sorted by ``along``) with equal ``keys`` merged into one row each."""
    new = line[keys].ne(line[keys].shift()).any(axis=1)
    group = new.cumsum()
    runs = line.groupby(group, sort=False).agg(
        **{f"{along}_from": (along, "min"), f"{along}_to": (along, "max")},
        **{key: (key, "first") for key in keys},
        is_baseline=("is_baseline", "any"),
    )
    return runs.reset_index(drop=True)


def share_steps(sweep: pd.DataFrame) -> pd.DataFrame:
    """第二十四条: along the baseline pass mark, the runs of shares that give the same places and 优秀 parks.

    ``sweep`` is :func:`sensitivity.sweep`'s frame. One row per run: share_from, share_to, cap, n_excellent,
    bonus, the parks that become or stop being 优秀 against the baseline, and whether it holds the baseline.
    """
    base = sweep.loc[sweep["is_baseline"]].iloc[0]
    line = sweep[sweep["pass_mark"] == base["pass_mark"]].sort_values("share")
    return _runs(line, "share", ["cap", "n_excellent", "bonus", "to_excellent", "from_excellent"])


def pass_mark_steps(sweep: pd.DataFrame) -> pd.DataFrame:
    """第二十四条 / 第二十五条(二): along the baseline share, the runs of pass marks with the same outcome.

    One row per run: pass_mark_from, pass_mark_to, the 不合格 count and subsidy at risk, the 优秀 count and
    bonus (a high mark also takes 优秀 places away) and the parks whose grade differs from the baseline.
    """
    base = sweep.loc[sweep["is_baseline"]].iloc[0]
    line = sweep[sweep["share"] == base["share"]].sort_values("pass_mark")
    keys = ["n_unqualified", "at_risk", "n_excellent", "bonus"]
    keys += ["to_unqualified", "from_unqualified", "to_excellent", "from_excellent"]
    return _runs(line, "pass_mark", keys)


def park_thresholds(
    score: np.ndarray,
    veto: np.ndarray | None = None,
    *,
    park_ids: Sequence,
    dimensions: Mapping[str, np.ndarray] | None = None,
    shares: Sequence[float] = sensitivity.DEFAULT_SHARES,
    pass_marks: Sequence[float] = sensitivity.DEFAULT_PASS_MARKS,
    **grading_args: Any,
) -> pd.DataFrame:
    """第二十四条: where on the grid each park's grade turns.

    Per park: ``excellent_from_share``, the smallest grid share at which it is 优秀 at the baseline pass mark
    (NaN if at none); ``unqualified_from_mark``, the lowest grid pass mark at which it is 不合格 at the
    baseline share (NaN if at none, and for a park vetoed under ``veto_enabled``: no mark decides it);
    ``changed_share``, the fraction of grid points at which its grade differs from the baseline. Both
    thresholds are well defined because 优秀 only grows with the share and 不合格 only with the mark.
    """
    score = np.asarray(score, dtype=float)
    veto = np.zeros(len(score), bool) if veto is None else np.asarray(veto, dtype=bool)
    grades, shares_grid, marks = sensitivity.grid_grades(
        score, veto, dimensions=dimensions, shares=shares, pass_marks=pass_marks, **grading_args
    )
    j0 = int(np.flatnonzero(shares_grid == float(grading_args["excellent_share"]))[0])
    k0 = int(np.flatnonzero(marks == float(grading_args["pass_mark"]))[0])
    base = grades[j0, k0]
    excellent = grades[:, k0, :] == EXCELLENT  # (shares, parks)
    unqualified = grades[j0, :, :] == UNQUALIFIED  # (marks, parks)
    vetoed = veto & bool(grading_args["veto_enabled"])
    return pd.DataFrame({
        "park_id": np.asarray(park_ids),
        "excellent_from_share": np.where(excellent.any(axis=0), shares_grid[excellent.argmax(axis=0)], np.nan),
        "unqualified_from_mark": np.where(
            unqualified.any(axis=0) & ~vetoed, marks[unqualified.argmax(axis=0)], np.nan
        ),
        "changed_share": (grades != base[None, None, :]).mean(axis=(0, 1)),
    })  # fmt: skip


def grid_matrix(sweep: pd.DataFrame, value: str) -> pd.DataFrame:
    """One sweep column as a (pass mark × share) table for the XLSX: shares as 5% … 50% headers."""
    matrix = sensitivity.heatmap(sweep, value)
    matrix.columns = [percent(s) for s in matrix.columns]
    matrix.index.name = labels.SENSITIVITY_COLUMN["pass_mark"]
    return matrix.reset_index()


def probability_slices(mc: sensitivity.MonteCarlo) -> tuple[pd.DataFrame, pd.DataFrame]:
    """P(优秀) by share at the baseline pass mark and P(不合格) by pass mark: one row per park, one column per point."""
    ids = pd.Index(mc.park_ids, name="park_id")
    by_share = pd.DataFrame(
        mc.p_excellent[:, :, mc.base_k], index=ids, columns=[percent(s) for s in mc.shares]
    )
    by_mark = pd.DataFrame(mc.p_unqualified, index=ids, columns=[f"{m:g}分" for m in mc.pass_marks])
    return by_share, by_mark


def reading_label(name: str, value: Any) -> str:
    """One reading of 第二十四条 in words, e.g. ``边界同分处理: 同分组全部评优秀``."""
    words = {"tie_policy": labels.TIE_POLICY, "cap_rounding": labels.CAP_ROUNDING}.get(name, _YES_NO)
    return f"{labels.SENSITIVITY_FACTOR.get(name, name)}: {words.get(value, value)}"


def reading_lines(readings: pd.DataFrame) -> list[str]:
    """:func:`sensitivity.readings` (one at a time) as text: each reading that changes a grade, then the rest.

    A line per changing reading names it, the 优秀 / 不合格 counts and the parks that move (ids); a last line
    lists the readings that change no park's grade.
    """
    lines, inert = [], []
    moves = (("新增优秀", "to_excellent"), ("不再优秀", "from_excellent"),
             ("新增不合格", "to_unqualified"), ("不再不合格", "from_unqualified"))  # fmt: skip
    for row in readings.to_dict("records"):
        if row["changed"] == "baseline":
            continue
        label = "；".join(reading_label(name, row[name]) for name in row["changed"].split(", "))
        if row["n_changed"] == 0:
            inert.append(label)
            continue
        moved = "；".join(f"{word} {row[col]}" for word, col in moves if row[col])
        lines.append(f"{label} → 优秀 {row['n_excellent']} 个，不合格 {row['n_unqualified']} 个；{moved}")
    lines.append("不改变任何园区等次的读法: " + ("，".join(inert) if inert else "无"))
    return lines


def sobol_lines(sobol: pd.DataFrame, *, min_index: float = SOBOL_MIN_INDEX) -> list[str]:
    """Per output, the factors that matter, largest total index first.

    A factor matters when its total index ST is above zero beyond its confidence half-width and at least
    ``min_index`` (below 1% of the output's variance it would print as 0.00).
    """
    lines = []
    for output, part in sobol.groupby("output", sort=False):
        ranked = part.sort_values("ST", ascending=False, kind="stable")
        shown = [
            f"{labels.SENSITIVITY_FACTOR.get(factor, factor)} ST={st:.2f}±{conf:.2f}"
            for factor, st, conf in zip(ranked["factor"], ranked["ST"], ranked["ST_conf"], strict=True)
            if st - conf > 0 and st >= min_index
        ]
        name = labels.SENSITIVITY_OUTPUT.get(output, output)
        lines.append(f"{name}: " + ("；".join(shown) if shown else "没有可辨别影响的因素"))
    return lines
