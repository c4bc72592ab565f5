"""The certification round (第八条–第十条): each application's stage, and the parks it certifies.

``round_of(applicants, policy)`` runs 第八条 (:mod:`rules.eligibility`) and the procedure of 第九条/第十条
(:mod:`rules.procedure`) over the applicants file as read by ``io.readers.read_applicants``, and gives the
``applications`` table of ``hrpark applications`` and the ``new_parks`` table in the columns of the parks
file, so that the certified parks join the next annual evaluation. The certification report adds who is
eligible only thanks to a relaxation of 第八条 末段 (:func:`relaxation_needed`, :func:`relaxation_grid`), the
cost of the round beside the existing parks' commitments (:func:`commitments`, 第十一条/第二十五条(一)) and the
一区两群 balance before and after it (:func:`region_balance`, 第四条).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hrpark_analysis import labels
from hrpark_analysis.engine import ledger
from hrpark_analysis.errors import InputError, PolicyError
from hrpark_analysis.io.tables import ROW
from hrpark_analysis.law.policy import REGION_KEYS, Policy
from hrpark_analysis.rules import eligibility, procedure, subsidy

APPLICATION_COLUMNS = [
    "applicant_id",
    "name",
    "district",
    "region",
    "eligible",
    "stage",
    "rejected_at",
    "reason",
]
# The parks file as `hrpark evaluate` and a data folder read it (io/readers.PARK_COLUMNS + certified_month).
NEW_PARK_COLUMNS = [
    "park_id",
    "name",
    "district",
    "certified_year",
    "certified_month",
    "kind",
    "online_offline",
]


@dataclass(frozen=True)
class Round:
    """One certification round: 第八条 per applicant, the stage of each application, the parks certified."""

    eligibility: pd.DataFrame  # rules.eligibility.assess
    applications: pd.DataFrame  # APPLICATION_COLUMNS
    new_parks: pd.DataFrame  # NEW_PARK_COLUMNS, one row per certified applicant


def required_materials(policy: Policy) -> list[str]:
    """第十条: the materials the policy requires (``procedure.required_materials``), each a known column."""
    required = list(policy["procedure.required_materials"])
    unknown = [m for m in required if m not in procedure.MATERIALS]
    if unknown:
        raise PolicyError(
            f"procedure.required_materials 含未知材料 {', '.join(unknown)}(可用: {', '.join(procedure.MATERIALS)})"
        )
    return required


def reasons(assessed: pd.DataFrame, applicants: pd.DataFrame, stage, rejected_at, required) -> np.ndarray:
    """Why each application stands where it does, in Chinese, each reason citing its article."""
    flags = [
        (applicants[f"material_{m}"].to_numpy(dtype=float) == 0, labels.REASON_MATERIAL.format(clause=clause))
        for m in required
        for clause in [labels.MATERIAL[m][0]]
    ]
    flags += [
        (~assessed[f"met_{c}"].to_numpy(dtype=bool), labels.REASON_CONDITION.format(clause=clause, name=name))
        for c, (clause, name) in labels.CONDITION.items()
    ]
    flags.append((applicants["expert_review"].to_numpy(dtype=float) == 0, labels.REASON_EXPERT))
    at_assessment = procedure.reasons(flags, labels.REASON_SEPARATOR)
    return np.select(
        [rejected_at == procedure.AT_ASSESSMENT, rejected_at == procedure.AT_PUBLICITY,
         stage == procedure.CERTIFIED, stage == procedure.ASSESSED],
        [at_assessment, labels.REASON_OBJECTION, labels.REASON_CERTIFIED, labels.REASON_ASSESSED],
        default=labels.REASON_SUBMITTED,
    ).astype(object)  # fmt: skip


def round_of(applicants: pd.DataFrame, policy: Policy, *, file: str | Path) -> Round:
    """第八条–第十条 for every applicant; a certified applicant needs its ``round`` (the certification year)."""
    required = required_materials(policy)
    assessed = eligibility.assess(applicants, **eligibility.rule_arguments(policy))
    materials = (
        applicants[[f"material_{m}" for m in required]].to_numpy(dtype=float).reshape(len(applicants), -1)
    )
    stage, rejected_at = procedure.stages(
        materials,
        assessed["eligible"].to_numpy(dtype=bool),
        applicants["expert_review"].to_numpy(dtype=float),
        applicants["publicity_objection"].to_numpy(dtype=float),
    )
    table = pd.DataFrame(
        {
            "applicant_id": applicants["applicant_id"].to_numpy(),
            "name": applicants["name"].to_numpy(),
            "district": applicants["district"].to_numpy(),
            "region": assessed["region"].to_numpy(),
            "eligible": assessed["eligible"].to_numpy(dtype=bool),
            "stage": stage,
            "rejected_at": rejected_at,
            "reason": reasons(assessed, applicants, stage, rejected_at, required),
        }
    )
    certified = stage == procedure.CERTIFIED
    no_round = certified & applicants["round"].isna().to_numpy()
    if no_round.any():
        i = int(np.argmax(no_round))
        raise InputError(
            "该申报已通过公示、认定授牌(第九条(四))，需填写 round(申报年度，即认定年份)",
            file=file, row=int(applicants[ROW].iloc[i]), column="round",
        )  # fmt: skip
    chosen = applicants[certified]
    new_parks = pd.DataFrame(
        {
            "park_id": chosen["applicant_id"].to_numpy(),
            "name": chosen["name"].to_numpy(),
            "district": chosen["district"].to_numpy(),
            "certified_year": chosen["round"].to_numpy(dtype=float).astype(int),
            "certified_month": "",  # empty: the sheet's default_certified_month (docs/readings.md §3)
            "kind": "",
            "online_offline": chosen["online_offline"].map(labels.YES_NO).to_numpy(),
        },
        columns=NEW_PARK_COLUMNS,
    )
    return Round(assessed, table, new_parks)


# --- what the certification report needs beside the round -----------------------------------------------
RELAXATION_NEEDED = ("none", "regional", "online", "either", "both", "ineligible")


def relaxation_needed(applicants: pd.DataFrame, policy: Policy) -> np.ndarray:
    """第八条 末段: which relaxation each applicant's eligibility depends on (one of :data:`RELAXATION_NEEDED`).

    ``none``: eligible without any; ``regional`` / ``online``: only with that one; ``either``: with either
    one alone; ``both``: only with both together; ``ineligible``: not even with the policy's relaxations.
    """
    rules = eligibility.rule_arguments(policy)
    factors_regional = [rules["regional_relaxation"], 1.0]
    factors_online = [rules["online_area_relaxation"], 1.0]
    m = eligibility.eligible_over_relaxations(applicants, factors_regional, factors_online, **rules)
    with_both, regional_only, online_only, without = m[0, 0], m[0, 1], m[1, 0], m[1, 1]
    return np.select(
        [without, regional_only & online_only, regional_only, online_only, with_both],
        ["none", "either", "regional", "online", "both"], default="ineligible",
    ).astype(object)  # fmt: skip


def relaxation_grid(applicants: pd.DataFrame, policy: Policy, factors: list[float]) -> pd.DataFrame:
    """第八条 末段: the number of eligible applicants for every (regional, online) pair of ``factors``."""
    rules = eligibility.rule_arguments(policy)
    met = eligibility.eligible_over_relaxations(applicants, factors, factors, **rules)
    grid = pd.DataFrame(met.sum(axis=-1), index=list(factors), columns=list(factors))
    grid.index.name, grid.columns.name = "regional_relaxation", "online_area_relaxation"
    return grid


def commitments(
    evaluation: ledger.Evaluation, parks: pd.DataFrame, new_parks: pd.DataFrame, policy: Policy, year: int
) -> pd.DataFrame:
    """第十一条 / 第二十五条(一): the base subsidy per year of the existing parks and of the round's new parks.

    Years ``year`` … ``year + len(base_schedule) − 1``. The existing parks' amount of ``year`` is the ledger's
    (base due and bonus of that year); later years are the base schedule of the parks still active after
    ``year`` (their grades are not known yet: the baseline, grade factor 1). The new parks get the schedule
    from their certification year on, and at most ``excellent_bonus`` each from their first evaluation
    (``first_evaluation_offset``) on — an upper bound, if every new park were 优秀.
    """
    schedule = policy["subsidy.base_schedule"]
    years = np.arange(year, year + len(schedule))
    final = evaluation.final.set_index("park_id").loc[parks["park_id"]]
    active = (final["status"].to_numpy() == "active") | (final["status"].to_numpy() == ledger.NOT_CERTIFIED)
    since = years[:, None] - parks["certified_year"].to_numpy(dtype=int)[None, :]
    existing = (subsidy.scheduled_base(since, base_schedule=schedule) * active[None, :]).sum(axis=1)
    book = evaluation.ledger[evaluation.ledger["year"] == year]
    existing[0] = book["base_due"].sum()
    existing_bonus = np.where(years == year, book["bonus"].sum(), np.nan)
    new_since = years[:, None] - new_parks["certified_year"].to_numpy(dtype=int)[None, :]
    new_base = subsidy.scheduled_base(new_since, base_schedule=schedule).sum(axis=1)
    offset = policy["evaluation.first_evaluation_offset"]
    new_bonus = (new_since >= offset).sum(axis=1) * float(policy["subsidy.excellent_bonus"])
    return pd.DataFrame({
        "year": years, "existing_base": existing, "existing_bonus": existing_bonus, "new_base": new_base,
        "new_bonus_max": new_bonus, "total_max": existing + np.nan_to_num(existing_bonus) + new_base + new_bonus,
    })  # fmt: skip


def region_balance(
    parks: pd.DataFrame, evaluation: ledger.Evaluation, new_parks_regions: np.ndarray, policy: Policy
) -> pd.DataFrame:
    """第四条 一区两群: municipal parks per region before the round (active, not revoked) and after it."""
    status = evaluation.final.set_index("park_id").loc[parks["park_id"], "status"].to_numpy()
    regions = list(REGION_KEYS)
    before = pd.Series(parks["region"].to_numpy()[status != "revoked"]).value_counts()
    added = pd.Series(np.asarray(new_parks_regions, dtype=object)).value_counts()
    out = pd.DataFrame({"region": regions})
    out["before"] = out["region"].map(before).fillna(0).astype(int)
    out["new"] = out["region"].map(added).fillna(0).astype(int)
    out["after"] = out["before"] + out["new"]
    out["share_before"] = (out["before"] / max(out["before"].sum(), 1)).round(4)
    out["share_after"] = (out["after"] / max(out["after"].sum(), 1)).round(4)
    return out


def forecast_with_round(
    parks: pd.DataFrame,
    evaluations: pd.DataFrame,
    round_: Round,
    policy: Policy,
    year: int,
    *,
    horizon: int,
    paths: int,
    seed: int,
) -> pd.DataFrame:
    """The forecast (issue 6) of the municipal outlay with and without the round's new parks, on the same seed.

    No other new certifications are assumed (``arrivals="fixed"``, 0 a year), so the difference is the cost of
    this round alone, graded by the forecast's score model (第二十四条) and paid by 第十一条/第二十五条.
    """
    from hrpark_analysis.engine.forecast.config import ForecastConfig
    from hrpark_analysis.engine.forecast.pipeline import forecast

    config = ForecastConfig(horizon=horizon, paths=paths, seed=seed, arrivals="fixed", arrival_counts=0)
    certified = round_.applications.set_index("applicant_id").loc[round_.new_parks["park_id"]]
    new = round_.new_parks.assign(
        region=certified["region"].to_numpy(),
        online_offline=round_.new_parks["online_offline"].to_numpy() == labels.YES_NO[True],
        certified_month=np.nan, kind=None,
    )  # fmt: skip
    runs = {
        "without": forecast(parks, evaluations, policy, config, base_year=year),
        "with": forecast(
            pd.concat([parks, new], ignore_index=True), evaluations, policy, config, base_year=year
        ),
    }
    out = None
    for name, run in runs.items():
        s = run.summary[(run.summary["scenario"] == "baseline") & (run.summary["measure"] == "outlay")]
        part = s[["year", "mean", "p95"]].rename(
            columns={"mean": f"outlay_{name}", "p95": f"outlay_{name}_p95"}
        )
        out = part if out is None else out.merge(part, on="year")
    out["outlay_difference"] = (out["outlay_with"] - out["outlay_without"]).round(2)
    return out.reset_index(drop=True)
