"""第十一条/第十三条/第二十四条/第二十五条: one policy applied to a forecast's draws, year by year on every path.

Each simulated year applies the rule functions the annual report uses: ``grading.grade_scores`` on an array
shaped (paths, slots), then ``subsidy.step``; district matching (第十三条) is the municipal payment times the
park's ratio. The only Python loop is over years.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd

from hrpark_analysis.engine import ledger
from hrpark_analysis.engine.forecast._threads import run_all, thread_pool
from hrpark_analysis.engine.forecast.config import MEASURES, ForecastConfig
from hrpark_analysis.engine.forecast.draws import Draws
from hrpark_analysis.engine.forecast.start import Start
from hrpark_analysis.errors import ParameterError
from hrpark_analysis.law.policy import REGION_KEYS, Policy
from hrpark_analysis.rules import subsidy
from hrpark_analysis.rules.grading import EXCELLENT, NOT_EVALUATED, QUALIFIED, UNQUALIFIED, grade_scores


@dataclass(frozen=True)
class Run:
    """One policy applied to the draws: each of ``MEASURES`` as an array (years, paths)."""

    policy: Policy
    years: np.ndarray
    measures: dict[str, np.ndarray]

    def paths_frame(self, measure: str) -> pd.DataFrame:
        """One measure as a table: a row per year, a column per path."""
        return pd.DataFrame(self.measures[measure], index=pd.Index(self.years, name="year"))


def project(start: Start, draws: Draws, policy: Policy, config: ForecastConfig,
            callback: Callable[[int], None] | None = None) -> Run:  # fmt: skip
    """第十一条/第十三条/第二十四条/第二十五条: grade and pay every simulated year on every path at once.

    Each year: arrivals are certified (up to the ``ceiling``); the parks taking part (certified, first
    evaluation year reached, plaque not withdrawn) are graded together per path with ``grade_scores``;
    ``subsidy.step`` advances every park; district matching is the year's payment times the ratio.
    Paths are independent, so a year's rules run on blocks of ``chunk_paths`` paths, ``threads`` at a time
    (numpy releases the GIL in the array operations), and only on the slots born on some path by then; the
    result does not depend on either.
    """
    grading_args = policy.section("grading")
    if grading_args["tie_policy"] == "dimension":
        raise ParameterError(
            "预测不模拟分项得分，不能使用 grading.tie_policy=dimension；请用 exclude 或 include"
        )
    step_args = subsidy.rule_arguments(policy)
    offset = policy["evaluation.first_evaluation_offset"]
    n_years, paths, slots = draws.score.shape
    n_existing = draws.n_existing
    pool = draws.region.shape[1]

    state = {
        "revoked": np.zeros((paths, slots), dtype=bool),
        "unqualified_run": np.zeros((paths, slots), dtype=np.int64),
        "cum_base_paid": np.zeros((paths, slots)),
        "cum_paid": np.zeros((paths, slots)),
    }
    for name, values in state.items():
        values[:, :n_existing] = getattr(start.state, name)
    certified_year = np.full((paths, slots), np.iinfo(np.int64).max // 2, dtype=np.int64)  # unborn
    certified_year[:, :n_existing] = start.parks["certified_year"].to_numpy(dtype=np.int64)
    born = np.zeros((paths, slots), dtype=bool)
    born[:, :n_existing] = True
    match = np.full(slots, float(policy["subsidy.district_match_ratio"]))  # new parks: the default ratio
    if n_existing:
        match[:n_existing] = ledger.district_match_ratios(start.parks["district"], policy)
    pool_index = np.arange(pool)
    n_born = np.zeros(paths, dtype=np.int64)
    blocks = [slice(a, min(a + config.chunk_paths, paths)) for a in range(0, paths, config.chunk_paths)]

    out = {m: np.zeros((n_years, paths)) for m in MEASURES}

    def advance(i: int, rows: slice, cols: slice, since: np.ndarray, taking_part: np.ndarray) -> None:
        block = (rows, cols)
        graded = grade_scores(draws.score[i][block], draws.veto[i][block], taking_part[rows], None,
                              **grading_args, with_rank=False)  # fmt: skip
        before = subsidy.State(**{name: values[block] for name, values in state.items()})
        after, amounts = subsidy.step(
            before, since[rows], graded.grade, draws.rectified[i][block], **step_args
        )
        for name, values in state.items():  # step returns new arrays, so the views can be overwritten
            values[block] = getattr(after, name)
        paid = amounts.base_paid + amounts.bonus
        out["base_paid"][i, rows] = amounts.base_paid.sum(axis=1)
        out["bonus"][i, rows] = amounts.bonus.sum(axis=1)
        out["district_match"][i, rows] = (paid * match[cols]).sum(axis=1)
        out["pending"][i, rows] = amounts.pending.sum(axis=1)
        out["cancelled"][i, rows] = amounts.cancelled.sum(axis=1)
        out["active"][i, rows] = (amounts.certified & ~amounts.revoked).sum(axis=1)
        out["revoked"][i, rows] = amounts.revoked.sum(axis=1)
        out["newly_revoked"][i, rows] = amounts.newly_revoked.sum(axis=1)
        out["n_evaluated"][i, rows] = (graded.grade != NOT_EVALUATED).sum(axis=1)
        out["n_excellent"][i, rows] = (graded.grade == EXCELLENT).sum(axis=1)
        out["n_qualified"][i, rows] = (graded.grade == QUALIFIED).sum(axis=1)
        out["n_unqualified"][i, rows] = (graded.grade == UNQUALIFIED).sum(axis=1)

    workers = thread_pool(config.threads)
    try:
        for i, year in enumerate(_progress(draws.years, config.progress)):
            year = int(year)
            arrivals = draws.arrivals[i]
            if config.ceiling is not None:
                active_now = (born & (certified_year <= year) & ~state["revoked"]).sum(axis=1)
                arrivals = np.minimum(arrivals, np.maximum(config.ceiling - active_now, 0))
            newly = (pool_index >= n_born[:, None]) & (pool_index < (n_born + arrivals)[:, None])
            n_born += arrivals
            born[:, n_existing : n_existing + pool] |= newly
            certified_year[:, n_existing : n_existing + pool][newly] = year
            out["arrivals"][i] = arrivals
            for r, key in enumerate(REGION_KEYS):
                out[f"arrivals_{key}"][i] = (newly & (draws.region == r)).sum(axis=1)

            # Slots past the last one born on any path are unborn everywhere: no grade, no amount, no change.
            cols = slice(0, n_existing + int(n_born.max(initial=0)))
            if cols.stop > 0:
                alive, cert = born[:, cols], certified_year[:, cols]
                since = np.where(alive, year - cert, -1)
                taking_part = alive & (cert + offset <= year) & ~state["revoked"][:, cols]
                run_all([partial(advance, i, rows, cols, since, taking_part) for rows in blocks], workers)
            if callback is not None:
                callback(year)
    finally:
        if workers is not None:
            workers.shutdown()
    out["outlay"] = out["base_paid"] + out["bonus"]
    out["cumulative_outlay"] = np.cumsum(out["outlay"], axis=0)
    out["cumulative_district_match"] = np.cumsum(out["district_match"], axis=0)
    return Run(policy, draws.years, out)


def _progress(years: np.ndarray, enabled: bool) -> Iterable:
    if not enabled:
        return years
    from tqdm import tqdm

    return tqdm(years, desc="forecast", unit="年")
