"""The sensitivity report's content (issue 5, 第二十四条 / 第二十五条): every table and chart the notebook shows.

``notebooks/sensitivity.ipynb`` calls :func:`build` with one year's :class:`~hrpark_analysis.engine.dataset.Dataset`
and displays what it returns; every number comes from :mod:`hrpark_analysis.engine.sensitivity`. Tables carry
Chinese headers (``labels.SENSITIVITY_COLUMN``) because they go straight into the HTML and the XLSX; the raw
frames stay on the report for the charts and for checks. Grids come from the notebook's parameters through
:func:`grid`, which rounds every point so that the baseline (30%, 60) falls exactly on it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis import __version__, labels
from hrpark_analysis.engine import sensitivity
from hrpark_analysis.engine.dataset import Dataset
from hrpark_analysis.errors import ParameterError
from hrpark_analysis.law.policy import Policy
from hrpark_analysis.rules.grading import EXCELLENT, GRADE_NAMES, QUALIFIED, UNQUALIFIED, grade_scores

GRID_DECIMALS = 6  # 0.05 + 25 × 0.01 rounds to the same double as the literal 0.3
MAX_GRID_POINTS = 1001  # per axis: a typo in a step should fail, not fill the memory
# The readings of 第二十四条 varied in the Sobol analysis: the library's three plus the veto (issue 5 lists it).
SOBOL_CATEGORIES: dict[str, tuple] = {**sensitivity.SOBOL_CATEGORIES, "veto_enabled": (True, False)}
FRAGILE_RANGE = (0.01, 0.99)  # a park is drawn in the probability curves if its baseline P lies inside
MAX_CURVES = 8
SOBOL_MIN_INDEX = 0.01  # a Sobol index below this share of the variance is reported as no visible effect
_YES_NO = {True: "是", False: "否"}
_BOOL_COLUMNS = ("veto", "pass_mark_inclusive", "veto_enabled", "cap_exceeded", "ties_excluded", "coin_toss")

ProgressFactory = Callable[[str], sensitivity.Progress]


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


def _check_settings(
    *, sigma: float, draws: int, coin_toss_band: Sequence[float], sobol_n_base: int, sobol_sigma_max: float
) -> tuple[float, float]:
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
def _zh(df: pd.DataFrame, extra: Mapping[str, str] | None = None) -> pd.DataFrame:
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


def _percent(share: float) -> str:
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
    matrix.columns = [_percent(s) for s in matrix.columns]
    matrix.index.name = labels.SENSITIVITY_COLUMN["pass_mark"]
    return matrix.reset_index()


def probability_slices(mc: sensitivity.MonteCarlo) -> tuple[pd.DataFrame, pd.DataFrame]:
    """P(优秀) by share at the baseline pass mark and P(不合格) by pass mark: one row per park, one column per point."""
    ids = pd.Index(mc.park_ids, name="park_id")
    by_share = pd.DataFrame(
        mc.p_excellent[:, :, mc.base_k], index=ids, columns=[_percent(s) for s in mc.shares]
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


# --- the report --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SensitivityReport:
    """All tables of the sensitivity report (Chinese headers), the key figures, and the raw results."""

    year: int
    inputs: sensitivity.YearInputs
    grading: dict[str, Any]
    names: dict[str, str]  # park_id -> name
    summary: dict[str, Any]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    sweep: pd.DataFrame = field(default_factory=pd.DataFrame)
    readings: pd.DataFrame = field(default_factory=pd.DataFrame)
    monte_carlo: sensitivity.MonteCarlo | None = None
    sobol: pd.DataFrame = field(default_factory=pd.DataFrame)


def build(
    dataset: Dataset,
    policy: Policy,
    *,
    shares: Sequence[float],
    pass_marks: Sequence[float],
    sigma: float,
    draws: int,
    seed: int,
    resolution: float | None = None,
    coin_toss_band: Sequence[float] = sensitivity.DEFAULT_COIN_TOSS_BAND,
    sobol_n_base: int = sensitivity.DEFAULT_SOBOL_N,
    sobol_noise_draws: int = sensitivity.DEFAULT_SOBOL_NOISE_DRAWS,
    sobol_sigma_max: float = 2 * sensitivity.DEFAULT_SIGMA,
    parameters: Mapping[str, Any] | None = None,
    progress: ProgressFactory | None = None,
) -> SensitivityReport:
    """第二十四条 / 第二十五条: the sweep, the readings, the Monte Carlo and the Sobol indices of one year.

    The baseline is the policy's grading section; ``shares`` and ``pass_marks`` are the grid (the baseline is
    added if missing). The Sobol factors range over the same grid bounds, σ over [0, ``sobol_sigma_max``] and
    the readings :data:`SOBOL_CATEGORIES`. ``progress(label)`` may return a ``progress=`` callback for the two
    long steps (see ``report.progress_reporter``).
    """
    band = _check_settings(
        sigma=sigma, draws=draws, coin_toss_band=coin_toss_band, sobol_n_base=sobol_n_base,
        sobol_sigma_max=sobol_sigma_max,
    )  # fmt: skip
    year = dataset.year
    grading = policy.section("grading")
    subsidy = policy.section("subsidy")
    bonus = float(subsidy["excellent_bonus"])
    x = sensitivity.year_inputs(
        dataset.evaluations, year=year, parks=dataset.parks,
        base_schedule=subsidy["base_schedule"], grade_factor=subsidy["grade_factor"],
    )  # fmt: skip
    if len(x.score) == 0:
        raise ParameterError(f"{year} 年没有参加绩效评估的园区，无法做敏感性分析")
    names = dict(zip(dataset.parks["park_id"], dataset.parks["name"], strict=True))
    common = {"dimensions": x.dimensions, **grading}
    ids = {"park_ids": x.park_ids}

    def named(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        out.insert(out.columns.get_loc("park_id") + 1, "name", out["park_id"].map(names))
        return out

    # 1. the deterministic sweep
    sweep = sensitivity.sweep(
        x.score, x.veto, x.base_due, excellent_bonus=bonus, shares=shares, pass_marks=pass_marks,
        **ids, **common,
    )  # fmt: skip
    base_row = sweep.loc[sweep["is_baseline"]].iloc[0]
    graded = grade_scores(x.score, x.veto, None, x.dimensions, **grading)
    grade_words = np.array([GRADE_NAMES[c] for c in (UNQUALIFIED, QUALIFIED, EXCELLENT)], dtype=object)
    participants = pd.DataFrame({
        "park_id": x.park_ids, "score": x.score, "veto": x.veto, "base_due": x.base_due,
        "grade": grade_words[graded.grade], "rank": graded.rank,
    }).sort_values(["rank", "park_id"], ignore_index=True)  # fmt: skip
    thresholds = park_thresholds(
        x.score, x.veto, shares=shares, pass_marks=pass_marks, **ids, **common
    ).merge(participants[["park_id", "score", "veto", "grade", "rank"]], on="park_id")
    thresholds["changed_share"] = thresholds["changed_share"].round(4)  # a share of grid points, for reading
    thresholds = thresholds.sort_values(["rank", "park_id"], ignore_index=True)[
        ["park_id", "score", "veto", "grade", "rank", "excellent_from_share", "unqualified_from_mark",
         "changed_share"]
    ]  # fmt: skip

    # 2. readings of the text
    one_at_a_time = sensitivity.readings(x.score, x.veto, x.base_due, excellent_bonus=bonus, **ids, **common)
    combos = sensitivity.readings(
        x.score, x.veto, x.base_due, excellent_bonus=bonus, mode="all", **ids, **common
    )

    # 3. scoring noise
    mc = sensitivity.monte_carlo(
        x.score, x.veto, x.base_due, excellent_bonus=bonus, sigma=sigma, draws=draws, seed=seed,
        shares=shares, pass_marks=pass_marks, resolution=resolution, coin_toss_band=band,
        progress=progress("蒙特卡洛抽样") if progress else None, **ids, **common,
    )  # fmt: skip
    parks = mc.parks()
    counts = mc.counts()
    tau = mc.tau_summary()
    by_share, by_mark = probability_slices(mc)

    # 4. global sensitivity
    bounds = {
        "excellent_share": (float(np.min(shares)), float(np.max(shares))),
        "pass_mark": (float(np.min(pass_marks)), float(np.max(pass_marks))),
        "sigma": (0.0, float(sobol_sigma_max)),
    }
    sobol = sensitivity.sobol_indices(
        x.score, x.veto, x.base_due, excellent_bonus=bonus, sigma=sigma, bounds=bounds,
        categories=SOBOL_CATEGORIES, n_base=sobol_n_base, noise_draws=sobol_noise_draws, seed=seed,
        progress=progress("Sobol 抽样") if progress else None, **common,
    )  # fmt: skip

    base_counts = counts.loc[counts["is_baseline"]].iloc[0]
    summary = {
        "year": year,
        "n_participants": len(x.score),
        "n_veto": int(x.veto.sum()),
        "excellent_share": float(grading["excellent_share"]),
        "pass_mark": float(grading["pass_mark"]),
        "cap": int(base_row["cap"]),
        "n_excellent": int(base_row["n_excellent"]),
        "n_qualified": int(base_row["n_qualified"]),
        "n_unqualified": int(base_row["n_unqualified"]),
        "bonus": float(base_row["bonus"]),
        "at_risk": float(base_row["at_risk"]),
        "n_shares": int(sweep["share"].nunique()),
        "n_pass_marks": int(sweep["pass_mark"].nunique()),
        "share_range": (float(sweep["share"].min()), float(sweep["share"].max())),
        "pass_mark_range": (float(sweep["pass_mark"].min()), float(sweep["pass_mark"].max())),
        "n_excellent_range": (int(sweep["n_excellent"].min()), int(sweep["n_excellent"].max())),
        "n_unqualified_range": (int(sweep["n_unqualified"].min()), int(sweep["n_unqualified"].max())),
        "bonus_range": (float(sweep["bonus"].min()), float(sweep["bonus"].max())),
        "at_risk_range": (float(sweep["at_risk"].min()), float(sweep["at_risk"].max())),
        "n_combinations": len(combos),
        "combo_n_excellent_range": (int(combos["n_excellent"].min()), int(combos["n_excellent"].max())),
        "combo_n_unqualified_range": (int(combos["n_unqualified"].min()), int(combos["n_unqualified"].max())),
        "sigma": float(sigma),
        "draws": int(draws),
        "seed": int(mc.seed),
        "coin_toss_band": band,
        "mc_n_excellent": (
            float(base_counts["n_excellent_mean"]), int(base_counts["n_excellent_p5"]),
            int(base_counts["n_excellent_p95"]),
        ),
        "mc_n_unqualified": (
            float(base_counts["n_unqualified_mean"]), int(base_counts["n_unqualified_p5"]),
            int(base_counts["n_unqualified_p95"]),
        ),
        "mc_at_risk": (
            float(base_counts["at_risk_mean"]), float(base_counts["at_risk_p5"]),
            float(base_counts["at_risk_p95"]),
        ),
        "coin_tosses": [(pid, names.get(pid, "")) for pid in parks.loc[parks["coin_toss"], "park_id"]],
        "tau": (int(tau["draws"]), float(tau["mean"]), float(tau["p5"]), float(tau["p95"])),
        "sobol_rows": int(sobol_n_base * (len(bounds) + len(SOBOL_CATEGORIES) + 2)),
    }  # fmt: skip

    tables: dict[str, pd.DataFrame] = {}
    tables["参评园区"] = _zh(named(participants), {"grade": "基准等次"})
    tables["优秀比例分段"] = _zh(share_steps(sweep))
    tables["合格线分段"] = _zh(pass_mark_steps(sweep))
    tables["园区等次临界值"] = _zh(named(thresholds), {"grade": "基准等次"})
    tables["网格扫描"] = _zh(sweep)
    tables["优秀数矩阵"] = grid_matrix(sweep, "n_excellent")
    tables["不合格数矩阵"] = grid_matrix(sweep, "n_unqualified")
    tables["风险补助矩阵"] = grid_matrix(sweep, "at_risk")
    tables["读法对比"] = _zh(one_at_a_time)
    tables["读法组合"] = _zh(combos)
    shown = ["park_id", "score", "grade", "rank", "p_excellent", "p_qualified", "p_unqualified", "rank_mean"]
    shown += [c for c in parks.columns if c.startswith("rank_p")] + ["coin_toss"]
    ranked = parks.sort_values(["rank", "park_id"], ignore_index=True)[shown]
    tables["等次概率"] = _zh(named(ranked), {"grade": "基准等次"})
    tables["等次摇摆园区"] = _zh(
        named(ranked[ranked["coin_toss"]].reset_index(drop=True)), {"grade": "基准等次"}
    )
    tables["优秀概率随比例"] = _zh(named(by_share.reset_index()))
    tables["不合格概率随合格线"] = _zh(named(by_mark.reset_index()))
    tables["蒙特卡洛数量区间"] = _zh(counts)
    tables["排名稳定性"] = _zh(
        pd.DataFrame(
            [{"tau_draws": int(tau["draws"]), **{f"tau_{k}": tau[k] for k in ("mean", "p5", "p95")}}]
        )
    )
    tables["Sobol指数"] = _zh(sobol)
    tables["数据文件"] = pd.DataFrame([{"文件": Path(f).name, "SHA-256": _sha256(f)} for f in dataset.files])
    tables["版本与参数"] = pd.DataFrame(
        # Only this package's version: other versions vary by machine and are in the report's manifest.json,
        # so the committed notebook stays an nbval baseline.
        [{"项目": "hrpark_analysis", "取值": __version__},
         *({"项目": f"参数 {k}", "取值": str(v)} for k, v in (parameters or {}).items())]
    )  # fmt: skip
    return SensitivityReport(
        year=year, inputs=x, grading=grading, names=names, summary=summary, tables=tables, sweep=sweep,
        readings=one_at_a_time, monte_carlo=mc, sobol=sobol,
    )  # fmt: skip


def _sha256(path: str | Path) -> str:
    from hrpark_analysis.reports.runner import sha256_file

    return sha256_file(Path(path))


# --- charts ------------------------------------------------------------------------------------------------
def _baseline_marks(ax: Any, share: float, mark: float) -> None:
    from hrpark_analysis.reports import charts

    charts.reference_line(ax, x=share * 100, label=f"{_percent(share)}", color="white", linewidth=1.0)
    charts.reference_line(ax, y=mark, label=f"{mark:g} 分", color="white", linewidth=1.0)
    ax.plot(share * 100, mark, marker="*", markersize=16, color="white", markeredgecolor="black", zorder=5)


def sweep_chart(report: SensitivityReport, *, sample: bool = True):
    """Two heatmaps over (share, pass mark): 优秀 and 不合格 counts, the baseline marked with a star."""
    from hrpark_analysis.reports import charts

    fig, axes = charts.new_figure(11, 4.6, ncols=2)
    s = report.summary
    for ax, value, title in (
        (axes[0], "n_excellent", "优秀园区数"),
        (axes[1], "n_unqualified", "不合格园区数"),
    ):
        matrix = sensitivity.heatmap(report.sweep, value)
        mesh = ax.pcolormesh(
            matrix.columns.to_numpy() * 100, matrix.index.to_numpy(), matrix.to_numpy(),
            shading="nearest", cmap="viridis",
        )  # fmt: skip
        fig.colorbar(mesh, ax=ax, label="园区数")
        _baseline_marks(ax, s["excellent_share"], s["pass_mark"])
        charts.style_axes(
            ax, f"{report.year} 年{title}(★ 为基准)", "优秀比例上限(%)", "合格线(分)", grid=None
        )
        if sample:
            charts.mark_sample(ax)
    return fig


def probability_chart(report: SensitivityReport, *, sample: bool = True):
    """Each park's P(优秀) / P(合格) / P(不合格) under scoring noise as a stacked bar; coin tosses in red."""
    from hrpark_analysis.reports import charts

    parks = report.monte_carlo.parks().sort_values(["rank", "park_id"], ignore_index=True)
    n = len(parks)
    fig, ax = charts.new_figure(8, max(4.0, 0.28 * n + 1.2))
    y = np.arange(n)
    left = np.zeros(n)
    for grade, column in (
        ("excellent", "p_excellent"),
        ("qualified", "p_qualified"),
        ("unqualified", "p_unqualified"),
    ):
        values = parks[column].to_numpy()
        ax.barh(
            y, values, left=left, color=charts.GRADE_COLORS[grade], label=labels.GRADE[grade], height=0.75
        )
        left += values
    ax.set_yticks(
        y,
        [
            f"{report.names.get(p, p)}({labels.GRADE[g]})"
            for p, g in zip(parks["park_id"], parks["grade"], strict=True)
        ],
    )
    for tick, toss in zip(ax.get_yticklabels(), parks["coin_toss"], strict=True):
        if toss:
            tick.set_color("#b71c1c")
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    s = report.summary
    charts.style_axes(
        ax,
        f"评分误差 σ = {s['sigma']:g} 分下的等次概率(括号内为基准等次，红字为等次摇摆)",
        "概率",
        None,
        grid="x",
    )
    ax.legend(loc="lower right", bbox_to_anchor=(1, 1.04), ncols=3)
    if sample:
        charts.mark_sample(ax)
    return fig


def _fragile(p: np.ndarray) -> np.ndarray:
    lo, hi = FRAGILE_RANGE
    inside = np.flatnonzero((p >= lo) & (p <= hi))
    return inside[np.argsort(np.abs(p[inside] - 0.5), kind="stable")][:MAX_CURVES]


def curves_chart(report: SensitivityReport, *, sample: bool = True):
    """P(优秀) against the share (baseline pass mark) and P(不合格) against the pass mark, for fragile parks."""
    from hrpark_analysis.reports import charts

    mc = report.monte_carlo
    s = report.summary
    fig, axes = charts.new_figure(11, 4.4, ncols=2)
    panels = (
        (axes[0], mc.p_excellent[:, :, mc.base_k], mc.p_excellent[:, mc.base_j, mc.base_k], mc.shares * 100,
         s["excellent_share"] * 100, "P(优秀)随优秀比例上限变化", "优秀比例上限(%)", "P(优秀)"),
        (axes[1], mc.p_unqualified, mc.p_unqualified[:, mc.base_k], mc.pass_marks,
         s["pass_mark"], "P(不合格)随合格线变化", "合格线(分)", "P(不合格)"),
    )  # fmt: skip
    for ax, curves, at_base, xs, base_x, title, xlabel, ylabel in panels:
        chosen = _fragile(at_base)
        for i in sorted(chosen):
            pid = mc.park_ids[i]
            ax.plot(xs, curves[i], label=report.names.get(pid, str(pid)), linewidth=1.4)
        charts.reference_line(ax, x=base_x, label="基准")
        ax.set_ylim(-0.02, 1.02)
        charts.style_axes(ax, title, xlabel, ylabel)
        if len(chosen):
            ax.legend(loc="center left", fontsize=8)
        else:
            ax.text(0.5, 0.5, "没有等次不确定的园区", transform=ax.transAxes, ha="center", color="#616161")
        if sample:
            charts.mark_sample(ax)
    return fig


def sobol_chart(report: SensitivityReport, *, sample: bool = True):
    """Sobol total (ST) and first-order (S1) indices with their confidence half-widths, one panel per output."""
    from hrpark_analysis.reports import charts

    outputs = list(dict.fromkeys(report.sobol["output"]))
    fig, axes = charts.new_figure(4 * len(outputs), 4.2, ncols=len(outputs), sharey=True)
    axes = np.atleast_1d(axes)
    for ax, output in zip(axes, outputs, strict=True):
        part = report.sobol[report.sobol["output"] == output].reset_index(drop=True)
        y = np.arange(len(part))
        if part["ST"].notna().any():
            ax.barh(y, part["ST"], xerr=part["ST_conf"], color="#90a4ae", label="总效应 ST", capsize=2)
            ax.errorbar(
                part["S1"], y, xerr=part["S1_conf"], fmt="o", color="#263238", label="一阶 S1", capsize=2
            )
            ax.legend(loc="lower right", fontsize=8)
        else:
            ax.text(0.5, 0.5, "该输出在样本中不变", transform=ax.transAxes, ha="center", color="#616161")
        ax.set_yticks(y, [labels.SENSITIVITY_FACTOR.get(f, f) for f in part["factor"]])
        ax.axvline(0, color="#9e9e9e", linewidth=0.8)
        charts.style_axes(ax, labels.SENSITIVITY_OUTPUT.get(output, output), "Sobol 指数", None, grid="x")
        if sample:
            charts.mark_sample(ax)
    axes[0].invert_yaxis()
    return fig
