"""The certification round (第八条–第十条): each application's stage, and the parks it certifies.

``round_of(applicants, policy)`` runs 第八条 (:mod:`rules.eligibility`) and the procedure of 第九条/第十条
(:mod:`rules.procedure`) over the applicants file as read by ``io.readers.read_applicants``, and gives the
``applications`` table of ``hrpark applications`` and the ``new_parks`` table in the columns of the parks
file, so that the certified parks join the next annual evaluation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from hrpark_analysis import labels
from hrpark_analysis.errors import InputError, PolicyError
from hrpark_analysis.io.tables import ROW
from hrpark_analysis.law.policy import Policy
from hrpark_analysis.rules import eligibility, procedure

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
