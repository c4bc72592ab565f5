"""第九条 / 第十条: the application procedure as a small state machine.

申报 (submitted by the district government) → 评估 (materials review and expert review) → 公示 (public
notice) → 授牌 (certified). Any stage can end in 驳回 (rejected) with a reason; incomplete materials
(第十条's four items) stop the application at 评估; an upheld objection during 公示 rejects it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Stage(Enum):
    """The stages of 第九条, plus the two ends."""

    SUBMITTED = "申报"
    EVALUATION = "评估"
    PUBLIC_NOTICE = "公示"
    CERTIFIED = "授牌"
    REJECTED = "驳回"


class ProcedureError(ValueError):
    """An action that the procedure does not allow at the current stage."""


@dataclass(frozen=True)
class Application:
    """An application's path through 第九条; immutable, each action returns the next state."""

    applicant_id: str
    stage: Stage = Stage.SUBMITTED
    reason: str = ""
    history: tuple[Stage, ...] = field(default=(Stage.SUBMITTED,))

    def _to(self, stage: Stage, reason: str = "") -> Application:
        return Application(self.applicant_id, stage, reason, (*self.history, stage))

    def _expect(self, stage: Stage, action: str) -> None:
        if self.stage is not stage:
            raise ProcedureError(f"{action} 只能在“{stage.value}”阶段进行，当前为“{self.stage.value}”")

    def review_materials(self, materials: set[str], required_materials: list[str]) -> Application:
        """第九条(二)/第十条: the bureau reviews the materials; incomplete materials stop it at 评估."""
        self._expect(Stage.SUBMITTED, "材料审查")
        missing = [m for m in required_materials if m not in materials]
        if missing:
            return Application(
                self.applicant_id, Stage.REJECTED, f"申报材料不全(第十条): 缺少 {', '.join(missing)}",
                (*self.history, Stage.EVALUATION, Stage.REJECTED),
            )  # fmt: skip
        return self._to(Stage.EVALUATION)

    def expert_review(self, passed: bool, reason: str = "") -> Application:
        """第九条(二): expert review of function, management, platform and actual results."""
        self._expect(Stage.EVALUATION, "专家评审")
        if not passed:
            return self._to(Stage.REJECTED, reason or "专家评审未通过(第九条(二))")
        return self._to(Stage.PUBLIC_NOTICE)

    def public_notice(self, objection_upheld: bool, reason: str = "") -> Application:
        """第九条(三)/(四): an upheld objection rejects; no objection → 授牌."""
        self._expect(Stage.PUBLIC_NOTICE, "公示")
        if objection_upheld:
            return self._to(Stage.REJECTED, reason or "公示期间异议成立(第九条(三))")
        return self._to(Stage.CERTIFIED)


def run(
    applicant_id: str,
    materials: set[str],
    expert_passed: bool,
    objection_upheld: bool,
    *,
    required_materials: list[str],
) -> Application:
    """第九条: the whole procedure in one call; stops at the first stage that rejects."""
    app = Application(applicant_id).review_materials(materials, required_materials)
    if app.stage is Stage.EVALUATION:
        app = app.expert_review(expert_passed)
    if app.stage is Stage.PUBLIC_NOTICE:
        app = app.public_notice(objection_upheld)
    return app
