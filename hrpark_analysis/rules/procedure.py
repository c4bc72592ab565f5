"""第九条 / 第十条: where each application stands on the path 申报 → 评估 → 公示 → 授牌, vectorized.

第九条: (一) 申报 — the district government applies with the materials; (二) 评估 — the bureau reviews the
materials and organizes an expert review; (三) 公示 — the list of parks to be certified is made public;
(四) 授牌 — “经公示无异议的” the bureau certifies the park. 第十条 lists the four materials.

Outcomes are arrays with ``1`` (yes / passed / upheld), ``0`` (no / failed / none) and ``NaN`` (not yet
known). An application is rejected at 评估 when a material is missing (第十条), when a condition of 第八条 is
not met, or when the expert review fails; it is rejected at 公示 when an objection is upheld. An outcome not
yet known leaves it at the stage it has reached. Once rejected, later outcomes are not read.
"""

from __future__ import annotations

import numpy as np

SUBMITTED, ASSESSED, CERTIFIED, REJECTED = "submitted", "assessed", "certified", "rejected"
STAGES = (SUBMITTED, ASSESSED, CERTIFIED, REJECTED)
AT_ASSESSMENT, AT_PUBLICITY = "assessment", "publicity"
# 第十条(一)–(四): the materials, each an optional yes/no column ``material_<name>`` of the applicants file.
MATERIALS = ["application_form", "local_policy", "park_plan", "institution_list"]


def stages(
    materials: np.ndarray, eligible: np.ndarray, expert_review: np.ndarray, publicity_objection: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """第九条(二)–(四) / 第十条: each application's stage and, if rejected, the stage it was rejected at.

    ``materials`` is (applicants × materials of 第十条), ``eligible`` the result of 第八条 (known for every
    applicant, from the figures of the application), ``expert_review`` and ``publicity_objection`` one
    outcome per applicant. Returns ``stage`` (one of :data:`STAGES`) and ``rejected_at``
    (``assessment`` | ``publicity`` | ``""``).
    """
    materials = np.asarray(materials, dtype=float)
    expert = np.asarray(expert_review, dtype=float)
    objection = np.asarray(publicity_objection, dtype=float)
    eligible = np.asarray(eligible, dtype=bool)
    # 评估 rejects on any known failure; it concludes (passed) only when every outcome is known and good.
    fails_assessment = (materials == 0).any(axis=-1) | ~eligible | (expert == 0)
    passes_assessment = ~fails_assessment & (materials == 1).all(axis=-1) & (expert == 1)
    fails_publicity = passes_assessment & (objection == 1)
    certified = passes_assessment & (objection == 0)
    stage = np.select(
        [fails_assessment | fails_publicity, certified, passes_assessment], [REJECTED, CERTIFIED, ASSESSED],
        default=SUBMITTED,
    ).astype(object)  # fmt: skip
    rejected_at = np.select([fails_assessment, fails_publicity], [AT_ASSESSMENT, AT_PUBLICITY], default="")
    return stage, rejected_at.astype(object)


def reasons(flags: list[tuple[np.ndarray, str]], separator: str) -> np.ndarray:
    """The texts of the flags that hold for each applicant, in the order given, joined by ``separator``.

    ``flags`` pairs a boolean array (one value per applicant) with its reason text (citing its article).
    """
    out = np.full(len(flags[0][0]) if flags else 0, "", dtype=object)
    for flag, text in flags:  # a loop over the few kinds of reason, never over applicants
        joined = np.where(out == "", text, out + separator + text)
        out = np.where(np.asarray(flag, dtype=bool), joined, out).astype(object)
    return out
