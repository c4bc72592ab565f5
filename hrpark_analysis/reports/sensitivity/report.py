"""The sensitivity report (issue 5, 第二十四条 / 第二十五条): :func:`build` computes everything the notebook shows.

``notebooks/sensitivity.ipynb`` calls :func:`build` with one year's :class:`~hrpark_analysis.engine.dataset.Dataset`
and displays what it returns: the tables (:mod:`.tables`, Chinese headers) and the raw frames kept on the
report for the charts (:mod:`.figures`) and for checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from hrpark_analysis import __version__
from hrpark_analysis.engine import sensitivity
from hrpark_analysis.engine.dataset import Dataset
from hrpark_analysis.errors import ParameterError
from hrpark_analysis.law.policy import Policy
from hrpark_analysis.reports.annual import data_files_table
from hrpark_analysis.reports.sensitivity.tables import (
    check_settings,
    grid_matrix,
    park_thresholds,
    pass_mark_steps,
    probability_slices,
    share_steps,
    zh,
)
from hrpark_analysis.rules.grading import EXCELLENT, GRADE_NAMES, QUALIFIED, UNQUALIFIED, grade_scores

# The readings of 第二十四条 varied in the Sobol analysis: the library's three plus the veto (issue 5 lists it).
SOBOL_CATEGORIES: dict[str, tuple] = {**sensitivity.SOBOL_CATEGORIES, "veto_enabled": (True, False)}

ProgressFactory = Callable[[str], sensitivity.Progress]


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
    band = check_settings(
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
        score_precision=policy["evaluation.score_precision"],
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
    tables["参评园区"] = zh(named(participants), {"grade": "基准等次"})
    tables["优秀比例分段"] = zh(share_steps(sweep))
    tables["合格线分段"] = zh(pass_mark_steps(sweep))
    tables["园区等次临界值"] = zh(named(thresholds), {"grade": "基准等次"})
    tables["网格扫描"] = zh(sweep)
    tables["优秀数矩阵"] = grid_matrix(sweep, "n_excellent")
    tables["不合格数矩阵"] = grid_matrix(sweep, "n_unqualified")
    tables["风险补助矩阵"] = grid_matrix(sweep, "at_risk")
    tables["读法对比"] = zh(one_at_a_time)
    tables["读法组合"] = zh(combos)
    shown = ["park_id", "score", "grade", "rank", "p_excellent", "p_qualified", "p_unqualified", "rank_mean"]
    shown += [c for c in parks.columns if c.startswith("rank_p")] + ["coin_toss"]
    ranked = parks.sort_values(["rank", "park_id"], ignore_index=True)[shown]
    tables["等次概率"] = zh(named(ranked), {"grade": "基准等次"})
    tables["等次摇摆园区"] = zh(
        named(ranked[ranked["coin_toss"]].reset_index(drop=True)), {"grade": "基准等次"}
    )
    tables["优秀概率随比例"] = zh(named(by_share.reset_index()))
    tables["不合格概率随合格线"] = zh(named(by_mark.reset_index()))
    tables["蒙特卡洛数量区间"] = zh(counts)
    tables["排名稳定性"] = zh(
        pd.DataFrame(
            [{"tau_draws": int(tau["draws"]), **{f"tau_{k}": tau[k] for k in ("mean", "p5", "p95")}}]
        )
    )
    tables["Sobol指数"] = zh(sobol)
    tables["数据文件"] = data_files_table(dataset.files)
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
