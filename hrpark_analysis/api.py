"""The public API of hrpark_analysis: ``import hrpark_analysis as hp``.

A small, stable way in for a researcher in JupyterLab. Each function is a thin wrapper over the engine
(the same code the ``hrpark`` command and the reports run, never a second implementation); everything
else in the package stays importable but is not promised.

| function | what |
|---|---|
| :func:`load_policy` | the 渝人社发〔2021〕57号 baseline or a policy file, with ``--set``-style overrides |
| :func:`load_dataset`, :func:`sample_dataset` | a data folder (or the shipped 示例数据) read and scored for one year |
| :func:`evaluate` | grades (第二十四条) and the subsidy ledger (第十一条/第二十五条) as DataFrames |
| :func:`explain` | why one park got its grade and money in one year, clause by clause (``hrpark explain``) |
| :func:`compare` | two policies on the same data: the park-years whose grade, plaque or money differs |
| :func:`sweep` | one year's grades over an (优秀比例, 合格线) grid |
| :func:`monte_carlo` | one year's grades under expert-score noise |
| :func:`forecast` | the Measures' cost in the years ahead, baseline and reforms on the same draws |

Amounts are in 万元; grades are ``excellent | qualified | unqualified`` (``""``: not evaluated that year).
Every default reading of the text is a policy parameter (``docs/readings.md``); change one with
``load_policy(overrides=["grading.pass_mark_inclusive=true"])``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from hrpark_analysis.engine import compare as _compare
from hrpark_analysis.engine import dataset as _dataset
from hrpark_analysis.engine import explain as _explain
from hrpark_analysis.engine import ledger as _ledger
from hrpark_analysis.engine import sensitivity as _sensitivity
from hrpark_analysis.engine.dataset import Dataset
from hrpark_analysis.engine.forecast import Forecast, ForecastConfig
from hrpark_analysis.engine.forecast import forecast as _forecast
from hrpark_analysis.engine.ledger import Evaluation
from hrpark_analysis.engine.sensitivity import MonteCarlo
from hrpark_analysis.law import policy as _policy
from hrpark_analysis.law.policy import Policy
from hrpark_analysis.reports import explain as _shown

__all__ = [
    "Dataset",
    "Evaluation",
    "Forecast",
    "MonteCarlo",
    "Policy",
    "compare",
    "evaluate",
    "explain",
    "forecast",
    "load_dataset",
    "load_policy",
    "monte_carlo",
    "sample_dataset",
    "sweep",
]

#: The year of the shipped sample's latest evaluation (示例数据: certifications 2022–2025, evaluations from 2023).
SAMPLE_YEAR = 2025


def load_policy(file: str | Path | None = None, overrides: Mapping[str, Any] | Iterable[str] = ()) -> Policy:
    """第四条–第二十五条: every number and default reading of the Measures as a validated :class:`Policy`.

    ``file`` is a policy YAML laid out like ``hrpark_analysis/law/policy-2021.yaml`` (default: that
    baseline). ``overrides`` are dotted keys as ``hrpark --set`` takes them (``["grading.pass_mark=65"]``)
    or a mapping (``{"grading.pass_mark": 65}``); ``hrpark policy show`` lists every key. A bad file or
    override raises :class:`hrpark_analysis.errors.PolicyError` with a Chinese message.

    >>> import hrpark_analysis as hp
    >>> p = hp.load_policy()
    >>> p["grading.excellent_share"], p["grading.pass_mark"], p["grading.pass_mark_inclusive"]
    (0.3, 60, False)
    >>> reform = hp.load_policy(overrides=["grading.excellent_share=0.2", "grading.tie_policy=include"])
    >>> print(p.diff(reform)[["key", "baseline", "reform"]].to_string(index=False))
                        key baseline  reform
    grading.excellent_share      0.3     0.2
         grading.tie_policy  exclude include
    """
    return _policy.load_policy(file, overrides or None)


def load_dataset(folder: str | Path, year: int, policy: Policy, sheet: str | Path | None = None) -> Dataset:
    """第十六条 / 第二十一条–第二十三条: a data folder read and YEAR scored for every park taking part.

    The folder is laid out like the sample (``hrpark sample --out DIR`` writes one): parks, monthly reports,
    targets, ratings, events and past evaluations as CSV or XLSX. ``sheet`` is an evaluation sheet YAML
    (default: the illustrative one). The result's ``parks`` and ``evaluations`` (past results + YEAR's
    scores) are what :func:`evaluate`, :func:`compare`, :func:`sweep`, :func:`monte_carlo` and
    :func:`forecast` take. Bad input raises :class:`hrpark_analysis.errors.InputError` naming file, row and
    column.

    >>> import hrpark_analysis as hp
    >>> from hrpark_analysis.engine.dataset import SAMPLE_DIR
    >>> d = hp.load_dataset(SAMPLE_DIR, 2024, hp.load_policy())
    >>> d.year, sorted(d.evaluations["year"].unique().tolist()), len(d.scores)
    (2024, [2023, 2024], 16)
    """
    return _dataset.load_dataset(folder, year, policy, sheet_path=sheet)


def sample_dataset(year: int = SAMPLE_YEAR, policy: Policy | None = None) -> Dataset:
    """第十六条 / 第二十一条–第二十三条: the synthetic 示例数据 shipped in the package, scored for YEAR.

    Thirty fictitious parks (every name starts with 示例), certified 2022–2025, with monthly reports,
    targets, ratings and past evaluations; ``policy`` defaults to the baseline. Anything built from it must
    say it is sample data (``Dataset.is_sample``).

    >>> import hrpark_analysis as hp
    >>> d = hp.sample_dataset(2025)
    >>> d.year, len(d.parks), len(d.scores), d.is_sample
    (2025, 30, 24, True)
    """
    return load_dataset(_dataset.SAMPLE_DIR, year, policy or load_policy())


def evaluate(parks: pd.DataFrame, evaluations: pd.DataFrame, policy: Policy) -> Evaluation:
    """第二十四条 / 第十一条 / 第二十五条: grade every evaluation year and build the subsidy ledger.

    ``parks`` and ``evaluations`` as :func:`load_dataset` returns them (or as ``hrpark evaluate`` reads
    them). The result's DataFrames: ``grades`` (park_id, year, score, rank, grade, cap_exceeded, …: one row
    per park evaluated), ``ledger`` (park_id, year, status, grade, base_due, base_paid, pending, cancelled,
    bonus, cumulative_paid, district_match, …: one row per certified park and year, 万元), ``years`` (per year:
    participants, the 优秀 cap and counts) and ``final`` (each park after the last year) — the same tables
    ``hrpark evaluate`` writes.

    >>> import hrpark_analysis as hp
    >>> p = hp.load_policy()
    >>> d = hp.sample_dataset(2025)
    >>> r = hp.evaluate(d.parks, d.evaluations, p)
    >>> len(r.grades)
    48
    >>> print(r.years[["year", "n_participants", "cap", "n_excellent", "n_unqualified"]].to_string(index=False))
     year  n_participants  cap  n_excellent  n_unqualified
     2023               8    2            2              1
     2024              16    4            4              1
     2025              24    7            6              3
    """
    return _ledger.build(parks, evaluations, policy)


def explain(
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    policy: Policy,
    park_id: str,
    year: int,
    *,
    text: bool = False,
) -> dict[str, Any] | str:
    """第二十四条 / 第十一条 / 第二十五条: why ``park_id`` got its grade and money in ``year``.

    The same facts ``hrpark explain --format json`` prints, as a dict: ``score``, ``grade``, ``rank``,
    ``n_participants``, ``cap_formula``, ``boundary_score`` (the lowest 优秀 score), ``tie_group``, ``veto``,
    ``points_to_excellent`` (the least raise, in steps of the policy's ``evaluation.score_precision``, that makes it 优秀
    with every other park unchanged), ``points_above_pass_mark``, ``readings`` (its grade under every value of
    each reading of 第二十四条), ``money`` and ``articles`` (each rule with the quoted clause). ``text=True``
    gives the Chinese text ``hrpark explain`` prints instead. An unknown park, or a year the park did not
    take part in, raises :class:`hrpark_analysis.errors.InputError` naming it.

    >>> import hrpark_analysis as hp
    >>> p = hp.load_policy()
    >>> d = hp.sample_dataset(2025)
    >>> why = hp.explain(d.parks, d.evaluations, p, "P03", 2025)
    >>> why["grade"], why["rank"], why["cap_formula"], why["boundary_score"], why["points_to_excellent"]
    ('qualified', 8, 'floor(0.3 × 24) = 7', 78.65, 0.01)
    >>> [(r["value"], r["grade"]) for r in why["readings"]["grading.tie_policy"]]
    [('exclude', 'qualified'), ('include', 'excellent'), ('dimension', 'qualified')]
    >>> print(hp.explain(d.parks, d.evaluations, p, "P03", 2025, text=True).splitlines()[0])
    园区 P03 2025 年绩效评估：78.35 分，合格，名次 8/24
    """
    result = _ledger.build(parks, evaluations, policy)
    item = _explain.explain(result, parks, policy, park_id, int(year))
    return _shown.to_text(item) if text else item


def compare(
    policy_a: Policy,
    policy_b: Policy,
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    *,
    all_rows: bool = False,
) -> pd.DataFrame:
    """第二十四条 / 第十一条 / 第二十五条: two policies on the same data, park-year by park-year.

    The whole-policy counterpart of ``hrpark policy diff``: the ledger is built under each policy and the
    park-years whose grade, status (plaque withdrawn, 第二十五条(二)) or any amount of the year differs are
    listed (every park-year with ``all_rows=True``). Columns: park_id, year, ``grade_a``/``grade_b``,
    ``status_a``/``status_b``, then for ``paid`` (base_paid + bonus), base_due, base_paid, bonus, pending,
    cancelled, district_match and undetermined (a year awaiting its evaluation) ``X_a``, ``X_b`` and
    ``X_diff`` = b − a (万元), and ``changed`` (which of them differ). A park whose plaque ``policy_b`` withdraws earlier is not evaluated after that.

    >>> import hrpark_analysis as hp
    >>> p = hp.load_policy()
    >>> d = hp.sample_dataset(2025)
    >>> c = hp.compare(p, hp.load_policy(overrides=["grading.excellent_share=0.2"]), d.parks, d.evaluations)
    >>> print(c[["park_id", "year", "grade_a", "grade_b", "paid_diff", "changed"]].to_string(index=False))
    park_id  year   grade_a   grade_b  paid_diff            changed
        P08  2023 excellent qualified      -10.0 grade, paid, bonus
        P01  2024 excellent qualified      -10.0 grade, paid, bonus
        P08  2025 excellent qualified      -10.0 grade, paid, bonus
        P11  2025 excellent qualified      -10.0 grade, paid, bonus
    """
    return _compare.compare(policy_a, policy_b, parks, evaluations, all_rows=all_rows)


def _year_inputs(
    parks: pd.DataFrame, evaluations: pd.DataFrame, policy: Policy, year: int | None
) -> _sensitivity.YearInputs:
    subsidy = policy.section("subsidy")
    return _sensitivity.year_inputs(
        evaluations,
        year=int(evaluations["year"].max()) if year is None else year,
        parks=parks,
        base_schedule=subsidy["base_schedule"],
        grade_factor=subsidy["grade_factor"],
        score_precision=policy["evaluation.score_precision"],
    )


def _grid(values: Sequence[float] | None, default: Sequence[float]) -> Sequence[float]:
    return default if values is None else values


def sweep(
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    policy: Policy,
    *,
    year: int | None = None,
    shares: Sequence[float] | None = None,
    pass_marks: Sequence[float] | None = None,
) -> pd.DataFrame:
    """第二十四条 / 第二十五条: one year's grades at every (优秀比例上限, 合格线) of a grid.

    ``year`` defaults to the latest year of ``evaluations``; the grid defaults to 5%–50% by 1% and 50–80
    points by 1, and always holds the policy's own share and mark (``is_baseline``). One row per grid point:
    cap, counts per grade, ``bonus`` (第二十五条(一)), ``at_risk`` (the year's base subsidy of the 不合格
    parks, 第二十五条(二)) and which parks move into or out of 优秀 / 不合格 against the baseline. The other
    readings (tie policy, cap rounding, inclusive pass mark) come from ``policy``.

    >>> import hrpark_analysis as hp
    >>> p = hp.load_policy()
    >>> d = hp.sample_dataset(2025)
    >>> s = hp.sweep(d.parks, d.evaluations, p, shares=[0.2, 0.3], pass_marks=[60, 65])
    >>> print(s[["share", "pass_mark", "cap", "n_excellent", "n_unqualified", "is_baseline"]].to_string(index=False))
     share  pass_mark  cap  n_excellent  n_unqualified  is_baseline
       0.2       60.0    4            4              3        False
       0.2       65.0    4            4              5        False
       0.3       60.0    7            6              3         True
       0.3       65.0    7            6              5        False
    """
    x = _year_inputs(parks, evaluations, policy, year)
    return _sensitivity.sweep(
        x.score,
        x.veto,
        x.base_due,
        excellent_bonus=float(policy["subsidy.excellent_bonus"]),
        dimensions=x.dimensions,
        park_ids=x.park_ids,
        shares=_grid(shares, _sensitivity.DEFAULT_SHARES),
        pass_marks=_grid(pass_marks, _sensitivity.DEFAULT_PASS_MARKS),
        **policy.section("grading"),
    )


def monte_carlo(
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    policy: Policy,
    *,
    seed: int,
    sigma: float = _sensitivity.DEFAULT_SIGMA,
    draws: int = 1000,
    year: int | None = None,
    shares: Sequence[float] | None = None,
    pass_marks: Sequence[float] | None = None,
) -> MonteCarlo:
    """第二十四条 / 第二十二条: one year's grades when each expert total carries noise of sd ``sigma`` points.

    ``seed`` is required, so a run can be repeated exactly. The result holds exact counts over ``draws``
    draws: ``.parks()`` gives per park P(优秀), P(合格), P(不合格) and rank intervals at the policy's own
    share and mark, ``.counts()`` the expected 优秀 / 不合格 counts with intervals at every grid point,
    ``.coin_tosses()`` the parks whose grade is a coin toss. ``year`` and the grid as in :func:`sweep`.

    >>> import hrpark_analysis as hp
    >>> p = hp.load_policy()
    >>> d = hp.sample_dataset(2025)
    >>> mc = hp.monte_carlo(d.parks, d.evaluations, p, sigma=2.0, draws=400, seed=2025)
    >>> coin = mc.coin_tosses()[["park_id", "score", "grade", "p_excellent", "p_unqualified"]]
    >>> print(coin.head(3).to_string(index=False))
    park_id  score     grade  p_excellent  p_unqualified
        P03  78.35 qualified       0.4375         0.0000
        P07  60.00 qualified       0.0000         0.5125
        P08  78.65 excellent       0.4375         0.0000
    """
    x = _year_inputs(parks, evaluations, policy, year)
    return _sensitivity.monte_carlo(
        x.score,
        x.veto,
        x.base_due,
        excellent_bonus=float(policy["subsidy.excellent_bonus"]),
        sigma=sigma,
        draws=draws,
        seed=seed,
        dimensions=x.dimensions,
        park_ids=x.park_ids,
        shares=_grid(shares, _sensitivity.DEFAULT_SHARES),
        pass_marks=_grid(pass_marks, _sensitivity.DEFAULT_PASS_MARKS),
        **policy.section("grading"),
    )


def forecast(
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    policy: Policy,
    *,
    base_year: int | None = None,
    reforms: Mapping[str, Policy | Mapping[str, Any] | Iterable[str]] | None = None,
    **settings: Any,
) -> Forecast:
    """第十一条 / 第十三条 / 第二十四条 / 第二十五条: what the Measures will cost from ``base_year`` on.

    The ledger at ``base_year`` (default: the latest evaluation year) is the start; new certifications,
    scores, vetoes and rectifications are drawn on many paths and every simulated year applies the same
    rules as :func:`evaluate`. ``reforms`` maps a name to a policy or to overrides of ``policy``; each runs on
    the baseline's draws. ``settings`` are the scenario's :class:`ForecastConfig` fields (``horizon``,
    ``paths``, ``seed``, ``arrival_rate``, ``budget``, …; an unknown name is an error). The result's
    ``summary`` (scenario, year, measure, mean, p5, p50, p95), ``differences`` (reform − baseline) and
    ``budget`` tables are DataFrames.

    >>> import hrpark_analysis as hp
    >>> p = hp.load_policy()
    >>> d = hp.sample_dataset(2025)
    >>> f = hp.forecast(d.parks, d.evaluations, p, horizon=2027, paths=200, seed=7,
    ...                 reforms={"20%": ["grading.excellent_share=0.2"]})
    >>> f.base_year, sorted(f.summary["scenario"].unique())
    (2025, ['20%', 'baseline'])
    >>> bonus = f.differences[f.differences["measure"] == "bonus"]
    >>> print(bonus[["reform", "year", "baseline_mean", "reform_mean"]].to_string(index=False))
    reform  year  baseline_mean  reform_mean
       20%  2026          79.90        49.95
       20%  2027          85.35        55.30
    """
    return _forecast(
        parks,
        evaluations,
        policy,
        ForecastConfig.from_mapping(settings),
        base_year=base_year,
        reforms=reforms,
    )
