from yuqing.cases.models.case import (
    Attachment,
    Case,
    CaseTransition,
    Deadline,
    DeadlineStatus,
    ProcedureSettings,
    Signature,
)
from yuqing.cases.models.reports import ReportStatus, SituationReport
from yuqing.cases.models.response import (
    AccountabilityRecord,
    ActionStatus,
    CoordinationLog,
    Evaluation,
    HandlingAction,
    PlanStatus,
    ResponsePlan,
    SourceControlRequest,
)
from yuqing.cases.models.verification import VerificationStatus, VerificationTask

__all__ = [
    "AccountabilityRecord",
    "ActionStatus",
    "Attachment",
    "Case",
    "CaseTransition",
    "CoordinationLog",
    "Deadline",
    "DeadlineStatus",
    "Evaluation",
    "HandlingAction",
    "PlanStatus",
    "ProcedureSettings",
    "ReportStatus",
    "ResponsePlan",
    "Signature",
    "SituationReport",
    "SourceControlRequest",
    "VerificationStatus",
    "VerificationTask",
]
